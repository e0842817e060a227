package io.bosun.scheduler.plugins.defaultpreemption;

import io.bosun.scheduler.spi.PodInfo;
import java.util.List;

/**
 * A node where preemption makes the pod fit, with the pods to evict there, most important first,
 * and how many of them violate a PodDisruptionBudget (upstream's {@code Candidate} and
 * {@code extenderv1.Victims}). Immutable.
 */
record Candidate(String nodeName, List<PodInfo> victims, int numPdbViolations) {

  Candidate {
    victims = List.copyOf(victims);
  }
}
