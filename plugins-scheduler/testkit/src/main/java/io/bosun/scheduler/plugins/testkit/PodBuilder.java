package io.bosun.scheduler.plugins.testkit;

import io.bosun.api.core.v1.Affinity;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerPort;
import io.bosun.api.core.v1.NodeAffinity;
import io.bosun.api.core.v1.NodeSelector;
import io.bosun.api.core.v1.NodeSelectorRequirement;
import io.bosun.api.core.v1.NodeSelectorTerm;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodAffinity;
import io.bosun.api.core.v1.PodAffinityTerm;
import io.bosun.api.core.v1.PodAntiAffinity;
import io.bosun.api.core.v1.PodSchedulingGate;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodStatus;
import io.bosun.api.core.v1.PreferredSchedulingTerm;
import io.bosun.api.core.v1.ResourceRequirements;
import io.bosun.api.core.v1.Toleration;
import io.bosun.api.core.v1.TopologySpreadConstraint;
import io.bosun.api.core.v1.WeightedPodAffinityTerm;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.LabelSelectorRequirement;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.api.values.Quantity;
import io.bosun.scheduler.spi.PodInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds test pods in the style of upstream's {@code st.MakePod()}. Namespace {@code default} and
 * UID {@code <namespace>/<name>} unless set. Not thread-safe; one builder per pod.
 */
public final class PodBuilder {

  private final ObjectMeta meta = new ObjectMeta().withNamespace("default");
  private final PodSpec spec = new PodSpec();
  private final PodStatus status = new PodStatus();

  private PodBuilder(String name) {
    meta.setName(name);
  }

  /** A pod named {@code name} in namespace {@code default}. */
  public static PodBuilder pod(String name) {
    return new PodBuilder(name);
  }

  public PodBuilder namespace(String namespace) {
    meta.setNamespace(namespace);
    return this;
  }

  public PodBuilder uid(String uid) {
    meta.setUid(uid);
    return this;
  }

  public PodBuilder label(String key, String value) {
    Map<String, String> labels = meta.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(meta.getLabels());
    labels.put(key, value);
    meta.setLabels(labels);
    return this;
  }

  public PodBuilder priority(int priority) {
    spec.setPriority(priority);
    return this;
  }

  /** Binds the pod to {@code nodeName} ({@code spec.nodeName}). */
  public PodBuilder node(String nodeName) {
    spec.setNodeName(nodeName);
    return this;
  }

  public PodBuilder nominatedNode(String nodeName) {
    status.setNominatedNodeName(nodeName);
    return this;
  }

  public PodBuilder startTime(Instant start) {
    status.setStartTime(start);
    return this;
  }

  public PodBuilder creationTimestamp(Instant created) {
    meta.setCreationTimestamp(created);
    return this;
  }

  /** Marks the pod as terminating ({@code metadata.deletionTimestamp} set). */
  public PodBuilder terminating() {
    meta.setDeletionTimestamp(Instant.parse("2026-01-01T00:00:00Z"));
    return this;
  }

  public PodBuilder preemptionPolicy(String policy) {
    spec.setPreemptionPolicy(policy);
    return this;
  }

  public PodBuilder schedulingGates(String... names) {
    spec.setSchedulingGates(Arrays.stream(names).map(n -> new PodSchedulingGate().withName(n)).toList());
    return this;
  }

  /** Sets the controller owner reference. */
  public PodBuilder owner(String apiVersion, String kind, String name) {
    meta.setOwnerReferences(List.of(new OwnerReference().withApiVersion(apiVersion).withKind(kind).withName(name)
        .withUid("uid-" + name).withController(true)));
    return this;
  }

  /** Adds a container requesting {@code cpu} and {@code memory} (null: not requested). */
  public PodBuilder container(String cpu, String memory) {
    return container(requests(cpu, memory));
  }

  /** Adds a container with these requests (quantities as strings). */
  public PodBuilder container(Map<String, String> requests) {
    spec.setContainers(add(spec.getContainers(), container("c" + size(spec.getContainers()), requests)));
    return this;
  }

  /** Adds a container running {@code image} without requests. */
  public PodBuilder image(String image) {
    spec.setContainers(add(spec.getContainers(), new Container().withName("c" + size(spec.getContainers())).withImage(image)));
    return this;
  }

