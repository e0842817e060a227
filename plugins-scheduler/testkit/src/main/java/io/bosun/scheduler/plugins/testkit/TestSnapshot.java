package io.bosun.scheduler.plugins.testkit;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.ImageStateSummary;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.NodeInfoLister;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.SharedLister;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot for plugin tests, as the framework's: node infos in the given order, with
 * image states counted across nodes as the scheduler cache does.
 */
public final class TestSnapshot implements SharedLister, NodeInfoLister {

  private final List<NodeInfo> nodes;
  private final Map<String, NodeInfo> byName = new LinkedHashMap<>();

  private TestSnapshot(List<NodeInfo> nodes) {
    this.nodes = List.copyOf(nodes);
    for (NodeInfo n : this.nodes) {
      byName.put(n.name(), n);
    }
  }

  /** A snapshot of these node infos. */
  public static TestSnapshot of(List<NodeInfo> nodes) {
    return new TestSnapshot(nodes);
  }

  /**
   * A snapshot of {@code nodes} with every pod of {@code pods} whose {@code spec.nodeName} names one
   * of them placed there; image states carry cluster-wide node counts.
   */
  public static TestSnapshot of(List<Node> nodes, List<Pod> pods) {
    Map<String, List<PodInfo>> byNode = new HashMap<>();
    for (Pod p : pods) {
      String n = p.getSpec() == null ? null : p.getSpec().getNodeName();
      if (n != null) {
        byNode.computeIfAbsent(n, k -> new ArrayList<>()).add(PodInfo.of(p));
      }
    }
    Map<String, Integer> imageNodes = new HashMap<>();
    for (Node n : nodes) {
      NodeInfo.imagesOf(n).keySet().forEach(i -> imageNodes.merge(i, 1, Integer::sum));
    }
    List<NodeInfo> infos = new ArrayList<>();
    for (Node n : nodes) {
      NodeInfo info = NodeInfo.of(n, byNode.getOrDefault(n.getMetadata().getName(), List.of()));
      Map<String, ImageStateSummary> states = new HashMap<>();
      info.imageStates().forEach((name, s) -> states.put(name, new ImageStateSummary(s.size(), imageNodes.get(name))));
      infos.add(info.withImageStates(states));
    }
    return new TestSnapshot(infos);
  }

  @Override
  public NodeInfoLister nodeInfos() {
    return this;
  }

  @Override
  public boolean isClaimUsedByPods(String claimKey) {
    return nodes.stream().anyMatch(n -> n.claimRefCounts().containsKey(claimKey));
  }

  @Override
  public List<NodeInfo> list() {
    return nodes;
  }

  @Override
  public List<NodeInfo> havePodsWithAffinity() {
    return nodes.stream().filter(n -> !n.podsWithAffinity().isEmpty()).toList();
  }

  @Override
  public List<NodeInfo> havePodsWithRequiredAntiAffinity() {
    return nodes.stream().filter(n -> !n.podsWithRequiredAntiAffinity().isEmpty()).toList();
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
