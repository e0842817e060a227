package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Ranks the nodes that passed the filters, as upstream's {@code ScorePlugin}. The framework adds up
 * each plugin's (normalized) score times the plugin's configured weight and picks the highest
 * total; ties are broken at random.
 */
@ConsumerType
public interface ScorePlugin extends Plugin {

  /** The lowest score a plugin may give after normalization. */
  long MIN_NODE_SCORE = 0;
  /** The highest score a plugin may give after normalization. */
  long MAX_NODE_SCORE = 100;

  /**
   * Scores one feasible node for {@code pod}.
   *
   * <p>Called <b>concurrently</b> for many nodes: thread-safe, <b>must not block</b>. Scoring has
   * no ordinary negative outcome; if the plugin cannot compute a score (e.g. its PreScore data is
   * missing, a bug) it throws an unchecked exception, which the framework turns into an
   * {@link Status.Code#ERROR} that aborts the attempt.
   *
   * @return the score: in [{@link #MIN_NODE_SCORE}, {@link #MAX_NODE_SCORE}] unless
   *         {@link #scoreExtensions()} normalizes it into that range afterwards
   */
  long score(CycleState state, Pod pod, NodeInfo nodeInfo);

  /** The normalization step, or null if the scores are already in range. The default is null. */
  default ScoreExtensions scoreExtensions() {
    return null;
  }
}
