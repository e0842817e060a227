package io.bosun.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.StoreException;
import io.bosun.store.spi.WatchEvent;
import io.bosun.store.spi.WriteResult;
import io.bosun.store.tck.Await;
import io.bosun.store.tck.RecordingListener;
import io.etcd.jetcd.kv.TxnResponse;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Writes whose answer is lost, made deterministic: the transaction is sent through a hook that
 * lets etcd apply it and then reports a lost connection instead of the answer (or fails before
 * sending). The store must tell applied from not applied, never apply a write twice, and answer
 * as if nothing had gone wrong.
 */
class UnknownOutcomeTest {

  @RegisterExtension
  static final EtcdExtension ETCD = new EtcdExtension();

  private static final AtomicInteger STORES = new AtomicInteger();

  private EtcdStore store;

  @BeforeEach
  void open() {
    store = new EtcdStore(EtcdStore.Options.defaults(List.of(ETCD.etcd().endpoint()))
        .withKeyPrefix("/unknown" + STORES.incrementAndGet())
        .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(5)));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static RuntimeException lost() {
    return Status.UNAVAILABLE.withDescription("test: connection lost").asRuntimeException();
  }

  /**
   * Applies the first {@code n} transactions but loses their answers; {@code meanwhile} runs after
   * each is applied and before the loss is reported.
   */
  private EtcdStore.TxnSender loseAnswers(int n, Runnable meanwhile) {
    AtomicInteger calls = new AtomicInteger();
    return (kv, cmp, then, otherwise) -> {
      CompletableFuture<TxnResponse> real = kv.txn().If(cmp).Then(then).Else(otherwise).commit();
      if (calls.incrementAndGet() > n) {
        return real;
      }
      real.join();
      meanwhile.run();
      return CompletableFuture.failedFuture(lost());
    };
  }

