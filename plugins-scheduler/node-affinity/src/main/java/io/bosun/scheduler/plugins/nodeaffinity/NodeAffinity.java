package io.bosun.scheduler.plugins.nodeaffinity;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeSelectorRequirement;
import io.bosun.api.core.v1.NodeSelectorTerm;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PreferredSchedulingTerm;
import io.bosun.scheduler.plugins.nodeaffinity.NodeSelectors.RequiredNodeAffinity;
import io.bosun.scheduler.plugins.nodeaffinity.NodeSelectors.Selector;
import io.bosun.scheduler.plugins.nodeaffinity.NodeSelectors.Term;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.ClusterEvent;
import io.bosun.scheduler.spi.ClusterEventWithHint;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.EnqueueExtensions;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.spi.FilterPlugin;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.NodeScores;
import io.bosun.scheduler.spi.PreFilterPlugin;
import io.bosun.scheduler.spi.PreFilterResult;
import io.bosun.scheduler.spi.PreScorePlugin;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.ScoreExtensions;
import io.bosun.scheduler.spi.ScorePlugin;
import io.bosun.scheduler.spi.StateData;
import io.bosun.scheduler.spi.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Upstream's {@code NodeAffinity} plugin (default score weight 2).
 *
 * <p>Filter: the node must match the pod's {@code spec.nodeSelector} (every label equal) and, if set,
 * its {@code requiredDuringSchedulingIgnoredDuringExecution} (terms ORed; within a term
 * {@code matchExpressions} with In, NotIn, Exists, DoesNotExist, Gt, Lt and {@code matchFields} on
 * {@code metadata.name} ANDed; an empty term matches nothing), plus the profile's
 * {@code addedAffinity}. Failures are {@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE}:
 * {@value #ERR_REASON_POD} or {@value #ERR_REASON_ENFORCED}. PreFilter narrows the candidates to the
 * nodes named by {@code metadata.name In} field terms, as upstream.
 *
 * <p>Score: the sum of the weights of the preferred terms (the pod's and the added ones) the node
 * matches, normalized to 0..100 by the highest sum.
 *
 * <p>Immutable; per-pod data lives in the cycle state; never blocks.
 */
public final class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin,
    ScoreExtensions, EnqueueExtensions {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "NodeAffinity";
  /** Upstream's reason when the pod's own selector or affinity does not match. */
  public static final String ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
  /** Upstream's reason when the profile's addedAffinity does not match. */
  public static final String ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
  /** Upstream's reason when the pod's metadata.name terms select no node. */
  public static final String ERR_REASON_CONFLICT = "pod affinity terms conflict";

  static final CycleState.Key<Required> PRE_FILTER_KEY = CycleState.Key.of("PreFilter" + NAME, Required.class);
  static final CycleState.Key<Preferred> PRE_SCORE_KEY = CycleState.Key.of("PreScore" + NAME, Preferred.class);

  /** The pod's parsed required affinity; immutable. */
  record Required(RequiredNodeAffinity affinity) implements StateData {
    @Override
    public StateData copy() {
      return this;
    }
  }

  /** Parsed preferred terms with their weights; immutable. */
  record Preferred(List<WeightedTerm> terms) implements StateData {
    @Override
    public StateData copy() {
      return this;
    }

    long score(Node node) {
      long sum = 0;
      for (WeightedTerm t : terms) {
        if (t.term().matches(node)) {
          sum += t.weight();
        }
      }
      return sum;
    }
  }

  record WeightedTerm(int weight, Term term) {
  }

  private final Selector addedRequired;
  private final Preferred addedPreferred;

  /**
   * @param addedRequired  the profile's required selector, or null
   * @param addedPreferred the profile's preferred terms, or null
   */
  NodeAffinity(Selector addedRequired, Preferred addedPreferred) {
    this.addedRequired = addedRequired;
    this.addedPreferred = addedPreferred;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
    io.bosun.api.core.v1.NodeAffinity na = nodeAffinity(pod);
    boolean noNodeAffinity = na == null || na.getRequiredDuringSchedulingIgnoredDuringExecution() == null;
    if (noNodeAffinity && addedRequired == null && (pod.getSpec() == null || pod.getSpec().getNodeSelector() == null)) {
      return PreFilterResult.skip();
    }
    state.write(PRE_FILTER_KEY, new Required(RequiredNodeAffinity.of(pod)));
    if (noNodeAffinity) {
      return PreFilterResult.success();
    }
    List<NodeSelectorTerm> terms = na.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
    if (terms == null || terms.isEmpty()) {
      return PreFilterResult.success();
    }
    // Terms are ORed: names are only a restriction if every term names nodes.
    Set<String> nodeNames = new HashSet<>();
    for (NodeSelectorTerm t : terms) {
      Set<String> termNames = null;
      for (NodeSelectorRequirement r : t.getMatchFields() == null ? List.<NodeSelectorRequirement>of() : t.getMatchFields()) {
        if (NodeSelectors.OBJECT_NAME_FIELD.equals(r.getKey()) && "In".equals(r.getOperator())) {
          Set<String> s = new HashSet<>(r.getValues() == null ? List.of() : r.getValues());
          if (termNames == null) {
            termNames = s;
          } else {
            termNames.retainAll(s);
          }
        }
      }
      if (termNames == null) {
        return PreFilterResult.success();
      }
      nodeNames.addAll(termNames);
    }
    if (nodeNames.isEmpty()) {
      return PreFilterResult.of(Status.unresolvable(ERR_REASON_CONFLICT));
    }
    return PreFilterResult.nodes(nodeNames);
  }

  @Override
  public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
    Node node = nodeInfo.node();
    if (addedRequired != null && !addedRequired.matches(node)) {
      return Status.unresolvable(ERR_REASON_ENFORCED);
    }
    Required s = state.read(PRE_FILTER_KEY);
    RequiredNodeAffinity required = s != null ? s.affinity() : RequiredNodeAffinity.of(pod);
    return required.matches(node) ? null : Status.unresolvable(ERR_REASON_POD);
  }

  @Override
  public Status preScore(CycleState state, Pod pod, List<NodeInfo> nodes) {
    if (nodes.isEmpty()) {
      return null;
    }
    Preferred preferred;
    try {
      preferred = podPreferred(pod);
    } catch (IllegalArgumentException e) {
      return Status.error(e.getMessage());
    }
    if (preferred == null && addedPreferred == null) {
      return Status.skip();
    }
    state.write(PRE_SCORE_KEY, preferred == null ? new Preferred(List.of()) : preferred);
    return null;
  }

  @Override
  public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
    long count = addedPreferred == null ? 0 : addedPreferred.score(nodeInfo.node());
    Preferred s = state.read(PRE_SCORE_KEY);
    if (s == null) {
      s = podPreferred(pod);
    }
    return s == null ? count : count + s.score(nodeInfo.node());
  }

  @Override
  public ScoreExtensions scoreExtensions() {
    return this;
  }

  /** Upstream's {@code DefaultNormalizeScore(MaxNodeScore, reverse=false)}. */
  @Override
  public Status normalizeScore(CycleState state, Pod pod, NodeScores scores) {
    long max = 0;
    for (int i = 0; i < scores.size(); i++) {
      max = Math.max(max, scores.score(i));
    }
    if (max == 0) {
      return null;
    }
    for (int i = 0; i < scores.size(); i++) {
      scores.setScore(i, MAX_NODE_SCORE * scores.score(i) / max);
    }
    return null;
  }

  /** A new or relabelled node that matches may help. */
  @Override
  public List<ClusterEventWithHint> eventsToRegister() {
    return List.of(new ClusterEventWithHint(ClusterEvent.of(EventResource.NODE, ActionType.ADD, ActionType.UPDATE_NODE_LABEL),
        (pod, oldObj, newObj) -> newObj instanceof Node n && (addedRequired == null || addedRequired.matches(n))
            && RequiredNodeAffinity.of(pod).matches(n) ? QueueingHint.QUEUE : QueueingHint.SKIP));
  }

  /**
   * Parses preferred terms strictly (upstream's {@code NewPreferredSchedulingTerms}); terms of
   * weight 0 are dropped.
   *
   * @throws IllegalArgumentException if a term does not parse
   */
  static Preferred preferred(List<PreferredSchedulingTerm> terms) {
    List<WeightedTerm> out = new ArrayList<>();
    for (PreferredSchedulingTerm t : terms) {
      int weight = t.getWeight() == null ? 0 : t.getWeight();
      if (weight == 0) {
        continue;
      }
      Term term = NodeSelectors.term(t.getPreference() == null ? new NodeSelectorTerm() : t.getPreference());
      if (term.error() != null) {
        throw new IllegalArgumentException(term.error());
      }
      out.add(new WeightedTerm(weight, term));
    }
    return new Preferred(List.copyOf(out));
  }

  private static Preferred podPreferred(Pod pod) {
    io.bosun.api.core.v1.NodeAffinity na = nodeAffinity(pod);
    if (na == null || na.getPreferredDuringSchedulingIgnoredDuringExecution() == null) {
      return null;
    }
    return preferred(na.getPreferredDuringSchedulingIgnoredDuringExecution());
  }

  private static io.bosun.api.core.v1.NodeAffinity nodeAffinity(Pod pod) {
    return pod.getSpec() == null || pod.getSpec().getAffinity() == null ? null : pod.getSpec().getAffinity().getNodeAffinity();
  }
}
