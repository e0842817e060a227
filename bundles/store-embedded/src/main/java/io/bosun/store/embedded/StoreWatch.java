package io.bosun.store.embedded;

import io.bosun.store.spi.CompactedException;
import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.StoreException;
import io.bosun.store.spi.Watch;
import io.bosun.store.spi.WatchEvent;
import io.bosun.store.spi.WatchListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One watch: a queue and a virtual thread that alone calls the listener, so calls never overlap
 * and a slow listener delays nobody else.
 *
 * <p>Life of a watch:
 * <ol>
 *   <li>Catch-up, outside any lock: replay history from the log of the latest snapshot, repeatedly,
 *       until within {@value #CATCH_UP_TAIL} revisions of the head.</li>
 *   <li>Registration, under the store's {@code watchLock}, which the writer also holds while it
 *       publishes a snapshot and fans its events out: read the short remaining tail up to the
 *       published revision and join the live set. Every later revision reaches the queue by fan-out
 *       and every earlier one came from the log, so nothing is missed or repeated.</li>
 *   <li>Live: the writer appends each revision's matching events to the queue. A queue holding
 *       {@code capacity} revisions means the listener is too slow: the watch is closed with a
 *       {@link StoreException} (the client resumes from its last revision) rather than letting it
 *       buffer without bound.</li>
 * </ol>
 * Progress requests go through the same queue, behind the events already fanned out, so the
 * revision they report is covered by what was delivered before them.
 */
final class StoreWatch implements Watch {

  /** The most revisions replayed while holding the fan-out lock. */
  static final int CATCH_UP_TAIL = 64;
  /** Revisions read from the log per catch-up step, to bound memory. */
  private static final int CATCH_UP_CHUNK = 1024;
  /** Consecutive queued revisions are merged into one call up to about this many events. */
  private static final int MAX_EVENTS_PER_CALL = 512;

  private sealed interface Item permits Events, Progress, Wake {
  }

  private record Events(List<WatchEvent> events) implements Item {
  }

  private record Progress(long revision) implements Item {
  }

  private record Wake() implements Item {
  }

  /** One step of history replay: events up to revision {@code to}, or why the replay cannot go on. */
  private record Replay(List<List<WatchEvent>> events, long to, CompactedException compacted) {
  }

  /** Why the watch ended; {@code cause} null means closed by its owner. */
  private record Terminal(StoreException cause) {
  }

  private final EmbeddedStore store;
  private final long id;
  private final KeyRange range;
  private final WatchListener listener;
  private final int capacity;
  private final long startRevision;
  private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final AtomicReference<Terminal> terminal = new AtomicReference<>();
  private final Thread thread;

  // Guarded by store.watchLock.
  private boolean live;
  private boolean progressRequested;
  private long minRevision;

  StoreWatch(EmbeddedStore store, long id, KeyRange range, long startRevision, WatchListener listener, int capacity) {
    this.store = store;
    this.id = id;
    this.range = range;
    this.startRevision = startRevision;
    this.listener = listener;
    this.capacity = capacity;
    this.thread = Thread.ofVirtual().name("bosun-store-watch-" + id).unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  @Override
  public void requestProgress() {
    store.watchLock.lock();
    try {
      if (terminal.get() != null) {
        return;
      }
      if (live) {
        queue.add(new Progress(store.published().revision));
      } else {
        progressRequested = true;
      }
    } catch (StoreException closedStore) {
      // The store is shutting down and will end this watch; no progress to report.
    } finally {
      store.watchLock.unlock();
    }
  }

  @Override
  public void close() {
    if (terminate(null)) {
      store.removeLive(this);
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
   * Called by the writer under {@code watchLock} with one committed revision's events.
   *
   * @return false if the watch is closed for being too slow and must leave the live set
   */
  boolean offer(long revision, List<WatchEvent> events) {
    if (revision < minRevision) {
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

  private List<WatchEvent> filter(List<WatchEvent> events) {
    int inRange = 0;
    for (WatchEvent e : events) {
      if (range.contains(e.key())) {
        inRange++;
      }
    }
    if (inRange == events.size()) {
      return events;
    }
    List<WatchEvent> mine = new ArrayList<>(inRange);
    for (WatchEvent e : events) {
      if (range.contains(e.key())) {
        mine.add(e);
      }
    }
    return List.copyOf(mine);
  }

  boolean isDeliveryThread(Thread t) {
    return thread == t;
  }

  /** Waits for the delivery thread to finish (its onClose call included). */
  boolean awaitEnd(Duration timeout) throws InterruptedException {
    return thread.join(timeout);
  }

  private void run() {
    try {
      if (catchUpAndGoLive()) {
        deliverLive();
      }
    } catch (StoreException e) {
      terminate(e);
    } catch (RuntimeException | Error e) {
      terminate(new StoreException("watch " + id + " ended: listener or store failure", e));
    } catch (InterruptedException e) {
      terminate(new StoreException("watch " + id + " interrupted", e));
    } finally {
      store.watchEnded(this);
      terminal.compareAndSet(null, new Terminal(new StoreException("watch " + id + " ended")));
      try {
        listener.onClose(terminal.get().cause());
      } catch (RuntimeException e) {
        System.getLogger(StoreWatch.class.getName()).log(System.Logger.Level.WARNING, "watch listener onClose failed", e);
      }
    }
  }

  /** @return false if the watch ended during catch-up */
  private boolean catchUpAndGoLive() {
    long next = startRevision;
    while (true) {
      if (terminal.get() != null) {
        return false;
      }
      long from = next;
      Replay step = store.read(s -> {
        if (from > s.revision - CATCH_UP_TAIL) {
          return null;
        }
        if (from < s.compactRevision) {
          return new Replay(List.of(), -1, new CompactedException(from, s.compactRevision));
        }
        long to = Math.min(s.revision, from + CATCH_UP_CHUNK - 1);
        return new Replay(EmbeddedStore.history(s, range, from, to), to, null);
      });
      if (step == null) {
        break;
      }
      if (step.compacted() != null) {
        terminate(step.compacted());
        return false;
      }
      deliver(step.events());
      next = step.to() + 1;
    }
    List<List<WatchEvent>> tail;
    store.watchLock.lock();
    try {
      if (terminal.get() != null) {
        return false;
      }
      long from = next;
      // The snapshot under the lock is the one whose events were fanned out last.
      Replay step = store.read(s -> from <= s.revision && from < s.compactRevision
          ? new Replay(List.of(), s.revision, new CompactedException(from, s.compactRevision))
          : new Replay(from <= s.revision ? EmbeddedStore.history(s, range, from, s.revision) : List.of(),
              s.revision, null));
      if (step.compacted() != null) {
        terminate(step.compacted());
        return false;
      }
      tail = step.events();
      minRevision = next;
      live = true;
      store.goLive(this);
      if (progressRequested) {
        // Queued before any live event, delivered after the tail below: covers the tail's end.
        queue.add(new Progress(step.to()));
      }
    } finally {
      store.watchLock.unlock();
    }
    deliver(tail);
    return true;
  }

  /** Delivers replayed revisions, merging them into calls without splitting a revision. */
  private void deliver(List<List<WatchEvent>> revisions) {
    List<WatchEvent> call = new ArrayList<>();
    for (List<WatchEvent> events : revisions) {
      if (!call.isEmpty() && call.size() + events.size() > MAX_EVENTS_PER_CALL) {
        emit(call);
        call = new ArrayList<>();
      }
      call.addAll(events);
    }
    if (!call.isEmpty()) {
      emit(call);
    }
  }

  private void emit(List<WatchEvent> events) {
    if (terminal.get() == null) {
      listener.onEvents(List.copyOf(events));
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
    return "StoreWatch[" + id + " " + range + " from " + startRevision + "]";
  }
}
