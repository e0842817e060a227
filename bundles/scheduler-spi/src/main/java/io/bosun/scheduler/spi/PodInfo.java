package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Affinity;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerPort;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodAffinityTerm;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.Volume;
import io.bosun.api.core.v1.WeightedPodAffinityTerm;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.labels.Requirement;
import io.bosun.api.labels.SelectorException;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.values.Quantity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A pod plus what the scheduler derives from it once, as upstream's {@code framework.PodInfo}:
 * parsed (anti-)affinity terms, effective resource requests, host ports and claimed volumes.
 * Immutable and thread-safe, <b>provided nobody modifies the {@link #pod()} object</b>: plugins
 * must treat it as read-only (copy it with {@code deepCopy()} to change anything).
 */
public final class PodInfo {

  /** CPU assumed for a container without a CPU request when spreading load (upstream: 100m). */
  public static final long DEFAULT_MILLI_CPU_REQUEST = 100;
  /** Memory assumed for a container without a memory request when spreading load (upstream: 200 MiB). */
  public static final long DEFAULT_MEMORY_REQUEST = 200L * 1024 * 1024;

  private final Pod pod;
  private final String uid;
  private final String namespace;
  private final String name;
  private final int priority;
  private final Resource requests;
  private final Resource nonZeroRequests;
  private final List<HostPort> hostPorts;
  private final List<String> claimKeys;
  private final List<AffinityTerm> requiredAffinityTerms;
  private final List<AffinityTerm> requiredAntiAffinityTerms;
  private final List<WeightedAffinityTerm> preferredAffinityTerms;
  private final List<WeightedAffinityTerm> preferredAntiAffinityTerms;
  private final List<String> parseErrors;

  private PodInfo(Pod pod) {
    this.pod = Objects.requireNonNull(pod, "pod");
    ObjectMeta meta = pod.getMetadata() == null ? new ObjectMeta() : pod.getMetadata();
    this.uid = meta.getUid() == null ? "" : meta.getUid();
    this.namespace = meta.getNamespace() == null ? "" : meta.getNamespace();
    this.name = meta.getName() == null ? "" : meta.getName();
    PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
    this.priority = spec.getPriority() == null ? 0 : spec.getPriority();
    Resource[] req = computeRequests(spec);
    this.requests = req[0];
    this.nonZeroRequests = req[1];
    this.hostPorts = List.copyOf(hostPorts(spec));
    this.claimKeys = List.copyOf(claims(spec, namespace, name));
    List<String> errors = new ArrayList<>();
    Affinity a = spec.getAffinity();
    Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
    if (a != null && a.getPodAffinity() != null) {
      requiredAffinityTerms = terms(a.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution(), labels, errors);
      preferredAffinityTerms = weighted(a.getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution(), labels, errors);
    } else {
      requiredAffinityTerms = List.of();
      preferredAffinityTerms = List.of();
    }
    if (a != null && a.getPodAntiAffinity() != null) {
      requiredAntiAffinityTerms = terms(a.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution(), labels, errors);
      preferredAntiAffinityTerms = weighted(a.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution(), labels, errors);
    } else {
      requiredAntiAffinityTerms = List.of();
      preferredAntiAffinityTerms = List.of();
    }
    this.parseErrors = List.copyOf(errors);
  }

  /** Parses {@code pod}. Never throws for a malformed pod: problems are in {@link #parseErrors()}. */
  public static PodInfo of(Pod pod) {
    return new PodInfo(pod);
  }

  /** The pod; read-only by contract. */
  public Pod pod() {
    return pod;
  }

  /** {@code metadata.uid} ("" if unset). */
  public String uid() {
    return uid;
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  /** {@code namespace/name}, the pod's key in events and caches. */
  public String key() {
    return namespace + "/" + name;
  }

  /** {@code spec.priority}, 0 if unset (as upstream's {@code corev1helpers.PodPriority}). */
  public int priority() {
    return priority;
  }

  /**
   * Effective requests, as upstream computes them for fit: the sum of the containers' requests
   * (restartable "sidecar" init containers included), at least the largest need of any init
   * container step, plus {@code spec.overhead}.
   */
  public Resource requests() {
    return requests;
  }

  /**
   * CPU and memory requests where a container that requests none counts
   * {@value #DEFAULT_MILLI_CPU_REQUEST}m CPU and 200 MiB (upstream's non-zero requests, used for
   * spreading scores). Only {@link Resource#milliCpu()} and {@link Resource#memory()} are set.
   */
  public Resource nonZeroRequests() {
    return nonZeroRequests;
  }

  /** Host ports the pod's containers (and restartable init containers) declare. */
  public List<HostPort> hostPorts() {
    return hostPorts;
  }

  /** {@code namespace/claimName} of every PersistentVolumeClaim the pod mounts. */
  public List<String> claimKeys() {
    return claimKeys;
  }

  public List<AffinityTerm> requiredAffinityTerms() {
    return requiredAffinityTerms;
  }

  public List<AffinityTerm> requiredAntiAffinityTerms() {
    return requiredAntiAffinityTerms;
  }

  public List<WeightedAffinityTerm> preferredAffinityTerms() {
    return preferredAffinityTerms;
  }

  public List<WeightedAffinityTerm> preferredAntiAffinityTerms() {
    return preferredAntiAffinityTerms;
  }

  /** Whether the pod has any (required or preferred) pod affinity or anti-affinity term. */
  public boolean hasAffinity() {
    return !requiredAffinityTerms.isEmpty() || !requiredAntiAffinityTerms.isEmpty()
        || !preferredAffinityTerms.isEmpty() || !preferredAntiAffinityTerms.isEmpty();
  }

  /** Whether the pod has a required anti-affinity term. */
  public boolean hasRequiredAntiAffinity() {
    return !requiredAntiAffinityTerms.isEmpty();
  }

  /** Invalid selectors found while parsing; such a term selects nothing. Empty when all is well. */
  public List<String> parseErrors() {
    return parseErrors;
  }

  @Override
  public String toString() {
    return "PodInfo{" + key() + "}";
  }

  // ---- derivation -------------------------------------------------------------------------

  private static Resource[] computeRequests(PodSpec spec) {
    Resource reqs = Resource.ZERO;
    long nzCpu = 0;
    long nzMem = 0;
    for (Container c : list(spec.getContainers())) {
      Map<String, Quantity> r = requestsOf(c);
      reqs = reqs.plus(Resource.of(r));
      nzCpu += nonZero(r, Resource.CPU);
      nzMem += nonZero(r, Resource.MEMORY);
    }
    Resource restartable = Resource.ZERO;
    Resource initMax = Resource.ZERO;
    long restartableNzCpu = 0;
    long restartableNzMem = 0;
    long initNzCpu = 0;
    long initNzMem = 0;
    for (Container c : list(spec.getInitContainers())) {
      Map<String, Quantity> r = requestsOf(c);
      Resource res = Resource.of(r);
      Resource step;
      long stepCpu;
      long stepMem;
      if ("Always".equals(c.getRestartPolicy())) {
        reqs = reqs.plus(res);
        nzCpu += nonZero(r, Resource.CPU);
        nzMem += nonZero(r, Resource.MEMORY);
        restartable = restartable.plus(res);
        restartableNzCpu += nonZero(r, Resource.CPU);
        restartableNzMem += nonZero(r, Resource.MEMORY);
        step = restartable;
        stepCpu = restartableNzCpu;
        stepMem = restartableNzMem;
      } else {
        step = restartable.plus(res);
        stepCpu = restartableNzCpu + nonZero(r, Resource.CPU);
        stepMem = restartableNzMem + nonZero(r, Resource.MEMORY);
      }
      initMax = initMax.max(step);
      initNzCpu = Math.max(initNzCpu, stepCpu);
      initNzMem = Math.max(initNzMem, stepMem);
    }
    reqs = reqs.max(initMax);
    nzCpu = Math.max(nzCpu, initNzCpu);
    nzMem = Math.max(nzMem, initNzMem);
    if (spec.getOverhead() != null && !spec.getOverhead().isEmpty()) {
      Resource overhead = Resource.of(spec.getOverhead());
      reqs = reqs.plus(overhead);
      nzCpu += overhead.milliCpu();
      nzMem += overhead.memory();
    }
    return new Resource[] {reqs, new Resource(nzCpu, nzMem, 0, 0, Map.of())};
  }

  private static Map<String, Quantity> requestsOf(Container c) {
    return c.getResources() == null || c.getResources().getRequests() == null ? Map.of() : c.getResources().getRequests();
  }

  private static long nonZero(Map<String, Quantity> requests, String name) {
    Quantity q = requests.get(name);
    if (q == null) {
      return Resource.CPU.equals(name) ? DEFAULT_MILLI_CPU_REQUEST : DEFAULT_MEMORY_REQUEST;
    }
    return Resource.CPU.equals(name) ? q.milliValue() : q.longValue();
  }

  private static List<HostPort> hostPorts(PodSpec spec) {
    List<HostPort> out = new ArrayList<>();
    for (Container c : list(spec.getContainers())) {
      addPorts(c, out);
    }
    for (Container c : list(spec.getInitContainers())) {
      if ("Always".equals(c.getRestartPolicy())) {
        addPorts(c, out);
      }
    }
    return out;
  }

  private static void addPorts(Container c, List<HostPort> out) {
    for (ContainerPort p : list(c.getPorts())) {
      if (p.getHostPort() != null && p.getHostPort() > 0) {
        out.add(new HostPort(p.getHostIP(), p.getProtocol(), p.getHostPort()));
      }
    }
  }

  private static List<String> claims(PodSpec spec, String namespace, String podName) {
    List<String> out = new ArrayList<>();
    for (Volume v : list(spec.getVolumes())) {
      if (v.getPersistentVolumeClaim() != null && v.getPersistentVolumeClaim().getClaimName() != null) {
        out.add(namespace + "/" + v.getPersistentVolumeClaim().getClaimName());
      } else if (v.getEphemeral() != null) {
        // Generic ephemeral volumes create a claim named <pod>-<volume>.
        out.add(namespace + "/" + podName + "-" + v.getName());
      }
    }
    return out;
  }

  private List<AffinityTerm> terms(List<PodAffinityTerm> terms, Map<String, String> labels, List<String> errors) {
    if (terms == null || terms.isEmpty()) {
      return List.of();
    }
    List<AffinityTerm> out = new ArrayList<>(terms.size());
    for (PodAffinityTerm t : terms) {
      out.add(term(t, labels, errors));
    }
    return List.copyOf(out);
  }

  private List<WeightedAffinityTerm> weighted(List<WeightedPodAffinityTerm> terms, Map<String, String> labels,
      List<String> errors) {
    if (terms == null || terms.isEmpty()) {
      return List.of();
    }
    List<WeightedAffinityTerm> out = new ArrayList<>(terms.size());
    for (WeightedPodAffinityTerm t : terms) {
      if (t.getPodAffinityTerm() == null) {
        continue;
      }
      out.add(new WeightedAffinityTerm(term(t.getPodAffinityTerm(), labels, errors),
          t.getWeight() == null ? 0 : t.getWeight()));
    }
    return List.copyOf(out);
  }

  private AffinityTerm term(PodAffinityTerm t, Map<String, String> labels, List<String> errors) {
    Set<String> namespaces = new HashSet<>(list(t.getNamespaces()));
    LabelSelector nsSelector;
    try {
      nsSelector = LabelSelector.fromSpec(t.getNamespaceSelector());
    } catch (SelectorException e) {
      errors.add("namespaceSelector: " + e.getMessage());
      nsSelector = LabelSelector.nothing();
    }
    if (namespaces.isEmpty() && t.getNamespaceSelector() == null) {
      namespaces.add(namespace);
    }
    LabelSelector selector;
    try {
      selector = LabelSelector.fromSpec(t.getLabelSelector());
      if (t.getLabelSelector() != null
          && (!list(t.getMatchLabelKeys()).isEmpty() || !list(t.getMismatchLabelKeys()).isEmpty())) {
        List<Requirement> reqs = new ArrayList<>(selector.requirements());
        for (String k : list(t.getMatchLabelKeys())) {
          if (labels.containsKey(k)) {
            reqs.add(new Requirement(k, Requirement.Operator.IN, List.of(labels.get(k))));
          }
        }
        for (String k : list(t.getMismatchLabelKeys())) {
          if (labels.containsKey(k)) {
            reqs.add(new Requirement(k, Requirement.Operator.NOT_IN, List.of(labels.get(k))));
          }
        }
        selector = LabelSelector.of(reqs);
      }
    } catch (SelectorException | IllegalArgumentException e) {
      errors.add("labelSelector: " + e.getMessage());
      selector = LabelSelector.nothing();
    }
    return new AffinityTerm(namespaces, selector, t.getTopologyKey() == null ? "" : t.getTopologyKey(), nsSelector);
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
