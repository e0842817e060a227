package io.bosun.controller.internal;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.client.ApiClient;
import io.bosun.client.informer.InformerScope;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.informer.SharedInformerFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * One leadership term: the informers every controller of the manager shares while it leads.
 * Created when leadership starts and closed (every informer stopped) when it ends, so a new term
 * starts from fresh lists.
 */
final class Term implements AutoCloseable {

  private record Key(Class<?> type, InformerScope scope) {}

  private final SharedInformerFactory factory;
  /** When (System.nanoTime) each informer was first asked for. */
  private final Map<Key, Long> createdAt = new HashMap<>();

  Term(ApiClient client, Duration resync) {
    factory = new SharedInformerFactory(client, resync);
  }

  /** The shared informer of {@code type} in {@code scope}, started. */
  synchronized <T extends KubernetesObject> SharedIndexInformer<T> informer(Class<T> type, InformerScope scope) {
    InformerScope s = scope == null ? InformerScope.ALL : scope;
    SharedIndexInformer<T> informer = factory.informerFor(type, s);
    createdAt.putIfAbsent(new Key(type, s), System.nanoTime());
    factory.start();
    return informer;
  }

  /** When the informer was first asked for; a time far in the future if never. */
  synchronized long createdAt(Class<?> type, InformerScope scope) {
    Long at = createdAt.get(new Key(type, scope == null ? InformerScope.ALL : scope));
    return at == null ? System.nanoTime() + Duration.ofDays(365).toNanos() : at;
  }

  @Override
  public void close() {
    factory.close();
  }
}
