package io.bosun.controllers.core.endpoints;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.ObjectReference;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Service;
import io.bosun.api.core.v1.ServicePort;
import io.bosun.api.discovery.v1.Endpoint;
import io.bosun.api.discovery.v1.EndpointConditions;
import io.bosun.api.discovery.v1.EndpointSlice;
import io.bosun.api.discovery.v1.EndpointSlicePort;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import io.bosun.controller.ControllerRefs;
import io.bosun.controller.EventRecorder;
import io.bosun.controller.Pods;
import io.bosun.controllers.core.internal.Handlers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Upstream's EndpointSlice controller ({@code pkg/controller/endpointslice}): for every Service
 * with a selector (not ExternalName) keeps {@code discovery.k8s.io/v1} EndpointSlices labelled
 * {@code kubernetes.io/service-name} and {@code endpointslice.kubernetes.io/managed-by:
 * endpointslice-controller.k8s.io}, owned by the Service, one per address type in use and set of
 * resolved ports, at most {@code maxEndpointsPerSlice} (100) endpoints each. Every selected pod
 * with an IP is an endpoint with the conditions ready (serving and not terminating, or always with
 * {@code publishNotReadyAddresses}), serving (pod Ready) and terminating, its node, zone and
 * hostname. As upstream's reconciler it keeps endpoints in the slices they are in, fills changed
 * slices first and creates slices only for what does not fit.
 */
@Component(service = Controller.class, configurationPid = "io.bosun.controller.endpointslice",
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = EndpointSliceController.Config.class)
public final class EndpointSliceController implements Controller {

  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
  static final String CONTROLLER_NAME = "endpointslice-controller.k8s.io";
  static final String ZONE_LABEL = "topology.kubernetes.io/zone";
  /** How soon a sync that found its cache behind its own writes runs again. */
  static final java.time.Duration STALE_RETRY = java.time.Duration.ofMillis(100);

  /** Configuration (PID {@code io.bosun.controller.endpointslice}). */
  @ObjectClassDefinition(name = "Bosun EndpointSlice controller")
  public @interface Config {
    @AttributeDefinition(description = "Most endpoints in one slice (upstream's --max-endpoints-per-slice: 100).")
    int maxEndpointsPerSlice() default 100;
  }

  private volatile int maxEndpointsPerSlice;

  /** For DS; 100 endpoints per slice. */
  public EndpointSliceController() {
    this(100);
  }

  /** For use outside OSGi. */
  public EndpointSliceController(int maxEndpointsPerSlice) {
    if (maxEndpointsPerSlice < 1 || maxEndpointsPerSlice > 1000) {
      throw new IllegalArgumentException("maxEndpointsPerSlice must be within 1..1000: " + maxEndpointsPerSlice);
    }
    this.maxEndpointsPerSlice = maxEndpointsPerSlice;
  }

  @Activate
  void activate(Config config) {
    if (config.maxEndpointsPerSlice() < 1 || config.maxEndpointsPerSlice() > 1000) {
      throw new IllegalArgumentException("maxEndpointsPerSlice must be within 1..1000: " + config.maxEndpointsPerSlice());
    }
    maxEndpointsPerSlice = config.maxEndpointsPerSlice();
  }

  @Override
  public String name() {
    return "endpointslice";
  }

  @Override
  public void run(ControllerContext ctx) throws Exception {
    new SliceRun(ctx, maxEndpointsPerSlice).run();
  }

  private static final class SliceRun {
    private final ControllerContext ctx;
    private final int max;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final ResourceClient<EndpointSlice> client;
    private final WorkQueue<String> queue;
    private final EventRecorder recorder;
    /** Marks a slice this controller deleted in {@link #written}. */
    private static final String DELETED = "";

    /**
     * What this controller wrote per service: slice name to resourceVersion ({@link #DELETED}). A
     * sync waits until the cache shows at least that, so a slow watch never makes it create a
     * slice twice (upstream's endpointSliceTracker).
     */
    private final Map<String, Map<String, String>> written = new ConcurrentHashMap<>();

