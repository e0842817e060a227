package io.bosun.store.tck;

import static io.bosun.store.tck.Await.until;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.store.spi.CompactedException;
import io.bosun.store.spi.FutureRevisionException;
import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.KeyValueStore;
import io.bosun.store.spi.RangeResult;
import io.bosun.store.spi.StoreException;
import io.bosun.store.spi.Watch;
import io.bosun.store.spi.WatchEvent;
import io.bosun.store.spi.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link KeyValueStore} backend must pass. A backend's test subclasses this and
 * implements the three hooks; every test starts on a fresh, empty store.
 *
 * <p>Tests wait on observable conditions with deadlines ({@link Await}), never on sleeps. Figures
 * that cost time (thread counts, lease TTL) can be tuned through the protected methods so that a
 * remote backend can pass in reasonable time. Test methods are public so that a backend with a
 * documented deviation can override one (without {@code @Test}) to switch it off.
 */
public abstract class KeyValueStoreContractTest {

  /** The store under test, as returned by the last {@link #openStore()} or {@link #reopenStore()}. */
  protected KeyValueStore store;

  private final List<Watch> openWatches = Collections.synchronizedList(new ArrayList<>());

  /** Opens a new, empty store; called before every test. */
  protected abstract KeyValueStore openStore() throws Exception;

  /** Closes the store last opened; called after every test. Must tolerate a store already closed. */
  protected abstract void closeStore() throws Exception;

  /**
   * Closes the store last opened and opens it again on the same data, as a process restart would.
   * Only durability tests call this.
   */
  protected abstract KeyValueStore reopenStore() throws Exception;

  /** The lease TTL used by lease tests: as short as the backend accepts. */
  protected long shortLeaseTtlSeconds() {
    return 1;
  }

  /** Writer threads in the concurrency test. */
  protected int concurrentWriters() {
    return 8;
  }

  /** Writes per thread in the concurrency test. */
  protected int writesPerWriter() {
    return 100;
  }

  @BeforeEach
  void openFreshStore() throws Exception {
    store = openStore();
  }

  @AfterEach
  void closeEverything() throws Exception {
    synchronized (openWatches) {
      openWatches.forEach(Watch::close);
    }
    closeStore();
  }

  // ---------------------------------------------------------------- revisions and writes

  @Test
  public void firstRevisionIsOneAndEveryWriteAdvancesByOne() {
    assertThat(store.revision()).isZero();
    WriteResult first = store.create("/r/a", bytes("1"), 0);
    assertThat(first.succeeded()).isTrue();
    assertThat(first.revision()).isEqualTo(1);
    assertThat(store.update("/r/a", bytes("2"), 1, 0).revision()).isEqualTo(2);
    assertThat(store.create("/r/b", bytes("1"), 0).revision()).isEqualTo(3);
    assertThat(store.delete("/r/a", 0).revision()).isEqualTo(4);
    assertThat(store.revision()).isEqualTo(4);
  }

  @Test
  public void failedWritesDoNotAdvanceTheRevision() {
    store.create("/f/a", bytes("1"), 0);
    assertThat(store.create("/f/a", bytes("x"), 0).succeeded()).isFalse();
    assertThat(store.update("/f/a", bytes("x"), 99, 0).succeeded()).isFalse();
    assertThat(store.update("/f/missing", bytes("x"), 1, 0).succeeded()).isFalse();
    assertThat(store.delete("/f/missing", 0).succeeded()).isFalse();
    assertThat(store.revision()).isEqualTo(1);
    assertThat(store.create("/f/b", bytes("1"), 0).revision()).isEqualTo(2);
  }

  @Test
  public void createReturnsTheKeyAsWrittenAndFailsOnAnExistingKey() {
    WriteResult created = store.create("/c/a", bytes("v1"), 0);
    assertThat(created).isEqualTo(WriteResult.applied(1, kv("/c/a", "v1", 1, 1, 1, 0)));

    WriteResult again = store.create("/c/a", bytes("v2"), 0);
    assertThat(again).isEqualTo(WriteResult.rejected(1, kv("/c/a", "v1", 1, 1, 1, 0)));
    assertThat(store.get("/c/a")).isEqualTo(kv("/c/a", "v1", 1, 1, 1, 0));
  }

