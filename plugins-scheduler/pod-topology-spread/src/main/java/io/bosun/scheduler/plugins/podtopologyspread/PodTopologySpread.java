package io.bosun.scheduler.plugins.podtopologyspread;

import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.StatefulSet;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Service;
import io.bosun.api.core.v1.TopologySpreadConstraint;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.labels.Requirement;
import io.bosun.api.labels.SelectorException;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.scheduler.plugins.podtopologyspread.NodeSelectors.RequiredNodeAffinity;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.ClusterEvent;
import io.bosun.scheduler.spi.ClusterEventWithHint;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.EnqueueExtensions;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.spi.FilterPlugin;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.NodeScores;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.PreFilterExtensions;
import io.bosun.scheduler.spi.PreFilterPlugin;
import io.bosun.scheduler.spi.PreFilterResult;
import io.bosun.scheduler.spi.PreScorePlugin;
import io.bosun.scheduler.spi.ScoreExtensions;
import io.bosun.scheduler.spi.ScorePlugin;
import io.bosun.scheduler.spi.StateData;
import io.bosun.scheduler.spi.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Upstream's {@code PodTopologySpread} plugin (default score weight 2).
 *
 * <p>Filter ({@code whenUnsatisfiable: DoNotSchedule} constraints): placing the pod in the node's
 * domain must keep {@code matching pods in the domain + 1 (if the pod matches itself) - global
 * minimum <= maxSkew}, where the global minimum is the smallest count over the domains of eligible
 * nodes, or 0 while there are fewer domains than {@code minDomains}. Eligible nodes carry every
 * constraint's topology key and pass the node inclusion policies ({@code nodeAffinityPolicy}
 * Honor by default: the pod's node selector and required affinity; {@code nodeTaintsPolicy} Ignore
 * by default). Only pods in the pod's namespace that are not terminating count. A node without the
 * topology key is {@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE} ({@value #ERR_REASON_NODE_LABEL});
 * a skew violation {@link Status.Code#UNSCHEDULABLE} ({@value #ERR_REASON_CONSTRAINTS}).
 * {@code matchLabelKeys} add the pod's own values of those labels to the selector.
 *
 * <p>Score ({@code ScheduleAnyway} constraints): per constraint, the matching pods in the node's
 * domain times {@code log(number of domains + 2)} plus {@code maxSkew - 1}; fewer is better, so the
 * normalization reverses it ({@code 100 * (max + min - score) / max}). Nodes missing a key score 0.
 *
 * <p>Pods without constraints get the default constraints (arguments; the system defaults spread
 * by hostname and zone) with a selector deduced from the services selecting the pod and its
 * ReplicaSet or StatefulSet.
 *
 * <p>Immutable; per-pod data lives in the cycle state; never blocks.
 */
public final class PodTopologySpread implements PreFilterPlugin, PreFilterExtensions, FilterPlugin, PreScorePlugin,
    ScorePlugin, ScoreExtensions, EnqueueExtensions {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "PodTopologySpread";
  /** Upstream's reason for a skew violation. */
  public static final String ERR_REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
  /** Upstream's reason for a node without a topology key. */
  public static final String ERR_REASON_NODE_LABEL = ERR_REASON_CONSTRAINTS + " (missing required label)";

  static final CycleState.Key<PreFilterState> PRE_FILTER_KEY = CycleState.Key.of("PreFilter" + NAME, PreFilterState.class);
  static final CycleState.Key<PreScoreState> PRE_SCORE_KEY = CycleState.Key.of("PreScore" + NAME, PreScoreState.class);

  /** What PreScore computes for Score; immutable once written (the counts are atomics filled in PreScore). */
  record PreScoreState(List<Constraint> constraints, Set<String> ignoredNodes, List<Map<String, AtomicLong>> podCounts,
      double[] normalizingWeight) implements StateData {
    @Override
    public StateData copy() {
      return this;
    }
  }

  private final Handle handle;
  private final PodTopologySpreadArgs args;

  PodTopologySpread(PodTopologySpreadArgs args, Handle handle) {
    this.args = args;
    this.handle = Objects.requireNonNull(handle, "handle");
  }

  @Override
  public String name() {
    return NAME;
  }

  // ---- filtering --------------------------------------------------------------------------------

  @Override
  public PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
    List<Constraint> constraints;
    try {
      constraints = constraints(pod, Constraint.DO_NOT_SCHEDULE);
    } catch (SelectorException e) {
      return PreFilterResult.of(Status.error("get constraints from pod: " + e.getMessage()));
    }
    if (constraints.isEmpty()) {
      return PreFilterResult.skip();
    }
    state.write(PRE_FILTER_KEY, preFilterState(pod, constraints, nodes));
    return PreFilterResult.success();
  }

  /** Counts the matching pods per domain of each constraint, over eligible nodes, in parallel. */
  PreFilterState preFilterState(Pod pod, List<Constraint> constraints, List<NodeInfo> nodes) {
    RequiredNodeAffinity required = RequiredNodeAffinity.of(pod);
    String ns = namespace(pod);
    int[][] counts = new int[nodes.size()][];
    handle.parallelizer().until(nodes.size(), n -> {
      Node node = nodes.get(n).node();
      Map<String, String> labels = labels(node);
      if (!Constraint.nodeHasAllKeys(labels, constraints)) {
        return;
      }
      int[] c = new int[constraints.size()];
      for (int i = 0; i < c.length; i++) {
        Constraint k = constraints.get(i);
        // -1: the node does not count for this constraint
        c[i] = k.includes(pod, node, required) ? countMatching(nodes.get(n).pods(), k.selector(), ns) : -1;
      }
      counts[n] = c;
    });
    List<Map<String, Integer>> matchNum = new ArrayList<>(constraints.size());
    PreFilterState.CriticalPaths[] paths = new PreFilterState.CriticalPaths[constraints.size()];
    for (int i = 0; i < constraints.size(); i++) {
      Map<String, Integer> m = new HashMap<>();
      for (int n = 0; n < counts.length; n++) {
        if (counts[n] != null && counts[n][i] >= 0) {
          m.merge(labels(nodes.get(n).node()).get(constraints.get(i).topologyKey()), counts[n][i], Integer::sum);
        }
      }
      paths[i] = new PreFilterState.CriticalPaths();
      m.forEach(paths[i]::update);
      matchNum.add(m);
    }
    return new PreFilterState(constraints, paths, matchNum);
  }

  @Override
  public PreFilterExtensions preFilterExtensions() {
    return this;
  }

  @Override
  public Status addPod(CycleState state, Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo) {
    return updateWithPod(state, podToSchedule, podToAdd.pod(), nodeInfo, 1);
  }

  @Override
  public Status removePod(CycleState state, Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo) {
    return updateWithPod(state, podToSchedule, podToRemove.pod(), nodeInfo, -1);
  }

  private Status updateWithPod(CycleState state, Pod preemptor, Pod updated, NodeInfo nodeInfo, int delta) {
    PreFilterState s = state.read(PRE_FILTER_KEY);
    if (s == null) {
      return Status.error("reading \"" + PRE_FILTER_KEY + "\" from cycleState: not found");
    }
    Node node = nodeInfo.node();
    if (!namespace(updated).equals(namespace(preemptor)) || !Constraint.nodeHasAllKeys(labels(node), s.constraints)) {
      return null;
    }
    RequiredNodeAffinity required = RequiredNodeAffinity.of(preemptor);
    Map<String, String> podLabels = labels(updated);
    s.lock.writeLock().lock();
    try {
      for (int i = 0; i < s.constraints.size(); i++) {
        Constraint c = s.constraints.get(i);
        if (c.selector().matches(podLabels) && c.includes(preemptor, node, required)) {
          s.update(i, labels(node).get(c.topologyKey()), delta);
        }
      }
    } finally {
      s.lock.writeLock().unlock();
    }
    return null;
  }

  @Override
  public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
    PreFilterState s = state.read(PRE_FILTER_KEY);
    if (s == null) {
      return Status.error("reading \"" + PRE_FILTER_KEY + "\" from cycleState: not found");
    }
    if (s.constraints.isEmpty()) {
      return null;
    }
    Map<String, String> nodeLabels = labels(nodeInfo.node());
    Map<String, String> podLabels = labels(pod);
    s.lock.readLock().lock();
    try {
      for (int i = 0; i < s.constraints.size(); i++) {
        Constraint c = s.constraints.get(i);
        String tpVal = nodeLabels.get(c.topologyKey());
        if (tpVal == null) {
          return Status.unresolvable(ERR_REASON_NODE_LABEL);
        }
        int minMatch = s.minMatchNum(i, c.minDomains());
        int self = c.selector().matches(podLabels) ? 1 : 0;
        int matchNum = s.matchNum.get(i).getOrDefault(tpVal, 0);
        if ((long) matchNum + self - minMatch > c.maxSkew()) {
          return Status.unschedulable(ERR_REASON_CONSTRAINTS);
        }
      }
    } finally {
      s.lock.readLock().unlock();
    }
    return null;
  }

  // ---- scoring ----------------------------------------------------------------------------------

  @Override
  public Status preScore(CycleState state, Pod pod, List<NodeInfo> filteredNodes) {
    List<NodeInfo> allNodes = handle.snapshotLister().nodeInfos().list();
    if (allNodes.isEmpty()) {
      return Status.skip();
    }
    boolean ownConstraints = hasOwnConstraints(pod);
    // Only the system defaults spare nodes without every topology key (hostname spreading still works without zones).
    boolean requireAllTopologies = ownConstraints || !args.systemDefaulted();
    List<Constraint> constraints;
    try {
      constraints = constraints(pod, Constraint.SCHEDULE_ANYWAY);
    } catch (SelectorException e) {
      return Status.error("obtaining pod's soft topology spread constraints: " + e.getMessage());
    }
    if (constraints.isEmpty()) {
      return Status.skip();
    }
    Set<String> ignored = new HashSet<>();
    List<Map<String, AtomicLong>> podCounts = new ArrayList<>(constraints.size());
    int[] domains = new int[constraints.size()];
    for (int i = 0; i < constraints.size(); i++) {
      podCounts.add(new LinkedHashMap<>());
    }
    for (NodeInfo n : filteredNodes) {
      Map<String, String> labels = labels(n.node());
      if (requireAllTopologies && !Constraint.nodeHasAllKeys(labels, constraints)) {
        ignored.add(n.name());
        continue;
      }
      for (int i = 0; i < constraints.size(); i++) {
        Constraint c = constraints.get(i);
        if (isHostname(c)) {
          continue; // per-node counts are taken in Score
        }
        if (podCounts.get(i).putIfAbsent(labels.getOrDefault(c.topologyKey(), ""), new AtomicLong()) == null) {
          domains[i]++;
        }
      }
    }
    double[] weights = new double[constraints.size()];
    for (int i = 0; i < weights.length; i++) {
      int size = isHostname(constraints.get(i)) ? filteredNodes.size() - ignored.size() : domains[i];
      weights[i] = Math.log(size + 2);
    }
    RequiredNodeAffinity required = RequiredNodeAffinity.of(pod);
    String ns = namespace(pod);
    // The maps' key sets are fixed now; workers only add to the atomics.
    handle.parallelizer().until(allNodes.size(), n -> {
      NodeInfo info = allNodes.get(n);
      Map<String, String> labels = labels(info.node());
      if (requireAllTopologies && !Constraint.nodeHasAllKeys(labels, constraints)) {
        return;
      }
      for (int i = 0; i < constraints.size(); i++) {
        Constraint c = constraints.get(i);
        if (!c.includes(pod, info.node(), required)) {
          continue;
        }
        AtomicLong count = podCounts.get(i).get(labels.getOrDefault(c.topologyKey(), ""));
        if (count != null) {
          count.addAndGet(countMatching(info.pods(), c.selector(), ns));
        }
      }
    });
    state.write(PRE_SCORE_KEY, new PreScoreState(constraints, Set.copyOf(ignored), podCounts, weights));
    return null;
  }

  @Override
  public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
    PreScoreState s = state.read(PRE_SCORE_KEY);
    if (s == null) {
      throw new IllegalStateException("reading \"" + PRE_SCORE_KEY + "\" from cycleState: not found");
    }
    if (s.ignoredNodes().contains(nodeInfo.name())) {
      return 0;
    }
    Map<String, String> labels = labels(nodeInfo.node());
    String ns = namespace(pod);
    double score = 0;
    for (int i = 0; i < s.constraints().size(); i++) {
      Constraint c = s.constraints().get(i);
      String tpVal = labels.get(c.topologyKey());
      if (tpVal == null) {
        continue;
      }
      long count;
      if (isHostname(c)) {
        count = countMatching(nodeInfo.pods(), c.selector(), ns);
      } else {
        AtomicLong a = s.podCounts().get(i).get(tpVal);
        count = a == null ? 0 : a.get();
      }
      score += count * s.normalizingWeight()[i] + (c.maxSkew() - 1);
    }
    return Math.round(score);
  }

  @Override
  public ScoreExtensions scoreExtensions() {
    return this;
  }

  /** Fewer matching pods is better: {@code 100 * (max + min - score) / max}; ignored nodes get 0. */
  @Override
  public Status normalizeScore(CycleState state, Pod pod, NodeScores scores) {
    PreScoreState s = state.read(PRE_SCORE_KEY);
    if (s == null) {
      return null;
    }
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < scores.size(); i++) {
      if (s.ignoredNodes().contains(scores.nodeName(i))) {
        continue;
      }
      min = Math.min(min, scores.score(i));
      max = Math.max(max, scores.score(i));
    }
    for (int i = 0; i < scores.size(); i++) {
      if (s.ignoredNodes().contains(scores.nodeName(i))) {
        scores.setScore(i, 0);
      } else if (max == 0) {
        scores.setScore(i, MAX_NODE_SCORE);
      } else {
        scores.setScore(i, MAX_NODE_SCORE * (max + min - scores.score(i)) / max);
      }
    }
    return null;
  }

  // ---- constraints ------------------------------------------------------------------------------

  /** The pod's own constraints of {@code action}, or the default ones if it has none. */
  List<Constraint> constraints(Pod pod, String action) throws SelectorException {
    if (hasOwnConstraints(pod)) {
      return Constraint.of(pod.getSpec().getTopologySpreadConstraints(), labels(pod), action);
    }
    List<Constraint> defaults = Constraint.of(args.defaultConstraints(), labels(pod), action);
    if (defaults.isEmpty()) {
      return defaults;
    }
    LabelSelector selector = defaultSelector(pod);
    if (selector.requirements().isEmpty()) {
      return List.of();
    }
    List<Constraint> out = new ArrayList<>(defaults.size());
    for (Constraint c : defaults) {
      out.add(c.withSelector(selector));
    }
    return out;
  }

  /**
   * Upstream's {@code DefaultSelector}: the labels of every service in the pod's namespace whose
   * selector matches the pod, plus the selector of its controlling ReplicaSet or StatefulSet.
   */
  LabelSelector defaultSelector(Pod pod) {
    String ns = namespace(pod);
    Map<String, String> podLabels = labels(pod);
    Map<String, String> labelSet = new LinkedHashMap<>();
    for (Service svc : handle.lister(Service.class).list(ns)) {
      Map<String, String> sel = svc.getSpec() == null ? null : svc.getSpec().getSelector();
      if (sel != null && LabelSelector.fromMap(sel).matches(podLabels)) {
        labelSet.putAll(sel);
      }
    }
    List<Requirement> reqs = new ArrayList<>(LabelSelector.fromMap(labelSet).requirements());
    OwnerReference owner = controllerOf(pod);
    if (owner != null && "apps/v1".equals(owner.getApiVersion()) && owner.getName() != null) {
      io.bosun.api.meta.v1.LabelSelector ownerSelector = null;
      if ("ReplicaSet".equals(owner.getKind())) {
        ReplicaSet rs = handle.lister(ReplicaSet.class).get(ns, owner.getName());
        ownerSelector = rs == null || rs.getSpec() == null ? null : rs.getSpec().getSelector();
      } else if ("StatefulSet".equals(owner.getKind())) {
        StatefulSet ss = handle.lister(StatefulSet.class).get(ns, owner.getName());
        ownerSelector = ss == null || ss.getSpec() == null ? null : ss.getSpec().getSelector();
      }
      if (ownerSelector != null) {
        try {
          reqs.addAll(LabelSelector.fromSpec(ownerSelector).requirements());
        } catch (SelectorException ignored) {
          // An owner with an invalid selector adds nothing, as upstream.
        }
      }
    }
    return LabelSelector.of(reqs);
  }

  /** Pods changing and nodes appearing, going or relabelled may change the counts. */
  @Override
  public List<ClusterEventWithHint> eventsToRegister() {
    return List.of(
        ClusterEventWithHint.of(ClusterEvent.of(EventResource.POD, ActionType.ADD, ActionType.DELETE, ActionType.UPDATE_POD_LABEL)),
        ClusterEventWithHint.of(ClusterEvent.of(EventResource.NODE, ActionType.ADD, ActionType.DELETE,
            ActionType.UPDATE_NODE_LABEL, ActionType.UPDATE_NODE_TAINT)));
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** Upstream's {@code countPodsMatchSelector}: pods of {@code ns}, not terminating, matching. */
  static int countMatching(List<PodInfo> pods, LabelSelector selector, String ns) {
    int count = 0;
    for (PodInfo p : pods) {
      Pod pod = p.pod();
      if (pod.getMetadata() == null || pod.getMetadata().getDeletionTimestamp() != null || !ns.equals(p.namespace())) {
        continue;
      }
      if (selector.matches(labels(pod))) {
        count++;
      }
    }
    return count;
  }

  private static boolean hasOwnConstraints(Pod pod) {
    List<TopologySpreadConstraint> c = pod.getSpec() == null ? null : pod.getSpec().getTopologySpreadConstraints();
    return c != null && !c.isEmpty();
  }

  private static boolean isHostname(Constraint c) {
    return PodTopologySpreadArgs.LABEL_HOSTNAME.equals(c.topologyKey());
  }

  private static OwnerReference controllerOf(Pod pod) {
    if (pod.getMetadata() == null || pod.getMetadata().getOwnerReferences() == null) {
      return null;
    }
    for (OwnerReference r : pod.getMetadata().getOwnerReferences()) {
      if (Boolean.TRUE.equals(r.getController())) {
        return r;
      }
    }
    return null;
  }

  private static String namespace(Pod pod) {
    return pod.getMetadata() == null || pod.getMetadata().getNamespace() == null ? "" : pod.getMetadata().getNamespace();
  }

  private static Map<String, String> labels(Pod pod) {
    return pod.getMetadata() == null || pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
  }

  private static Map<String, String> labels(Node node) {
    return node.getMetadata() == null || node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
  }
}
