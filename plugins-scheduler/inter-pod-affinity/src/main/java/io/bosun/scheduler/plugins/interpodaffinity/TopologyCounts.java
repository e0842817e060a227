package io.bosun.scheduler.plugins.interpodaffinity;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.AffinityTerm;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Upstream's {@code topologyToMatchedTermCount}: how many (pod, term) matches each topology pair
 * (node label key and value) holds. Not thread-safe; guarded by its owner.
 */
final class TopologyCounts {

  /** A node label key and value: one topology domain. */
  record Pair(String key, String value) {
  }

  private final Map<Pair, Long> counts;

  TopologyCounts() {
    this(new HashMap<>());
  }

  private TopologyCounts(Map<Pair, Long> counts) {
    this.counts = counts;
  }

  TopologyCounts copy() {
    return new TopologyCounts(new HashMap<>(counts));
  }

  boolean isEmpty() {
    return counts.isEmpty();
  }

  long get(String key, String value) {
    return counts.getOrDefault(new Pair(key, value), 0L);
  }

  void addAll(TopologyCounts other) {
    other.counts.forEach((p, n) -> counts.merge(p, n, Long::sum));
  }

  Map<Pair, Long> asMap() {
    return counts;
  }

  /** Adds {@code value} to the node's domain of {@code key}, if the node has that label; drops zero entries. */
  void update(Node node, String key, long value) {
    String v = labels(node).get(key);
    if (v != null) {
      Pair p = new Pair(key, v);
      long n = counts.getOrDefault(p, 0L) + value;
      if (n == 0) {
        counts.remove(p);
      } else {
        counts.put(p, n);
      }
    }
  }

  /** For each term, if {@code pod} matches every term (of the incoming pod, namespaces merged). */
  void updateWithAffinityTerms(List<AffinityTerm> terms, Pod pod, Node node, long value) {
    if (matchesAll(terms, pod)) {
      for (AffinityTerm t : terms) {
        update(node, t.topologyKey(), value);
      }
    }
  }

  /** For each term that {@code pod} (with its namespace's labels) matches. */
  void updateWithAntiAffinityTerms(List<AffinityTerm> terms, Pod pod, Map<String, String> nsLabels, Node node, long value) {
    for (AffinityTerm t : terms) {
      if (t.matches(pod, nsLabels)) {
        update(node, t.topologyKey(), value);
      }
    }
  }

  /**
   * Whether {@code pod} matches all {@code terms} (false for none). The terms are the incoming pod's,
   * whose namespace selectors were merged into their namespace lists, so no namespace labels are
   * needed; an empty map stands for upstream's nil labels (an empty selector still matches).
   */
  static boolean matchesAll(List<AffinityTerm> terms, Pod pod) {
    if (terms.isEmpty()) {
      return false;
    }
    for (AffinityTerm t : terms) {
      if (!t.matches(pod, Map.of())) {
        return false;
      }
    }
    return true;
  }

  static Map<String, String> labels(Node node) {
    return node.getMetadata() == null || node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
  }
}
