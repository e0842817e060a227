package io.bosun.scheduler.spi;

import java.util.Map;
import java.util.Objects;

/**
 * Why each node was rejected in a cycle, as upstream's {@code NodeToStatusReader}: an explicit
 * status per filtered node, and one status for every node not evaluated because PreFilter narrowed
 * the candidates ({@link #absentNodesStatus()}, {@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE}
 * in that case). Immutable.
 */
public final class NodeToStatus {

  private final Map<String, Status> statuses;
  private final Status absent;

  /**
   * @param statuses the status of every node that failed a filter; copied
   * @param absent   the status of nodes not in {@code statuses}
   */
  public NodeToStatus(Map<String, Status> statuses, Status absent) {
    this.statuses = Map.copyOf(statuses);
    this.absent = Objects.requireNonNull(absent, "absent");
  }

  /** The status of {@code nodeName}: its own, or {@link #absentNodesStatus()}. */
  public Status get(String nodeName) {
    Status s = statuses.get(nodeName);
    return s == null ? absent : s;
  }

  /** The status of every node evaluated and rejected. */
  public Map<String, Status> statuses() {
    return statuses;
  }

  /** The status of nodes not evaluated. */
  public Status absentNodesStatus() {
    return absent;
  }
}
