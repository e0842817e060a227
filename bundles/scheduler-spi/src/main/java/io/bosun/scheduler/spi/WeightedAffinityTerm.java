package io.bosun.scheduler.spi;

import java.util.Objects;

/**
 * A preferred (anti-)affinity term with its weight (1-100), as upstream's
 * {@code framework.WeightedAffinityTerm}. Immutable.
 */
public record WeightedAffinityTerm(AffinityTerm term, int weight) {

  public WeightedAffinityTerm {
    Objects.requireNonNull(term, "term");
  }
}
