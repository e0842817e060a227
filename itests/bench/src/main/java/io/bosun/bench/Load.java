package io.bosun.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/** Closed-loop load: a fixed number of operations shared by N threads, each starting the next as soon as its last returns. */
final class Load {

  /** One operation; {@code i} is unique within a run, 0..count-1. */
  @FunctionalInterface
  interface Op {
    void run(int i) throws Exception;
  }

  /**
   * Outcome of a run: successful operations, wall time, latency of each operation (ns), and how many
   * cores other processes kept busy meanwhile (the noise in this row).
   */
  record Result(int ok, int failed, long wallNanos, Histogram latency, String firstError, double otherCores) {

    double perSecond() {
      return ok * 1e9 / wallNanos;
    }

    double p50Ms() {
      return latency.getValueAtPercentile(50) / 1e6;
    }

    double p99Ms() {
      return latency.getValueAtPercentile(99) / 1e6;
    }

    double maxMs() {
      return latency.getMaxValue() / 1e6;
    }
  }

  /** Sums rounds of the same measurement: operations over total wall time, all latencies, noise weighted by time. */
  static Result merge(List<Result> rounds) {
    Histogram all = histogram();
    int ok = 0;
    int failed = 0;
    long wall = 0;
    double otherCoreNanos = 0;
    String firstError = null;
    for (Result r : rounds) {
      all.add(r.latency());
      ok += r.ok();
      failed += r.failed();
      wall += r.wallNanos();
      otherCoreNanos += r.otherCores() * r.wallNanos();
      firstError = firstError != null ? firstError : r.firstError();
    }
    return new Result(ok, failed, wall, all, firstError, otherCoreNanos / wall);
  }

  /** 1 µs resolution up to a minute, 3 significant digits: exact enough for p99 of ms-scale requests. */
  static Histogram histogram() {
    return new Histogram(1_000, TimeUnit.MINUTES.toNanos(1), 3);
  }

  private Load() {}

  /**
   * Runs {@code count} operations on {@code threads} platform threads (real concurrent callers, as
   * separate clients would be) and times the whole run from a common start to the last completion.
   */
  static Result run(String name, int threads, int count, Op op) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Histogram> histograms = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Histogram h = histogram();
      histograms.add(h);
      workers.add(Thread.ofPlatform().name(name + "-" + t).start(() -> {
        ready.countDown();
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i; (i = next.getAndIncrement()) < count; ) {
          long start = System.nanoTime();
          try {
            op.run(i);
            h.recordValue(Math.min(System.nanoTime() - start, h.getHighestTrackableValue()));
          } catch (Exception e) {
            failed.incrementAndGet();
            firstError.compareAndSet(null, e.toString());
          }
        }
      }));
    }
    ready.await();
    SystemInfo.CpuUse cpu = SystemInfo.CpuUse.now();
    long start = System.nanoTime();
    go.countDown();
    for (Thread w : workers) {
      w.join();
    }
    long wall = System.nanoTime() - start;
    double other = SystemInfo.CpuUse.now().otherSeconds(cpu) * 1e9 / wall;
    Histogram all = histogram();
    histograms.forEach(all::add);
    return new Result(count - failed.get(), failed.get(), wall, all, firstError.get(), other);
  }
}
