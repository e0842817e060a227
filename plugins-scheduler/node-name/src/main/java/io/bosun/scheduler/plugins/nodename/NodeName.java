package io.bosun.scheduler.plugins.nodename;

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
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.Status;
import java.util.List;

/**
 * Upstream's {@code NodeName} filter: a pod whose {@code spec.nodeName} is set fits only the node of
 * that name ({@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE} elsewhere, as preemption cannot
 * rename a node). Stateless; never blocks.
 */
public final class NodeName implements FilterPlugin, EnqueueExtensions {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "NodeName";
  /** Upstream's failure reason. */
  public static final String ERR_REASON = "node(s) didn't match the requested node name";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
    return fits(pod, nodeInfo.name()) ? null : Status.unresolvable(ERR_REASON);
  }

  /** Only the arrival of the named node can help. */
  @Override
  public List<ClusterEventWithHint> eventsToRegister() {
    return List.of(new ClusterEventWithHint(ClusterEvent.of(EventResource.NODE, ActionType.ADD),
        (pod, oldObj, newObj) -> newObj instanceof Node n && n.getMetadata() != null
            && fits(pod, n.getMetadata().getName()) ? QueueingHint.QUEUE : QueueingHint.SKIP));
  }

  private static boolean fits(Pod pod, String nodeName) {
    String wanted = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    return wanted == null || wanted.isEmpty() || wanted.equals(nodeName);
  }
}
