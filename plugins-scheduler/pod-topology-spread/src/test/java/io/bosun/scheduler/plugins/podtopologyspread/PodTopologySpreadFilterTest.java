package io.bosun.scheduler.plugins.podtopologyspread;

import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.BAR;
import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.FOO;
import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.existing;
import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.listPlugin;
import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.node;
import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.spread;
import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.zoned;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.plugins.testkit.NodeBuilder;
import io.bosun.scheduler.plugins.testkit.PodBuilder;
import io.bosun.scheduler.plugins.testkit.TestSnapshot;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.PreFilterResult;
import io.bosun.scheduler.spi.Status;
import io.bosun.scheduler.spi.Status.Code;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cases from upstream's filtering_test.go (TestSingleConstraint, TestMultipleConstraints, PreFilter state updates). */
class PodTopologySpreadFilterTest {

  private static final Code OK = Code.SUCCESS;
  private static final Code NO = Code.UNSCHEDULABLE;
  private static final Code NEVER = Code.UNSCHEDULABLE_AND_UNRESOLVABLE;
  private static final String DNS = "DoNotSchedule";

  private static List<Node> fourNodes() {
    return List.of(zoned("node-a", "zone1"), zoned("node-b", "zone1"), zoned("node-x", "zone2"), zoned("node-y", "zone2"));
  }

  /** Upstream's 2/1/0/3 spread over node-a, node-b, node-x, node-y. */
  private static List<Pod> spread2103() {
    return List.of(existing("p-a1", "node-a", "foo"), existing("p-a2", "node-a", "foo"), existing("p-b1", "node-b", "foo"),
        existing("p-y1", "node-y", "foo"), existing("p-y2", "node-y", "foo"), existing("p-y3", "node-y", "foo"));
  }

  private static Map<String, Code> codes(Pod incoming, List<Node> nodes, List<Pod> pods) {
    TestSnapshot snapshot = TestSnapshot.of(nodes, pods);
    PodTopologySpread plugin = listPlugin(snapshot);
    CycleState state = new CycleState();
    PreFilterResult r = plugin.preFilter(state, incoming, snapshot.list());
    assertThat(Status.isSuccess(r.status())).as("PreFilter: %s", r.status()).isTrue();
    Map<String, Code> out = new LinkedHashMap<>();
    for (NodeInfo n : snapshot.list()) {
      out.put(n.name(), Status.code(plugin.filter(state, incoming, n)));
    }
    return out;
  }

  private static PodBuilder incoming(String... labelKeys) {
    PodBuilder b = pod("p");
    for (String k : labelKeys) {
      b.label(k, "");
    }
    return b;
  }

  @Test
  void noExistingPods() {
    assertThat(codes(incoming("foo").spreadConstraint(spread(1, "zone", DNS, FOO)).build(), fourNodes(), List.of()))
        .containsOnlyKeys("node-a", "node-b", "node-x", "node-y").doesNotContainValue(NO);
    // the incoming pod not matching itself changes nothing here
    assertThat(codes(incoming("foo").spreadConstraint(spread(1, "zone", DNS, BAR)).build(), fourNodes(), List.of()))
        .doesNotContainValue(NO);
  }

  @Test
  void existingPodsInOtherNamespacesDoNotCount() {
    List<Pod> pods = List.of(pod("p-a1").namespace("ns1").node("node-a").label("foo", "").build(),
        pod("p-b1").namespace("ns2").node("node-a").label("foo", "").build(),
        existing("p-x1", "node-x", "foo"), existing("p-y1", "node-y", "foo"));
    assertThat(codes(incoming("foo").spreadConstraint(spread(1, "zone", DNS, FOO)).build(), fourNodes(), pods))
        .containsExactly(entry("node-a", OK), entry("node-b", OK), entry("node-x", NO), entry("node-y", NO));
  }

  @Test
  void nullSelectorMatchesNoExistingPod() {
    List<Pod> pods = List.of(existing("p-x1", "node-x", "foo"), existing("p-y1", "node-y", "foo"));
    assertThat(codes(incoming("foo").spreadConstraint(spread(1, "zone", DNS, null)).build(), fourNodes(), pods))
        .doesNotContainValue(NO);
  }

  @Test
  void spreadAcrossZonesAsThreeThreeAllFit() {
    assertThat(codes(incoming("foo").spreadConstraint(spread(1, "zone", DNS, FOO)).build(), fourNodes(), spread2103()))
        .doesNotContainValue(NO);
  }

