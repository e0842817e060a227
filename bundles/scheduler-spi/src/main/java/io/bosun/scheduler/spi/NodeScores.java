package io.bosun.scheduler.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The scores one {@link ScorePlugin} gave the feasible nodes of a cycle, handed to
 * {@link ScoreExtensions#normalizeScore} to rewrite in place (upstream's {@code NodeScoreList}).
 * Implemented by the framework; not thread-safe (normalization of one plugin runs on one thread).
 */
@ProviderType
public interface NodeScores {

  /** The number of nodes. */
  int size();

  /** The name of the node at {@code index}. */
  String nodeName(int index);

  /** The score of the node at {@code index}. */
  long score(int index);

  /** Replaces the score of the node at {@code index}. */
  void setScore(int index, long score);
}
