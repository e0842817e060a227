package io.bosun.kubelet;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker per pod, as upstream's pod workers: a virtual thread that syncs its pod whenever it
 * is signalled (a change in the pod, its containers, its probes, what it refers to) or when the
 * time the last sync asked for comes (a back-off ending, the periodic resync). Syncs of one pod
 * never overlap; different pods sync in parallel. A worker ends when its sync says the pod is
 * gone for good.
 */
final class PodWorkers implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PodWorkers.class);

  /** A sync's verdict: done (the worker ends), or when to sync again at the latest (null: only when signalled). */
  record Result(boolean done, Instant next) {
    static final Result DONE = new Result(true, null);

    static Result at(Instant next) {
      return new Result(false, next);
    }
  }

  /** Syncs one pod. Exceptions are logged and the pod is synced again after a short delay. */
  interface Syncer {
    Result sync(PodState state);
  }

  private final Syncer syncer;
  private final Clock clock;
  private final Map<String, Worker> workers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  PodWorkers(Syncer syncer, Clock clock) {
    this.syncer = syncer;
    this.clock = clock;
  }

  /** Signals the pod's worker, starting one if the pod has none. */
  void dispatch(String uid) {
    if (closed) {
      return;
    }
    workers.computeIfAbsent(uid, u -> {
      Worker w = new Worker(new PodState(u));
      w.thread = Thread.ofVirtual().name("bosun-kubelet-pod-" + u).unstarted(w);
      w.thread.start();
      return w;
    }).signal();
  }

  /** Signals every worker. */
  void dispatchAll() {
    workers.values().forEach(Worker::signal);
  }

  Optional<PodState> state(String uid) {
    Worker w = workers.get(uid);
    return w == null ? Optional.empty() : Optional.of(w.state);
  }

  Collection<PodState> states() {
    return workers.values().stream().map(w -> w.state).toList();
  }

  /**
   * Stops every worker and waits (up to 10 s) for syncs in progress to end. Containers are left
   * as they are: the next kubelet adopts them.
   */
  @Override
  public void close() {
    closed = true;
    List<Worker> all = new ArrayList<>(workers.values());
    all.forEach(Worker::stop);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    for (Worker w : all) {
      try {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          w.thread.join(Duration.ofNanos(left));
        }
        if (w.thread.isAlive()) {
          w.thread.interrupt();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private final class Worker implements Runnable {
    final PodState state;
    final ReentrantLock lock = new ReentrantLock();
    final Condition wake = lock.newCondition();
    boolean signalled;
    boolean stopped;
    Thread thread;
    int failures;

    Worker(PodState state) {
      this.state = state;
    }

    void signal() {
      lock.lock();
      try {
        signalled = true;
        wake.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void stop() {
      lock.lock();
      try {
        stopped = true;
        wake.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void run() {
      Instant next = null;
      while (true) {
        lock.lock();
        try {
          while (!signalled && !stopped) {
            if (next == null) {
              wake.await();
            } else {
              long nanos = Duration.between(clock.instant(), next).toNanos();
              if (nanos <= 0) {
                break;
              }
              wake.awaitNanos(nanos);
            }
          }
          if (stopped) {
            return;
          }
          signalled = false;
        } catch (InterruptedException e) {
          return;
        } finally {
          lock.unlock();
        }
        try {
          Result r = syncer.sync(state);
          failures = 0;
          if (r.done()) {
            workers.remove(state.uid, this);
            // A signal that came in meanwhile (the pod re-added under the same uid) gets a new worker.
            lock.lock();
            try {
              if (signalled && !stopped && !closed) {
                dispatch(state.uid);
              }
            } finally {
              lock.unlock();
            }
            return;
          }
          next = r.next();
        } catch (RuntimeException e) {
          if (stopped) {
            return;
          }
          failures++;
          LOG.warn("Sync of pod {} failed (attempt {}); retrying", state.pod == null ? state.uid
              : PodManager.fullName(state.pod), failures, e);
          next = clock.instant().plusMillis(Math.min(10_000, 250L << Math.min(failures, 6)));
        }
      }
    }
  }
}
