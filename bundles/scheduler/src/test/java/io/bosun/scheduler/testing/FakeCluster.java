package io.bosun.scheduler.testing;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.scheduler.framework.ClusterPort;
import io.bosun.scheduler.spi.ObjectLister;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * A cluster port that records what the scheduler writes. {@link #bind} fails for a pod bound
 * before (as the API server's 409), so a double binding shows up as a failure plus a count of 2.
 */
public final class FakeCluster implements ClusterPort {

  public record EventRecord(String object, String type, String reason, String message) {
  }

  public record StatusRecord(String pod, PodCondition condition, boolean setNominated, String nominated) {
  }

  public final Map<String, String> bindings = new ConcurrentHashMap<>();
  public final Map<String, Integer> bindAttempts = new ConcurrentHashMap<>();
  public final java.util.Queue<EventRecord> events = new java.util.concurrent.ConcurrentLinkedQueue<>();
  public final java.util.Queue<StatusRecord> statuses = new java.util.concurrent.ConcurrentLinkedQueue<>();
  public final List<String> deleted = new CopyOnWriteArrayList<>();
  /** Called after a successful bind with the pod and node (tests confirm it to the engine, as the informer would). */
  public volatile BiConsumer<Pod, String> onBind = (p, n) -> {
  };
  /** Pods (by name) whose binding fails once. */
  public final Map<String, Boolean> failBindOnce = new ConcurrentHashMap<>();

  @Override
  public void bind(Pod pod, String nodeName) {
    String key = pod.getMetadata().getName();
    bindAttempts.merge(key, 1, Integer::sum);
    if (failBindOnce.remove(key) != null) {
      throw new IllegalStateException("injected bind failure for " + key);
    }
    String prev = bindings.putIfAbsent(key, nodeName);
    if (prev != null) {
      throw new IllegalStateException("pod " + key + " is already assigned to node \"" + prev + "\"");
    }
    onBind.accept(pod, nodeName);
  }

  @Override
  public void updatePodStatus(Pod pod, PodCondition condition, boolean setNominated, String nominatedNodeName) {
    statuses.add(new StatusRecord(pod.getMetadata().getName(), condition, setNominated, nominatedNodeName));
  }

  @Override
  public void deletePod(Pod victim, PodCondition condition) {
    deleted.add(victim.getMetadata().getName());
  }

  @Override
  public void recordEvent(KubernetesObject regarding, String type, String reason, String action, String message) {
    events.add(new EventRecord(regarding.getMetadata().getName(), type, reason, message));
  }

  @Override
  public <T extends KubernetesObject> ObjectLister<T> lister(Class<T> type) {
    return new ObjectLister<>() {
      @Override
      public List<T> list() {
        return List.of();
      }

      @Override
      public List<T> list(String namespace) {
        return List.of();
      }

      @Override
      public T get(String namespace, String name) {
        return null;
      }

      @Override
      public boolean hasSynced() {
        return true;
      }
    };
  }

  public List<EventRecord> events(String object, String reason) {
    List<EventRecord> out = new ArrayList<>();
    for (EventRecord e : events) {
      if (e.object().equals(object) && e.reason().equals(reason)) {
        out.add(e);
      }
    }
    return out;
  }

  public StatusRecord lastStatus(String pod) {
    StatusRecord last = null;
    for (StatusRecord s : statuses) {
      if (s.pod().equals(pod)) {
        last = s;
      }
    }
    return last;
  }
}
