package io.bosun.scheduler.framework;

import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.NodeScores;
import java.util.List;

/** One plugin's scores over the feasible nodes, backed by an array. */
final class NodeScoresImpl implements NodeScores {

  private final List<NodeInfo> nodes;
  private final long[] scores;

  NodeScoresImpl(List<NodeInfo> nodes, long[] scores) {
    this.nodes = nodes;
    this.scores = scores;
  }

  @Override
  public int size() {
    return scores.length;
  }

  @Override
  public String nodeName(int index) {
    return nodes.get(index).name();
  }

  @Override
  public long score(int index) {
    return scores[index];
  }

  @Override
  public void setScore(int index, long score) {
    scores[index] = score;
  }
}
