package io.bosun.scheduler.cache;

import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.NodeInfoLister;
import io.bosun.scheduler.spi.SharedLister;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nodes and pods as one scheduling cycle sees them, as upstream's {@code cache.Snapshot}:
 * immutable node infos of every node the cache knows (with assumed pods), in the cache's node
 * order. Immutable and thread-safe.
 *
 * <p>Built incrementally: while the set of nodes stays the same, a new snapshot shares the node
 * index with the previous one and copies only the array of node infos, replacing the changed
 * ones, so a cycle on 5000 nodes pays a few microseconds, not a rebuild.
 */
public final class Snapshot implements SharedLister, NodeInfoLister {

  /** No nodes. */
  public static final Snapshot EMPTY = new Snapshot(new NodeInfo[0], Map.of(), List.of(), List.of(), 0);

  private final NodeInfo[] nodes;
  private final List<NodeInfo> list;
  private final Map<String, Integer> index;
  private final List<NodeInfo> withAffinity;
  private final List<NodeInfo> withRequiredAntiAffinity;
  private final long generation;
  private volatile Set<String> claims;

  private Snapshot(NodeInfo[] nodes, Map<String, Integer> index, List<NodeInfo> withAffinity,
      List<NodeInfo> withRequiredAntiAffinity, long generation) {
    this.nodes = nodes;
    this.list = Collections.unmodifiableList(Arrays.asList(nodes));
    this.index = index;
    this.withAffinity = withAffinity;
    this.withRequiredAntiAffinity = withRequiredAntiAffinity;
    this.generation = generation;
  }

  /** A snapshot of exactly these nodes. */
  static Snapshot full(List<NodeInfo> nodes, long generation) {
    NodeInfo[] arr = nodes.toArray(NodeInfo[]::new);
    Map<String, Integer> index = new HashMap<>(arr.length * 2);
    for (int i = 0; i < arr.length; i++) {
      index.put(arr[i].name(), i);
    }
    return new Snapshot(arr, Collections.unmodifiableMap(index), affinity(arr, false), affinity(arr, true), generation);
  }

  /** This snapshot with {@code changed} node infos replaced (the set of node names is unchanged). */
  Snapshot with(Collection<NodeInfo> changed, long generation) {
    NodeInfo[] arr = nodes.clone();
    boolean affinityMayChange = false;
    for (NodeInfo n : changed) {
      int i = index.get(n.name());
      NodeInfo old = arr[i];
      if (!old.podsWithAffinity().isEmpty() || !n.podsWithAffinity().isEmpty()) {
        affinityMayChange = true;
      }
      arr[i] = n;
    }
    return new Snapshot(arr, index, affinityMayChange ? affinity(arr, false) : withAffinity,
        affinityMayChange ? affinity(arr, true) : withRequiredAntiAffinity, generation);
  }

  /** Whether {@code name} is a node of this snapshot. */
  boolean hasNode(String name) {
    return index.containsKey(name);
  }

  private static List<NodeInfo> affinity(NodeInfo[] arr, boolean requiredAnti) {
    List<NodeInfo> out = new ArrayList<>();
    for (NodeInfo n : arr) {
      if (requiredAnti ? !n.podsWithRequiredAntiAffinity().isEmpty() : !n.podsWithAffinity().isEmpty()) {
        out.add(n);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** For tests: a snapshot of exactly these nodes. */
  public static Snapshot of(List<NodeInfo> nodes) {
    return full(nodes, 0);
  }

  /** The cache generation this snapshot reflects. */
  public long generation() {
    return generation;
  }

  @Override
  public NodeInfoLister nodeInfos() {
    return this;
  }

  @Override
  public boolean isClaimUsedByPods(String claimKey) {
    Set<String> c = claims;
    if (c == null) {
      c = new HashSet<>();
      for (NodeInfo n : nodes) {
        c.addAll(n.claimRefCounts().keySet());
      }
      claims = c;
    }
    return c.contains(claimKey);
  }

  @Override
  public List<NodeInfo> list() {
    return list;
  }

  @Override
  public List<NodeInfo> havePodsWithAffinity() {
    return withAffinity;
  }

  @Override
  public List<NodeInfo> havePodsWithRequiredAntiAffinity() {
    return withRequiredAntiAffinity;
  }

  @Override
  public NodeInfo get(String nodeName) {
    Integer i = index.get(nodeName);
    return i == null ? null : nodes[i];
  }

  @Override
  public int size() {
    return nodes.length;
  }
}
