package io.bosun.kubelet;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerState;
import io.bosun.api.core.v1.ContainerStateRunning;
import io.bosun.api.core.v1.ContainerStateTerminated;
import io.bosun.api.core.v1.ContainerStateWaiting;
import io.bosun.api.core.v1.ContainerStatus;
import io.bosun.api.core.v1.HostIP;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.core.v1.PodIP;
import io.bosun.api.core.v1.PodReadinessGate;
import io.bosun.api.core.v1.PodStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Computes a pod's status from what runs, as upstream's {@code generateAPIPodStatus} and
 * {@code getPhase} do. A pure function of its inputs (no I/O), so phases, conditions and
 * container states are unit-testable.
 */
final class PodStatusBuilder {

  /** Conditions the kubelet owns; others (PodScheduled, DisruptionTarget, readiness gates ...) are kept as they are. */
  static final Set<String> OWNED = Set.of("PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready");

  /**
   * One container as the status sees it.
   *
   * @param spec     its spec
   * @param latest   its newest runtime container; null if none was ever created
   * @param previous the newest exited runtime container before {@code latest}; null if none
   * @param waiting  why it waits (kubelet-side: back-off, pull and config errors); null if not waiting
   * @param ready    its readiness (running, started, readiness probe passed)
   * @param started  whether its startup probe passed (or it has none) while running
   * @param runtime  the runtime's name, for container IDs ({@code process://<id>})
   */
  record ContainerView(Container spec, io.bosun.runtime.spi.ContainerStatus latest,
      io.bosun.runtime.spi.ContainerStatus previous, PodState.Waiting waiting, boolean ready, boolean started,
      String runtime) {

    boolean running() {
      return latest != null && latest.state() == io.bosun.runtime.spi.ContainerState.RUNNING;
    }

    boolean exited() {
      return latest != null && latest.state() == io.bosun.runtime.spi.ContainerState.EXITED;
    }

    boolean succeeded() {
      return exited() && latest.exitCode() == 0;
    }

    boolean sidecar() {
      return "Always".equals(spec.getRestartPolicy());
    }
  }

  /**
   * The pod-level facts.
   *
   * @param sandboxReady  the pod's sandbox is ready (networking set up)
   * @param podIPs        the pod's IPs
   * @param hostIP        the node's IP
   * @param startTime     when the kubelet accepted the pod
   * @param terminal      a kubelet-decided end: {reason, message} (Evicted, DeadlineExceeded ...); null if none
   * @param terminating   the pod is being torn down (deleted, evicted): phases settle as terminal
   * @param now           the time of this status
   */
  record PodFacts(boolean sandboxReady, List<String> podIPs, String hostIP, Instant startTime, String[] terminal,
      boolean terminating, Instant now) {}

  private PodStatusBuilder() {
  }

