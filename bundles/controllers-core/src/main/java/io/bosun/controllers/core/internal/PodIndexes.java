package io.bosun.controllers.core.internal;

import io.bosun.api.core.v1.Pod;
import io.bosun.client.informer.Indexer;
import io.bosun.controller.Indexes;
import java.util.List;

/**
 * The pod index this bundle's controllers use on the manager's pod informer: the manager's
 * {@link Indexes#POD_NODE_NAME}, whose function comes from the manager's bundle, so that updating
 * this bundle leaves no function of its old revision in the shared informer.
 */
public final class PodIndexes {

  /** Pods by {@code spec.nodeName}; unbound pods are not indexed. */
  public static final String BY_NODE = Indexes.POD_NODE_NAME;

  private PodIndexes() {
  }

  /** Adds {@link #BY_NODE} (a no-op if the manager already has it). */
  public static void addByNode(Indexer<Pod> pods) {
    try {
      pods.addIndexer(BY_NODE, Indexes.podNodeName());
    } catch (IllegalArgumentException e) {
      // Already there (an indexer outside the manager, as in tests, refuses a second definition).
    }
  }

  /** The pods bound to {@code node}. */
  public static List<Pod> onNode(Indexer<Pod> pods, String node) {
    return Indexes.podsOnNode(pods, node);
  }
}
