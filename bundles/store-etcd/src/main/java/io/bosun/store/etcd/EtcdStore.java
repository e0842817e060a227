package io.bosun.store.etcd;

import io.bosun.store.spi.CompactedException;
import io.bosun.store.spi.FutureRevisionException;
import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.KeyValueStore;
import io.bosun.store.spi.RangeResult;
import io.bosun.store.spi.StoreException;
import io.bosun.store.spi.Watch;
import io.bosun.store.spi.WatchListener;
import io.bosun.store.spi.WriteResult;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A {@link KeyValueStore} on an etcd v3 cluster. Usable without OSGi:
 * {@code new EtcdStore(EtcdStore.Options.defaults(List.of("http://127.0.0.1:2379")))}, then
 * {@link #close()}.
 *
 * <h2>Revisions</h2>
 * Store revisions are etcd revisions minus a fixed offset: {@code revision = etcdRevision - base},
 * where {@code base} is the create revision of the {@code <prefix>/meta} key, written (by a
 * compare-and-swap, so concurrent first opens agree) when a store first opens an empty prefix.
 * On a fresh cluster etcd is at revision 1, the meta key is written at 2, and the first data write
 * is etcd revision 3, store revision 1, as the contract requires. The offset is persisted, so it
 * survives restarts of the store and of etcd, and it could later carry a migration's offset.
 * Create and mod revisions of keys, watch event revisions, compact revisions and range revisions
 * are all mapped the same way; lease ids are etcd's.
 *
 * <p>One store write is one etcd transaction, hence one etcd revision, so revisions stay
 * contiguous as long as nothing else writes to the cluster. Like Kubernetes, the store assumes
 * a cluster of its own: other writers leave gaps in the revision sequence (harmless to Kubernetes
 * clients, but the SPI's "one higher than the previous one" no longer holds).
 *
 * <h2>Writes</h2>
 * Every write is a transaction with a precondition: create compares the key's create revision
 * with 0, update compares its mod revision, delete compares the mod revision (or, unconditional,
 * that the key exists). The else branch reads the key, so a rejection returns its current state in
 * the same round trip. On success the written key is computed from what etcd returned (for an
 * update the previous key, for a delete the deleted key).
 *
 * <h2>Writes whose outcome is unknown</h2>
 * A transaction that failed with a connection loss or timeout may or may not have been applied.
 * It is never blindly sent again. Each store instance owns a writer key {@code <prefix>/writers/<id>},
 * and every write transaction also puts a unique token there, in the same transaction, so the
 * token is written if and only if the write was. After such a failure the store waits for etcd,
 * reads the writer key and, if other writes of this instance have overwritten it since, scans its
 * history (a watch from the revision known before the write was first sent). Finding the token
 * means the write was applied at that revision: the caller gets that success, with the key as it
 * was written (read at that revision). Not finding it means it was not applied, and the same
 * conditional transaction, with the same token, is sent again: the precondition still guarantees
 * that at most one of the attempts applies (an unconditional delete is first pinned to the mod
 * revision read then), and a rejected retry is checked for the token once more. If the history
 * needed has been compacted meanwhile the outcome cannot be told and the write fails with a
 * {@link StoreException} saying so, rather than guessing.
 *
 * <p>Remaining window: an attempt still in flight inside etcd when the store concludes "not
 * applied" (etcd still alive but slower than the attempt timeout) can apply later. The
 * precondition makes that harmless for updates and deletes; a create could then apply twice only
 * if another client deleted the key in between.
 *
 * <p>Reads are idempotent and simply retried. A lease grant retried after an unknown outcome may
 * leave an unused lease behind, which expires on its own.
 *
 * <h2>Watches</h2>
 * See {@link WatchHub}: one etcd watch per store feeds every store watch, which gives exact
 * progress notifications (etcd 3.4's own are not ordered with events) and resumes after a
 * connection loss from the last revision seen, without gaps or repeats.
 */
public final class EtcdStore implements KeyValueStore, AutoCloseable {

  /**
   * Settings of one store. Build with {@link #defaults(List)} and the {@code with} methods.
   *
   * @param endpoints          client URLs of the etcd members ({@code http://} or {@code https://})
   * @param keyPrefix          the root of every key this store writes
   * @param caFile             PEM CA bundle to verify the servers with, or null for the JDK's trust store
   * @param certFile           PEM client certificate chain, or null for no client certificate
   * @param keyFile            PEM PKCS#8 private key of {@code certFile}
   * @param authority          the server name to verify instead of the endpoint host, or null
   * @param user               etcd user for authentication, or null
   * @param password           its password
   * @param requestTimeout     how long one store operation keeps trying through connection failures
   * @param attemptTimeout     the deadline of one request to etcd
   * @param watchQueueCapacity revisions a watch may have queued before it is closed as too slow
   */
  public record Options(List<String> endpoints, String keyPrefix, Path caFile, Path certFile, Path keyFile,
      String authority, String user, String password, Duration requestTimeout, Duration attemptTimeout,
      int watchQueueCapacity) {

    public Options {
      endpoints = List.copyOf(endpoints);
      Objects.requireNonNull(keyPrefix, "keyPrefix");
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      Objects.requireNonNull(attemptTimeout, "attemptTimeout");
      if (endpoints.isEmpty()) {
        throw new IllegalArgumentException("no etcd endpoints");
      }
      for (String e : endpoints) {
        URI uri;
        try {
          uri = new URI(e);
        } catch (URISyntaxException x) {
          uri = null;
        }
        if (uri == null || uri.getHost() == null || uri.getPort() < 0
            || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
          throw new IllegalArgumentException("etcd endpoint must look like http(s)://host:port: " + e);
        }
      }
      if (keyPrefix.isEmpty() || requestTimeout.isNegative() || requestTimeout.isZero()
          || attemptTimeout.isNegative() || attemptTimeout.isZero() || watchQueueCapacity < 1) {
        throw new IllegalArgumentException("invalid etcd store options: keyPrefix '" + keyPrefix + "', requestTimeout "
            + requestTimeout + ", attemptTimeout " + attemptTimeout + ", watchQueueCapacity " + watchQueueCapacity);
      }
      if ((certFile == null) != (keyFile == null)) {
        throw new IllegalArgumentException("certFile and keyFile go together");
      }
      if ((user == null) != (password == null)) {
        throw new IllegalArgumentException("user and password go together");
      }
    }

    /** Prefix {@code /bosun}, no TLS, no auth, 30 s per operation, 10 s per request, 10000 queued revisions. */
    public static Options defaults(List<String> endpoints) {
      return new Options(endpoints, "/bosun", null, null, null, null, null, null, Duration.ofSeconds(30),
          Duration.ofSeconds(10), 10_000);
    }

    public Options withKeyPrefix(String prefix) {
      return new Options(endpoints, prefix, caFile, certFile, keyFile, authority, user, password, requestTimeout,
          attemptTimeout, watchQueueCapacity);
    }

    /** TLS: CA bundle, optional client certificate and key, optional server name override. */
    public Options withTls(Path ca, Path cert, Path key, String serverName) {
      return new Options(endpoints, keyPrefix, ca, cert, key, serverName, user, password, requestTimeout,
          attemptTimeout, watchQueueCapacity);
    }

    public Options withAuth(String user, String password) {
      return new Options(endpoints, keyPrefix, caFile, certFile, keyFile, authority, user, password, requestTimeout,
          attemptTimeout, watchQueueCapacity);
    }

    public Options withTimeouts(Duration request, Duration attempt) {
      return new Options(endpoints, keyPrefix, caFile, certFile, keyFile, authority, user, password, request, attempt,
          watchQueueCapacity);
    }

    public Options withWatchQueueCapacity(int capacity) {
      return new Options(endpoints, keyPrefix, caFile, certFile, keyFile, authority, user, password, requestTimeout,
          attemptTimeout, capacity);
    }

    boolean tls() {
      return caFile != null || certFile != null || endpoints.stream().anyMatch(e -> e.startsWith("https:"));
    }

    @Override
    public String toString() {
      // Never the password.
      return "Options[endpoints=" + endpoints + ", keyPrefix=" + keyPrefix + ", tls=" + tls() + ", user=" + user
          + ", requestTimeout=" + requestTimeout + ", attemptTimeout=" + attemptTimeout + "]";
    }
  }

  /** How a failed attempt's transaction is sent again; the hook lets tests lose answers on purpose. */
  interface TxnSender {
    CompletableFuture<TxnResponse> send(KV kv, Cmp cmp, Op[] then, Op[] otherwise);
  }

  private static final System.Logger LOG = System.getLogger(EtcdStore.class.getName());
  private static final String META_VALUE = "bosun-store-etcd format=1";
  private static final TxnSender DIRECT = (kv, cmp, then, otherwise) -> kv.txn().If(cmp).Then(then).Else(otherwise)
      .commit();

  private final Options options;
  private final KeyLayout layout;
  private final EtcdConnection connection;
  private final Client client;
  private final KV kv;
  private final String writerId = UUID.randomUUID().toString();
  private final ByteSequence writerKey;
  private final AtomicLong tokens = new AtomicLong();
  /** The highest etcd revision any answer carried: a lower bound of the current revision. */
  private final AtomicLong seenRevision = new AtomicLong();
  /** etcd's compact revision as last learnt; only grows. */
  private final AtomicLong compactEtcd = new AtomicLong();
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private final long base;
  private final WatchHub hub;
  private volatile TxnSender sender = DIRECT;
  private volatile boolean closed;

  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong rejectedWrites = new AtomicLong();
  private final AtomicLong unknownOutcomes = new AtomicLong();
  private final AtomicLong resolvedApplied = new AtomicLong();
  private final AtomicLong resolvedNotApplied = new AtomicLong();

  /**
   * Connects, waiting up to the request timeout for etcd, and writes the meta key if this prefix is
   * new.
   *
   * @throws StoreException if etcd cannot be reached or the prefix holds data without a meta key
   */
  public EtcdStore(Options options) {
    this.options = Objects.requireNonNull(options, "options");
    this.layout = new KeyLayout(options.keyPrefix());
    this.writerKey = layout.writerKey(writerId);
    this.connection = new EtcdConnection(options);
    this.client = connection.client();
    try {
      this.kv = client.getKVClient();
      this.base = initialise();
      long head = currentEtcdRevision();
      probeCompactRevision(head);
      this.hub = new WatchHub(this, client.getWatchClient(), layout, head);
    } catch (RuntimeException | Error e) {
      closed = true;
      closedLatch.countDown();
      connection.close();
      if (e instanceof RuntimeException && !(e instanceof StoreException) && !(e instanceof IllegalArgumentException)) {
        // Wrong credentials, no permission on the prefix, ...: etcd's answer, as a store failure.
        throw new StoreException("cannot open the etcd store on " + options.endpoints() + ": "
            + Failures.describe(e), e);
      }
      throw e;
    }
    LOG.log(System.Logger.Level.INFO, "etcd store on {0} under {1}: revision offset {2}, revision {3}",
        options.endpoints(), options.keyPrefix(), base, revision());
  }

  /** Reads or creates the meta key; returns the revision offset. */
  private long initialise() {
    long deadline = deadline(options.requestTimeout());
    Backoff backoff = new Backoff();
    while (true) {
      GetResponse meta = call("read the meta key", () -> kv.get(layout.meta()));
      if (!meta.getKvs().isEmpty()) {
        io.etcd.jetcd.KeyValue m = meta.getKvs().get(0);
        if (!m.getValue().toString(StandardCharsets.UTF_8).startsWith("bosun-store-etcd ")) {
          throw new StoreException(layout.meta().toString(StandardCharsets.UTF_8)
              + " holds something other than a Bosun store's meta key");
        }
        return m.getCreateRevision();
      }
      GetResponse data = call("count the data keys", () -> kv.get(layout.key(""),
          GetOption.builder().withRange(layout.rangeEnd(KeyRange.prefix(""))).withCountOnly(true).build()));
      if (data.getCount() > 0) {
        // The offset would be guessed wrong and every revision clients hold would change meaning.
        throw new StoreException("etcd holds " + data.getCount() + " keys under " + layout
            + " but no meta key " + layout.meta().toString(StandardCharsets.UTF_8)
            + "; refusing to guess the revision offset");
      }
      // A compare-and-swap, so racing first opens agree; an unknown outcome is settled by reading again.
      try {
        TxnResponse r = await(kv.txn()
            .If(new Cmp(layout.meta(), Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
            .Then(Op.put(layout.meta(), bytes(META_VALUE), PutOption.DEFAULT))
            .Else(Op.get(layout.meta(), GetOption.DEFAULT))
            .commit(), deadline(options.attemptTimeout()));
        seen(r.getHeader().getRevision());
        if (r.isSucceeded()) {
          LOG.log(System.Logger.Level.INFO, "initialised etcd store prefix {0} at etcd revision {1}",
              options.keyPrefix(), r.getHeader().getRevision());
          return r.getHeader().getRevision();
        }
      } catch (RuntimeException cause) {
        if (!Failures.isTransient(cause) || closed || System.nanoTime() - deadline > 0) {
          throw failure("initialise the store", cause);
        }
        backoff.pause();
      }
    }
  }

  // ---------------------------------------------------------------- mapping

  long base() {
    return base;
  }

  KeyValue toSpi(io.etcd.jetcd.KeyValue kv) {
    return new KeyValue(layout.spiKey(kv.getKey()), kv.getValue().getBytes(), kv.getCreateRevision() - base,
        kv.getModRevision() - base, kv.getVersion(), kv.getLease());
  }

  void seen(long etcdRevision) {
    seenRevision.accumulateAndGet(etcdRevision, Math::max);
  }

  long seenRevision() {
    return seenRevision.get();
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- calls

  /** A deadline in nanoTime. */
  private static long deadline(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) < 0 ? a : b;
  }

  /** Waits for one request, up to the attempt timeout or {@code deadline}, whichever comes first. */
  private <T> T await(CompletableFuture<T> future, long deadline) {
    long wait = Math.min(options.attemptTimeout().toNanos(), deadline - System.nanoTime());
    try {
      // The gRPC deadline ends the request first; this bound only guards against a lost callback.
      return future.get(Math.max(wait, 0) + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw Failures.unwrap(e) instanceof RuntimeException r ? r : new StoreException(e.getMessage(), e);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new StoreException("etcd request timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new StoreException("interrupted waiting for etcd", e);
    }
  }

  /** Runs an idempotent request, retrying transient failures until the request timeout. */
  <T> T call(String what, Supplier<CompletableFuture<T>> request) {
    long deadline = deadline(options.requestTimeout());
    Backoff backoff = new Backoff();
    while (true) {
      checkOpen();
      try {
        return await(request.get(), deadline);
      } catch (RuntimeException cause) {
        if (closed) {
          throw new StoreException("etcd store is closed", cause);
        }
        if (!Failures.isTransient(cause)) {
          throw cause;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new StoreException("cannot " + what + ": etcd unavailable for " + options.requestTimeout().toSeconds()
              + " s (" + Failures.describe(cause) + ")", cause);
        }
        backoff.pause();
      }
    }
  }

  private StoreException failure(String what, Throwable e) {
    return closed ? new StoreException("etcd store is closed", e)
        : new StoreException("cannot " + what + ": " + Failures.describe(e), e);
  }

  /** Exponential pauses between retries, cut short by close. */
  final class Backoff {
    private long millis = 25;

    void pause() {
      connection.nudgeReconnect();
      try {
        if (closedLatch.await(millis, TimeUnit.MILLISECONDS)) {
          throw new StoreException("etcd store is closed");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException("interrupted waiting for etcd", e);
      }
      millis = Math.min(millis * 2, 1000);
    }

    void reset() {
      millis = 25;
    }
  }

  void checkOpen() {
    if (closed) {
      throw new StoreException("etcd store is closed");
    }
  }

  boolean isClosed() {
    return closed;
  }

  // ---------------------------------------------------------------- reads

  /** The current etcd revision, by a linearizable read. */
  long currentEtcdRevision() {
    GetResponse r = call("read the revision", () -> kv.get(layout.meta(), GetOption.builder().withCountOnly(true).build()));
    seen(r.getHeader().getRevision());
    return r.getHeader().getRevision();
  }

  /** The current etcd revision without waiting: the linearizable answer, or the highest seen if etcd is away. */
  CompletableFuture<Long> currentEtcdRevisionAsync() {
    try {
      return kv.get(layout.meta(), GetOption.builder().withCountOnly(true).build())
          .handle((r, e) -> {
            if (e != null) {
              return seenRevision.get();
            }
            seen(r.getHeader().getRevision());
            return r.getHeader().getRevision();
          });
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(seenRevision.get());
    }
  }

  @Override
  public long revision() {
    return currentEtcdRevision() - base;
  }

  @Override
  public long compactRevision() {
    checkOpen();
    return Math.max(0, probeCompactRevision(0) - base);
  }

  /**
   * etcd's compact revision: the oldest revision a read at a past revision may ask for. etcd has no
   * request for it, but a read at a compacted revision fails, so the cached value is checked with
   * one read and, if compaction moved on, found again by binary search up to {@code head} (0: read it).
   */
  long probeCompactRevision(long head) {
    long known = Math.max(1, compactEtcd.get());
    if (readableAt(known)) {
      return compactEtcd.get();
    }
    long lo = known + 1;
    long hi = head > 0 ? head : currentEtcdRevision();
    while (lo < hi) {
      long mid = lo + (hi - lo) / 2;
      if (readableAt(mid)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    long found = lo;
    return compactEtcd.accumulateAndGet(found, Math::max);
  }

  private boolean readableAt(long etcdRevision) {
    try {
      call("probe the compact revision",
          () -> kv.get(layout.meta(), GetOption.builder().withRevision(etcdRevision).withCountOnly(true).build()));
      return true;
    } catch (RuntimeException e) {
      if (Failures.isCompacted(e)) {
        return false;
      }
      throw e instanceof StoreException s ? s : failure("probe the compact revision", e);
    }
  }

  /** The compact revision last learnt, without asking etcd. */
  long knownCompactRevision() {
    return compactEtcd.get();
  }

  /** Records a compact revision learnt from etcd (a watch cancelled for compaction carries one). */
  void compacted(long etcdCompactRevision) {
    compactEtcd.accumulateAndGet(etcdCompactRevision, Math::max);
  }

  @Override
  public KeyValue get(String key) {
    Objects.requireNonNull(key, "key");
    GetResponse r = read("get " + key, () -> kv.get(layout.key(key)));
    return r.getKvs().isEmpty() ? null : toSpi(r.getKvs().get(0));
  }

  private GetResponse read(String what, Supplier<CompletableFuture<GetResponse>> request) {
    try {
      GetResponse r = call(what, request);
      seen(r.getHeader().getRevision());
      return r;
    } catch (StoreException e) {
      throw e;
    } catch (RuntimeException e) {
      throw failure(what, e);
    }
  }

  @Override
  public RangeResult range(KeyRange range, long limit, long revision) {
    Objects.requireNonNull(range, "range");
    if (limit < 0 || revision < 0) {
      throw new IllegalArgumentException("negative limit or revision");
    }
    GetOption.Builder option = GetOption.builder().withRange(layout.rangeEnd(range)).withLimit(limit);
    if (revision > 0) {
      option.withRevision(revision + base);
    }
    GetResponse r;
    try {
      r = call("read a range", () -> kv.get(layout.rangeStart(range), option.build()));
    } catch (StoreException e) {
      throw e;
    } catch (RuntimeException e) {
      if (Failures.isCompacted(e)) {
        throw new CompactedException(revision, compactRevision());
      }
      if (Failures.isFutureRevision(e)) {
        throw new FutureRevisionException(revision, revision());
      }
      throw failure("read a range", e);
    }
    seen(r.getHeader().getRevision());
    List<KeyValue> kvs = new ArrayList<>(r.getKvs().size());
    for (io.etcd.jetcd.KeyValue k : r.getKvs()) {
      kvs.add(toSpi(k));
    }
    return new RangeResult(kvs, r.isMore(), r.getCount(), revision > 0 ? revision : r.getHeader().getRevision() - base);
  }

  @Override
  public long count(KeyRange range) {
    Objects.requireNonNull(range, "range");
    return read("count a range", () -> kv.get(layout.rangeStart(range),
        GetOption.builder().withRange(layout.rangeEnd(range)).withCountOnly(true).build())).getCount();
  }

  // ---------------------------------------------------------------- writes

  private enum Kind { CREATE, UPDATE, DELETE }

  /** One write; {@code expected} is a store revision (0: none). */
  private record Write(Kind kind, String key, ByteSequence etcdKey, byte[] value, long expected, long lease) {

    Write pinnedTo(long modRevision) {
      return new Write(kind, key, etcdKey, value, modRevision, lease);
    }
  }

  /** What resolving an unknown outcome found. */
  private record Resolution(WriteResult applied, Write retry) {
  }

  @Override
  public WriteResult create(String key, byte[] value, long lease) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    return write(new Write(Kind.CREATE, key, layout.key(key), value.clone(), 0, lease));
  }

  @Override
  public WriteResult update(String key, byte[] value, long expectedModRevision, long lease) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (expectedModRevision <= 0) {
      // No key has mod revision 0 (and etcd would read "== 0" as "absent"): always a conflict.
      return rejectedNow(key);
    }
    return write(new Write(Kind.UPDATE, key, layout.key(key), value.clone(), expectedModRevision, lease));
  }

  @Override
  public WriteResult delete(String key, long expectedModRevision) {
    Objects.requireNonNull(key, "key");
    if (expectedModRevision < 0) {
      return rejectedNow(key);
    }
    return write(new Write(Kind.DELETE, key, layout.key(key), null, expectedModRevision, 0));
  }

  /** A rejection carrying the key's current state and the revision it was read at. */
  private WriteResult rejectedNow(String key) {
    GetResponse r = read("get " + key, () -> kv.get(layout.key(key)));
    return WriteResult.rejected(r.getHeader().getRevision() - base, r.getKvs().isEmpty() ? null : toSpi(r.getKvs().get(0)));
  }

  private WriteResult write(Write first) {
    checkOpen();
    Write w = first;
    ByteSequence token = bytes(writerId + ":" + tokens.incrementAndGet());
    // Any revision this write can be applied at is above every revision already seen.
    long before = seenRevision.get();
    long deadline = deadline(options.requestTimeout());
    boolean unknown = false;
    Backoff backoff = new Backoff();
    while (true) {
      checkOpen();
      TxnResponse r;
      try {
        r = await(send(w, token), deadline);
      } catch (RuntimeException cause) {
        if (closed || !Failures.isTransient(cause)) {
          if (unknown) {
            // An earlier attempt may still have been applied; that answer wins over this failure.
            Resolution s = resolve(w, token, before, deadline);
            if (s.applied() != null) {
              return s.applied();
            }
          }
          if (Failures.isLeaseNotFound(cause)) {
            throw new IllegalArgumentException("lease " + w.lease() + " not found");
          }
          throw failure("write " + w.key(), cause);
        }
        // No connection, or a token renewal: this attempt never reached etcd.
        boolean notSent = Failures.neverSent(cause) || Failures.isAuthRefresh(cause);
        if (!notSent && !unknown) {
          unknown = true;
          unknownOutcomes.incrementAndGet();
          LOG.log(System.Logger.Level.DEBUG, "outcome of a write to {0} unknown ({1}); resolving", w.key(),
              Failures.describe(cause));
        }
        if (!unknown && System.nanoTime() - deadline > 0) {
          throw new StoreException("cannot write " + w.key() + ": etcd unavailable for "
              + options.requestTimeout().toSeconds() + " s (" + Failures.describe(cause) + "); not applied");
        }
        backoff.pause();
        if (!unknown) {
          continue;
        }
        Resolution s = resolve(w, token, before, deadline);
        if (s.applied() != null) {
          return s.applied();
        }
        if (s.retry() == null) {
          // An unconditional delete of a key that is gone: nothing to retry.
          return rejectedNow(w.key());
        }
        if (System.nanoTime() - deadline > 0) {
          throw new StoreException("cannot write " + w.key() + ": etcd unavailable for "
              + options.requestTimeout().toSeconds() + " s (" + Failures.describe(cause) + "); not applied");
        }
        w = s.retry();
        continue;
      }
      long rev = r.getHeader().getRevision();
      seen(rev);
      if (r.isSucceeded()) {
        writes.incrementAndGet();
        return applied(w, r);
      }
      if (unknown) {
        Resolution s = resolve(w, token, before, deadline);
        if (s.applied() != null) {
          return s.applied();
        }
      }
      rejectedWrites.incrementAndGet();
      List<io.etcd.jetcd.KeyValue> current = r.getGetResponses().get(0).getKvs();
      return WriteResult.rejected(rev - base, current.isEmpty() ? null : toSpi(current.get(0)));
    }
  }

  private CompletableFuture<TxnResponse> send(Write w, ByteSequence token) {
    Cmp cmp = switch (w.kind()) {
      case CREATE -> new Cmp(w.etcdKey(), Cmp.Op.EQUAL, CmpTarget.createRevision(0));
      case UPDATE -> new Cmp(w.etcdKey(), Cmp.Op.EQUAL, CmpTarget.modRevision(w.expected() + base));
      case DELETE -> w.expected() == 0
          ? new Cmp(w.etcdKey(), Cmp.Op.GREATER, CmpTarget.createRevision(0))
          : new Cmp(w.etcdKey(), Cmp.Op.EQUAL, CmpTarget.modRevision(w.expected() + base));
    };
    Op change = switch (w.kind()) {
      case CREATE -> Op.put(w.etcdKey(), ByteSequence.from(w.value()), putOption(w.lease(), false));
      case UPDATE -> Op.put(w.etcdKey(), ByteSequence.from(w.value()), putOption(w.lease(), true));
      case DELETE -> Op.delete(w.etcdKey(), DeleteOption.builder().withPrevKV(true).build());
    };
    Op[] then = {change, Op.put(writerKey, token, PutOption.DEFAULT)};
    Op[] otherwise = {Op.get(w.etcdKey(), GetOption.DEFAULT)};
    return sender.send(kv, cmp, then, otherwise);
  }

  private static PutOption putOption(long lease, boolean prevKv) {
    PutOption.Builder b = PutOption.builder();
    if (lease != 0) {
      b.withLeaseId(lease);
    }
    if (prevKv) {
      b.withPrevKV();
    }
    return b.build();
  }

  private WriteResult applied(Write w, TxnResponse r) {
    long rev = r.getHeader().getRevision() - base;
    KeyValue kv = switch (w.kind()) {
      case CREATE -> new KeyValue(w.key(), w.value().clone(), rev, rev, 1, w.lease());
      case UPDATE -> {
        io.etcd.jetcd.KeyValue prev = r.getPutResponses().get(0).getPrevKv();
        yield new KeyValue(w.key(), w.value().clone(), prev.getCreateRevision() - base, rev, prev.getVersion() + 1,
            w.lease());
      }
      case DELETE -> toSpi(r.getDeleteResponses().get(0).getPrevKvs().get(0));
    };
    return WriteResult.applied(rev, kv);
  }

  /**
   * Settles whether the write carrying {@code token} was applied, retrying through connection
   * failures until {@code deadline}.
   */
  private Resolution resolve(Write w, ByteSequence token, long before, long deadline) {
    Backoff backoff = new Backoff();
    while (true) {
      checkOpen();
      try {
        long at = findToken(token, before, deadline);
        if (at > 0) {
          resolvedApplied.incrementAndGet();
          writes.incrementAndGet();
          return new Resolution(appliedAt(w, at, deadline), null);
        }
        resolvedNotApplied.incrementAndGet();
        if (w.kind() == Kind.DELETE && w.expected() == 0) {
          // Pin the retry to the key as it is now, so a late first attempt and the retry cannot
          // both delete (the second one a newer key of the same name).
          GetResponse g = await(kv.get(w.etcdKey()), deadline);
          seen(g.getHeader().getRevision());
          return new Resolution(null, g.getKvs().isEmpty() ? null
              : w.pinnedTo(g.getKvs().get(0).getModRevision() - base));
        }
        return new Resolution(null, w);
      } catch (RuntimeException cause) {
        if (closed) {
          throw new StoreException("etcd store closed while the outcome of a write to " + w.key() + " was unknown", cause);
        }
        if (cause instanceof UnresolvableException u) {
          throw u;
        }
        if (!Failures.isTransient(cause) || System.nanoTime() - deadline > 0) {
          throw new UnresolvableException("outcome of a write to " + w.key() + " is unknown: etcd failed before it "
              + "could be resolved (" + Failures.describe(cause) + ")", cause);
        }
        backoff.pause();
      }
    }
  }

  /** A write that may or may not have been applied and could not be told which. */
  static final class UnresolvableException extends StoreException {
    private static final long serialVersionUID = 1L;

    UnresolvableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The etcd revision at which {@code token} was written to this instance's writer key, or 0. */
  private long findToken(ByteSequence token, long before, long deadline) {
    GetResponse g = await(kv.get(writerKey), deadline);
    seen(g.getHeader().getRevision());
    if (g.getKvs().isEmpty()) {
      return 0;
    }
    io.etcd.jetcd.KeyValue latest = g.getKvs().get(0);
    if (latest.getValue().equals(token)) {
      return latest.getModRevision();
    }
    if (latest.getModRevision() <= before) {
      return 0;
    }
    // Other writes of this instance overwrote the key since: look through its history.
    return hub.scanWriterKey(writerKey, token, before + 1, latest.getModRevision(), deadline);
  }

  /** The result of a write found applied at etcd revision {@code at}. */
  private WriteResult appliedAt(Write w, long at, long deadline) {
    long rev = at - base;
    if (w.kind() == Kind.CREATE) {
      return WriteResult.applied(rev, new KeyValue(w.key(), w.value().clone(), rev, rev, 1, w.lease()));
    }
    // The key as written (update) or as it was just before (delete), read from history.
    long readAt = w.kind() == Kind.UPDATE ? at : at - 1;
    try {
      GetResponse g = await(kv.get(w.etcdKey(), GetOption.builder().withRevision(readAt).build()), deadline);
      if (!g.getKvs().isEmpty()) {
        return WriteResult.applied(rev, toSpi(g.getKvs().get(0)));
      }
    } catch (RuntimeException e) {
      if (!Failures.isCompacted(e)) {
        throw e;
      }
    }
    throw new UnresolvableException("write to " + w.key() + " was applied at revision " + rev
        + " but the key as written can no longer be read (compacted)", null);
  }

  // ---------------------------------------------------------------- leases, watches, compaction

  @Override
  public long grantLease(long ttlSeconds) {
    if (ttlSeconds <= 0) {
      throw new IllegalArgumentException("lease TTL must be positive: " + ttlSeconds);
    }
    try {
      return call("grant a lease", () -> client.getLeaseClient().grant(ttlSeconds)).getID();
    } catch (StoreException e) {
      throw e;
    } catch (RuntimeException e) {
      throw failure("grant a lease", e);
    }
  }

  @Override
  public Watch watch(KeyRange range, long fromRevision, WatchListener listener) {
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(listener, "listener");
    if (fromRevision < 0) {
      throw new IllegalArgumentException("negative revision");
    }
    checkOpen();
    long start = fromRevision == 0 ? currentEtcdRevision() + 1 : fromRevision + base;
    return hub.watch(range, start, listener, options.watchQueueCapacity());
  }

  /**
   * {@inheritDoc}
   *
   * <p>Compacting at or below the current compact revision does nothing; compacting past the
   * current revision throws {@link FutureRevisionException}. etcd compacts the whole cluster.
   */
  @Override
  public void compact(long revision) {
    if (revision <= 0) {
      return;
    }
    long etcdRevision = revision + base;
    try {
      call("compact", () -> kv.compact(etcdRevision));
      compacted(etcdRevision);
    } catch (StoreException e) {
      throw e;
    } catch (RuntimeException e) {
      if (Failures.isCompacted(e)) {
        return;
      }
      if (Failures.isFutureRevision(e)) {
        throw new FutureRevisionException(revision, revision());
      }
      throw failure("compact", e);
    }
  }

  /** Never throws: with etcd away the figures that need it are replaced by {@code error}. */
  @Override
  public Map<String, Object> status() {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("backend", "etcd");
    status.put("endpoints", options.endpoints());
    status.put("keyPrefix", options.keyPrefix());
    status.put("revisionOffset", base);
    status.put("tls", options.tls());
    status.put("closed", closed);
    try {
      long head = currentEtcdRevision();
      status.put("revision", head - base);
      status.put("etcdRevision", head);
      status.put("keys", count(KeyRange.prefix("")));
    } catch (RuntimeException e) {
      status.put("error", e.getMessage());
    }
    status.put("compactRevision", Math.max(0, compactEtcd.get() - base));
    status.put("writes", writes.get());
    status.put("rejectedWrites", rejectedWrites.get());
    status.put("unknownWriteOutcomes", unknownOutcomes.get());
    status.put("resolvedApplied", resolvedApplied.get());
    status.put("resolvedNotApplied", resolvedNotApplied.get());
    status.putAll(hub.status());
    return status;
  }

  /** Test hook: how transactions are sent. */
  void sender(TxnSender sender) {
    this.sender = sender == null ? DIRECT : sender;
  }

  /** Ends every watch (with a {@link StoreException}), waits for their threads, and disconnects. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closedLatch.countDown();
    try {
      hub.close();
    } finally {
      connection.close();
    }
  }

  @Override
  public String toString() {
    return "EtcdStore" + options;
  }

  static List<String> splitEndpoints(String[] configured) {
    List<String> endpoints = new ArrayList<>();
    for (String e : configured) {
      Arrays.stream(e.split("[,\\s]+")).filter(s -> !s.isBlank()).forEach(endpoints::add);
    }
    return endpoints;
  }
}
