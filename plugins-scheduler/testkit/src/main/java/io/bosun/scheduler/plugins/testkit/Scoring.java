package io.bosun.scheduler.plugins.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.NodeScores;
import io.bosun.scheduler.spi.ScoreExtensions;
import io.bosun.scheduler.spi.ScorePlugin;
import io.bosun.scheduler.spi.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a score plugin over nodes the way the framework does, and parses plugin arguments. */
public final class Scoring {

  private Scoring() {
  }

  /** A mutable score list over node names, as the framework's. */
  public static final class Scores implements NodeScores {
    private final String[] names;
    private final long[] scores;

    public Scores(Map<String, Long> scores) {
      this.names = scores.keySet().toArray(String[]::new);
      this.scores = scores.values().stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public int size() {
      return names.length;
    }

    @Override
    public String nodeName(int index) {
      return names[index];
    }

    @Override
    public long score(int index) {
      return scores[index];
    }

    @Override
    public void setScore(int index, long score) {
      scores[index] = score;
    }

    /** Node name to score, in node order. */
    public Map<String, Long> asMap() {
      Map<String, Long> m = new LinkedHashMap<>();
      for (int i = 0; i < names.length; i++) {
        m.put(names[i], scores[i]);
      }
      return m;
    }
  }

  /** Scores every node, then normalizes if the plugin has a normalization step. */
  public static Map<String, Long> scoreAndNormalize(ScorePlugin plugin, CycleState state, Pod pod, List<NodeInfo> nodes) {
    Map<String, Long> raw = new LinkedHashMap<>();
    for (NodeInfo n : nodes) {
      raw.put(n.name(), plugin.score(state, pod, n));
    }
    ScoreExtensions ext = plugin.scoreExtensions();
    if (ext == null) {
      return raw;
    }
    Scores scores = new Scores(raw);
    Status s = ext.normalizeScore(state, pod, scores);
    if (!Status.isSuccess(s)) {
      throw new AssertionError("normalizeScore failed: " + s);
    }
    return scores.asMap();
  }

  /** Parses JSON plugin arguments; {@code ""} is {@code {}}. */
  public static JsonNode args(String json) {
    try {
      return new ObjectMapper().readTree(json.isBlank() ? "{}" : json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