  /** Adds an init container running {@code image}. */
  public PodBuilder initImage(String image) {
    spec.setInitContainers(add(spec.getInitContainers(),
        new Container().withName("i" + size(spec.getInitContainers())).withImage(image)));
    return this;
  }

  /** Adds a (run-to-completion) init container with these requests. */
  public PodBuilder initContainer(String cpu, String memory) {
    spec.setInitContainers(add(spec.getInitContainers(),
        container("i" + size(spec.getInitContainers()), requests(cpu, memory))));
    return this;
  }

  /** Adds a sidecar: an init container with {@code restartPolicy: Always}. */
  public PodBuilder sidecar(String cpu, String memory) {
    spec.setInitContainers(add(spec.getInitContainers(),
        container("s" + size(spec.getInitContainers()), requests(cpu, memory)).withRestartPolicy("Always")));
    return this;
  }

  public PodBuilder overhead(String cpu, String memory) {
    Map<String, Quantity> o = new HashMap<>();
    requests(cpu, memory).forEach((k, v) -> o.put(k, Quantity.parse(v)));
    spec.setOverhead(o);
    return this;
  }

  /** Adds a container declaring a host port. */
  public PodBuilder hostPort(String ip, String protocol, int port) {
    ContainerPort p = new ContainerPort().withContainerPort(port).withHostPort(port).withHostIP(ip).withProtocol(protocol);
    spec.setContainers(add(spec.getContainers(),
        new Container().withName("c" + size(spec.getContainers())).withPorts(List.of(p))));
    return this;
  }

  public PodBuilder toleration(String key, String operator, String value, String effect) {
    spec.setTolerations(add(spec.getTolerations(),
        new Toleration().withKey(key).withOperator(operator).withValue(value).withEffect(effect)));
    return this;
  }

  public PodBuilder nodeSelector(String key, String value) {
    Map<String, String> m = spec.getNodeSelector() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(spec.getNodeSelector());
    m.put(key, value);
    spec.setNodeSelector(m);
    return this;
  }

  /** Adds a required node affinity term (terms are ORed). */
  public PodBuilder requiredNodeAffinity(NodeSelectorTerm term) {
    NodeAffinity na = nodeAffinity();
    NodeSelector ns = na.getRequiredDuringSchedulingIgnoredDuringExecution() == null
        ? new NodeSelector() : na.getRequiredDuringSchedulingIgnoredDuringExecution();
    ns.setNodeSelectorTerms(add(ns.getNodeSelectorTerms(), term));
    na.setRequiredDuringSchedulingIgnoredDuringExecution(ns);
    return this;
  }

  /** A required node affinity term {@code key In values}. */
  public PodBuilder nodeAffinityIn(String key, String... values) {
    return requiredNodeAffinity(term(expr(key, "In", values)));
  }

  public PodBuilder preferredNodeAffinity(int weight, NodeSelectorTerm term) {
    NodeAffinity na = nodeAffinity();
    na.setPreferredDuringSchedulingIgnoredDuringExecution(add(na.getPreferredDuringSchedulingIgnoredDuringExecution(),
        new PreferredSchedulingTerm().withWeight(weight).withPreference(term)));
    return this;
  }

  public PodBuilder podAffinity(PodAffinityTerm term) {
    PodAffinity pa = affinity().getPodAffinity() == null ? new PodAffinity() : affinity().getPodAffinity();
    pa.setRequiredDuringSchedulingIgnoredDuringExecution(add(pa.getRequiredDuringSchedulingIgnoredDuringExecution(), term));
    affinity().setPodAffinity(pa);
    return this;
  }

  public PodBuilder podAntiAffinity(PodAffinityTerm term) {
    PodAntiAffinity pa = affinity().getPodAntiAffinity() == null ? new PodAntiAffinity() : affinity().getPodAntiAffinity();
    pa.setRequiredDuringSchedulingIgnoredDuringExecution(add(pa.getRequiredDuringSchedulingIgnoredDuringExecution(), term));
    affinity().setPodAntiAffinity(pa);
    return this;
  }

  public PodBuilder preferredPodAffinity(int weight, PodAffinityTerm term) {
    PodAffinity pa = affinity().getPodAffinity() == null ? new PodAffinity() : affinity().getPodAffinity();
    pa.setPreferredDuringSchedulingIgnoredDuringExecution(add(pa.getPreferredDuringSchedulingIgnoredDuringExecution(),
        new WeightedPodAffinityTerm().withWeight(weight).withPodAffinityTerm(term)));
    affinity().setPodAffinity(pa);
    return this;
  }

