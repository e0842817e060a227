package io.bosun.client.informer;

import org.osgi.annotation.versioning.ProviderType;

/** One handler added to an informer. Thread-safe. */
@ProviderType
public interface EventHandlerRegistration {

  /**
   * Whether the informer has synced and this handler has been given every object of the synced
   * state (as client-go's registration {@code HasSynced}).
   */
  boolean hasSynced();

  /**
   * Stops delivery to the handler and ends its thread; notifications not yet delivered are
   * dropped. Idempotent. Unless called from the handler itself, returns once the handler's
   * current call (if any) has returned.
   */
  void remove();
}
