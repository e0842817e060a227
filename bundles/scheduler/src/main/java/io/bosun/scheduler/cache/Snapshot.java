package io.bosun.scheduler.cache;

import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.NodeInfoLister;
import io.bosun.scheduler.spi.SharedLister;
import java.util.ArrayList;
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
 */
public final class Snapshot implements SharedLister, NodeInfoLister {

  /** No nodes. */
  public static final Snapshot EMPTY = new Snapshot(List.of(), 0);

  private final List<NodeInfo> nodes;
  private final Map<String, NodeInfo> byName;
  private final List<NodeInfo> withAffinity;
  private final List<NodeInfo> withRequiredAntiAffinity;
  private final Set<String> claims;
  private final long generation;

  Snapshot(List<NodeInfo> nodes, long generation) {
    this.nodes = Collections.unmodifiableList(new ArrayList<>(nodes));
    this.byName = new HashMap<>(nodes.size() * 2);
    List<NodeInfo> aff = new ArrayList<>();
    List<NodeInfo> anti = new ArrayList<>();
    Set<String> claimKeys = new HashSet<>();
    for (NodeInfo n : nodes) {
      byName.put(n.name(), n);
      if (!n.podsWithAffinity().isEmpty()) {
        aff.add(n);
      }
      if (!n.podsWithRequiredAntiAffinity().isEmpty()) {
        anti.add(n);
      }
      claimKeys.addAll(n.claimRefCounts().keySet());
    }
    this.withAffinity = Collections.unmodifiableList(aff);
    this.withRequiredAntiAffinity = Collections.unmodifiableList(anti);
    this.claims = claimKeys;
    this.generation = generation;
  }

  /** For tests: a snapshot of exactly these nodes. */
  public static Snapshot of(List<NodeInfo> nodes) {
    return new Snapshot(nodes, 0);
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
    return claims.contains(claimKey);
  }

  @Override
  public List<NodeInfo> list() {
    return nodes;
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
    return byName.get(nodeName);
  }

  @Override
  public int size() {
    return nodes.size();
  }
}
