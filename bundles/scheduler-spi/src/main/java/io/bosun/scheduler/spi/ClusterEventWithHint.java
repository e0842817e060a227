package io.bosun.scheduler.spi;

import java.util.Objects;

/**
 * A cluster event a plugin cares about, with an optional hint function that filters individual
 * events (null: every matching event requeues the pod). Immutable.
 */
public record ClusterEventWithHint(ClusterEvent event, QueueingHintFunction hint) {

  public ClusterEventWithHint {
    Objects.requireNonNull(event, "event");
  }

  /** {@code event} without a hint function. */
  public static ClusterEventWithHint of(ClusterEvent event) {
    return new ClusterEventWithHint(event, null);
  }
}
