package io.bosun.scheduler.spi;

/**
 * A plugin's verdict on whether a cluster event may make a pod it rejected schedulable, as
 * upstream's {@code framework.QueueingHint}.
 */
public enum QueueingHint {
  /** Retry the pod (it moves to the active or backoff queue). */
  QUEUE,
  /** The event cannot help this pod; leave it where it is. */
  SKIP
}
