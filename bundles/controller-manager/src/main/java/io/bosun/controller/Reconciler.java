package io.bosun.controller;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Brings one object to its desired state: upstream's {@code syncHandler}. Called by
 * {@link ControllerContext#runWorkers}, never concurrently for the same key.
 *
 * @param <K> the work queue's key type, usually {@code namespace/name}
 */
@ConsumerType
@FunctionalInterface
public interface Reconciler<K> {

  /**
   * Reconciles {@code key}. Returning normally forgets the key's retry backoff; throwing puts
   * the key back on the queue with rate limiting (client-go's {@code AddRateLimited}), so a
   * conflict or a transient API error is simply retried. To come back later without an error,
   * call the queue's {@code addAfter} and return.
   */
  void reconcile(K key) throws Exception;
}
