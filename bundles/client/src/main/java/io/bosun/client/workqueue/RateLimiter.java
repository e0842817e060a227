package io.bosun.client.workqueue;

import java.time.Duration;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides how long an item waits before it is retried, as client-go's {@code RateLimiter}.
 * Implementations must be thread-safe and must not block. {@link RateLimiters} has the usual ones.
 */
@ConsumerType
public interface RateLimiter<K> {

  /** Records one more retry of {@code item} and returns how long it should wait first. */
  Duration when(K item);

  /** Forgets {@code item}'s retries: it succeeded, or was given up. */
  void forget(K item);

  /** How often {@code item} has been retried since it was last forgotten. */
  int numRequeues(K item);
}
