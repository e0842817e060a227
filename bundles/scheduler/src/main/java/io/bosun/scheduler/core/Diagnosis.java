package io.bosun.scheduler.core;

import io.bosun.scheduler.spi.NodeToStatus;
import io.bosun.scheduler.spi.Status;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Why a pod fits nowhere, as upstream's {@code framework.Diagnosis}. Used by the scheduling thread only. */
final class Diagnosis {

  final Map<String, Status> nodeToStatus = new HashMap<>();
  Status absentNodesStatus = Status.unresolvable();
  final Set<String> unschedulablePlugins = new LinkedHashSet<>();
  String preFilterMsg = "";
  String postFilterMsg = "";

  void put(String node, Status s) {
    nodeToStatus.put(node, s);
    if (s.plugin() != null) {
      unschedulablePlugins.add(s.plugin());
    }
  }

  NodeToStatus toNodeToStatus() {
    return new NodeToStatus(nodeToStatus, absentNodesStatus);
  }
}