  @Test
  public void updateComparesTheModRevision() {
    store.create("/u/a", bytes("v1"), 0);
    WriteResult updated = store.update("/u/a", bytes("v2"), 1, 0);
    assertThat(updated).isEqualTo(WriteResult.applied(2, kv("/u/a", "v2", 1, 2, 2, 0)));

    WriteResult stale = store.update("/u/a", bytes("v3"), 1, 0);
    assertThat(stale).isEqualTo(WriteResult.rejected(2, kv("/u/a", "v2", 1, 2, 2, 0)));

    WriteResult absent = store.update("/u/missing", bytes("v"), 2, 0);
    assertThat(absent).isEqualTo(WriteResult.rejected(2, null));
    assertThat(store.get("/u/missing")).isNull();
    assertThat(store.get("/u/a").value()).isEqualTo(bytes("v2"));
  }

  @Test
  public void deleteComparesTheModRevisionUnlessItIsZero() {
    store.create("/d/a", bytes("a"), 0);
    store.create("/d/b", bytes("b"), 0);

    WriteResult stale = store.delete("/d/a", 2);
    assertThat(stale).isEqualTo(WriteResult.rejected(2, kv("/d/a", "a", 1, 1, 1, 0)));
    assertThat(store.get("/d/a")).isNotNull();

    WriteResult deleted = store.delete("/d/a", 1);
    assertThat(deleted).isEqualTo(WriteResult.applied(3, kv("/d/a", "a", 1, 1, 1, 0)));
    assertThat(store.get("/d/a")).isNull();

    WriteResult unconditional = store.delete("/d/b", 0);
    assertThat(unconditional).isEqualTo(WriteResult.applied(4, kv("/d/b", "b", 2, 2, 1, 0)));

    assertThat(store.delete("/d/a", 0)).isEqualTo(WriteResult.rejected(4, null));
    assertThat(store.delete("/d/a", 3)).isEqualTo(WriteResult.rejected(4, null));
  }

  @Test
  public void createRevisionAndVersionFollowEtcd() {
    store.create("/v/a", bytes("1"), 0); // rev 1
    store.create("/v/other", bytes("x"), 0); // rev 2
    store.update("/v/a", bytes("2"), 1, 0); // rev 3
    store.update("/v/a", bytes("3"), 3, 0); // rev 4
    assertThat(store.get("/v/a")).isEqualTo(kv("/v/a", "3", 1, 4, 3, 0));

    store.delete("/v/a", 4); // rev 5
    WriteResult recreated = store.create("/v/a", bytes("new"), 0); // rev 6
    assertThat(recreated.kv()).isEqualTo(kv("/v/a", "new", 6, 6, 1, 0));
    assertThat(store.get("/v/a")).isEqualTo(kv("/v/a", "new", 6, 6, 1, 0));
  }

  @Test
  public void getReturnsTheLatestValueOrNull() {
    assertThat(store.get("/g/a")).isNull();
    store.create("/g/a", bytes("1"), 0);
    store.create("/g/ab", bytes("2"), 0);
    assertThat(store.get("/g/a")).isEqualTo(kv("/g/a", "1", 1, 1, 1, 0));
    assertThat(store.get("/g/")).isNull();
    assertThat(store.get("/g/abc")).isNull();
  }

  @Test
  public void emptyValuesAreStored() {
    store.create("/e/a", new byte[0], 0);
    assertThat(store.get("/e/a").value()).isEmpty();
  }

  // ---------------------------------------------------------------- ranges

