package io.bosun.scheduler.plugins.nodeaffinity;

import static io.bosun.scheduler.plugins.testkit.NodeBuilder.node;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.expr;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.fieldTerm;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.term;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.bosun.api.core.v1.NodeSelectorTerm;
import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.PreFilterResult;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.Status;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cases after upstream's node_affinity_test.go. */
class NodeAffinityTest {

  private static NodeAffinity plugin(String args) {
    return (NodeAffinity) new NodeAffinityFactory().create(Scoring.args(args), null);
  }

  /** Runs PreFilter then Filter, as the framework does; null when the pod fits. */
  private static Status filter(NodeAffinity plugin, Pod p, NodeInfo n) {
    CycleState state = new CycleState();
    PreFilterResult r = plugin.preFilter(state, p, List.of(n));
    if (r.status() != null && r.status().isSkip()) {
      // Filter still enforces addedAffinity without PreFilter state.
      return plugin.filter(state, p, n);
    }
    if (!Status.isSuccess(r.status())) {
      return r.status();
    }
    if (!r.allNodes() && !r.nodeNames().contains(n.name())) {
      return Status.unresolvable("not a PreFilter candidate");
    }
    return plugin.filter(state, p, n);
  }

  private static Status filter(Pod p, NodeInfo n) {
    return filter(plugin("{}"), p, n);
  }

  @Test
  void podWithoutAffinityOrSelectorSkipsFilter() {
    assertThat(plugin("{}").preFilter(new CycleState(), pod("p").build(), List.of()).status().isSkip()).isTrue();
  }

  @Test
  void nodeSelectorNeedsEveryLabel() {
    Pod p = pod("p").nodeSelector("foo", "bar").nodeSelector("baz", "blah").build();
    assertThat(filter(p, node("n").label("foo", "bar").label("baz", "blah").info())).isNull();
    Status s = filter(p, node("n").label("foo", "bar").info());
    assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(s.message()).isEqualTo("node(s) didn't match Pod's node affinity/selector");
    assertThat(filter(pod("p").nodeSelector("foo", "").build(), node("n").info())).isNotNull();
    assertThat(filter(pod("p").nodeSelector("foo", "").build(), node("n").label("foo", "").info())).isNull();
  }

  @ParameterizedTest(name = "{0} {1} {2} on label {3} -> {4}")
  @CsvSource({
      "foo, In, bar;value2, bar, true",
      "foo, In, value1;value2, bar, false",
      "foo, In, bar, -, false",
      "foo, NotIn, value1;value2, bar, true",
      "foo, NotIn, bar, bar, false",
      "foo, NotIn, bar, -, true",
      "foo, Exists, -, bar, true",
      "foo, Exists, -, -, false",
      "foo, DoesNotExist, -, bar, false",
      "foo, DoesNotExist, -, -, true",
      "foo, Gt, 5, 10, true",
      "foo, Gt, 10, 10, false",
      "foo, Gt, 5, notanumber, false",
      "foo, Gt, 5, -, false",
      "foo, Lt, 5, 3, true",
      "foo, Lt, 5, 5, false",
      // invalid expressions match nothing
      "foo, Gt, 5;6, 10, false",
      "foo, In, -, bar, false",
      "foo, Exists, bar, bar, false",
      "foo, Bogus, bar, bar, false",
  })
  void requiredOperators(String key, String op, String values, String label, boolean fits) {
    String[] vs = values.equals("-") ? new String[0] : values.split(";");
    Pod p = pod("p").requiredNodeAffinity(term(expr(key, op, vs))).build();
    var n = label.equals("-") ? node("n").label("other", "x") : node("n").label(key, label);
    assertThat(filter(p, n.info()) == null).isEqualTo(fits);
  }

  @Test
  void termsAreOredExpressionsAnded() {
    Pod p = pod("p")
        .requiredNodeAffinity(term(expr("zone", "In", "z1"), expr("disk", "In", "ssd")))
        .requiredNodeAffinity(term(expr("gpu", "Exists")))
        .build();
    assertThat(filter(p, node("n").label("zone", "z1").label("disk", "ssd").info())).isNull();
    assertThat(filter(p, node("n").label("zone", "z1").label("disk", "hdd").info())).isNotNull();
    assertThat(filter(p, node("n").label("gpu", "").info())).isNull();
  }

