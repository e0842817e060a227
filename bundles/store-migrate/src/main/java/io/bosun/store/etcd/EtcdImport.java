package io.bosun.store.etcd;

import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.StoreException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Writes a store image into an empty etcd prefix so that every key keeps its create and mod
 * revision, and the store's revision afterwards is the source's.
 *
 * <h2>How revisions are kept</h2>
 * The etcd store maps store revision {@code r} to etcd revision {@code base + r}, where {@code base}
 * is the create revision of {@code <prefix>/meta}. So the import first creates the meta key (its
 * revision is the base), then makes etcd revision {@code base + r} for every {@code r} from 1 to the
 * source revision R, in order, each one transaction:
 * <ul>
 *   <li>the create of a key whose create revision is {@code r} (with its current value: the values
 *       it had before its last change are not in the source, which is why history is compacted
 *       afterwards);</li>
 *   <li>the update of a key whose mod revision is {@code r} (if it differs from its create revision);</li>
 *   <li>otherwise a filler: a put of {@code <prefix>/migration}, outside the data keys. Fillers stand for
 *       writes whose keys were changed again or deleted since; they are interchangeable, so a run of
 *       them is sent concurrently and counted by the revision etcd reached.</li>
 * </ul>
 * A revision holds at most one key's create or last change (one write per revision in the source),
 * so the plan never collides. Every data write is conditional (create: absent; update: mod revision
 * equals the create written before) and must land at exactly the expected revision; anything else
 * (another writer on the cluster, a late retry) stops the import.
 *
 * <h2>An unfinished import cannot be used</h2>
 * Until the last revision the meta key holds a value that is not a store's meta value, so
 * {@link EtcdStore} refuses to open the prefix. The last revision's transaction also writes the
 * final meta value and the migration record, so the prefix becomes a store atomically with its
 * last key.
 *
 * <p>Leases: each source lease becomes one etcd lease with its remaining TTL (at least a minimum),
 * granted when first used and kept alive while the import runs, so no key expires in the middle
 * (an expiry would be a revision of its own).
 */
public final class EtcdImport implements AutoCloseable {

  /** The meta value while an import runs: not a store meta value, so no store opens the prefix meanwhile. */
  static final String META_IN_PROGRESS = "bosun-migration-incomplete: an import into this prefix has not finished; "
      + "delete the prefix and migrate again";
  /** The meta value of a store, as {@link EtcdStore} writes it. */
  static final String META_FINAL = "bosun-store-etcd format=1";
  private static final int FILLERS_IN_FLIGHT = 128;

  /** What an import did. */
  public record Result(long revisionOffset, long revision, int creates, int updates, long fillers, int leases,
      long nanos) {
  }

  private final EtcdStore.Options options;
  private final KeyLayout layout;
  private final EtcdConnection connection;
  private final KV kv;
  private final ByteSequence migrationKey;
  private final List<CloseableClient> keepAlives = new ArrayList<>();
  /** The etcd revision this import's last write landed at: no need to ask before the next one. */
  private long reached;

  /** Sets up the connection; the first request waits for etcd. */
  public EtcdImport(EtcdStore.Options options) {
    this.options = Objects.requireNonNull(options, "options");
    this.layout = new KeyLayout(options.keyPrefix());
    this.connection = new EtcdConnection(options);
    this.kv = connection.client().getKVClient();
    this.migrationKey = ByteSequence.from(KeyLayout.encode(options.keyPrefix() + "/migration"));
  }

  /** The etcd key holding the migration record. */
  public String migrationKey() {
    return migrationKey.toString(StandardCharsets.UTF_8);
  }

  /** How many keys there are under {@code <prefix>/}: data, meta, writer tokens, a migration record. */
  public long keysUnderPrefix() {
    return call(() -> kv.get(layout.root(), GetOption.builder().withRange(layout.rootEnd()).withCountOnly(true).build()))
        .getCount();
  }

