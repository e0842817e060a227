package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides, for one unschedulable pod and one cluster event, whether the event may make the pod
 * schedulable, as upstream's {@code QueueingHintFn}.
 */
@ConsumerType
@FunctionalInterface
public interface QueueingHintFunction {

  /**
   * Called on informer threads for every pod the plugin rejected, per matching event: pure, fast,
   * <b>must not block</b>. An exception counts as {@link QueueingHint#QUEUE}.
   *
   * @param pod    the unschedulable pod (read-only)
   * @param oldObj the object before the change (null for an add)
   * @param newObj the object after the change (null for a delete)
   */
  QueueingHint hint(Pod pod, Object oldObj, Object newObj);
}