  static PodStatus build(Pod pod, PodStatus previous, List<ContainerView> inits, List<ContainerView> containers,
      PodFacts facts) {
    Instant now = seconds(facts.now());
    String restartPolicy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
    boolean initDone = initDone(inits);
    boolean initFailed = initFailed(inits, restartPolicy);
    PodStatus s = new PodStatus();
    s.setPhase(facts.terminal() != null ? "Failed" : phase(restartPolicy, initDone, initFailed, containers,
        facts.terminating()));
    if (facts.terminal() != null) {
      s.setReason(facts.terminal()[0]);
      s.setMessage(facts.terminal()[1]);
    }
    if (!facts.podIPs().isEmpty()) {
      s.setPodIP(facts.podIPs().get(0));
      s.setPodIPs(facts.podIPs().stream().map(ip -> new PodIP().withIp(ip)).toList());
    }
    if (facts.hostIP() != null && !facts.hostIP().isEmpty()) {
      s.setHostIP(facts.hostIP());
      s.setHostIPs(List.of(new HostIP().withIp(facts.hostIP())));
    }
    s.setStartTime(seconds(facts.startTime()));
    s.setQosClass(previous == null ? null : previous.getQosClass());
    if (previous != null) {
      s.setNominatedNodeName(previous.getNominatedNodeName());
      s.setResourceClaimStatuses(previous.getResourceClaimStatuses());
    }
    boolean podInitializing = !initDone;
    List<ContainerStatus> initStatuses = new ArrayList<>();
    for (ContainerView v : inits) {
      initStatuses.add(containerStatus(v, false));
    }
    List<ContainerStatus> statuses = new ArrayList<>();
    for (ContainerView v : containers) {
      statuses.add(containerStatus(v, podInitializing));
    }
    s.setInitContainerStatuses(initStatuses.isEmpty() ? null : initStatuses);
    s.setContainerStatuses(statuses);

    // conditions
    boolean succeeded = "Succeeded".equals(s.getPhase());
    boolean terminalPhase = succeeded || "Failed".equals(s.getPhase());
    List<String> notReady = new ArrayList<>();
    for (ContainerView v : containers) {
      if (!v.ready()) {
        notReady.add(v.spec().getName());
      }
    }
    for (ContainerView v : inits) {
      if (v.sidecar() && !v.ready()) {
        notReady.add(v.spec().getName());
      }
    }
    List<String> incompleteInits = new ArrayList<>();
    for (ContainerView v : inits) {
      if (!(v.succeeded() || (v.sidecar() && v.running() && v.started()))) {
        incompleteInits.add(v.spec().getName());
      }
    }
    List<PodCondition> conditions = new ArrayList<>();
    List<PodCondition> old = previous == null || previous.getConditions() == null ? List.of() : previous.getConditions();
    for (PodCondition c : old) {
      if (!OWNED.contains(c.getType())) {
        conditions.add(c);
      }
    }
    boolean sandboxReady = facts.sandboxReady() && !facts.terminating() && !terminalPhase;
    conditions.add(condition(old, "PodReadyToStartContainers", sandboxReady, null, null, now));
    conditions.add(condition(old, "Initialized", initDone, initDone ? null : "ContainersNotInitialized",
        initDone ? null : "containers with incomplete status: " + goList(incompleteInits), now));
    boolean containersReady = notReady.isEmpty() && !terminalPhase;
    String reason = succeeded ? "PodCompleted" : "ContainersNotReady";
    String message = succeeded ? null : "containers with unready status: " + goList(notReady);
    conditions.add(condition(old, "ContainersReady", containersReady, containersReady ? null : reason,
        containersReady ? null : message, now));
    boolean ready = containersReady;
    String readyReason = reason;
    String readyMessage = message;
    if (ready && pod.getSpec().getReadinessGates() != null) {
      List<String> gates = new ArrayList<>();
      for (PodReadinessGate g : pod.getSpec().getReadinessGates()) {
        boolean ok = old.stream().anyMatch(c -> c.getType().equals(g.getConditionType())
            && "True".equals(c.getStatus()));
        if (!ok) {
          gates.add(g.getConditionType());
        }
      }
      if (!gates.isEmpty()) {
        ready = false;
        readyReason = "ReadinessGatesNotReady";
        readyMessage = "corresponding condition of pod readiness gate \"" + gates.get(0) + "\" does not exist.";
      }
    }
    conditions.add(condition(old, "Ready", ready, ready ? null : readyReason, ready ? null : readyMessage, now));
    if (facts.terminal() != null && "Evicted".equals(facts.terminal()[0])
        && conditions.stream().noneMatch(c -> c.getType().equals("DisruptionTarget"))) {
      conditions.add(condition(old, "DisruptionTarget", true, "TerminationByKubelet", facts.terminal()[1], now));
    }
    s.setConditions(order(conditions));
    return s;
  }

  /** Upstream's order: PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled, then others. */
  private static List<PodCondition> order(List<PodCondition> conditions) {
    List<String> rank = List.of("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled");
    List<PodCondition> out = new ArrayList<>(conditions);
    out.sort(java.util.Comparator.comparingInt(c -> {
      int i = rank.indexOf(c.getType());
      return i < 0 ? rank.size() : i;
    }));
    return out;
  }

  private static PodCondition condition(List<PodCondition> old, String type, boolean status, String reason,
      String message, Instant now) {
    String value = status ? "True" : "False";
    Instant transition = now;
    for (PodCondition c : old) {
      if (c.getType().equals(type) && value.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
        transition = c.getLastTransitionTime();
      }
    }
    return new PodCondition().withType(type).withStatus(value).withReason(reason).withMessage(message)
        .withLastTransitionTime(transition);
  }

  /** Go's %v of a string slice: [a b]. */
  private static String goList(List<String> names) {
    return "[" + String.join(" ", names) + "]";
  }

  static boolean initDone(List<ContainerView> inits) {
    for (ContainerView v : inits) {
      if (v.sidecar()) {
        // A sidecar counts once it runs and has started; its later restarts do not undo initialization.
        boolean ranBefore = v.latest() != null && (v.latest().attempt() > 0 || v.previous() != null);
        if (!(v.running() && v.started()) && !ranBefore) {
          return false;
        }
      } else if (!v.succeeded()) {
        return false;
      }
    }
    return true;
  }

