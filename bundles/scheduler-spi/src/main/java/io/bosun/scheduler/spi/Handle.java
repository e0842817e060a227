package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.meta.v1.KubernetesObject;
import java.util.Collection;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the framework gives a plugin, as the part of upstream's {@code framework.Handle} plugins
 * need: the cycle's snapshot, read-only listers, a worker pool, the profile's own plugin runners
 * (for preemption's "what if" evaluations) and a few <b>narrow cluster actions</b> instead of a
 * whole API client, so plugins depend on this SPI and the API model only.
 *
 * <p>One handle per profile instance; implemented by the framework; thread-safe. The actions that
 * talk to the API server block for one round trip and report failures as an
 * {@link Status.Code#ERROR} status, never by throwing; the rest never block.
 */
@ProviderType
public interface Handle {

  /** The profile's scheduler name ({@code spec.schedulerName} of its pods). */
  String profileName();

  /** The snapshot of the current scheduling cycle (valid during that cycle only). */
  SharedLister snapshotLister();

  /** The worker pool for per-node work in PreFilter / PreScore / PostFilter. */
  Parallelizer parallelizer();

  /**
   * A read-only cache of {@code type} (e.g. {@code Namespace.class},
   * {@code PodDisruptionBudget.class}). The first call for a kind starts watching it; until its
   * initial list arrives the lister is empty ({@link ObjectLister#hasSynced()} false).
   *
   * @throws IllegalArgumentException if {@code type} is not a served kind
   */
  <T extends KubernetesObject> ObjectLister<T> lister(Class<T> type);

  /**
   * Pods nominated to run on {@code nodeName} (by preemption) but not bound yet, highest priority
   * first; unmodifiable.
   */
  List<PodInfo> nominatedPodsForNode(String nodeName);

  /**
   * Runs this profile's Filter plugins for {@code pod} on {@code nodeInfo}, first with the nominated
   * pods of equal or higher priority added, as upstream's {@code RunFilterPluginsWithNominatedPods}.
   * Thread-safe; does not block. Returns the first non-success status, attributed to its plugin.
   */
  Status runFilterPluginsWithNominatedPods(CycleState state, Pod pod, NodeInfo nodeInfo);

  /** Runs every PreFilter plugin's {@link PreFilterExtensions#addPod}; stops at the first failure. */
  Status runPreFilterExtensionAddPod(CycleState state, Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo);

  /** Runs every PreFilter plugin's {@link PreFilterExtensions#removePod}; stops at the first failure. */
  Status runPreFilterExtensionRemovePod(CycleState state, Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo);

  /** Pods whose binding waits for Permit plugins (a snapshot list). */
  List<WaitingPod> waitingPods();

  /** The waiting pod with {@code uid}, or null. */
  WaitingPod waitingPod(String uid);

  /**
   * Binds {@code pod} to {@code nodeName} through the {@code pods/{name}/binding} subresource (with
   * the pod's UID as precondition). Blocks for one round trip.
   *
   * @return success, or an error status (e.g. the pod was already bound or deleted)
   */
  Status bind(Pod pod, String nodeName);

  /**
   * Deletes {@code victim} to make room (preemption), as upstream does: a pod waiting on Permit is
   * rejected instead; otherwise the victim gets a {@code DisruptionTarget} condition (reason
   * {@code PreemptionByScheduler}), is deleted with its UID as precondition, and a {@code Preempted}
   * event carrying {@code message} is recorded. Blocks for up to three round trips.
   *
   * @return success (also when the victim is already gone), or an error status
   */
  Status deletePod(Pod victim, String message);

  /**
   * Sets {@code status.nominatedNodeName} of {@code pod} ({@code null} clears it) and updates the
   * framework's nominations. Blocks for one round trip.
   */
  Status setNominatedNodeName(Pod pod, String nodeName);

  /**
   * Records an event about {@code regarding} (reporting controller: the scheduler). Asynchronous and
   * best effort: never blocks, never fails; similar events are aggregated.
   */
  void recordEvent(KubernetesObject regarding, EventType type, String reason, String message);

  /**
   * Moves these pods, if they wait among the unschedulable or backoff pods, to the active queue
   * (upstream's {@code Activate}). Never blocks.
   */
  void activate(Collection<Pod> pods);
}
