package io.bosun.scheduler.plugins.tainttoleration;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Taint;
import io.bosun.api.core.v1.Toleration;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.ClusterEvent;
import io.bosun.scheduler.spi.ClusterEventWithHint;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.EnqueueExtensions;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.spi.FilterPlugin;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.NodeScores;
import io.bosun.scheduler.spi.PreScorePlugin;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.ScoreExtensions;
import io.bosun.scheduler.spi.ScorePlugin;
import io.bosun.scheduler.spi.StateData;
import io.bosun.scheduler.spi.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * Upstream's {@code TaintToleration} plugin (default score weight 3).
 *
 * <p>Filter: the first {@code NoSchedule} or {@code NoExecute} taint of the node that no toleration
 * of the pod tolerates rejects it with {@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE} and the
 * reason {@code node(s) had untolerated taint {key: value}}.
 *
 * <p>Score: the number of {@code PreferNoSchedule} taints the pod's tolerations without effect or
 * with effect {@code PreferNoSchedule} do not tolerate; normalized in reverse (the node with the
 * most such taints scores 0, nodes with none 100).
 *
 * <p>Stateless (per-pod data lives in the cycle state); never blocks.
 */
public final class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, ScoreExtensions,
    EnqueueExtensions {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "TaintToleration";

  static final CycleState.Key<PreferNoScheduleTolerations> KEY =
      CycleState.Key.of("PreScore" + NAME, PreferNoScheduleTolerations.class);

  /** The pod's tolerations that can tolerate a PreferNoSchedule taint; immutable. */
  record PreferNoScheduleTolerations(List<Toleration> tolerations) implements StateData {
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
  public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
    Taint taint = Tolerations.firstUntoleratedDoNotSchedule(taints(nodeInfo.node()), tolerations(pod));
    if (taint == null) {
      return null;
    }
    return Status.unresolvable("node(s) had untolerated taint {" + taint.getKey() + ": "
        + (taint.getValue() == null ? "" : taint.getValue()) + "}");
  }

  @Override
  public Status preScore(CycleState state, Pod pod, List<NodeInfo> nodes) {
    state.write(KEY, new PreferNoScheduleTolerations(preferNoScheduleTolerations(tolerations(pod))));
    return null;
  }

  @Override
  public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
    PreferNoScheduleTolerations s = state.read(KEY);
    List<Toleration> tolerations = s != null ? s.tolerations() : preferNoScheduleTolerations(tolerations(pod));
    long intolerable = 0;
    for (Taint taint : taints(nodeInfo.node())) {
      if (Tolerations.PREFER_NO_SCHEDULE.equals(taint.getEffect()) && !Tolerations.anyTolerates(tolerations, taint)) {
        intolerable++;
      }
    }
    return intolerable;
  }

  @Override
  public ScoreExtensions scoreExtensions() {
    return this;
  }

  /** Upstream's {@code DefaultNormalizeScore(MaxNodeScore, reverse=true)}. */
  @Override
  public Status normalizeScore(CycleState state, Pod pod, NodeScores scores) {
    long max = 0;
    for (int i = 0; i < scores.size(); i++) {
      max = Math.max(max, scores.score(i));
    }
    for (int i = 0; i < scores.size(); i++) {
      scores.setScore(i, max == 0 ? MAX_NODE_SCORE : MAX_NODE_SCORE - MAX_NODE_SCORE * scores.score(i) / max);
    }
    return null;
  }

  /** A node whose taints changed or a new node, or new tolerations of the pod, may help. */
  @Override
  public List<ClusterEventWithHint> eventsToRegister() {
    return List.of(
        new ClusterEventWithHint(ClusterEvent.of(EventResource.NODE, ActionType.ADD, ActionType.UPDATE_NODE_TAINT),
            (pod, oldObj, newObj) -> newObj instanceof Node n
                && Tolerations.firstUntoleratedDoNotSchedule(taints(n), tolerations(pod)) == null
                ? QueueingHint.QUEUE : QueueingHint.SKIP),
        ClusterEventWithHint.of(ClusterEvent.of(EventResource.UNSCHEDULED_POD, ActionType.UPDATE_POD_TOLERATIONS)));
  }

  /** Tolerations with an empty effect (all effects) or {@code PreferNoSchedule}. */
  static List<Toleration> preferNoScheduleTolerations(List<Toleration> tolerations) {
    List<Toleration> out = new ArrayList<>();
    for (Toleration t : tolerations) {
      if (t.getEffect() == null || t.getEffect().isEmpty() || Tolerations.PREFER_NO_SCHEDULE.equals(t.getEffect())) {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }

  private static List<Taint> taints(Node node) {
    return node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
  }

  private static List<Toleration> tolerations(Pod pod) {
    return pod.getSpec() == null || pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
  }
}
