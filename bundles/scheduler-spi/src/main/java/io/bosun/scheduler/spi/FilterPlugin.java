package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether a pod can run on a node, as upstream's {@code FilterPlugin}.
 */
@ConsumerType
public interface FilterPlugin extends Plugin {

  /**
   * Checks {@code pod} against one node.
   *
   * <p>Called <b>concurrently</b> for many nodes of the same cycle (and with the same state from
   * preemption's simulations): must be thread-safe, must not modify {@code state} except through
   * its own thread-safe data, and <b>must not block</b>. {@code nodeInfo} may include pods that are
   * only assumed or nominated.
   *
   * @return null / success if the pod fits; {@link Status.Code#UNSCHEDULABLE} with a reason such as
   *         {@code "Insufficient cpu"} if it does not but preemption might help;
   *         {@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE} if preemption cannot help on this
   *         node; {@link Status.Code#ERROR} to abort the attempt. The reasons are counted across
   *         nodes in the {@code FailedScheduling} message.
   */
  Status filter(CycleState state, Pod pod, NodeInfo nodeInfo);
}
