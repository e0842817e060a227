package io.bosun.client.informer;

/**
 * A tombstone, as client-go's {@code cache.DeletedFinalStateUnknown}: the informer missed the
 * delete event of an object (its watch was down and the relist no longer had it).
 *
 * @param key    the object's cache key
 * @param object the last state the cache had; it may be stale
 */
public record DeletedFinalStateUnknown<T>(String key, T object) {
}
