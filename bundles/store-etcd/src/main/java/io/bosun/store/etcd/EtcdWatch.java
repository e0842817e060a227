package io.bosun.store.etcd;

import io.bosun.store.spi.CompactedException;
import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.StoreException;
import io.bosun.store.spi.Watch;
import io.bosun.store.spi.WatchEvent;
import io.bosun.store.spi.WatchListener;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One store watch: a queue filled by the {@link WatchHub} and a virtual thread that alone calls
 * the listener, so calls never overlap and a slow listener delays nobody else.
 *
 * <p>The thread first replays {@code [start, P0]} from etcd (P0: the hub's position when the watch
 * joined), then delivers the queue, which holds every revision after P0 in order, and progress
 * answers behind the events they cover. A queue holding {@code capacity} revisions means the
 * listener is too slow: the watch ends with a {@link StoreException} (its client resumes from the
 * last revision it saw) rather than buffering without bound.
 */
final class EtcdWatch implements Watch {

  /** Consecutive revisions are merged into one listener call up to about this many events. */
  private static final int MAX_EVENTS_PER_CALL = 512;
  private static final long POLL_MILLIS = 200;

  private sealed interface Item permits Events, Progress, Wake {
  }

  private record Events(List<WatchEvent> events) implements Item {
  }

  private record Progress(long revision) implements Item {
  }

  private record Wake() implements Item {
  }

  /** Why the watch ended; {@code cause} null means closed by its owner. */
  private record Terminal(StoreException cause) {
  }

  private final EtcdStore store;
  private final WatchHub hub;
  private final long id;
  private final KeyRange range;
  private final long startEtcd;
  private final WatchListener listener;
  private final int capacity;
  private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final AtomicReference<Terminal> terminal = new AtomicReference<>();
  private final Thread thread;
  private volatile long p0;

  /** Live events below this etcd revision are not for this watch; guarded by the hub's lock. */
  long minRevision;

  EtcdWatch(EtcdStore store, WatchHub hub, long id, KeyRange range, long startEtcd, WatchListener listener,
      int capacity) {
    this.store = store;
    this.hub = hub;
    this.id = id;
    this.range = range;
    this.startEtcd = startEtcd;
    this.listener = listener;
    this.capacity = capacity;
    this.thread = Thread.ofVirtual().name("bosun-etcd-watch-" + id).unstarted(this::run);
  }

  /** Starts delivery; {@code p0} is the last etcd revision to replay (nothing if below the start). */
  void start(long p0) {
    this.p0 = p0;
    hub.started(this);
    thread.start();
  }

  @Override
  public void requestProgress() {
    if (terminal.get() != null) {
      return;
    }
    // The current revision is read without blocking the caller; the answer joins the queue once
    // the shared stream has passed it.
    store.currentEtcdRevisionAsync().thenAccept(h -> hub.progressWhenPast(this, h));
  }

  @Override
  public void close() {
    if (terminate(null)) {
      hub.remove(this);
    }
  }

  /** Ends the watch with {@code cause}; the first call wins. */
  boolean terminate(StoreException cause) {
    if (terminal.compareAndSet(null, new Terminal(cause))) {
      queue.add(new Wake());
      return true;
    }
    return false;
  }

  /**
   * Called by the hub, under its lock, with one etcd revision's data events.
   *
   * @return false if the watch is closed for being too slow and must leave the live set
   */
  boolean offer(long etcdRevision, List<WatchEvent> events) {
    if (etcdRevision < minRevision) {
      return true;
    }
    List<WatchEvent> mine = filter(events);
    if (mine.isEmpty()) {
      return true;
    }
    if (queue.size() >= capacity) {
      terminate(new StoreException("watch " + id + " fell more than " + capacity + " revisions behind; closed"));
      return false;
    }
    queue.add(new Events(mine));
    return true;
  }

  /** Called by the hub, under its lock: every event up to {@code etcdRevision} is queued before this. */
  void enqueueProgress(long etcdRevision) {
    queue.add(new Progress(etcdRevision - store.base()));
  }

  private List<WatchEvent> filter(List<WatchEvent> events) {
    List<WatchEvent> mine = null;
    for (int i = 0; i < events.size(); i++) {
      WatchEvent e = events.get(i);
      boolean in = range.contains(e.key());
      if (!in && mine == null) {
        mine = new ArrayList<>(events.subList(0, i));
      } else if (in && mine != null) {
        mine.add(e);
      }
    }
    return mine == null ? events : List.copyOf(mine);
  }

