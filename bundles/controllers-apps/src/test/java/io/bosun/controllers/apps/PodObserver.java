package io.bosun.controllers.apps;

import io.bosun.api.core.v1.Pod;
import io.bosun.client.ApiClient;
import io.bosun.client.informer.InformerScope;
import io.bosun.client.informer.ResourceEventHandler;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.informer.SharedInformerFactory;
import io.bosun.controller.Pods;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Watches the pods of a namespace and, after every change, checks bounds on the number of
 * active and of available pods: the view of an outside observer of a rollout.
 */
public final class PodObserver implements AutoCloseable {

  private final SharedInformerFactory factory;
  private final SharedIndexInformer<Pod> pods;
  private final Predicate<Pod> selected;
  private volatile int maxActive = Integer.MAX_VALUE;
  private volatile int minAvailable = Integer.MIN_VALUE;
  private volatile int peakActive;
  private volatile int lowAvailable = Integer.MAX_VALUE;
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  /** Every pod ever seen, by uid, with its labels when first seen. */
  public final Map<String, Map<String, String>> seen = new ConcurrentHashMap<>();

  public PodObserver(ApiClient client, String namespace, Predicate<Pod> selected) {
    this.selected = selected;
    factory = new SharedInformerFactory(client);
    pods = factory.informerFor(Pod.class, InformerScope.namespace(namespace));
    pods.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod p, boolean initial) {
        if (selected.test(p)) {
          Map<String, String> labels = new java.util.HashMap<>(p.getMetadata().getLabels() == null ? Map.of()
              : p.getMetadata().getLabels());
          labels.put("_name", p.getMetadata().getName());
          labels.put("_deleting", String.valueOf(p.getMetadata().getDeletionTimestamp()));
          seen.putIfAbsent(p.getMetadata().getUid(), Map.copyOf(labels));
        }
        check();
      }

      @Override
      public void onUpdate(Pod oldObj, Pod newObj) {
        check();
      }

      @Override
      public void onDelete(Pod p) {
        check();
      }
    });
    factory.start();
    factory.waitForCacheSync(Duration.ofSeconds(10));
  }

  /** From now on, fail if more than {@code maxActive} pods are active or fewer than {@code minAvailable} ready. */
  public void bounds(int maxActive, int minAvailable) {
    this.maxActive = maxActive;
    this.minAvailable = minAvailable;
    this.peakActive = 0;
    this.lowAvailable = Integer.MAX_VALUE;
  }

  private synchronized void check() {
    int active = 0;
    int available = 0;
    for (Pod p : pods.indexer().list()) {
      if (!selected.test(p) || !Pods.isActive(p)) {
        continue;
      }
      active++;
      if (Pods.isAvailable(p, 0, Instant.now())) {
        available++;
      }
    }
    peakActive = Math.max(peakActive, active);
    lowAvailable = Math.min(lowAvailable, available);
    if (active > maxActive) {
      violations.add(active + " active pods > " + maxActive);
    }
    if (available < minAvailable) {
      violations.add(available + " available pods < " + minAvailable);
    }
  }

  public List<String> violations() {
    return List.copyOf(violations);
  }

  public int peakActive() {
    return peakActive;
  }

  public int lowAvailable() {
    return lowAvailable;
  }

  /** Pods ever seen whose first labels had {@code key=value}. */
  public long seenWith(String key, String value) {
    return seen.values().stream().filter(l -> value.equals(l.get(key))).count();
  }

  public Set<String> seenUids() {
    return Set.copyOf(seen.keySet());
  }

  @Override
  public void close() {
    factory.close();
  }
}
