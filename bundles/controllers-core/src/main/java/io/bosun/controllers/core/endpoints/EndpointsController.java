package io.bosun.controllers.core.endpoints;

import io.bosun.api.core.v1.EndpointAddress;
import io.bosun.api.core.v1.EndpointPort;
import io.bosun.api.core.v1.EndpointSubset;
import io.bosun.api.core.v1.Endpoints;
import io.bosun.api.core.v1.ObjectReference;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Service;
import io.bosun.api.core.v1.ServicePort;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Component;

/**
 * Upstream's Endpoints controller ({@code pkg/controller/endpoint}): for every Service with a
 * selector (not ExternalName) keeps an Endpoints object of the same name listing its selected
 * pods' addresses, ready ones under {@code addresses} and unready ones under
 * {@code notReadyAddresses} (all ready with {@code publishNotReadyAddresses}, which also keeps
 * terminating pods), per port as resolved from the pods' (named) container ports, repacked into
 * subsets of pods sharing ports; at most 1000 addresses (then annotated
 * {@code endpoints.kubernetes.io/over-capacity: truncated}). Deletes the Endpoints of deleted
 * Services, including leftovers found at start.
 */
@Component(service = Controller.class)
public final class EndpointsController implements Controller {

  static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
  static final String OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity";
  static final String LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";
  static final String LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";
  static final int MAX_CAPACITY = 1000;

  @Override
  public String name() {
    return "endpoint";
  }

  @Override
  public void run(ControllerContext ctx) throws Exception {
    SharedIndexInformer<Service> services = ctx.informer(Service.class);
    SharedIndexInformer<Pod> pods = ctx.informer(Pod.class);
    SharedIndexInformer<Endpoints> endpoints = ctx.informer(Endpoints.class);
    ResourceClient<Endpoints> client = ctx.client().resources(Endpoints.class);
    WorkQueue<String> queue = ctx.workQueue("endpoint");
    EventRecorder recorder = ctx.eventRecorder();
    // Versions this controller replaced: a cache still showing one is stale (upstream's staleEndpointsTracker).
    Map<String, String> staleVersions = new ConcurrentHashMap<>();

    services.addEventHandler(Handlers.any(s -> queue.add(Keys.of(s))));
    pods.addEventHandler(Handlers.of(p -> podChanged(services, queue, p, null), (o, p) -> podChanged(services, queue, p, o),
        p -> podChanged(services, queue, p, null)));
    endpoints.addEventHandler(Handlers.of(null, null, ep -> queue.add(Keys.of(ep))));
    if (!ctx.waitForCacheSync(services, pods, endpoints)) {
      return;
    }
    // Endpoints of Services deleted while no controller ran.
    for (Endpoints ep : endpoints.indexer().list()) {
      Map<String, String> a = ep.getMetadata().getAnnotations();
      if (a == null || !a.containsKey(LEADER_ANNOTATION)) {
        queue.add(Keys.of(ep));
      }
    }
    ctx.runWorkers(queue, ctx.workers(), key -> {
      String ns = Keys.namespace(key);
      String name = Keys.name(key);
      Service svc = services.indexer().get(ns, name).orElse(null);
      if (svc == null) {
        try {
          client.delete(ns, name, null);
        } catch (ClientStatusException e) {
          if (!e.isNotFound()) {
            throw e;
          }
        }
        return;
      }
      if (!ServicePods.managed(svc)) {
        return;
      }
      Endpoints current = endpoints.indexer().get(ns, name).orElse(null);
      if (current != null && current.getMetadata().getResourceVersion() != null
          && current.getMetadata().getResourceVersion().equals(staleVersions.get(key))) {
        // The cache still shows what this controller replaced: look again shortly.
        queue.addAfter(key, EndpointSliceController.STALE_RETRY);
        return;
      }
      List<EndpointSubset> subsets = subsetsFor(svc, ServicePods.selectedPods(pods.indexer(), svc));
      Map<String, String> svcLabels = svc.getMetadata().getLabels() == null ? Map.of() : svc.getMetadata().getLabels();
      boolean create = current == null;
      if (!create) {
        Map<String, String> compare = current.getMetadata().getLabels() == null ? new HashMap<>()
            : new HashMap<>(current.getMetadata().getLabels());
        compare.remove(HEADLESS_LABEL);
        if (subsetsEqual(current.getSubsets(), subsets) && compare.equals(svcLabels)
            && capacityAnnotationCorrect(current)) {
          return;
        }
      }
      Endpoints next = create ? new Endpoints().withApiVersion("v1").withKind("Endpoints")
          .withMetadata(new ObjectMeta().withNamespace(ns).withName(name)) : current.deepCopy();
      next.setSubsets(subsets.isEmpty() ? null : subsets);
      Map<String, String> labels = new LinkedHashMap<>(svcLabels);
      if (!ServicePods.hasClusterIp(svc)) {
        labels.put(HEADLESS_LABEL, "");
      }
      next.getMetadata().setLabels(labels.isEmpty() ? null : labels);
      Map<String, String> annotations = next.getMetadata().getAnnotations() == null ? new HashMap<>()
          : new HashMap<>(next.getMetadata().getAnnotations());
      // No trigger time is tracked: the annotation is cleared, as upstream does without one.
      annotations.remove(LAST_CHANGE_TRIGGER_TIME);
      if (truncate(next)) {
        annotations.put(OVER_CAPACITY, "truncated");
      } else {
        annotations.remove(OVER_CAPACITY);
      }
      next.getMetadata().setAnnotations(annotations.isEmpty() ? null : annotations);
      try {
        if (create) {
          client.create(next);
        } else {
          client.update(next);
          staleVersions.put(key, current.getMetadata().getResourceVersion());
        }
      } catch (ClientStatusException e) {
        if (create && e.code() == 403 && String.valueOf(e.status().getMessage()).contains("being terminated")) {
          return;
        }
        if (create) {
          recorder.eventf(next, EventRecorder.WARNING, "FailedToCreateEndpoint",
              "Failed to create endpoint for service %s/%s: %s", ns, name, e.getMessage());
        } else {
          recorder.eventf(next, EventRecorder.WARNING, "FailedToUpdateEndpoint", "Failed to update endpoint %s/%s: %s",
              ns, name, e.getMessage());
        }
        throw e;
      }
    });
  }

