package io.bosun.scheduler.plugins.nodeports;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.ClusterEvent;
import io.bosun.scheduler.spi.ClusterEventWithHint;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.EnqueueExtensions;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.spi.FilterPlugin;
import io.bosun.scheduler.spi.HostPort;
import io.bosun.scheduler.spi.HostPorts;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.PreFilterPlugin;
import io.bosun.scheduler.spi.PreFilterResult;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.StateData;
import io.bosun.scheduler.spi.Status;
import java.util.List;

/**
 * Upstream's {@code NodePorts} plugin. PreFilter collects the host ports the pod declares (containers
 * and restartable init containers; skipped when there are none); Filter rejects a node where any of
 * them conflicts with a port in use: the same protocol and port on the same IP, or where either
 * side binds {@value HostPort#ANY_IP} ({@link Status.Code#UNSCHEDULABLE}: preempting the pod that
 * holds the port frees it). Stateless; never blocks.
 */
public final class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "NodePorts";
  /** Upstream's failure reason. */
  public static final String ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

  static final CycleState.Key<WantedPorts> KEY = CycleState.Key.of("PreFilter" + NAME, WantedPorts.class);

  /** The pod's host ports; immutable. */
  record WantedPorts(List<HostPort> ports) implements StateData {
    @Override
    public StateData copy() {
      return this;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
    List<HostPort> ports = PodInfo.of(pod).hostPorts();
    if (ports.isEmpty()) {
      return PreFilterResult.skip();
    }
    state.write(KEY, new WantedPorts(ports));
    return PreFilterResult.success();
  }

  @Override
  public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
    WantedPorts wanted = state.read(KEY);
    if (wanted == null) {
      return Status.error("reading \"" + KEY + "\" from cycleState: not found");
    }
    return fits(wanted.ports(), nodeInfo.usedPorts()) ? null : Status.unschedulable(ERR_REASON);
  }

  static boolean fits(List<HostPort> wanted, HostPorts used) {
    for (HostPort p : wanted) {
      if (used.conflicts(p)) {
        return false;
      }
    }
    return true;
  }

  /** Ports are freed when a pod holding one goes away, or a new node appears. */
  @Override
  public List<ClusterEventWithHint> eventsToRegister() {
    return List.of(
        new ClusterEventWithHint(ClusterEvent.of(EventResource.ASSIGNED_POD, ActionType.DELETE),
            (pod, oldObj, newObj) -> oldObj instanceof Pod deleted && !fits(PodInfo.of(pod).hostPorts(),
                HostPorts.EMPTY.plus(PodInfo.of(deleted).hostPorts())) ? QueueingHint.QUEUE : QueueingHint.SKIP),
        ClusterEventWithHint.of(ClusterEvent.of(EventResource.NODE, ActionType.ADD)));
  }
}
