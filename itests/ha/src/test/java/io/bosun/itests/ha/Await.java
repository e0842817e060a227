package io.bosun.itests.ha;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/** Waits for a condition with a deadline (never a fixed sleep). */
final class Await {

  private Await() {
  }

  /**
   * Polls {@code probe} until it returns null (done) or the deadline passes.
   *
   * @param probe returns null when satisfied, else a description of what is still missing
   */
  static void until(Duration timeout, Callable<String> probe) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last;
    while (true) {
      last = probe.call();
      if (last == null) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout.toSeconds() + " s: " + last);
      }
      LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
  }
}
