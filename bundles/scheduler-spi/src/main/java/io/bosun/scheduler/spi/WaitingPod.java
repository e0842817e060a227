package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A pod whose binding waits for Permit plugins, as upstream's {@code framework.WaitingPod}.
 * Implemented by the framework; thread-safe.
 */
@ProviderType
public interface WaitingPod {

  /** The pod (read-only). */
  Pod pod();

  /** The node it was assigned to. */
  String nodeName();

  /** Plugins that have not allowed it yet. */
  Set<String> pendingPlugins();

  /**
   * {@code plugin} allows the binding; once every waiting plugin has, the binding proceeds.
   * Idempotent; does nothing once the pod was rejected or timed out.
   */
  void allow(String plugin);

  /** {@code plugin} rejects the binding: the pod is unreserved and goes back to the queue. Idempotent. */
  void reject(String plugin, String message);
}
