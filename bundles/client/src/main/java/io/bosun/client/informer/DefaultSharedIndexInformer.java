package io.bosun.client.informer;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.client.ClientException;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ClientTransportException;
import io.bosun.client.ListOptions;
import io.bosun.client.ListResult;
import io.bosun.client.ResourceClient;
import io.bosun.client.Watch;
import io.bosun.client.WatchEventType;
import io.bosun.client.WatchHandler;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The informer: one thread that lists, watches and applies events to the cache (client-go's
 * reflector and controller in one), plus one thread per handler. Watch events are handed from
 * the watch's reader thread to the informer thread through {@link #inbox}, tagged with the
 * watch's generation so events of an abandoned watch are never applied.
 */
final class DefaultSharedIndexInformer<T extends KubernetesObject> implements SharedIndexInformer<T> {

  private static final Logger LOG = LoggerFactory.getLogger(DefaultSharedIndexInformer.class);

  /** client-go's reflector: list pages of 500, watches of 5-10 minutes, backoff 0.8 s to 30 s. */
  static final long PAGE_SIZE = 500;
  static final long MIN_WATCH_TIMEOUT_SECONDS = 300;
  static final Duration INITIAL_BACKOFF = Duration.ofMillis(800);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final long MIN_RESYNC_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** A watch that ends sooner than this without any event is treated as a failure, to avoid a hot loop. */
  private static final long SHORT_WATCH_NANOS = TimeUnit.SECONDS.toNanos(1);

  private record Event<T>(long generation, WatchEventType type, T object) {}

  private record End(long generation, ClientException cause) {}

  private final ResourceClient<T> resources;
  private final InformerScope scope;
  private final Duration defaultResync;
  private final String name;
  private final ThreadSafeIndexer<T> indexer = new ThreadSafeIndexer<>();
  /** Orders cache changes with the notifications they cause and with handler registration. */
  private final ReentrantLock mutation = new ReentrantLock();
  private final List<Listener<T>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicInteger listenerIds = new AtomicInteger();
  private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
  private final CountDownLatch synced = new CountDownLatch(1);
  private volatile String lastSyncResourceVersion = "";
  private volatile boolean stopping;
  private Thread thread;
  /** Informer thread only. */
  private long generation;
  private Watch watch;
  private Duration backoff = Duration.ZERO;

  DefaultSharedIndexInformer(ResourceClient<T> resources, InformerScope scope, Duration defaultResync) {
    this.resources = resources;
    this.scope = scope;
    this.defaultResync = defaultResync;
    this.name = "bosun-informer-" + resources.kind().plural() + (scope.namespace().isEmpty() ? "" : "-" + scope.namespace());
  }

  @Override
  public Class<T> type() {
    return resources.type();
  }

  @Override
  public InformerScope scope() {
    return scope;
  }

  @Override
  public Indexer<T> indexer() {
    return indexer;
  }

  @Override
  public boolean hasSynced() {
    return synced.getCount() == 0;
  }