  private static boolean initFailed(List<ContainerView> inits, String restartPolicy) {
    if (!"Never".equals(restartPolicy)) {
      return false;
    }
    for (ContainerView v : inits) {
      if (!v.sidecar() && v.exited() && v.latest().exitCode() != 0) {
        return true;
      }
    }
    return false;
  }

  /** Upstream's {@code getPhase}. */
  static String phase(String restartPolicy, boolean initDone, boolean initFailed, List<ContainerView> containers,
      boolean terminating) {
    if (initFailed) {
      return "Failed";
    }
    if (!initDone) {
      return "Pending";
    }
    int running = 0;
    int waiting = 0;
    int stopped = 0;
    int succeeded = 0;
    for (ContainerView v : containers) {
      if (v.running()) {
        running++;
      } else if (v.exited()) {
        stopped++; // also when waiting to restart: upstream counts a waiting state with a lastState as stopped
        if (v.latest().exitCode() == 0) {
          succeeded++;
        }
      } else {
        waiting++;
      }
    }
    if (waiting > 0 && !terminating) {
      return "Pending";
    }
    if (running > 0 && !terminating) {
      return "Running";
    }
    if (stopped > 0 || terminating) {
      if ("Always".equals(restartPolicy) && !terminating) {
        return "Running";
      }
      if (stopped == succeeded && waiting == 0 && running == 0) {
        return "Succeeded";
      }
      if ("Never".equals(restartPolicy) || terminating) {
        return "Failed";
      }
      return "Running";
    }
    return "Pending";
  }

  static ContainerStatus containerStatus(ContainerView v, boolean podInitializing) {
    Container spec = v.spec();
    ContainerStatus s = new ContainerStatus().withName(spec.getName()).withImage(spec.getImage())
        .withImageID(v.latest() == null ? "" : v.latest().imageRef())
        .withRestartCount(v.latest() == null ? 0 : v.latest().attempt())
        .withReady(v.ready());
    if (v.latest() != null) {
      s.setContainerID(v.runtime() + "://" + v.latest().id());
    }
    ContainerState state = new ContainerState();
    ContainerState last = new ContainerState();
    io.bosun.runtime.spi.ContainerStatus latest = v.latest();
    if (v.running()) {
      state.setRunning(new ContainerStateRunning().withStartedAt(seconds(latest.startedAt())));
      s.setStarted(v.started());
      if (v.previous() != null) {
        last.setTerminated(terminated(v.previous(), v.runtime()));
      }
    } else if (v.waiting() != null) {
      state.setWaiting(new ContainerStateWaiting().withReason(v.waiting().reason())
          .withMessage(v.waiting().message() == null || v.waiting().message().isEmpty() ? null : v.waiting().message()));
      s.setStarted(false);
      if (v.exited()) {
        last.setTerminated(terminated(latest, v.runtime()));
      } else if (v.previous() != null) {
        last.setTerminated(terminated(v.previous(), v.runtime()));
      }
    } else if (v.exited()) {
      state.setTerminated(terminated(latest, v.runtime()));
      s.setStarted(false);
      if (v.previous() != null) {
        last.setTerminated(terminated(v.previous(), v.runtime()));
      }
    } else {
      state.setWaiting(new ContainerStateWaiting().withReason(podInitializing ? "PodInitializing" : "ContainerCreating"));
      s.setStarted(false);
      if (v.previous() != null) {
        last.setTerminated(terminated(v.previous(), v.runtime()));
      }
    }
    s.setState(state);
    s.setLastState(last);
    return s;
  }

  private static ContainerStateTerminated terminated(io.bosun.runtime.spi.ContainerStatus c, String runtime) {
    String reason = c.reason().isEmpty() ? io.bosun.runtime.spi.ContainerStatus.exitReason(c.exitCode()) : c.reason();
    return new ContainerStateTerminated().withExitCode(c.exitCode()).withReason(reason)
        .withMessage(c.message().isEmpty() ? null : c.message())
        .withStartedAt(seconds(c.startedAt() != null ? c.startedAt() : c.createdAt()))
        .withFinishedAt(seconds(c.finishedAt() != null ? c.finishedAt() : c.createdAt()))
        .withContainerID(runtime + "://" + c.id());
  }

  /** API times have seconds precision: statuses compare equal after a round trip only if built that way. */
  static Instant seconds(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS);
  }
}
