package io.bosun.controllers.core.node;

import io.bosun.api.coordination.v1.Lease;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeCondition;
import io.bosun.api.core.v1.NodeStatus;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.core.v1.Taint;
import io.bosun.client.ClientStatusException;
import io.bosun.client.PodClient;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.InformerScope;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.ControllerContext;
import io.bosun.controller.EventRecorder;
import io.bosun.controllers.core.internal.Handlers;
import io.bosun.controllers.core.internal.PodIndexes;
import io.bosun.controllers.core.internal.Taints;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One run of the node lifecycle controller: node health records, zone states and tainters live with it. */
final class NodeLifecycleRun {

  private static final Logger LOG = LoggerFactory.getLogger(NodeLifecycleRun.class);

  static final String NODE_LEASE_NAMESPACE = "kube-node-lease";
  static final String ZONE_LABEL = "topology.kubernetes.io/zone";
  static final String REGION_LABEL = "topology.kubernetes.io/region";
  static final String EXCLUDE_DISRUPTION_LABEL = "node.kubernetes.io/exclude-disruption";
  /** How often queued NoExecute taints are applied (upstream's NodeEvictionPeriod). */
  static final Duration TAINTING_PERIOD = Duration.ofMillis(100);

  static final Taint UNREACHABLE_NO_EXECUTE = new Taint().withKey(Taints.UNREACHABLE).withEffect(Taints.NO_EXECUTE);
  static final Taint NOT_READY_NO_EXECUTE = new Taint().withKey(Taints.NOT_READY).withEffect(Taints.NO_EXECUTE);

  /** Condition type and status to the NoSchedule taint they imply (upstream's nodeConditionToTaintKeyStatusMap). */
  private static final Map<String, Map<String, String>> CONDITION_TAINTS = Map.of(
      "Ready", Map.of("False", Taints.NOT_READY, "Unknown", Taints.UNREACHABLE),
      "MemoryPressure", Map.of("True", Taints.MEMORY_PRESSURE),
      "DiskPressure", Map.of("True", Taints.DISK_PRESSURE),
      "NetworkUnavailable", Map.of("True", Taints.NETWORK_UNAVAILABLE),
      "PIDPressure", Map.of("True", Taints.PID_PRESSURE));
  private static final Set<String> CONDITION_TAINT_KEYS = Set.of(Taints.NOT_READY, Taints.UNREACHABLE,
      Taints.MEMORY_PRESSURE, Taints.DISK_PRESSURE, Taints.NETWORK_UNAVAILABLE, Taints.PID_PRESSURE);

  enum ZoneState { INITIAL, NORMAL, FULL_DISRUPTION, PARTIAL_DISRUPTION }

  /** What was last seen of a node's heartbeats (upstream's nodeHealthData). */
  record Health(Instant probeTimestamp, Instant readyTransitionTimestamp, NodeStatus status, Instant leaseRenewTime) {}

  private final ControllerContext ctx;
  private final NodeLifecycleController.Settings settings;
  private final Clock clock;
  private final SharedIndexInformer<Node> nodes;
  private final SharedIndexInformer<Pod> pods;
  private final SharedIndexInformer<Lease> leases;
  private final ResourceClient<Node> nodeClient;
  private final PodClient podClient;
  private final EventRecorder recorder;
  private final WorkQueue<String> nodeUpdateQueue;
  private final WorkQueue<String> podUpdateQueue;
  private final Map<String, Health> health = new ConcurrentHashMap<>();
  private final Map<String, Node> knownNodes = new HashMap<>();
  private final Map<String, ZoneState> zoneStates = new ConcurrentHashMap<>();
  private final Map<String, ZoneTainter> tainters = new ConcurrentHashMap<>();
  private final Set<String> nodesToRetry = ConcurrentHashMap.newKeySet();

  NodeLifecycleRun(ControllerContext ctx, NodeLifecycleController.Settings settings) {
    this.ctx = ctx;
    this.settings = settings;
    this.clock = ctx.clock();
    this.nodes = ctx.informer(Node.class);
    this.pods = ctx.informer(Pod.class);
    this.leases = ctx.informer(Lease.class, InformerScope.namespace(NODE_LEASE_NAMESPACE));
    this.nodeClient = ctx.client().resources(Node.class);
    this.podClient = ctx.client().pods();
    this.recorder = ctx.eventRecorder();
    this.nodeUpdateQueue = ctx.workQueue("node_lifecycle_controller");
    this.podUpdateQueue = ctx.workQueue("node_lifecycle_controller_pods");
  }

