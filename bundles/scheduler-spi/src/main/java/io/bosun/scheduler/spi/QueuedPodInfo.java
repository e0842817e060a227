package io.bosun.scheduler.spi;

import java.time.Instant;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A pod waiting in the scheduling queue, as upstream's {@code framework.QueuedPodInfo}, as seen by
 * a {@link QueueSortPlugin}. A read-only view implemented by the framework; the values may change
 * between calls while the pod is not in the active queue.
 */
@ProviderType
public interface QueuedPodInfo {

  /** The pod. */
  PodInfo podInfo();

  /** When the pod was last added to the queue (for FIFO order within a priority). */
  Instant timestamp();

  /** When the pod was first added to the queue. */
  Instant initialAttemptTimestamp();

  /** How many scheduling attempts the pod has had. */
  int attempts();

  /** Plugins that rejected the pod in its last attempt (empty if none or not yet tried). */
  Set<String> unschedulablePlugins();
}
