package io.bosun.scheduler.spi;

import java.util.Set;

/**
 * What a {@link PreFilterPlugin} returns: a status and, optionally, the only nodes worth filtering
 * (upstream's {@code PreFilterResult.NodeNames}), e.g. the node named by {@code spec.nodeName}.
 * Results of several plugins are intersected. Immutable.
 *
 * @param status    null or success to continue; see {@link PreFilterPlugin#preFilter}
 * @param nodeNames the nodes to consider, or null for all nodes
 */
public record PreFilterResult(Status status, Set<String> nodeNames) {

  private static final PreFilterResult SUCCESS = new PreFilterResult(null, null);
  private static final PreFilterResult SKIP = new PreFilterResult(Status.skip(), null);

  public PreFilterResult {
    nodeNames = nodeNames == null ? null : Set.copyOf(nodeNames);
  }

  /** Success, all nodes. */
  public static PreFilterResult success() {
    return SUCCESS;
  }

  /** Skip this plugin's Filter for this pod. */
  public static PreFilterResult skip() {
    return SKIP;
  }

  /** Success, only these nodes. */
  public static PreFilterResult nodes(Set<String> nodeNames) {
    return new PreFilterResult(null, nodeNames);
  }

  /** Just a status (all nodes). */
  public static PreFilterResult of(Status status) {
    return new PreFilterResult(status, null);
  }

  /** Whether all nodes are candidates. */
  public boolean allNodes() {
    return nodeNames == null;
  }
}