  void run() throws Exception {
    PodIndexes.addByNode(pods.indexer());
    nodes.addEventHandler(Handlers.of(n -> nodeUpdateQueue.add(n.getMetadata().getName()),
        (o, n) -> nodeUpdateQueue.add(n.getMetadata().getName()), null));
    pods.addEventHandler(Handlers.of(p -> podUpdated(null, p), this::podUpdated, null));
    if (!ctx.waitForCacheSync(nodes, pods, leases)) {
      return;
    }
    start(() -> {
      try {
        ctx.runWorkers(podUpdateQueue, Math.max(1, ctx.workers() / 2), this::processPod);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    start(() -> loop(TAINTING_PERIOD, this::doNoExecuteTaintingPass));
    start(() -> loop(settings.monitorPeriod(), this::monitorNodeHealth));
    ctx.runWorkers(nodeUpdateQueue, ctx.workers(), this::doNoScheduleTaintingPass);
  }

  private void start(Runnable r) {
    ctx.threadFactory().newThread(r).start();
  }

  /** Runs {@code step} every {@code period} until the run stops; a failing step is logged and retried next period. */
  private void loop(Duration period, Step step) {
    try {
      while (!ctx.isStopped()) {
        try {
          step.run();
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          LOG.warn("node lifecycle: {} failed", step, e);
        }
        if (ctx.awaitStop(period)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @FunctionalInterface
  private interface Step {
    void run() throws InterruptedException;
  }

  private void podUpdated(Pod old, Pod pod) {
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    if (node != null && !node.isEmpty() && (old == null || !node.equals(old.getSpec().getNodeName()))) {
      podUpdateQueue.add(Keys.of(pod));
    }
  }

  /** A newly bound pod on a node that is not ready is marked not ready right away. */
  private void processPod(String key) {
    Pod pod = pods.indexer().getByKey(key).orElse(null);
    if (pod == null) {
      return;
    }
    String nodeName = pod.getSpec().getNodeName();
    Health h = health.get(nodeName);
    if (h == null) {
      return;
    }
    NodeCondition ready = condition(h.status(), "Ready");
    if (ready == null) {
      return;
    }
    if (!"True".equals(ready.getStatus())) {
      markPodsNotReady(List.of(pod), nodeName);
    }
  }

  // ------------------------------------------------------------------ health

  /** Upstream's monitorNodeHealth: one pass over every node. */
  private void monitorNodeHealth() throws InterruptedException {
    List<Node> all = nodes.indexer().list();
    Map<String, Node> current = new HashMap<>();
    all.forEach(n -> current.put(n.getMetadata().getName(), n));
    for (Node n : all) {
      String zone = zoneKey(n);
      tainters.computeIfAbsent(zone, z -> {
        zoneStates.put(z, ZoneState.INITIAL);
        return new ZoneTainter(settings.evictionRate());
      });
      if (!knownNodes.containsKey(n.getMetadata().getName())) {
        recorder.eventf(n, EventRecorder.NORMAL, "RegisteredNode", "Registered Node %s in Controller", n.getMetadata().getName());
        knownNodes.put(n.getMetadata().getName(), n);
        markNodeAsReachable(n);
      }
    }
    for (String name : List.copyOf(knownNodes.keySet())) {
      if (!current.containsKey(name)) {
        Node gone = knownNodes.remove(name);
        recorder.eventf(gone, EventRecorder.NORMAL, "RemovingNode", "Removing Node %s from Controller", name);
        health.remove(name);
        tainters.values().forEach(t -> t.remove(name));
      }
    }
    Map<String, List<NodeCondition>> zoneConditions = new ConcurrentHashMap<>();
    try (ExecutorService pool = Executors.newThreadPerTaskExecutor(ctx.threadFactory())) {
      List<Future<?>> futures = new ArrayList<>();
      for (Node n : all) {
        futures.add(pool.submit(() -> updateNode(n.deepCopy(), zoneConditions)));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          LOG.warn("node lifecycle: updating node health failed", e.getCause());
        }
      }
    }
    handleDisruption(zoneConditions, all);
  }

  private void updateNode(Node node, Map<String, List<NodeCondition>> zoneConditions) {
    Result r = null;
    for (int attempt = 0; attempt < 5 && r == null; attempt++) {
      try {
        r = tryUpdateNodeHealth(node);
      } catch (ClientStatusException e) {
        if (e.isNotFound()) {
          return;
        }
        Node fresh = nodeClient.get(null, node.getMetadata().getName()).orElse(null);
        if (fresh == null) {
          return;
        }
        node = fresh;
      }
    }
    if (r == null) {
      LOG.warn("Update health of Node {} from Controller error, Skipping - no pods will be evicted", node.getMetadata().getName());
      return;
    }
    if (!excludedFromDisruptionChecks(node)) {
      zoneConditions.computeIfAbsent(zoneKey(node), z -> java.util.Collections.synchronizedList(new ArrayList<>()))
          .add(r.current());
    }
    if (r.current() == null) {
      return;
    }
    String name = node.getMetadata().getName();
    processTaintBaseEviction(node, r.observed());
    boolean wasReady = "True".equals(r.observed().getStatus());
    boolean isReady = "True".equals(r.current().getStatus());
    boolean needsRetry = nodesToRetry.contains(name);
    if (!isReady && (wasReady || needsRetry)) {
      if (wasReady) {
        recorder.eventf(node, EventRecorder.NORMAL, "NodeNotReady", "Node %s status is now: NodeNotReady", name);
      }
      if (!markPodsNotReady(PodIndexes.onNode(pods.indexer(), name), name)) {
        nodesToRetry.add(name);
        return;
      }
    }
    nodesToRetry.remove(name);
  }

  /**
   * @param observed the Ready condition as the node had it (a made-up Unknown one if none)
   * @param current  the Ready condition after this pass (null if the node has none)
   */
  private record Result(NodeCondition observed, NodeCondition current) {}

  /** Upstream's tryUpdateNodeHealth. */
  private Result tryUpdateNodeHealth(Node node) {
    String name = node.getMetadata().getName();
    Instant now = clock.instant();
    Health h = health.get(name);
    NodeStatus status = node.getStatus() == null ? new NodeStatus() : node.getStatus();
    if (node.getStatus() == null) {
      node.setStatus(status);
    }
    NodeCondition currentReady = condition(status, "Ready");
    NodeCondition observed;
    Duration grace;
    Instant created = node.getMetadata().getCreationTimestamp() == null ? now : node.getMetadata().getCreationTimestamp();
    if (currentReady == null) {
      // Never posted: a made-up Unknown condition since creation, with the startup grace period.
      observed = new NodeCondition().withType("Ready").withStatus("Unknown").withLastHeartbeatTime(created)
          .withLastTransitionTime(created);
      grace = settings.startupGracePeriod();
      h = h != null ? new Health(h.probeTimestamp(), h.readyTransitionTimestamp(), status.deepCopy(), h.leaseRenewTime())
          : new Health(created, created, status.deepCopy(), null);
    } else {
      observed = currentReady.deepCopy();
      grace = settings.gracePeriod();
    }
    NodeCondition saved = h == null ? null : condition(h.status(), "Ready");
    Instant savedLease = h == null ? null : h.leaseRenewTime();
    if (h == null) {
      h = new Health(now, now, status.deepCopy(), null);
    } else if (saved == null && currentReady != null) {
      h = new Health(now, now, status.deepCopy(), null);
    } else if (saved != null && currentReady == null) {
      h = new Health(now, now, status.deepCopy(), null);
    } else if (saved != null && !Objects.equals(saved.getLastHeartbeatTime(), currentReady.getLastHeartbeatTime())) {
      // A new heartbeat in the status; a new transition time means Ready changed.
      Instant transition = Objects.equals(saved.getLastTransitionTime(), currentReady.getLastTransitionTime())
          ? h.readyTransitionTimestamp() : now;
      h = new Health(now, transition, status.deepCopy(), null);
    }
    // The probe is when this controller saw a heartbeat, not the heartbeat's own time: no clock skew.
    Lease lease = leases.indexer().get(NODE_LEASE_NAMESPACE, name).orElse(null);
    Instant renew = lease == null || lease.getSpec() == null ? null : lease.getSpec().getRenewTime();
    if (renew != null && (savedLease == null || savedLease.isBefore(renew))) {
      h = new Health(now, h.readyTransitionTimestamp(), h.status(), renew);
    } else if (savedLease != null && h.leaseRenewTime() == null) {
      h = new Health(h.probeTimestamp(), h.readyTransitionTimestamp(), h.status(), savedLease);
    }
    health.put(name, h);
    if (now.isAfter(h.probeTimestamp().plus(grace))) {
      List<NodeCondition> conditions = status.getConditions() == null ? new ArrayList<>() : new ArrayList<>(status.getConditions());
      for (String type : List.of("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")) {
        NodeCondition c = conditions.stream().filter(x -> type.equals(x.getType())).findFirst().orElse(null);
        if (c == null) {
          conditions.add(new NodeCondition().withType(type).withStatus("Unknown").withReason("NodeStatusNeverUpdated")
              .withMessage("Kubelet never posted node status.").withLastHeartbeatTime(created).withLastTransitionTime(now));
        } else if (!"Unknown".equals(c.getStatus())) {
          conditions.set(conditions.indexOf(c), c.deepCopy().withStatus("Unknown").withReason("NodeStatusUnknown")
              .withMessage("Kubelet stopped posting node status.").withLastTransitionTime(now));
        }
      }
      status.setConditions(conditions);
      currentReady = condition(status, "Ready");
      if (!sameCondition(currentReady, observed)) {
        Node updated = nodeClient.updateStatus(node);
        health.put(name, new Health(h.probeTimestamp(), now, updated.getStatus() == null ? status : updated.getStatus(),
            h.leaseRenewTime() != null ? h.leaseRenewTime() : renew));
        LOG.info("node {} not heard from for more than {}: Ready is now Unknown", name, grace);
      }
    }
    return new Result(observed, currentReady);
  }

  private static boolean sameCondition(NodeCondition a, NodeCondition b) {
    return Objects.equals(a.getStatus(), b.getStatus()) && Objects.equals(a.getReason(), b.getReason())
        && Objects.equals(a.getMessage(), b.getMessage()) && Objects.equals(a.getLastTransitionTime(), b.getLastTransitionTime())
        && Objects.equals(a.getLastHeartbeatTime(), b.getLastHeartbeatTime());
  }

  /** Sets Ready=False on the pods of an unhealthy node (upstream's MarkPodsNotReady); returns whether all succeeded. */
  private boolean markPodsNotReady(List<Pod> list, String nodeName) {
    boolean ok = true;
    for (Pod p : list) {
      if (!nodeName.equals(p.getSpec().getNodeName()) || p.getStatus() == null || p.getStatus().getConditions() == null) {
        continue;
      }
      PodCondition ready = p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
      if (ready == null || "False".equals(ready.getStatus())) {
        continue;
      }
      Pod copy = p.deepCopy();
      List<PodCondition> conditions = new ArrayList<>(copy.getStatus().getConditions());
      conditions.replaceAll(c -> "Ready".equals(c.getType())
          ? c.deepCopy().withStatus("False").withLastTransitionTime(clock.instant()) : c);
      copy.getStatus().setConditions(conditions);
      try {
        podClient.updateStatus(copy);
        recorder.event(copy, EventRecorder.WARNING, "NodeNotReady", "Node is not ready");
      } catch (ClientStatusException e) {
        if (!e.isNotFound()) {
          LOG.info("Failed to update status for pod {}: {}", Keys.of(p), e.getMessage());
          ok = false;
        }
      }
    }
    return ok;
  }

  // ------------------------------------------------------------------ taints

  /** Queues or swaps the NoExecute taint for the node's observed Ready state; removes both when Ready. */
  private void processTaintBaseEviction(Node node, NodeCondition observed) {
    List<Taint> taints = Taints.of(node);
    String zone = zoneKey(node);
    ZoneTainter tainter = tainters.get(zone);
    switch (String.valueOf(observed.getStatus())) {
      case "False" -> {
        if (Taints.has(taints, Taints.UNREACHABLE, Taints.NO_EXECUTE)) {
          swap(node, NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE);
        } else if (tainter != null && !Taints.has(taints, Taints.NOT_READY, Taints.NO_EXECUTE)) {
          tainter.add(node.getMetadata().getName(), clock.instant());
        }
      }
      case "Unknown" -> {
        if (Taints.has(taints, Taints.NOT_READY, Taints.NO_EXECUTE)) {
          swap(node, UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE);
        } else if (tainter != null && !Taints.has(taints, Taints.UNREACHABLE, Taints.NO_EXECUTE)) {
          tainter.add(node.getMetadata().getName(), clock.instant());
        }
      }
      case "True" -> markNodeAsReachable(node);
      default -> { }
    }
  }

  private boolean swap(Node node, Taint add, Taint remove) {
    return Taints.swap(nodeClient, node.getMetadata().getName(), List.of(add), List.of(remove), clock.instant());
  }

  /** Removes both NoExecute taints and any queued tainting. */
  private void markNodeAsReachable(Node node) {
    tainters.values().forEach(t -> t.remove(node.getMetadata().getName()));
    List<Taint> taints = Taints.of(node);
    if (Taints.has(taints, Taints.UNREACHABLE, Taints.NO_EXECUTE) || Taints.has(taints, Taints.NOT_READY, Taints.NO_EXECUTE)) {
      Taints.swap(nodeClient, node.getMetadata().getName(), List.of(), List.of(UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE),
          clock.instant());
    }
  }

  /** Applies queued NoExecute taints, each zone at its rate (upstream's doNoExecuteTaintingPass). */
  private void doNoExecuteTaintingPass() {
    for (ZoneTainter tainter : tainters.values()) {
      tainter.tryProcess(clock.instant(), name -> {
        Node node = nodes.indexer().get(null, name).orElse(null);
        if (node == null) {
          return true;
        }
        NodeCondition ready = condition(node.getStatus(), "Ready");
        if (ready == null) {
          return true;
        }
        return switch (String.valueOf(ready.getStatus())) {
          case "False" -> swap(node, NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE);
          case "Unknown" -> swap(node, UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE);
          // Ready again meanwhile: nothing to taint.
          default -> true;
        };
      });
    }
  }

  /** NoSchedule taints matching the node's conditions and unschedulable flag (upstream's doNoScheduleTaintingPass). */
  private void doNoScheduleTaintingPass(String name) {
    Node node = nodes.indexer().get(null, name).orElse(null);
    if (node == null) {
      return;
    }
    List<Taint> want = new ArrayList<>();
    if (node.getStatus() != null && node.getStatus().getConditions() != null) {
      for (NodeCondition c : node.getStatus().getConditions()) {
        String key = CONDITION_TAINTS.getOrDefault(c.getType(), Map.of()).get(c.getStatus());
        if (key != null) {
          want.add(new Taint().withKey(key).withEffect(Taints.NO_SCHEDULE));
        }
      }
    }
    if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
      want.add(new Taint().withKey(Taints.UNSCHEDULABLE).withEffect(Taints.NO_SCHEDULE));
    }
    List<Taint> have = Taints.of(node).stream().filter(t -> Taints.NO_SCHEDULE.equals(t.getEffect())
        && (Taints.UNSCHEDULABLE.equals(t.getKey()) || CONDITION_TAINT_KEYS.contains(t.getKey()))).toList();
    List<Taint> add = want.stream().filter(w -> !Taints.has(have, w.getKey(), w.getEffect())).toList();
    List<Taint> remove = have.stream().filter(t -> !Taints.has(want, t.getKey(), t.getEffect())).toList();
    if (add.isEmpty() && remove.isEmpty()) {
      return;
    }
    if (!Taints.swap(nodeClient, name, add, remove, clock.instant())) {
      throw new IllegalStateException("failed to swap taints of node " + name);
    }
  }

  // ------------------------------------------------------------------ disruption

  /** Upstream's handleDisruption: zone states set the tainting rates; all zones down stops tainting. */
  private void handleDisruption(Map<String, List<NodeCondition>> zoneConditions, List<Node> all) {
    Map<String, ZoneState> newStates = new HashMap<>();
    boolean allAreFullyDisrupted = true;
    for (var e : zoneConditions.entrySet()) {
      ZoneState s = computeZoneState(e.getValue());
      if (s != ZoneState.FULL_DISRUPTION) {
        allAreFullyDisrupted = false;
      }
      newStates.put(e.getKey(), s);
      zoneStates.putIfAbsent(e.getKey(), ZoneState.INITIAL);
    }
    boolean allWasFullyDisrupted = true;
    for (var e : List.copyOf(zoneStates.entrySet())) {
      if (!zoneConditions.containsKey(e.getKey())) {
        zoneStates.remove(e.getKey());
        continue;
      }
      if (e.getValue() != ZoneState.FULL_DISRUPTION) {
        allWasFullyDisrupted = false;
        break;
      }
    }
    if (allAreFullyDisrupted && allWasFullyDisrupted) {
      return;
    }
    if (allAreFullyDisrupted) {
      LOG.info("Controller detected that all Nodes are not-Ready. Entering master disruption mode");
      all.forEach(this::markNodeAsReachable);
      for (String zone : zoneStates.keySet()) {
        tainter(zone).swapRate(0);
        zoneStates.put(zone, ZoneState.FULL_DISRUPTION);
      }
      return;
    }
    if (allWasFullyDisrupted) {
      LOG.info("Controller detected that some Nodes are Ready. Exiting master disruption mode");
      Instant now = clock.instant();
      for (Node n : all) {
        health.computeIfPresent(n.getMetadata().getName(), (k, h) -> new Health(now, now, h.status(), h.leaseRenewTime()));
      }
      for (String zone : List.copyOf(zoneStates.keySet())) {
        ZoneState s = newStates.getOrDefault(zone, ZoneState.NORMAL);
        setRate(zone, zoneConditions.getOrDefault(zone, List.of()).size(), s);
        zoneStates.put(zone, s);
      }
      return;
    }
    for (var e : List.copyOf(zoneStates.entrySet())) {
      ZoneState s = newStates.get(e.getKey());
      if (s == null || s == e.getValue()) {
        continue;
      }
      LOG.info("Controller detected that zone {} is now in state {}", e.getKey(), s);
      setRate(e.getKey(), zoneConditions.get(e.getKey()).size(), s);
      zoneStates.put(e.getKey(), s);
    }
  }

  private ZoneTainter tainter(String zone) {
    return tainters.computeIfAbsent(zone, z -> new ZoneTainter(settings.evictionRate()));
  }

  private void setRate(String zone, int size, ZoneState state) {
    switch (state) {
      case NORMAL, FULL_DISRUPTION -> tainter(zone).swapRate(settings.evictionRate());
      case PARTIAL_DISRUPTION -> tainter(zone).swapRate(size > settings.largeClusterThreshold()
          ? settings.secondaryEvictionRate() : 0);
      default -> { }
    }
  }

  private ZoneState computeZoneState(List<NodeCondition> conditions) {
    int ready = 0;
    int notReady = 0;
    for (NodeCondition c : conditions) {
      if (c != null && "True".equals(c.getStatus())) {
        ready++;
      } else {
        notReady++;
      }
    }
    if (ready == 0 && notReady > 0) {
      return ZoneState.FULL_DISRUPTION;
    }
    if (notReady > 2 && (double) notReady / (notReady + ready) >= settings.unhealthyZoneThreshold()) {
      return ZoneState.PARTIAL_DISRUPTION;
    }
    return ZoneState.NORMAL;
  }

  // ------------------------------------------------------------------ helpers

  static NodeCondition condition(NodeStatus status, String type) {
    if (status == null || status.getConditions() == null) {
      return null;
    }
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  /** Upstream's GetZoneKey: region and zone labels, "" when neither is set. */
  static String zoneKey(Node node) {
    Map<String, String> l = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    String region = l.getOrDefault(REGION_LABEL, l.getOrDefault("failure-domain.beta.kubernetes.io/region", ""));
    String zone = l.getOrDefault(ZONE_LABEL, l.getOrDefault("failure-domain.beta.kubernetes.io/zone", ""));
    return region.isEmpty() && zone.isEmpty() ? "" : region + ":\u0000:" + zone;
  }

  private static boolean excludedFromDisruptionChecks(Node node) {
    return node.getMetadata().getLabels() != null && node.getMetadata().getLabels().containsKey(EXCLUDE_DISRUPTION_LABEL);
  }
}
