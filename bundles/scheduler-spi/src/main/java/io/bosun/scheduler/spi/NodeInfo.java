package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.ContainerImage;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node and the pods on it (bound or assumed), with the aggregates plugins need, as upstream's
 * {@code framework.NodeInfo}. <b>Immutable</b> and thread-safe: the {@code with...} methods return
 * changed copies, which is how preemption simulates removing victims. Like {@link PodInfo}, the
 * {@link #node()} object must be treated as read-only.
 *
 * <p>Every instance carries a fresh {@link #generation()}, increasing across the whole JVM, so a
 * changed node info can be told from an unchanged one cheaply.
 *
 * <p>Plugin tests build one with {@link #of(Node, Collection)}.
 */
public final class NodeInfo {

  private static final AtomicLong GENERATION = new AtomicLong();

  private final Node node;
  private final String name;
  private final List<PodInfo> pods;
  private final List<PodInfo> podsWithAffinity;
  private final List<PodInfo> podsWithRequiredAntiAffinity;
  private final Resource requested;
  private final Resource nonZeroRequested;
  private final Resource allocatable;
  private final HostPorts usedPorts;
  private final Map<String, ImageStateSummary> imageStates;
  private final Map<String, Integer> claimRefCounts;
  private final long generation;

  private NodeInfo(Node node, List<PodInfo> pods, List<PodInfo> withAffinity, List<PodInfo> withAnti,
      Resource requested, Resource nonZeroRequested, HostPorts usedPorts, Map<String, ImageStateSummary> imageStates,
      Map<String, Integer> claimRefCounts) {
    this.node = Objects.requireNonNull(node, "node");
    this.name = node.getMetadata() == null || node.getMetadata().getName() == null ? "" : node.getMetadata().getName();
    this.pods = pods;
    this.podsWithAffinity = withAffinity;
    this.podsWithRequiredAntiAffinity = withAnti;
    this.requested = requested;
    this.nonZeroRequested = nonZeroRequested;
    this.allocatable = node.getStatus() == null ? Resource.ZERO : Resource.of(node.getStatus().getAllocatable());
    this.usedPorts = usedPorts;
    this.imageStates = imageStates;
    this.claimRefCounts = claimRefCounts;
    this.generation = GENERATION.incrementAndGet();
  }

  /**
   * The node info of {@code node} with {@code pods} on it. Image states come from the node's
   * {@code status.images}, each counted as present on one node ({@link #withImageStates} sets the
   * cluster-wide counts).
   */
  public static NodeInfo of(Node node, Collection<PodInfo> pods) {
    List<PodInfo> list = List.copyOf(pods);
    Resource req = Resource.ZERO;
    Resource nz = Resource.ZERO;
    List<HostPort> ports = new ArrayList<>();
    List<PodInfo> aff = new ArrayList<>();
    List<PodInfo> anti = new ArrayList<>();
    Map<String, Integer> claims = new HashMap<>();
    for (PodInfo p : list) {
      req = req.plus(p.requests());
      nz = nz.plus(p.nonZeroRequests());
      ports.addAll(p.hostPorts());
      if (p.hasAffinity()) {
        aff.add(p);
      }
      if (p.hasRequiredAntiAffinity()) {
        anti.add(p);
      }
      for (String c : p.claimKeys()) {
        claims.merge(c, 1, Integer::sum);
      }
    }
    return new NodeInfo(node, list, List.copyOf(aff), List.copyOf(anti), req, nz, HostPorts.EMPTY.plus(ports),
        imagesOf(node), Collections.unmodifiableMap(claims));
  }

  /** Image states of a node's {@code status.images}, each counted on one node. */
  public static Map<String, ImageStateSummary> imagesOf(Node node) {
    if (node.getStatus() == null || node.getStatus().getImages() == null) {
      return Map.of();
    }
    Map<String, ImageStateSummary> out = new HashMap<>();
    for (ContainerImage image : node.getStatus().getImages()) {
      long size = image.getSizeBytes() == null ? 0 : image.getSizeBytes();
      if (image.getNames() != null) {
        for (String n : image.getNames()) {
          out.put(n, new ImageStateSummary(size, 1));
        }
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** The node. */
  public Node node() {
    return node;
  }

  /** The node's name. */
  public String name() {
    return name;
  }

  /** The pods on the node (bound, binding or assumed); unmodifiable. */
  public List<PodInfo> pods() {
    return pods;
  }

  /** The pods on the node with any pod (anti-)affinity term. */
  public List<PodInfo> podsWithAffinity() {
    return podsWithAffinity;
  }

  /** The pods on the node with a required anti-affinity term. */
  public List<PodInfo> podsWithRequiredAntiAffinity() {
    return podsWithRequiredAntiAffinity;
  }

  /** Sum of the pods' {@link PodInfo#requests()}. */
  public Resource requested() {
    return requested;
  }

  /** Sum of the pods' {@link PodInfo#nonZeroRequests()}. */
  public Resource nonZeroRequested() {
    return nonZeroRequested;
  }

  /** The node's {@code status.allocatable}. */
  public Resource allocatable() {
    return allocatable;
  }

  /** Host ports used by the pods. */
  public HostPorts usedPorts() {
    return usedPorts;
  }

  /** Images present on the node by name, with their size and cluster-wide spread. */
  public Map<String, ImageStateSummary> imageStates() {
    return imageStates;
  }

  /** How many of the node's pods use each PersistentVolumeClaim ({@code namespace/name}). */
  public Map<String, Integer> claimRefCounts() {
    return claimRefCounts;
  }

  /** A JVM-wide increasing number, new for every instance. */
  public long generation() {
    return generation;
  }

  /** The pod with {@code uid} on this node, or null. */
  public PodInfo pod(String uid) {
    for (PodInfo p : pods) {
      if (p.uid().equals(uid)) {
        return p;
      }
    }
    return null;
  }

  /** This node info with {@code pod} added (a pod with the same UID is replaced). */
  public NodeInfo withPod(PodInfo pod) {
    NodeInfo base = pod(pod.uid()) == null ? this : withoutPod(pod.uid());
    List<PodInfo> list = new ArrayList<>(base.pods.size() + 1);
    list.addAll(base.pods);
    list.add(pod);
    List<PodInfo> aff = base.podsWithAffinity;
    if (pod.hasAffinity()) {
      aff = new ArrayList<>(aff);
      aff.add(pod);
      aff = List.copyOf(aff);
    }
    List<PodInfo> anti = base.podsWithRequiredAntiAffinity;
    if (pod.hasRequiredAntiAffinity()) {
      anti = new ArrayList<>(anti);
      anti.add(pod);
      anti = List.copyOf(anti);
    }
    Map<String, Integer> claims = base.claimRefCounts;
    if (!pod.claimKeys().isEmpty()) {
      Map<String, Integer> m = new HashMap<>(claims);
      pod.claimKeys().forEach(c -> m.merge(c, 1, Integer::sum));
      claims = Collections.unmodifiableMap(m);
    }
    return new NodeInfo(node, Collections.unmodifiableList(list), aff, anti, base.requested.plus(pod.requests()),
        base.nonZeroRequested.plus(pod.nonZeroRequests()), base.usedPorts.plus(pod.hostPorts()), imageStates, claims);
  }

  /** This node info without the pod with {@code uid}; {@code this} if there is none. */
  public NodeInfo withoutPod(String uid) {
    PodInfo pod = pod(uid);
    if (pod == null) {
      return this;
    }
    List<PodInfo> list = new ArrayList<>(pods.size());
    for (PodInfo p : pods) {
      if (p != pod) {
        list.add(p);
      }
    }
    List<PodInfo> aff = pod.hasAffinity() ? podsWithAffinity.stream().filter(p -> p != pod).toList() : podsWithAffinity;
    List<PodInfo> anti = pod.hasRequiredAntiAffinity()
        ? podsWithRequiredAntiAffinity.stream().filter(p -> p != pod).toList() : podsWithRequiredAntiAffinity;
    Map<String, Integer> claims = claimRefCounts;
    if (!pod.claimKeys().isEmpty()) {
      Map<String, Integer> m = new HashMap<>(claims);
      pod.claimKeys().forEach(c -> m.computeIfPresent(c, (k, v) -> v <= 1 ? null : v - 1));
      claims = Collections.unmodifiableMap(m);
    }
    return new NodeInfo(node, Collections.unmodifiableList(list), aff, anti, requested.minus(pod.requests()),
        nonZeroRequested.minus(pod.nonZeroRequests()), usedPorts.minus(pod.hostPorts()), imageStates, claims);
  }

  /** This node info without {@code pod} (matched by UID). */
  public NodeInfo withoutPod(Pod pod) {
    return withoutPod(pod.getMetadata() == null || pod.getMetadata().getUid() == null ? "" : pod.getMetadata().getUid());
  }

  /** This node info for a changed {@code node} object (same pods; image states from the new node, counted once). */
  public NodeInfo withNode(Node node) {
    return new NodeInfo(node, pods, podsWithAffinity, podsWithRequiredAntiAffinity, requested, nonZeroRequested,
        usedPorts, imagesOf(node), claimRefCounts);
  }

  /** This node info with {@code imageStates} (the cache sets cluster-wide node counts). */
  public NodeInfo withImageStates(Map<String, ImageStateSummary> imageStates) {
    return new NodeInfo(node, pods, podsWithAffinity, podsWithRequiredAntiAffinity, requested, nonZeroRequested,
        usedPorts, Map.copyOf(imageStates), claimRefCounts);
  }

  @Override
  public String toString() {
    return "NodeInfo{" + name + ", pods=" + pods.size() + ", requested=" + requested + ", allocatable=" + allocatable + "}";
  }
}
