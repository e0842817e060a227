package io.bosun.scheduler.framework;

import io.bosun.scheduler.spi.Parallelizer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/**
 * The scheduler's worker pool, as upstream's {@code parallelize.Parallelizer}: pieces are claimed
 * in chunks of about the square root of their number by up to {@link #parallelism()} workers,
 * the calling thread being one of them. Small jobs run on the calling thread alone.
 */
public final class ParallelizerImpl implements Parallelizer, AutoCloseable {

  /** Below this many pieces the caller does all the work. */
  static final int INLINE_BELOW = 32;

  private final int parallelism;
  private final ExecutorService pool;

  public ParallelizerImpl(int parallelism) {
    this.parallelism = Math.max(1, parallelism);
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, "bosun-scheduler-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.pool = this.parallelism > 1 ? Executors.newFixedThreadPool(this.parallelism - 1, tf) : null;
  }

  @Override
  public int parallelism() {
    return parallelism;
  }

  @Override
  public void until(int pieces, IntConsumer work) {
    untilStopped(pieces, i -> {
      work.accept(i);
      return true;
    });
  }

  /**
   * Like {@link #until}, but claiming stops once {@code work} returns false for a piece: pieces
   * are claimed in increasing order, so every piece below the last claimed one was run.
   *
   * @return how many pieces were claimed (and run)
   */
  public int untilStopped(int pieces, IntPredicate work) {
    if (pieces <= 0) {
      return 0;
    }
    if (pool == null || pieces < INLINE_BELOW) {
      for (int i = 0; i < pieces; i++) {
        if (!work.test(i)) {
          return i + 1;
        }
      }
      return pieces;
    }
    int chunk = Math.max(1, (int) Math.sqrt(pieces));
    AtomicInteger next = new AtomicInteger();
    AtomicInteger claimedEnd = new AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Runnable worker = () -> {
      while (!stop.get()) {
        int start = next.getAndAdd(chunk);
        if (start >= pieces) {
          return;
        }
        int end = Math.min(pieces, start + chunk);
        claimedEnd.accumulateAndGet(end, Math::max);
        try {
          for (int i = start; i < end; i++) {
            if (!work.test(i)) {
              stop.set(true);
            }
          }
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
          stop.set(true);
          return;
        }
      }
    };
    int helpers = Math.min(parallelism - 1, (pieces + chunk - 1) / chunk - 1);
    java.util.List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>(helpers);
    for (int h = 0; h < helpers; h++) {
      futures.add(pool.submit(worker));
    }
    worker.run();
    for (java.util.concurrent.Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (java.util.concurrent.ExecutionException e) {
        failure.compareAndSet(null, e.getCause());
      }
    }
    Throwable t = failure.get();
    if (t instanceof RuntimeException re) {
      throw re;
    }
    if (t instanceof Error err) {
      throw err;
    }
    if (t != null) {
      throw new IllegalStateException(t);
    }
    return claimedEnd.get();
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
