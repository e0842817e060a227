package io.bosun.scheduler.framework;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.Status;
import io.bosun.scheduler.spi.WaitingPod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Pods whose binding waits on Permit plugins, as upstream's {@code waitingPodsMap}. Thread-safe.
 */
public final class WaitingPods {

  /** Upstream's cap on a Permit wait. */
  public static final Duration MAX_TIMEOUT = Duration.ofMinutes(15);

  private final Map<String, Waiting> pods = new ConcurrentHashMap<>();

  /** A waiting pod; its outcome completes once every plugin allowed it, or one rejected it, or a timeout. */
  public static final class Waiting implements WaitingPod {
    private final Pod pod;
    private final String nodeName;
    private final Set<String> pending;
    private final CompletableFuture<Status> outcome = new CompletableFuture<>();

    Waiting(Pod pod, String nodeName, Map<String, Duration> timeouts) {
      this.pod = pod;
      this.nodeName = nodeName;
      this.pending = Collections.synchronizedSet(new LinkedHashSet<>(timeouts.keySet()));
      timeouts.forEach((plugin, timeout) -> {
        Duration t = timeout == null || timeout.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT : timeout;
        if (t.isNegative()) {
          t = Duration.ZERO;
        }
        Duration shown = t;
        CompletableFuture.delayedExecutor(t.toNanos(), TimeUnit.NANOSECONDS).execute(() ->
            reject(plugin, "rejected due to timeout after waiting " + shown.toSeconds() + "s at plugin " + plugin));
      });
    }

    @Override
    public Pod pod() {
      return pod;
    }

    @Override
    public String nodeName() {
      return nodeName;
    }

    @Override
    public Set<String> pendingPlugins() {
      synchronized (pending) {
        return Set.copyOf(pending);
      }
    }

    @Override
    public void allow(String plugin) {
      boolean done;
      synchronized (pending) {
        pending.remove(plugin);
        done = pending.isEmpty();
      }
      if (done) {
        outcome.complete(Status.success());
      }
    }

    @Override
    public void reject(String plugin, String message) {
      outcome.complete(Status.unschedulable(message).withPlugin(plugin));
    }

    /** Blocks until allowed (success) or rejected (an unschedulable status naming the plugin). */
    public Status await() {
      try {
        return outcome.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Status.error("interrupted while waiting on permit");
      } catch (ExecutionException e) {
        return Status.error(e.getCause());
      }
    }

    boolean isDone() {
      return outcome.isDone();
    }
  }

  /** Adds a waiting pod with a timeout per waiting plugin. */
  public Waiting add(Pod pod, String nodeName, Map<String, Duration> timeouts) {
    Waiting w = new Waiting(pod, nodeName, timeouts);
    pods.put(uid(pod), w);
    return w;
  }

  /** The waiting pod with {@code uid}, or null. */
  public Waiting get(String uid) {
    return pods.get(uid);
  }

  public void remove(String uid) {
    pods.remove(uid);
  }

  /** Rejects the waiting pod with {@code uid}, if any (e.g. it was deleted). */
  public void reject(String uid, String plugin, String message) {
    Waiting w = pods.get(uid);
    if (w != null) {
      w.reject(plugin, message);
    }
  }

  public List<WaitingPod> list() {
    return new ArrayList<>(pods.values());
  }

  public int size() {
    return pods.size();
  }

  static String uid(Pod pod) {
    return pod.getMetadata() == null || pod.getMetadata().getUid() == null ? "" : pod.getMetadata().getUid();
  }
}
