package io.bosun.scheduler.cache;

import io.bosun.api.core.v1.ContainerImage;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.ImageStateSummary;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.PodInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's view of nodes and the pods on them, as upstream's {@code cacheImpl}: fed by the
 * informers (bound pods, nodes) and by the scheduler itself with <b>assumed</b> pods, which count
 * on their node from the moment a node is chosen until the informer reports them bound.
 *
 * <p>Assumed pod life cycle: {@link #assumePod} (scheduling cycle) → {@link #finishBinding}
 * (binding succeeded; starts the expiry clock) → {@link #addPod} from the informer confirms it. A
 * failed binding calls {@link #forgetPod}. An assumed pod whose binding finished but that the
 * informer never confirms expires after the TTL ({@link #cleanupExpiredAssumedPods}), so a lost
 * event cannot leak capacity forever.
 *
 * <p>Thread-safe (one lock); {@link #updateSnapshot()} gives the immutable view a cycle uses.
 */
public final class SchedulerCache {

  private static final Logger LOG = LoggerFactory.getLogger(SchedulerCache.class);

  private static final class NodeEntry {
    Node node;
    final LinkedHashMap<String, PodInfo> pods = new LinkedHashMap<>();
    NodeInfo info;
  }

  private static final class PodState {
    PodInfo pod;
    String node;
    boolean assumed;
    boolean bindingFinished;
    Instant deadline;

    PodState(PodInfo pod, String node, boolean assumed) {
      this.pod = pod;
      this.node = node;
      this.assumed = assumed;
    }
  }

  private final Clock clock;
  private final Duration assumedTtl;
  private final LinkedHashMap<String, NodeEntry> nodes = new LinkedHashMap<>();
  private final Map<String, PodState> pods = new HashMap<>();
  private final Map<String, Set<String>> imageNodes = new HashMap<>();
  private long generation = 1;
  private Snapshot snapshot = Snapshot.EMPTY;
  /** Nodes whose info changed since the last snapshot. */
  private final Set<String> dirty = new HashSet<>();
  /** Whether nodes came or went since the last snapshot (then it is rebuilt in full). */
  private boolean structureChanged = true;

  /**
   * @param assumedTtl how long an assumed pod whose binding finished may wait for its informer
   *                   confirmation; zero or negative: forever
   */
  public SchedulerCache(Clock clock, Duration assumedTtl) {
    this.clock = clock;
    this.assumedTtl = assumedTtl;
  }

  // ---- assumed pods --------------------------------------------------------------------------

  /**
   * Counts {@code pod} (whose {@code spec.nodeName} is set) on its node before it is bound.
   *
   * @throws IllegalStateException if the pod is already in the cache
   */
  public synchronized void assumePod(PodInfo pod) {
    String uid = pod.uid();
    if (pods.containsKey(uid)) {
      throw new IllegalStateException("pod " + pod.key() + "(" + uid + ") is in the cache, so can't be assumed");
    }
    String node = nodeName(pod.pod());
    addToNode(node, pod);
    pods.put(uid, new PodState(pod, node, true));
    generation++;
  }

  /** The binding of an assumed pod succeeded: from now on it may expire. */
  public synchronized void finishBinding(String uid) {
    PodState s = pods.get(uid);
    if (s != null && s.assumed) {
      s.bindingFinished = true;
      s.deadline = assumedTtl.isZero() || assumedTtl.isNegative() ? null : clock.instant().plus(assumedTtl);
    }
  }

  /**
   * Undoes {@link #assumePod} after a failed binding. Does nothing (returns false) if the pod is
   * not assumed any more, e.g. the informer already confirmed it.
   */
  public synchronized boolean forgetPod(String uid) {
    PodState s = pods.get(uid);
    if (s == null || !s.assumed) {
      return false;
    }
    pods.remove(uid);
    removeFromNode(s.node, uid);
    generation++;
    return true;
  }

  /** Whether {@code uid} is assumed (chosen, not yet confirmed by the informer). */
  public synchronized boolean isAssumed(String uid) {
    PodState s = pods.get(uid);
    return s != null && s.assumed;
  }

  /** Removes assumed pods whose binding finished longer than the TTL ago; returns how many. */
  public synchronized int cleanupExpiredAssumedPods() {
    Instant now = clock.instant();
    int n = 0;
    for (Iterator<Map.Entry<String, PodState>> it = pods.entrySet().iterator(); it.hasNext(); ) {
      PodState s = it.next().getValue();
      if (s.assumed && s.bindingFinished && s.deadline != null && !now.isBefore(s.deadline)) {
        LOG.warn("Assumed pod {} expired: its binding to {} was never confirmed by the informer", s.pod.key(), s.node);
        it.remove();
        removeFromNode(s.node, s.pod.uid());
        n++;
      }
    }
    if (n > 0) {
      generation++;
    }
    return n;
  }

  // ---- informer events -----------------------------------------------------------------------

  /** A bound pod appeared: confirms an assumed pod, or adds it. */
  public synchronized void addPod(Pod pod) {
    PodInfo pi = PodInfo.of(pod);
    PodState s = pods.get(pi.uid());
    String node = nodeName(pod);
    if (s == null) {
      addToNode(node, pi);
      pods.put(pi.uid(), new PodState(pi, node, false));
    } else {
      if (s.assumed && !s.node.equals(node)) {
        LOG.info("Pod {} was assumed on {} but bound to {}", pi.key(), s.node, node);
      }
      removeFromNode(s.node, pi.uid());
      addToNode(node, pi);
      s.pod = pi;
      s.node = node;
      s.assumed = false;
      s.bindingFinished = false;
      s.deadline = null;
    }
    generation++;
  }

  /** A bound pod changed. */
  public synchronized void updatePod(Pod oldPod, Pod newPod) {
    addPod(newPod);
  }

  /** A bound pod was deleted (or finished). */
  public synchronized void removePod(Pod pod) {
    String uid = pod.getMetadata() == null ? "" : pod.getMetadata().getUid();
    PodState s = pods.remove(uid);
    if (s != null) {
      removeFromNode(s.node, uid);
      generation++;
    }
  }

  public synchronized void addNode(Node node) {
    String name = node.getMetadata().getName();
    NodeEntry e = nodes.computeIfAbsent(name, k -> new NodeEntry());
    if (e.node != null) {
      removeImages(name, e.node);
      dirty.add(name);
    } else {
      structureChanged = true;
    }
    e.node = node;
    addImages(name, node);
    e.info = withImages(NodeInfo.of(node, e.pods.values()));
    generation++;
  }

  public synchronized void updateNode(Node oldNode, Node newNode) {
    addNode(newNode);
  }

  /** A node left; its pods stay counted (on no node) until they are deleted. */
  public synchronized void removeNode(Node node) {
    String name = node.getMetadata().getName();
    NodeEntry e = nodes.get(name);
    if (e == null) {
      return;
    }
    if (e.node != null) {
      removeImages(name, e.node);
    }
    e.node = null;
    e.info = null;
    structureChanged = true;
    if (e.pods.isEmpty()) {
      nodes.remove(name);
    }
    generation++;
  }

  // ---- views ---------------------------------------------------------------------------------

  /** The current view: the same instance while nothing changed. */
  public synchronized Snapshot updateSnapshot() {
    if (snapshot.generation() == generation) {
      return snapshot;
    }
    if (structureChanged) {
      List<NodeInfo> list = new ArrayList<>(nodes.size());
      for (NodeEntry e : nodes.values()) {
        if (e.info != null) {
          list.add(e.info);
        }
      }
      snapshot = Snapshot.full(list, generation);
      structureChanged = false;
    } else {
      List<NodeInfo> changed = new ArrayList<>(dirty.size());
      for (String name : dirty) {
        NodeEntry e = nodes.get(name);
        if (e != null && e.info != null) {
          changed.add(e.info);
        }
      }
      snapshot = snapshot.with(changed, generation);
    }
    dirty.clear();
    return snapshot;
  }

  /** The node info of {@code name}, or null. */
  public synchronized NodeInfo nodeInfo(String name) {
    NodeEntry e = nodes.get(name);
    return e == null ? null : e.info;
  }

  public synchronized int nodeCount() {
    return (int) nodes.values().stream().filter(e -> e.node != null).count();
  }

  /** Pods in the cache (bound and assumed). */
  public synchronized int podCount() {
    return pods.size();
  }

  public synchronized int assumedCount() {
    return (int) pods.values().stream().filter(s -> s.assumed).count();
  }

  /** Whether {@code uid} is in the cache (bound or assumed). */
  public synchronized boolean contains(String uid) {
    return pods.containsKey(uid);
  }

  // ---- internals -----------------------------------------------------------------------------

  private static String nodeName(Pod pod) {
    String n = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    if (n == null || n.isEmpty()) {
      throw new IllegalArgumentException("pod has no spec.nodeName");
    }
    return n;
  }

  private void addToNode(String node, PodInfo pod) {
    NodeEntry e = nodes.computeIfAbsent(node, k -> new NodeEntry());
    e.pods.put(pod.uid(), pod);
    if (e.info != null) {
      e.info = e.info.withPod(pod);
      dirty.add(node);
    }
  }

  private void removeFromNode(String node, String uid) {
    NodeEntry e = nodes.get(node);
    if (e == null) {
      return;
    }
    e.pods.remove(uid);
    if (e.info != null) {
      e.info = e.info.withoutPod(uid);
      dirty.add(node);
    } else if (e.pods.isEmpty()) {
      nodes.remove(node);
    }
  }

  private NodeInfo withImages(NodeInfo info) {
    if (info.imageStates().isEmpty()) {
      return info;
    }
    Map<String, ImageStateSummary> m = new HashMap<>();
    info.imageStates().forEach((name, s) -> m.put(name,
        new ImageStateSummary(s.size(), imageNodes.getOrDefault(name, Set.of()).size())));
    return info.withImageStates(m);
  }

  private void addImages(String node, Node n) {
    for (String image : images(n)) {
      imageNodes.computeIfAbsent(image, k -> new HashSet<>()).add(node);
    }
  }

  private void removeImages(String node, Node n) {
    for (String image : images(n)) {
      Set<String> s = imageNodes.get(image);
      if (s != null) {
        s.remove(node);
        if (s.isEmpty()) {
          imageNodes.remove(image);
        }
      }
    }
  }

  private static List<String> images(Node n) {
    if (n.getStatus() == null || n.getStatus().getImages() == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (ContainerImage i : n.getStatus().getImages()) {
      if (i.getNames() != null) {
        out.addAll(i.getNames());
      }
    }
    return out;
  }
}
