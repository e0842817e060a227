package io.bosun.kubelet;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Upstream's per-item exponential back-off ({@code k8s.io/client-go/util/flowcontrol.Backoff},
 * without jitter), as the kubelet uses it for CrashLoopBackOff and ImagePullBackOff.
 *
 * <p>An item's delay starts at {@code initial} and doubles with every {@link #next} up to
 * {@code max}. An item is stable again, and starts over at {@code initial}, once an event
 * comes more than {@code 2 * max} after the last {@link #next} (a container that ran for ten
 * minutes with upstream's five minute cap). Thread-safe.
 */
public final class Backoff {

  private record Entry(Duration backoff, Instant lastUpdate) {}

  private final Clock clock;
  private final Duration initial;
  private final Duration max;
  private final Map<String, Entry> entries = new HashMap<>();

  public Backoff(Clock clock, Duration initial, Duration max) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.initial = Objects.requireNonNull(initial, "initial");
    this.max = Objects.requireNonNull(max, "max");
  }

  /** Records a retry of {@code id} for an event (a container's exit) at {@code eventTime}: the delay grows. */
  public synchronized void next(String id, Instant eventTime) {
    Entry e = entries.get(id);
    Duration d;
    if (e == null || hasExpired(eventTime, e.lastUpdate)) {
      d = initial;
    } else {
      d = e.backoff.multipliedBy(2);
      if (d.compareTo(max) > 0) {
        d = max;
      }
    }
    entries.put(id, new Entry(d, clock.instant()));
  }

  /** Whether {@code id} must still wait after an event at {@code eventTime}: less than its delay has passed. */
  public synchronized boolean isInBackOffSince(String id, Instant eventTime) {
    Entry e = entries.get(id);
    if (e == null || hasExpired(eventTime, e.lastUpdate)) {
      return false;
    }
    return Duration.between(eventTime, clock.instant()).compareTo(e.backoff) < 0;
  }

  /** The current delay of {@code id}; zero if it has none. */
  public synchronized Duration get(String id) {
    Entry e = entries.get(id);
    return e == null ? Duration.ZERO : e.backoff;
  }

  /** When the wait after an event at {@code eventTime} ends. */
  public synchronized Instant until(String id, Instant eventTime) {
    return eventTime.plus(get(id));
  }

  /** Forgets {@code id}. */
  public synchronized void reset(String id) {
    entries.remove(id);
  }

  /** Forgets every id starting with {@code prefix} (a pod's entries when it goes). */
  public synchronized void resetPrefix(String prefix) {
    entries.keySet().removeIf(k -> k.startsWith(prefix));
  }

  /** Forgets items idle for more than {@code 2 * max}. */
  public synchronized void gc() {
    Instant now = clock.instant();
    entries.values().removeIf(e -> hasExpired(now, e.lastUpdate));
  }

  private boolean hasExpired(Instant eventTime, Instant lastUpdate) {
    return Duration.between(lastUpdate, eventTime).compareTo(max.multipliedBy(2)) > 0;
  }
}