    SliceRun(ControllerContext ctx, int max) {
      this.ctx = ctx;
      this.max = max;
      this.services = ctx.informer(Service.class);
      this.pods = ctx.informer(Pod.class);
      this.nodes = ctx.informer(Node.class);
      this.slices = ctx.informer(EndpointSlice.class);
      this.client = ctx.client().resources(EndpointSlice.class);
      this.queue = ctx.workQueue("endpoint_slice");
      this.recorder = ctx.eventRecorder();
    }

    void run() throws Exception {
      services.addEventHandler(Handlers.any(s -> queue.add(Keys.of(s))));
      pods.addEventHandler(Handlers.of(p -> podChanged(p, null), this::podChangedFrom, p -> podChanged(p, null)));
      slices.addEventHandler(Handlers.any(this::sliceChanged));
      if (!ctx.waitForCacheSync(services, pods, nodes, slices)) {
        return;
      }
      ctx.runWorkers(queue, ctx.workers(), this::sync);
    }

    private void podChangedFrom(Pod old, Pod pod) {
      podChanged(pod, old);
    }

    private void podChanged(Pod pod, Pod old) {
      if (old != null && Objects.equals(old.getMetadata().getResourceVersion(), pod.getMetadata().getResourceVersion())) {
        return;
      }
      Set<String> keys = ServicePods.servicesOf(services.indexer(), pod);
      if (old != null && !Objects.equals(old.getMetadata().getLabels(), pod.getMetadata().getLabels())) {
        keys.addAll(ServicePods.servicesOf(services.indexer(), old));
      }
      keys.forEach(queue::add);
    }

    private void sliceChanged(EndpointSlice slice) {
      Map<String, String> labels = slice.getMetadata().getLabels();
      if (labels == null || !CONTROLLER_NAME.equals(labels.get(MANAGED_BY_LABEL)) || labels.get(SERVICE_NAME_LABEL) == null) {
        return;
      }
      // Someone else's change (or our own, echoed) is checked against the desired state.
      queue.add(Keys.of(slice.getMetadata().getNamespace(), labels.get(SERVICE_NAME_LABEL)));
    }

    private void sync(String key) {
      String ns = Keys.namespace(key);
      String name = Keys.name(key);
      Service svc = services.indexer().get(ns, name).orElse(null);
      if (svc == null) {
        // Slices are owned by the service: the garbage collector removes them.
        written.remove(key);
        return;
      }
      if (!ServicePods.managed(svc)) {
        return;
      }
      List<EndpointSlice> existing = new ArrayList<>();
      for (EndpointSlice s : slices.indexer().list(ns)) {
        Map<String, String> l = s.getMetadata().getLabels();
        if (l != null && name.equals(l.get(SERVICE_NAME_LABEL)) && CONTROLLER_NAME.equals(l.get(MANAGED_BY_LABEL))
            && s.getMetadata().getDeletionTimestamp() == null) {
          existing.add(s);
        }
      }
      if (!fresh(key, existing)) {
        // The cache has not caught up with this controller's own writes yet: look again shortly.
        queue.addAfter(key, STALE_RETRY);
        return;
      }
      List<Pod> selected = ServicePods.selectedPods(pods.indexer(), svc);
      Map<String, Map<String, Desired>> desiredByType = new LinkedHashMap<>();
      for (String family : ServicePods.ipFamilies(svc)) {
        desiredByType.put(family, new LinkedHashMap<>());
      }
      for (Pod pod : selected) {
        if (!ServicePods.shouldBeInEndpoints(pod, true)) {
          continue;
        }
        List<EndpointSlicePort> ports = portsFor(svc, pod);
        if (ports == null) {
          continue;
        }
        for (var e : desiredByType.entrySet()) {
          String ip = ServicePods.ipOfFamily(pod, e.getKey());
          if (ip == null) {
            continue;
          }
          Endpoint ep = endpointFor(svc, pod, ip);
          String portsKey = portsKey(ports);
          e.getValue().computeIfAbsent(portsKey, k -> new Desired(ports, new LinkedHashMap<>()))
              .endpoints.put(endpointKey(ep), ep);
        }
      }
      Map<String, String> wantLabels = sliceLabels(svc);
      List<EndpointSlice> toCreate = new ArrayList<>();
      List<EndpointSlice> toUpdate = new ArrayList<>();
      List<EndpointSlice> toDelete = new ArrayList<>();
      for (EndpointSlice s : existing) {
        if (!desiredByType.containsKey(s.getAddressType())) {
          toDelete.add(s);
        }
      }
      for (var e : desiredByType.entrySet()) {
        List<EndpointSlice> ofType = existing.stream().filter(s -> e.getKey().equals(s.getAddressType())).toList();
        reconcile(svc, e.getKey(), ofType, e.getValue(), wantLabels, toCreate, toUpdate, toDelete);
      }
      // A service with no endpoints at all still gets one empty slice, as upstream's placeholder.
      if (existing.stream().noneMatch(s -> !toDelete.contains(s)) && toCreate.isEmpty()) {
        String family = ServicePods.ipFamilies(svc).get(0);
        EndpointSlice placeholder = newSlice(svc, family, List.of(), wantLabels);
        EndpointSlice reusable = toDelete.stream().filter(s -> family.equals(s.getAddressType())).findFirst().orElse(null);
        if (reusable != null && (reusable.getEndpoints() == null || reusable.getEndpoints().isEmpty())
            && (reusable.getPorts() == null || reusable.getPorts().isEmpty())) {
          toDelete.remove(reusable);
        } else {
          toCreate.add(placeholder);
        }
      }
      apply(key, svc, toCreate, toUpdate, toDelete);
    }

