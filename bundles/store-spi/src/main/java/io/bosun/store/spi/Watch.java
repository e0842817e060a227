package io.bosun.store.spi;

import org.osgi.annotation.versioning.ProviderType;

/** A running watch. Closing it is idempotent and always safe. */
@ProviderType
public interface Watch extends AutoCloseable {

  /**
   * Asks for a {@link WatchListener#onProgress(long)} call carrying a revision up to which
   * every change has been delivered. Used to send watch bookmarks.
   */
  void requestProgress();

  /** Stops the watch; the listener then gets {@link WatchListener#onClose(StoreException)} with null. */
  @Override
  void close();
}
