package io.bosun.controller.internal;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientException;
import io.bosun.client.informer.EventHandlerRegistration;
import io.bosun.client.informer.InformerScope;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.RateLimiters;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.ControllerContext;
import io.bosun.controller.EventRecorder;
import io.bosun.controller.Reconciler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of one controller: the {@link ControllerContext} it gets, and everything it acquired
 * through it (handler registrations, queues, threads), released by {@link #release()}.
 */
final class Run implements ControllerContext {

  private static final Logger LOG = LoggerFactory.getLogger(Run.class);

  private final String name;
  private final ApiClient client;
  private final Term term;
  private final EventRecorder recorder;
  private final Clock clock;
  private final int workers;
  private final Duration stopTimeout;
  private final long startedAt = System.nanoTime();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final List<EventHandlerRegistration> registrations = new ArrayList<>();
  private final List<WorkQueue<?>> queues = new ArrayList<>();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger threadIds = new AtomicInteger();
  private final ThreadFactory threadFactory;
  private boolean released;

  Run(String name, ApiClient client, Term term, EventRecorder recorder, Clock clock, int workers,
      Duration stopTimeout) {
    this.name = name;
    this.client = client;
    this.term = term;
    this.recorder = recorder;
    this.clock = clock;
    this.workers = workers;
    this.stopTimeout = stopTimeout;
    this.threadFactory = r -> {
      Thread[] self = new Thread[1];
      Thread t = Thread.ofVirtual().name("bosun-controller-" + name + "-" + threadIds.incrementAndGet())
          .unstarted(() -> {
            try {
              r.run();
            } finally {
              threads.remove(self[0]);
            }
          });
      self[0] = t;
      threads.add(t);
      if (isStopped()) {
        // Started after the stop: it is interrupted at once, so it ends quickly.
        t.interrupt();
      }
      return t;
    };
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ApiClient client() {
    return client;
  }

  @Override
  public <T extends KubernetesObject> SharedIndexInformer<T> informer(Class<T> type) {
    return informer(type, InformerScope.ALL);
  }

  @Override
  public <T extends KubernetesObject> SharedIndexInformer<T> informer(Class<T> type, InformerScope scope) {
    if (isStopped()) {
      throw new IllegalStateException("the controller " + name + " has stopped");
    }
    SharedIndexInformer<T> shared = term.informer(type, scope);
    boolean preexisting = term.createdAt(type, scope) < startedAt;
    return new TrackedInformer<>(shared, this::track, preexisting);
  }

  private synchronized boolean track(EventHandlerRegistration r) {
    if (released || isStopped()) {
      return false;
    }
    registrations.add(r);
    return true;
  }

  @Override
  public boolean waitForCacheSync(SharedIndexInformer<?>... informers) throws InterruptedException {
    for (SharedIndexInformer<?> informer : informers) {
      while (!informer.waitForCacheSync(Duration.ofMillis(100))) {
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        if (isStopped()) {
          return false;
        }
      }
    }
    for (SharedIndexInformer<?> informer : informers) {
      if (informer instanceof TrackedInformer<?> t && t.preexisting) {
        if (!barrier(t)) {
          return false;
        }
      }
    }
    return !isStopped();
  }

  private <T extends KubernetesObject> boolean barrier(TrackedInformer<T> informer) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (true) {
      try {
        return Freshness.await(client, informer.delegate(), this::isStopped, () -> {
          if (System.nanoTime() - deadline > 0) {
            throw new IllegalStateException("the " + informer + " cache did not catch up with the API in 1 minute");
          }
          stop.await(10, TimeUnit.MILLISECONDS);
        });
      } catch (ClientException e) {
        // The snapshot list failed: the API server is away; try again.
        LOG.info("{}: cannot read {} to check the cache: {}", name, informer, e.getMessage());
        if (awaitStop(Duration.ofSeconds(1))) {
          return false;
        }
      }
    }
  }

  @Override
  public EventRecorder eventRecorder() {
    return recorder;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public int workers() {
    return workers;
  }

  @Override
  public ThreadFactory threadFactory() {
    return threadFactory;
  }

  @Override
  public <K> WorkQueue<K> workQueue(String queueName) {
    WorkQueue<K> queue = new WorkQueue<>(queueName, RateLimiters.defaultControllerRateLimiter(), null);
    synchronized (this) {
      if (!released && !isStopped()) {
        queues.add(queue);
        return queue;
      }
    }
    queue.shutDown();
    return queue;
  }

  @Override
  public <K> void runWorkers(WorkQueue<K> queue, int count, Reconciler<K> reconciler) throws InterruptedException {
    List<Thread> started = new ArrayList<>();
    try {
      for (int i = 0; i < Math.max(1, count); i++) {
        Thread t = threadFactory.newThread(() -> work(queue, reconciler));
        started.add(t);
        t.start();
      }
      stop.await();
    } finally {
      queue.shutDown();
      // Let in-flight reconciles finish their requests: an abandoned request could still be
      // applied after a successor has read the state.
      long deadline = System.nanoTime() + stopTimeout.toNanos() / 2;
      for (Thread t : started) {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          t.join(Duration.ofNanos(left));
        }
      }
      for (Thread t : started) {
        if (t.isAlive()) {
          LOG.warn("{}: worker {} still busy at stop; interrupting it", name, t.getName());
          t.interrupt();
        }
      }
    }
  }

  private <K> void work(WorkQueue<K> queue, Reconciler<K> reconciler) {
    while (true) {
      K key;
      try {
        key = queue.get();
      } catch (InterruptedException e) {
        return;
      }
      if (key == null) {
        return;
      }
      try {
        if (isStopped()) {
          return;
        }
        reconciler.reconcile(key);
        queue.forget(key);
      } catch (InterruptedException e) {
        return;
      } catch (ClientException e) {
        if (isStopped()) {
          return;
        }
        if (e instanceof io.bosun.client.ClientStatusException s && s.isConflict()) {
          // A stale cache: ordinary, retried at once with backoff.
          LOG.debug("{}: syncing {} hit a conflict, will retry: {}", name, key, e.getMessage());
        } else {
          LOG.info("{}: syncing {} failed, will retry: {}", name, key, e.getMessage());
        }
        queue.addRateLimited(key);
      } catch (Exception e) {
        if (isStopped()) {
          return;
        }
        LOG.warn("{}: syncing {} failed, will retry", name, key, e);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  }

  @Override
  public boolean isStopped() {
    return stop.getCount() == 0;
  }

  @Override
  public boolean awaitStop(Duration timeout) throws InterruptedException {
    return stop.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Tells the run to stop: the flag, the latch, and the queues (blocked workers wake up). */
  void signalStop() {
    stop.countDown();
    List<WorkQueue<?>> qs;
    synchronized (this) {
      qs = List.copyOf(queues);
    }
    qs.forEach(WorkQueue::shutDown);
  }

  /** Interrupts every thread the run made. */
  void interruptThreads() {
    threads.forEach(Thread::interrupt);
  }

  /**
   * Releases what the run acquired: removes its handlers, shuts its queues down, interrupts its
   * remaining threads and waits up to {@code timeout} for them. Idempotent.
   *
   * @return whether every thread ended
   */
  boolean release(Duration timeout) {
    signalStop();
    List<EventHandlerRegistration> regs;
    synchronized (this) {
      released = true;
      regs = List.copyOf(registrations);
      registrations.clear();
    }
    regs.forEach(EventHandlerRegistration::remove);
    interruptThreads();
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : List.copyOf(threads)) {
      long left = deadline - System.nanoTime();
      try {
        if (left <= 0 || !t.join(Duration.ofNanos(left))) {
          LOG.warn("{}: thread {} did not stop", name, t.getName());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return threads.isEmpty();
  }
}
