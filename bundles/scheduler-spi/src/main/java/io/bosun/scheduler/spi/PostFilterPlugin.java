package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs when no node passes the filters, as upstream's {@code PostFilterPlugin} (e.g.
 * DefaultPreemption). Plugins run in configured order until one returns success.
 */
@ConsumerType
public interface PostFilterPlugin extends Plugin {

  /**
   * Tries to make {@code pod} schedulable, typically by preempting lower-priority pods through
   * {@link Handle#deletePod} and nominating a node. Even on success the pod is not bound in this
   * cycle: it goes back to the queue and is retried once the victims are gone.
   *
   * <p>Called on the scheduling thread, one pod at a time. May call the {@link Handle}'s cluster
   * actions (which block for a round trip); should return in well under a second.
   *
   * @param filteredNodeStatuses why each node was rejected
   */
  PostFilterResult postFilter(CycleState state, Pod pod, NodeToStatus filteredNodeStatuses);
}
