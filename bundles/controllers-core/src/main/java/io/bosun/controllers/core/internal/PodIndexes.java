package io.bosun.controllers.core.internal;

import io.bosun.api.core.v1.Pod;
import io.bosun.client.informer.IndexFunction;
import io.bosun.client.informer.Indexer;
import java.util.List;

/**
 * The pod index this bundle's controllers share on the manager's pod informer. The name is this
 * bundle's own, so it never clashes with another bundle's index of a different meaning.
 */
public final class PodIndexes {

  /** Pods by {@code spec.nodeName}; unbound pods are not indexed. */
  public static final String BY_NODE = "io.bosun.controllers.core/spec.nodeName";

  private static final IndexFunction<Pod> BY_NODE_FUNCTION = p -> {
    String n = p.getSpec() == null ? null : p.getSpec().getNodeName();
    return n == null || n.isEmpty() ? List.of() : List.of(n);
  };

  private PodIndexes() {
  }

  /** Adds {@link #BY_NODE} (a no-op if the manager already has it). */
  public static void addByNode(Indexer<Pod> pods) {
    try {
      pods.addIndexer(BY_NODE, BY_NODE_FUNCTION);
    } catch (IllegalArgumentException e) {
      // Already there: a previous run (or another controller of this bundle) added the same function.
    }
  }

  /** The pods bound to {@code node}. */
  public static List<Pod> onNode(Indexer<Pod> pods, String node) {
    return pods.byIndex(BY_NODE, node);
  }
}
