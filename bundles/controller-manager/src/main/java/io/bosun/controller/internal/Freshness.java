package io.bosun.controller.internal;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.client.ApiClient;
import io.bosun.client.ListOptions;
import io.bosun.client.ListResult;
import io.bosun.client.informer.Indexer;
import io.bosun.client.informer.InformerScope;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.SharedIndexInformer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The read barrier behind {@code ControllerContext.waitForCacheSync}: is a running informer's
 * cache at least as new as the API's state at some moment? A fresh informer's first list is, by
 * construction; an informer that kept running while a controller was replaced may still be
 * delivering the previous controller's last writes.
 *
 * <p>The check lists the kind (a consistent snapshot at revision R) and then waits until either
 * the informer has applied an event at or after R, or its cache holds every listed object at
 * its listed resourceVersion or newer and nothing the snapshot no longer has (unless newer than
 * R, i.e. created later). The second condition avoids waiting for a bookmark when the kind is
 * quiet. resourceVersions are compared as numbers, which holds for Bosun's stores; if one is not
 * a number there is no barrier.
 */
final class Freshness {

  private Freshness() {
  }

  /**
   * Blocks until {@code informer} is at least as fresh as the API is now.
   *
   * @param stopped polled while waiting; true ends the wait
   * @param pause   waits a little between checks (and may throw when interrupted)
   * @return true when fresh, false if stopped first
   */
  static <T extends KubernetesObject> boolean await(ApiClient client, SharedIndexInformer<T> informer,
      BooleanSupplier stopped, Pause pause) throws InterruptedException {
    InformerScope scope = informer.scope();
    ListResult<T> snapshot = client.resources(informer.type()).list(scope.namespace(), ListOptions.none()
        .withLabelSelector(scope.labelSelector()).withFieldSelector(scope.fieldSelector()).withLimit(500));
    long at = number(snapshot.resourceVersion());
    Map<String, Long> listed = new HashMap<>();
    for (T obj : snapshot.items()) {
      listed.put(Keys.of(obj), number(obj.getMetadata().getResourceVersion()));
    }
    while (!stopped.getAsBoolean()) {
      if (fresh(informer, at, listed)) {
        return true;
      }
      pause.pause();
    }
    return false;
  }

  static <T extends KubernetesObject> boolean fresh(SharedIndexInformer<T> informer, long at, Map<String, Long> listed) {
    long seen = number(informer.lastSyncResourceVersion());
    if (at >= 0 && seen >= at) {
      return true;
    }
    if (at < 0) {
      // Not a number: no way to compare, so no barrier.
      return true;
    }
    Indexer<T> cache = informer.indexer();
    for (Map.Entry<String, Long> e : listed.entrySet()) {
      T cached = cache.getByKey(e.getKey()).orElse(null);
      if (cached == null || number(cached.getMetadata().getResourceVersion()) < e.getValue()) {
        return false;
      }
    }
    for (T cached : cache.list()) {
      if (!listed.containsKey(Keys.of(cached)) && number(cached.getMetadata().getResourceVersion()) <= at) {
        return false;
      }
    }
    return true;
  }

  /** A resourceVersion as a number; -1 if it is not one. */
  static long number(String rv) {
    if (rv == null || rv.isEmpty()) {
      return -1;
    }
    try {
      return Long.parseLong(rv);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A short wait between checks. */
  interface Pause {
    void pause() throws InterruptedException;
  }
}