  @Override
  public boolean waitForCacheSync(Duration timeout) {
    try {
      return synced.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public String lastSyncResourceVersion() {
    return lastSyncResourceVersion;
  }

  @Override
  public EventHandlerRegistration addEventHandler(ResourceEventHandler<? super T> handler) {
    return addEventHandler(handler, defaultResync);
  }

  @Override
  public EventHandlerRegistration addEventHandler(ResourceEventHandler<? super T> handler, Duration resyncPeriod) {
    Objects.requireNonNull(handler, "handler");
    long resync = resyncPeriod == null || resyncPeriod.isNegative() ? 0 : resyncPeriod.toNanos();
    if (resync > 0 && resync < MIN_RESYNC_NANOS) {
      // As client-go's minimum (1 s there): a tiny period would spin the informer thread.
      LOG.warn("{}: resync period {} raised to 100ms", name, resyncPeriod);
      resync = MIN_RESYNC_NANOS;
    }
    Listener<T> listener = new Listener<>(name + "-handler-" + listenerIds.incrementAndGet(), handler, resync,
        this::removeListener);
    mutation.lock();
    try {
      if (stopping) {
        throw new IllegalStateException("the informer has stopped; handler not added");
      }
      // Under the mutation lock: the handler sees exactly the current state, then every later change.
      for (T obj : indexer.list()) {
        listener.add(new Listener.Add<>(obj, true));
      }
      if (hasSynced()) {
        listener.add(new Listener.Synced<>());
      }
      listeners.add(listener);
    } finally {
      mutation.unlock();
    }
    listener.start();
    if (resync > 0) {
      // Wake the informer thread so it plans the new resync.
      inbox.add(Boolean.TRUE);
    }
    return listener;
  }

  private void removeListener(Listener<T> listener) {
    mutation.lock();
    try {
      listeners.remove(listener);
    } finally {
      mutation.unlock();
    }
  }

  // ------------------------------------------------------------------ lifecycle

  synchronized void start() {
    if (thread != null || stopping) {
      return;
    }
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops the informer thread, its watch and every handler thread; returns once they ended. */
  void stop() {
    Thread t;
    synchronized (this) {
      mutation.lock();
      try {
        stopping = true;
      } finally {
        mutation.unlock();
      }
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      join(t);
    }
    for (Listener<T> l : listeners) {
      l.stop();
    }
    for (Listener<T> l : listeners) {
      l.join();
    }
    listeners.clear();
  }

  private static void join(Thread t) {
    try {
      t.join(15_000);
      if (t.isAlive()) {
        LOG.warn("Informer thread {} did not stop within 15s", t.getName());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------ the informer thread

  private void run() {
    boolean needList = true;
    try {
      while (!stopping) {
        try {
          if (needList) {
            listAndReplace();
            needList = false;
            backoff = Duration.ZERO;
          }
          needList = watchUntilEnd();
        } catch (ClientStatusException e) {
          if (stopping) {
            break;
          }
          if (e.isGone()) {
            LOG.debug("{}: resourceVersion {} is gone; relisting", name, lastSyncResourceVersion);
            needList = true;
            continue;
          }
          LOG.warn("{}: {} failed: {}", name, needList ? "list" : "watch", e.getMessage());
          // As client-go: a refused watch means relisting, unless the server was only busy.
          needList = needList || !(e.isTooManyRequests() || e.code() >= 500);
          pauseForBackoff();
        } catch (ClientTransportException e) {
          if (stopping || e.isInterrupted()) {
            break;
          }
          LOG.info("{}: {} failed, retrying: {}", name, needList ? "list" : "watch", e.getMessage());
          pauseForBackoff();
        } catch (InterruptedException e) {
          break;
        } catch (RuntimeException e) {
          if (stopping) {
            break;
          }
          LOG.error("{}: unexpected failure; relisting", name, e);
          needList = true;
          pauseForBackoff();
        }
      }
    } catch (InterruptedException e) {
      // Stopping.
    } finally {
      // Clear a pending interrupt so closing the watch can wait for its reader thread.
      Thread.interrupted();
      closeWatch();
    }
  }

  /** Lists every object (in pages) and makes the cache equal to the list. */
  private void listAndReplace() {
    ListOptions options = baseOptions().withLimit(PAGE_SIZE);
    ListResult<T> list = resources.list(scope.namespace(), options);
    mutation.lock();
    try {
      if (stopping) {
        return;
      }
      boolean initial = !hasSynced();
      Set<String> keys = new HashSet<>();
      for (T obj : list.items()) {
        keys.add(Keys.of(obj));
        T old = indexer.put(obj);
        notifyAll(old == null ? new Listener.Add<>(obj, initial) : new Listener.Update<>(old, obj));
      }
      for (String key : indexer.listKeys()) {
        if (!keys.contains(key)) {
          T old = indexer.remove(key);
          notifyAll(new Listener.Tombstone<>(new DeletedFinalStateUnknown<>(key, old)));
        }
      }
      lastSyncResourceVersion = list.resourceVersion() == null ? "" : list.resourceVersion();
      if (initial) {
        synced.countDown();
        notifyAll(new Listener.Synced<>());
      }
    } finally {
      mutation.unlock();
    }
    LOG.debug("{}: listed {} objects at resourceVersion {}", name, list.items().size(), lastSyncResourceVersion);
  }

  /**
   * Watches from the last resourceVersion until the watch ends; returns whether a relist is needed.
   *
   * @throws ClientStatusException    if the server refused the watch, or ended it with an error
   *                                  other than 410
   * @throws ClientTransportException if the watch failed to open or broke
   */
  private boolean watchUntilEnd() throws InterruptedException {
    long gen = ++generation;
    long timeout = MIN_WATCH_TIMEOUT_SECONDS + ThreadLocalRandom.current().nextLong(MIN_WATCH_TIMEOUT_SECONDS);
    ListOptions options = baseOptions().withResourceVersion(lastSyncResourceVersion).withAllowWatchBookmarks(true)
        .withTimeoutSeconds(timeout);
    long started = System.nanoTime();
    watch = resources.watch(scope.namespace(), options, new WatchHandler<T>() {
      @Override
      public void onEvent(WatchEventType type, T object) {
        inbox.add(new Event<>(gen, type, object));
      }

      @Override
      public void onClose(ClientException cause) {
        inbox.add(new End(gen, cause));
      }
    });
    int events = 0;
    while (true) {
      Object item = inbox.poll(untilNextResync(), TimeUnit.NANOSECONDS);
      resyncDue();
      if (item instanceof Event<?> e && e.generation() == gen) {
        @SuppressWarnings("unchecked")
        Event<T> event = (Event<T>) e;
        apply(event.type(), event.object());
        events++;
      } else if (item instanceof End end && end.generation() == gen) {
        watch = null;
        if (end.cause() == null) {
          if (events == 0 && System.nanoTime() - started < SHORT_WATCH_NANOS) {
            throw new ClientTransportException("very short watch: the server ended it at once without events", null);
          }
          backoff = Duration.ZERO;
          return false;
        }
        if (end.cause() instanceof ClientStatusException s && s.isGone()) {
          LOG.debug("{}: watch from {} expired; relisting", name, lastSyncResourceVersion);
          return true;
        }
        throw end.cause();
      }
    }
  }

  private void apply(WatchEventType type, T obj) {
    mutation.lock();
    try {
      if (stopping) {
        return;
      }
      switch (type) {
        case ADDED, MODIFIED -> {
          T old = indexer.put(obj);
          notifyAll(old == null ? new Listener.Add<>(obj, false) : new Listener.Update<>(old, obj));
        }
        case DELETED -> {
          // As client-go: a delete of something never cached is not reported.
          if (indexer.remove(Keys.of(obj)) != null) {
            notifyAll(new Listener.Delete<>(obj));
          }
        }
        case BOOKMARK -> { }
      }
      String rv = obj.getMetadata() == null ? null : obj.getMetadata().getResourceVersion();
      if (rv != null && !rv.isEmpty()) {
        lastSyncResourceVersion = rv;
      }
    } finally {
      mutation.unlock();
    }
  }

  /** Called with the mutation lock held. */
  private void notifyAll(Listener.Note<T> note) {
    for (Listener<T> l : listeners) {
      l.add(note);
    }
  }

  /** Gives every handler whose resync is due an update for each cached object. */
  private void resyncDue() {
    if (!hasSynced()) {
      return;
    }
    long now = System.nanoTime();
    mutation.lock();
    try {
      List<T> all = null;
      for (Listener<T> l : listeners) {
        if (l.resyncNanos > 0 && now - l.nextResync >= 0) {
          if (all == null) {
            all = indexer.list();
          }
          for (T obj : all) {
            l.add(new Listener.Update<>(obj, obj));
          }
          l.nextResync = now + l.resyncNanos;
        }
      }
    } finally {
      mutation.unlock();
    }
  }

  private long untilNextResync() {
    long now = System.nanoTime();
    long wait = TimeUnit.MINUTES.toNanos(1);
    for (Listener<T> l : listeners) {
      if (l.resyncNanos > 0) {
        wait = Math.min(wait, Math.max(0, l.nextResync - now));
      }
    }
    return Math.max(wait, TimeUnit.MILLISECONDS.toNanos(1));
  }

  /** Waits out the next backoff step (doubling, jittered), still serving resyncs; drops stale watch events. */
  private void pauseForBackoff() throws InterruptedException {
    closeWatch();
    Duration base = backoff.isZero() ? INITIAL_BACKOFF : backoff.multipliedBy(2);
    backoff = base.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : base;
    long jittered = backoff.toNanos() + (long) (ThreadLocalRandom.current().nextDouble() * backoff.toNanos());
    long deadline = System.nanoTime() + jittered;
    for (long left = jittered; left > 0 && !stopping; left = deadline - System.nanoTime()) {
      inbox.poll(Math.min(left, untilNextResync()), TimeUnit.NANOSECONDS);
      resyncDue();
    }
  }

  private void closeWatch() {
    Watch w = watch;
    watch = null;
    if (w != null) {
      w.close();
    }
  }

  private ListOptions baseOptions() {
    return ListOptions.none().withLabelSelector(scope.labelSelector()).withFieldSelector(scope.fieldSelector());
  }

  @Override
  public String toString() {
    return name;
  }
}