  /** Fails the first {@code n} transactions without sending them. */
  private static EtcdStore.TxnSender dropRequests(int n) {
    AtomicInteger calls = new AtomicInteger();
    return (kv, cmp, then, otherwise) -> calls.incrementAndGet() > n
        ? kv.txn().If(cmp).Then(then).Else(otherwise).commit()
        : CompletableFuture.failedFuture(lost());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private long status(String key) {
    return ((Number) store.status().get(key)).longValue();
  }

  @Test
  void aCreateAppliedWithItsAnswerLostSucceedsOnce() {
    store.sender(loseAnswers(1, () -> { }));
    WriteResult r = store.create("/a", bytes("v"), 0);
    assertThat(r).isEqualTo(WriteResult.applied(1, new KeyValue("/a", bytes("v"), 1, 1, 1, 0)));
    assertThat(store.revision()).isEqualTo(1);
    assertThat(status("resolvedApplied")).isEqualTo(1);
    assertThat(status("resolvedNotApplied")).isZero();
  }

  @Test
  void updatesAndDeletesAppliedWithTheirAnswersLostSucceedOnce() {
    store.create("/u", bytes("1"), 0); // 1
    store.create("/d", bytes("d"), 0); // 2
    store.create("/d0", bytes("d0"), 0); // 3
    store.sender(loseAnswers(3, () -> { }));

    assertThat(store.update("/u", bytes("2"), 1, 0))
        .isEqualTo(WriteResult.applied(4, new KeyValue("/u", bytes("2"), 1, 4, 2, 0)));
    assertThat(store.delete("/d", 2)).isEqualTo(WriteResult.applied(5, new KeyValue("/d", bytes("d"), 2, 2, 1, 0)));
    assertThat(store.delete("/d0", 0))
        .isEqualTo(WriteResult.applied(6, new KeyValue("/d0", bytes("d0"), 3, 3, 1, 0)));
    assertThat(store.revision()).isEqualTo(6);
    assertThat(status("resolvedApplied")).isEqualTo(3);
  }

  @Test
  void aWriteThatNeverReachedEtcdIsSentAgainAndAppliedOnce() {
    store.sender(dropRequests(2));
    assertThat(store.create("/n", bytes("v"), 0).revision()).isEqualTo(1);
    assertThat(store.revision()).isEqualTo(1);
    assertThat(status("resolvedNotApplied")).isEqualTo(2);
    assertThat(status("resolvedApplied")).isZero();
  }

  @Test
  void theTokenIsFoundInHistoryWhenLaterWritesOfTheSameStoreOverwroteIt() {
    store.sender(loseAnswers(1, () -> store.create("/later", bytes("l"), 0)));
    WriteResult r = store.create("/first", bytes("f"), 0);
    // Applied at 1; the write made while its answer was "in flight" got 2.
    assertThat(r.revision()).isEqualTo(1);
    assertThat(store.get("/later").modRevision()).isEqualTo(2);
    assertThat(store.revision()).isEqualTo(2);
    assertThat(status("resolvedApplied")).isEqualTo(1);
  }

  @Test
  void aRejectedWriteWithItsAnswerLostIsStillRejected() {
    store.create("/r", bytes("1"), 0);
    store.sender(loseAnswers(1, () -> { }));
    assertThat(store.create("/r", bytes("2"), 0))
        .isEqualTo(WriteResult.rejected(1, new KeyValue("/r", bytes("1"), 1, 1, 1, 0)));
    assertThat(store.revision()).isEqualTo(1);
  }

  @Test
  void anOutcomeThatCompactionMadeUnknowableFailsInsteadOfGuessing() {
    store.sender(loseAnswers(1, () -> {
      store.create("/other", bytes("o"), 0);
      store.compact(store.revision());
    }));
    assertThatThrownBy(() -> store.create("/x", bytes("x"), 0))
        .isInstanceOf(StoreException.class).hasMessageContaining("unknown");
  }

  /** Exactly-once under random failures: counters incremented by CAS equal the acknowledged increments. */
  @Test
  void casIncrementsUnderRandomLostAnswersAndDroppedRequestsAreAppliedExactlyOnce() throws Exception {
    RecordingListener watch = new RecordingListener();
    store.watch(KeyRange.prefix("/cnt/"), 0, watch);
    store.sender((kv, cmp, then, otherwise) -> {
      int dice = ThreadLocalRandom.current().nextInt(10);
      if (dice == 0) {
        return CompletableFuture.failedFuture(lost());
      }
      CompletableFuture<TxnResponse> real = kv.txn().If(cmp).Then(then).Else(otherwise).commit();
      return dice <= 2 ? real.thenCompose(r -> CompletableFuture.failedFuture(lost())) : real;
    });
    int threads = 4;
    int increments = 40;
    for (int c = 0; c < 2; c++) {
      store.create("/cnt/" + c, bytes("0"), 0);
    }
    Map<Long, String> revisions = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < increments; i++) {
            String key = "/cnt/" + ThreadLocalRandom.current().nextInt(2);
            while (true) {
              KeyValue c = store.get(key);
              int next = Integer.parseInt(new String(c.value(), UTF_8)) + 1;
              WriteResult u = store.update(key, bytes(Integer.toString(next)), c.modRevision(), 0);
              if (u.succeeded()) {
                assertThat(revisions.put(u.revision(), key)).isNull();
                assertThat(new String(u.kv().value(), UTF_8)).isEqualTo(Integer.toString(next));
                break;
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    int total = threads * increments;
    long sum = 0;
    for (int c = 0; c < 2; c++) {
      sum += Long.parseLong(new String(store.get("/cnt/" + c).value(), UTF_8));
    }
    assertThat(sum).isEqualTo(total);
    assertThat(store.revision()).isEqualTo(2 + total);
    assertThat(revisions.keySet()).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(3, 2 + total).boxed().toList());
    Await.until("every increment at the watch", () -> watch.eventCount() >= total + 2);
    assertThat(watch.events()).extracting(WatchEvent::revision)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 2 + total).boxed().toList());
    assertThat(watch.violations()).isEmpty();
    assertThat(status("unknownWriteOutcomes")).isPositive();
    System.out.printf("random failures: %d CAS increments, %d unknown outcomes, %d resolved applied, %d not applied%n",
        total, status("unknownWriteOutcomes"), status("resolvedApplied"), status("resolvedNotApplied"));
  }
}