    /** Whether the cache holds at least this controller's own writes; forgets the writes it shows. */
    private boolean fresh(String key, List<EndpointSlice> existing) {
      Map<String, String> mine = written.get(key);
      if (mine == null || mine.isEmpty()) {
        return true;
      }
      Map<String, EndpointSlice> byName = new HashMap<>();
      existing.forEach(s -> byName.put(s.getMetadata().getName(), s));
      for (var e : List.copyOf(mine.entrySet())) {
        EndpointSlice cached = byName.get(e.getKey());
        boolean fresh = e.getValue().equals(DELETED) ? cached == null
            : cached != null && atLeast(cached.getMetadata().getResourceVersion(), e.getValue());
        if (!fresh) {
          return false;
        }
        mine.remove(e.getKey(), e.getValue());
      }
      return true;
    }

    private static boolean atLeast(String have, String want) {
      try {
        return Long.parseLong(have) >= Long.parseLong(want);
      } catch (NumberFormatException e) {
        return Objects.equals(have, want);
      }
    }

    private record Desired(List<EndpointSlicePort> ports, Map<String, Endpoint> endpoints) {}

    /**
     * Upstream's reconcileByPortMapping for one address type: keep endpoints where they are
     * (updated), drop undesired ones and slices with unwanted ports, fill changed slices, then
     * put the rest into one unchanged slice that has room for all of it, else into new slices.
     */
    private void reconcile(Service svc, String addressType, List<EndpointSlice> ofType, Map<String, Desired> desired,
        Map<String, String> wantLabels, List<EndpointSlice> toCreate, List<EndpointSlice> toUpdate,
        List<EndpointSlice> toDelete) {
      Map<String, List<EndpointSlice>> byPorts = new LinkedHashMap<>();
      for (EndpointSlice s : ofType) {
        byPorts.computeIfAbsent(portsKey(s.getPorts() == null ? List.of() : s.getPorts()), k -> new ArrayList<>()).add(s);
      }
      for (var e : byPorts.entrySet()) {
        if (!desired.containsKey(e.getKey())) {
          toDelete.addAll(e.getValue());
        }
      }
      for (var d : desired.entrySet()) {
        Map<String, Endpoint> remaining = new LinkedHashMap<>(d.getValue().endpoints());
        List<EndpointSlice> changed = new ArrayList<>();
        List<EndpointSlice> unchanged = new ArrayList<>();
        for (EndpointSlice s : byPorts.getOrDefault(d.getKey(), List.of())) {
          List<Endpoint> kept = new ArrayList<>();
          boolean modified = false;
          for (Endpoint ep : s.getEndpoints() == null ? List.<Endpoint>of() : s.getEndpoints()) {
            Endpoint want = remaining.remove(endpointKey(ep));
            if (want == null) {
              modified = true;
            } else {
              kept.add(want);
              if (!sameEndpoint(want, ep)) {
                modified = true;
              }
            }
          }
          if (!wantLabels.equals(s.getMetadata().getLabels())) {
            modified = true;
          }
          EndpointSlice copy = s.deepCopy();
          copy.setEndpoints(kept);
          copy.getMetadata().setLabels(new LinkedHashMap<>(wantLabels));
          if (kept.isEmpty()) {
            toDelete.add(s);
          } else if (modified) {
            changed.add(copy);
          } else {
            unchanged.add(copy);
          }
        }
        List<Endpoint> left = new ArrayList<>(remaining.values());
        // Fill the slices being written anyway.
        for (EndpointSlice s : changed) {
          while (!left.isEmpty() && s.getEndpoints().size() < max) {
            s.getEndpoints().add(left.remove(0));
          }
        }
        if (!left.isEmpty()) {
          // One unchanged slice with room for all that is left saves a create.
          EndpointSlice roomy = unchanged.stream().filter(s -> s.getEndpoints().size() + left.size() <= max)
              .max(Comparator.comparingInt(s -> s.getEndpoints().size())).orElse(null);
          if (roomy != null) {
            roomy.getEndpoints().addAll(left);
            left.clear();
            unchanged.remove(roomy);
            changed.add(roomy);
          }
        }
        while (!left.isEmpty()) {
          List<Endpoint> chunk = new ArrayList<>(left.subList(0, Math.min(max, left.size())));
          left.subList(0, chunk.size()).clear();
          toCreate.add(newSlice(svc, addressType, d.getValue().ports(), wantLabels).withEndpoints(chunk));
        }
        toUpdate.addAll(changed);
      }
    }