  @Test
  void emptyTermsMatchNothingAndAnEmptyTermListMatchesNothing() {
    assertThat(filter(pod("p").requiredNodeAffinity(new NodeSelectorTerm()).build(), node("n").label("a", "b").info()))
        .isNotNull();
    Pod noTerms = pod("p").build();
    noTerms.getSpec().setAffinity(new io.bosun.api.core.v1.Affinity().withNodeAffinity(new io.bosun.api.core.v1.NodeAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(new io.bosun.api.core.v1.NodeSelector().withNodeSelectorTerms(List.of()))));
    assertThat(filter(noTerms, node("n").info())).isNotNull();
    // an invalid term does not spoil a valid one
    assertThat(filter(pod("p").requiredNodeAffinity(term(expr("a", "Gt", "x"))).requiredNodeAffinity(term(expr("a", "Exists")))
        .build(), node("n").label("a", "1").info())).isNull();
  }

  @Test
  void nodeSelectorAndAffinityMustBothMatch() {
    Pod p = pod("p").nodeSelector("foo", "bar").nodeAffinityIn("zone", "z1").build();
    assertThat(filter(p, node("n").label("foo", "bar").label("zone", "z1").info())).isNull();
    assertThat(filter(p, node("n").label("zone", "z1").info())).isNotNull();
    assertThat(filter(p, node("n").label("foo", "bar").info())).isNotNull();
  }

  @Test
  void matchFieldsOnMetadataName() {
    Pod p = pod("p").requiredNodeAffinity(fieldTerm(expr("metadata.name", "In", "node1"))).build();
    assertThat(filter(p, node("node1").info())).isNull();
    assertThat(filter(p, node("node2").info())).isNotNull();
    Pod notIn = pod("p").requiredNodeAffinity(fieldTerm(expr("metadata.name", "NotIn", "node1"))).build();
    assertThat(filter(notIn, node("node1").info())).isNotNull();
    assertThat(filter(notIn, node("node2").info())).isNull();
    // fields and labels in one term are ANDed
    Pod both = pod("p").requiredNodeAffinity(new NodeSelectorTerm()
        .withMatchFields(List.of(expr("metadata.name", "In", "node1")))
        .withMatchExpressions(List.of(expr("zone", "In", "z1")))).build();
    assertThat(filter(both, node("node1").label("zone", "z1").info())).isNull();
    assertThat(filter(both, node("node1").label("zone", "z2").info())).isNotNull();
  }

  @Test
  void preFilterNarrowsToNamedNodes() {
    NodeAffinity plugin = plugin("{}");
    Pod p = pod("p").requiredNodeAffinity(fieldTerm(expr("metadata.name", "In", "node1")))
        .requiredNodeAffinity(fieldTerm(expr("metadata.name", "In", "node2"))).build();
    assertThat(plugin.preFilter(new CycleState(), p, List.of()).nodeNames()).containsExactlyInAnyOrder("node1", "node2");
    // one term without names: every node is a candidate
    Pod mixed = pod("p").requiredNodeAffinity(fieldTerm(expr("metadata.name", "In", "node1")))
        .requiredNodeAffinity(term(expr("zone", "Exists"))).build();
    assertThat(plugin.preFilter(new CycleState(), mixed, List.of()).allNodes()).isTrue();
    // names within a term are intersected; an empty intersection everywhere is a conflict
    Pod conflict = pod("p").requiredNodeAffinity(new NodeSelectorTerm().withMatchFields(List.of(
        expr("metadata.name", "In", "node1"), expr("metadata.name", "In", "node2")))).build();
    Status s = plugin.preFilter(new CycleState(), conflict, List.of()).status();
    assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(s.message()).isEqualTo("pod affinity terms conflict");
  }

  @Test
  void addedAffinityIsEnforcedForEveryPod() {
    NodeAffinity plugin = plugin("{\"addedAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
        + "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"pool\",\"operator\":\"In\",\"values\":[\"batch\"]}]}]}}}");
    Status s = filter(plugin, pod("p").build(), node("n").label("pool", "web").info());
    assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(s.message()).isEqualTo("node(s) didn't match scheduler-enforced node affinity");
    assertThat(filter(plugin, pod("p").build(), node("n").label("pool", "batch").info())).isNull();
    // both the added and the pod's own affinity apply
    assertThat(filter(plugin, pod("p").nodeSelector("zone", "z1").build(), node("n").label("pool", "batch").info()).message())
        .isEqualTo("node(s) didn't match Pod's node affinity/selector");
  }

