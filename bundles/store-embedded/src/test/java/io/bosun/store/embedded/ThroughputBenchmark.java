package io.bosun.store.embedded;

import io.bosun.store.spi.KeyRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rough write and read throughput, printed, not asserted. Off by default (it takes time and the
 * figures depend on the disk): run with {@code -Dbosun.store.bench=true -Dtest=ThroughputBenchmark}.
 */
@EnabledIfSystemProperty(named = "bosun.store.bench", matches = "true")
class ThroughputBenchmark {

  @TempDir
  Path dir;

  @Test
  void writes() throws Exception {
    byte[] value = new byte[1024];
    for (boolean fsync : new boolean[] {true, false}) {
      for (int threads : new int[] {1, 8, 64}) {
        Path d = dir.resolve("w-" + fsync + "-" + threads);
        try (EmbeddedStore store = new EmbeddedStore(EmbeddedStore.Options.defaults(d).withFsync(fsync))) {
          long millis = Duration.ofSeconds(3).toMillis();
          AtomicLong done = new AtomicLong();
          long start = System.nanoTime();
          run(threads, t -> {
            for (int i = 0; System.nanoTime() - start < millis * 1_000_000; i++) {
              store.create("/bench/" + t + "/" + i, value, 0);
              done.incrementAndGet();
            }
          });
          double seconds = (System.nanoTime() - start) / 1e9;
          System.out.printf("writes fsync=%s threads=%d: %.0f/s (%d commits for %d writes)%n", fsync, threads,
              done.get() / seconds, (long) store.status().get("commits"), done.get());
        }
      }
    }
  }

  @Test
  void readsAndChurn() throws Exception {
    byte[] value = new byte[1024];
    try (EmbeddedStore store = new EmbeddedStore(EmbeddedStore.Options.defaults(dir.resolve("r"))
        .withHistory(10_000, Duration.ZERO).withMaintenanceInterval(Duration.ofMillis(100)))) {
      for (int i = 0; i < 10_000; i++) {
        store.create(String.format("/pods/ns%d/p%05d", i % 10, i), value, 0);
      }
      long start = System.nanoTime();
      long lists = 0;
      while (System.nanoTime() - start < 2_000_000_000L) {
        store.range(KeyRange.prefix("/pods/ns3/"), 500, 0);
        lists++;
      }
      System.out.printf("range of 500 of 1000 keys (of 10000): %.0f/s%n", lists / ((System.nanoTime() - start) / 1e9));
      long gets = 0;
      start = System.nanoTime();
      while (System.nanoTime() - start < 2_000_000_000L) {
        store.get(String.format("/pods/ns%d/p%05d", gets % 10, gets % 10_000));
        gets++;
      }
      System.out.printf("get: %.0f/s%n", gets / ((System.nanoTime() - start) / 1e9));

      // Churn: 200k updates over the same keys; compaction and housekeeping should bound the file.
      long rev0 = store.revision();
      start = System.nanoTime();
      run(8, t -> {
        for (int i = 0; i < 25_000; i++) {
          int index = (i * 8 + t) % 10_000;
          String key = String.format("/pods/ns%d/p%05d", index % 10, index);
          var kv = store.get(key);
          store.update(key, value, kv.modRevision(), 0);
        }
      });
      System.out.printf("churn: %d updates in %.1fs; file %d MB; history %s; past range (5000 revisions back) ",
          store.revision() - rev0, (System.nanoTime() - start) / 1e9,
          Files.size(dir.resolve("r").resolve(EmbeddedStore.FILE_NAME)) >> 20, store.status().get("historyRevisions"));
      start = System.nanoTime();
      int n = 0;
      while (System.nanoTime() - start < 1_000_000_000L) {
        store.range(KeyRange.prefix("/pods/ns3/"), 500, store.revision() - 5000);
        n++;
      }
      System.out.printf("%.0f/s%n", n / ((System.nanoTime() - start) / 1e9));
    }
  }

  private interface Body {
    void run(int thread) throws Exception;
  }

  private static void run(int threads, Body body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          body.run(thread);
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
