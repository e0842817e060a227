package io.bosun.scheduler.queue;

import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.QueuedPodInfo;
import java.time.Instant;
import java.util.Set;

/**
 * A pod in the {@link SchedulingQueue}, as upstream's {@code QueuedPodInfo}. Its fields are
 * guarded by the queue's lock; the getters may be read by the scheduling thread while it owns the
 * pod (popped, in flight).
 */
public final class QueuedPod implements QueuedPodInfo {

  /** Where the pod is. */
  public enum State {
    /** Waiting in the active queue. */
    ACTIVE,
    /** Waiting for its backoff to expire. */
    BACKOFF,
    /** Parked until a cluster event (or the periodic flush) may help; also gated pods. */
    UNSCHEDULABLE,
    /** Popped: its scheduling cycle runs. */
    IN_FLIGHT,
    /** Assumed on a node; its binding cycle runs. */
    ASSUMED
  }

  volatile PodInfo podInfo;
  Instant timestamp;
  final Instant initialAttemptTimestamp;
  volatile int attempts;
  volatile Set<String> unschedulablePlugins = Set.of();
  Set<String> pendingPlugins = Set.of();
  final long seq;
  State state;
  boolean gated;
  Instant unschedulableSince;
  boolean deleted;
  boolean updatedInFlight;
  long eventSeqAtPop;

  QueuedPod(PodInfo podInfo, Instant now, long seq) {
    this.podInfo = podInfo;
    this.timestamp = now;
    this.initialAttemptTimestamp = now;
    this.seq = seq;
  }

  @Override
  public PodInfo podInfo() {
    return podInfo;
  }

  @Override
  public Instant timestamp() {
    return timestamp;
  }

  @Override
  public Instant initialAttemptTimestamp() {
    return initialAttemptTimestamp;
  }

  @Override
  public int attempts() {
    return attempts;
  }

  @Override
  public Set<String> unschedulablePlugins() {
    return unschedulablePlugins;
  }

  /** The pod's UID. */
  public String uid() {
    return podInfo.uid();
  }

  @Override
  public String toString() {
    return "QueuedPod{" + podInfo.key() + ", " + state + ", attempts=" + attempts + "}";
  }
}
