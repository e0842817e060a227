package io.bosun.client.workqueue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A rate-limited work queue of keys, as client-go's {@code TypedRateLimitingInterface}.
 * Thread-safe; meant for one producer side (event handlers) and several workers.
 *
 * <ul>
 *   <li>An item queued twice before a worker takes it is handed out once (de-duplication).</li>
 *   <li>An item is never handed to two workers at once: if it is added while a worker has it,
 *       it is queued again only when that worker calls {@link #done}. Every {@link #get} must be
 *       followed by {@code done}.</li>
 *   <li>{@link #addAfter} queues an item after a delay; {@link #addRateLimited} after the delay
 *       the rate limiter gives (per-item exponential backoff and an overall token bucket by
 *       default); {@link #forget} resets an item's backoff once it succeeded.</li>
 * </ul>
 *
 * <p>The usual worker loop:
 * <pre>{@code
 * for (String key; (key = queue.get()) != null; ) {
 *   try {
 *     reconcile(key);
 *     queue.forget(key);
 *   } catch (RuntimeException e) {
 *     queue.addRateLimited(key);
 *   } finally {
 *     queue.done(key);
 *   }
 * }
 * }</pre>
 *
 * <p>A thread for delayed items starts with the first delayed add and ends at {@link #shutDown}.
 *
 * @param <K> the item type; items are compared with {@code equals}, so use immutable keys
 *            (usually {@code namespace/name} strings)
 */
public final class WorkQueue<K> implements AutoCloseable {

  private static final WorkQueueMetrics NO_METRICS = new WorkQueueMetrics() { };

  private record Waiting<K>(K item, long readyAt) {}

  private final String name;
  private final RateLimiter<? super K> rateLimiter;
  private final WorkQueueMetrics metrics;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition itemsAvailable = lock.newCondition();
  private final Condition waitingChanged = lock.newCondition();
  /** Items ready for a worker, in order. */
  private final ArrayDeque<K> queue = new ArrayDeque<>();
  /** Items that need processing: queued, or added again while being processed. */
  private final Set<K> dirty = new HashSet<>();
  /** Items a worker has, with when it got them. */
  private final Map<K, Long> processing = new HashMap<>();
  /** When each queued item was added, for the latency metric. */
  private final Map<K, Long> queuedAt = new HashMap<>();
  /** Delayed items by ready time, and the earliest ready time of each item. */
  private final PriorityQueue<Waiting<K>> waiting = new PriorityQueue<>((a, b) -> Long.compare(a.readyAt, b.readyAt));
  private final Map<K, Long> waitingReadyAt = new HashMap<>();
  private Thread delayer;
  private boolean shuttingDown;

  /** A queue with client-go's default controller rate limiter and no metrics. */
  public WorkQueue(String name) {
    this(name, RateLimiters.defaultControllerRateLimiter(), null);
  }

  /**
   * @param name        names the delay thread ({@code bosun-workqueue-<name>}) and logs
   * @param rateLimiter decides the delays of {@link #addRateLimited}
   * @param metrics     observations; null for none
   */
  public WorkQueue(String name, RateLimiter<? super K> rateLimiter, WorkQueueMetrics metrics) {
    this.name = Objects.requireNonNull(name, "name");
    this.rateLimiter = Objects.requireNonNull(rateLimiter, "rateLimiter");
    this.metrics = metrics == null ? NO_METRICS : metrics;
  }

  /** The name given at construction. */
  public String name() {
    return name;
  }

  /**
   * Queues {@code item} unless it is already waiting for a worker. Ignored after
   * {@link #shutDown}. Never blocks.
   */
  public void add(K item) {
    Objects.requireNonNull(item, "item");
    lock.lock();
    try {
      addLocked(item);
    } finally {
      lock.unlock();
    }
  }

  private void addLocked(K item) {
    if (shuttingDown || dirty.contains(item)) {
      return;
    }
    dirty.add(item);
    if (processing.containsKey(item)) {
      // done() queues it again; a second worker must not get it meanwhile.
      return;
    }
    queue.addLast(item);
    queuedAt.putIfAbsent(item, System.nanoTime());
    metrics.added(queue.size());
    itemsAvailable.signal();
  }

  /**
   * Queues {@code item} once {@code delay} has passed (at once if it is not positive). If the item
   * is already waiting for a delay, the earlier time wins. Ignored after {@link #shutDown}.
   */
  public void addAfter(K item, Duration delay) {
    Objects.requireNonNull(item, "item");
    lock.lock();
    try {
      if (shuttingDown) {
        return;
      }
      if (delay == null || delay.isNegative() || delay.isZero()) {
        addLocked(item);
        return;
      }
      long readyAt = System.nanoTime() + delay.toNanos();
      Long current = waitingReadyAt.get(item);
      if (current != null && current - readyAt <= 0) {
        return;
      }
      // The stale entry stays in the heap; it is skipped when it surfaces.
      waitingReadyAt.put(item, readyAt);
      waiting.add(new Waiting<>(item, readyAt));
      if (delayer == null) {
        delayer = new Thread(this::delayLoop, "bosun-workqueue-" + name);
        delayer.setDaemon(true);
        delayer.start();
      }
      waitingChanged.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Queues {@code item} after the delay the rate limiter gives it, counting one more retry. */
  public void addRateLimited(K item) {
    Objects.requireNonNull(item, "item");
    Duration delay = rateLimiter.when(item);
    lock.lock();
    try {
      if (!shuttingDown) {
        metrics.retried();
      }
    } finally {
      lock.unlock();
    }
    addAfter(item, delay);
  }

  /** Resets {@code item}'s rate limiting (call it when the item was processed successfully). */
  public void forget(K item) {
    rateLimiter.forget(item);
  }

  /** How often {@code item} was re-queued through {@link #addRateLimited} since it was last forgotten. */
  public int numRequeues(K item) {
    return rateLimiter.numRequeues(item);
  }

  /**
   * Takes the next item, blocking until there is one. The caller owns the item until it calls
   * {@link #done}. After {@link #shutDown} the items still queued are handed out, then null is
   * returned to every caller (as client-go): workers stop when they get null.
   *
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public K get() throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty() && !shuttingDown) {
        itemsAvailable.await();
      }
      if (queue.isEmpty()) {
        return null;
      }
      K item = queue.pollFirst();
      long now = System.nanoTime();
      processing.put(item, now);
      dirty.remove(item);
      Long added = queuedAt.remove(item);
      metrics.started(Duration.ofNanos(added == null ? 0 : now - added), queue.size());
      return item;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks {@code item} as processed; if it was added again meanwhile, it is queued now. Must be
   * called exactly once after each {@link #get} that returned it.
   */
  public void done(K item) {
    lock.lock();
    try {
      Long started = processing.remove(item);
      if (started != null) {
        metrics.done(Duration.ofNanos(System.nanoTime() - started));
      }
      if (dirty.contains(item) && started != null) {
        queue.addLast(item);
        queuedAt.putIfAbsent(item, System.nanoTime());
        metrics.added(queue.size());
        itemsAvailable.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** The number of items waiting for a worker (not counting delayed or processing ones). */
  public int len() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the queue: further adds are ignored, delayed items are dropped, the delay thread ends,
   * and workers blocked in {@link #get} wake up (getting the remaining items, then null).
   * Idempotent; returns once the delay thread has ended.
   */
  public void shutDown() {
    Thread t;
    lock.lock();
    try {
      shuttingDown = true;
      waiting.clear();
      waitingReadyAt.clear();
      itemsAvailable.signalAll();
      waitingChanged.signalAll();
      t = delayer;
    } finally {
      lock.unlock();
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether {@link #shutDown()} has been called. */
  public boolean isShuttingDown() {
    lock.lock();
    try {
      return shuttingDown;
    } finally {
      lock.unlock();
    }
  }

  /** Same as {@link #shutDown()}. */
  @Override
  public void close() {
    shutDown();
  }

  /** Moves delayed items to the queue when their time comes (client-go's waitingLoop). */
  private void delayLoop() {
    lock.lock();
    try {
      while (!shuttingDown) {
        long now = System.nanoTime();
        Waiting<K> next = waiting.peek();
        if (next == null) {
          waitingChanged.await();
          continue;
        }
        if (next.readyAt - now > 0) {
          waitingChanged.awaitNanos(next.readyAt - now);
          continue;
        }
        waiting.poll();
        Long readyAt = waitingReadyAt.get(next.item);
        if (readyAt != null && readyAt == next.readyAt) {
          waitingReadyAt.remove(next.item);
          addLocked(next.item);
        }
      }
    } catch (InterruptedException e) {
      // Only shutDown ends this thread; an interrupt from elsewhere ends it too.
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "WorkQueue[" + name + "]";
  }
}
