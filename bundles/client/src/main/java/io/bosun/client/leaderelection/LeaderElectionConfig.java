package io.bosun.client.leaderelection;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to elect a leader; client-go's {@code LeaderElectionConfig}. Immutable.
 *
 * @param namespace       namespace of the Lease
 * @param name            name of the Lease, usually the component's name
 * @param identity        this replica's unique identity, such as host name plus a random suffix
 * @param leaseDuration   how long non-leaders wait after they last saw the lease change before
 *                        taking it over (whole seconds are written to the Lease; at least 1 s)
 * @param renewDeadline   how long the leader keeps trying to renew before it gives up leading;
 *                        shorter than {@code leaseDuration} so it stops before others may start
 * @param retryPeriod     how long to wait between attempts to acquire or renew
 * @param releaseOnCancel on {@link LeaderElector#close()}, clear the holder so a successor takes
 *                        over at once rather than after {@code leaseDuration}
 */
public record LeaderElectionConfig(String namespace, String name, String identity, Duration leaseDuration,
    Duration renewDeadline, Duration retryPeriod, boolean releaseOnCancel) {

  /** client-go's jitter factor: retries wait up to 1.2 times the retry period. */
  static final double JITTER = 1.2;

  public LeaderElectionConfig {
    requireText(namespace, "namespace");
    requireText(name, "name");
    requireText(identity, "identity");
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    Objects.requireNonNull(renewDeadline, "renewDeadline");
    Objects.requireNonNull(retryPeriod, "retryPeriod");
    if (leaseDuration.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("leaseDuration must be at least 1s: " + leaseDuration);
    }
    if (leaseDuration.compareTo(renewDeadline) <= 0) {
      throw new IllegalArgumentException("leaseDuration must be greater than renewDeadline");
    }
    if (retryPeriod.isNegative() || retryPeriod.isZero()) {
      throw new IllegalArgumentException("retryPeriod must be positive");
    }
    if (renewDeadline.toNanos() <= JITTER * retryPeriod.toNanos()) {
      throw new IllegalArgumentException("renewDeadline must be greater than retryPeriod*" + JITTER);
    }
  }

  /** client-go's usual timings: lease 15 s, renew deadline 10 s, retry every 2 s; release on close. */
  public static LeaderElectionConfig defaults(String namespace, String name, String identity) {
    return new LeaderElectionConfig(namespace, name, identity, Duration.ofSeconds(15), Duration.ofSeconds(10),
        Duration.ofSeconds(2), true);
  }

  /** A copy with other timings; they are validated as in the constructor. */
  public LeaderElectionConfig withTimings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    return new LeaderElectionConfig(namespace, name, identity, leaseDuration, renewDeadline, retryPeriod,
        releaseOnCancel);
  }

  /** A copy with {@code releaseOnCancel} changed. */
  public LeaderElectionConfig withReleaseOnCancel(boolean releaseOnCancel) {
    return new LeaderElectionConfig(namespace, name, identity, leaseDuration, renewDeadline, retryPeriod,
        releaseOnCancel);
  }

  private static void requireText(String s, String what) {
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException(what + " is required");
    }
  }
}
