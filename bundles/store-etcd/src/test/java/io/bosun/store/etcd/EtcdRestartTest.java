package io.bosun.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.WatchEvent;
import io.bosun.store.spi.WriteResult;
import io.bosun.store.tck.Await;
import io.bosun.store.tck.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd goes away and comes back (SIGKILL and SIGTERM, same data directory) while writers keep
 * writing and watches keep watching. Afterwards every acknowledged write is there exactly once,
 * compare-and-swap counters equal their acknowledged increments, revisions are contiguous, and the
 * watches saw every revision once, in order, without being closed.
 */
class EtcdRestartTest {

  @RegisterExtension
  static final EtcdExtension ETCD = new EtcdExtension();

  private static final int WRITERS = 4;
  private static final int RESTARTS = 4;

  @Test
  void acknowledgedWritesSurviveEtcdRestartsAndWatchesResumeWithoutGaps() throws Exception {
    long t0 = System.nanoTime();
    EtcdProcess etcd = ETCD.etcd();
    try (EtcdStore store = new EtcdStore(EtcdStore.Options.defaults(List.of(etcd.endpoint()))
        .withKeyPrefix("/restart").withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(3)))) {
      RecordingListener all = new RecordingListener();
      RecordingListener counters = new RecordingListener();
      store.watch(KeyRange.prefix(""), 0, all);
      store.watch(KeyRange.prefix("/c/"), 0, counters);

      Map<Long, String> acknowledged = new ConcurrentHashMap<>();
      Map<String, String> created = new ConcurrentHashMap<>();
      int[] increments = new int[WRITERS];
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger acks = new AtomicInteger();
      for (int t = 0; t < WRITERS; t++) {
        record(acknowledged, store.create("/c/t" + t, "0".getBytes(UTF_8), 0), "/c/t" + t, acks);
      }

      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < WRITERS; t++) {
        int thread = t;
        writers.add(pool.submit(() -> {
          for (int i = 0; !stop.get(); i++) {
            try {
              String key = "/w/t" + thread + "/" + i;
              String value = key + "@" + i;
              WriteResult w = store.create(key, value.getBytes(UTF_8), 0);
              assertThat(w.succeeded()).as("create %s", key).isTrue();
              created.put(key, value);
              record(acknowledged, w, key, acks);
              if (i % 3 == 0) {
                String counter = "/c/t" + thread;
                KeyValue c = store.get(counter);
                int next = Integer.parseInt(new String(c.value(), UTF_8)) + 1;
                // Only this thread writes its counter: a rejection would mean a lost or doubled write.
                WriteResult u = store.update(counter, Integer.toString(next).getBytes(UTF_8), c.modRevision(), 0);
                assertThat(u.succeeded()).as("increment of %s from %s", counter, c).isTrue();
                increments[thread]++;
                record(acknowledged, u, counter, acks);
              }
            } catch (Throwable e) {
              failures.add(e);
              return null;
            }
          }
          return null;
        }));
      }

      for (int r = 0; r < RESTARTS; r++) {
        int before = acks.get();
        Await.until("writes before restart " + (r + 1), () -> acks.get() >= before + 150 || !failures.isEmpty());
        if (r % 2 == 0) {
          etcd.kill();
        } else {
          etcd.stop();
        }
        etcd.startAgain();
      }
      int beforeEnd = acks.get();
      Await.until(Duration.ofSeconds(60), () -> "writes after the last restart",
          () -> acks.get() >= beforeEnd + 150 || !failures.isEmpty());
      stop.set(true);
      for (Future<?> f : writers) {
        f.get(90, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(failures).isEmpty();

      long last = store.revision();
      // Contiguous: every revision is an acknowledged write of this test, and each one only once.
      assertThat(acknowledged.keySet())
          .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
      created.forEach((key, value) -> assertThat(new String(store.get(key).value(), UTF_8)).isEqualTo(value));
      for (int t = 0; t < WRITERS; t++) {
        assertThat(new String(store.get("/c/t" + t).value(), UTF_8)).isEqualTo(Integer.toString(increments[t]));
      }

      Await.until(Duration.ofSeconds(60), () -> "the watch to reach revision " + last, () -> all.lastRevision() == last);
      assertThat(all.events()).extracting(WatchEvent::revision)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
      assertThat(all.events()).allSatisfy(e -> assertThat(e.key()).isEqualTo(acknowledged.get(e.revision())));
      assertThat(all.isClosed()).isFalse();
      assertThat(all.violations()).isEmpty();
      long counterWrites = acknowledged.values().stream().filter(k -> k.startsWith("/c/")).count();
      Await.until("the counter watch", () -> counters.eventCount() == counterWrites);
      assertThat(counters.isClosed()).isFalse();
      assertThat(counters.violations()).isEmpty();

      // The history replayed from etcd after the restarts is what the live watch saw.
      RecordingListener replay = new RecordingListener();
      store.watch(KeyRange.prefix(""), 1, replay);
      Await.until("the replay", () -> replay.lastRevision() == last);
      assertThat(replay.events()).isEqualTo(all.events());

      Map<String, Object> status = store.status();
      System.out.printf("etcd restart test: %d restarts, %d acknowledged writes in %d ms; unknown outcomes %s "
          + "(resolved applied %s, not applied %s), watch reconnects %s%n", RESTARTS, last,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), status.get("unknownWriteOutcomes"),
          status.get("resolvedApplied"), status.get("resolvedNotApplied"), status.get("watchReconnects"));
      assertThat((Long) status.get("watchReconnects")).isGreaterThanOrEqualTo(RESTARTS);
    }
  }

  private static void record(Map<Long, String> acknowledged, WriteResult w, String key, AtomicInteger acks) {
    assertThat(w.succeeded()).isTrue();
    String previous = acknowledged.putIfAbsent(w.revision(), key);
    assertThat(previous).as("revision %d acknowledged for %s and %s", w.revision(), previous, key).isNull();
    acks.incrementAndGet();
  }
}
