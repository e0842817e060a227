package io.bosun.scheduler.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * No node fits the pod, as upstream's {@code framework.FitError}; {@link #getMessage()} is
 * upstream's message, e.g. {@code 0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had
 * untolerated taint {node-role: master}. preemption: ...}.
 */
final class FitError extends Exception {

  private static final long serialVersionUID = 1L;

  final int numAllNodes;
  final transient Diagnosis diagnosis;

  FitError(int numAllNodes, Diagnosis diagnosis) {
    super(null, null, false, false);
    this.numAllNodes = numAllNodes;
    this.diagnosis = diagnosis;
  }

  @Override
  public String getMessage() {
    return message(numAllNodes, diagnosis);
  }

  static String message(int numAllNodes, Diagnosis d) {
    StringBuilder msg = new StringBuilder("0/").append(numAllNodes).append(" nodes are available:");
    if (!d.preFilterMsg.isEmpty()) {
      msg.append(' ').append(d.preFilterMsg).append('.');
    } else {
      Map<String, Integer> reasons = new TreeMap<>();
      d.nodeToStatus.values().forEach(s -> s.reasons().forEach(r -> reasons.merge(r, 1, Integer::sum)));
      int absent = numAllNodes - d.nodeToStatus.size();
      if (absent > 0) {
        for (String r : d.absentNodesStatus.reasons()) {
          reasons.merge(r, absent, Integer::sum);
        }
      }
      List<String> parts = new ArrayList<>();
      reasons.forEach((r, n) -> parts.add(n + " " + r));
      Collections.sort(parts);
      if (!parts.isEmpty()) {
        msg.append(' ').append(String.join(", ", parts)).append('.');
      }
    }
    if (!d.postFilterMsg.isEmpty()) {
      msg.append(' ').append(d.postFilterMsg).append('.');
    }
    return msg.toString();
  }
}
