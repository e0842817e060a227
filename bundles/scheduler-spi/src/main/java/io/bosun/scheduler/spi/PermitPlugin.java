package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Approves, denies or delays the binding of a pod to its chosen node, as upstream's
 * {@code PermitPlugin} (e.g. gang scheduling waits until all members are reserved). A waiting pod is
 * visible through {@link Handle#waitingPods()}; other plugins (or this one, in a later cycle) call
 * {@link WaitingPod#allow} or {@link WaitingPod#reject}.
 */
@ConsumerType
public interface PermitPlugin extends Plugin {

  /**
   * Decides on binding {@code pod} to {@code nodeName}. On the scheduling thread; <b>must not
   * block</b> — return {@link PermitResult#waitFor} instead.
   */
  PermitResult permit(CycleState state, Pod pod, String nodeName);
}
