package io.bosun.scheduler.runtime;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.core.v1.PodStatus;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.Preconditions;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientStatusException;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.informer.SharedInformerFactory;
import io.bosun.scheduler.framework.ClusterPort;
import io.bosun.scheduler.spi.ObjectLister;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link ClusterPort} over the scheduler's own API client and informers. */
final class ClientClusterPort implements ClusterPort, AutoCloseable {

  private final ApiClient client;
  private final SharedInformerFactory informers;
  private final SharedIndexInformer<Pod> pods;
  private final EventRecorder events;
  private final Map<Class<?>, ObjectLister<?>> listers = new ConcurrentHashMap<>();

  ClientClusterPort(ApiClient client, SharedInformerFactory informers, String identity, Clock clock) {
    this.client = client;
    this.informers = informers;
    this.pods = informers.informerFor(Pod.class);
    this.events = new EventRecorder(client, identity, clock);
  }

  @Override
  public void bind(Pod pod, String nodeName) {
    client.pods().bind(pod, nodeName);
  }

  @Override
  public void updatePodStatus(Pod pod, PodCondition condition, boolean setNominated, String nominatedNodeName) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    String uid = pod.getMetadata().getUid();
    Pod current = pods.indexer().get(ns, name).orElse(null);
    for (int attempt = 0; attempt < 5; attempt++) {
      if (current == null || !Objects.equals(uid, current.getMetadata().getUid())) {
        Optional<Pod> fresh = client.pods().get(ns, name);
        if (fresh.isEmpty() || !Objects.equals(uid, fresh.get().getMetadata().getUid())) {
          return;
        }
        current = fresh.get();
      }
      if (current.getSpec() != null && current.getSpec().getNodeName() != null
          && !current.getSpec().getNodeName().isEmpty()) {
        return; // bound meanwhile: a stale failure must not overwrite it
      }
      Pod updated = current.deepCopy();
      PodStatus status = updated.getStatus() == null ? new PodStatus() : updated.getStatus();
      updated.setStatus(status);
      boolean changed = false;
      if (condition != null) {
        changed |= setCondition(status, condition);
      }
      if (setNominated && !Objects.equals(emptyToNull(status.getNominatedNodeName()), emptyToNull(nominatedNodeName))) {
        status.setNominatedNodeName(emptyToNull(nominatedNodeName));
        changed = true;
      }
      if (!changed) {
        return;
      }
      try {
        client.pods().updateStatus(updated);
        return;
      } catch (ClientStatusException e) {
        if (e.isNotFound()) {
          return;
        }
        if (!e.isConflict()) {
          throw e;
        }
        current = null; // re-read and try again
      }
    }
  }

  /** Sets {@code c} in {@code status}, keeping the transition time if the status did not flip; false if nothing changed. */
  static boolean setCondition(PodStatus status, PodCondition c) {
    List<PodCondition> list = status.getConditions() == null ? new ArrayList<>() : new ArrayList<>(status.getConditions());
    for (int i = 0; i < list.size(); i++) {
      PodCondition old = list.get(i);
      if (Objects.equals(old.getType(), c.getType())) {
        if (Objects.equals(old.getStatus(), c.getStatus()) && Objects.equals(old.getReason(), c.getReason())
            && Objects.equals(old.getMessage(), c.getMessage())) {
          return false;
        }
        PodCondition n = c.deepCopy();
        if (Objects.equals(old.getStatus(), c.getStatus()) && old.getLastTransitionTime() != null) {
          n.setLastTransitionTime(old.getLastTransitionTime());
        }
        list.set(i, n);
        status.setConditions(list);
        return true;
      }
    }
    list.add(c.deepCopy());
    status.setConditions(list);
    return true;
  }

  @Override
  public void deletePod(Pod victim, PodCondition condition) {
    String ns = victim.getMetadata().getNamespace();
    String name = victim.getMetadata().getName();
    try {
      Optional<Pod> current = client.pods().get(ns, name);
      if (current.isEmpty() || !Objects.equals(current.get().getMetadata().getUid(), victim.getMetadata().getUid())) {
        return;
      }
      if (condition != null) {
        Pod updated = current.get().deepCopy();
        if (updated.getStatus() == null) {
          updated.setStatus(new PodStatus());
        }
        if (setCondition(updated.getStatus(), condition)) {
          try {
            client.pods().updateStatus(updated);
          } catch (ClientStatusException e) {
            if (e.isNotFound()) {
              return;
            }
            // best effort: the delete matters
          }
        }
      }
      client.pods().delete(ns, name,
          new DeleteOptions().withPreconditions(new Preconditions().withUid(victim.getMetadata().getUid())));
    } catch (ClientStatusException e) {
      if (!e.isNotFound()) {
        throw e;
      }
    }
  }

  @Override
  public void recordEvent(KubernetesObject regarding, String type, String reason, String action, String message) {
    events.record(regarding, type, reason, action, message);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends KubernetesObject> ObjectLister<T> lister(Class<T> type) {
    return (ObjectLister<T>) listers.computeIfAbsent(type, t -> {
      SharedIndexInformer<T> inf = informers.informerFor(type);
      informers.start();
      return new InformerLister<>(inf);
    });
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  @Override
  public void close() {
    events.close();
  }
}