  @Test
  void nodeWithoutTheTopologyKeyIsUnresolvableAndDoesNotCount() {
    // node-b has "zon" instead of "zone": zones spread 1/2.
    List<Node> nodes = List.of(zoned("node-a", "zone1"), node("node-b", "zon", "zone1", "node", "node-b"),
        zoned("node-x", "zone2"), zoned("node-y", "zone2"));
    List<Pod> pods = List.of(existing("p-a1", "node-a", "foo"), existing("p-b1", "node-b", "foo"),
        existing("p-x1", "node-x", "foo"), existing("p-y1", "node-y", "foo"));
    Pod p = incoming("foo").spreadConstraint(spread(1, "zone", DNS, FOO)).build();
    assertThat(codes(p, nodes, pods))
        .containsExactly(entry("node-a", OK), entry("node-b", NEVER), entry("node-x", NO), entry("node-y", NO));
    TestSnapshot snapshot = TestSnapshot.of(nodes, pods);
    CycleState state = new CycleState();
    PodTopologySpread plugin = listPlugin(snapshot);
    plugin.preFilter(state, p, snapshot.list());
    assertThat(plugin.filter(state, p, snapshot.get("node-b")).message())
        .isEqualTo("node(s) didn't match pod topology spread constraints (missing required label)");
    assertThat(plugin.filter(state, p, snapshot.get("node-x")).message())
        .isEqualTo("node(s) didn't match pod topology spread constraints");
  }

  @Test
  void noNodeHasTheKey() {
    List<Node> nodes = List.of(zoned("node-a", "zone1"), zoned("node-x", "zone2"));
    assertThat(codes(incoming("foo").spreadConstraint(spread(1, "rack", DNS, FOO)).build(), nodes, List.of()))
        .containsExactly(entry("node-a", NEVER), entry("node-x", NEVER));
  }

  @Test
  void spreadAcrossNodesTwoOneZeroThree() {
    assertThat(codes(incoming("foo").spreadConstraint(spread(1, "node", DNS, FOO)).build(), fourNodes(), spread2103()))
        .containsExactly(entry("node-a", NO), entry("node-b", NO), entry("node-x", OK), entry("node-y", NO));
    // maxSkew 2
    assertThat(codes(incoming("foo").spreadConstraint(spread(2, "node", DNS, FOO)).build(), fourNodes(), spread2103()))
        .containsExactly(entry("node-a", NO), entry("node-b", OK), entry("node-x", OK), entry("node-y", NO));
    // the incoming pod does not match itself
    assertThat(codes(incoming("bar").spreadConstraint(spread(1, "node", DNS, FOO)).build(), fourNodes(), spread2103()))
        .containsExactly(entry("node-a", NO), entry("node-b", OK), entry("node-x", OK), entry("node-y", NO));
  }

  @Test
  void terminatingPodsDoNotCount() {
    List<Pod> pods = List.of(existing("p-a1", "node-a", "foo"),
        pod("p-x1").node("node-x").label("foo", "").terminating().build());
    // zone2's pod is terminating: zones 1/0, so only zone2 fits
    assertThat(codes(incoming("foo").spreadConstraint(spread(1, "zone", DNS, FOO)).build(), fourNodes(), pods))
        .containsExactly(entry("node-a", NO), entry("node-b", NO), entry("node-x", OK), entry("node-y", OK));
  }

  @Test
  void threeZonesMaxSkewOne() {
    List<Node> nodes = List.of(zoned("a", "z1"), zoned("b", "z2"), zoned("c", "z3"));
    // 1/1/0: only the empty zone fits; after it, 1/1/1: all fit
    assertThat(codes(incoming("foo").spreadConstraint(spread(1, "zone", DNS, FOO)).build(), nodes,
        List.of(existing("p1", "a", "foo"), existing("p2", "b", "foo"))))
        .containsExactly(entry("a", NO), entry("b", NO), entry("c", OK));
    assertThat(codes(incoming("foo").spreadConstraint(spread(1, "zone", DNS, FOO)).build(), nodes,
        List.of(existing("p1", "a", "foo"), existing("p2", "b", "foo"), existing("p3", "c", "foo"))))
        .doesNotContainValue(NO);
  }

