package io.bosun.store.embedded;

import static io.bosun.store.tck.Await.until;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.store.spi.CompactedException;
import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.StoreException;
import io.bosun.store.spi.WatchEvent;
import io.bosun.store.spi.WatchListener;
import io.bosun.store.tck.RecordingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour of the embedded store beyond the shared contract: limits, maintenance, lifecycle. */
class EmbeddedStoreTest {

  @TempDir
  Path dir;

  private EmbeddedStore store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private EmbeddedStore open(EmbeddedStore.Options options) {
    store = new EmbeddedStore(options);
    return store;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void aWatcherThatFallsBehindIsClosedWithoutHoldingOthersBack() throws Exception {
    open(EmbeddedStore.Options.defaults(dir).withWatchQueueCapacity(4));
    CountDownLatch release = new CountDownLatch(1);
    RecordingListener slowRecord = new RecordingListener();
    WatchListener slow = new WatchListener() {
      @Override
      public void onEvents(List<WatchEvent> events) {
        slowRecord.onEvents(events);
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void onProgress(long revision) {
        slowRecord.onProgress(revision);
      }

      @Override
      public void onClose(StoreException cause) {
        slowRecord.onClose(cause);
      }
    };
    RecordingListener fast = new RecordingListener();
    store.watch(KeyRange.prefix("/s/"), 0, slow);
    store.watch(KeyRange.prefix("/s/"), 0, fast);
    for (int i = 0; i < 20; i++) {
      store.create("/s/" + i, bytes("v"), 0);
      // Lockstep keeps the fast watcher's queue short however loaded the machine is.
      int seen = i + 1;
      until("the fast watcher to see event " + seen, () -> fast.eventCount() == seen);
    }
    release.countDown();
    until("the slow watcher to be closed", slowRecord::isClosed);

    assertThat(slowRecord.closeCauses()).singleElement()
        .isInstanceOf(StoreException.class).isNotInstanceOf(CompactedException.class);
    List<Long> seen = slowRecord.events().stream().map(WatchEvent::revision).toList();
    assertThat(seen).isNotEmpty().hasSizeLessThan(20)
        .isEqualTo(LongStream.rangeClosed(1, seen.size()).boxed().toList());
    assertThat(fast.violations()).isEmpty();
    assertThat(slowRecord.violations()).isEmpty();
  }

  @Test
  void closingTheStoreEndsWatchesAndRejectsRequests() {
    open(EmbeddedStore.Options.defaults(dir));
    RecordingListener listener = new RecordingListener();
    store.watch(KeyRange.prefix(""), 0, listener);
    store.create("/a", bytes("1"), 0);
    until("the event", () -> listener.eventCount() == 1);

    store.close();
    store.close();
    until("the watch to end", listener::isClosed);
    assertThat(listener.closeCauses()).singleElement().isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.create("/b", bytes("1"), 0)).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.get("/a")).isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> store.watch(KeyRange.prefix(""), 0, new RecordingListener()))
        .isInstanceOf(StoreException.class);
  }

  @Test
  void automaticCompactionKeepsTheConfiguredNumberOfRevisions() {
    open(EmbeddedStore.Options.defaults(dir).withHistory(10, Duration.ZERO)
        .withMaintenanceInterval(Duration.ofMillis(20)));
    for (int i = 0; i < 50; i++) {
      store.create("/c/" + i, bytes("v" + i), 0);
    }
    until("compaction to revision 41", () -> store.compactRevision() == 41);
    until("history trimmed to 10 revisions", () -> (long) store.status().get("historyRevisions") == 10);
    assertThat(store.range(KeyRange.prefix("/c/"), 0, 41).count()).isEqualTo(41);
    assertThatThrownBy(() -> store.range(KeyRange.prefix("/c/"), 0, 40)).isInstanceOf(CompactedException.class);

    RecordingListener fromOldest = new RecordingListener();
    store.watch(KeyRange.prefix("/c/"), 41, fromOldest);
    until("replay of the kept history", () -> fromOldest.eventCount() == 10);
  }

  @Test
  void automaticCompactionKeepsTheConfiguredDuration() {
    Duration window = Duration.ofSeconds(1);
    open(EmbeddedStore.Options.defaults(dir).withHistory(1, window).withMaintenanceInterval(Duration.ofMillis(20)));
    long start = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      store.create("/t/" + i, bytes("v"), 0);
    }
    until("compaction once the window has passed", () -> store.compactRevision() > 0);
    // Revisions written after start can only be compacted once they are older than the window.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(window);
    until("compaction of everything older than the window", () -> store.compactRevision() == 10);
  }

  @Test
  void writesWithAnUnknownLeaseAreRejected() {
    open(EmbeddedStore.Options.defaults(dir));
    assertThatThrownBy(() -> store.create("/l", bytes("1"), 12345)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.grantLease(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(store.revision()).isZero();
    assertThat(store.create("/l", bytes("1"), 0).revision()).isEqualTo(1);
  }

  @Test
  void leasesSurviveARestartAndStillExpire() {
    open(EmbeddedStore.Options.defaults(dir));
    long lease = store.grantLease(2);
    store.create("/lease/a", bytes("1"), lease);
    long created = store.revision();
    store.close();

    open(EmbeddedStore.Options.defaults(dir));
    RecordingListener listener = new RecordingListener();
    store.watch(KeyRange.prefix("/lease/"), created, listener);
    until("the key to expire after the restart", () -> store.get("/lease/a") == null);
    until("its delete event", () -> listener.eventCount() == 2);
    WatchEvent delete = listener.events().get(1);
    assertThat(delete.type()).isEqualTo(WatchEvent.Type.DELETE);
    assertThat(delete.prevKv().lease()).isEqualTo(lease);
  }

  @Test
  void fsyncOffStillPersistsAcrossACleanClose() {
    open(EmbeddedStore.Options.defaults(dir).withFsync(false));
    for (int i = 0; i < 10; i++) {
      store.create("/n/" + i, bytes("v" + i), 0);
    }
    store.close();
    open(EmbeddedStore.Options.defaults(dir));
    assertThat(store.revision()).isEqualTo(10);
    assertThat(store.count(KeyRange.prefix("/n/"))).isEqualTo(10);
    assertThat(store.status()).containsEntry("backend", "embedded").containsEntry("keys", 10L);
  }

  @Test
  void aSecondStoreCannotOpenTheSameDirectory() {
    open(EmbeddedStore.Options.defaults(dir));
    assertThatThrownBy(() -> new EmbeddedStore(EmbeddedStore.Options.defaults(dir)))
        .isInstanceOf(StoreException.class);
    assertThat(store.create("/still/works", bytes("1"), 0).succeeded()).isTrue();
  }
}
