package io.bosun.kubelet;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.core.v1.PodStatus;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientStatusException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes pod statuses through the status subresource, as upstream's status manager: only when
 * they changed, with the pod's resourceVersion, and on a conflict again over the latest pod,
 * keeping the conditions others own (PodScheduled, DisruptionTarget, readiness gates).
 */
final class StatusWriter {

  private static final int ATTEMPTS = 5;

  private final ApiClient client;

  StatusWriter(ApiClient client) {
    this.client = client;
  }

  /**
   * Writes {@code status} to {@code target} (the API pod, or a static pod's mirror) unless it is
   * what was last written. Transport failures propagate (the sync is retried).
   *
   * @return the pod as stored after the write, or empty if nothing was written (unchanged, or the pod is gone)
   */
  Optional<Pod> write(PodState st, Pod target, PodStatus status) {
    if (status.equals(st.lastWritten) && target.getMetadata().getResourceVersion().equals(st.lastWrittenTo)) {
      return Optional.empty();
    }
    if (status.equals(target.getStatus())) {
      st.lastWritten = status;
      st.lastWrittenTo = target.getMetadata().getResourceVersion();
      return Optional.empty();
    }
    Pod current = target;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Pod next = current.deepCopy();
      next.setStatus(merge(status, current.getStatus()));
      try {
        Pod stored = client.pods().updateStatus(next);
        st.lastWritten = status;
        st.lastWrittenTo = stored.getMetadata().getResourceVersion();
        return Optional.of(stored);
      } catch (ClientStatusException e) {
        if (e.isNotFound()) {
          return Optional.empty();
        }
        if (!e.isConflict()) {
          throw e;
        }
        Optional<Pod> fresh = client.pods().get(target.getMetadata().getNamespace(), target.getMetadata().getName());
        if (fresh.isEmpty() || !fresh.get().getMetadata().getUid().equals(target.getMetadata().getUid())) {
          return Optional.empty();
        }
        current = fresh.get();
      }
    }
    return Optional.empty();
  }

  /**
   * Ours, with the conditions others own taken from the stored status (in our order, the stored
   * ones we do not know at the end); a condition of another type that we add (DisruptionTarget on
   * eviction) is kept unless the stored status has its own.
   */
  private static PodStatus merge(PodStatus ours, PodStatus stored) {
    PodStatus s = ours.deepCopy();
    java.util.Map<String, PodCondition> others = new java.util.LinkedHashMap<>();
    if (stored != null && stored.getConditions() != null) {
      for (PodCondition c : stored.getConditions()) {
        if (!PodStatusBuilder.OWNED.contains(c.getType())) {
          others.put(c.getType(), c);
        }
      }
    }
    List<PodCondition> conditions = new ArrayList<>();
    if (ours.getConditions() != null) {
      for (PodCondition c : ours.getConditions()) {
        PodCondition theirs = PodStatusBuilder.OWNED.contains(c.getType()) ? null : others.remove(c.getType());
        conditions.add(theirs != null ? theirs : c);
      }
    }
    conditions.addAll(others.values());
    s.setConditions(conditions);
    if (stored != null && s.getQosClass() == null) {
      s.setQosClass(stored.getQosClass());
    }
    return s;
  }
}
