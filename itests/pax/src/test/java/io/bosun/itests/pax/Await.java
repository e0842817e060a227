package io.bosun.itests.pax;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes: the tests never sleep to synchronise. */
final class Await {

    private Await() {
    }

    /**
     * Waits until {@code problem} returns null, polling every 50 ms.
     *
     * @param problem what is still wrong, or null once the condition holds
     * @throws AssertionError with the last problem when the deadline passes
     */
    static void until(Duration timeout, Supplier<String> problem) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = problem.get();
        while (last != null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Still after " + timeout.toSeconds() + " s: " + last);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting; last: " + last, e);
            }
            last = problem.get();
        }
    }
}
