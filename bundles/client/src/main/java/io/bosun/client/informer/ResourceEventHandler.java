package io.bosun.client.informer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Hears about changes to an informer's cache, as client-go's {@code ResourceEventHandler}.
 * Every method has an empty default, so implement only what you need.
 *
 * <p>Each registered handler has its own thread and queue: its methods are called one at a
 * time, in the order the cache changed, never concurrently with each other, and a slow handler
 * holds up only itself. When a method is called the cache already reflects the change (or a
 * later one). An exception thrown by a method is logged and delivery goes on. The objects are
 * the cache's own: do not modify them.
 *
 * <p>Typical controllers only turn events into keys ({@link Keys#of}) on a work queue.
 */
@ConsumerType
public interface ResourceEventHandler<T> {

  /**
   * An object appeared.
   *
   * @param isInInitialList true while delivering the informer's first list (or, for a handler
   *                        added later, the objects cached when it was added)
   */
  default void onAdd(T obj, boolean isInInitialList) {
  }

  /**
   * An object changed. Also called with the same object twice on a periodic resync, and after a
   * relist for every object still present (compare resourceVersions to tell).
   */
  default void onUpdate(T oldObj, T newObj) {
  }

  /** An object was deleted (or left the informer's selection); {@code obj} is its final state. */
  default void onDelete(T obj) {
  }

  /**
   * An object disappeared while the watch was down: a relist no longer contains it, so its final
   * state is unknown. The default passes the last known state to {@link #onDelete}.
   */
  default void onDeleteFinalStateUnknown(DeletedFinalStateUnknown<T> tombstone) {
    onDelete(tombstone.object());
  }
}