  /** Queues the services selecting the pod now, and, after a label change, those that selected it before. */
  private static void podChanged(SharedIndexInformer<Service> services, WorkQueue<String> queue, Pod pod, Pod old) {
    if (old != null && Objects.equals(old.getMetadata().getResourceVersion(), pod.getMetadata().getResourceVersion())) {
      return;
    }
    Set<String> keys = ServicePods.servicesOf(services.indexer(), pod);
    if (old != null && !Objects.equals(old.getMetadata().getLabels(), pod.getMetadata().getLabels())) {
      keys.addAll(ServicePods.servicesOf(services.indexer(), old));
    }
    keys.forEach(queue::add);
  }

  /** The repacked subsets of a service's pods. */
  static List<EndpointSubset> subsetsFor(Service svc, List<Pod> pods) {
    boolean tolerateUnready = Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
    List<ServicePort> ports = svc.getSpec().getPorts() == null ? List.of() : svc.getSpec().getPorts();
    List<EndpointSubset> subsets = new ArrayList<>();
    String family = ServicePods.ipFamilies(svc).get(0);
    for (Pod pod : pods) {
      if (!ServicePods.shouldBeInEndpoints(pod, tolerateUnready)) {
        continue;
      }
      String ip = ServicePods.ipOfFamily(pod, family);
      if (ip == null) {
        continue;
      }
      EndpointAddress address = new EndpointAddress().withIp(ip).withNodeName(pod.getSpec().getNodeName())
          .withHostname(ServicePods.hostname(pod, svc))
          .withTargetRef(new ObjectReference().withKind("Pod").withNamespace(pod.getMetadata().getNamespace())
              .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()));
      boolean ready = tolerateUnready || Pods.isReady(pod);
      if (ports.isEmpty()) {
        // A headless service may have no ports at all.
        if ("None".equals(svc.getSpec().getClusterIP())) {
          subsets.add(subset(address, null, ready));
        }
        continue;
      }
      for (ServicePort sp : ports) {
        OptionalInt port = ServicePods.findPort(pod, sp);
        if (port.isEmpty()) {
          continue;
        }
        EndpointPort ep = new EndpointPort().withName(sp.getName() == null || sp.getName().isEmpty() ? null : sp.getName())
            .withPort(port.getAsInt()).withProtocol(sp.getProtocol()).withAppProtocol(sp.getAppProtocol());
        subsets.add(subset(address, ep, ready));
      }
    }
    return repack(subsets);
  }

  private static EndpointSubset subset(EndpointAddress address, EndpointPort port, boolean ready) {
    EndpointSubset s = new EndpointSubset().withPorts(port == null ? null : new ArrayList<>(List.of(port)));
    if (ready) {
      s.setAddresses(new ArrayList<>(List.of(address)));
    } else {
      s.setNotReadyAddresses(new ArrayList<>(List.of(address)));
    }
    return s;
  }

  private record AddressKey(String ip, String uid) {}

  private record PortKey(String name, int port, String protocol, String appProtocol) {
    static PortKey of(EndpointPort p) {
      return new PortKey(p.getName(), p.getPort(), p.getProtocol(), p.getAppProtocol());
    }

    EndpointPort toEndpointPort() {
      return new EndpointPort().withName(name).withPort(port).withProtocol(protocol).withAppProtocol(appProtocol);
    }
  }

  /**
   * Upstream's RepackSubsets: one subset per set of addresses that offer the same ports (an
   * address ready for a port in one subset and not in another counts as ready), sorted.
   */
  static List<EndpointSubset> repack(List<EndpointSubset> subsets) {
    Map<AddressKey, EndpointAddress> all = new LinkedHashMap<>();
    Map<PortKey, Map<AddressKey, Boolean>> portToAddrs = new LinkedHashMap<>();
    PortKey sentinel = new PortKey(null, -1, null, null);
    for (EndpointSubset s : subsets) {
      List<PortKey> ports = s.getPorts() == null || s.getPorts().isEmpty() ? List.of(sentinel)
          : s.getPorts().stream().map(PortKey::of).toList();
      for (PortKey port : ports) {
        map(s.getAddresses(), port, true, all, portToAddrs);
        map(s.getNotReadyAddresses(), port, false, all, portToAddrs);
      }
    }
    // Addresses (with their readiness) -> the ports they all offer.
    Map<String, Map<AddressKey, Boolean>> keyToAddrs = new TreeMap<>();
    Map<String, List<PortKey>> keyToPorts = new TreeMap<>();
    for (var e : portToAddrs.entrySet()) {
      String key = hash(e.getValue());
      keyToAddrs.put(key, e.getValue());
      List<PortKey> ports = keyToPorts.computeIfAbsent(key, k -> new ArrayList<>());
      if (e.getKey().port() > 0) {
        ports.add(e.getKey());
      }
    }
    List<EndpointSubset> out = new ArrayList<>();
    Comparator<EndpointAddress> byAddress = Comparator.comparing(EndpointAddress::getIp)
        .thenComparing(a -> a.getTargetRef() == null ? "" : String.valueOf(a.getTargetRef().getUid()));
    for (var e : keyToPorts.entrySet()) {
      List<EndpointAddress> ready = new ArrayList<>();
      List<EndpointAddress> notReady = new ArrayList<>();
      keyToAddrs.get(e.getKey()).forEach((k, r) -> (r ? ready : notReady).add(all.get(k)));
      ready.sort(byAddress);
      notReady.sort(byAddress);
      List<EndpointPort> ports = e.getValue().stream()
          .sorted(Comparator.comparing((PortKey p) -> String.valueOf(p.name())).thenComparingInt(PortKey::port)
              .thenComparing(p -> String.valueOf(p.protocol())))
          .map(PortKey::toEndpointPort).toList();
      out.add(new EndpointSubset().withAddresses(ready.isEmpty() ? null : ready)
          .withNotReadyAddresses(notReady.isEmpty() ? null : notReady)
          .withPorts(ports.isEmpty() ? null : new ArrayList<>(ports)));
    }
    return out;
  }

  private static void map(List<EndpointAddress> addrs, PortKey port, boolean ready, Map<AddressKey, EndpointAddress> all,
      Map<PortKey, Map<AddressKey, Boolean>> portToAddrs) {
    if (addrs == null) {
      return;
    }
    for (EndpointAddress a : addrs) {
      AddressKey key = new AddressKey(a.getIp(), a.getTargetRef() == null ? "" : a.getTargetRef().getUid());
      all.putIfAbsent(key, a);
      Map<AddressKey, Boolean> set = portToAddrs.computeIfAbsent(port, p -> new LinkedHashMap<>());
      Boolean previous = set.get(key);
      if (previous == null || !previous) {
        set.put(key, ready);
      }
    }
  }

  private static String hash(Map<AddressKey, Boolean> addrs) {
    List<String> parts = new ArrayList<>();
    addrs.forEach((k, r) -> parts.add(k.ip() + "/" + k.uid() + "/" + r));
    parts.sort(null);
    return String.join(",", parts);
  }

  /** Equal subsets, ignoring the resourceVersion of target references. */
  static boolean subsetsEqual(List<EndpointSubset> a, List<EndpointSubset> b) {
    return normalize(a).equals(normalize(b));
  }

  private static List<EndpointSubset> normalize(List<EndpointSubset> subsets) {
    List<EndpointSubset> out = new ArrayList<>();
    if (subsets == null) {
      return out;
    }
    for (EndpointSubset s : subsets) {
      EndpointSubset c = s.deepCopy();
      for (List<EndpointAddress> list : java.util.Arrays.asList(c.getAddresses(), c.getNotReadyAddresses())) {
        if (list != null) {
          list.forEach(x -> {
            if (x.getTargetRef() != null) {
              x.getTargetRef().setResourceVersion(null);
            }
          });
        }
      }
      if (c.getAddresses() != null && c.getAddresses().isEmpty()) {
        c.setAddresses(null);
      }
      if (c.getNotReadyAddresses() != null && c.getNotReadyAddresses().isEmpty()) {
        c.setNotReadyAddresses(null);
      }
      if (c.getPorts() != null && c.getPorts().isEmpty()) {
        c.setPorts(null);
      }
      out.add(c);
    }
    return out;
  }

  private static boolean capacityAnnotationCorrect(Endpoints ep) {
    int n = 0;
    if (ep.getSubsets() != null) {
      for (EndpointSubset s : ep.getSubsets()) {
        n += (s.getAddresses() == null ? 0 : s.getAddresses().size())
            + (s.getNotReadyAddresses() == null ? 0 : s.getNotReadyAddresses().size());
      }
    }
    boolean annotated = ep.getMetadata().getAnnotations() != null
        && ep.getMetadata().getAnnotations().containsKey(OVER_CAPACITY);
    return annotated ? n == MAX_CAPACITY : n <= MAX_CAPACITY;
  }

  /**
   * Keeps at most {@link #MAX_CAPACITY} addresses, proportionally per subset, ready ones first
   * (upstream's truncateEndpoints); returns whether anything was cut.
   */
  static boolean truncate(Endpoints ep) {
    List<EndpointSubset> subsets = ep.getSubsets() == null ? List.of() : ep.getSubsets();
    int totalReady = 0;
    int totalNotReady = 0;
    for (EndpointSubset s : subsets) {
      totalReady += s.getAddresses() == null ? 0 : s.getAddresses().size();
      totalNotReady += s.getNotReadyAddresses() == null ? 0 : s.getNotReadyAddresses().size();
    }
    if (totalReady + totalNotReady <= MAX_CAPACITY) {
      return false;
    }
    boolean truncateReady = totalReady > MAX_CAPACITY;
    int max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady;
    int numTotal = truncateReady ? totalReady : totalNotReady;
    int canBeAdded = max;
    for (EndpointSubset s : subsets) {
      List<EndpointAddress> ready = s.getAddresses() == null ? List.of() : s.getAddresses();
      List<EndpointAddress> notReady = s.getNotReadyAddresses() == null ? List.of() : s.getNotReadyAddresses();
      int inSubset = truncateReady ? ready.size() : notReady.size();
      int toAdd = Math.min((int) Math.ceil((double) inSubset / numTotal * max), canBeAdded);
      if (truncateReady) {
        s.setAddresses(new ArrayList<>(ready.subList(0, Math.min(toAdd, ready.size()))));
        s.setNotReadyAddresses(null);
        canBeAdded -= s.getAddresses().size();
      } else {
        s.setNotReadyAddresses(new ArrayList<>(notReady.subList(0, Math.min(toAdd, notReady.size()))));
        canBeAdded -= s.getNotReadyAddresses().size();
      }
    }
    return true;
  }
}
