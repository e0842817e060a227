package io.bosun.scheduler.queue;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.PodInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pods nominated to nodes by preemption but not bound yet, as upstream's {@code nominator}:
 * filters count them on their nominated node (for pods of lower or equal priority) so the room
 * preemption made is not taken by others. Thread-safe.
 */
public final class Nominator {

  private final Map<String, List<PodInfo>> byNode = new HashMap<>();
  private final Map<String, String> nodeByUid = new HashMap<>();

  /** Nominates {@code pod} to {@code node}; null or empty removes its nomination. */
  public synchronized void nominate(PodInfo pod, String node) {
    remove(pod.uid());
    if (node == null || node.isEmpty()) {
      return;
    }
    nodeByUid.put(pod.uid(), node);
    byNode.computeIfAbsent(node, k -> new ArrayList<>()).add(pod);
  }

  /**
   * Follows the pod's {@code status.nominatedNodeName} as the informer reports it: a set value
   * nominates; an absent one keeps an in-memory nomination (the API write may still be on its way).
   */
  public synchronized void updateFromPod(Pod pod) {
    String nominated = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
    PodInfo pi = PodInfo.of(pod);
    if (nominated != null && !nominated.isEmpty()) {
      nominate(pi, nominated);
    } else if (nodeByUid.containsKey(pi.uid())) {
      nominate(pi, nodeByUid.get(pi.uid()));
    }
  }

  /** Drops the nomination of {@code uid}. */
  public synchronized void remove(String uid) {
    String node = nodeByUid.remove(uid);
    if (node != null) {
      List<PodInfo> l = byNode.get(node);
      if (l != null) {
        l.removeIf(p -> p.uid().equals(uid));
        if (l.isEmpty()) {
          byNode.remove(node);
        }
      }
    }
  }

  /** The node {@code uid} is nominated to, or null. */
  public synchronized String nominatedNode(String uid) {
    return nodeByUid.get(uid);
  }

  /** Pods nominated to {@code node}, highest priority first. */
  public synchronized List<PodInfo> forNode(String node) {
    List<PodInfo> l = byNode.get(node);
    if (l == null || l.isEmpty()) {
      return List.of();
    }
    List<PodInfo> out = new ArrayList<>(l);
    out.sort(Comparator.comparingInt(PodInfo::priority).reversed());
    return out;
  }

  public synchronized int size() {
    return nodeByUid.size();
  }
}
