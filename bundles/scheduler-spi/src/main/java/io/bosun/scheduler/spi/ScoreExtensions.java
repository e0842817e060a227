package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Normalizes a {@link ScorePlugin}'s raw scores into
 * [{@link ScorePlugin#MIN_NODE_SCORE}, {@link ScorePlugin#MAX_NODE_SCORE}] once all nodes are
 * scored, as upstream's {@code ScoreExtensions.NormalizeScore}.
 */
@ConsumerType
public interface ScoreExtensions {

  /**
   * Rewrites {@code scores} in place. Called once per cycle per plugin; plugins' normalizations may
   * run in parallel with each other; <b>must not block</b>.
   *
   * @return null / success, or {@link Status.Code#ERROR} to abort the attempt
   */
  Status normalizeScore(CycleState state, Pod pod, NodeScores scores);
}
