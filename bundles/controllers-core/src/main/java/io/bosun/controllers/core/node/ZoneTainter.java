package io.bosun.controllers.core.node;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The nodes of one zone waiting for a NoExecute taint, released at a rate (upstream's
 * RateLimitedTimedQueue over a token bucket with a burst of 1). Thread-safe; {@link #tryProcess}
 * is called by one thread and makes its API calls without holding the lock.
 */
final class ZoneTainter {

  private static final Duration RETRY = Duration.ofMillis(50);

  /** Node name to when it may be processed, in the order added. */
  private final Map<String, Instant> queue = new LinkedHashMap<>();
  private double qps;
  private double tokens;
  private long lastRefill = System.nanoTime();

  ZoneTainter(double qps) {
    this.qps = qps;
    this.tokens = 1;
  }

  /** Queues a node unless it is queued already. */
  synchronized void add(String node, Instant now) {
    queue.putIfAbsent(node, now);
  }

  synchronized void remove(String node) {
    queue.remove(node);
  }

  synchronized boolean contains(String node) {
    return queue.containsKey(node);
  }

  /** A new rate; 0 stops tainting. A changed rate starts a full bucket, as upstream's SwapLimiter. */
  synchronized void swapRate(double newQps) {
    if (newQps == qps) {
      return;
    }
    qps = newQps;
    tokens = newQps > 0 ? 1 : 0;
    lastRefill = System.nanoTime();
  }

  synchronized double rate() {
    return qps;
  }

  /**
   * Takes due nodes in order while tokens last; {@code action} returns whether the node is done
   * (else it is retried shortly).
   */
  void tryProcess(Instant now, Predicate<String> action) {
    while (true) {
      String node;
      synchronized (this) {
        node = null;
        for (var e : queue.entrySet()) {
          if (!e.getValue().isAfter(now)) {
            node = e.getKey();
          }
          break;
        }
        if (node == null || !tryAccept()) {
          return;
        }
      }
      boolean done;
      try {
        done = action.test(node);
      } catch (RuntimeException e) {
        done = false;
      }
      synchronized (this) {
        if (done) {
          queue.remove(node);
        } else if (queue.containsKey(node)) {
          // Back of the line, retried soon.
          queue.remove(node);
          queue.put(node, now.plus(RETRY));
          return;
        }
      }
    }
  }

  private boolean tryAccept() {
    if (qps <= 0) {
      return false;
    }
    long t = System.nanoTime();
    tokens = Math.min(1, tokens + (t - lastRefill) / 1e9 * qps);
    lastRefill = t;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