  @Test
  public void rangeReturnsThePrefixInKeyOrder() {
    for (String k : List.of("/p/b", "/p/a", "/p", "/p0", "/p/c/d", "/o", "/p/", "/q")) {
      store.create(k, bytes(k), 0);
    }
    RangeResult r = store.range(KeyRange.prefix("/p/"), 0, 0);
    assertThat(keys(r)).containsExactly("/p/", "/p/a", "/p/b", "/p/c/d");
    assertThat(r.more()).isFalse();
    assertThat(r.count()).isEqualTo(4);
    assertThat(r.revision()).isEqualTo(store.revision());
    assertThat(r.kvs().get(1)).isEqualTo(store.get("/p/a"));

    assertThat(keys(store.range(KeyRange.single("/p"), 0, 0))).containsExactly("/p");
    assertThat(keys(store.range(new KeyRange("/p/a", "/p/c"), 0, 0))).containsExactly("/p/a", "/p/b");
    assertThat(keys(store.range(new KeyRange("/p/b", null), 0, 0)))
        .containsExactly("/p/b", "/p/c/d", "/p0", "/q");
    assertThat(store.range(KeyRange.prefix(""), 0, 0).count()).isEqualTo(8);
    assertThat(store.range(KeyRange.prefix("/none/"), 0, 0).kvs()).isEmpty();
  }

  /** Keys order by UTF-16 code units, as {@link String#compareTo} does (not by UTF-8 bytes). */
  @Test
  public void keyOrderIsUtf16CodeUnitOrder() {
    List<String> keys = List.of("/k/\uE000", "/k/\uD83D\uDE00", "/k/z", "/k/Z", "/k/\u00E9");
    keys.forEach(k -> store.create(k, bytes(k), 0));
    List<String> sorted = new ArrayList<>(keys);
    Collections.sort(sorted);
    assertThat(keys(store.range(KeyRange.prefix("/k/"), 0, 0))).containsExactlyElementsOf(sorted);
  }

  @Test
  public void rangeLimitReportsMoreAndTheCountOfTheWholeRange() {
    for (int i = 0; i < 5; i++) {
      store.create("/l/" + i, bytes("v" + i), 0);
    }
    store.create("/m/x", bytes("x"), 0);

    RangeResult page = store.range(KeyRange.prefix("/l/"), 2, 0);
    assertThat(keys(page)).containsExactly("/l/0", "/l/1");
    assertThat(page.more()).isTrue();
    assertThat(page.count()).isEqualTo(5);

    RangeResult exact = store.range(KeyRange.prefix("/l/"), 5, 0);
    assertThat(exact.kvs()).hasSize(5);
    assertThat(exact.more()).isFalse();
    assertThat(store.count(KeyRange.prefix("/l/"))).isEqualTo(5);
    assertThat(store.count(KeyRange.prefix("/"))).isEqualTo(6);
    assertThat(store.count(KeyRange.prefix("/none/"))).isZero();
  }

  @Test
  public void pagingContinuesAfterTheLastKeyAtAFixedRevision() {
    for (int i = 0; i < 10; i++) {
      store.create(String.format("/pg/%02d", i), bytes("v" + i), 0);
    }
    KeyRange range = KeyRange.prefix("/pg/");
    RangeResult first = store.range(range, 3, 0);
    long at = first.revision();
    List<String> seen = new ArrayList<>(keys(first));
    // Writes between pages must not show up in pages read at the first page's revision.
    store.create("/pg/05a", bytes("late"), 0);
    store.delete("/pg/07", 0);
    store.update("/pg/09", bytes("changed"), store.get("/pg/09").modRevision(), 0);

    RangeResult page = first;
    List<Long> counts = new ArrayList<>();
    while (page.more()) {
      String last = page.kvs().get(page.kvs().size() - 1).key();
      page = store.range(range.startingAt(last + '\0'), 3, at);
      assertThat(page.revision()).isEqualTo(at);
      counts.add(page.count());
      seen.addAll(keys(page));
    }
    assertThat(seen).containsExactly("/pg/00", "/pg/01", "/pg/02", "/pg/03", "/pg/04", "/pg/05", "/pg/06",
        "/pg/07", "/pg/08", "/pg/09");
    assertThat(counts).containsExactly(7L, 4L, 1L);
    assertThat(store.range(KeyRange.single("/pg/09"), 0, at).kvs().get(0).value()).isEqualTo(bytes("v9"));
  }

