package io.bosun.client.workqueue;

import java.time.Duration;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Optional observations of a {@link WorkQueue}, for metrics (client-go's depth, adds, latency,
 * work duration and retries). Every method has an empty default. Called with the queue's lock
 * held: be quick, and never call the queue from here.
 */
@ConsumerType
public interface WorkQueueMetrics {

  /** An item was queued; {@code depth} items now wait. */
  default void added(int depth) {
  }

  /** An item was handed to a worker after waiting {@code queued}; {@code depth} items still wait. */
  default void started(Duration queued, int depth) {
  }

  /** A worker finished an item after {@code working}. */
  default void done(Duration working) {
  }

  /** An item was re-queued through {@link WorkQueue#addRateLimited}. */
  default void retried() {
  }
}
