package io.bosun.scheduler.framework;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.Parallelizer;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.SharedLister;
import java.util.Collection;
import java.util.List;

/**
 * What the scheduling engine lends the plugins' {@link io.bosun.scheduler.spi.Handle}s: the
 * current snapshot, nominations, the waiting pods, the queue's activation and the cluster port.
 * Plugin instances outlive engines (an engine runs only while this instance leads), so handles
 * reach the engine through a {@link DelegatingServices}. Thread-safe.
 */
public interface FrameworkServices {

  /** The snapshot of the current (or last) scheduling cycle. */
  SharedLister snapshot();

  Parallelizer parallelizer();

  /** Pods nominated to {@code nodeName}, highest priority first. */
  List<PodInfo> nominatedPodsForNode(String nodeName);

  /** Records {@code pod}'s nomination to {@code nodeName} (null: removes it) in memory. */
  void nominate(Pod pod, String nodeName);

  WaitingPods waitingPods();

  /** Moves these pods to the active queue if they wait elsewhere in it. */
  void activate(Collection<Pod> pods);

  ClusterPort cluster();
}
