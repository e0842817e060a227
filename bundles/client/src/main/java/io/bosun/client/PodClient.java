package io.bosun.client;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.meta.v1.DeleteOptions;
import org.osgi.annotation.versioning.ProviderType;

/** The pod client: everything of {@link ResourceClient} plus the pod-only subresources. */
@ProviderType
public interface PodClient extends ResourceClient<Pod> {

  /**
   * Binds {@code pod} to {@code nodeName} ({@code POST pods/{name}/binding}), as the scheduler
   * does; the server sets {@code spec.nodeName} and the {@code PodScheduled} condition. The
   * binding carries the pod's UID, so a pod deleted and re-created under the same name is not
   * bound by mistake. Blocks for one round trip.
   *
   * @throws ClientStatusException 409 Conflict if the pod is already bound or being deleted,
   *                               404 if it does not exist
   */
  void bind(Pod pod, String nodeName);

  /**
   * Evicts a pod ({@code POST pods/{name}/eviction}): a delete that honours
   * PodDisruptionBudgets. Blocks for one round trip.
   *
   * @param options grace period, preconditions and propagation of the delete; null for defaults
   * @throws ClientStatusException 429 TooManyRequests ({@link ClientStatusException#isTooManyRequests()})
   *                               when a disruption budget forbids it now; 404 if absent
   */
  void evict(String namespace, String name, DeleteOptions options);
}
