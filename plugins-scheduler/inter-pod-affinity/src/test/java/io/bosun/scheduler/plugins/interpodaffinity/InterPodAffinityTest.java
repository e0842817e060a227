package io.bosun.scheduler.plugins.interpodaffinity;

import static io.bosun.scheduler.plugins.testkit.PodBuilder.affinityTerm;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.labels;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.bosun.api.core.v1.Namespace;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodAffinityTerm;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.scheduler.plugins.testkit.NodeBuilder;
import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.plugins.testkit.TestHandle;
import io.bosun.scheduler.plugins.testkit.TestSnapshot;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.PreFilterResult;
import io.bosun.scheduler.spi.Status;
import io.bosun.scheduler.spi.Status.Code;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cases after upstream's interpodaffinity filtering_test.go and scoring_test.go. */
class InterPodAffinityTest {

  private static final String HOST = "kubernetes.io/hostname";
  private static final LabelSelector SECURITY_S1 = labels("security", "S1");

  private static Node node(String name, String... labels) {
    NodeBuilder b = NodeBuilder.node(name);
    for (int i = 0; i < labels.length; i += 2) {
      b.label(labels[i], labels[i + 1]);
    }
    return b.build();
  }

  private static InterPodAffinity plugin(String args, TestHandle handle) {
    return (InterPodAffinity) new InterPodAffinityFactory().create(Scoring.args(args), handle);
  }

  private static Map<String, Code> codes(Pod incoming, List<Node> nodes, List<Pod> pods, Namespace... namespaces) {
    TestSnapshot snapshot = TestSnapshot.of(nodes, pods);
    InterPodAffinity p = plugin("{}", new TestHandle().snapshot(snapshot).objects(Namespace.class, namespaces));
    CycleState state = new CycleState();
    PreFilterResult r = p.preFilter(state, incoming, snapshot.list());
    Map<String, Code> out = new LinkedHashMap<>();
    for (NodeInfo n : snapshot.list()) {
      out.put(n.name(), r.status() != null && r.status().isSkip() ? Code.SUCCESS : Status.code(p.filter(state, incoming, n)));
    }
    return out;
  }

  private static final List<Node> REGIONS = List.of(node("machine1", "region", "r1", HOST, "machine1"),
      node("machine2", "region", "r1", HOST, "machine2"), node("machine3", "region", "r2", HOST, "machine3"));

  // ---- required affinity -----------------------------------------------------------------------

  @Test
  void podWithoutTermsAndNoAntiAffinityAroundSkipsFilter() {
    TestSnapshot snapshot = TestSnapshot.of(REGIONS, List.of(pod("x").node("machine1").label("a", "b").build()));
    assertThat(plugin("{}", new TestHandle().snapshot(snapshot)).preFilter(new CycleState(), pod("p").build(), snapshot.list())
        .status().isSkip()).isTrue();
  }

  @Test
  void requiredAffinityNeedsAMatchingPodInTheSameDomain() {
    Pod incoming = pod("p").podAffinity(affinityTerm("region", SECURITY_S1)).build();
    List<Pod> pods = List.of(pod("s1").node("machine1").label("security", "S1").build());
    assertThat(codes(incoming, REGIONS, pods))
        .containsExactly(entry("machine1", Code.SUCCESS), entry("machine2", Code.SUCCESS),
            entry("machine3", Code.UNSCHEDULABLE_AND_UNRESOLVABLE));
  }