  @Test
  void minDomains() {
    List<Pod> pods = List.of(existing("p-b1", "node-a", "foo"), existing("p-b2", "node-b", "foo"), existing("p-y1", "node-y", "foo"));
    // zones 2/1, maxSkew 2, minDomains 3 > 2 domains: the global minimum is 0, so zone1 (2+1-0 > 2) is full
    assertThat(codes(incoming("foo").spreadConstraint(spread(2, "zone", DNS, FOO).withMinDomains(3)).build(), fourNodes(), pods))
        .containsExactly(entry("node-a", NO), entry("node-b", NO), entry("node-x", OK), entry("node-y", OK));
    // minDomains 1 < 2 domains: minimum 1, all fit
    assertThat(codes(incoming("foo").spreadConstraint(spread(2, "zone", DNS, FOO).withMinDomains(1)).build(), fourNodes(), pods))
        .doesNotContainValue(NO);
    // upstream's "3 domains exist but minDomains 4": with one pod per zone and maxSkew 1, no zone fits
    List<Node> three = List.of(zoned("a", "z1"), zoned("b", "z2"), zoned("c", "z3"));
    assertThat(codes(incoming("foo").spreadConstraint(spread(1, "zone", DNS, FOO).withMinDomains(4)).build(), three,
        List.of(existing("p1", "a", "foo"), existing("p2", "b", "foo"), existing("p3", "c", "foo"))))
        .containsExactly(entry("a", NO), entry("b", NO), entry("c", NO));
  }

  @Test
  void nodeAffinityPolicy() {
    List<Node> nodes = List.of(node("node-a", "node", "node-a", "foo", ""), node("node-b", "node", "node-b", "foo", ""),
        node("node-x", "node", "node-x", "foo", ""), node("node-y", "node", "node-y"));
    List<Pod> pods = List.of(existing("p-b1", "node-a", "foo"), existing("p-b2", "node-b", "foo"), existing("p-y1", "node-y", "foo"));
    // Honor (default): node-y does not match the pod's node selector and does not count: 1/1/0/~1~
    assertThat(codes(incoming("foo").nodeSelector("foo", "").spreadConstraint(spread(1, "node", DNS, FOO)).build(), nodes, pods))
        .containsExactly(entry("node-a", NO), entry("node-b", NO), entry("node-x", OK), entry("node-y", OK));
    assertThat(codes(incoming("foo").nodeAffinityIn("foo", "").spreadConstraint(spread(1, "node", DNS, FOO)).build(), nodes, pods))
        .containsExactly(entry("node-a", NO), entry("node-b", NO), entry("node-x", OK), entry("node-y", OK));
    // Ignore: node-y counts
    assertThat(codes(incoming("foo").nodeSelector("foo", "").spreadConstraint(spread(1, "node", DNS, FOO)
        .withNodeAffinityPolicy("Ignore")).build(), nodes, pods))
        .containsExactly(entry("node-a", NO), entry("node-b", NO), entry("node-x", OK), entry("node-y", NO));
    // Honor with affinity: only node-a and node-y count (2/~1~/~0~/3), so node-a fits
    Pod withAffinity = incoming("foo").nodeAffinityIn("node", "node-a", "node-y").spreadConstraint(spread(1, "node", DNS, FOO)).build();
    assertThat(codes(withAffinity, fourNodes(), spread2103()))
        .containsExactly(entry("node-a", OK), entry("node-b", OK), entry("node-x", OK), entry("node-y", NO));
  }

  @Test
  void nodeTaintsPolicy() {
    List<Node> nodes = List.of(node("node-a", "node", "node-a"), node("node-b", "node", "node-b"), node("node-x", "node", "node-x"),
        NodeBuilder.node("node-y").label("node", "node-y").taint("node.kubernetes.io/unschedulable", "", "NoSchedule").build());
    List<Pod> pods = List.of(existing("p-b1", "node-a", "foo"), existing("p-b2", "node-b", "foo"), existing("p-y1", "node-y", "foo"));
    // Honor: the tainted node does not count
    assertThat(codes(incoming("foo").spreadConstraint(spread(1, "node", DNS, FOO).withNodeTaintsPolicy("Honor")).build(), nodes, pods))
        .containsExactly(entry("node-a", NO), entry("node-b", NO), entry("node-x", OK), entry("node-y", OK));
    // Honor, but the pod tolerates the taint: it counts again
    assertThat(codes(incoming("foo").toleration("node.kubernetes.io/unschedulable", "Exists", null, "NoSchedule")
        .spreadConstraint(spread(1, "node", DNS, FOO).withNodeTaintsPolicy("Honor")).build(), nodes, pods))
        .containsExactly(entry("node-a", NO), entry("node-b", NO), entry("node-x", OK), entry("node-y", NO));
    // Ignore (default)
    assertThat(codes(incoming("foo").spreadConstraint(spread(1, "node", DNS, FOO)).build(), nodes, pods))
        .containsExactly(entry("node-a", NO), entry("node-b", NO), entry("node-x", OK), entry("node-y", NO));
  }

