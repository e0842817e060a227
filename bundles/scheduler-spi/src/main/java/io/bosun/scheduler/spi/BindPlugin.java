package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Binds a pod to a node, as upstream's {@code BindPlugin} (DefaultBinder posts
 * {@code pods/{name}/binding} through {@link Handle#bind}). Bind plugins are asked in order until one
 * does not return {@link Status.Code#SKIP}.
 */
@ConsumerType
public interface BindPlugin extends Plugin {

  /**
   * Binds {@code pod} to {@code nodeName}. Runs on a binding thread, concurrently with others;
   * <b>may block</b>.
   *
   * @return null / success once bound; {@link Status.Code#SKIP} to leave the pod to the next Bind
   *         plugin; anything else fails the binding (the pod is unreserved and retried)
   */
  Status bind(CycleState state, Pod pod, String nodeName);
}