  @Test
  void requiredAffinityWithOperatorsAndSeveralTermsAnded() {
    PodAffinityTerm inTerm = affinityTerm("region", new LabelSelector().withMatchExpressions(List.of(
        new io.bosun.api.meta.v1.LabelSelectorRequirement().withKey("service").withOperator("In").withValues(List.of("securityscan", "value2")))));
    PodAffinityTerm notIn = affinityTerm(HOST, new LabelSelector().withMatchExpressions(List.of(
        new io.bosun.api.meta.v1.LabelSelectorRequirement().withKey("service").withOperator("NotIn").withValues(List.of("antivirusscan")))));
    List<Pod> pods = List.of(pod("scan").node("machine1").label("service", "securityscan").build());
    assertThat(codes(pod("p").podAffinity(inTerm).build(), REGIONS, pods)).containsEntry("machine2", Code.SUCCESS)
        .containsEntry("machine3", Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    // both terms must be met by the same pods: machine1 has a pod in r1 and on its own host
    assertThat(codes(pod("p").podAffinity(inTerm).podAffinity(notIn).build(), REGIONS, pods))
        .containsExactly(entry("machine1", Code.SUCCESS), entry("machine2", Code.UNSCHEDULABLE_AND_UNRESOLVABLE),
            entry("machine3", Code.UNSCHEDULABLE_AND_UNRESOLVABLE));
  }

  @Test
  void firstPodOfASelfAffineGroupMayGoWhereverTheKeyExists() {
    Pod first = pod("p").label("app", "db").podAffinity(affinityTerm("region", labels("app", "db"))).build();
    List<Node> nodes = new ArrayList<>(REGIONS);
    nodes.add(node("nolabel"));
    assertThat(codes(first, nodes, List.of()))
        .containsExactly(entry("machine1", Code.SUCCESS), entry("machine2", Code.SUCCESS), entry("machine3", Code.SUCCESS),
            entry("nolabel", Code.UNSCHEDULABLE_AND_UNRESOLVABLE));
    // a pod that does not match its own terms cannot start the group
    Pod other = pod("p").label("app", "web").podAffinity(affinityTerm("region", labels("app", "db"))).build();
    assertThat(codes(other, REGIONS, List.of())).doesNotContainValue(Code.SUCCESS);
  }

  @Test
  void namespacesOfTerms() {
    List<Pod> pods = List.of(pod("s1").namespace("other").node("machine1").label("security", "S1").build());
    // by default only the pod's own namespace
    assertThat(codes(pod("p").podAffinity(affinityTerm("region", SECURITY_S1)).build(), REGIONS, pods))
        .containsEntry("machine1", Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    // named namespaces
    assertThat(codes(pod("p").podAffinity(affinityTerm("region", SECURITY_S1).withNamespaces(List.of("other"))).build(), REGIONS, pods))
        .containsEntry("machine1", Code.SUCCESS).containsEntry("machine3", Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    // an empty namespace selector selects every namespace
    assertThat(codes(pod("p").podAffinity(affinityTerm("region", SECURITY_S1).withNamespaceSelector(new LabelSelector())).build(),
        REGIONS, pods)).containsEntry("machine2", Code.SUCCESS);
    // a namespace selector is resolved through the namespaces' labels
    Namespace team = new Namespace().withMetadata(new ObjectMeta().withName("other").withLabels(Map.of("team", "a")));
    assertThat(codes(pod("p").podAffinity(affinityTerm("region", SECURITY_S1).withNamespaceSelector(labels("team", "a"))).build(),
        REGIONS, pods, team)).containsEntry("machine1", Code.SUCCESS);
    assertThat(codes(pod("p").podAffinity(affinityTerm("region", SECURITY_S1).withNamespaceSelector(labels("team", "b"))).build(),
        REGIONS, pods, team)).containsEntry("machine1", Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
  }

  // ---- anti-affinity ---------------------------------------------------------------------------

  @Test
  void requiredAntiAffinityRejectsDomainsWithMatchingPods() {
    Pod incoming = pod("p").podAntiAffinity(affinityTerm("region", SECURITY_S1)).build();
    List<Pod> pods = List.of(pod("s1").node("machine1").label("security", "S1").build());
    assertThat(codes(incoming, REGIONS, pods))
        .containsExactly(entry("machine1", Code.UNSCHEDULABLE), entry("machine2", Code.UNSCHEDULABLE), entry("machine3", Code.SUCCESS));
    // by hostname only the node itself
    Pod byHost = pod("p").podAntiAffinity(affinityTerm(HOST, SECURITY_S1)).build();
    assertThat(codes(byHost, REGIONS, pods))
        .containsExactly(entry("machine1", Code.UNSCHEDULABLE), entry("machine2", Code.SUCCESS), entry("machine3", Code.SUCCESS));
  }

  @Test
  void existingPodsAntiAffinityIsSymmetric() {
    // the existing pod refuses pods labelled security=S1 in its region; the incoming pod has no terms at all
    Pod guard = pod("guard").node("machine1").podAntiAffinity(affinityTerm("region", SECURITY_S1)).build();
    Pod incoming = pod("p").label("security", "S1").build();
    TestSnapshot snapshot = TestSnapshot.of(REGIONS, List.of(guard));
    InterPodAffinity p = plugin("{}", new TestHandle().snapshot(snapshot));
    CycleState state = new CycleState();
    assertThat(Status.isSuccess(p.preFilter(state, incoming, snapshot.list()).status())).isTrue();
    Status s = p.filter(state, incoming, snapshot.get("machine2"));
    assertThat(s.code()).isEqualTo(Code.UNSCHEDULABLE);
    assertThat(s.message()).isEqualTo("node(s) didn't satisfy existing pods anti-affinity rules");
    assertThat(p.filter(state, incoming, snapshot.get("machine3"))).isNull();
    // a pod the guard does not select is not affected
    assertThat(codes(pod("q").label("security", "S2").build(), REGIONS, List.of(guard))).doesNotContainValue(Code.UNSCHEDULABLE);
  }

  @Test
  void messagesAreUpstreams() {
    TestSnapshot snapshot = TestSnapshot.of(REGIONS, List.of(pod("s1").node("machine1").label("security", "S1").build()));
    InterPodAffinity p = plugin("{}", new TestHandle().snapshot(snapshot));
    Pod affine = pod("p").podAffinity(affinityTerm("region", labels("security", "none"))).build();
    CycleState state = new CycleState();
    p.preFilter(state, affine, snapshot.list());
    assertThat(p.filter(state, affine, snapshot.get("machine1")).message()).isEqualTo("node(s) didn't match pod affinity rules");
    Pod anti = pod("p").podAntiAffinity(affinityTerm("region", SECURITY_S1)).build();
    state = new CycleState();
    p.preFilter(state, anti, snapshot.list());
    assertThat(p.filter(state, anti, snapshot.get("machine1")).message()).isEqualTo("node(s) didn't match pod anti-affinity rules");
  }

  @Test
  void preFilterExtensionsFollowAddedAndRemovedPods() {
    Pod s1 = pod("s1").node("machine3").label("security", "S1").build();
    Pod guard = pod("guard").node("machine3").podAntiAffinity(affinityTerm(HOST, SECURITY_S1)).build();
    TestSnapshot snapshot = TestSnapshot.of(REGIONS, List.of(s1, guard));
    InterPodAffinity p = plugin("{}", new TestHandle().snapshot(snapshot));
    Pod incoming = pod("p").label("security", "S1").podAntiAffinity(affinityTerm("region", SECURITY_S1)).build();
    CycleState state = new CycleState();
    p.preFilter(state, incoming, snapshot.list());
    NodeInfo m3 = snapshot.get("machine3");
    assertThat(p.filter(state, incoming, m3).code()).isEqualTo(Code.UNSCHEDULABLE);
    // preemption removes both pods from machine3, on a copy of the state
    CycleState copy = state.copy();
    assertThat(p.removePod(copy, incoming, PodInfo.of(s1), m3)).isNull();
    assertThat(p.filter(copy, incoming, m3).message()).isEqualTo("node(s) didn't satisfy existing pods anti-affinity rules");
    assertThat(p.removePod(copy, incoming, PodInfo.of(guard), m3)).isNull();
    assertThat(p.filter(copy, incoming, m3)).isNull();
    // the original is untouched; adding a matching pod to machine1's region rejects machine2
    assertThat(p.filter(state, incoming, m3)).isNotNull();
    assertThat(p.filter(copy, incoming, snapshot.get("machine2"))).isNull();
    p.addPod(copy, incoming, PodInfo.of(pod("new").node("machine1").label("security", "S1").build()), snapshot.get("machine1"));
    assertThat(p.filter(copy, incoming, snapshot.get("machine2")).message()).isEqualTo("node(s) didn't match pod anti-affinity rules");
  }

  // ---- scoring ---------------------------------------------------------------------------------

  private static Map<String, Long> score(String args, Pod incoming, List<Node> nodes, List<Pod> pods) {
    TestSnapshot snapshot = TestSnapshot.of(nodes, pods);
    InterPodAffinity p = plugin(args, new TestHandle().snapshot(snapshot));
    CycleState state = new CycleState();
    Status s = p.preScore(state, incoming, snapshot.list());
    if (s != null && s.isSkip()) {
      Map<String, Long> zeros = new LinkedHashMap<>();
      snapshot.list().forEach(n -> zeros.put(n.name(), 0L));
      return zeros;
    }
    return Scoring.scoreAndNormalize(p, state, incoming, snapshot.list());
  }

  private static final List<Node> COUNTRIES = List.of(node("machine1", "region", "China"), node("machine2", "region", "India"),
      node("machine3", "az", "az1"));

  @Test
  void preferredAffinityScoresMatchingDomainsHigh() {
    Pod incoming = pod("p").preferredPodAffinity(5, affinityTerm("region", SECURITY_S1)).build();
    List<Pod> pods = List.of(pod("a").node("machine1").label("security", "S1").build(),
        pod("b").node("machine2").label("security", "S2").build());
    assertThat(score("{}", incoming, COUNTRIES, pods))
        .containsExactly(entry("machine1", 100L), entry("machine2", 0L), entry("machine3", 0L));
  }

  @Test
  void preferredAntiAffinityScoresMatchingDomainsLow() {
    Pod incoming = pod("p").preferredPodAntiAffinity(5, affinityTerm("region", SECURITY_S1)).build();
    List<Pod> pods = List.of(pod("a").node("machine1").label("security", "S1").build());
    // machine1 -5, others 0 -> 0, 100, 100
    assertThat(score("{}", incoming, COUNTRIES, pods))
        .containsExactly(entry("machine1", 0L), entry("machine2", 100L), entry("machine3", 100L));
  }

  @Test
  void affinityAndAntiAffinityCombine() {
    Pod incoming = pod("p")
        .preferredPodAffinity(8, affinityTerm("region", labels("tier", "cache")))
        .preferredPodAntiAffinity(5, affinityTerm("region", labels("tier", "batch"))).build();
    List<Node> nodes = List.of(node("n1", "region", "r1"), node("n2", "region", "r2"), node("n3", "region", "r3"));
    List<Pod> pods = List.of(pod("c").node("n1").label("tier", "cache").build(),
        pod("b1").node("n1").label("tier", "batch").build(),
        pod("b2").node("n2").label("tier", "batch").build());
    // raw: n1 8-5 = 3, n2 -5, n3 0 -> (3+5)/8 = 100, 0, (0+5)/8 = 62
    assertThat(score("{}", incoming, nodes, pods)).containsExactly(entry("n1", 100L), entry("n2", 0L), entry("n3", 62L));
  }

  @Test
  void existingPodsTermsCountSymmetrically() {
    // the incoming pod has no terms; an existing pod's preferred affinity and required affinity select it
    Pod incoming = pod("p").label("security", "S1").build();
    List<Pod> pods = List.of(pod("likes").node("machine1").preferredPodAffinity(5, affinityTerm("region", SECURITY_S1)).build(),
        pod("needs").node("machine2").podAffinity(affinityTerm("region", SECURITY_S1)).build());
    // machine1 +5 (preferred), machine2 +1 (hardPodAffinityWeight 1)
    assertThat(score("{}", incoming, COUNTRIES, pods))
        .containsExactly(entry("machine1", 100L), entry("machine2", 20L), entry("machine3", 0L));
    // a larger hard weight
    assertThat(score("{\"hardPodAffinityWeight\":10}", incoming, COUNTRIES, pods))
        .containsExactly(entry("machine1", 50L), entry("machine2", 100L), entry("machine3", 0L));
    // hard weight 0 ignores existing pods' required terms
    assertThat(score("{\"hardPodAffinityWeight\":0}", incoming, COUNTRIES, pods))
        .containsExactly(entry("machine1", 100L), entry("machine2", 0L), entry("machine3", 0L));
    // existing pods' preferred anti-affinity lowers their domain
    List<Pod> avoiding = List.of(pod("avoids").node("machine1").preferredPodAntiAffinity(5, affinityTerm("region", SECURITY_S1)).build());
    assertThat(score("{}", incoming, COUNTRIES, avoiding))
        .containsExactly(entry("machine1", 0L), entry("machine2", 100L), entry("machine3", 100L));
    // ignorePreferredTermsOfExistingPods: a pod without terms is not scored at all
    assertThat(score("{\"ignorePreferredTermsOfExistingPods\":true}", incoming, COUNTRIES, pods)).containsValues(0L, 0L, 0L);
  }

  @Test
  void argumentsAreValidated() {
    assertThatThrownBy(() -> plugin("{\"hardPodAffinityWeight\":101}", new TestHandle()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not in valid range [0, 100]");
    assertThatThrownBy(() -> plugin("{\"hardPodAffinityWeigth\":1}", new TestHandle()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown field");
  }
}
