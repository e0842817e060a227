package io.bosun.client.workqueue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/** The rate limiters of client-go's workqueue package. All are thread-safe. */
public final class RateLimiters {

  private RateLimiters() {
  }

  /**
   * client-go's {@code DefaultControllerRateLimiter}: the slower of per-item exponential backoff
   * from 5 ms to 1000 s and an overall token bucket of 10 per second with a burst of 100.
   */
  public static <K> RateLimiter<K> defaultControllerRateLimiter() {
    return maxOf(List.of(exponentialFailure(Duration.ofMillis(5), Duration.ofSeconds(1000)), tokenBucket(10, 100)));
  }

  /**
   * Per-item exponential backoff, as client-go's {@code ItemExponentialFailureRateLimiter}: the
   * n-th retry of an item (from 0) waits {@code base * 2^n}, at most {@code max}.
   */
  public static <K> RateLimiter<K> exponentialFailure(Duration base, Duration max) {
    return new ExponentialFailure<>(base, max);
  }

  /**
   * One token bucket for all items, as client-go's {@code BucketRateLimiter} over Go's
   * {@code rate.Limiter}: {@code burst} retries at once, then {@code qps} per second. Every call
   * to {@code when} takes a token, waiting for it if need be.
   */
  public static <K> RateLimiter<K> tokenBucket(double qps, int burst) {
    return tokenBucket(qps, burst, System::nanoTime);
  }

  /** {@link #tokenBucket(double, int)} on the given clock (nanoseconds), for tests. */
  public static <K> RateLimiter<K> tokenBucket(double qps, int burst, LongSupplier nanoClock) {
    return new TokenBucket<>(qps, burst, nanoClock);
  }

  /** The longest wait of all {@code limiters}; each of them records every retry. */
  public static <K> RateLimiter<K> maxOf(List<? extends RateLimiter<? super K>> limiters) {
    List<? extends RateLimiter<? super K>> all = List.copyOf(limiters);
    if (all.isEmpty()) {
      throw new IllegalArgumentException("no rate limiters");
    }
    return new RateLimiter<>() {
      @Override
      public Duration when(K item) {
        Duration longest = Duration.ZERO;
        for (RateLimiter<? super K> l : all) {
          Duration d = l.when(item);
          if (d.compareTo(longest) > 0) {
            longest = d;
          }
        }
        return longest;
      }

      @Override
      public void forget(K item) {
        all.forEach(l -> l.forget(item));
      }

      @Override
      public int numRequeues(K item) {
        int most = 0;
        for (RateLimiter<? super K> l : all) {
          most = Math.max(most, l.numRequeues(item));
        }
        return most;
      }
    };
  }

  private static final class ExponentialFailure<K> implements RateLimiter<K> {
    private final long baseNanos;
    private final long maxNanos;
    private final Map<K, Integer> failures = new HashMap<>();

    ExponentialFailure(Duration base, Duration max) {
      if (base.isNegative() || max.compareTo(base) < 0) {
        throw new IllegalArgumentException("need 0 <= base <= max: " + base + ", " + max);
      }
      baseNanos = base.toNanos();
      maxNanos = max.toNanos();
    }

    @Override
    public synchronized Duration when(K item) {
      int exp = failures.merge(item, 1, Integer::sum) - 1;
      // Past 62 doublings any positive base exceeds every cap; avoid overflow.
      if (exp >= 62 || baseNanos > (maxNanos >> Math.min(exp, 62))) {
        return Duration.ofNanos(maxNanos);
      }
      return Duration.ofNanos(Math.min(maxNanos, baseNanos << exp));
    }

    @Override
    public synchronized void forget(K item) {
      failures.remove(item);
    }

    @Override
    public synchronized int numRequeues(K item) {
      return failures.getOrDefault(item, 0);
    }
  }

  private static final class TokenBucket<K> implements RateLimiter<K> {
    private final double perNano;
    private final int burst;
    private final LongSupplier clock;
    private double tokens;
    private long last;

    TokenBucket(double qps, int burst, LongSupplier clock) {
      if (qps <= 0 || burst <= 0) {
        throw new IllegalArgumentException("qps and burst must be positive: " + qps + ", " + burst);
      }
      this.perNano = qps / 1e9;
      this.burst = burst;
      this.clock = Objects.requireNonNull(clock, "clock");
      this.tokens = burst;
      this.last = clock.getAsLong();
    }

    @Override
    public synchronized Duration when(K item) {
      long now = clock.getAsLong();
      tokens = Math.min(burst, tokens + (now - last) * perNano);
      last = now;
      // A reservation: take the token now, even if it only becomes available later.
      tokens -= 1;
      return tokens >= 0 ? Duration.ZERO : Duration.ofNanos((long) Math.ceil(-tokens / perNano));
    }

    @Override
    public void forget(K item) {
    }

    @Override
    public int numRequeues(K item) {
      return 0;
    }
  }
}
