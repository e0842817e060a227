package io.bosun.scheduler.plugins.podtopologyspread;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Taint;
import io.bosun.api.core.v1.TopologySpreadConstraint;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.labels.Requirement;
import io.bosun.api.labels.SelectorException;
import io.bosun.scheduler.plugins.podtopologyspread.NodeSelectors.RequiredNodeAffinity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A topology spread constraint with its selector parsed and defaults applied, as upstream's internal
 * {@code topologySpreadConstraint}. Immutable.
 *
 * @param minDomains         1 when unset
 * @param honorNodeAffinity  {@code nodeAffinityPolicy} (default Honor): count only nodes matching the
 *                           pod's node selector and required node affinity
 * @param honorNodeTaints    {@code nodeTaintsPolicy} (default Ignore): count only nodes whose
 *                           NoSchedule/NoExecute taints the pod tolerates
 */
record Constraint(int maxSkew, String topologyKey, LabelSelector selector, int minDomains, boolean honorNodeAffinity,
    boolean honorNodeTaints) {

  static final String DO_NOT_SCHEDULE = "DoNotSchedule";
  static final String SCHEDULE_ANYWAY = "ScheduleAnyway";
  static final String HONOR = "Honor";

  /**
   * The constraints of {@code constraints} with {@code whenUnsatisfiable == action}, their
   * {@code matchLabelKeys} folded into the selector with the pod's label values, as upstream's
   * {@code filterTopologySpreadConstraints}.
   *
   * @throws SelectorException for an invalid label selector
   */
  static List<Constraint> of(List<TopologySpreadConstraint> constraints, Map<String, String> podLabels, String action)
      throws SelectorException {
    List<Constraint> out = new ArrayList<>();
    for (TopologySpreadConstraint c : constraints) {
      if (!action.equals(c.getWhenUnsatisfiable())) {
        continue;
      }
      LabelSelector selector = LabelSelector.fromSpec(c.getLabelSelector());
      if (c.getMatchLabelKeys() != null && !c.getMatchLabelKeys().isEmpty()) {
        List<Requirement> reqs = new ArrayList<>();
        for (String k : c.getMatchLabelKeys()) {
          if (podLabels.containsKey(k)) {
            reqs.add(new Requirement(k, Requirement.Operator.EQUALS, List.of(podLabels.get(k))));
          }
        }
        if (!reqs.isEmpty()) {
          // Upstream's mergeLabelSetWithSelector: the pod's values first, then the selector's own
          // requirements (a nothing-selector has none to add).
          reqs.addAll(selector.requirements());
          selector = LabelSelector.of(reqs);
        }
      }
      out.add(new Constraint(c.getMaxSkew() == null ? 1 : c.getMaxSkew(), c.getTopologyKey() == null ? "" : c.getTopologyKey(),
          selector, c.getMinDomains() == null ? 1 : c.getMinDomains(),
          c.getNodeAffinityPolicy() == null || HONOR.equals(c.getNodeAffinityPolicy()),
          HONOR.equals(c.getNodeTaintsPolicy())));
    }
    return List.copyOf(out);
  }

  /** This constraint with another selector (default constraints get the pod's deduced selector). */
  Constraint withSelector(LabelSelector s) {
    return new Constraint(maxSkew, topologyKey, s, minDomains, honorNodeAffinity, honorNodeTaints);
  }

  /** Whether {@code node} counts for this constraint under its node inclusion policies. */
  boolean includes(Pod pod, Node node, RequiredNodeAffinity required) {
    if (honorNodeAffinity && !required.matches(node)) {
      return false;
    }
    if (honorNodeTaints) {
      List<Taint> taints = node.getSpec() == null ? null : node.getSpec().getTaints();
      return Tolerations.firstUntoleratedDoNotSchedule(taints, pod.getSpec() == null ? null : pod.getSpec().getTolerations()) == null;
    }
    return true;
  }

  /** Whether {@code nodeLabels} has every constraint's topology key. */
  static boolean nodeHasAllKeys(Map<String, String> nodeLabels, List<Constraint> constraints) {
    for (Constraint c : constraints) {
      if (!nodeLabels.containsKey(c.topologyKey())) {
        return false;
      }
    }
    return true;
  }
}