  @Test
  public void rangeAtAPastRevisionSeesTheKeysAsTheyWere() {
    store.create("/h/a", bytes("a1"), 0); // 1
    store.create("/h/b", bytes("b1"), 0); // 2
    store.create("/h/c", bytes("c1"), 0); // 3
    KeyValue a1 = store.get("/h/a");
    KeyValue b1 = store.get("/h/b");
    KeyValue c1 = store.get("/h/c");
    store.update("/h/a", bytes("a2"), 1, 0); // 4
    store.delete("/h/b", 0); // 5
    store.create("/h/d", bytes("d1"), 0); // 6
    store.create("/h/0", bytes("01"), 0); // 7
    store.delete("/h/c", 0); // 8
    store.create("/h/c", bytes("c2"), 0); // 9
    store.create("/x/outside", bytes("x"), 0); // 10

    KeyRange range = KeyRange.prefix("/h/");
    RangeResult at3 = store.range(range, 0, 3);
    assertThat(at3.kvs()).containsExactly(a1, b1, c1);
    assertThat(at3.count()).isEqualTo(3);
    assertThat(at3.revision()).isEqualTo(3);
    assertThat(at3.more()).isFalse();

    RangeResult limited = store.range(range, 2, 3);
    assertThat(limited.kvs()).containsExactly(a1, b1);
    assertThat(limited.more()).isTrue();
    assertThat(limited.count()).isEqualTo(3);
    RangeResult rest = store.range(range.startingAt("/h/b\0"), 2, 3);
    assertThat(rest.kvs()).containsExactly(c1);
    assertThat(rest.more()).isFalse();
    assertThat(rest.count()).isEqualTo(1);

    RangeResult at6 = store.range(range, 0, 6);
    assertThat(keys(at6)).containsExactly("/h/a", "/h/c", "/h/d");
    assertThat(at6.kvs().get(0)).isEqualTo(kv("/h/a", "a2", 1, 4, 2, 0));
    assertThat(at6.count()).isEqualTo(3);

    RangeResult at8 = store.range(range, 0, 8);
    assertThat(keys(at8)).containsExactly("/h/0", "/h/a", "/h/d");
    assertThat(store.range(KeyRange.single("/h/c"), 0, 7).kvs()).containsExactly(c1);

    RangeResult latest = store.range(range, 0, 0);
    assertThat(keys(latest)).containsExactly("/h/0", "/h/a", "/h/c", "/h/d");
    assertThat(latest.kvs().get(2)).isEqualTo(kv("/h/c", "c2", 9, 9, 1, 0));
    assertThat(store.range(range, 0, 10).kvs()).isEqualTo(latest.kvs());
  }

  @Test
  public void rangeAtAFutureRevisionFails() {
    store.create("/fr/a", bytes("1"), 0);
    assertThatThrownBy(() -> store.range(KeyRange.prefix("/fr/"), 0, 2))
        .isInstanceOf(FutureRevisionException.class);
    assertThat(store.range(KeyRange.prefix("/fr/"), 0, 1).kvs()).hasSize(1);
  }

  // ---------------------------------------------------------------- compaction

  @Test
  public void compactionRejectsOlderRevisionsForRangesAndWatches() {
    store.create("/cp/a", bytes("a1"), 0); // 1
    store.update("/cp/a", bytes("a2"), 1, 0); // 2
    store.create("/cp/b", bytes("b1"), 0); // 3
    store.delete("/cp/a", 0); // 4
    store.create("/cp/c", bytes("c1"), 0); // 5
    assertThat(store.compactRevision()).isLessThanOrEqualTo(1);

    store.compact(3);
    assertThat(store.compactRevision()).isEqualTo(3);

    KeyRange range = KeyRange.prefix("/cp/");
    assertThatThrownBy(() -> store.range(range, 0, 2))
        .isInstanceOfSatisfying(CompactedException.class, e -> assertThat(e.compactRevision()).isEqualTo(3));
    assertThat(keys(store.range(range, 0, 3))).containsExactly("/cp/a", "/cp/b");
    assertThat(store.range(range, 0, 3).kvs().get(0).value()).isEqualTo(bytes("a2"));
    assertThat(keys(store.range(range, 0, 4))).containsExactly("/cp/b");
    assertThat(keys(store.range(range, 0, 0))).containsExactly("/cp/b", "/cp/c");

    RecordingListener tooOld = new RecordingListener();
    watch(range, 2, tooOld);
    until("watch from a compacted revision to be closed", tooOld::isClosed);
    assertThat(tooOld.closeCauses()).singleElement().isInstanceOf(CompactedException.class);
    assertThat(tooOld.events()).isEmpty();

    RecordingListener fromCompacted = new RecordingListener();
    watch(range, 3, fromCompacted);
    until("replay from the compact revision", () -> fromCompacted.eventCount() == 3);
    assertThat(revisions(fromCompacted.events())).containsExactly(3L, 4L, 5L);

    // Compacting again at or below the compact revision changes nothing; past the head is an error.
    store.compact(2);
    assertThat(store.compactRevision()).isEqualTo(3);
    assertThatThrownBy(() -> store.compact(store.revision() + 1)).isInstanceOf(FutureRevisionException.class);
    store.compact(store.revision());
    assertThat(store.compactRevision()).isEqualTo(5);
    assertThat(keys(store.range(range, 0, 5))).containsExactly("/cp/b", "/cp/c");
    assertThat(fromCompacted.violations()).isEmpty();
  }