  @Test
  void matchLabelKeysNarrowTheSelectorToThePodsValues() {
    List<Pod> pods = List.of(pod("old-1").node("node-a").label("foo", "").label("rev", "1").build(),
        pod("old-2").node("node-a").label("foo", "").label("rev", "1").build(),
        pod("new-1").node("node-x").label("foo", "").label("rev", "2").build());
    Pod rev2 = pod("p").label("foo", "").label("rev", "2")
        .spreadConstraint(spread(1, "zone", DNS, FOO).withMatchLabelKeys(List.of("rev"))).build();
    // only rev=2 pods count: zones 0/1, so zone1 fits and zone2 does not
    assertThat(codes(rev2, fourNodes(), pods))
        .containsExactly(entry("node-a", OK), entry("node-b", OK), entry("node-x", NO), entry("node-y", NO));
    // without matchLabelKeys: zones 2/1
    Pod plain = pod("p").label("foo", "").label("rev", "2").spreadConstraint(spread(1, "zone", DNS, FOO)).build();
    assertThat(codes(plain, fourNodes(), pods))
        .containsExactly(entry("node-a", NO), entry("node-b", NO), entry("node-x", OK), entry("node-y", OK));
  }

  @Test
  void multipleConstraintsMustAllHold() {
    Pod p = incoming("foo").spreadConstraint(spread(1, "zone", DNS, FOO)).spreadConstraint(spread(1, "node", DNS, FOO)).build();
    // [3/3, 2/1/0/3]: zone allows all, node allows node-x
    assertThat(codes(p, fourNodes(), spread2103()))
        .containsExactly(entry("node-a", NO), entry("node-b", NO), entry("node-x", OK), entry("node-y", NO));
    // [3/4, 2/1/0/4]: zone allows zone1, node allows node-x: none
    List<Pod> more = new java.util.ArrayList<>(spread2103());
    more.add(existing("p-y4", "node-y", "foo"));
    assertThat(codes(p, fourNodes(), more)).doesNotContainValue(OK);
    // different selectors, [1/0, 1/0/0/1]: node-x
    Pod both = incoming("foo", "bar").spreadConstraint(spread(1, "zone", DNS, FOO)).spreadConstraint(spread(1, "node", DNS, BAR)).build();
    assertThat(codes(both, fourNodes(), List.of(existing("p-a1", "node-a", "foo"), existing("p-y1", "node-y", "bar"))))
        .containsExactly(entry("node-a", NO), entry("node-b", NO), entry("node-x", OK), entry("node-y", NO));
  }

  @Test
  void podWithoutHardConstraintsSkipsFilter() {
    TestSnapshot snapshot = TestSnapshot.of(fourNodes(), List.of());
    PreFilterResult r = listPlugin(snapshot).preFilter(new CycleState(),
        incoming("foo").spreadConstraint(spread(1, "zone", "ScheduleAnyway", FOO)).build(), snapshot.list());
    assertThat(r.status().isSkip()).isTrue();
    // nor with the system defaults, which are all ScheduleAnyway
    PodTopologySpread system = Fixtures.plugin("{}", new io.bosun.scheduler.plugins.testkit.TestHandle().snapshot(snapshot));
    assertThat(system.preFilter(new CycleState(), incoming("foo").build(), snapshot.list()).status().isSkip()).isTrue();
  }

  // ---- PreFilter extensions (upstream's TestPreFilterStateAddPod / RemovePod) ------------------

