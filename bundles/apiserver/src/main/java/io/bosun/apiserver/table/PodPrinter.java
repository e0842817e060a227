package io.bosun.apiserver.table;

import static io.bosun.apiserver.table.Nodes.at;
import static io.bosun.apiserver.table.Nodes.present;
import static io.bosun.apiserver.table.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Upstream's {@code printPod}: the Status column follows kubectl's reason logic step by step. */
final class PodPrinter {

  private PodPrinter() {
  }

  static Printer printer() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
        Column.of("Status", "string", "The aggregate status of the containers in this pod."),
        Column.of("Restarts", "string", "The number of times the containers in this pod have been restarted and "
            + "when the last container in this pod has restarted."),
        Column.ageColumn(),
        Column.wide("IP", "string", Descriptions.POD_IP),
        Column.wide("Node", "string", Descriptions.NODE_NAME),
        Column.wide("Nominated Node", "string", Descriptions.NOMINATED_NODE_NAME),
        Column.wide("Readiness Gates", "string", Descriptions.READINESS_GATES)),
        PodPrinter::row);
  }

  static Row row(JsonNode pod, Instant now) {
    JsonNode spec = pod.path("spec");
    JsonNode status = pod.path("status");
    Row row = new Row();

    int restarts = 0;
    int restartableInitContainerRestarts = 0;
    int totalContainers = Nodes.size(spec, "containers");
    int readyContainers = 0;
    Instant lastRestartDate = null;
    Instant lastRestartableInitContainerRestartDate = null;

    String podPhase = text(status, "phase");
    String reason = podPhase;
    if (!text(status, "reason").isEmpty()) {
      reason = text(status, "reason");
    }
    for (JsonNode condition : status.path("conditions")) {
      if (text(condition, "type").equals("PodScheduled") && text(condition, "reason").equals("SchedulingGated")) {
        reason = "SchedulingGated";
      }
    }

    switch (podPhase) {
      case "Succeeded" -> row.completed("Succeeded", "The pod has completed successfully.");
      case "Failed" -> row.completed("Failed", "The pod failed.");
      default -> { }
    }

    Map<String, JsonNode> initContainers = new HashMap<>();
    for (JsonNode c : spec.path("initContainers")) {
      initContainers.put(text(c, "name"), c);
      if (isRestartableInitContainer(c)) {
        totalContainers++;
      }
    }

    boolean initializing = false;
    JsonNode initStatuses = status.path("initContainerStatuses");
    for (int i = 0; i < initStatuses.size(); i++) {
      JsonNode container = initStatuses.get(i);
      int restartCount = (int) Nodes.integer(container, "restartCount");
      restarts += restartCount;
      Instant terminatedDate = lastTermination(container);
      lastRestartDate = later(lastRestartDate, terminatedDate);
      boolean restartable = isRestartableInitContainer(initContainers.get(text(container, "name")));
      if (restartable) {
        restartableInitContainerRestarts += restartCount;
        lastRestartableInitContainerRestartDate = later(lastRestartableInitContainerRestartDate, terminatedDate);
      }
      JsonNode terminated = at(container, "state", "terminated");
      JsonNode waiting = at(container, "state", "waiting");
      if (present(terminated) && Nodes.integer(terminated, "exitCode") == 0) {
        continue;
      } else if (restartable && Nodes.bool(container, "started")) {
        if (Nodes.bool(container, "ready")) {
          readyContainers++;
        }
        continue;
      } else if (present(terminated)) {
        // initialization failed
        if (text(terminated, "reason").isEmpty()) {
          reason = Nodes.integer(terminated, "signal") != 0
              ? "Init:Signal:" + Nodes.integer(terminated, "signal")
              : "Init:ExitCode:" + Nodes.integer(terminated, "exitCode");
        } else {
          reason = "Init:" + text(terminated, "reason");
        }
        initializing = true;
      } else if (present(waiting) && !text(waiting, "reason").isEmpty()
          && !text(waiting, "reason").equals("PodInitializing")) {
        reason = "Init:" + text(waiting, "reason");
        initializing = true;
      } else {
        reason = "Init:" + i + "/" + Nodes.size(spec, "initContainers");
        initializing = true;
      }
      break;
    }

    if (!initializing || isPodInitializedConditionTrue(status)) {
      restarts = restartableInitContainerRestarts;
      lastRestartDate = lastRestartableInitContainerRestartDate;
      boolean hasRunning = false;
      JsonNode statuses = status.path("containerStatuses");
      for (int i = statuses.size() - 1; i >= 0; i--) {
        JsonNode container = statuses.get(i);
        restarts += (int) Nodes.integer(container, "restartCount");
        lastRestartDate = later(lastRestartDate, lastTermination(container));
        JsonNode waiting = at(container, "state", "waiting");
        JsonNode terminated = at(container, "state", "terminated");
        if (present(waiting) && !text(waiting, "reason").isEmpty()) {
          reason = text(waiting, "reason");
        } else if (present(terminated) && !text(terminated, "reason").isEmpty()) {
          reason = text(terminated, "reason");
        } else if (present(terminated)) {
          reason = Nodes.integer(terminated, "signal") != 0
              ? "Signal:" + Nodes.integer(terminated, "signal")
              : "ExitCode:" + Nodes.integer(terminated, "exitCode");
        } else if (Nodes.bool(container, "ready") && present(at(container, "state", "running"))) {
          hasRunning = true;
          readyContainers++;
        }
      }
      // A pod whose last container completed while others still run is Running (or NotReady).
      if (reason.equals("Completed") && hasRunning) {
        reason = hasCondition(status, "Ready") ? "Running" : "NotReady";
      }
    }

    boolean deleting = present(at(pod, "metadata", "deletionTimestamp"));
    if (deleting && text(status, "reason").equals("NodeLost")) {
      reason = "Unknown";
    } else if (deleting && !podPhase.equals("Succeeded") && !podPhase.equals("Failed")) {
      reason = "Terminating";
    }

    String restartsStr = Integer.toString(restarts);
    if (restarts != 0 && lastRestartDate != null) {
      restartsStr = restarts + " (" + Formats.since(lastRestartDate, now) + " ago)";
    }

    row.add(text(pod, "metadata", "name"))
        .add(readyContainers + "/" + totalContainers)
        .add(reason)
        .add(restartsStr)
        .add(Formats.age(pod, now));

    // The internal type's PodIPs comes from podIP when that is set (v1 conversion).
    String podIP = text(status, "podIP");
    if (podIP.isEmpty()) {
      podIP = text(status.path("podIPs").path(0), "ip");
    }
    String nodeName = text(spec, "nodeName");
    String nominatedNodeName = text(status, "nominatedNodeName");
    String readinessGates = Formats.NONE;
    if (Nodes.size(spec, "readinessGates") > 0) {
      int trueConditions = 0;
      for (JsonNode gate : spec.path("readinessGates")) {
        String conditionType = text(gate, "conditionType");
        for (JsonNode condition : status.path("conditions")) {
          if (text(condition, "type").equals(conditionType)) {
            if (text(condition, "status").equals("True")) {
              trueConditions++;
            }
            break;
          }
        }
      }
      readinessGates = trueConditions + "/" + Nodes.size(spec, "readinessGates");
    }
    row.add(podIP.isEmpty() ? Formats.NONE : podIP)
        .add(nodeName.isEmpty() ? Formats.NONE : nodeName)
        .add(nominatedNodeName.isEmpty() ? Formats.NONE : nominatedNodeName)
        .add(readinessGates);
    return row;
  }

  /** A sidecar: an init container that keeps running ({@code restartPolicy: Always}). */
  private static boolean isRestartableInitContainer(JsonNode initContainer) {
    return initContainer != null && text(initContainer, "restartPolicy").equals("Always");
  }

  private static Instant lastTermination(JsonNode containerStatus) {
    JsonNode terminated = at(containerStatus, "lastState", "terminated");
    return present(terminated) ? Nodes.time(terminated, "finishedAt") : null;
  }

  /** Go's {@code if a.Before(b) { a = b }} with null as the zero time. */
  private static Instant later(Instant current, Instant candidate) {
    if (candidate == null) {
      return current;
    }
    return current == null || current.isBefore(candidate) ? candidate : current;
  }

  private static boolean hasCondition(JsonNode status, String type) {
    for (JsonNode condition : status.path("conditions")) {
      if (text(condition, "type").equals(type) && text(condition, "status").equals("True")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isPodInitializedConditionTrue(JsonNode status) {
    for (JsonNode condition : status.path("conditions")) {
      if (text(condition, "type").equals("Initialized")) {
        return text(condition, "status").equals("True");
      }
    }
    return false;
  }
}