  // ---------------------------------------------------------------- watches

  @Test
  public void watchFromAPastRevisionReplaysThenStreamsLiveEventsWithPrevKv() {
    KeyValue a1 = store.create("/w/a", bytes("a1"), 0).kv(); // 1
    KeyValue a2 = store.update("/w/a", bytes("a2"), 1, 0).kv(); // 2
    KeyValue b1 = store.create("/w/b", bytes("b1"), 0).kv(); // 3
    store.delete("/w/a", 0); // 4

    RecordingListener listener = new RecordingListener();
    watch(KeyRange.prefix("/w/"), 2, listener);
    until("replay of revisions 2..4", () -> listener.eventCount() == 3);

    KeyValue c1 = store.create("/w/c", bytes("c1"), 0).kv(); // 5
    KeyValue b2 = store.update("/w/b", bytes("b2"), 3, 0).kv(); // 6
    until("live events 5 and 6", () -> listener.eventCount() == 5);

    assertThat(listener.events()).containsExactly(
        new WatchEvent(WatchEvent.Type.PUT, "/w/a", 2, a2, a1),
        new WatchEvent(WatchEvent.Type.PUT, "/w/b", 3, b1, null),
        new WatchEvent(WatchEvent.Type.DELETE, "/w/a", 4, null, a2),
        new WatchEvent(WatchEvent.Type.PUT, "/w/c", 5, c1, null),
        new WatchEvent(WatchEvent.Type.PUT, "/w/b", 6, b2, b1));
    assertThat(listener.violations()).isEmpty();
  }

  @Test
  public void watchFromZeroSeesOnlyNewEvents() {
    store.create("/w0/old", bytes("old"), 0);
    RecordingListener listener = new RecordingListener();
    watch(KeyRange.prefix("/w0/"), 0, listener);
    store.create("/w0/new", bytes("new"), 0);
    until("the new event", () -> listener.eventCount() >= 1);
    // A marker written after it proves nothing else was queued in between.
    store.create("/w0/marker", bytes("m"), 0);
    until("the marker event", () -> listener.eventCount() >= 2);
    assertThat(listener.events()).extracting(WatchEvent::key).containsExactly("/w0/new", "/w0/marker");
    assertThat(listener.violations()).isEmpty();
  }

  @Test
  public void watchFromAFutureRevisionStartsThere() {
    store.create("/wf/a", bytes("1"), 0); // 1
    RecordingListener listener = new RecordingListener();
    watch(KeyRange.prefix("/wf/"), 3, listener);
    store.create("/wf/b", bytes("2"), 0); // 2
    store.create("/wf/c", bytes("3"), 0); // 3
    until("the event at revision 3", () -> listener.eventCount() >= 1);
    assertThat(revisions(listener.events())).containsExactly(3L);
  }

