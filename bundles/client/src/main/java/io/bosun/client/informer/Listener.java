package io.bosun.client.informer;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One registered handler: an unbounded queue of notifications and the thread that delivers them
 * (client-go's processorListener), so a slow handler never holds up the informer or other handlers.
 */
final class Listener<T> implements EventHandlerRegistration {

  private static final Logger LOG = LoggerFactory.getLogger(Listener.class);

  /** What a handler is told; delivered in queue order. */
  sealed interface Note<T> {}

  record Add<T>(T obj, boolean initial) implements Note<T> {}

  record Update<T>(T oldObj, T newObj) implements Note<T> {}

  record Delete<T>(T obj) implements Note<T> {}

  record Tombstone<T>(DeletedFinalStateUnknown<T> tombstone) implements Note<T> {}

  /** Everything of the synced state has been queued before this. */
  record Synced<T>() implements Note<T> {}

  record Stop<T>() implements Note<T> {}

  private final ResourceEventHandler<? super T> handler;
  private final LinkedBlockingQueue<Note<T>> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final Consumer<Listener<T>> onRemove;
  /** Resync period in nanoseconds; 0 for none. */
  final long resyncNanos;
  /** When the next resync is due (System.nanoTime); guarded by the informer's mutation lock. */
  long nextResync;
  private volatile boolean synced;
  private volatile boolean removed;

  Listener(String name, ResourceEventHandler<? super T> handler, long resyncNanos, Consumer<Listener<T>> onRemove) {
    this.handler = handler;
    this.resyncNanos = resyncNanos;
    this.onRemove = onRemove;
    this.nextResync = System.nanoTime() + resyncNanos;
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void add(Note<T> note) {
    if (!removed) {
      queue.add(note);
    }
  }

  private void run() {
    while (true) {
      Note<T> note;
      try {
        note = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (note instanceof Stop<T> || removed) {
        return;
      }
      if (note instanceof Synced<T>) {
        synced = true;
        continue;
      }
      try {
        deliver(handler, note);
      } catch (RuntimeException e) {
        LOG.warn("Event handler {} failed on {}", handler, note.getClass().getSimpleName(), e);
      }
    }
  }

  /** Calls the handler; the casts are safe because the notes only carry objects of type T, a subtype of S. */
  @SuppressWarnings("unchecked")
  private static <S, T extends S> void deliver(ResourceEventHandler<S> h, Note<T> note) {
    switch (note) {
      case Add<T> a -> h.onAdd(a.obj(), a.initial());
      case Update<T> u -> h.onUpdate(u.oldObj(), u.newObj());
      case Delete<T> d -> h.onDelete(d.obj());
      case Tombstone<T> t -> h.onDeleteFinalStateUnknown((DeletedFinalStateUnknown<S>) (DeletedFinalStateUnknown<?>) t.tombstone());
      case Synced<T> s -> { }
      case Stop<T> s -> { }
    }
  }

  @Override
  public boolean hasSynced() {
    return synced;
  }

  @Override
  public void remove() {
    if (!removed) {
      onRemove.accept(this);
      stop();
    }
    join();
  }

  /** Ends delivery; pending notifications are dropped. Does not wait. */
  void stop() {
    removed = true;
    queue.clear();
    queue.add(new Stop<>());
  }

  void join() {
    if (Thread.currentThread() == thread || !thread.isAlive()) {
      return;
    }
    try {
      thread.join(10_000);
      if (thread.isAlive()) {
        LOG.warn("Event handler thread {} still busy 10s after removal", thread.getName());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return thread.getName();
  }
}