  /** Waits for the delivery thread to finish (its onClose call included). */
  boolean awaitEnd(Duration timeout) throws InterruptedException {
    return !thread.isAlive() || thread.join(timeout);
  }

  private void run() {
    try {
      if (terminal.get() == null && (startEtcd > p0 || replay())) {
        deliverLive();
      }
    } catch (StoreException e) {
      terminate(e);
    } catch (RuntimeException | Error e) {
      terminate(new StoreException("watch " + id + " ended: listener or store failure", e));
    } catch (InterruptedException e) {
      terminate(new StoreException("watch " + id + " interrupted", e));
    } finally {
      hub.remove(this);
      terminal.compareAndSet(null, new Terminal(new StoreException("watch " + id + " ended")));
      try {
        listener.onClose(terminal.get().cause());
      } catch (RuntimeException e) {
        System.getLogger(EtcdWatch.class.getName()).log(System.Logger.Level.WARNING, "watch listener onClose failed", e);
      } finally {
        hub.ended(this);
      }
    }
  }

  /**
   * Replays {@code [startEtcd, p0]} with temporary etcd watches of the hub's scope, resuming after
   * connection failures from the next revision not yet replayed.
   *
   * @return false if the watch ended meanwhile
   */
  private boolean replay() throws InterruptedException {
    long next = startEtcd;
    EtcdStore.Backoff backoff = store.new Backoff();
    while (next <= p0) {
      if (terminal.get() != null) {
        return false;
      }
      LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
      io.etcd.jetcd.Watch.Watcher watcher;
      try {
        watcher = hub.open(next, new io.etcd.jetcd.Watch.Listener() {
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
      } catch (RuntimeException e) {
        store.checkOpen();
        backoff.pause();
        continue;
      }
      try {
        while (next <= p0) {
          Object a = answers.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
          if (terminal.get() != null) {
            return false;
          }
          if (a == null) {
            continue;
          }
          if (a instanceof Throwable t) {
            if (Failures.isCompacted(t)) {
              long compact = Failures.compactRevision(t);
              store.compacted(compact);
              terminate(new CompactedException(next - store.base(), Math.max(0, compact - store.base())));
              return false;
            }
            store.checkOpen();
            break;
          }
          List<WatchEvent> call = new ArrayList<>();
          long[] last = {next - 1};
          WatchHub.forEachRevision((WatchResponse) a, hub.layout(), store, (rev, events) -> {
            if (rev > p0) {
              // Past P0 (or P0 had no event in this scope): the queue has the rest.
              last[0] = p0;
              return;
            }
            List<WatchEvent> mine = filter(events);
            if (!mine.isEmpty()) {
              if (!call.isEmpty() && call.size() + mine.size() > MAX_EVENTS_PER_CALL) {
                emit(List.copyOf(call));
                call.clear();
              }
              call.addAll(mine);
            }
            last[0] = rev;
          });
          if (!call.isEmpty()) {
            emit(List.copyOf(call));
          }
          next = last[0] + 1;
          backoff.reset();
        }
      } finally {
        WatchHub.closeQuietly(watcher);
      }
      if (next <= p0) {
        backoff.pause();
      }
    }
    return terminal.get() == null;
  }

  private void emit(List<WatchEvent> events) {
    if (terminal.get() == null) {
      listener.onEvents(events);
    }
  }

  private void deliverLive() throws InterruptedException {
    while (true) {
      Item item = queue.take();
      if (terminal.get() != null) {
        return;
      }
      switch (item) {
        case Events e -> {
          List<WatchEvent> call = e.events();
          // Only this thread takes from the queue, so a peeked item is the one polled next.
          if (queue.peek() instanceof Events) {
            call = new ArrayList<>(call);
            while (call.size() < MAX_EVENTS_PER_CALL && queue.peek() instanceof Events n) {
              queue.poll();
              call.addAll(n.events());
            }
            call = List.copyOf(call);
          }
          listener.onEvents(call);
        }
        case Progress p -> listener.onProgress(p.revision());
        case Wake w -> {
        }
      }
    }
  }

  @Override
  public String toString() {
    return "EtcdWatch[" + id + " " + range + " from etcd revision " + startEtcd + "]";
  }
}