  @Test
  public void watchSeesOnlyItsRange() {
    RecordingListener listener = new RecordingListener();
    watch(KeyRange.prefix("/wr/a/"), 0, listener);
    store.create("/wr/a", bytes("x"), 0);
    store.create("/wr/a0", bytes("x"), 0);
    store.create("/wr/b/x", bytes("x"), 0);
    store.create("/wr/a/x", bytes("x"), 0);
    store.create("/wr/a/y", bytes("x"), 0);
    store.delete("/wr/a0", 0);
    store.delete("/wr/a/x", 0);
    until("three events in range", () -> listener.eventCount() >= 3);
    store.create("/wr/a/z", bytes("end"), 0);
    until("the closing event", () -> listener.eventCount() >= 4);
    assertThat(listener.events()).extracting(WatchEvent::key)
        .containsExactly("/wr/a/x", "/wr/a/y", "/wr/a/x", "/wr/a/z");
    assertThat(listener.events()).extracting(WatchEvent::type)
        .containsExactly(WatchEvent.Type.PUT, WatchEvent.Type.PUT, WatchEvent.Type.DELETE, WatchEvent.Type.PUT);

    RecordingListener single = new RecordingListener();
    watch(KeyRange.single("/wr/a"), 1, single);
    until("the single key's event", () -> single.eventCount() >= 1);
    assertThat(single.events()).extracting(WatchEvent::key).containsExactly("/wr/a");
  }

  @Test
  public void requestProgressReportsARevisionAfterEveryEventUpToIt() {
    for (int i = 0; i < 20; i++) {
      store.create("/pr/" + i, bytes("v"), 0);
      store.create("/other/" + i, bytes("v"), 0);
    }
    // Replaying from history: the progress must come after the replayed events.
    RecordingListener listener = new RecordingListener();
    Watch w = watch(KeyRange.prefix("/pr/"), 1, listener);
    w.requestProgress();
    until("progress covering the replay", () -> listener.progress().stream().anyMatch(p -> p >= 40));

    // Live: writes outside the range still move the reported revision.
    store.create("/pr/live", bytes("v"), 0); // 41
    store.create("/other/live", bytes("v"), 0); // 42
    w.requestProgress();
    until("progress covering the live writes", () -> listener.progress().stream().anyMatch(p -> p >= 42));

    List<WatchEvent> events = listener.events();
    assertThat(events).hasSize(21);
    for (RecordingListener.ProgressMark mark : listener.progressMarks()) {
      long due = events.stream().filter(e -> e.revision() <= mark.revision()).count();
      assertThat(mark.eventsBefore()).as("events delivered before progress %d", mark.revision())
          .isGreaterThanOrEqualTo((int) due);
    }
    assertThat(listener.violations()).isEmpty();
  }

  @Test
  public void closeIsIdempotentAndOnCloseIsCalledOnceWithNull() {
    RecordingListener listener = new RecordingListener();
    Watch w = watch(KeyRange.prefix("/cl/"), 0, listener);
    store.create("/cl/a", bytes("1"), 0);
    until("the first event", () -> listener.eventCount() == 1);
    w.close();
    w.close();
    until("onClose", listener::isClosed);
    w.close();
    w.requestProgress();

    // A later watch seeing a later write shows the store moved on; the closed one must not see it.
    long next = store.create("/cl/b", bytes("2"), 0).revision();
    RecordingListener later = new RecordingListener();
    watch(KeyRange.prefix("/cl/"), next, later);
    until("the later watch's event", () -> later.eventCount() == 1);
    assertThat(listener.eventCount()).isEqualTo(1);
    assertThat(listener.closeCauses()).containsExactly((StoreException) null);
    assertThat(listener.violations()).isEmpty();
  }

  // ---------------------------------------------------------------- leases

  @Test
  public void leasesAreDistinctAndNonZero() {
    long a = store.grantLease(60);
    long b = store.grantLease(60);
    assertThat(a).isNotZero();
    assertThat(b).isNotZero().isNotEqualTo(a);
  }

