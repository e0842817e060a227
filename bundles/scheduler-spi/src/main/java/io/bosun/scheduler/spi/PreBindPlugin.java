package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Work that must be done before a pod is bound, as upstream's {@code PreBindPlugin} (e.g. binding
 * volumes).
 */
@ConsumerType
public interface PreBindPlugin extends Plugin {

  /**
   * Prepares binding {@code pod} to {@code nodeName}. Runs on a binding thread, concurrently with
   * other bindings and scheduling cycles; <b>may block</b> (API calls).
   *
   * @return null / success; anything else fails the binding (the pod is unreserved and retried)
   */
  Status preBind(CycleState state, Pod pod, String nodeName);
}