  @Test
  void preferredTermsScoreTheirWeightsNormalized() {
    Pod p = pod("p")
        .preferredNodeAffinity(2, term(expr("foo", "In", "bar")))
        .preferredNodeAffinity(4, term(expr("key", "In", "value")))
        .preferredNodeAffinity(5, term(expr("az", "In", "az1"), expr("foo", "In", "bar")))
        .preferredNodeAffinity(0, term(expr("foo", "Exists"))) // weight 0 never counts
        .build();
    List<NodeInfo> nodes = List.of(
        node("node1").label("foo", "bar").info(),                                     // 2
        node("node2").label("key", "value").info(),                                   // 4
        node("node3").label("foo", "bar").label("key", "value").label("az", "az1").info(), // 11
        node("node4").info());                                                        // 0
    NodeAffinity plugin = plugin("{}");
    CycleState state = new CycleState();
    assertThat(plugin.preScore(state, p, nodes)).isNull();
    assertThat(Scoring.scoreAndNormalize(plugin, state, p, nodes))
        .containsExactly(entry("node1", 18L), entry("node2", 36L), entry("node3", 100L), entry("node4", 0L));
  }

  @Test
  void addedPreferredTermsScoreToo() {
    NodeAffinity plugin = plugin("{\"addedAffinity\":{\"preferredDuringSchedulingIgnoredDuringExecution\":[{\"weight\":3,"
        + "\"preference\":{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"In\",\"values\":[\"z1\"]}]}}]}}");
    Pod p = pod("p").preferredNodeAffinity(1, term(expr("disk", "In", "ssd"))).build();
    List<NodeInfo> nodes = List.of(node("a").label("zone", "z1").info(), node("b").label("disk", "ssd").info(),
        node("c").label("zone", "z1").label("disk", "ssd").info());
    CycleState state = new CycleState();
    plugin.preScore(state, p, nodes);
    // raw 3, 1, 4 -> 75, 25, 100
    assertThat(Scoring.scoreAndNormalize(plugin, state, p, nodes)).containsExactly(entry("a", 75L), entry("b", 25L), entry("c", 100L));
    // a pod without preferences is still scored by the added terms
    assertThat(plugin.preScore(new CycleState(), pod("q").build(), nodes)).isNull();
    // without either, Score is skipped
    assertThat(plugin("{}").preScore(new CycleState(), pod("q").build(), nodes).code()).isEqualTo(Status.Code.SKIP);
  }

  @Test
  void allZeroScoresStayZero() {
    Pod p = pod("p").preferredNodeAffinity(5, term(expr("x", "Exists"))).build();
    List<NodeInfo> nodes = List.of(node("a").info(), node("b").info());
    NodeAffinity plugin = plugin("{}");
    CycleState state = new CycleState();
    plugin.preScore(state, p, nodes);
    assertThat(Scoring.scoreAndNormalize(plugin, state, p, nodes)).containsExactly(entry("a", 0L), entry("b", 0L));
  }

  @Test
  void invalidArgumentsAreRejected() {
    for (String bad : List.of("{\"addedAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":"
            + "[{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Gt\",\"values\":[\"x\"]}]}]}}}",
        "{\"addedAffinity\":{\"bogus\":1}}", "{\"addedAffinity\":[]}", "{\"other\":1}")) {
      assertThatThrownBy(() -> plugin(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("NodeAffinity args: ");
    }
  }

  @Test
  void nodeLabelChangesRequeueWhenTheNodeNowMatches() {
    var hint = plugin("{}").eventsToRegister().get(0).hint();
    Pod p = pod("p").nodeSelector("zone", "z1").build();
    assertThat(hint.hint(p, null, node("n").label("zone", "z1").build())).isEqualTo(QueueingHint.QUEUE);
    assertThat(hint.hint(p, null, node("n").label("zone", "z2").build())).isEqualTo(QueueingHint.SKIP);
  }
}
