package io.bosun.scheduler.spi;

import java.util.Objects;
import java.util.Set;

/**
 * A kind of change in the cluster, as upstream's {@code framework.ClusterEvent}: a resource and the
 * actions of interest. Immutable.
 *
 * @param resource the kind of object
 * @param actions  the actions (non-empty)
 */
public record ClusterEvent(EventResource resource, Set<ActionType> actions) {

  public ClusterEvent {
    Objects.requireNonNull(resource, "resource");
    actions = Set.copyOf(actions);
    if (actions.isEmpty()) {
      throw new IllegalArgumentException("a cluster event needs at least one action");
    }
  }

  /** {@code resource} with the given actions. */
  public static ClusterEvent of(EventResource resource, ActionType first, ActionType... more) {
    java.util.EnumSet<ActionType> s = java.util.EnumSet.of(first, more);
    return new ClusterEvent(resource, s);
  }

  /** Whether an event of {@code resource} with {@code action} is covered by this one. */
  public boolean matches(EventResource resource, ActionType action) {
    boolean kind = this.resource == EventResource.WILDCARD || this.resource == resource
        || (this.resource == EventResource.POD
            && (resource == EventResource.ASSIGNED_POD || resource == EventResource.UNSCHEDULED_POD));
    return kind && actions.contains(action);
  }
}
