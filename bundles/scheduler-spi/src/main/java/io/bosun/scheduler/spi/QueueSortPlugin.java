package io.bosun.scheduler.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Orders the active queue, as upstream's {@code QueueSortPlugin} (e.g. PrioritySort: higher
 * priority first, then earlier timestamp). Exactly one queue-sort plugin is enabled per profile,
 * and all profiles of a scheduler must enable the same one (the queue is shared).
 */
@ConsumerType
public interface QueueSortPlugin extends Plugin {

  /**
   * Whether {@code a} should be scheduled before {@code b}. Must be a strict weak order (irreflexive,
   * transitive), pure and fast: it runs under the queue's lock, from any thread, and <b>must not
   * block</b>. Pods that compare equal are taken first-in, first-out.
   */
  boolean less(QueuedPodInfo a, QueuedPodInfo b);
}
