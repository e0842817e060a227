package io.bosun.client;

import org.osgi.annotation.versioning.ProviderType;

/** An open watch. Thread-safe. */
@ProviderType
public interface Watch extends AutoCloseable {

  /**
   * Ends the watch. Idempotent. Unless called from the watch's own handler, it returns once the
   * reader thread is done: no event is delivered after it returns, and
   * {@link WatchHandler#onClose} has been called (with null).
   */
  @Override
  void close();

  /** Whether the watch has ended, for whatever reason. */
  boolean isClosed();
}