  private static PreFilterState stateAfter(Pod preemptor, List<Node> nodes, List<Pod> pods, Pod changed, String node, boolean add) {
    TestSnapshot snapshot = TestSnapshot.of(nodes, pods);
    PodTopologySpread plugin = listPlugin(snapshot);
    CycleState state = new CycleState();
    plugin.preFilter(state, preemptor, snapshot.list());
    CycleState copy = state.copy();
    Status s = add ? plugin.addPod(copy, preemptor, io.bosun.scheduler.spi.PodInfo.of(changed), snapshot.get(node))
        : plugin.removePod(copy, preemptor, io.bosun.scheduler.spi.PodInfo.of(changed), snapshot.get(node));
    assertThat(Status.isSuccess(s)).isTrue();
    // the original state is untouched by changes to the copy
    PreFilterState original = state.read(PodTopologySpread.PRE_FILTER_KEY);
    PreFilterState updated = copy.read(PodTopologySpread.PRE_FILTER_KEY);
    assertThat(original).isNotSameAs(updated);
    return updated;
  }

  @Test
  void addPodUpdatesCountsAndCriticalPaths() {
    Pod preemptor = incoming("foo").spreadConstraint(spread(1, "node", DNS, FOO)).build();
    List<Node> nodes = List.of(zoned("node-a", "zone1"), zoned("node-b", "zone1"));
    // node a and b both impact current min match
    PreFilterState s = stateAfter(preemptor, nodes, List.of(), existing("p-a1", "node-a", "foo"), "node-a", true);
    assertThat(s.matchNum.get(0)).containsOnly(entry("node-a", 1), entry("node-b", 0));
    assertThat(s.paths[0].toString()).isEqualTo("[{node-b 0} {node-a 1}]");
    // only node a impacts the current min match
    s = stateAfter(preemptor, nodes, List.of(existing("p-b1", "node-b", "foo")), existing("p-a1", "node-a", "foo"), "node-a", true);
    assertThat(s.paths[0].toString()).isEqualTo("[{node-a 1} {node-b 1}]");
    // a pod in another namespace changes nothing
    s = stateAfter(preemptor, nodes, List.of(existing("p-b1", "node-b", "foo")),
        pod("p-a1").namespace("ns1").node("node-a").label("foo", "").build(), "node-a", true);
    assertThat(s.paths[0].toString()).isEqualTo("[{node-a 0} {node-b 1}]");
    // a pod not matching the selector changes nothing
    s = stateAfter(preemptor, nodes, List.of(), existing("p-a1", "node-a", "bar"), "node-a", true);
    assertThat(s.matchNum.get(0)).containsOnly(entry("node-a", 0), entry("node-b", 0));
  }

  @Test
  void removePodUpdatesCountsAndCriticalPaths() {
    Pod preemptor = incoming("foo").spreadConstraint(spread(1, "zone", DNS, FOO)).build();
    List<Node> nodes = List.of(zoned("node-a", "zone1"), zoned("node-b", "zone1"), zoned("node-x", "zone2"));
    Pod a1 = existing("p-a1", "node-a", "foo");
    List<Pod> pods = List.of(a1, existing("p-b1", "node-b", "foo"), existing("p-x1", "node-x", "foo"), existing("p-x2", "node-x", "foo"));
    // zones 2/2; removing p-a1: 1/2
    PreFilterState s = stateAfter(preemptor, nodes, pods, a1, "node-a", false);
    assertThat(s.matchNum.get(0)).containsOnly(entry("zone1", 1), entry("zone2", 2));
    assertThat(s.paths[0].toString()).isEqualTo("[{zone1 1} {zone2 2}]");
    // after the removal, zone2 is no longer within the skew (2 + 1 - 1 > 1)
    TestSnapshot snapshot = TestSnapshot.of(nodes, pods);
    PodTopologySpread plugin = listPlugin(snapshot);
    CycleState state = new CycleState();
    plugin.preFilter(state, preemptor, snapshot.list());
    assertThat(plugin.filter(state, preemptor, snapshot.get("node-x"))).isNull();
    plugin.removePod(state, preemptor, io.bosun.scheduler.spi.PodInfo.of(a1), snapshot.get("node-a"));
    assertThat(plugin.filter(state, preemptor, snapshot.get("node-x")).code()).isEqualTo(NO);
  }

  @Test
  void criticalPathsKeepTheMinimum() {
    PreFilterState.CriticalPaths p = new PreFilterState.CriticalPaths();
    p.update("a", 3);
    p.update("b", 1);
    p.update("c", 2);
    assertThat(p.toString()).isEqualTo("[{b 1} {c 2}]");
    p.update("b", 4); // the minimum grows: the other entry takes its place
    assertThat(p.minNum()).isEqualTo(2);
    p.update("a", 0);
    assertThat(p.toString()).isEqualTo("[{a 0} {c 2}]");
  }
}