  /** The current etcd revision (a linearizable read). */
  public long etcdRevision() {
    return call(this::etcdRevisionAsync);
  }

  /** Compacts etcd's history (the whole cluster's) below {@code etcdRevision}. */
  public void compact(long etcdRevision) {
    call(() -> kv.compact(etcdRevision));
  }

  /**
   * Imports {@code keys} (the source at store revision {@code revision}) into the empty prefix.
   *
   * @param leaseTtls etcd TTL in seconds for each source lease id the keys use
   * @param record    the migration record, the final value of {@code <prefix>/migration}
   * @param progress  receives a line every few seconds
   * @throws StoreException if the prefix is not empty, etcd fails, or a revision lands elsewhere than planned
   */
  public Result load(long revision, List<KeyValue> keys, Map<Long, Long> leaseTtls, String record,
      Consumer<String> progress) {
    long started = System.nanoTime();
    TreeMap<Long, Step> plan = plan(revision, keys);
    long existing = keysUnderPrefix();
    if (existing > 0) {
      throw new StoreException("etcd already holds " + existing + " keys under " + options.keyPrefix() + "/");
    }
    Op[] finish = {Op.put(layout.meta(), bytes(META_FINAL), PutOption.DEFAULT),
        Op.put(migrationKey, bytes(record), PutOption.DEFAULT)};
    // The meta key's create revision becomes the revision offset; created only if absent, so a store
    // or another import that got there first wins. This import's token in the migration key tells
    // an applied meta write from one that was not, should the answer be lost.
    String token = "in progress " + UUID.randomUUID();
    Op[] metaOps = revision == 0 ? finish : new Op[] {Op.put(layout.meta(), bytes(META_IN_PROGRESS), PutOption.DEFAULT),
        Op.put(migrationKey, bytes(token), PutOption.DEFAULT)};
    long base = createMeta(metaOps, revision == 0 ? record : token);
    reached = base;
    Map<Long, Long> etcdLeases = new HashMap<>();
    int creates = 0;
    int updates = 0;
    long lastReport = System.nanoTime();
    long next = 1;
    for (Map.Entry<Long, Step> e : plan.entrySet()) {
      long r = e.getKey();
      fillTo(base + r - 1);
      Step step = e.getValue();
      long lease = step.kv().lease() == 0 ? 0 : etcdLeases.computeIfAbsent(step.kv().lease(),
          id -> grant(leaseTtls.getOrDefault(id, 60L)));
      write(step, base, r, lease, r == revision ? finish : new Op[0]);
      if (step.update()) {
        updates++;
      } else {
        creates++;
      }
      next = r + 1;
      if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
        lastReport = System.nanoTime();
        progress.accept(String.format("revision %d of %d (%d creates, %d updates)", r, revision, creates, updates));
      }
    }
    if (revision > 0 && next <= revision) {
      // The source's last revisions changed keys that are gone or changed again: fillers, the last one final.
      fillTo(base + revision - 1);
      commit("the final revision", null, finish, layout.meta(), base + revision);
    }
    long fillers = revision == 0 ? 0 : revision - creates - updates;
    return new Result(base, revision, creates, updates, fillers, etcdLeases.size(), System.nanoTime() - started);
  }

  /** Creates the meta key if absent; returns its create revision, the revision offset. */
  private long createMeta(Op[] ops, String marker) {
    Cmp absent = new Cmp(layout.meta(), Cmp.Op.EQUAL, CmpTarget.createRevision(0));
    long deadline = System.nanoTime() + options.requestTimeout().toNanos();
    while (true) {
      try {
        TxnResponse created = once(kv.txn().If(absent).Then(ops).commit());
        if (!created.isSucceeded()) {
          throw new StoreException(layout.meta().toString(StandardCharsets.UTF_8) + " appeared meanwhile: another "
              + "store or import is using this prefix");
        }
        return created.getHeader().getRevision();
      } catch (StoreException e) {
        throw e;
      } catch (RuntimeException e) {
        if (!Failures.isTransient(e) || System.nanoTime() - deadline > 0) {
          throw new StoreException("cannot create the meta key: " + Failures.describe(e), e);
        }
        GetResponse mark = call(() -> kv.get(migrationKey));
        if (!mark.getKvs().isEmpty()) {
          if (mark.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8).equals(marker)) {
            return mark.getKvs().get(0).getModRevision(); // ours: applied, the answer was lost
          }
          throw new StoreException("another import is using this prefix");
        }
        pause();
      }
    }
  }

  /** One planned data write: the create of a key (at its create revision) or its last update. */
  private record Step(KeyValue kv, boolean update) {
  }

  /** The data writes by store revision; every other revision up to {@code revision} is a filler. */
  static TreeMap<Long, Step> plan(long revision, List<KeyValue> keys) {
    TreeMap<Long, Step> plan = new TreeMap<>();
    for (KeyValue k : keys) {
      if (k.createRevision() < 1 || k.createRevision() > k.modRevision() || k.modRevision() > revision) {
        throw new StoreException("source key " + k.key() + " has create/mod revision " + k.createRevision() + "/"
            + k.modRevision() + " at revision " + revision);
      }
      put(plan, k.createRevision(), new Step(k, false));
      if (k.modRevision() != k.createRevision()) {
        put(plan, k.modRevision(), new Step(k, true));
      }
    }
    return plan;
  }

  private static void put(TreeMap<Long, Step> plan, long r, Step step) {
    Step other = plan.putIfAbsent(r, step);
    if (other != null) {
      throw new StoreException("source keys " + other.kv().key() + " and " + step.kv().key()
          + " both claim revision " + r + "; the source is inconsistent");
    }
  }

  /**
   * Makes etcd reach {@code target} with filler puts. Fillers are interchangeable, so a run is sent
   * concurrently and what failed is made up by the next pass, counted from the revision etcd reached.
   */
  private void fillTo(long target) {
    if (reached == target) {
      return;
    }
    long deadline = System.nanoTime() + options.requestTimeout().toNanos();
    long current = call(this::etcdRevisionAsync);
    while (current != target) {
      if (current > target) {
        throw new StoreException("etcd is at revision " + current + ", past the planned " + target
            + ": something else writes to this etcd cluster; stop it and migrate again into an empty prefix");
      }
      Semaphore window = new Semaphore(FILLERS_IN_FLIGHT);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<CompletableFuture<?>> sent = new ArrayList<>();
      for (long i = current; i < target && failure.get() == null; i++) {
        window.acquireUninterruptibly();
        sent.add(kv.put(migrationKey, bytes("in progress")).whenComplete((r, t) -> {
          window.release();
          if (t != null) {
            failure.compareAndSet(null, Failures.unwrap(t));
          }
        }));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).handle((r, t) -> null).join();
      Throwable failed = failure.get();
      if (failed != null && (!Failures.isTransient(failed) || System.nanoTime() - deadline > 0)) {
        throw new StoreException("cannot write filler revisions: " + Failures.describe(failed), failed);
      }
      long now = call(this::etcdRevisionAsync);
      if (now > current) {
        deadline = System.nanoTime() + options.requestTimeout().toNanos();
      }
      current = now;
    }
    reached = target;
  }

  /** Writes one planned step at etcd revision {@code base + r}. */
  private void write(Step step, long base, long r, long lease, Op[] extra) {
    ByteSequence key = layout.key(step.kv().key());
    Cmp cmp = step.update()
        ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(base + step.kv().createRevision()))
        : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0));
    PutOption put = lease == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(lease).build();
    Op[] then = new Op[1 + extra.length];
    then[0] = Op.put(key, ByteSequence.from(step.kv().value()), put);
    System.arraycopy(extra, 0, then, 1, extra.length);
    commit((step.update() ? "the update of " : "the create of ") + step.kv().key() + " (revision " + r + ")", cmp,
        then, key, base + r);
  }

  /**
   * Commits one transaction that must land at etcd revision {@code expected} and change
   * {@code probe}. An answer lost to a connection failure is settled by reading {@code probe} and
   * the revision: changed at the expected revision (applied), etcd still one below (not applied:
   * send again), or anything else (stop).
   */
  private void commit(String what, Cmp cmp, Op[] then, ByteSequence probe, long expected) {
    long deadline = System.nanoTime() + options.requestTimeout().toNanos();
    while (true) {
      TxnResponse response;
      try {
        response = once((cmp == null ? kv.txn() : kv.txn().If(cmp)).Then(then).commit());
      } catch (RuntimeException e) {
        if (!Failures.isTransient(e) || System.nanoTime() - deadline > 0) {
          throw new StoreException("cannot write " + what + ": " + Failures.describe(e), e);
        }
        GetResponse now = call(() -> kv.get(probe));
        long at = now.getHeader().getRevision();
        if (!now.getKvs().isEmpty() && now.getKvs().get(0).getModRevision() == expected) {
          reached = expected;
          return; // applied; only the answer was lost
        }
        if (at == expected - 1) {
          pause();
          continue; // not applied: send again
        }
        throw new StoreException("the outcome of " + what + " is unclear: etcd is at revision " + at + ", expected "
            + (expected - 1), e);
      }
      if (!response.isSucceeded()) {
        throw new StoreException("etcd rejected " + what + ": the key changed under the import");
      }
      expectRevision(response.getHeader().getRevision(), expected, what);
      reached = expected;
      return;
    }
  }

  private static void expectRevision(long actual, long expected, String what) {
    if (actual != expected) {
      throw new StoreException(what + " landed at etcd revision " + actual + " instead of " + expected
          + ": something else writes to this etcd cluster; stop it and migrate again into an empty prefix");
    }
  }

  /** Grants a lease and keeps it alive until {@link #close()}. */
  private long grant(long ttlSeconds) {
    long id = call(() -> connection.client().getLeaseClient().grant(ttlSeconds)).getID();
    keepAlives.add(connection.client().getLeaseClient().keepAlive(id, new StreamObserver<LeaseKeepAliveResponse>() {
      @Override
      public void onNext(LeaseKeepAliveResponse value) {
      }

      @Override
      public void onError(Throwable t) {
        // The import's own writes fail if etcd is gone; a lease that expired shows as a wrong revision.
      }

      @Override
      public void onCompleted() {
      }
    }));
    return id;
  }

  /** One request; its failure as thrown by jetcd (unwrapped). */
  private <T> T once(CompletableFuture<T> future) {
    try {
      // The channel's deadline ends the request first; this bound only guards against a lost callback.
      return future.get(options.attemptTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = Failures.unwrap(e);
      throw cause instanceof RuntimeException re ? re : new StoreException(Failures.describe(cause), cause);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new StoreException("etcd request timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted", e);
    }
  }

  /** An idempotent request, sent again after transient failures until the request timeout. */
  private <T> T call(Supplier<CompletableFuture<T>> request) {
    long deadline = System.nanoTime() + options.requestTimeout().toNanos();
    while (true) {
      try {
        return once(request.get());
      } catch (RuntimeException e) {
        if (!Failures.isTransient(e) || System.nanoTime() - deadline > 0) {
          throw new StoreException("etcd: " + Failures.describe(e), e);
        }
        pause();
      }
    }
  }

  private void pause() {
    connection.nudgeReconnect();
    try {
      Thread.sleep(200); // back-off between attempts, bounded by the callers' deadlines
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted", e);
    }
  }

  private CompletableFuture<Long> etcdRevisionAsync() {
    return kv.get(layout.meta(), GetOption.builder().withCountOnly(true).build()).thenApply(r -> r.getHeader().getRevision());
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  /** Stops the lease keep-alives (the leases then run their TTL) and disconnects. */
  @Override
  public void close() {
    for (CloseableClient k : keepAlives) {
      k.close();
    }
    connection.close();
  }
}
