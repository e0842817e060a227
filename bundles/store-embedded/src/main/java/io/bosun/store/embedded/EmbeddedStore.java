package io.bosun.store.embedded;

import io.bosun.store.spi.CompactedException;
import io.bosun.store.spi.FutureRevisionException;
import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.KeyValueStore;
import io.bosun.store.spi.RangeResult;
import io.bosun.store.spi.StoreException;
import io.bosun.store.spi.Watch;
import io.bosun.store.spi.WatchEvent;
import io.bosun.store.spi.WatchListener;
import io.bosun.store.spi.WriteResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * The embedded store engine: an etcd-shaped MVCC key space in one H2 MVStore file. Usable without
 * OSGi: {@code new EmbeddedStore(EmbeddedStore.Options.defaults(dir))}, then {@link #close()}.
 *
 * <h2>Layout</h2>
 * Four MVStore maps, changed together and committed atomically (an MVStore commit writes one
 * checksummed chunk; a torn chunk at the tail is ignored when the file is opened, so a crash leaves
 * the state of the last complete commit):
 * <ul>
 *   <li>{@code kv}: key → current record (value, create/mod revision, version, lease).</li>
 *   <li>{@code log}: revision → the events of that revision, each with its prevKv. It serves watch
 *       replay and reads at past revisions, and is trimmed below the compact revision.</li>
 *   <li>{@code meta}: revision, compact revision, lease id sequence, format.</li>
 *   <li>{@code leases}: lease id → TTL and expiry time.</li>
 * </ul>
 *
 * <h2>Writes: group commit</h2>
 * Every mutation is a request on one queue, served by one writer thread. The writer drains what is
 * queued (up to {@value #MAX_BATCH}), applies each request in order against the live maps, so each
 * precondition sees the earlier writes of the same batch, then commits and fsyncs once and only
 * then completes the callers' futures. One fsync is shared by every write of a batch, which is
 * what makes concurrent writers fast; a lone writer pays one fsync per write. Being the only
 * mutator, the writer also runs lease expiry, automatic compaction, log trimming and MVStore chunk
 * housekeeping between batches, so none of them races a write.
 *
 * <h2>Reads never see uncommitted writes</h2>
 * MVStore maps are copy-on-write trees, so the root of a map is an immutable snapshot. After each
 * commit (and fsync) the writer publishes a {@link Snapshot}: the committed revision plus read-only
 * views of {@code kv} and {@code log} at the committed roots. Readers use only the published
 * snapshot, never the live maps the writer is changing, so they never block on the writer and never
 * see a write before it is durable. A snapshot is published before the futures of its writes
 * complete, so a read sees every write that returned before it started.
 *
 * <p>Old snapshot pages may live in chunks MVStore wants to reuse. Each snapshot therefore pins its
 * MVStore version (registered by the writer right after the commit) until the writer has replaced
 * it and its last reader has left; MVStore never overwrites chunks a pinned version can still
 * reach. That makes reads safe whatever the retention time, so with fsync on the retention time is
 * 0 and dead chunks are reused at once (an fsynced commit cannot be undone by a later write landing
 * first; with fsync off MVStore's default 45 s retention covers unflushed OS buffers).
 *
 * <h2>Reads at a past revision</h2>
 * The current state corrected by the log: for every key with an event after the requested revision
 * R, its state at R is the prevKv of its first event after R (absent if none). The cost grows with
 * the number of revisions since R, bounded by the retained history.
 *
 * <h2>Watches</h2>
 * See {@link StoreWatch}. The writer publishes each snapshot and fans its events out to the live
 * watches under {@link #watchLock}; a watch registers under the same lock after replaying history up
 * to the published revision, so it neither misses nor repeats an event.
 */
public final class EmbeddedStore implements KeyValueStore, AutoCloseable {

  /** Settings of one store. Build with {@link #defaults(Path)} and the {@code with} methods. */
  public record Options(Path dataDir, boolean fsync, long historyRevisions, Duration historyDuration,
      int watchQueueCapacity, int cacheSizeMb, Duration maintenanceInterval) {

    public Options {
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(historyDuration, "historyDuration");
      Objects.requireNonNull(maintenanceInterval, "maintenanceInterval");
      if (historyRevisions < 1 || historyDuration.isNegative() || watchQueueCapacity < 1 || cacheSizeMb < 1
          || maintenanceInterval.isNegative() || maintenanceInterval.isZero()) {
        throw new IllegalArgumentException("invalid store options: " + this);
      }
    }

    /**
     * fsync on, at least 10000 revisions and 5 minutes of history, 10000 revisions of backlog per
     * watch, 64 MB page cache, maintenance every second.
     */
    public static Options defaults(Path dataDir) {
      return new Options(dataDir, true, 10_000, Duration.ofMinutes(5), 10_000, 64, Duration.ofSeconds(1));
    }

    /** Whether a commit waits for fsync. Off, a write survives a process kill but not a power loss. */
    public Options withFsync(boolean fsync) {
      return new Options(dataDir, fsync, historyRevisions, historyDuration, watchQueueCapacity, cacheSizeMb,
          maintenanceInterval);
    }

    /** Automatic compaction keeps at least the last {@code revisions} revisions and those of {@code duration}. */
    public Options withHistory(long revisions, Duration duration) {
      return new Options(dataDir, fsync, revisions, duration, watchQueueCapacity, cacheSizeMb, maintenanceInterval);
    }

    /** Revisions a watch may have queued before it is closed as too slow. */
    public Options withWatchQueueCapacity(int capacity) {
      return new Options(dataDir, fsync, historyRevisions, historyDuration, capacity, cacheSizeMb,
          maintenanceInterval);
    }

    /** MVStore page cache size. */
    public Options withCacheSizeMb(int mb) {
      return new Options(dataDir, fsync, historyRevisions, historyDuration, watchQueueCapacity, mb,
          maintenanceInterval);
    }

    /** How often automatic compaction and file housekeeping run. */
    public Options withMaintenanceInterval(Duration interval) {
      return new Options(dataDir, fsync, historyRevisions, historyDuration, watchQueueCapacity, cacheSizeMb,
          interval);
    }
  }

  /** The store file inside the data directory. */
  public static final String FILE_NAME = "store.mv.db";

  private static final System.Logger LOG = System.getLogger(EmbeddedStore.class.getName());
  private static final long FORMAT = 1;
  private static final int MAX_BATCH = 1024;
  private static final int LOG_TRIM_PER_BATCH = 4096;
  private static final int HOUSEKEEPING_FILL_RATE = 50;
  private static final int HOUSEKEEPING_WRITE_BYTES = 8 << 20;
  private static final Duration WATCH_SHUTDOWN_WAIT = Duration.ofSeconds(5);

  private static final String META_FORMAT = "format";
  private static final String META_REVISION = "revision";
  private static final String META_COMPACT = "compactRevision";
  private static final String META_LEASE_SEQ = "leaseSeq";

  /** What readers see: one committed state, reference counted to keep its MVStore version pinned. */
  static final class Snapshot {
    final long revision;
    final long compactRevision;
    final MVMap<String, byte[]> kv;
    final MVMap<Long, byte[]> log;
    private final MVStore.TxCounter pin;
    /** Readers plus one while it is the published snapshot; 0 means released for good. */
    private final AtomicInteger refs = new AtomicInteger(1);

    Snapshot(long revision, long compactRevision, MVMap<String, byte[]> kv, MVMap<Long, byte[]> log,
        MVStore.TxCounter pin) {
      this.revision = revision;
      this.compactRevision = compactRevision;
      this.kv = kv;
      this.log = log;
      this.pin = pin;
    }
  }

  private final Options options;
  private final MVStore mv;
  private final MVMap<String, byte[]> kv;
  private final MVMap<Long, byte[]> log;
  private final MVMap<String, Long> meta;
  private final MVMap<Long, byte[]> leases;

  private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  /** Orders submissions against close(): nothing is queued after the writer's stop request. */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private volatile boolean closed;
  private volatile StoreException failure;
  private final Thread writer;

  private volatile Snapshot snapshot;
  /** Guards {@link #liveWatches} and makes snapshot publication and event fan-out one step. */
  final ReentrantLock watchLock = new ReentrantLock();
  private final Set<StoreWatch> liveWatches = new LinkedHashSet<>();
  private final Set<StoreWatch> allWatches = ConcurrentHashMap.newKeySet();
  private final AtomicLong watchIds = new AtomicLong();

  // Writer-thread state.
  private long revision;
  private long compactRevision;
  private long leaseSeq;
  private final Map<Long, LeaseState> leaseStates = new HashMap<>();
  /** Revision clock samples, oldest first, for time-bounded history; see recordRevisionTime. */
  private final ArrayDeque<long[]> revisionTimes = new ArrayDeque<>();
  private long nextMaintenance;
  private boolean trimPending;
  private volatile int leaseCount;

  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong committedWrites = new AtomicLong();

  /** Opens (or creates) the store in {@code options.dataDir()} and starts its writer thread. */
  public EmbeddedStore(Options options) {
    this.options = Objects.requireNonNull(options, "options");
    try {
      Files.createDirectories(options.dataDir());
    } catch (IOException e) {
      throw new StoreException("cannot create store directory " + options.dataDir(), e);
    }
    Path file = options.dataDir().resolve(FILE_NAME);
    try {
      mv = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().cacheSize(options.cacheSizeMb())
          .open();
      if (options.fsync()) {
        mv.setRetentionTime(0); // see "Reads never see uncommitted writes" above
      }
    } catch (MVStoreException e) {
      throw new StoreException("cannot open store file " + file, e);
    }
    try {
      kv = mv.openMap("kv", new MVMap.Builder<String, byte[]>().keyType(StringDataType.INSTANCE)
          .valueType(ByteArrayDataType.INSTANCE));
      log = mv.openMap("log", new MVMap.Builder<Long, byte[]>().keyType(LongDataType.INSTANCE)
          .valueType(ByteArrayDataType.INSTANCE));
      meta = mv.openMap("meta", new MVMap.Builder<String, Long>().keyType(StringDataType.INSTANCE)
          .valueType(LongDataType.INSTANCE));
      leases = mv.openMap("leases", new MVMap.Builder<Long, byte[]>().keyType(LongDataType.INSTANCE)
          .valueType(ByteArrayDataType.INSTANCE));
      recover();
    } catch (RuntimeException e) {
      mv.closeImmediately();
      throw e instanceof StoreException se ? se : new StoreException("cannot open store " + file, e);
    }
    writer = new Thread(this::runWriter, "bosun-store-writer[" + options.dataDir().getFileName() + "]");
    writer.setDaemon(true);
    writer.start();
  }

  /** Opens the store in {@code dataDir} with {@link Options#defaults(Path) default options}. */
  public EmbeddedStore(Path dataDir) {
    this(Options.defaults(dataDir));
  }

  private void recover() {
    Long format = meta.get(META_FORMAT);
    if (format == null) {
      if (!kv.isEmpty() || !log.isEmpty()) {
        throw new StoreException("store file has data but no format marker");
      }
      meta.put(META_FORMAT, FORMAT);
      mv.commit();
    } else if (format != FORMAT) {
      throw new StoreException("unsupported store format " + format + "; this version reads " + FORMAT);
    }
    revision = meta.getOrDefault(META_REVISION, 0L);
    compactRevision = meta.getOrDefault(META_COMPACT, 0L);
    leaseSeq = meta.getOrDefault(META_LEASE_SEQ, 0L);
    Long lastLogged = log.lastKey();
    if (revision > 0 && (lastLogged == null || lastLogged != revision)) {
      throw new StoreException("store is inconsistent: revision " + revision + " but last log entry " + lastLogged);
    }
    for (Iterator<Map.Entry<Long, byte[]>> it = leases.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, byte[]> e = it.next();
      long[] lease = Codec.decodeLease(e.getValue());
      leaseStates.put(e.getKey(), new LeaseState(lease[0], lease[1]));
    }
    for (Cursor<String, byte[]> c = kv.cursor(null); c.hasNext(); ) {
      String key = c.next();
      long lease = Codec.recordLease(c.getValue());
      if (lease != 0) {
        LeaseState state = leaseStates.get(lease);
        if (state != null) {
          state.keys.add(key);
        }
      }
    }
    leaseCount = leaseStates.size();
    trimPending = true;
    long now = System.currentTimeMillis();
    nextMaintenance = now;
    snapshot = newSnapshot();
  }

  // ---------------------------------------------------------------- reads

  @Override
  public long revision() {
    return published().revision;
  }

  @Override
  public long compactRevision() {
    return published().compactRevision;
  }

  @Override
  public KeyValue get(String key) {
    Objects.requireNonNull(key, "key");
    return read(s -> {
      byte[] record = s.kv.get(key);
      return record == null ? null : Codec.decodeRecord(key, record);
    });
  }

  @Override
  public RangeResult range(KeyRange range, long limit, long rev) {
    Objects.requireNonNull(range, "range");
    if (limit < 0 || rev < 0) {
      throw new IllegalArgumentException("negative limit or revision");
    }
    return read(s -> {
      if (rev > s.revision) {
        throw new FutureRevisionException(rev, s.revision);
      }
      if (rev == 0 || rev == s.revision) {
        return rangeLatest(s, range, limit);
      }
      if (rev < s.compactRevision) {
        throw new CompactedException(rev, s.compactRevision);
      }
      return rangeAt(s, range, limit, rev);
    });
  }

  @Override
  public long count(KeyRange range) {
    Objects.requireNonNull(range, "range");
    return read(s -> countLatest(s.kv, range));
  }

  private RangeResult rangeLatest(Snapshot s, KeyRange range, long limit) {
    List<KeyValue> kvs = new ArrayList<>();
    boolean more = false;
    for (Cursor<String, byte[]> c = s.kv.cursor(range.from()); c.hasNext(); ) {
      String key = c.next();
      if (!below(key, range)) {
        break;
      }
      if (limit > 0 && kvs.size() == limit) {
        more = true;
        break;
      }
      kvs.add(Codec.decodeRecord(key, c.getValue()));
    }
    return new RangeResult(kvs, more, countLatest(s.kv, range), s.revision);
  }

  private RangeResult rangeAt(Snapshot s, KeyRange range, long limit, long rev) {
    // Each key changed since rev: its state at rev is the prevKv of its first event after rev.
    TreeMap<String, Past> changed = new TreeMap<>();
    for (Cursor<Long, byte[]> c = s.log.cursor(rev + 1); c.hasNext(); ) {
      long r = c.next();
      if (r > s.revision) {
        break;
      }
      Codec.forEachEvent(r, c.getValue(), e -> {
        if (range.contains(e.key()) && !changed.containsKey(e.key())) {
          changed.put(e.key(), new Past(e.prevKv()));
        }
      });
    }
    long count = countLatest(s.kv, range);
    for (Map.Entry<String, Past> e : changed.entrySet()) {
      count += (e.getValue().kv() != null ? 1 : 0) - (s.kv.containsKey(e.getKey()) ? 1 : 0);
    }

    List<KeyValue> kvs = new ArrayList<>();
    boolean more = false;
    Cursor<String, byte[]> current = s.kv.cursor(range.from());
    String currentKey = nextInRange(current, range);
    Iterator<Map.Entry<String, Past>> past = changed.entrySet().iterator();
    Map.Entry<String, Past> pastEntry = past.hasNext() ? past.next() : null;
    while (currentKey != null || pastEntry != null) {
      int cmp = currentKey == null ? 1 : pastEntry == null ? -1 : currentKey.compareTo(pastEntry.getKey());
      KeyValue found;
      if (cmp < 0) {
        found = Codec.decodeRecord(currentKey, current.getValue());
        currentKey = nextInRange(current, range);
      } else {
        found = pastEntry.getValue().kv();
        if (cmp == 0) {
          currentKey = nextInRange(current, range);
        }
        pastEntry = past.hasNext() ? past.next() : null;
      }
      if (found == null) {
        continue;
      }
      if (limit > 0 && kvs.size() == limit) {
        more = true;
        break;
      }
      kvs.add(found);
    }
    return new RangeResult(kvs, more, count, rev);
  }

  private record Past(KeyValue kv) {
  }

  private static String nextInRange(Cursor<String, byte[]> c, KeyRange range) {
    if (!c.hasNext()) {
      return null;
    }
    String key = c.next();
    return below(key, range) ? key : null;
  }

  private static boolean below(String key, KeyRange range) {
    return range.to() == null || key.compareTo(range.to()) < 0;
  }

  /** O(log n) through the B-tree's subtree counts. */
  private static long countLatest(MVMap<String, byte[]> map, KeyRange range) {
    long from = rank(map, range.from());
    long to = range.to() == null ? map.sizeAsLong() : rank(map, range.to());
    return Math.max(0, to - from);
  }

  /** How many keys sort before {@code key}. */
  private static long rank(MVMap<String, byte[]> map, String key) {
    long index = map.getKeyIndex(key);
    return index >= 0 ? index : -(index + 1);
  }

  /** The events of revisions {@code from..to} (inclusive) in {@code range}, one list per revision that has any. */
  static List<List<WatchEvent>> history(Snapshot s, KeyRange range, long from, long to) {
    {
      List<List<WatchEvent>> out = new ArrayList<>();
      for (Cursor<Long, byte[]> c = s.log.cursor(from); c.hasNext(); ) {
        long r = c.next();
        if (r > to) {
          break;
        }
        List<WatchEvent> events = new ArrayList<>(1);
        Codec.forEachEvent(r, c.getValue(), e -> {
          if (range.contains(e.key())) {
            events.add(e.event());
          }
        });
        if (!events.isEmpty()) {
          out.add(List.copyOf(events));
        }
      }
      return out;
    }
  }

  /**
   * The latest published snapshot, for its revisions only (its maps need {@link #read}). Under
   * {@link #watchLock} it matches the events fanned out so far.
   */
  Snapshot published() {
    if (closed) {
      throw new StoreException("store is closed");
    }
    StoreException f = failure;
    if (f != null) {
      throw new StoreException("store has failed", f);
    }
    return snapshot;
  }

  /** Runs {@code reader} on the latest snapshot, pinned for the duration. */
  <T> T read(Function<Snapshot, T> reader) {
    Snapshot s = acquire();
    try {
      return reader.apply(s);
    } catch (MVStoreException | IllegalStateException e) {
      throw readFailure(e);
    } finally {
      release(s);
    }
  }

  private Snapshot acquire() {
    while (true) {
      Snapshot s = published();
      int refs = s.refs.get();
      // 0: replaced and released meanwhile; the next read of the field finds its successor.
      if (refs > 0 && s.refs.compareAndSet(refs, refs + 1)) {
        return s;
      }
    }
  }

  private void release(Snapshot s) {
    if (s.refs.decrementAndGet() == 0) {
      try {
        mv.deregisterVersionUsage(s.pin);
      } catch (RuntimeException e) {
        // The store is closing; nothing is left to protect.
      }
    }
  }

  /** Called by the writer right after a commit: pins the committed version. */
  private Snapshot newSnapshot() {
    long version = mv.getCurrentVersion();
    MVStore.TxCounter pin = mv.registerVersionUsage();
    return new Snapshot(revision, compactRevision, kv.openVersion(version), log.openVersion(version), pin);
  }

  private StoreException readFailure(RuntimeException e) {
    return closed ? new StoreException("store is closed", e) : new StoreException("read failed", e);
  }

  @Override
  public Map<String, Object> status() {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("backend", "embedded");
    read(s -> {
      status.put("revision", s.revision);
      status.put("compactRevision", s.compactRevision);
      status.put("keys", s.kv.sizeAsLong());
      status.put("historyRevisions", s.log.sizeAsLong());
      return null;
    });
    status.put("leases", leaseCount);
    status.put("watches", allWatches.size());
    status.put("commits", commits.get());
    status.put("committedWrites", committedWrites.get());
    status.put("queuedRequests", queue.size());
    status.put("dataFile", options.dataDir().resolve(FILE_NAME).toString());
    try {
      status.put("fileSizeBytes", Files.size(options.dataDir().resolve(FILE_NAME)));
    } catch (IOException e) {
      status.put("fileSizeBytes", -1L);
    }
    status.put("fsync", options.fsync());
    return status;
  }

  // ---------------------------------------------------------------- writes

  private sealed interface Request permits Write, Grant, Compact, Stop {
    CompletableFuture<?> done();
  }

  private enum Op { CREATE, UPDATE, DELETE }

  private record Write(Op op, String key, byte[] value, long expected, long lease,
      CompletableFuture<WriteResult> done) implements Request {
  }

  private record Grant(long ttlSeconds, CompletableFuture<Long> done) implements Request {
  }

  private record Compact(long revision, CompletableFuture<Void> done) implements Request {
  }

  private record Stop(CompletableFuture<Void> done) implements Request {
  }

  private static final class LeaseState {
    final long ttlSeconds;
    final long expiresAtMillis;
    final Set<String> keys = new HashSet<>();

    LeaseState(long ttlSeconds, long expiresAtMillis) {
      this.ttlSeconds = ttlSeconds;
      this.expiresAtMillis = expiresAtMillis;
    }
  }

  @Override
  public WriteResult create(String key, byte[] value, long lease) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    return submit(new Write(Op.CREATE, key, value, 0, lease, new CompletableFuture<>()));
  }

  @Override
  public WriteResult update(String key, byte[] value, long expectedModRevision, long lease) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    return submit(new Write(Op.UPDATE, key, value, expectedModRevision, lease, new CompletableFuture<>()));
  }

  @Override
  public WriteResult delete(String key, long expectedModRevision) {
    Objects.requireNonNull(key, "key");
    return submit(new Write(Op.DELETE, key, null, expectedModRevision, 0, new CompletableFuture<>()));
  }

  @Override
  public long grantLease(long ttlSeconds) {
    if (ttlSeconds <= 0) {
      throw new IllegalArgumentException("lease TTL must be positive: " + ttlSeconds);
    }
    return submit(new Grant(ttlSeconds, new CompletableFuture<>()));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Compacting at or below the current compact revision does nothing; compacting past the
   * current revision throws {@link FutureRevisionException}. History below the new compact revision
   * is deleted in the background.
   */
  @Override
  public void compact(long rev) {
    submit(new Compact(rev, new CompletableFuture<>()));
  }

  /**
   * Queues a request and waits for the writer to complete it. An interrupt stops the wait but not
   * the write, which may still be applied.
   */
  private <T> T submit(Request request) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new StoreException("store is closed");
      }
      if (failure != null) {
        throw new StoreException("store has failed", failure);
      }
      queue.add(request);
    } finally {
      lifecycle.readLock().unlock();
    }
    try {
      @SuppressWarnings("unchecked")
      T result = (T) request.done().get();
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted waiting for a write; it may still be applied", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new StoreException("write failed", e.getCause());
    }
  }

  /** The changes of one batch, committed together. */
  private static final class Batch {
    final List<Request> requests = new ArrayList<>(MAX_BATCH);
    /** One entry per new revision: the revision and its events. */
    final List<Map.Entry<Long, List<WatchEvent>>> revisions = new ArrayList<>();
    final List<Runnable> completions = new ArrayList<>();
    boolean dirty;
    boolean stop;

    void clear() {
      requests.clear();
      revisions.clear();
      completions.clear();
      dirty = false;
    }
  }

  private void runWriter() {
    Batch batch = new Batch();
    try {
      while (!batch.stop) {
        batch.clear();
        long wait = Math.max(0, nextWakeMillis() - System.currentTimeMillis());
        Request first = wait == 0 ? queue.poll() : queue.poll(wait, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.requests.add(first);
          queue.drainTo(batch.requests, MAX_BATCH - 1);
        }
        process(batch);
      }
    } catch (Throwable t) {
      writerFailed(t, batch);
    }
  }

  private long nextWakeMillis() {
    long next = nextMaintenance;
    if (trimPending) {
      next = Math.min(next, System.currentTimeMillis() + 10);
    }
    for (LeaseState lease : leaseStates.values()) {
      next = Math.min(next, lease.expiresAtMillis);
    }
    return next;
  }

  private void process(Batch batch) {
    long now = System.currentTimeMillis();
    for (Request request : batch.requests) {
      switch (request) {
        case Write w -> apply(w, batch, now);
        case Grant g -> grant(g, batch, now);
        case Compact c -> compactTo(c, batch);
        case Stop s -> {
          batch.stop = true;
          batch.completions.add(() -> s.done().complete(null));
        }
      }
    }
    expireLeases(batch, now);
    boolean maintenance = now >= nextMaintenance;
    if (maintenance) {
      autoCompact(batch, now);
      nextMaintenance = now + options.maintenanceInterval().toMillis();
    }
    trimLog(batch);
    if (batch.dirty) {
      commitAndPublish(batch.revisions, now);
    }
    batch.completions.forEach(Runnable::run);
    // Rewrites a bounded amount of sparse chunks so the file does not keep growing; MVStore's own
    // background housekeeping is off with auto-commit, which must stay off (see commitAndPublish).
    if (maintenance && !batch.stop && mv.compact(HOUSEKEEPING_FILL_RATE, HOUSEKEEPING_WRITE_BYTES)) {
      commitAndPublish(List.of(), now);
    }
  }

  private void apply(Write w, Batch batch, long now) {
    byte[] record = kv.get(w.key());
    KeyValue current = record == null ? null : Codec.decodeRecord(w.key(), record);
    boolean ok = switch (w.op()) {
      case CREATE -> current == null;
      case UPDATE -> current != null && current.modRevision() == w.expected();
      case DELETE -> current != null && (w.expected() == 0 || current.modRevision() == w.expected());
    };
    if (!ok) {
      WriteResult rejected = WriteResult.rejected(revision, current);
      batch.completions.add(() -> w.done().complete(rejected));
      return;
    }
    if (w.op() != Op.DELETE && w.lease() != 0 && !leaseStates.containsKey(w.lease())) {
      IllegalArgumentException unknown = new IllegalArgumentException("lease " + w.lease() + " not found");
      batch.completions.add(() -> w.done().completeExceptionally(unknown));
      return;
    }
    long rev = revision + 1;
    WatchEvent event;
    KeyValue reported;
    if (w.op() == Op.DELETE) {
      kv.remove(w.key());
      event = new WatchEvent(WatchEvent.Type.DELETE, w.key(), rev, null, current);
      reported = current;
    } else {
      KeyValue written = current == null
          ? new KeyValue(w.key(), w.value().clone(), rev, rev, 1, w.lease())
          : new KeyValue(w.key(), w.value().clone(), current.createRevision(), rev, current.version() + 1,
              w.lease());
      kv.put(w.key(), Codec.encodeRecord(written));
      event = new WatchEvent(WatchEvent.Type.PUT, w.key(), rev, written, current);
      reported = written;
      attach(w.key(), w.lease());
    }
    if (current != null && current.lease() != 0 && (w.op() == Op.DELETE || current.lease() != w.lease())) {
      detach(w.key(), current.lease());
    }
    newRevision(batch, List.of(event), now);
    WriteResult applied = WriteResult.applied(rev, reported);
    batch.completions.add(() -> w.done().complete(applied));
  }

  private void newRevision(Batch batch, List<WatchEvent> events, long now) {
    revision++;
    log.put(revision, Codec.encodeLogEntry(now, events));
    batch.revisions.add(Map.entry(revision, events));
    batch.dirty = true;
  }

  private void attach(String key, long lease) {
    if (lease != 0) {
      leaseStates.get(lease).keys.add(key);
    }
  }

  private void detach(String key, long lease) {
    LeaseState state = leaseStates.get(lease);
    if (state != null) {
      state.keys.remove(key);
    }
  }

  private void grant(Grant g, Batch batch, long now) {
    long id = ++leaseSeq;
    long expiresAt = now + TimeUnit.SECONDS.toMillis(g.ttlSeconds());
    leases.put(id, Codec.encodeLease(g.ttlSeconds(), expiresAt));
    leaseStates.put(id, new LeaseState(g.ttlSeconds(), expiresAt));
    batch.dirty = true;
    batch.completions.add(() -> g.done().complete(id));
  }

  /** Deletes the keys of every expired lease: one revision per lease, like an etcd lease revoke. */
  private void expireLeases(Batch batch, long now) {
    List<Long> expired = new ArrayList<>();
    for (Map.Entry<Long, LeaseState> e : leaseStates.entrySet()) {
      if (e.getValue().expiresAtMillis <= now) {
        expired.add(e.getKey());
      }
    }
    expired.sort(null);
    for (long id : expired) {
      LeaseState state = leaseStates.remove(id);
      leases.remove(id);
      batch.dirty = true;
      if (state.keys.isEmpty()) {
        continue;
      }
      long rev = revision + 1;
      List<WatchEvent> events = new ArrayList<>();
      for (String key : new TreeSet<>(state.keys)) {
        byte[] record = kv.remove(key);
        if (record != null) {
          events.add(new WatchEvent(WatchEvent.Type.DELETE, key, rev, null, Codec.decodeRecord(key, record)));
        }
      }
      if (!events.isEmpty()) {
        newRevision(batch, List.copyOf(events), now);
      }
    }
  }

  private void compactTo(Compact c, Batch batch) {
    if (c.revision() > revision) {
      FutureRevisionException future = new FutureRevisionException(c.revision(), revision);
      batch.completions.add(() -> c.done().completeExceptionally(future));
      return;
    }
    setCompactRevision(c.revision(), batch);
    batch.completions.add(() -> c.done().complete(null));
  }

  private void setCompactRevision(long rev, Batch batch) {
    if (rev > compactRevision) {
      compactRevision = rev;
      meta.put(META_COMPACT, rev);
      trimPending = true;
      batch.dirty = true;
    }
  }

  /**
   * Keeps at least {@code historyRevisions} revisions and every revision committed within
   * {@code historyDuration}; the older history is compacted.
   */
  private void autoCompact(Batch batch, long now) {
    long byCount = revision - options.historyRevisions() + 1;
    long byTime = Long.MAX_VALUE;
    if (!options.historyDuration().isZero()) {
      long cutoff = now - options.historyDuration().toMillis();
      pruneRevisionTimes(now);
      long[] oldest = revisionTimes.peekFirst();
      // The newest sample at or before the cutoff: revisions up to it are all older than the window.
      byTime = oldest != null && oldest[1] <= cutoff ? oldest[2] + 1 : 0;
    }
    long target = Math.min(byCount, byTime);
    if (target > compactRevision) {
      setCompactRevision(Math.min(target, revision), batch);
    }
  }

  /**
   * Samples the revision clock: each sample is {bucket start, time, revision at that time}. A
   * revision at or below a sample's revision was committed at or before the sample's time. Samples
   * are at most one per {@code historyDuration / 10} (at most one a second), so few are kept.
   */
  private void recordRevisionTime(long now) {
    long duration = options.historyDuration().toMillis();
    if (duration == 0) {
      return;
    }
    long[] last = revisionTimes.peekLast();
    long resolution = Math.max(1, Math.min(1000, duration / 10));
    if (last == null || now - last[0] >= resolution) {
      revisionTimes.addLast(new long[] {now, now, revision});
    } else {
      last[1] = now;
      last[2] = revision;
    }
    pruneRevisionTimes(now);
  }

  /** Keeps only the newest sample at or before the window start, and every sample after it. */
  private void pruneRevisionTimes(long now) {
    long cutoff = now - options.historyDuration().toMillis();
    while (revisionTimes.size() >= 2) {
      Iterator<long[]> it = revisionTimes.iterator();
      it.next();
      if (it.next()[1] > cutoff) {
        break;
      }
      revisionTimes.pollFirst();
    }
  }

  /** Deletes log entries below the compact revision, a bounded number per batch. */
  private void trimLog(Batch batch) {
    if (!trimPending) {
      return;
    }
    int removed = 0;
    Long first = log.firstKey();
    while (first != null && first < compactRevision && removed < LOG_TRIM_PER_BATCH) {
      log.remove(first);
      removed++;
      first = log.higherKey(first);
    }
    trimPending = first != null && first < compactRevision;
    if (removed > 0) {
      batch.dirty = true;
    }
  }

  /**
   * Commits the batch, syncs, publishes the new snapshot and fans its events out. MVStore's
   * auto-commit is disabled because a background commit could persist half a batch (a kv change
   * without its log entry); only this thread commits, always at batch boundaries.
   */
  private void commitAndPublish(List<Map.Entry<Long, List<WatchEvent>>> revisions, long now) {
    meta.put(META_REVISION, revision);
    meta.put(META_LEASE_SEQ, leaseSeq);
    mv.commit();
    if (options.fsync()) {
      mv.sync();
    }
    StoreException panic = mvFailure();
    if (panic != null) {
      throw panic;
    }
    commits.incrementAndGet();
    committedWrites.addAndGet(revisions.size());
    leaseCount = leaseStates.size();
    if (!revisions.isEmpty()) {
      recordRevisionTime(now);
    }
    Snapshot s = newSnapshot();
    Snapshot old;
    watchLock.lock();
    try {
      old = snapshot;
      snapshot = s;
      if (!revisions.isEmpty() && !liveWatches.isEmpty()) {
        for (Iterator<StoreWatch> it = liveWatches.iterator(); it.hasNext(); ) {
          StoreWatch w = it.next();
          for (Map.Entry<Long, List<WatchEvent>> r : revisions) {
            if (!w.offer(r.getKey(), r.getValue())) {
              it.remove();
              break;
            }
          }
        }
      }
    } finally {
      watchLock.unlock();
    }
    release(old);
  }

  /** MVStore reports a failed write by closing itself ("panic") rather than always throwing. */
  private StoreException mvFailure() {
    MVStoreException panic = mv.getPanicException();
    if (panic != null) {
      return new StoreException("store file write failed", panic);
    }
    if (mv.isClosed()) {
      return new StoreException("store file was closed unexpectedly");
    }
    return null;
  }

  private void writerFailed(Throwable t, Batch batch) {
    StoreException f = t instanceof StoreException se ? se : new StoreException("store writer failed", t);
    LOG.log(System.Logger.Level.ERROR, "embedded store failed; it rejects every request from now on", t);
    lifecycle.writeLock().lock();
    try {
      failure = f;
    } finally {
      lifecycle.writeLock().unlock();
    }
    // Nothing of the failed batch is acknowledged: its commit did not (knowingly) reach the file.
    for (Request r : batch.requests) {
      r.done().completeExceptionally(f);
    }
    for (Request r; (r = queue.poll()) != null; ) {
      r.done().completeExceptionally(f);
    }
    for (StoreWatch w : allWatches) {
      w.terminate(f);
    }
  }

  // ---------------------------------------------------------------- watches

  @Override
  public Watch watch(KeyRange range, long fromRevision, WatchListener listener) {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(listener, "listener");
    if (fromRevision < 0) {
      throw new IllegalArgumentException("negative revision " + fromRevision);
    }
    Snapshot s = published();
    long start = fromRevision == 0 ? s.revision + 1 : fromRevision;
    StoreWatch w = new StoreWatch(this, watchIds.incrementAndGet(), range, start, listener,
        options.watchQueueCapacity());
    allWatches.add(w);
    if (closed || failure != null) {
      // close() may have swept allWatches before this one was added.
      w.terminate(failure != null ? failure : new StoreException("store is closed"));
    }
    w.start();
    return w;
  }

  /** Called under {@link #watchLock}: the watch has caught up and now takes live events. */
  void goLive(StoreWatch w) {
    liveWatches.add(w);
  }

  void removeLive(StoreWatch w) {
    watchLock.lock();
    try {
      liveWatches.remove(w);
    } finally {
      watchLock.unlock();
    }
  }

  void watchEnded(StoreWatch w) {
    removeLive(w);
    allWatches.remove(w);
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Completes queued writes, stops the writer, ends every watch with a {@link StoreException} and
   * closes the file. Idempotent.
   */
  @Override
  public void close() {
    Stop stop = new Stop(new CompletableFuture<>());
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(stop);
    } finally {
      lifecycle.writeLock().unlock();
    }
    boolean interrupted = false;
    while (writer.isAlive()) {
      try {
        writer.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    StoreException closing = new StoreException("store closed");
    List<StoreWatch> watches = new ArrayList<>(allWatches);
    for (StoreWatch w : watches) {
      w.terminate(closing);
    }
    long deadline = System.nanoTime() + WATCH_SHUTDOWN_WAIT.toNanos();
    for (StoreWatch w : watches) {
      if (w.isDeliveryThread(Thread.currentThread())) {
        continue; // closed from its own listener: it ends when the listener returns
      }
      long left = deadline - System.nanoTime();
      try {
        if (left <= 0 || !w.awaitEnd(Duration.ofNanos(left))) {
          LOG.log(System.Logger.Level.WARNING, "watch listener did not return within {0}", WATCH_SHUTDOWN_WAIT);
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    // Unpins the last snapshot (once its readers are done) so MVStore closes at its newest version.
    release(snapshot);
    try {
      if (failure == null) {
        mv.close();
      } else {
        mv.closeImmediately();
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "closing the store file failed", e);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The options this store was opened with. */
  public Options options() {
    return options;
  }

  @Override
  public String toString() {
    return "EmbeddedStore[" + options.dataDir() + "]";
  }
}
