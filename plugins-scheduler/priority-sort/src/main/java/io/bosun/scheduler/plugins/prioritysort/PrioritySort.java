package io.bosun.scheduler.plugins.prioritysort;

import io.bosun.scheduler.spi.QueueSortPlugin;
import io.bosun.scheduler.spi.QueuedPodInfo;

/**
 * Upstream's {@code PrioritySort} queue-sort plugin: pods with a higher {@code spec.priority} come
 * first; among equal priorities, the pod that entered the queue earlier comes first. Stateless and
 * thread-safe; never blocks.
 */
public final class PrioritySort implements QueueSortPlugin {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "PrioritySort";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean less(QueuedPodInfo a, QueuedPodInfo b) {
    int p1 = a.podInfo().priority();
    int p2 = b.podInfo().priority();
    return p1 > p2 || (p1 == p2 && a.timestamp().isBefore(b.timestamp()));
  }
}
