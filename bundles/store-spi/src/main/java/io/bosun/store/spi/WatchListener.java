package io.bosun.store.spi;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the changes of one watch.
 *
 * <p>Calls for one watch are made one at a time, from a thread of the store's, in revision order.
 * Implementations must return quickly (hand work off to their own queue); a listener that blocks
 * delays only its own watch, but may be cancelled by the store if it falls too far behind.
 */
@ConsumerType
public interface WatchListener {

  /** Changes in revision order; every event of one revision comes in the same call. */
  void onEvents(List<WatchEvent> events);

  /**
   * Every change up to and including {@code revision} in the watched range has been delivered.
   * Sent after {@link Watch#requestProgress()} and may be sent at other times.
   */
  void onProgress(long revision);

  /**
   * The watch ended and no further calls follow. {@code cause} is a {@link CompactedException}
   * when the requested start revision was compacted, a {@link StoreException} when the store shut
   * down or dropped a slow watcher, or {@code null} after {@link Watch#close()}.
   */
  void onClose(StoreException cause);
}