  public PodBuilder preferredPodAntiAffinity(int weight, PodAffinityTerm term) {
    PodAntiAffinity pa = affinity().getPodAntiAffinity() == null ? new PodAntiAffinity() : affinity().getPodAntiAffinity();
    pa.setPreferredDuringSchedulingIgnoredDuringExecution(add(pa.getPreferredDuringSchedulingIgnoredDuringExecution(),
        new WeightedPodAffinityTerm().withWeight(weight).withPodAffinityTerm(term)));
    affinity().setPodAntiAffinity(pa);
    return this;
  }

  /** Adds a topology spread constraint. */
  public PodBuilder spreadConstraint(int maxSkew, String topologyKey, String whenUnsatisfiable, LabelSelector selector) {
    return spreadConstraint(new TopologySpreadConstraint().withMaxSkew(maxSkew).withTopologyKey(topologyKey)
        .withWhenUnsatisfiable(whenUnsatisfiable).withLabelSelector(selector));
  }

  public PodBuilder spreadConstraint(TopologySpreadConstraint c) {
    spec.setTopologySpreadConstraints(add(spec.getTopologySpreadConstraints(), c));
    return this;
  }

  public Pod build() {
    ObjectMeta m = meta.deepCopy();
    if (m.getUid() == null) {
      m.setUid(m.getNamespace() + "/" + m.getName());
    }
    // No default container: like upstream's st.MakePod(), an unset pod requests nothing at all.
    return new Pod().withMetadata(m).withSpec(spec.deepCopy()).withStatus(status.deepCopy());
  }

  public PodInfo info() {
    return PodInfo.of(build());
  }

  // ---- selector and term helpers --------------------------------------------------------------

  /** A node selector requirement. */
  public static NodeSelectorRequirement expr(String key, String operator, String... values) {
    return new NodeSelectorRequirement().withKey(key).withOperator(operator).withValues(values.length == 0 ? null : List.of(values));
  }

  /** A node selector term with these label expressions (ANDed). */
  public static NodeSelectorTerm term(NodeSelectorRequirement... expressions) {
    return new NodeSelectorTerm().withMatchExpressions(List.of(expressions));
  }

  /** A node selector term with these field expressions (metadata.name). */
  public static NodeSelectorTerm fieldTerm(NodeSelectorRequirement... fields) {
    return new NodeSelectorTerm().withMatchFields(List.of(fields));
  }

  /** A label selector {@code key Exists}. */
  public static LabelSelector exists(String key) {
    return new LabelSelector().withMatchExpressions(List.of(new LabelSelectorRequirement().withKey(key).withOperator("Exists")));
  }

  /** A label selector with these match labels. */
  public static LabelSelector labels(String... keyValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return new LabelSelector().withMatchLabels(m);
  }

  /** A pod affinity term on {@code topologyKey} selecting pods by {@code selector}, in the pod's namespace. */
  public static PodAffinityTerm affinityTerm(String topologyKey, LabelSelector selector) {
    return new PodAffinityTerm().withTopologyKey(topologyKey).withLabelSelector(selector);
  }

  // ---- internals -------------------------------------------------------------------------------

  private Affinity affinity() {
    if (spec.getAffinity() == null) {
      spec.setAffinity(new Affinity());
    }
    return spec.getAffinity();
  }

  private NodeAffinity nodeAffinity() {
    if (affinity().getNodeAffinity() == null) {
      affinity().setNodeAffinity(new NodeAffinity());
    }
    return affinity().getNodeAffinity();
  }

  private static Map<String, String> requests(String cpu, String memory) {
    Map<String, String> r = new LinkedHashMap<>();
    if (cpu != null) {
      r.put("cpu", cpu);
    }
    if (memory != null) {
      r.put("memory", memory);
    }
    return r;
  }

  private static Container container(String name, Map<String, String> requests) {
    Map<String, Quantity> q = new LinkedHashMap<>();
    requests.forEach((k, v) -> q.put(k, Quantity.parse(v)));
    return new Container().withName(name).withResources(new ResourceRequirements().withRequests(q));
  }

  private static int size(List<?> l) {
    return l == null ? 0 : l.size();
  }

  private static <T> List<T> add(List<T> list, T item) {
    List<T> out = list == null ? new ArrayList<>() : new ArrayList<>(list);
    out.add(item);
    return out;
  }
}
