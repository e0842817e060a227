package io.bosun.client.informer;

import io.bosun.api.meta.v1.KubernetesObject;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A list-and-watch cache of one kind within one {@link InformerScope}, shared by every part of a
 * component that needs it (get them from a {@link SharedInformerFactory}). Thread-safe.
 *
 * <p>How it follows the server, as client-go's reflector: it lists (in pages), replaces its cache
 * with the list, then watches from the list's resourceVersion with bookmarks. When a watch ends
 * normally it watches again from the last resourceVersion it saw; when the server says that
 * version is gone (410) it lists again and reconciles: objects missing from the new list are
 * reported through {@link ResourceEventHandler#onDeleteFinalStateUnknown}, objects still present
 * through {@code onUpdate}. Failures are retried with exponential backoff (0.8 s doubling to 30 s,
 * with jitter), so the cache survives API server restarts.
 *
 * <p>The objects handed out are the cached instances: never modify them; {@code deepCopy()} first.
 */
@ProviderType
public interface SharedIndexInformer<T extends KubernetesObject> {

  /** The model class this informer caches. */
  Class<T> type();

  /** What of the kind this informer watches. */
  InformerScope scope();

  /**
   * Adds a handler with the factory's default resync period. If the informer already has
   * objects, the handler first gets {@code onAdd(obj, true)} for each of them. May be called
   * before or after the informer starts.
   */
  EventHandlerRegistration addEventHandler(ResourceEventHandler<? super T> handler);

  /**
   * Adds a handler that, besides the changes, gets {@code onUpdate(obj, obj)} for every cached
   * object each {@code resyncPeriod} (client-go's resync: a periodic chance to re-check state).
   *
   * @param resyncPeriod zero for no resync; at least 100 ms otherwise (shorter ones are raised)
   */
  EventHandlerRegistration addEventHandler(ResourceEventHandler<? super T> handler, Duration resyncPeriod);

  /** The cache, with its indexes; also the informer's {@link Lister}. */
  Indexer<T> indexer();

  /** Whether the first list has been put in the cache. */
  boolean hasSynced();

  /**
   * Blocks until {@link #hasSynced()} or the timeout.
   *
   * @return whether the informer synced; false on timeout, or if the waiting thread was
   *         interrupted (its interrupt flag is then set)
   */
  boolean waitForCacheSync(Duration timeout);

  /** The resourceVersion of the last list or event applied to the cache; "" before the first list. */
  String lastSyncResourceVersion();
}
