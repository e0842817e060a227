package io.bosun.scheduler.queue;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSchedulingGate;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.Resource;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Classifies pod updates into {@link ActionType}s as upstream's {@code podSchedulingPropertiesChange}.
 * Status-only changes (the scheduler's own condition writes among them) are no change at all, so
 * they never requeue a pod.
 */
public final class PodChanges {

  private PodChanges() {
  }

  /** The actions {@code oldPod → newPod} amounts to; empty if nothing the scheduler cares about changed. */
  public static Set<ActionType> of(Pod oldPod, Pod newPod) {
    EnumSet<ActionType> out = EnumSet.noneOf(ActionType.class);
    if (oldPod == null || newPod == null) {
      return out;
    }
    Map<String, String> ol = oldPod.getMetadata() == null ? null : oldPod.getMetadata().getLabels();
    Map<String, String> nl = newPod.getMetadata() == null ? null : newPod.getMetadata().getLabels();
    if (!Objects.equals(empty(ol), empty(nl))) {
      out.add(ActionType.UPDATE_POD_LABEL);
    }
    PodSpec os = oldPod.getSpec() == null ? new PodSpec() : oldPod.getSpec();
    PodSpec ns = newPod.getSpec() == null ? new PodSpec() : newPod.getSpec();
    if (!Objects.equals(list(os.getTolerations()), list(ns.getTolerations()))) {
      out.add(ActionType.UPDATE_POD_TOLERATIONS);
    }
    List<PodSchedulingGate> og = list(os.getSchedulingGates());
    List<PodSchedulingGate> ng = list(ns.getSchedulingGates());
    if (!og.isEmpty() && ng.isEmpty()) {
      out.add(ActionType.UPDATE_POD_SCHEDULING_GATES_ELIMINATED);
    }
    Resource or = PodInfo.of(oldPod).requests();
    Resource nr = PodInfo.of(newPod).requests();
    if (nr.milliCpu() < or.milliCpu() || nr.memory() < or.memory() || nr.ephemeralStorage() < or.ephemeralStorage()) {
      out.add(ActionType.UPDATE_POD_SCALE_DOWN);
    }
    if (out.isEmpty() && !Objects.equals(os, ns)) {
      out.add(ActionType.UPDATE_OTHER);
    }
    if (out.isEmpty() && oldPod.getMetadata() != null && newPod.getMetadata() != null
        && !Objects.equals(empty(oldPod.getMetadata().getAnnotations()), empty(newPod.getMetadata().getAnnotations()))) {
      out.add(ActionType.UPDATE_OTHER);
    }
    return out;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }

  private static Map<String, String> empty(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }
}
