package io.bosun.scheduler.plugins.schedulinggates;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSchedulingGate;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.ClusterEvent;
import io.bosun.scheduler.spi.ClusterEventWithHint;
import io.bosun.scheduler.spi.EnqueueExtensions;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.spi.PreEnqueuePlugin;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Upstream's {@code SchedulingGates} PreEnqueue plugin: a pod with any {@code spec.schedulingGates}
 * stays out of the active queue ({@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE}, "waiting for
 * scheduling gates: [a b]") until an update removes all of them. Stateless; never blocks.
 */
public final class SchedulingGates implements PreEnqueuePlugin, EnqueueExtensions {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "SchedulingGates";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Status preEnqueue(Pod pod) {
    List<PodSchedulingGate> gates = pod.getSpec() == null ? null : pod.getSpec().getSchedulingGates();
    if (gates == null || gates.isEmpty()) {
      return null;
    }
    List<String> names = new ArrayList<>(gates.size());
    for (PodSchedulingGate g : gates) {
      names.add(g.getName());
    }
    // Go's %v of a []string: "[a b]".
    return Status.unresolvable("waiting for scheduling gates: [" + String.join(" ", names) + "]");
  }

  /** Only the removal of the pod's own gates can let it in. */
  @Override
  public List<ClusterEventWithHint> eventsToRegister() {
    return List.of(new ClusterEventWithHint(
        ClusterEvent.of(EventResource.POD, ActionType.UPDATE_POD_SCHEDULING_GATES_ELIMINATED),
        (pod, oldObj, newObj) -> newObj instanceof Pod p && p.getMetadata() != null && pod.getMetadata() != null
            && Objects.equals(p.getMetadata().getUid(), pod.getMetadata().getUid())
            ? QueueingHint.QUEUE : QueueingHint.SKIP));
  }
}
