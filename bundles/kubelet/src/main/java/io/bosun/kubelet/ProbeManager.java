package io.bosun.kubelet;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Probe;
import io.bosun.runtime.spi.ContainerRuntime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness, readiness and startup probes with upstream's semantics: one worker per container and
 * probe type, bound to one container instance (a restarted container gets fresh workers). A worker
 * waits {@code initialDelaySeconds} from the container's start, then probes every
 * {@code periodSeconds} with {@code timeoutSeconds}; its result flips after
 * {@code successThreshold} successes or {@code failureThreshold} failures in a row. Results start
 * as upstream's: readiness failed, liveness succeeded, startup unknown. Liveness and readiness
 * probes wait until the startup probe has succeeded; a failed liveness or startup probe holds
 * until the container is replaced. Every change of a result is reported to {@code onChange} with
 * the pod's uid. Workers are virtual threads; {@link #close()} ends them all.
 */
final class ProbeManager implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProbeManager.class);

  enum Type { LIVENESS, READINESS, STARTUP }

  enum Result { SUCCESS, FAILURE, UNKNOWN }

  /** Where a pod's probes go: its runtime and IP, looked up at probe time (both may change). */
  record Target(ContainerRuntime runtime, String podIP) {}

  private record Key(String uid, String container, Type type) {}

  private final Prober prober;
  private final Clock clock;
  private final Consumer<String> onChange;
  private final Function<String, Target> targets;
  private final Map<Key, Worker> workers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param targets  the runtime and IP of a pod by uid; null when the pod cannot be probed now
   * @param onChange called with a pod's uid when one of its results changed
   */
  ProbeManager(Prober prober, Clock clock, Function<String, Target> targets, Consumer<String> onChange) {
    this.prober = prober;
    this.clock = clock;
    this.targets = targets;
    this.onChange = onChange;
  }

  /**
   * Makes sure the running container {@code containerId} has its probe workers.
   *
   * @param readyHint the readiness last reported for this very container (after a kubelet restart),
   *                  so an adopted container does not turn unready until probed; null if unknown
   */
  void ensure(Pod pod, Container c, String containerId, Instant startedAt, Boolean readyHint) {
    if (closed) {
      return;
    }
    String uid = pod.getMetadata().getUid();
    probe(pod, c, containerId, startedAt, Type.STARTUP, c.getStartupProbe(), null);
    probe(pod, c, containerId, startedAt, Type.LIVENESS, c.getLivenessProbe(), null);
    probe(pod, c, containerId, startedAt, Type.READINESS, c.getReadinessProbe(), readyHint);
    for (Type t : Type.values()) {
      Key k = new Key(uid, c.getName(), t);
      if (probeOf(c, t) == null) {
        Worker w = workers.remove(k);
        if (w != null) {
          w.stop();
        }
      }
    }
  }

  private void probe(Pod pod, Container c, String containerId, Instant startedAt, Type type, Probe probe,
      Boolean readyHint) {
    if (probe == null) {
      return;
    }
    Key key = new Key(pod.getMetadata().getUid(), c.getName(), type);
    workers.compute(key, (k, old) -> {
      if (old != null && old.containerId.equals(containerId)) {
        return old;
      }
      if (old != null) {
        old.stop();
      }
      Worker w = new Worker(k, pod, c, probe, containerId, startedAt, readyHint);
      w.start();
      return w;
    });
  }

  private static Probe probeOf(Container c, Type t) {
    return switch (t) {
      case LIVENESS -> c.getLivenessProbe();
      case READINESS -> c.getReadinessProbe();
      case STARTUP -> c.getStartupProbe();
    };
  }

  /**
   * The result of a container's probe of {@code type}; null when the container has no such probe
   * (or no worker for this instance yet).
   */
  Result result(String uid, String container, String containerId, Type type) {
    Worker w = workers.get(new Key(uid, container, type));
    return w == null || !w.containerId.equals(containerId) ? null : w.result;
  }

  /** The last failure message of a probe, for events and status messages; "" if none. */
  String lastFailure(String uid, String container, Type type) {
    Worker w = workers.get(new Key(uid, container, type));
    return w == null ? "" : w.lastFailure;
  }

  /** Stops the workers of a pod's containers that are not among {@code liveContainerIds}. */
  void retain(String uid, Set<String> liveContainerIds) {
    workers.entrySet().removeIf(e -> {
      if (e.getKey().uid.equals(uid) && !liveContainerIds.contains(e.getValue().containerId)) {
        e.getValue().stop();
        return true;
      }
      return false;
    });
  }

  /** Stops every worker of a pod. */
  void removePod(String uid) {
    retain(uid, Set.of());
  }

  @Override
  public void close() {
    closed = true;
    List<Worker> all = new ArrayList<>(workers.values());
    workers.clear();
    all.forEach(Worker::stop);
    for (Worker w : all) {
      w.join();
    }
  }

  private final class Worker implements Runnable {
    final Key key;
    final Pod pod;
    final Container container;
    final Probe probe;
    final String containerId;
    final Instant startedAt;
    final ReentrantLock lock = new ReentrantLock();
    final Condition wake = lock.newCondition();
    volatile Result result;
    volatile String lastFailure = "";
    boolean stopped;
    boolean onHold;
    Prober.Outcome lastOutcome;
    int run;
    Thread thread;

    Worker(Key key, Pod pod, Container container, Probe probe, String containerId, Instant startedAt,
        Boolean readyHint) {
      this.key = key;
      this.pod = pod;
      this.container = container;
      this.probe = probe;
      this.containerId = containerId;
      this.startedAt = startedAt == null ? clock.instant() : startedAt;
      this.result = switch (key.type) {
        case READINESS -> Boolean.TRUE.equals(readyHint) ? Result.SUCCESS : Result.FAILURE;
        case LIVENESS -> Result.SUCCESS;
        case STARTUP -> Result.UNKNOWN;
      };
    }

    void start() {
      thread = Thread.ofVirtual().name("bosun-kubelet-probe-" + pod.getMetadata().getNamespace() + "/"
          + pod.getMetadata().getName() + "/" + key.container + "/" + key.type.name().toLowerCase()).start(this);
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

    void join() {
      try {
        if (thread != null) {
          thread.join(Duration.ofSeconds(5));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Waits until {@code until} or a stop; returns false if stopped. */
    private boolean sleepUntil(Instant until) {
      lock.lock();
      try {
        while (!stopped) {
          long nanos = Duration.between(clock.instant(), until).toNanos();
          if (nanos <= 0) {
            return true;
          }
          wake.awaitNanos(nanos);
        }
        return false;
      } catch (InterruptedException e) {
        return false;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void run() {
      int initialDelay = value(probe.getInitialDelaySeconds(), 0);
      int period = Math.max(1, value(probe.getPeriodSeconds(), 10));
      if (!sleepUntil(startedAt.plusSeconds(initialDelay))) {
        return;
      }
      while (true) {
        try {
          once();
        } catch (RuntimeException e) {
          LOG.warn("Probe {} failed unexpectedly", key, e);
        }
        if (!sleepUntil(clock.instant().plusSeconds(period))) {
          return;
        }
      }
    }

    private void once() {
      if (onHold) {
        return;
      }
      if (key.type == Type.STARTUP && result == Result.SUCCESS) {
        return; // a startup probe has done its job
      }
      if (key.type != Type.STARTUP && container.getStartupProbe() != null
          && result(key.uid, key.container, containerId, Type.STARTUP) != Result.SUCCESS) {
        return; // liveness and readiness wait for startup
      }
      Target target = targets.apply(key.uid);
      if (target == null) {
        return;
      }
      Duration timeout = Duration.ofSeconds(Math.max(1, value(probe.getTimeoutSeconds(), 1)));
      Prober.Outcome outcome;
      if (probe.getExec() != null) {
        outcome = prober.exec(target.runtime(), containerId, probe.getExec(), timeout);
      } else if (probe.getHttpGet() != null) {
        outcome = prober.httpGet(probe.getHttpGet(), container, target.podIP(), timeout);
      } else if (probe.getTcpSocket() != null) {
        outcome = prober.tcpSocket(probe.getTcpSocket(), container, target.podIP(), timeout);
      } else if (probe.getGrpc() != null) {
        outcome = prober.grpc(probe.getGrpc(), target.podIP(), timeout);
      } else {
        outcome = Prober.Outcome.fail("probe has no handler");
      }
      if (!outcome.success()) {
        lastFailure = outcome.message();
      }
      boolean success = outcome.success();
      if (lastOutcome != null && lastOutcome.success() == success) {
        run++;
      } else {
        run = 1;
      }
      lastOutcome = outcome;
      int successThreshold = key.type == Type.READINESS ? Math.max(1, value(probe.getSuccessThreshold(), 1)) : 1;
      int failureThreshold = Math.max(1, value(probe.getFailureThreshold(), 3));
      if ((success && run < successThreshold) || (!success && run < failureThreshold)) {
        return;
      }
      Result next = success ? Result.SUCCESS : Result.FAILURE;
      if (next != result) {
        result = next;
        if (!success) {
          LOG.info("{} probe of {}/{} container {} failed: {}", key.type.name().charAt(0)
              + key.type.name().substring(1).toLowerCase(), pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
              key.container, outcome.message());
        }
        onChange.accept(key.uid);
      }
      if (!success && key.type != Type.READINESS) {
        onHold = true; // the container is restarted; this worker's container is done
        run = 0;
      }
    }
  }

  private static int value(Integer v, int otherwise) {
    return v == null ? otherwise : v;
  }
}
