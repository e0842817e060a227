package io.bosun.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * Upstream's {@code slowStartBatch}: runs {@code count} calls in batches that double in size
 * (1, 2, 4, ...), each batch in parallel, and stops after the first batch with a failure. So a
 * controller whose creates all fail (a quota, a bad template) makes one failing call, not
 * hundreds.
 */
public final class SlowStart {

  /** Upstream's {@code controller.SlowStartInitialBatchSize}. */
  public static final int INITIAL_BATCH_SIZE = 1;

  /**
   * What happened.
   *
   * @param successes the calls that returned normally
   * @param skipped   the calls never made because an earlier batch failed
   * @param failures  the failures of the last batch, in no particular order (empty if all succeeded)
   */
  public record Result(int successes, int skipped, List<Exception> failures) {
    public Result {
      failures = List.copyOf(failures);
    }

    /** The first failure, or null. */
    public Exception firstFailure() {
      return failures.isEmpty() ? null : failures.get(0);
    }
  }

  private SlowStart() {
  }

  /**
   * Runs {@code call} {@code count} times in doubling batches on threads from {@code threads}.
   *
   * @throws InterruptedException if interrupted while a batch runs (its calls are interrupted too)
   */
  public static Result run(int count, int initialBatchSize, ThreadFactory threads, Callable<?> call)
      throws InterruptedException {
    int remaining = count;
    int successes = 0;
    try (ExecutorService pool = Executors.newThreadPerTaskExecutor(threads)) {
      for (int batch = Math.min(remaining, Math.max(1, initialBatchSize)); batch > 0;
          batch = Math.min(2 * batch, remaining)) {
        List<Future<?>> futures = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
          futures.add(pool.submit(call));
        }
        List<Exception> failures = new ArrayList<>();
        for (Future<?> f : futures) {
          try {
            f.get();
            successes++;
          } catch (ExecutionException e) {
            failures.add(e.getCause() instanceof Exception ex ? ex : new RuntimeException(e.getCause()));
          } catch (InterruptedException e) {
            futures.forEach(x -> x.cancel(true));
            throw e;
          }
        }
        remaining -= batch;
        if (!failures.isEmpty()) {
          return new Result(successes, remaining, failures);
        }
      }
    }
    return new Result(successes, 0, List.of());
  }
}
