package io.bosun.scheduler.spi.example;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.ClusterEvent;
import io.bosun.scheduler.spi.ClusterEventWithHint;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.EnqueueExtensions;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.spi.FilterPlugin;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.ScorePlugin;
import io.bosun.scheduler.spi.Status;
import java.util.List;
import java.util.Map;

/**
 * A vendor's example plugin, built against the SPI and the API model only. Filter: a node must
 * carry the label {@code requiredLabel} (any value) when that argument is set. Score: a node whose
 * label {@code preferredLabel} equals {@code preferredValue} scores {@link #MAX_NODE_SCORE}, others 0.
 * Stateless, so trivially thread-safe; it never blocks.
 */
public final class NodeLabelPlugin implements FilterPlugin, ScorePlugin, EnqueueExtensions {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "ExampleNodeLabel";

  private final String requiredLabel;
  private final String preferredLabel;
  private final String preferredValue;

  NodeLabelPlugin(String requiredLabel, String preferredLabel, String preferredValue) {
    this.requiredLabel = requiredLabel;
    this.preferredLabel = preferredLabel;
    this.preferredValue = preferredValue;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
    if (requiredLabel == null || labels(nodeInfo).containsKey(requiredLabel)) {
      return null; // null is success
    }
    // Preemption cannot add a label: unresolvable on this node.
    return Status.unresolvable("node(s) didn't have label " + requiredLabel);
  }

  @Override
  public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
    if (preferredLabel == null) {
      return MIN_NODE_SCORE;
    }
    return preferredValue != null && preferredValue.equals(labels(nodeInfo).get(preferredLabel))
        ? MAX_NODE_SCORE : MIN_NODE_SCORE;
  }

  /** A pod this plugin rejected can only fit once a node is added or relabelled. */
  @Override
  public List<ClusterEventWithHint> eventsToRegister() {
    return List.of(ClusterEventWithHint.of(
        ClusterEvent.of(EventResource.NODE, ActionType.ADD, ActionType.UPDATE_NODE_LABEL)));
  }

  private static Map<String, String> labels(NodeInfo nodeInfo) {
    var meta = nodeInfo.node().getMetadata();
    return meta == null || meta.getLabels() == null ? Map.of() : meta.getLabels();
  }
}
