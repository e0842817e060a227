package io.bosun.store.tck;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline. Store tests synchronise on observable outcomes, never on
 * sleeps: a sleep is either too short on a loaded machine or wastes time on an idle one.
 */
public final class Await {

  /** Long enough for a loaded 2-core CI machine, short enough that a hang fails the build soon. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

  private Await() {
  }

  /** Waits until {@code condition} holds, failing with {@code description} after {@link #DEFAULT_TIMEOUT}. */
  public static void until(String description, BooleanSupplier condition) {
    until(DEFAULT_TIMEOUT, () -> description, condition);
  }

  /**
   * Waits until {@code condition} holds, polling with a short back-off.
   *
   * @throws AssertionError with {@code description} if the deadline passes first
   */
  public static void until(Duration timeout, Supplier<String> description, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pauseMicros = 100;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + description.get());
      }
      // A poll interval, not synchronisation: the condition is re-checked until the deadline.
      try {
        Thread.sleep(pauseMicros / 1000, (int) (pauseMicros % 1000) * 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + description.get(), e);
      }
      pauseMicros = Math.min(pauseMicros * 2, 20_000);
    }
  }
}
