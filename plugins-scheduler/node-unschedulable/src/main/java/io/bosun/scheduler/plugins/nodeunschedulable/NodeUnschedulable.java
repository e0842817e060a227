package io.bosun.scheduler.plugins.nodeunschedulable;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Taint;
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
 * Upstream's {@code NodeUnschedulable} filter: a node with {@code spec.unschedulable: true}
 * (cordoned) rejects every pod that does not tolerate the taint
 * {@value #TAINT_NODE_UNSCHEDULABLE}{@code :NoSchedule}
 * ({@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE}). Stateless; never blocks.
 */
public final class NodeUnschedulable implements FilterPlugin, EnqueueExtensions {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "NodeUnschedulable";
  /** Upstream's failure reason. */
  public static final String ERR_REASON = "node(s) were unschedulable";
  /** The taint key a pod tolerates to run on cordoned nodes. */
  public static final String TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
    return fits(pod, nodeInfo.node()) ? null : Status.unresolvable(ERR_REASON);
  }

  /** A new or uncordoned node, or a pod that gained the toleration, may help. */
  @Override
  public List<ClusterEventWithHint> eventsToRegister() {
    return List.of(
        new ClusterEventWithHint(ClusterEvent.of(EventResource.NODE, ActionType.ADD, ActionType.UPDATE_NODE_TAINT),
            (pod, oldObj, newObj) -> newObj instanceof Node n && fits(pod, n) ? QueueingHint.QUEUE : QueueingHint.SKIP),
        ClusterEventWithHint.of(ClusterEvent.of(EventResource.UNSCHEDULED_POD, ActionType.UPDATE_POD_TOLERATIONS)));
  }

  private static boolean fits(Pod pod, Node node) {
    if (node.getSpec() == null || !Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
      return true;
    }
    // A fresh taint per call: model objects are mutable, so none is shared.
    Taint unschedulable = new Taint().withKey(TAINT_NODE_UNSCHEDULABLE).withEffect(Tolerations.NO_SCHEDULE);
    return Tolerations.anyTolerates(pod.getSpec() == null ? null : pod.getSpec().getTolerations(), unschedulable);
  }
}
