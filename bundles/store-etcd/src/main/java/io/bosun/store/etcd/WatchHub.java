package io.bosun.store.etcd;

import io.bosun.store.spi.CompactedException;
import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.StoreException;
import io.bosun.store.spi.WatchEvent;
import io.bosun.store.spi.WatchListener;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Fans one etcd watch out to every store watch.
 *
 * <h2>Why one shared etcd watch</h2>
 * The contract's progress notification ("every change up to revision R has been delivered") needs
 * a point in the event stream, and etcd 3.4's progress responses are not one: they are answered
 * out of band and can overtake events still queued for the stream (etcd issue 15220, fixed in
 * 3.4.25 and 3.5.8; Debian ships 3.4.23). So progress is worked out here instead. The shared watch
 * covers the whole key space, and every etcd revision is made by a transaction that changed at
 * least one key, so the stream carries every revision in order: once it has delivered revision R
 * (in this store's keys or not) nothing at or below R can still come. A progress request reads the
 * current revision H and is answered in the watch's own queue as soon as the stream has passed H.
 *
 * <p>If the credentials may not watch the whole key space (etcd RBAC), the hub falls back to this
 * store's prefix. Progress is then answered with the revision the stream has reached, which is
 * correct but may lag; contiguity then relies on the store owning the cluster.
 *
 * <h2>Registration without gaps</h2>
 * A store watch joins the live set under {@link #lock}, which the dispatcher also holds while it
 * fans a revision out; the revision the stream had reached then ({@code P0}) splits the work: live
 * events above {@code P0} are queued to the watch from then on, and its own thread replays
 * {@code [from, P0]} from etcd with a temporary watch of the same scope, which, carrying every
 * revision, shows exactly when it has passed {@code P0}.
 *
 * <h2>Connection loss</h2>
 * jetcd's own watch resumption is not used: it restarts from the revision in the last response
 * header, which after a creation or progress response can be past events not yet received. The
 * hub closes a failed etcd watch and opens a new one from the revision after the last one it
 * dispatched, so store watches see neither gaps nor repeats. If that revision has been compacted
 * meanwhile, every store watch ends with a {@link CompactedException} (clients list again) and the
 * hub starts over from the compact revision.
 */
final class WatchHub {

  private static final System.Logger LOG = System.getLogger(WatchHub.class.getName());
  private static final ByteSequence ALL = ByteSequence.from(new byte[] {0});
  private static final Duration THREAD_STOP_WAIT = Duration.ofSeconds(5);

  private sealed interface Signal permits Next, Failed, Completed, Stop {
  }

  private record Next(int generation, WatchResponse response) implements Signal {
  }

  private record Failed(int generation, Throwable cause) implements Signal {
  }

  private record Completed(int generation) implements Signal {
  }

  private record Stop() implements Signal {
  }

  /** A progress request waiting for the stream to pass {@code target}. */
  private record ProgressWait(EtcdWatch watch, long target) {
  }

  private final EtcdStore store;
  private final Watch watchClient;
  private final KeyLayout layout;
  final ReentrantLock lock = new ReentrantLock();
  private final LinkedBlockingQueue<Signal> inbox = new LinkedBlockingQueue<>();
  private final Thread dispatcher;
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong dispatchedRevisions = new AtomicLong();
  private volatile boolean wholeKeyspace = true;
  private volatile boolean closed;

  /** Every store watch whose thread has not finished, so close can wait for them. */
  private final java.util.Set<EtcdWatch> running = java.util.concurrent.ConcurrentHashMap.newKeySet();

  // Guarded by lock.
  private long position;
  private final List<EtcdWatch> live = new ArrayList<>();
  private final List<ProgressWait> waits = new ArrayList<>();

  /** Starts the shared watch just after etcd revision {@code head}. */
  WatchHub(EtcdStore store, Watch watchClient, KeyLayout layout, long head) {
    this.store = store;
    this.watchClient = watchClient;
    this.layout = layout;
    this.position = head;
    this.dispatcher = Thread.ofPlatform().daemon().name("bosun-etcd-watch-hub").unstarted(this::run);
    dispatcher.start();
  }

  // ---------------------------------------------------------------- store watches

  EtcdWatch watch(KeyRange range, long startEtcd, WatchListener listener, int capacity) {
    EtcdWatch w = new EtcdWatch(store, this, ids.incrementAndGet(), range, startEtcd, listener, capacity);
    long known = store.knownCompactRevision();
    if (startEtcd < known) {
      w.terminate(new CompactedException(startEtcd - store.base(), known - store.base()));
      w.start(startEtcd - 1);
      return w;
    }
    long p0;
    lock.lock();
    try {
      if (closed) {
        throw new StoreException("etcd store is closed");
      }
      p0 = position;
      w.minRevision = Math.max(startEtcd, p0 + 1);
      live.add(w);
    } finally {
      lock.unlock();
    }
    w.start(p0);
    return w;
  }

  void started(EtcdWatch w) {
    running.add(w);
  }

  void ended(EtcdWatch w) {
    running.remove(w);
  }

  KeyLayout layout() {
    return layout;
  }

  void remove(EtcdWatch w) {
    lock.lock();
    try {
      live.remove(w);
      waits.removeIf(p -> p.watch() == w);
    } finally {
      lock.unlock();
    }
  }

  /** Answers a progress request of {@code w} once the stream has passed etcd revision {@code target}. */
  void progressWhenPast(EtcdWatch w, long target) {
    lock.lock();
    try {
      if (!live.contains(w)) {
        return;
      }
      if (position >= target || !wholeKeyspace) {
        w.enqueueProgress(position);
      } else {
        waits.add(new ProgressWait(w, target));
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether the shared watch (and so a replay) covers the whole key space or only the store's prefix. */
  boolean wholeKeyspace() {
    return wholeKeyspace;
  }

  /** Opens an etcd watch of the hub's scope from {@code fromEtcd}, with previous values. */
  Watch.Watcher open(long fromEtcd, Watch.Listener listener) {
    boolean all = wholeKeyspace;
    WatchOption option = WatchOption.builder()
        .withRevision(fromEtcd)
        .withPrevKV(true)
        // A member cut off from the leader ends its watches instead of going quiet.
        .withRequireLeader(true)
        .withRange(all ? ALL : layout.rootEnd())
        .build();
    return watchClient.watch(all ? ALL : layout.root(), option, listener);
  }

  // ---------------------------------------------------------------- dispatch

  private void run() {
    int generation = 0;
    Watch.Watcher watcher = null;
    EtcdStore.Backoff backoff = store.new Backoff();
    try {
      watcher = start(++generation);
      while (!closed) {
        Signal s = inbox.take();
        if (s instanceof Stop) {
          return;
        }
        int g = switch (s) {
          case Next n -> n.generation();
          case Failed f -> f.generation();
          case Completed c -> c.generation();
          case Stop x -> generation;
        };
        if (g != generation) {
          continue;
        }
        try {
          if (s instanceof Next n) {
            dispatch(n.response());
            backoff.reset();
            continue;
          }
          Throwable cause = s instanceof Failed f ? f.cause() : new StoreException("etcd ended the watch stream");
          closeQuietly(watcher);
          watcher = null;
          if (Failures.isCompacted(cause)) {
            restartAfterCompaction(cause);
          } else if (wholeKeyspace && Failures.isPermissionDenied(cause)) {
            LOG.log(System.Logger.Level.WARNING, "may not watch the whole etcd key space ({0}); watching {1} only",
                Failures.describe(cause), layout.root().toString(java.nio.charset.StandardCharsets.UTF_8));
            wholeKeyspace = false;
          } else {
            LOG.log(System.Logger.Level.DEBUG, "etcd watch failed ({0}); resuming after revision {1}",
                Failures.describe(cause), position());
            backoff.pause();
          }
        } catch (RuntimeException e) {
          if (closed || store.isClosed()) {
            return;
          }
          // The hub must outlive any one failure (etcd away longer than the request timeout while
          // probing a compaction, an answer it cannot convert): the watches that may have missed
          // something end, their clients resume, and the stream starts again after its position.
          LOG.log(System.Logger.Level.WARNING, "etcd watch hub: " + e.getMessage() + "; ending the store watches", e);
          closeQuietly(watcher);
          watcher = null;
          failAll(new StoreException("etcd watch interrupted: " + e.getMessage(), e));
          backoff.pause();
        }
        reconnects.incrementAndGet();
        watcher = start(++generation);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (StoreException e) {
      // Only the back-off throws here, when the store closes.
      if (!closed && !store.isClosed()) {
        LOG.log(System.Logger.Level.ERROR, "etcd watch hub stopped", e);
        failAll(new StoreException("etcd watch hub stopped: " + e.getMessage(), e));
      }
    } catch (Error e) {
      LOG.log(System.Logger.Level.ERROR, "etcd watch hub failed", e);
      failAll(new StoreException("etcd watch hub failed", e));
      throw e;
    } finally {
      closeQuietly(watcher);
    }
  }

  private long position() {
    lock.lock();
    try {
      return position;
    } finally {
      lock.unlock();
    }
  }

  private Watch.Watcher start(int generation) {
    long from = position() + 1;
    try {
      return open(from, new Watch.Listener() {
        @Override
        public void onNext(WatchResponse response) {
          inbox.add(new Next(generation, response));
        }

        @Override
        public void onError(Throwable throwable) {
          inbox.add(new Failed(generation, throwable));
        }

        @Override
        public void onCompleted() {
          inbox.add(new Completed(generation));
        }
      });
    } catch (RuntimeException e) {
      // The client is closing, or refused synchronously: handled like a failed stream.
      inbox.add(new Failed(generation, e));
      return null;
    }
  }

  /** The events of one etcd response, per revision, converted; keys outside the store's data are dropped. */
  static void forEachRevision(WatchResponse response, KeyLayout layout, EtcdStore store, RevisionSink sink) {
    List<io.etcd.jetcd.watch.WatchEvent> events = response.getEvents();
    int i = 0;
    while (i < events.size()) {
      long rev = events.get(i).getKeyValue().getModRevision();
      List<WatchEvent> converted = new ArrayList<>();
      while (i < events.size() && events.get(i).getKeyValue().getModRevision() == rev) {
        io.etcd.jetcd.watch.WatchEvent e = events.get(i++);
        if (layout.isData(e.getKeyValue().getKey())) {
          converted.add(convert(e, layout, store));
        }
      }
      sink.accept(rev, List.copyOf(converted));
    }
  }

  /** Receives one etcd revision's data events (possibly none). */
  interface RevisionSink {
    void accept(long etcdRevision, List<WatchEvent> events);
  }

  private static WatchEvent convert(io.etcd.jetcd.watch.WatchEvent e, KeyLayout layout, EtcdStore store) {
    io.etcd.jetcd.KeyValue kv = e.getKeyValue();
    io.etcd.jetcd.KeyValue prev = e.getPrevKV();
    String key = layout.spiKey(kv.getKey());
    long rev = kv.getModRevision() - store.base();
    KeyValue prevKv = prev == null || prev.getKey().isEmpty() ? null : store.toSpi(prev);
    return switch (e.getEventType()) {
      case PUT -> new WatchEvent(WatchEvent.Type.PUT, key, rev, store.toSpi(kv), prevKv);
      case DELETE -> new WatchEvent(WatchEvent.Type.DELETE, key, rev, null, prevKv);
      case UNRECOGNIZED -> throw new StoreException("unknown etcd event type for " + key);
    };
  }

  private void dispatch(WatchResponse response) {
    if (response.getEvents().isEmpty()) {
      // Progress and creation answers: etcd 3.4 does not order them with events (see above).
      return;
    }
    forEachRevision(response, layout, store, this::fanOut);
  }

  private void fanOut(long rev, List<WatchEvent> events) {
    store.seen(rev);
    dispatchedRevisions.incrementAndGet();
    List<EtcdWatch> dropped = null;
    lock.lock();
    try {
      position = rev;
      if (!events.isEmpty()) {
        for (EtcdWatch w : live) {
          if (!w.offer(rev, events)) {
            if (dropped == null) {
              dropped = new ArrayList<>();
            }
            dropped.add(w);
          }
        }
        if (dropped != null) {
          live.removeAll(dropped);
        }
      }
      if (!waits.isEmpty()) {
        waits.removeIf(p -> {
          if (p.target() <= rev) {
            p.watch().enqueueProgress(rev);
            return true;
          }
          return false;
        });
      }
    } finally {
      lock.unlock();
    }
  }

  private void restartAfterCompaction(Throwable cause) {
    long compact = Failures.compactRevision(cause);
    if (compact <= 0) {
      compact = store.probeCompactRevision(0);
    }
    store.compacted(compact);
    long missed;
    lock.lock();
    try {
      missed = position + 1;
      // Live watches have missed [missed, compact): they end and their clients list again.
      position = Math.max(position, compact - 1);
    } finally {
      lock.unlock();
    }
    LOG.log(System.Logger.Level.WARNING, "etcd compacted past the watch position {0} while disconnected; "
        + "ending every watch", missed);
    failAll(new CompactedException(missed - store.base(), compact - store.base()));
  }

  private void failAll(StoreException cause) {
    List<EtcdWatch> all;
    lock.lock();
    try {
      all = new ArrayList<>(live);
      live.clear();
      waits.clear();
    } finally {
      lock.unlock();
    }
    all.forEach(w -> w.terminate(cause));
  }

  static void closeQuietly(Watch.Watcher watcher) {
    if (watcher != null) {
      try {
        watcher.close();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing an etcd watcher failed", e);
      }
    }
  }

  // ---------------------------------------------------------------- writer key history

  /**
   * Looks through the history of a writer key, from etcd revision {@code from} up to
   * {@code until} (a revision at which it was written), for a put of {@code token}.
   *
   * @return the revision of that put, or 0 if there was none
   */
  long scanWriterKey(ByteSequence key, ByteSequence token, long from, long until, long deadline) {
    LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    Watch.Watcher w = watchClient.watch(key, WatchOption.builder().withRevision(from).build(), new Watch.Listener() {
      @Override
      public void onNext(WatchResponse response) {
        answers.add(response);
      }

      @Override
      public void onError(Throwable throwable) {
        answers.add(throwable);
      }

      @Override
      public void onCompleted() {
        answers.add(new StoreException("etcd ended the watch stream"));
      }
    });
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        Object a = left > 0 ? answers.poll(left, TimeUnit.NANOSECONDS) : null;
        if (a == null) {
          throw new StoreException("timed out reading the history of the writer key", new java.util.concurrent.TimeoutException());
        }
        if (a instanceof Throwable t) {
          if (Failures.isCompacted(t)) {
            throw new EtcdStore.UnresolvableException("outcome of a write is unknown: the history needed to tell "
                + "was compacted", t);
          }
          throw t instanceof RuntimeException r ? r : new StoreException(t.getMessage(), t);
        }
        for (io.etcd.jetcd.watch.WatchEvent e : ((WatchResponse) a).getEvents()) {
          long rev = e.getKeyValue().getModRevision();
          if (rev > until) {
            return 0;
          }
          if (e.getEventType() == io.etcd.jetcd.watch.WatchEvent.EventType.PUT && e.getKeyValue().getValue().equals(token)) {
            return rev;
          }
          if (rev == until) {
            return 0;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted reading the history of the writer key", e);
    } finally {
      closeQuietly(w);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  Map<String, Object> status() {
    Map<String, Object> status = new LinkedHashMap<>();
    lock.lock();
    try {
      status.put("watches", live.size());
      status.put("watchPosition", position - store.base());
    } finally {
      lock.unlock();
    }
    status.put("watchScope", wholeKeyspace ? "keyspace" : "prefix");
    status.put("watchReconnects", reconnects.get());
    status.put("watchRevisionsDispatched", dispatchedRevisions.get());
    return status;
  }

  /** Ends every watch with a {@link StoreException}, waits for their threads and stops the dispatcher. */
  void close() {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
    inbox.add(new Stop());
    failAll(new StoreException("etcd store closed"));
    try {
      if (!dispatcher.join(THREAD_STOP_WAIT)) {
        LOG.log(System.Logger.Level.WARNING, "etcd watch hub thread did not stop within {0}", THREAD_STOP_WAIT);
      }
      for (EtcdWatch w : List.copyOf(running)) {
        w.terminate(new StoreException("etcd store closed"));
        if (!w.awaitEnd(THREAD_STOP_WAIT)) {
          LOG.log(System.Logger.Level.WARNING, "{0}: listener did not return within {1}", w, THREAD_STOP_WAIT);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