    private void apply(String key, Service svc, List<EndpointSlice> toCreate, List<EndpointSlice> toUpdate,
        List<EndpointSlice> toDelete) {
      Map<String, String> mine = written.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
      for (EndpointSlice s : toCreate) {
        try {
          EndpointSlice created = client.create(s);
          mine.put(created.getMetadata().getName(), created.getMetadata().getResourceVersion());
        } catch (ClientStatusException e) {
          if (e.code() == 403 && String.valueOf(e.status().getMessage()).contains("being terminated")) {
            return;
          }
          recorder.eventf(svc, EventRecorder.WARNING, "FailedToUpdateEndpointSlices",
              "Error updating Endpoint Slices for Service %s/%s: %s", svc.getMetadata().getNamespace(),
              svc.getMetadata().getName(), e.getMessage());
          throw e;
        }
      }
      for (EndpointSlice s : toUpdate) {
        EndpointSlice updated = client.update(s);
        mine.put(updated.getMetadata().getName(), updated.getMetadata().getResourceVersion());
      }
      for (EndpointSlice s : toDelete) {
        try {
          client.delete(s.getMetadata().getNamespace(), s.getMetadata().getName(), null);
        } catch (ClientStatusException e) {
          if (!e.isNotFound()) {
            throw e;
          }
        }
        mine.put(s.getMetadata().getName(), DELETED);
      }
    }

    private EndpointSlice newSlice(Service svc, String addressType, List<EndpointSlicePort> ports, Map<String, String> labels) {
      String prefix = svc.getMetadata().getName() + "-";
      if (prefix.length() > 58) {
        prefix = prefix.substring(0, 58);
      }
      return new EndpointSlice().withApiVersion("discovery.k8s.io/v1").withKind("EndpointSlice")
          .withMetadata(new ObjectMeta().withNamespace(svc.getMetadata().getNamespace()).withGenerateName(prefix)
              .withLabels(new LinkedHashMap<>(labels))
              .withOwnerReferences(new ArrayList<>(List.of(ControllerRefs.newControllerRef(svc)))))
          .withAddressType(addressType).withPorts(new ArrayList<>(ports)).withEndpoints(new ArrayList<>());
    }

    /** The service's labels (minus reserved ones) plus the service-name, managed-by and headless labels. */
    private static Map<String, String> sliceLabels(Service svc) {
      Map<String, String> labels = new LinkedHashMap<>();
      if (svc.getMetadata().getLabels() != null) {
        svc.getMetadata().getLabels().forEach((k, v) -> {
          if (!k.equals(SERVICE_NAME_LABEL) && !k.equals(MANAGED_BY_LABEL) && !k.equals(EndpointsController.HEADLESS_LABEL)) {
            labels.put(k, v);
          }
        });
      }
      labels.put(SERVICE_NAME_LABEL, svc.getMetadata().getName());
      labels.put(MANAGED_BY_LABEL, CONTROLLER_NAME);
      if (!ServicePods.hasClusterIp(svc)) {
        labels.put(EndpointsController.HEADLESS_LABEL, "");
      }
      return labels;
    }

