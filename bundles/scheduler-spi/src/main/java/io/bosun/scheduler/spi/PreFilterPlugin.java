package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs once per scheduling cycle before filtering, as upstream's {@code PreFilterPlugin}: computes
 * per-pod data into the {@link CycleState} for {@link FilterPlugin#filter} and may narrow the
 * candidate nodes.
 */
@ConsumerType
public interface PreFilterPlugin extends Plugin {

  /**
   * Prepares filtering of {@code pod}.
   *
   * <p>Called on the scheduling thread, one pod at a time; may use {@link Handle#parallelizer()} but
   * <b>must not block</b> on I/O.
   *
   * @param nodes every node of the snapshot (read-only)
   * @return null / success to continue (with {@link PreFilterResult#nodeNames()} to narrow the
   *         nodes); {@link Status.Code#SKIP} to skip this plugin's Filter for this pod;
   *         {@link Status.Code#UNSCHEDULABLE} or {@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE}
   *         to reject the pod on every node (ends the cycle; PostFilter runs for unschedulable);
   *         {@link Status.Code#ERROR} to abort the attempt.
   */
  PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes);

  /**
   * Incremental updates of this plugin's cycle state when a pod is added to or removed from a node
   * in a "what if" evaluation (nominated pods, preemption), or null if the plugin's state does not
   * depend on other pods. The default is null.
   */
  default PreFilterExtensions preFilterExtensions() {
    return null;
  }
}
