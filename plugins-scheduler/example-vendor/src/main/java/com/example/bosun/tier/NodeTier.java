package com.example.bosun.tier;

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
import io.bosun.scheduler.spi.PreFilterPlugin;
import io.bosun.scheduler.spi.PreFilterResult;
import io.bosun.scheduler.spi.PreScorePlugin;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.ScorePlugin;
import io.bosun.scheduler.spi.StateData;
import io.bosun.scheduler.spi.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A vendor's plugin: nodes carry a tier label ({@code example.com/tier: gold}); pods go to the most
 * preferred tier that fits, and with {@code requireTier} only to tiered nodes.
 *
 * <ul>
 *   <li><b>PreFilter / PreScore</b> work out the pod's tier order once per scheduling cycle (the
 *       profile's {@code tiers}, or the pod's annotation {@value #POD_ANNOTATION}, e.g.
 *       {@code "silver,gold"}) and keep it in the {@link CycleState}: Filter and Score run
 *       concurrently for many nodes and must not recompute or keep per-pod data in fields.
 *       Without {@code requireTier}, PreFilter returns Skip, so Filter does not run at all.</li>
 *   <li><b>Filter</b> (only with {@code requireTier}): a node whose tier is not in the pod's list is
 *       {@code UNSCHEDULABLE_AND_UNRESOLVABLE} (preemption cannot relabel a node).</li>
 *   <li><b>Score</b>: the first tier scores 100, the last {@code 100/n}, untiered nodes 0;
 *       already in range, so no NormalizeScore.</li>
 *   <li><b>EnqueueExtensions</b>: a pod it rejected is retried only when a node of one of its
 *       tiers is added or relabelled (a queueing hint), not on every node event.</li>
 * </ul>
 *
 * Immutable and stateless apart from its arguments: thread-safe, never blocks.
 */
public final class NodeTier implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "NodeTier";
  /** A pod's own tier order, comma-separated, most preferred first (overrides the profile's). */
  public static final String POD_ANNOTATION = "example.com/tiers";

  /** The pod's tier order for this cycle. Immutable, so {@link #copy()} may return itself. */
  record Preference(List<String> tiers) implements StateData {
    @Override
    public StateData copy() {
      return this;
    }

    /** 0 for the most preferred tier, -1 if {@code tier} is not wanted. */
    int rank(String tier) {
      return tier == null ? -1 : tiers.indexOf(tier);
    }
  }

  /** Named after the plugin, as upstream names its state keys. */
  static final CycleState.Key<Preference> KEY = CycleState.Key.of("PreFilter" + NAME, Preference.class);

  private final NodeTierArgs args;

  NodeTier(NodeTierArgs args) {
    this.args = args;
  }

  @Override
  public String name() {
    return NAME;
  }

  NodeTierArgs args() {
    return args;
  }

  @Override
  public PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
    state.write(KEY, preference(pod));
    return args.requireTier() ? PreFilterResult.success() : PreFilterResult.skip();
  }

  @Override
  public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
    Preference p = state.read(KEY);
    if (p == null) {
      return Status.error(NAME + ": PreFilter state missing (enable PreFilter with Filter)");
    }
    if (p.rank(tierOf(nodeInfo.node())) >= 0) {
      return null; // null is success
    }
    return Status.unresolvable("node(s) didn't have a tier in " + p.tiers());
  }

  @Override
  public Status preScore(CycleState state, Pod pod, List<NodeInfo> nodes) {
    if (state.read(KEY) == null) {
      state.write(KEY, preference(pod)); // PreFilter may be disabled in a profile that only scores
    }
    return null;
  }

  @Override
  public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
    Preference p = state.read(KEY);
    if (p == null) {
      throw new IllegalStateException(NAME + ": PreScore state missing");
    }
    int rank = p.rank(tierOf(nodeInfo.node()));
    if (rank < 0) {
      return MIN_NODE_SCORE;
    }
    int n = p.tiers().size();
    return MAX_NODE_SCORE * (n - rank) / n;
  }

  /** Only a node of one of the pod's tiers appearing can help a pod this plugin rejected. */
  @Override
  public List<ClusterEventWithHint> eventsToRegister() {
    return List.of(new ClusterEventWithHint(
        ClusterEvent.of(EventResource.NODE, ActionType.ADD, ActionType.UPDATE_NODE_LABEL),
        (pod, oldObj, newObj) -> newObj instanceof Node n && preference(pod).rank(tierOf(n)) >= 0
            ? QueueingHint.QUEUE : QueueingHint.SKIP));
  }

  /** The pod's annotation if it names any tier, else the profile's tiers. */
  Preference preference(Pod pod) {
    Map<String, String> annotations = pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
    String own = annotations == null ? null : annotations.get(POD_ANNOTATION);
    if (own != null) {
      List<String> tiers = new ArrayList<>();
      for (String t : own.split(",")) {
        String tier = t.strip();
        if (!tier.isEmpty() && !tiers.contains(tier)) {
          tiers.add(tier);
        }
      }
      if (!tiers.isEmpty()) {
        return new Preference(List.copyOf(tiers));
      }
    }
    return new Preference(args.tiers());
  }

  private String tierOf(Node node) {
    Map<String, String> labels = node.getMetadata() == null ? null : node.getMetadata().getLabels();
    return labels == null ? null : labels.get(args.labelKey());
  }
}
