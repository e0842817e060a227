package io.bosun.scheduler.spi;

/**
 * The kinds of objects whose changes may make an unschedulable pod schedulable, as upstream's
 * {@code framework.EventResource}. The scheduler reports events for the kinds it watches (pods,
 * nodes; storage kinds once storage arrives); plugins may register for others ahead of time.
 */
public enum EventResource {
  /** Any pod; for a pod the scheduler tries to place, only its own updates are reported as {@link #UNSCHEDULED_POD}. */
  POD,
  /** A pod bound to a node (added, deleted, labels changed ...). */
  ASSIGNED_POD,
  /** The pod being scheduled itself (e.g. its scheduling gates or tolerations changed). */
  UNSCHEDULED_POD,
  NODE,
  PERSISTENT_VOLUME,
  PERSISTENT_VOLUME_CLAIM,
  STORAGE_CLASS,
  CSI_NODE,
  CSI_DRIVER,
  CSI_STORAGE_CAPACITY,
  VOLUME_ATTACHMENT,
  NAMESPACE,
  /** Every kind. */
  WILDCARD
}