  @Test
  public void keysAttachedToAnExpiredLeaseAreDeletedWithDeleteEvents() {
    long lease = store.grantLease(shortLeaseTtlSeconds());
    long keep = store.grantLease(3600);
    RecordingListener listener = new RecordingListener();
    watch(KeyRange.prefix("/ls/"), 0, listener);
    KeyValue a = store.create("/ls/a", bytes("a"), lease).kv();
    KeyValue b = store.create("/ls/b", bytes("b"), lease).kv();
    store.create("/ls/plain", bytes("p"), 0);
    store.create("/ls/kept", bytes("k"), keep);
    // Detached from the lease by an update with lease 0, or by delete and re-create.
    KeyValue detached = store.create("/ls/detached", bytes("d"), lease).kv();
    store.update("/ls/detached", bytes("d2"), detached.modRevision(), 0);
    store.create("/ls/recreated", bytes("r"), lease);
    store.delete("/ls/recreated", 0);
    store.create("/ls/recreated", bytes("r2"), 0);
    assertThat(a.lease()).isEqualTo(lease);

    Duration deadline = Duration.ofSeconds(shortLeaseTtlSeconds() + 20);
    until(deadline, () -> "keys of lease " + lease + " to be deleted",
        () -> store.get("/ls/a") == null && store.get("/ls/b") == null);
    until("both delete events", () -> expiryDeletes(listener, lease).size() == 2);

    List<WatchEvent> deletes = expiryDeletes(listener, lease);
    assertThat(deletes).extracting(WatchEvent::key).containsExactlyInAnyOrder("/ls/a", "/ls/b");
    assertThat(deletes).extracting(WatchEvent::prevKv).containsExactlyInAnyOrder(a, b);
    assertThat(deletes).allSatisfy(e -> assertThat(e.kv()).isNull());
    assertThat(store.get("/ls/plain")).isNotNull();
    assertThat(store.get("/ls/kept")).isNotNull();
    assertThat(store.get("/ls/detached").value()).isEqualTo(bytes("d2"));
    assertThat(store.get("/ls/recreated").value()).isEqualTo(bytes("r2"));
    assertThat(listener.violations()).isEmpty();
  }

