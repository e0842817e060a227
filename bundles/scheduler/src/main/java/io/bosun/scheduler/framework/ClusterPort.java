package io.bosun.scheduler.framework;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.scheduler.spi.ObjectLister;

/**
 * Everything the scheduler writes to or reads from the cluster beyond its informers, in one narrow
 * interface: the API client behind it in production, a fake in tests. Thread-safe. The writes
 * block for their round trips and throw an unchecked exception on failure.
 */
public interface ClusterPort {

  /** {@code POST pods/{name}/binding}. */
  void bind(Pod pod, String nodeName);

  /**
   * Writes the pod's {@code status}: sets {@code condition} (replacing one of its type) unless null,
   * and {@code status.nominatedNodeName} to {@code nominatedNodeName} when {@code setNominated}
   * (null clears it). Skips the write if nothing would change; gives up silently if the pod is
   * gone or already bound (a stale failure must not overwrite a success).
   */
  void updatePodStatus(Pod pod, PodCondition condition, boolean setNominated, String nominatedNodeName);

  /** Adds {@code condition} to the victim's status (best effort), then deletes it with its UID as precondition; a missing pod is success. */
  void deletePod(Pod victim, PodCondition condition);

  /** Records an event; asynchronous, best effort, never throws. */
  void recordEvent(KubernetesObject regarding, String type, String reason, String action, String message);

  /** A lister of {@code type} from the scheduler's informers (started on first use). */
  <T extends KubernetesObject> ObjectLister<T> lister(Class<T> type);
}
