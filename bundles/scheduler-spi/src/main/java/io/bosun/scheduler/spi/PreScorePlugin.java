package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs once per cycle before scoring, over the nodes that passed the filters, as upstream's
 * {@code PreScorePlugin}: computes shared data for {@link ScorePlugin#score}.
 */
@ConsumerType
public interface PreScorePlugin extends Plugin {

  /**
   * Prepares scoring. On the scheduling thread; may use {@link Handle#parallelizer()}; <b>must not
   * block</b> on I/O.
   *
   * @param nodes the feasible nodes (read-only)
   * @return null / success; {@link Status.Code#SKIP} to skip this plugin's Score for this pod;
   *         {@link Status.Code#ERROR} to abort the attempt
   */
  Status preScore(CycleState state, Pod pod, List<NodeInfo> nodes);
}
