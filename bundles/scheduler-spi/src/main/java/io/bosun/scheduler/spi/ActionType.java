package io.bosun.scheduler.spi;

import java.util.EnumSet;
import java.util.Set;

/**
 * What happened to an object, as upstream's {@code framework.ActionType}, with update events split
 * by the part of the object that changed so plugins can ignore irrelevant ones.
 */
public enum ActionType {
  ADD,
  DELETE,
  /** A node's allocatable resources changed. */
  UPDATE_NODE_ALLOCATABLE,
  UPDATE_NODE_LABEL,
  /** A node's taints or its {@code spec.unschedulable} changed. */
  UPDATE_NODE_TAINT,
  UPDATE_NODE_CONDITION,
  UPDATE_NODE_ANNOTATION,
  UPDATE_POD_LABEL,
  /** A pod's resource requests went down. */
  UPDATE_POD_SCALE_DOWN,
  UPDATE_POD_TOLERATIONS,
  UPDATE_POD_SCHEDULING_GATES_ELIMINATED,
  /** Any other update. */
  UPDATE_OTHER;

  /** Every update. */
  public static final Set<ActionType> UPDATE = Set.copyOf(EnumSet.range(UPDATE_NODE_ALLOCATABLE, UPDATE_OTHER));
  /** Everything. */
  public static final Set<ActionType> ALL = Set.copyOf(EnumSet.allOf(ActionType.class));
}
