package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Informed after a pod was bound, as upstream's {@code PostBindPlugin} (e.g. to clean up state).
 */
@ConsumerType
public interface PostBindPlugin extends Plugin {

  /**
   * Called once after {@code pod} was bound to {@code nodeName}, on a binding thread. May block
   * briefly; failures are logged and ignored.
   */
  void postBind(CycleState state, Pod pod, String nodeName);
}
