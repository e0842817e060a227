package io.bosun.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.StoreException;
import io.bosun.store.tck.Await;
import io.bosun.store.tck.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Opening and closing: failures to connect, watches ended by close, and no thread left behind. */
class EtcdStoreLifecycleTest {

  @RegisterExtension
  static final EtcdExtension ETCD = new EtcdExtension();

  private static final java.util.concurrent.atomic.AtomicInteger SLOW = new java.util.concurrent.atomic.AtomicInteger();

  /** Threads of the store and of the libraries it embeds. */
  private static final Pattern OURS = Pattern.compile(
      "bosun-etcd.*|jetcd.*|grpc.*|.*ELG.*|nioEventLoop.*|globalEventExecutor.*|vert\\.x.*|.*Netty.*");

  private static List<String> storeThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> OURS.matcher(n).matches()).sorted().toList();
  }

  @Test
  void closeEndsWatchesWithAStoreExceptionAndStopsEveryThread() {
    EtcdStore store = new EtcdStore(EtcdStore.Options.defaults(List.of(ETCD.etcd().endpoint())).withKeyPrefix("/life"));
    RecordingListener live = new RecordingListener();
    RecordingListener replaying = new RecordingListener();
    store.watch(KeyRange.prefix(""), 0, live).requestProgress();
    store.create("/a", "a".getBytes(UTF_8), 0);
    store.watch(KeyRange.prefix(""), 1, replaying);
    Await.until("the event", () -> live.eventCount() == 1 && replaying.eventCount() == 1);
    assertThat(storeThreads()).isNotEmpty();

    store.close();
    store.close();
    assertThat(live.isClosed()).isTrue();
    assertThat(replaying.isClosed()).isTrue();
    assertThat(live.closeCauses()).singleElement().isInstanceOf(StoreException.class);
    assertThat(live.violations()).isEmpty();
    assertThatThrownBy(() -> store.get("/a")).isInstanceOf(StoreException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> store.watch(KeyRange.prefix(""), 0, new RecordingListener()))
        .isInstanceOf(StoreException.class);
    // close() waits for them: at most the moment a thread takes to exit after saying it is done.
    Await.until(Duration.ofSeconds(2), () -> "store threads to end: " + storeThreads(), () -> storeThreads().isEmpty());
  }

  @Test
  void aWatchThatFallsTooFarBehindIsClosedAndNobodyElseWaits() throws Exception {
    try (EtcdStore store = new EtcdStore(EtcdStore.Options.defaults(List.of(ETCD.etcd().endpoint()))
        .withKeyPrefix("/slow" + SLOW.incrementAndGet()).withWatchQueueCapacity(5))) {
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      RecordingListener slowRecord = new RecordingListener();
      io.bosun.store.spi.WatchListener slow = new io.bosun.store.spi.WatchListener() {
        @Override
        public void onEvents(List<io.bosun.store.spi.WatchEvent> events) {
          slowRecord.onEvents(events);
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }

        @Override
        public void onProgress(long revision) {
        }

        @Override
        public void onClose(StoreException cause) {
          slowRecord.onClose(cause);
        }
      };
      RecordingListener fast = new RecordingListener();
      store.watch(KeyRange.prefix(""), 0, slow);
      store.watch(KeyRange.prefix(""), 0, fast);
      for (int i = 0; i < 20; i++) {
        store.create("/k" + i, "v".getBytes(UTF_8), 0);
      }
      Await.until(Duration.ofSeconds(20), () -> "the fast watch: " + fast.eventCount() + " events, slow "
          + slowRecord.eventCount() + (slowRecord.isClosed() ? " closed" : "") + ", store " + store.status(),
          () -> fast.eventCount() == 20);
      release.countDown();
      Await.until("the slow watch to be closed", slowRecord::isClosed);
      assertThat(slowRecord.closeCauses()).singleElement().satisfies(
          c -> assertThat(c).isInstanceOf(StoreException.class).hasMessageContaining("behind"));
      assertThat(fast.isClosed()).isFalse();
      assertThat(fast.violations()).isEmpty();
    }
  }

  @Test
  void anUnreachableClusterFailsTheOpenAfterTheRequestTimeoutAndLeavesNoThread() {
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> new EtcdStore(EtcdStore.Options.defaults(List.of("http://127.0.0.1:1"))
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1))))
        .isInstanceOf(StoreException.class).hasMessageContaining("unavailable");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(10));
    Await.until(Duration.ofSeconds(2), () -> "store threads to end: " + storeThreads(), () -> storeThreads().isEmpty());
  }

  @Test
  void writesFailAfterTheRequestTimeoutWhileEtcdIsDownAndWorkAgainAfterwards() {
    try (EtcdStore store = new EtcdStore(EtcdStore.Options.defaults(List.of(ETCD.etcd().endpoint()))
        .withKeyPrefix("/down").withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)))) {
      store.create("/before", "b".getBytes(UTF_8), 0);
      ETCD.etcd().stop();
      try {
        assertThatThrownBy(() -> store.create("/during", "d".getBytes(UTF_8), 0))
            .isInstanceOf(StoreException.class).hasMessageContaining("unavailable");
        assertThatThrownBy(() -> store.get("/before")).isInstanceOf(StoreException.class);
      } finally {
        ETCD.etcd().startAgain();
      }
      // Whether /during was applied was settled before the exception: it was not.
      assertThat(store.get("/during")).isNull();
      assertThat(store.create("/after", "a".getBytes(UTF_8), 0).revision()).isEqualTo(2);
    }
  }
}
