package io.bosun.scheduler.plugins.interpodaffinity;

import io.bosun.api.core.v1.Affinity;
import io.bosun.api.core.v1.Namespace;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.labels.LabelSelector;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.AffinityTerm;
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
import io.bosun.scheduler.spi.WeightedAffinityTerm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Upstream's {@code InterPodAffinity} plugin (default score weight 2).
 *
 * <p>Filter: (1) every required affinity term of the pod must be met by a matching pod in the
 * node's domain of the term's topology key (the first pod of a group whose terms match itself may go
 * anywhere the keys exist), else {@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE}
 * {@value #ERR_AFFINITY}; (2) no pod matching one of its required anti-affinity terms may be in the
 * node's domain ({@value #ERR_ANTI_AFFINITY}); (3) symmetrically, the node must not be in a domain
 * where an existing pod's required anti-affinity term matches the incoming pod
 * ({@value #ERR_EXISTING_ANTI_AFFINITY}); (2) and (3) are {@link Status.Code#UNSCHEDULABLE}, as
 * preemption may remove the offending pods. Terms select pods by label selector within their
 * namespaces, or within namespaces matching their {@code namespaceSelector} (read from the
 * namespace informer).
 *
 * <p>Score: the sum, over the node's domains, of the preferred term weights of the pod towards
 * existing pods (positive for affinity, negative for anti-affinity) and of existing pods' preferred
 * terms towards the pod, plus {@code hardPodAffinityWeight} for each existing pod's required
 * affinity term the pod matches; normalized to 0..100 between the lowest and highest sum.
 *
 * <p>Immutable; per-pod data lives in the cycle state; never blocks.
 */
public final class InterPodAffinity implements PreFilterPlugin, PreFilterExtensions, FilterPlugin, PreScorePlugin,
    ScorePlugin, ScoreExtensions, EnqueueExtensions {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "InterPodAffinity";
  public static final String ERR_AFFINITY = "node(s) didn't match pod affinity rules";
  public static final String ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
  public static final String ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

  static final CycleState.Key<PreFilterState> PRE_FILTER_KEY = CycleState.Key.of("PreFilter" + NAME, PreFilterState.class);
  static final CycleState.Key<PreScoreState> PRE_SCORE_KEY = CycleState.Key.of("PreScore" + NAME, PreScoreState.class);

  /**
   * Upstream's {@code preFilterState}: matches per topology pair of existing pods' anti-affinity
   * terms against the pod, and of the pod's affinity and anti-affinity terms against existing pods.
   * Filter reads under the read lock; the PreFilter extensions update copies under the write lock.
   */
  static final class PreFilterState implements StateData {
    final TopologyCounts existingAntiAffinity;
    final TopologyCounts affinity;
    final TopologyCounts antiAffinity;
    final Pod pod;
    final List<AffinityTerm> requiredAffinity;
    final List<AffinityTerm> requiredAntiAffinity;
    final Map<String, String> namespaceLabels;
    final ReadWriteLock lock = new ReentrantReadWriteLock();

    PreFilterState(TopologyCounts existingAntiAffinity, TopologyCounts affinity, TopologyCounts antiAffinity, Pod pod,
        List<AffinityTerm> requiredAffinity, List<AffinityTerm> requiredAntiAffinity, Map<String, String> namespaceLabels) {
      this.existingAntiAffinity = existingAntiAffinity;
      this.affinity = affinity;
      this.antiAffinity = antiAffinity;
      this.pod = pod;
      this.requiredAffinity = requiredAffinity;
      this.requiredAntiAffinity = requiredAntiAffinity;
      this.namespaceLabels = namespaceLabels;
    }

    @Override
    public StateData copy() {
      lock.readLock().lock();
      try {
        return new PreFilterState(existingAntiAffinity.copy(), affinity.copy(), antiAffinity.copy(), pod, requiredAffinity,
            requiredAntiAffinity, namespaceLabels);
      } finally {
        lock.readLock().unlock();
      }
    }

    /** Upstream's {@code updateWithPod}: as if {@code other} were added ({@code m = 1}) or removed ({@code -1}). */
    void updateWithPod(PodInfo other, Node node, long m) {
      lock.writeLock().lock();
      try {
        existingAntiAffinity.updateWithAntiAffinityTerms(other.requiredAntiAffinityTerms(), pod, namespaceLabels, node, m);
        affinity.updateWithAffinityTerms(requiredAffinity, other.pod(), node, m);
        antiAffinity.updateWithAntiAffinityTerms(requiredAntiAffinity, other.pod(), Map.of(), node, m);
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  /** Per topology key and value, the summed score; immutable once written. */
  record PreScoreState(Map<String, Map<String, Long>> topologyScore) implements StateData {
    @Override
    public StateData copy() {
      return this;
    }
  }

  private final Handle handle;
  private final long hardPodAffinityWeight;
  private final boolean ignorePreferredTermsOfExistingPods;

  InterPodAffinity(long hardPodAffinityWeight, boolean ignorePreferredTermsOfExistingPods, Handle handle) {
    this.handle = Objects.requireNonNull(handle, "handle");
    this.hardPodAffinityWeight = hardPodAffinityWeight;
    this.ignorePreferredTermsOfExistingPods = ignorePreferredTermsOfExistingPods;
  }

  @Override
  public String name() {
    return NAME;
  }

  // ---- filtering --------------------------------------------------------------------------------

  @Override
  public PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
    PodInfo podInfo = PodInfo.of(pod);
    if (!podInfo.parseErrors().isEmpty()) {
      return PreFilterResult.of(Status.unresolvable("parsing pod: " + String.join("; ", podInfo.parseErrors())));
    }
    List<AffinityTerm> affinity = mergeNamespaces(podInfo.requiredAffinityTerms());
    List<AffinityTerm> anti = mergeNamespaces(podInfo.requiredAntiAffinityTerms());
    Map<String, String> nsLabels = namespaceLabels(podInfo.namespace());

    List<NodeInfo> withAnti = handle.snapshotLister().nodeInfos().havePodsWithRequiredAntiAffinity();
    TopologyCounts existingAnti = merge(withAnti, n -> {
      TopologyCounts c = new TopologyCounts();
      for (PodInfo existing : n.podsWithRequiredAntiAffinity()) {
        c.updateWithAntiAffinityTerms(existing.requiredAntiAffinityTerms(), pod, nsLabels, n.node(), 1);
      }
      return c;
    });
    TopologyCounts affinityCounts = new TopologyCounts();
    TopologyCounts antiCounts = new TopologyCounts();
    if (!affinity.isEmpty() || !anti.isEmpty()) {
      TopologyCounts[][] perNode = new TopologyCounts[nodes.size()][];
      handle.parallelizer().until(nodes.size(), i -> {
        NodeInfo n = nodes.get(i);
        TopologyCounts a = new TopologyCounts();
        TopologyCounts x = new TopologyCounts();
        for (PodInfo existing : n.pods()) {
          a.updateWithAffinityTerms(affinity, existing.pod(), n.node(), 1);
          // The pod's terms have their namespace selectors merged: no namespace labels needed.
          x.updateWithAntiAffinityTerms(anti, existing.pod(), Map.of(), n.node(), 1);
        }
        perNode[i] = new TopologyCounts[] {a, x};
      });
      for (TopologyCounts[] ax : perNode) {
        affinityCounts.addAll(ax[0]);
        antiCounts.addAll(ax[1]);
      }
    }
    if (existingAnti.isEmpty() && affinity.isEmpty() && anti.isEmpty()) {
      return PreFilterResult.skip();
    }
    state.write(PRE_FILTER_KEY, new PreFilterState(existingAnti, affinityCounts, antiCounts, pod, affinity, anti, nsLabels));
    return PreFilterResult.success();
  }

  @Override
  public PreFilterExtensions preFilterExtensions() {
    return this;
  }

  @Override
  public Status addPod(CycleState state, Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo) {
    PreFilterState s = state.read(PRE_FILTER_KEY);
    if (s == null) {
      return Status.error("reading \"" + PRE_FILTER_KEY + "\" from cycleState: not found");
    }
    s.updateWithPod(podToAdd, nodeInfo.node(), 1);
    return null;
  }

  @Override
  public Status removePod(CycleState state, Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo) {
    PreFilterState s = state.read(PRE_FILTER_KEY);
    if (s == null) {
      return Status.error("reading \"" + PRE_FILTER_KEY + "\" from cycleState: not found");
    }
    s.updateWithPod(podToRemove, nodeInfo.node(), -1);
    return null;
  }

  @Override
  public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
    PreFilterState s = state.read(PRE_FILTER_KEY);
    if (s == null) {
      return Status.error("reading \"" + PRE_FILTER_KEY + "\" from cycleState: not found");
    }
    Map<String, String> labels = TopologyCounts.labels(nodeInfo.node());
    s.lock.readLock().lock();
    try {
      if (!satisfiesAffinity(s, labels)) {
        return Status.unresolvable(ERR_AFFINITY);
      }
      if (!satisfiesAntiAffinity(s, labels)) {
        return Status.unschedulable(ERR_ANTI_AFFINITY);
      }
      if (!satisfiesExistingAntiAffinity(s, labels)) {
        return Status.unschedulable(ERR_EXISTING_ANTI_AFFINITY);
      }
    } finally {
      s.lock.readLock().unlock();
    }
    return null;
  }

  private static boolean satisfiesAffinity(PreFilterState s, Map<String, String> labels) {
    boolean podsExist = true;
    for (AffinityTerm t : s.requiredAffinity) {
      String v = labels.get(t.topologyKey());
      if (v == null) {
        return false; // every topology key must exist on the node
      }
      if (s.affinity.get(t.topologyKey(), v) <= 0) {
        podsExist = false;
      }
    }
    if (podsExist) {
      return true;
    }
    // The first pod of a group with affinity to itself: if no pod anywhere matches, and the pod
    // matches its own terms, let it start the group.
    return s.affinity.isEmpty() && TopologyCounts.matchesAll(s.requiredAffinity, s.pod);
  }

  private static boolean satisfiesAntiAffinity(PreFilterState s, Map<String, String> labels) {
    if (s.antiAffinity.isEmpty()) {
      return true;
    }
    for (AffinityTerm t : s.requiredAntiAffinity) {
      String v = labels.get(t.topologyKey());
      if (v != null && s.antiAffinity.get(t.topologyKey(), v) > 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean satisfiesExistingAntiAffinity(PreFilterState s, Map<String, String> labels) {
    if (s.existingAntiAffinity.isEmpty()) {
      return true;
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (s.existingAntiAffinity.get(e.getKey(), e.getValue()) > 0) {
        return false;
      }
    }
    return true;
  }

  // ---- scoring ----------------------------------------------------------------------------------

  @Override
  public Status preScore(CycleState state, Pod pod, List<NodeInfo> nodes) {
    if (nodes.isEmpty()) {
      return Status.skip();
    }
    Affinity a = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
    boolean hasConstraints = a != null && ((a.getPodAffinity() != null
        && nonEmpty(a.getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()))
        || (a.getPodAntiAffinity() != null && nonEmpty(a.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())));
    if (ignorePreferredTermsOfExistingPods && !hasConstraints) {
      return Status.skip();
    }
    // Without preferred terms of its own, only pods with affinity terms can contribute.
    List<NodeInfo> candidates = hasConstraints ? handle.snapshotLister().nodeInfos().list()
        : handle.snapshotLister().nodeInfos().havePodsWithAffinity();
    PodInfo podInfo = PodInfo.of(pod);
    List<WeightedAffinityTerm> preferred = mergeWeighted(podInfo.preferredAffinityTerms());
    List<WeightedAffinityTerm> preferredAnti = mergeWeighted(podInfo.preferredAntiAffinityTerms());
    Map<String, String> nsLabels = namespaceLabels(podInfo.namespace());

    List<Map<String, Map<String, Long>>> perNode = new ArrayList<>(candidates.size());
    for (int i = 0; i < candidates.size(); i++) {
      perNode.add(null);
    }
    handle.parallelizer().until(candidates.size(), i -> {
      NodeInfo n = candidates.get(i);
      Map<String, Map<String, Long>> score = new HashMap<>();
      for (PodInfo existing : hasConstraints ? n.pods() : n.podsWithAffinity()) {
        processExistingPod(score, pod, nsLabels, preferred, preferredAnti, existing, n.node());
      }
      perNode.set(i, score);
    });
    Map<String, Map<String, Long>> total = new HashMap<>();
    for (Map<String, Map<String, Long>> m : perNode) {
      m.forEach((k, values) -> values.forEach((v, s) -> total.computeIfAbsent(k, x -> new HashMap<>()).merge(v, s, Long::sum)));
    }
    if (total.isEmpty()) {
      return Status.skip();
    }
    state.write(PRE_SCORE_KEY, new PreScoreState(total));
    return null;
  }

  /** Upstream's {@code processExistingPod}: both directions of preferred terms, and existing pods' hard affinity. */
  private void processExistingPod(Map<String, Map<String, Long>> score, Pod pod, Map<String, String> nsLabels,
      List<WeightedAffinityTerm> preferred, List<WeightedAffinityTerm> preferredAnti, PodInfo existing, Node node) {
    if (TopologyCounts.labels(node).isEmpty()) {
      return;
    }
    // The pod's terms have merged namespaces: an empty label map stands for "no labels needed".
    for (WeightedAffinityTerm t : preferred) {
      processTerm(score, t.term(), t.weight(), existing.pod(), Map.of(), node, 1);
    }
    for (WeightedAffinityTerm t : preferredAnti) {
      processTerm(score, t.term(), t.weight(), existing.pod(), Map.of(), node, -1);
    }
    if (hardPodAffinityWeight > 0) {
      for (AffinityTerm t : existing.requiredAffinityTerms()) {
        processTerm(score, t, hardPodAffinityWeight, pod, nsLabels, node, 1);
      }
    }
    for (WeightedAffinityTerm t : existing.preferredAffinityTerms()) {
      processTerm(score, t.term(), t.weight(), pod, nsLabels, node, 1);
    }
    for (WeightedAffinityTerm t : existing.preferredAntiAffinityTerms()) {
      processTerm(score, t.term(), t.weight(), pod, nsLabels, node, -1);
    }
  }

  private static void processTerm(Map<String, Map<String, Long>> score, AffinityTerm term, long weight, Pod pod,
      Map<String, String> nsLabels, Node node, int multiplier) {
    if (term.matches(pod, nsLabels)) {
      String v = TopologyCounts.labels(node).get(term.topologyKey());
      if (v != null) {
        score.computeIfAbsent(term.topologyKey(), k -> new HashMap<>()).merge(v, weight * multiplier, Long::sum);
      }
    }
  }

  @Override
  public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
    PreScoreState s = state.read(PRE_SCORE_KEY);
    if (s == null) {
      throw new IllegalStateException("reading \"" + PRE_SCORE_KEY + "\" from cycleState: not found");
    }
    long score = 0;
    Map<String, String> labels = TopologyCounts.labels(nodeInfo.node());
    for (Map.Entry<String, Map<String, Long>> e : s.topologyScore().entrySet()) {
      String v = labels.get(e.getKey());
      if (v != null) {
        score += e.getValue().getOrDefault(v, 0L);
      }
    }
    return score;
  }

  @Override
  public ScoreExtensions scoreExtensions() {
    return this;
  }

  /** Maps [min, max] onto [0, 100]; all equal gives 0. */
  @Override
  public Status normalizeScore(CycleState state, Pod pod, NodeScores scores) {
    PreScoreState s = state.read(PRE_SCORE_KEY);
    if (s == null || s.topologyScore().isEmpty()) {
      return null;
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < scores.size(); i++) {
      min = Math.min(min, scores.score(i));
      max = Math.max(max, scores.score(i));
    }
    long diff = max - min;
    for (int i = 0; i < scores.size(); i++) {
      double f = diff > 0 ? MAX_NODE_SCORE * ((double) (scores.score(i) - min) / diff) : 0;
      scores.setScore(i, (long) f);
    }
    return null;
  }

  /** Pods appearing, going or relabelled, and nodes appearing or relabelled, may change the matches. */
  @Override
  public List<ClusterEventWithHint> eventsToRegister() {
    return List.of(
        ClusterEventWithHint.of(ClusterEvent.of(EventResource.POD, ActionType.ADD, ActionType.DELETE, ActionType.UPDATE_POD_LABEL)),
        ClusterEventWithHint.of(ClusterEvent.of(EventResource.NODE, ActionType.ADD, ActionType.UPDATE_NODE_LABEL)));
  }

  // ---- namespaces -------------------------------------------------------------------------------

  /**
   * Upstream's {@code mergeAffinityTermNamespacesIfNotEmpty}: a term of the incoming pod whose
   * namespace selector is not empty gets the namespaces it currently selects added to its list and
   * then selects by list only; an empty selector ({@code {}}, all namespaces) is kept.
   */
  List<AffinityTerm> mergeNamespaces(List<AffinityTerm> terms) {
    if (terms.isEmpty()) {
      return terms;
    }
    List<AffinityTerm> out = new ArrayList<>(terms.size());
    List<Namespace> all = null;
    for (AffinityTerm t : terms) {
      // An empty selector selects every namespace, a null one none: nothing to merge for either.
      if (t.namespaceSelector().requirements().isEmpty()) {
        out.add(t);
        continue;
      }
      if (all == null) {
        all = handle.lister(Namespace.class).list();
      }
      Set<String> names = new HashSet<>(t.namespaces());
      for (Namespace ns : all) {
        if (ns.getMetadata() != null && t.namespaceSelector().matches(labels(ns))) {
          names.add(ns.getMetadata().getName());
        }
      }
      out.add(new AffinityTerm(names, t.selector(), t.topologyKey(), LabelSelector.nothing()));
    }
    return List.copyOf(out);
  }

  private List<WeightedAffinityTerm> mergeWeighted(List<WeightedAffinityTerm> terms) {
    List<AffinityTerm> merged = mergeNamespaces(terms.stream().map(WeightedAffinityTerm::term).toList());
    List<WeightedAffinityTerm> out = new ArrayList<>(terms.size());
    for (int i = 0; i < terms.size(); i++) {
      out.add(new WeightedAffinityTerm(merged.get(i), terms.get(i).weight()));
    }
    return out;
  }

  /** The labels of namespace {@code name}; empty when unknown (upstream: nil). */
  private Map<String, String> namespaceLabels(String name) {
    Namespace ns = handle.lister(Namespace.class).get("", name);
    return ns == null ? Map.of() : Map.copyOf(labels(ns));
  }

  private static Map<String, String> labels(Namespace ns) {
    return ns.getMetadata() == null || ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
  }

  private interface PerNode {
    TopologyCounts count(NodeInfo node);
  }

  private TopologyCounts merge(List<NodeInfo> nodes, PerNode f) {
    TopologyCounts[] parts = new TopologyCounts[nodes.size()];
    handle.parallelizer().until(nodes.size(), i -> parts[i] = f.count(nodes.get(i)));
    TopologyCounts out = new TopologyCounts();
    for (TopologyCounts c : parts) {
      out.addAll(c);
    }
    return out;
  }

  private static boolean nonEmpty(List<?> l) {
    return l != null && !l.isEmpty();
  }
}
