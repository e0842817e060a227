package io.bosun.scheduler.plugins.noderesourcesfit;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.ClusterEvent;
import io.bosun.scheduler.spi.ClusterEventWithHint;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.EnqueueExtensions;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.spi.FilterPlugin;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.PreFilterPlugin;
import io.bosun.scheduler.spi.PreFilterResult;
import io.bosun.scheduler.spi.PreScorePlugin;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.Resource;
import io.bosun.scheduler.spi.ScorePlugin;
import io.bosun.scheduler.spi.StateData;
import io.bosun.scheduler.spi.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Upstream's {@code NodeResourcesFit} plugin (default score weight 1).
 *
 * <p>PreFilter stores the pod's effective requests ({@link PodInfo#requests()}: the sum of the
 * containers and sidecars, at least the largest init-container step, plus {@code spec.overhead}).
 * Filter checks them against the node's allocatable minus what its pods request, with upstream's
 * reasons: {@code Too many pods}, {@code Insufficient cpu}, {@code Insufficient memory},
 * {@code Insufficient ephemeral-storage}, {@code Insufficient <extended resource>}. The status is
 * {@link Status.Code#UNSCHEDULABLE} (preemption may free room) unless the pod requests more of a
 * resource than the node has at all ({@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE}).
 * Extended resources named in {@code ignoredResources} or whose prefix is in
 * {@code ignoredResourceGroups} are not checked.
 *
 * <p>Score: the configured strategy over the configured resources ({@link NodeResourcesFitArgs}):
 * LeastAllocated (spreading, the default), MostAllocated (bin packing) or RequestedToCapacityRatio.
 *
 * <p>Immutable; per-pod data lives in the cycle state; never blocks.
 */
public final class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin,
    EnqueueExtensions {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "NodeResourcesFit";

  static final CycleState.Key<Requests> PRE_FILTER_KEY = CycleState.Key.of("PreFilter" + NAME, Requests.class);
  static final CycleState.Key<ScoreRequests> PRE_SCORE_KEY = CycleState.Key.of("PreScore" + NAME, ScoreRequests.class);

  /** The pod's effective requests; immutable. */
  record Requests(Resource requests) implements StateData {
    @Override
    public StateData copy() {
      return this;
    }
  }

  /** The pod's requests of the scored resources, in argument order; never modified. */
  record ScoreRequests(long[] requests) implements StateData {
    @Override
    public StateData copy() {
      return this;
    }
  }

  /** One resource the node lacks, as upstream's {@code InsufficientResource}. */
  record Insufficient(String resource, String reason, long requested, long used, long capacity, boolean unresolvable) {
  }

  private final NodeResourcesFitArgs args;
  private final ResourceAllocation scorer;

  NodeResourcesFit(NodeResourcesFitArgs args) {
    this.args = args;
    this.scorer = new ResourceAllocation(args);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
    state.write(PRE_FILTER_KEY, new Requests(PodInfo.of(pod).requests()));
    return PreFilterResult.success();
  }

  @Override
  public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
    Requests s = state.read(PRE_FILTER_KEY);
    if (s == null) {
      return Status.error("error reading \"" + PRE_FILTER_KEY + "\" from cycleState: not found");
    }
    List<Insufficient> insufficient = fitsRequest(s.requests(), nodeInfo);
    if (insufficient.isEmpty()) {
      return null;
    }
    boolean unresolvable = false;
    String[] reasons = new String[insufficient.size()];
    for (int i = 0; i < reasons.length; i++) {
      reasons[i] = insufficient.get(i).reason();
      unresolvable |= insufficient.get(i).unresolvable();
    }
    return unresolvable ? Status.unresolvable(reasons) : Status.unschedulable(reasons);
  }

  /** What {@code podRequest} lacks on {@code nodeInfo}, in upstream's order; empty if it fits. */
  List<Insufficient> fitsRequest(Resource podRequest, NodeInfo nodeInfo) {
    List<Insufficient> out = new ArrayList<>(4);
    Resource alloc = nodeInfo.allocatable();
    Resource used = nodeInfo.requested();
    long allowedPods = alloc.allowedPodNumber();
    if (nodeInfo.pods().size() + 1 > allowedPods) {
      out.add(new Insufficient(Resource.PODS, "Too many pods", 1, nodeInfo.pods().size(), allowedPods, false));
    }
    if (podRequest.isZero()) {
      return out;
    }
    check(out, Resource.CPU, "Insufficient cpu", podRequest.milliCpu(), used.milliCpu(), alloc.milliCpu());
    check(out, Resource.MEMORY, "Insufficient memory", podRequest.memory(), used.memory(), alloc.memory());
    check(out, Resource.EPHEMERAL_STORAGE, "Insufficient ephemeral-storage", podRequest.ephemeralStorage(),
        used.ephemeralStorage(), alloc.ephemeralStorage());
    for (Map.Entry<String, Long> e : podRequest.scalar().entrySet()) {
      String name = e.getKey();
      if (e.getValue() == 0 || (isExtended(name) && isIgnored(name))) {
        continue;
      }
      check(out, name, "Insufficient " + name, e.getValue(), used.get(name), alloc.get(name));
    }
    return out;
  }

  private static void check(List<Insufficient> out, String name, String reason, long request, long used, long capacity) {
    if (request > 0 && request > capacity - used) {
      out.add(new Insufficient(name, reason, request, used, capacity, request > capacity));
    }
  }

  private boolean isIgnored(String name) {
    int slash = name.indexOf('/');
    return args.ignoredResources().contains(name)
        || (slash > 0 && args.ignoredResourceGroups().contains(name.substring(0, slash)));
  }

  /** Upstream's {@code IsExtendedResourceName}: a domain-prefixed name outside kubernetes.io. */
  static boolean isExtended(String name) {
    return name.contains("/") && !name.contains("kubernetes.io/") && !name.startsWith("requests.");
  }

  @Override
  public Status preScore(CycleState state, Pod pod, List<NodeInfo> nodes) {
    state.write(PRE_SCORE_KEY, new ScoreRequests(scorer.podRequests(PodInfo.of(pod))));
    return null;
  }

  @Override
  public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
    ScoreRequests s = state.read(PRE_SCORE_KEY);
    long[] requests = s != null ? s.requests() : scorer.podRequests(PodInfo.of(pod));
    return scorer.score(nodeInfo, requests);
  }

  /**
   * A deleted pod that was bound or nominated may free room, as may a scale-down; a new or grown
   * node only if the pod fits it when empty.
   */
  @Override
  public List<ClusterEventWithHint> eventsToRegister() {
    return List.of(
        new ClusterEventWithHint(ClusterEvent.of(EventResource.POD, ActionType.DELETE), (pod, oldObj, newObj) -> {
          if (oldObj instanceof Pod deleted && deleted.getSpec() != null
              && (deleted.getSpec().getNodeName() == null || deleted.getSpec().getNodeName().isEmpty())
              && (deleted.getStatus() == null || deleted.getStatus().getNominatedNodeName() == null
                  || deleted.getStatus().getNominatedNodeName().isEmpty())) {
            return QueueingHint.SKIP;
          }
          return QueueingHint.QUEUE;
        }),
        ClusterEventWithHint.of(ClusterEvent.of(EventResource.ASSIGNED_POD, ActionType.UPDATE_POD_SCALE_DOWN)),
        new ClusterEventWithHint(ClusterEvent.of(EventResource.NODE, ActionType.ADD, ActionType.UPDATE_NODE_ALLOCATABLE),
            (pod, oldObj, newObj) -> newObj instanceof Node n
                && fitsRequest(PodInfo.of(pod).requests(), NodeInfo.of(n, List.of())).isEmpty()
                ? QueueingHint.QUEUE : QueueingHint.SKIP));
  }
}