    /** The slice ports a pod serves; null if a port cannot be resolved (upstream skips the pod). */
    private static List<EndpointSlicePort> portsFor(Service svc, Pod pod) {
      List<EndpointSlicePort> out = new ArrayList<>();
      List<ServicePort> ports = svc.getSpec().getPorts() == null ? List.of() : svc.getSpec().getPorts();
      for (ServicePort sp : ports) {
        OptionalInt port = ServicePods.findPort(pod, sp);
        // Upstream: a port that cannot be resolved is left out for this pod.
        if (port.isEmpty()) {
          continue;
        }
        out.add(new EndpointSlicePort().withName(sp.getName() == null ? "" : sp.getName()).withPort(port.getAsInt())
            .withProtocol(sp.getProtocol() == null ? "TCP" : sp.getProtocol()).withAppProtocol(sp.getAppProtocol()));
      }
      return out;
    }

    private Endpoint endpointFor(Service svc, Pod pod, String ip) {
      boolean serving = Pods.isReady(pod);
      boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
      // "ready" is never true for a terminating pod unless not-ready addresses are published.
      boolean ready = Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses()) || (serving && !terminating);
      Endpoint ep = new Endpoint().withAddresses(new ArrayList<>(List.of(ip)))
          .withConditions(new EndpointConditions().withReady(ready).withServing(serving).withTerminating(terminating))
          .withTargetRef(new ObjectReference().withKind("Pod").withNamespace(pod.getMetadata().getNamespace())
              .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()))
          .withHostname(ServicePods.hostname(pod, svc));
      String nodeName = pod.getSpec().getNodeName();
      if (nodeName != null && !nodeName.isEmpty()) {
        ep.setNodeName(nodeName);
        nodes.indexer().get(null, nodeName).map(n -> n.getMetadata().getLabels()).map(l -> l.get(ZONE_LABEL))
            .ifPresent(ep::setZone);
      }
      return ep;
    }

    /** Equal in every field this controller sets (what the server echoes may differ in unset ones). */
    private static boolean sameEndpoint(Endpoint a, Endpoint b) {
      EndpointConditions ca = a.getConditions() == null ? new EndpointConditions() : a.getConditions();
      EndpointConditions cb = b.getConditions() == null ? new EndpointConditions() : b.getConditions();
      ObjectReference ra = a.getTargetRef();
      ObjectReference rb = b.getTargetRef();
      return Objects.equals(a.getAddresses(), b.getAddresses())
          && Objects.equals(ca.getReady(), cb.getReady()) && Objects.equals(ca.getServing(), cb.getServing())
          && Objects.equals(ca.getTerminating(), cb.getTerminating())
          && Objects.equals(nz(a.getHostname()), nz(b.getHostname())) && Objects.equals(nz(a.getNodeName()), nz(b.getNodeName()))
          && Objects.equals(nz(a.getZone()), nz(b.getZone()))
          && (ra == null ? rb == null : rb != null && Objects.equals(ra.getUid(), rb.getUid())
              && Objects.equals(ra.getName(), rb.getName()) && Objects.equals(ra.getNamespace(), rb.getNamespace()));
    }

    private static String nz(String s) {
      return s == null ? "" : s;
    }

    private static String endpointKey(Endpoint ep) {
      ObjectReference ref = ep.getTargetRef();
      return ref != null ? "pod/" + ref.getUid() : "addr/" + String.join(",", ep.getAddresses());
    }

    private static String portsKey(List<EndpointSlicePort> ports) {
      List<String> parts = new ArrayList<>();
      for (EndpointSlicePort p : ports) {
        parts.add(Objects.toString(p.getName(), "") + "/" + p.getPort() + "/" + Objects.toString(p.getProtocol(), "TCP")
            + "/" + Objects.toString(p.getAppProtocol(), ""));
      }
      parts.sort(null);
      return String.join(",", parts);
    }
  }
}
