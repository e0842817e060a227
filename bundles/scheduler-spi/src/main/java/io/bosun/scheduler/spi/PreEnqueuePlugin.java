package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Gates a pod before it enters the active queue, as upstream's {@code PreEnqueuePlugin} (e.g.
 * SchedulingGates). A pod every PreEnqueue plugin accepts may be scheduled; a rejected one waits
 * among the unschedulable pods until one of the cluster events this plugin registers through
 * {@link EnqueueExtensions} (e.g. a pod update removing its gates) lets it be checked again.
 */
@ConsumerType
public interface PreEnqueuePlugin extends Plugin {

  /**
   * Decides whether {@code pod} may enter the active queue.
   *
   * <p>Called on informer threads whenever a pod is added, updated or moved back to the queue,
   * possibly concurrently: must be fast, pure and <b>must not block</b>.
   *
   * @return success (or null) to let the pod in; {@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE}
   *         or {@link Status.Code#PENDING} with a reason to keep it out. Any other code, or an
   *         exception, is an error and also keeps it out (it is retried with backoff).
   */
  Status preEnqueue(Pod pod);
}
