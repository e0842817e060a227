package io.bosun.client.workqueue;

import static io.bosun.client.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WorkQueueTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void deduplicatesQueuedItems() throws Exception {
    try (WorkQueue<String> q = new WorkQueue<>("dedup")) {
      q.add("a");
      q.add("b");
      q.add("a");
      assertThat(q.len()).isEqualTo(2);
      assertThat(q.get()).isEqualTo("a");
      assertThat(q.get()).isEqualTo("b");
      assertThat(q.len()).isZero();
      q.done("a");
      q.done("b");
      assertThat(q.len()).isZero();
    }
  }

  @Test
  void anItemBeingProcessedIsNotHandedOutAgainUntilDone() throws Exception {
    try (WorkQueue<String> q = new WorkQueue<>("exclusive")) {
      q.add("a");
      assertThat(q.get()).isEqualTo("a");
      // Added while processing: remembered, but not given to another worker.
      q.add("a");
      q.add("a");
      assertThat(q.len()).isZero();
      q.add("b");
      assertThat(q.get()).isEqualTo("b");
      q.done("b");
      q.done("a");
      // Re-queued once on done.
      assertThat(q.len()).isEqualTo(1);
      assertThat(q.get()).isEqualTo("a");
      q.done("a");
      assertThat(q.len()).isZero();
    }
  }

  @Test
  void concurrentWorkersNeverShareAnItemAndProcessTheLastAdd() throws Exception {
    WorkQueue<Integer> q = new WorkQueue<>("stress");
    Set<Integer> inProgress = ConcurrentHashMap.newKeySet();
    AtomicInteger overlaps = new AtomicInteger();
    ConcurrentHashMap<Integer, Long> lastProcessedAdd = new ConcurrentHashMap<>();
    ConcurrentHashMap<Integer, Long> lastAdd = new ConcurrentHashMap<>();
    AtomicLong addCounter = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      workers.add(Thread.ofPlatform().start(() -> {
        try {
          for (Integer item; (item = q.get()) != null; ) {
            if (!inProgress.add(item)) {
              overlaps.incrementAndGet();
            }
            // Everything added before this point is covered by this processing.
            long seen = addCounter.get();
            Thread.onSpinWait();
            inProgress.remove(item);
            lastProcessedAdd.merge(item, seen, Math::max);
            q.done(item);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    for (int i = 0; i < 20_000; i++) {
      int item = i % 10;
      long n = addCounter.incrementAndGet();
      lastAdd.put(item, n);
      q.add(item);
    }
    // Each item is processed after its last add.
    await(WAIT, () -> lastAdd.entrySet().stream()
        .allMatch(e -> lastProcessedAdd.getOrDefault(e.getKey(), 0L) >= e.getValue()), "every last add processed");
    q.shutDown();
    for (Thread t : workers) {
      t.join(WAIT.toMillis());
      assertThat(t.isAlive()).isFalse();
    }
    assertThat(overlaps).hasValue(0);
  }

  @Test
  void addAfterQueuesLaterAndTheEarlierTimeWins() throws Exception {
    try (WorkQueue<String> q = new WorkQueue<>("delays")) {
      long start = System.nanoTime();
      q.addAfter("late", Duration.ofMillis(300));
      q.addAfter("soon", Duration.ofMillis(500));
      q.addAfter("soon", Duration.ofMillis(50));
      q.addAfter("soon", Duration.ofSeconds(5));
      q.addAfter("now", Duration.ZERO);
      assertThat(q.len()).isEqualTo(1);
      assertThat(q.get()).isEqualTo("now");
      assertThat(q.get()).isEqualTo("soon");
      // Before "late" (300 ms): the 50 ms delay won over 500 ms and 5 s.
      assertThat(elapsedMillis(start)).isGreaterThanOrEqualTo(50);
      assertThat(q.get()).isEqualTo("late");
      assertThat(elapsedMillis(start)).isGreaterThanOrEqualTo(300);
      // Each delayed item arrived once.
      q.done("now");
      q.done("soon");
      q.done("late");
      assertThat(q.len()).isZero();
    }
    await(WAIT, () -> io.bosun.client.TestCluster.clientThreads().stream()
        .noneMatch(n -> n.equals("bosun-workqueue-delays")), "the delay thread to end");
  }

  @Test
  void exponentialFailureBackoff() {
    RateLimiter<String> r = RateLimiters.exponentialFailure(Duration.ofMillis(5), Duration.ofSeconds(1000));
    assertThat(r.when("a")).isEqualTo(Duration.ofMillis(5));
    assertThat(r.when("a")).isEqualTo(Duration.ofMillis(10));
    assertThat(r.when("a")).isEqualTo(Duration.ofMillis(20));
    assertThat(r.when("b")).isEqualTo(Duration.ofMillis(5));
    assertThat(r.numRequeues("a")).isEqualTo(3);
    for (int i = 0; i < 100; i++) {
      r.when("a");
    }
    assertThat(r.when("a")).isEqualTo(Duration.ofSeconds(1000));
    r.forget("a");
    assertThat(r.numRequeues("a")).isZero();
    assertThat(r.when("a")).isEqualTo(Duration.ofMillis(5));
  }

  @Test
  void tokenBucketOnAFakeClock() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    RateLimiter<String> r = RateLimiters.tokenBucket(10, 100, now::get);
    for (int i = 0; i < 100; i++) {
      assertThat(r.when("x" + i)).isZero();
    }
    // The bucket is empty: each further token is 100 ms further out.
    assertThat(r.when("y")).isEqualTo(Duration.ofMillis(100));
    assertThat(r.when("y")).isEqualTo(Duration.ofMillis(200));
    now.addAndGet(Duration.ofMillis(200).toNanos());
    assertThat(r.when("y")).isEqualTo(Duration.ofMillis(100));
    // A long pause refills to the burst, not beyond.
    now.addAndGet(Duration.ofHours(1).toNanos());
    for (int i = 0; i < 100; i++) {
      assertThat(r.when("z")).isZero();
    }
    assertThat(r.when("z")).isPositive();
    assertThat(r.numRequeues("z")).isZero();
  }

  @Test
  void defaultControllerRateLimiterTakesTheSlowerOfBoth() {
    AtomicLong now = new AtomicLong();
    RateLimiter<String> r = RateLimiters.maxOf(List.of(
        RateLimiters.exponentialFailure(Duration.ofMillis(5), Duration.ofSeconds(1000)),
        RateLimiters.tokenBucket(10, 100, now::get)));
    assertThat(r.when("a")).isEqualTo(Duration.ofMillis(5));
    for (int i = 0; i < 99; i++) {
      r.when("b" + i);
    }
    // Bucket empty: its 100 ms beat a's second backoff of 10 ms.
    assertThat(r.when("a")).isEqualTo(Duration.ofMillis(100));
    assertThat(r.numRequeues("a")).isEqualTo(2);
    r.forget("a");
    assertThat(r.numRequeues("a")).isZero();
    assertThat(RateLimiters.<String>defaultControllerRateLimiter().when("first")).isEqualTo(Duration.ofMillis(5));
  }

  @Test
  void addRateLimitedBacksOffPerItemUntilForgotten() throws Exception {
    List<String> metrics = new CopyOnWriteArrayList<>();
    WorkQueueMetrics recorder = new WorkQueueMetrics() {
      @Override
      public void retried() {
        metrics.add("retried");
      }

      @Override
      public void done(Duration working) {
        metrics.add("done");
      }
    };
    try (WorkQueue<String> q = new WorkQueue<>("limited",
        RateLimiters.exponentialFailure(Duration.ofMillis(100), Duration.ofSeconds(10)), recorder)) {
      long start = System.nanoTime();
      q.addRateLimited("a");
      assertThat(q.len()).isZero();
      assertThat(q.get()).isEqualTo("a");
      assertThat(elapsedMillis(start)).isGreaterThanOrEqualTo(100);
      q.done("a");
      start = System.nanoTime();
      q.addRateLimited("a");
      assertThat(q.numRequeues("a")).isEqualTo(2);
      assertThat(q.get()).isEqualTo("a");
      assertThat(elapsedMillis(start)).isGreaterThanOrEqualTo(200);
      q.forget("a");
      q.done("a");
      assertThat(q.numRequeues("a")).isZero();
      assertThat(metrics).containsExactly("retried", "done", "retried", "done");
    }
  }

  @Test
  void shutDownWakesWorkersAfterTheQueueDrains() throws Exception {
    WorkQueue<String> q = new WorkQueue<>("shutdown");
    List<String> got = new CopyOnWriteArrayList<>();
    AtomicInteger exited = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      workers.add(Thread.ofPlatform().start(() -> {
        try {
          for (String item; (item = q.get()) != null; ) {
            got.add(item);
            q.done(item);
          }
          exited.incrementAndGet();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    // Workers are blocked in get(); a delayed item is pending.
    q.addAfter("never", Duration.ofSeconds(30));
    await(WAIT, () -> workers.stream().allMatch(t -> t.getState() == Thread.State.WAITING), "workers to block");
    q.shutDown();
    for (Thread t : workers) {
      t.join(WAIT.toMillis());
    }
    assertThat(exited).hasValue(3);
    assertThat(got).isEmpty();
    assertThat(q.isShuttingDown()).isTrue();
    // Adds after shutdown are ignored; get returns null at once.
    q.add("late");
    q.addAfter("later", Duration.ofMillis(1));
    assertThat(q.len()).isZero();
    assertThat(q.get()).isNull();
    assertThat(io.bosun.client.TestCluster.clientThreads()).doesNotContain("bosun-workqueue-shutdown");

    // Items queued before the shutdown are still handed out, then null (client-go's Get).
    WorkQueue<String> draining = new WorkQueue<>("draining");
    draining.add("x");
    draining.shutDown();
    assertThat(draining.get()).isEqualTo("x");
    assertThat(draining.get()).isNull();
  }

  private static long elapsedMillis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