  private static List<WatchEvent> expiryDeletes(RecordingListener listener, long lease) {
    return listener.events().stream()
        .filter(e -> e.type() == WatchEvent.Type.DELETE && e.prevKv() != null && e.prevKv().lease() == lease)
        .filter(e -> !e.key().equals("/ls/recreated"))
        .toList();
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  public void concurrentWritersGetUniqueContiguousRevisionsAndWatchersSeeEveryEventOnce() throws Exception {
    int writers = concurrentWriters();
    int perWriter = writesPerWriter();
    store.create("/cc/counter", bytes("0"), 0);
    long base = store.revision();

    RecordingListener fromStart = new RecordingListener();
    watch(KeyRange.prefix("/cc/"), 0, fromStart);
    RecordingListener midway = new RecordingListener();
    Map<Long, String> revisions = new ConcurrentHashMap<>();
    CountDownLatch halfway = new CountDownLatch(writers);

    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<Integer>> increments = new ArrayList<>();
      for (int t = 0; t < writers; t++) {
        int thread = t;
        increments.add(pool.submit(() -> {
          int counted = 0;
          for (int i = 0; i < perWriter; i++) {
            if (i == perWriter / 2) {
              halfway.countDown();
            }
            String key = "/cc/t" + thread + "/" + i;
            WriteResult w = store.create(key, bytes(key), 0);
            assertThat(w.succeeded()).isTrue();
            assertThat(revisions.put(w.revision(), key)).as("revision %d reused", w.revision()).isNull();
            // Every acknowledged write is immediately readable.
            assertThat(store.get(key)).isEqualTo(w.kv());
            if (i % 4 == 0) {
              // Compare-and-swap increment of a shared counter, retried on conflict.
              while (true) {
                KeyValue c = store.get("/cc/counter");
                int next = Integer.parseInt(new String(c.value(), UTF_8)) + 1;
                WriteResult u = store.update("/cc/counter", bytes(Integer.toString(next)), c.modRevision(), 0);
                if (u.succeeded()) {
                  assertThat(revisions.put(u.revision(), "/cc/counter")).isNull();
                  counted++;
                  break;
                }
                assertThat(u.kv()).isNotNull();
                assertThat(u.kv().modRevision()).isNotEqualTo(c.modRevision());
              }
            }
          }
          return counted;
        }));
      }
      // A watch that starts from the past while writes race with its registration.
      halfway.await(60, TimeUnit.SECONDS);
      watch(KeyRange.prefix("/cc/"), base + 1, midway);

      int incremented = 0;
      for (Future<Integer> f : increments) {
        incremented += f.get(120, TimeUnit.SECONDS);
      }
      long total = (long) writers * perWriter + incremented;
      assertThat(store.revision()).isEqualTo(base + total);
      assertThat(revisions.keySet()).containsExactlyInAnyOrderElementsOf(
          LongStream.rangeClosed(base + 1, base + total).boxed().toList());
      assertThat(new String(store.get("/cc/counter").value(), UTF_8)).isEqualTo(Integer.toString(incremented));
      assertThat(store.count(KeyRange.prefix("/cc/t"))).isEqualTo((long) writers * perWriter);

      for (RecordingListener l : List.of(fromStart, midway)) {
        until("every event at the watchers", () -> l.eventCount() >= total);
        assertThat(revisions(l.events()))
            .containsExactlyElementsOf(LongStream.rangeClosed(base + 1, base + total).boxed().toList());
        assertThat(l.events()).allSatisfy(e -> assertThat(e.key()).isEqualTo(revisions.get(e.revision())));
        assertThat(l.violations()).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- durability

  @Test
  public void everythingAcknowledgedSurvivesAReopenAndRevisionsContinue() throws Exception {
    long lease = store.grantLease(3600);
    for (int i = 0; i < 50; i++) {
      store.create("/du/" + i, bytes("v" + i), i % 7 == 0 ? lease : 0);
    }
    for (int i = 0; i < 50; i += 3) {
      store.update("/du/" + i, bytes("u" + i), store.get("/du/" + i).modRevision(), i % 7 == 0 ? lease : 0);
    }
    long past = store.revision();
    for (int i = 0; i < 50; i += 5) {
      store.delete("/du/" + i, 0);
    }
    long revision = store.revision();
    List<KeyValue> latest = store.range(KeyRange.prefix("/du/"), 0, 0).kvs();
    List<KeyValue> atPast = store.range(KeyRange.prefix("/du/"), 0, past).kvs();
    RecordingListener before = new RecordingListener();
    watch(KeyRange.prefix("/du/"), past, before);
    until("history replay before the reopen", () -> before.lastRevision() == revision);
    closeWatches();

    store = reopenStore();

    assertThat(store.revision()).isEqualTo(revision);
    assertThat(store.range(KeyRange.prefix("/du/"), 0, 0).kvs()).isEqualTo(latest);
    assertThat(store.range(KeyRange.prefix("/du/"), 0, past).kvs()).isEqualTo(atPast);
    assertThat(store.get("/du/7").lease()).isEqualTo(lease);
    assertThat(store.get("/du/21").lease()).isEqualTo(lease);
    RecordingListener after = new RecordingListener();
    watch(KeyRange.prefix("/du/"), past, after);
    until("history replay after the reopen", () -> after.lastRevision() == revision);
    assertThat(after.events()).isEqualTo(before.events());

    assertThat(store.create("/du/new", bytes("n"), 0).revision()).isEqualTo(revision + 1);
    until("the live event after the reopen", () -> after.lastRevision() == revision + 1);
    assertThat(store.grantLease(60)).isNotEqualTo(lease);
    assertThat(store.status()).isNotNull();

    store = reopenStore();
    assertThat(store.revision()).isEqualTo(revision + 1);
    assertThat(store.get("/du/new")).isEqualTo(kv("/du/new", "n", revision + 1, revision + 1, 1, 0));
  }

  // ---------------------------------------------------------------- helpers

  /** Starts a watch that is closed after the test. */
  protected Watch watch(KeyRange range, long fromRevision, RecordingListener listener) {
    Watch w = store.watch(range, fromRevision, listener);
    openWatches.add(w);
    return w;
  }

  private void closeWatches() {
    synchronized (openWatches) {
      openWatches.forEach(Watch::close);
      openWatches.clear();
    }
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  protected static KeyValue kv(String key, String value, long create, long mod, long version, long lease) {
    return new KeyValue(key, bytes(value), create, mod, version, lease);
  }

  protected static List<String> keys(RangeResult r) {
    return r.kvs().stream().map(KeyValue::key).toList();
  }

  protected static List<Long> revisions(List<WatchEvent> events) {
    return events.stream().map(WatchEvent::revision).collect(Collectors.toList());
  }
}
