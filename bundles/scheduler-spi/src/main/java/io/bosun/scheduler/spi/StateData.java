package io.bosun.scheduler.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A value a plugin stores in the {@link CycleState} (typically computed in PreFilter / PreScore and
 * read by Filter / Score).
 */
@ConsumerType
public interface StateData {

  /**
   * A copy for a cloned {@link CycleState} (the framework clones the state to simulate changes, e.g.
   * during preemption, and mutations of the copy must not show in the original). Immutable data may
   * return {@code this}. Must be safe to call concurrently with reads.
   */
  StateData copy();
}
