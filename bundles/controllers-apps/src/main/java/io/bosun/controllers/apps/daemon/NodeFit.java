package io.bosun.controllers.apps.daemon;

import io.bosun.api.core.v1.Affinity;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeAffinity;
import io.bosun.api.core.v1.NodeSelector;
import io.bosun.api.core.v1.NodeSelectorRequirement;
import io.bosun.api.core.v1.NodeSelectorTerm;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.Taint;
import io.bosun.api.core.v1.Toleration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which nodes a daemon pod fits, as the scheduler predicates upstream's DaemonSet controller
 * runs: node name, node selector and required node affinity, and taints against tolerations;
 * plus the tolerations every daemon pod gets and the node affinity that pins it to its node.
 */
final class NodeFit {

  static final String NOT_READY = "node.kubernetes.io/not-ready";
  static final String UNREACHABLE = "node.kubernetes.io/unreachable";
  static final String DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
  static final String MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
  static final String PID_PRESSURE = "node.kubernetes.io/pid-pressure";
  static final String UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
  static final String NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";

  private NodeFit() {
  }

  /** Whether a daemon pod should run there, and whether a running one may stay (NoExecute tolerated). */
  record Decision(boolean shouldRun, boolean shouldContinueRunning) {}

  /** Upstream's NodeShouldRunDaemonPod; {@code spec} is the template spec with daemon tolerations added. */
  static Decision shouldRun(Node node, PodSpec spec) {
    String nodeName = node.getMetadata().getName();
    if (spec.getNodeName() != null && !spec.getNodeName().isEmpty() && !spec.getNodeName().equals(nodeName)) {
      return new Decision(false, false);
    }
    if (!matchesNodeSelectorAndAffinity(spec, node)) {
      return new Decision(false, false);
    }
    List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
    List<Toleration> tolerations = spec.getTolerations() == null ? List.of() : spec.getTolerations();
    boolean fitsTaints = untolerated(taints, tolerations,
        t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect())) == null;
    if (!fitsTaints) {
      boolean noExecuteUntolerated = untolerated(taints, tolerations, t -> "NoExecute".equals(t.getEffect())) != null;
      return new Decision(false, !noExecuteUntolerated);
    }
    return new Decision(true, true);
  }

  /** The first taint passing {@code filter} that no toleration tolerates; null if none. */
  static Taint untolerated(List<Taint> taints, List<Toleration> tolerations, Predicate<Taint> filter) {
    for (Taint t : taints) {
      if (filter.test(t) && tolerations.stream().noneMatch(tol -> tolerates(tol, t))) {
        return t;
      }
    }
    return null;
  }

  /** Upstream's Toleration.ToleratesTaint. */
  static boolean tolerates(Toleration tol, Taint taint) {
    if (tol.getEffect() != null && !tol.getEffect().isEmpty() && !tol.getEffect().equals(taint.getEffect())) {
      return false;
    }
    if (tol.getKey() != null && !tol.getKey().isEmpty() && !tol.getKey().equals(taint.getKey())) {
      return false;
    }
    String op = tol.getOperator() == null || tol.getOperator().isEmpty() ? "Equal" : tol.getOperator();
    return switch (op) {
      case "Exists" -> true;
      case "Equal" -> Objects.equals(nz(tol.getValue()), nz(taint.getValue()));
      default -> false;
    };
  }

  /** The node selector and required node affinity (any term; a term needs all its requirements). */
  static boolean matchesNodeSelectorAndAffinity(PodSpec spec, Node node) {
    Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    if (spec.getNodeSelector() != null) {
      for (var e : spec.getNodeSelector().entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    Affinity a = spec.getAffinity();
    NodeSelector required = a == null || a.getNodeAffinity() == null ? null
        : a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    if (required == null) {
      return true;
    }
    List<NodeSelectorTerm> terms = required.getNodeSelectorTerms() == null ? List.of() : required.getNodeSelectorTerms();
    for (NodeSelectorTerm term : terms) {
      if (termMatches(term, labels, node.getMetadata().getName())) {
        return true;
      }
    }
    return false;
  }

  private static boolean termMatches(NodeSelectorTerm term, Map<String, String> labels, String nodeName) {
    boolean any = false;
    if (term.getMatchExpressions() != null) {
      for (NodeSelectorRequirement r : term.getMatchExpressions()) {
        any = true;
        if (!requirementMatches(r, labels.get(r.getKey()), labels.containsKey(r.getKey()))) {
          return false;
        }
      }
    }
    if (term.getMatchFields() != null) {
      for (NodeSelectorRequirement r : term.getMatchFields()) {
        any = true;
        if (!"metadata.name".equals(r.getKey()) || !requirementMatches(r, nodeName, true)) {
          return false;
        }
      }
    }
    // An empty term matches nothing, as upstream.
    return any;
  }

  private static boolean requirementMatches(NodeSelectorRequirement r, String value, boolean present) {
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    try {
      return switch (r.getOperator() == null ? "" : r.getOperator()) {
        case "In" -> present && values.contains(value);
        case "NotIn" -> !present || !values.contains(value);
        case "Exists" -> present;
        case "DoesNotExist" -> !present;
        case "Gt" -> present && values.size() == 1 && Long.parseLong(value) > Long.parseLong(values.get(0));
        case "Lt" -> present && values.size() == 1 && Long.parseLong(value) < Long.parseLong(values.get(0));
        default -> false;
      };
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Upstream's AddOrUpdateDaemonPodTolerations: daemon pods survive node problems and pressure. */
  static void addDaemonTolerations(PodSpec spec) {
    List<Toleration> list = spec.getTolerations() == null ? new ArrayList<>() : new ArrayList<>(spec.getTolerations());
    addOrUpdate(list, new Toleration().withKey(NOT_READY).withOperator("Exists").withEffect("NoExecute"));
    addOrUpdate(list, new Toleration().withKey(UNREACHABLE).withOperator("Exists").withEffect("NoExecute"));
    addOrUpdate(list, new Toleration().withKey(DISK_PRESSURE).withOperator("Exists").withEffect("NoSchedule"));
    addOrUpdate(list, new Toleration().withKey(MEMORY_PRESSURE).withOperator("Exists").withEffect("NoSchedule"));
    addOrUpdate(list, new Toleration().withKey(PID_PRESSURE).withOperator("Exists").withEffect("NoSchedule"));
    addOrUpdate(list, new Toleration().withKey(UNSCHEDULABLE).withOperator("Exists").withEffect("NoSchedule"));
    if (Boolean.TRUE.equals(spec.getHostNetwork())) {
      addOrUpdate(list, new Toleration().withKey(NETWORK_UNAVAILABLE).withOperator("Exists").withEffect("NoSchedule"));
    }
    spec.setTolerations(list);
  }

  /** Upstream's AddOrUpdateTolerationInPodSpec: replaces a toleration of the same key, operator, value and effect. */
  private static void addOrUpdate(List<Toleration> list, Toleration t) {
    for (int i = 0; i < list.size(); i++) {
      Toleration x = list.get(i);
      if (Objects.equals(x.getKey(), t.getKey()) && Objects.equals(nz(x.getOperator()), nz(t.getOperator()))
          && Objects.equals(nz(x.getValue()), nz(t.getValue())) && Objects.equals(nz(x.getEffect()), nz(t.getEffect()))) {
        if (x.equals(t)) {
          return;
        }
        list.set(i, t);
        return;
      }
    }
    list.add(t);
  }

  /** Upstream's ReplaceDaemonSetPodNodeNameNodeAffinity: require exactly this node (by metadata.name). */
  static Affinity pinToNode(Affinity affinity, String nodeName) {
    NodeSelectorRequirement req = new NodeSelectorRequirement().withKey("metadata.name").withOperator("In")
        .withValues(List.of(nodeName));
    NodeSelector selector = new NodeSelector().withNodeSelectorTerms(
        new ArrayList<>(List.of(new NodeSelectorTerm().withMatchFields(new ArrayList<>(List.of(req))))));
    Affinity a = affinity == null ? new Affinity() : affinity;
    if (a.getNodeAffinity() == null) {
      a.setNodeAffinity(new NodeAffinity().withRequiredDuringSchedulingIgnoredDuringExecution(selector));
      return a;
    }
    a.getNodeAffinity().setRequiredDuringSchedulingIgnoredDuringExecution(selector);
    return a;
  }

  /** The node a daemon pod is for: its nodeName, else the single metadata.name of its required affinity. */
  static String targetNode(PodSpec spec) {
    if (spec.getNodeName() != null && !spec.getNodeName().isEmpty()) {
      return spec.getNodeName();
    }
    Affinity a = spec.getAffinity();
    if (a == null || a.getNodeAffinity() == null || a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
      return null;
    }
    List<NodeSelectorTerm> terms = a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
    if (terms == null) {
      return null;
    }
    for (NodeSelectorTerm term : terms) {
      if (term.getMatchFields() == null) {
        continue;
      }
      for (NodeSelectorRequirement r : term.getMatchFields()) {
        if ("metadata.name".equals(r.getKey()) && "In".equals(r.getOperator()) && r.getValues() != null
            && r.getValues().size() == 1) {
          return r.getValues().get(0);
        }
      }
    }
    return null;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
