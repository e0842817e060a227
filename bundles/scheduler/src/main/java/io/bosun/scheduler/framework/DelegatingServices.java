package io.bosun.scheduler.framework;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.NodeInfoLister;
import io.bosun.scheduler.spi.Parallelizer;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.SharedLister;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The {@link FrameworkServices} handles see: forwards to the running engine, or, while none runs
 * (this instance is not the leader), answers with an empty snapshot and no nominations, while the
 * cluster actions still go to the cluster port.
 */
public final class DelegatingServices implements FrameworkServices {

  private static final NodeInfoLister NO_NODES = new NodeInfoLister() {
    @Override
    public List<NodeInfo> list() {
      return List.of();
    }

    @Override
    public List<NodeInfo> havePodsWithAffinity() {
      return List.of();
    }

    @Override
    public List<NodeInfo> havePodsWithRequiredAntiAffinity() {
      return List.of();
    }

    @Override
    public NodeInfo get(String nodeName) {
      return null;
    }

    @Override
    public int size() {
      return 0;
    }
  };

  private static final SharedLister EMPTY = new SharedLister() {
    @Override
    public NodeInfoLister nodeInfos() {
      return NO_NODES;
    }

    @Override
    public boolean isClaimUsedByPods(String claimKey) {
      return false;
    }
  };

  private final ClusterPort cluster;
  private final Parallelizer parallelizer;
  private final WaitingPods idleWaitingPods = new WaitingPods();
  private volatile FrameworkServices delegate;

  public DelegatingServices(ClusterPort cluster, Parallelizer parallelizer) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.parallelizer = Objects.requireNonNull(parallelizer, "parallelizer");
  }

  /** Routes to {@code engine} (null: none). */
  public void setDelegate(FrameworkServices engine) {
    this.delegate = engine;
  }

  @Override
  public SharedLister snapshot() {
    FrameworkServices d = delegate;
    return d == null ? EMPTY : d.snapshot();
  }

  @Override
  public Parallelizer parallelizer() {
    return parallelizer;
  }

  @Override
  public List<PodInfo> nominatedPodsForNode(String nodeName) {
    FrameworkServices d = delegate;
    return d == null ? List.of() : d.nominatedPodsForNode(nodeName);
  }

  @Override
  public void nominate(Pod pod, String nodeName) {
    FrameworkServices d = delegate;
    if (d != null) {
      d.nominate(pod, nodeName);
    }
  }

  @Override
  public WaitingPods waitingPods() {
    FrameworkServices d = delegate;
    return d == null ? idleWaitingPods : d.waitingPods();
  }

  @Override
  public void activate(Collection<Pod> pods) {
    FrameworkServices d = delegate;
    if (d != null) {
      d.activate(pods);
    }
  }

  @Override
  public ClusterPort cluster() {
    return cluster;
  }
}
