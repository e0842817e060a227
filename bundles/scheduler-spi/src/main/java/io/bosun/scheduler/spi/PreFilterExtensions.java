package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Keeps a {@link PreFilterPlugin}'s cycle state right when the framework simulates adding or
 * removing a pod on a node (upstream's {@code PreFilterExtensions}): before filtering with
 * higher-priority nominated pods, and when preemption removes victims.
 *
 * <p>Called on {@link CycleState#copy() copies} of the cycle state, concurrently for different
 * nodes: must be thread-safe and <b>must not block</b>. Return null / success, or an
 * {@link Status.Code#ERROR} status (which aborts the evaluation).
 */
@ConsumerType
public interface PreFilterExtensions {

  /** Updates {@code state} as if {@code podToAdd} were on {@code nodeInfo}'s node, for scheduling {@code podToSchedule}. */
  Status addPod(CycleState state, Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo);

  /** Updates {@code state} as if {@code podToRemove} were gone from {@code nodeInfo}'s node. */
  Status removePod(CycleState state, Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo);
}
