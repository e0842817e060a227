package io.bosun.scheduler.core;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeCondition;
import io.bosun.scheduler.spi.ActionType;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Classifies node updates as upstream's {@code nodeSchedulingPropertiesChange}; heartbeats are no change. */
final class NodeChanges {

  private NodeChanges() {
  }

  static Set<ActionType> of(Node o, Node n) {
    EnumSet<ActionType> out = EnumSet.noneOf(ActionType.class);
    if (!Objects.equals(o.getStatus() == null ? null : o.getStatus().getAllocatable(),
        n.getStatus() == null ? null : n.getStatus().getAllocatable())) {
      out.add(ActionType.UPDATE_NODE_ALLOCATABLE);
    }
    if (!Objects.equals(empty(o.getMetadata().getLabels()), empty(n.getMetadata().getLabels()))) {
      out.add(ActionType.UPDATE_NODE_LABEL);
    }
    boolean ou = o.getSpec() != null && Boolean.TRUE.equals(o.getSpec().getUnschedulable());
    boolean nu = n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable());
    if (ou != nu || !Objects.equals(list(o.getSpec() == null ? null : o.getSpec().getTaints()),
        list(n.getSpec() == null ? null : n.getSpec().getTaints()))) {
      out.add(ActionType.UPDATE_NODE_TAINT);
    }
    if (!conditions(o).equals(conditions(n))) {
      out.add(ActionType.UPDATE_NODE_CONDITION);
    }
    if (!Objects.equals(empty(o.getMetadata().getAnnotations()), empty(n.getMetadata().getAnnotations()))) {
      out.add(ActionType.UPDATE_NODE_ANNOTATION);
    }
    return out;
  }

  private static Map<String, String> conditions(Node n) {
    Map<String, String> m = new HashMap<>();
    if (n.getStatus() != null && n.getStatus().getConditions() != null) {
      for (NodeCondition c : n.getStatus().getConditions()) {
        m.put(c.getType(), c.getStatus());
      }
    }
    return m;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }

  private static Map<String, String> empty(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }
}
