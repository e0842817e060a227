package io.bosun.scheduler.plugins.podtopologyspread;

import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.BAR;
import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.FOO;
import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.existing;
import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.node;
import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.spread;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.ReplicaSetSpec;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Service;
import io.bosun.api.core.v1.ServiceSpec;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.scheduler.plugins.testkit.PodBuilder;
import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.plugins.testkit.TestHandle;
import io.bosun.scheduler.plugins.testkit.TestSnapshot;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cases from upstream's scoring_test.go (TestPodTopologySpreadScore). */
class PodTopologySpreadScoreTest {

  private static final String HOST = "kubernetes.io/hostname";
  private static final String SA = "ScheduleAnyway";

  private static Node host(String name) {
    return node(name, HOST, name);
  }

  private static Node zoneHost(String name, String zone) {
    return node(name, "zone", zone, HOST, name);
  }

  private static List<Pod> pods(String... nodeAndLabel) {
    List<Pod> out = new ArrayList<>();
    for (int i = 0; i < nodeAndLabel.length; i += 2) {
      out.add(existing("p" + i, nodeAndLabel[i], nodeAndLabel[i + 1].split(",")));
    }
    return out;
  }

  /** Scores {@code feasible} with {@code failed} present in the snapshot but filtered out. */
  private static Map<String, Long> score(String args, TestHandle handle, Pod p, List<Node> feasible, List<Node> failed,
      List<Pod> existing) {
    List<Node> all = new ArrayList<>(feasible);
    all.addAll(failed);
    TestSnapshot snapshot = TestSnapshot.of(all, existing);
    PodTopologySpread plugin = Fixtures.plugin(args, handle.snapshot(snapshot));
    List<NodeInfo> filtered = feasible.stream().map(n -> snapshot.get(n.getMetadata().getName())).toList();
    CycleState state = new CycleState();
    Status s = plugin.preScore(state, p, filtered);
    assertThat(Status.isSuccess(s)).as("PreScore: %s", s).isTrue();
    return Scoring.scoreAndNormalize(plugin, state, p, filtered);
  }

  private static Map<String, Long> score(Pod p, List<Node> feasible, List<Node> failed, List<Pod> existing) {
    return score("{\"defaultingType\":\"List\"}", new TestHandle(), p, feasible, failed, existing);
  }

  private static PodBuilder fooPod() {
    return pod("p").label("foo", "");
  }

  private static final List<Node> FOUR_HOSTS = List.of(host("node-a"), host("node-b"), host("node-c"), host("node-d"));

  @Test
  void oneConstraintOnNodeNoExistingPods() {
    assertThat(score(fooPod().spreadConstraint(spread(1, HOST, SA, FOO)).build(), List.of(host("node-a"), host("node-b")),
        List.of(), List.of())).containsExactly(entry("node-a", 100L), entry("node-b", 100L));
  }

  @Test
  void oneConstraintOnNodeAllFourCandidates() {
    // matching pods spread as 2/1/0/3
    List<Pod> existing = pods("node-a", "foo", "node-a", "foo", "node-b", "foo", "node-d", "foo", "node-d", "foo", "node-d", "foo");
    assertThat(score(fooPod().spreadConstraint(spread(1, HOST, SA, FOO)).build(), FOUR_HOSTS, List.of(), existing))
        .containsExactly(entry("node-a", 20L), entry("node-b", 60L), entry("node-c", 100L), entry("node-d", 0L));
    // a null selector matches nothing: all equal
    assertThat(score(fooPod().spreadConstraint(spread(1, HOST, SA, null)).build(), FOUR_HOSTS, List.of(), existing))
        .containsValues(100L, 100L, 100L, 100L);
    // maxSkew 2 waters the differences down
    assertThat(score(fooPod().spreadConstraint(spread(2, HOST, SA, FOO)).build(), FOUR_HOSTS, List.of(), existing))
        .containsExactly(entry("node-a", 33L), entry("node-b", 66L), entry("node-c", 100L), entry("node-d", 16L));
  }

  @Test
  void maxSkewThree() {
    // 4/3/2/1
    List<Pod> existing = pods("node-a", "foo", "node-a", "foo", "node-a", "foo", "node-a", "foo", "node-b", "foo", "node-b", "foo",
        "node-b", "foo", "node-c", "foo", "node-c", "foo", "node-d", "foo");
    assertThat(score(fooPod().spreadConstraint(spread(3, HOST, SA, FOO)).build(), FOUR_HOSTS, List.of(), existing))
        .containsExactly(entry("node-a", 44L), entry("node-b", 66L), entry("node-c", 77L), entry("node-d", 100L));
  }

  @Test
  void systemDefaultingWithAServiceSpreadsByHostWithoutZones() {
    List<Pod> existing = pods("node-a", "foo", "node-a", "foo", "node-a", "foo", "node-a", "foo", "node-b", "foo", "node-b", "foo",
        "node-b", "foo", "node-c", "foo", "node-c", "foo", "node-d", "foo");
    TestHandle handle = new TestHandle().objects(Service.class, new Service()
        .withMetadata(new ObjectMeta().withName("svc").withNamespace("default")).withSpec(new ServiceSpec().withSelector(Map.of("foo", ""))));
    // same scores as the single constraint with maxSkew 3 (the hostname default)
    assertThat(score("{}", handle, fooPod().build(), FOUR_HOSTS, List.of(), existing))
        .containsExactly(entry("node-a", 44L), entry("node-b", 66L), entry("node-c", 77L), entry("node-d", 100L));
  }

  @Test
  void systemDefaultsNeedASelectingServiceOrController() {
    TestSnapshot snapshot = TestSnapshot.of(FOUR_HOSTS, List.of());
    PodTopologySpread plugin = Fixtures.plugin("{}", new TestHandle().snapshot(snapshot));
    assertThat(plugin.preScore(new CycleState(), fooPod().build(), snapshot.list()).code()).isEqualTo(Status.Code.SKIP);
    // a ReplicaSet owner supplies its selector
    TestHandle handle = new TestHandle().snapshot(snapshot).objects(ReplicaSet.class, new ReplicaSet()
        .withMetadata(new ObjectMeta().withName("rs").withNamespace("default"))
        .withSpec(new ReplicaSetSpec().withSelector(PodBuilder.labels("app", "web"))));
    PodTopologySpread withRs = Fixtures.plugin("{}", handle);
    Pod owned = pod("p").label("app", "web").owner("apps/v1", "ReplicaSet", "rs").build();
    assertThat(withRs.defaultSelector(owned).matches(Map.of("app", "web"))).isTrue();
    assertThat(withRs.defaultSelector(owned).matches(Map.of("app", "db"))).isFalse();
    assertThat(Status.isSuccess(withRs.preScore(new CycleState(), owned, snapshot.list()))).isTrue();
  }

  @Test
  void threeOfFourCandidates() {
    // 4/2/1/~3~: node-y failed the filters but its pods still count for nothing here (hostname)
    List<Pod> existing = pods("node-a", "foo", "node-a", "foo", "node-a", "foo", "node-a", "foo", "node-b", "foo", "node-b", "foo",
        "node-x", "foo", "node-y", "foo", "node-y", "foo", "node-y", "foo");
    assertThat(score(fooPod().spreadConstraint(spread(1, HOST, SA, FOO)).build(),
        List.of(host("node-a"), host("node-b"), host("node-x")), List.of(host("node-y")), existing))
        .containsExactly(entry("node-a", 33L), entry("node-b", 83L), entry("node-x", 100L));
    // node-b without the hostname label scores 0 and is left out of the normalization
    assertThat(score(fooPod().spreadConstraint(spread(1, HOST, SA, FOO)).build(),
        List.of(host("node-a"), node("node-b", "n", "node-b"), host("node-x")), List.of(host("node-y")), existing))
        .containsExactly(entry("node-a", 16L), entry("node-b", 0L), entry("node-x", 100L));
  }

  @Test
  void oneConstraintOnZoneThreeOfFourCandidates() {
    // zones: zone1 has 4 + 2, zone2 has 1 + 3 (node-y failed but its pods count)
    List<Pod> existing = pods("node-a", "foo", "node-a", "foo", "node-a", "foo", "node-a", "foo", "node-b", "foo", "node-b", "foo",
        "node-x", "foo", "node-y", "foo", "node-y", "foo", "node-y", "foo");
    assertThat(score(fooPod().spreadConstraint(spread(1, "zone", SA, FOO)).build(),
        List.of(zoneHost("node-a", "zone1"), zoneHost("node-b", "zone1"), zoneHost("node-x", "zone2")),
        List.of(zoneHost("node-y", "zone2")), existing))
        .containsExactly(entry("node-a", 75L), entry("node-b", 75L), entry("node-x", 100L));
  }

  @Test
  void twoConstraintsOnZoneAndNode() {
    // 2/~1~/2/~4~
    List<Pod> existing = pods("node-a", "foo", "node-a", "foo", "node-b", "foo", "node-x", "foo", "node-x", "foo",
        "node-y", "foo", "node-y", "foo", "node-y", "foo", "node-y", "foo");
    assertThat(score(fooPod().spreadConstraint(spread(1, "zone", SA, FOO)).spreadConstraint(spread(1, HOST, SA, FOO)).build(),
        List.of(zoneHost("node-a", "zone1"), zoneHost("node-x", "zone2")),
        List.of(zoneHost("node-b", "zone1"), zoneHost("node-y", "zone2")), existing))
        .containsExactly(entry("node-a", 100L), entry("node-x", 63L));
  }

  @Test
  void twoConstraintsWithDifferentSelectors() {
    List<Node> nodes = List.of(zoneHost("node-a", "zone1"), zoneHost("node-b", "zone1"), zoneHost("node-x", "zone2"),
        zoneHost("node-y", "zone2"));
    Pod p = pod("p").label("foo", "").label("bar", "")
        .spreadConstraint(spread(1, "zone", SA, FOO)).spreadConstraint(spread(1, HOST, SA, BAR)).build();
    // zone: 2/2/1/1, node: 0/1/0/1
    assertThat(score(p, nodes, List.of(), pods("node-a", "foo", "node-b", "foo,bar", "node-y", "foo", "node-y", "bar")))
        .containsExactly(entry("node-a", 60L), entry("node-b", 20L), entry("node-x", 100L), entry("node-y", 60L));
    // zone: 0/0/2/2, node: 0/1/0/1
    assertThat(score(p, nodes, List.of(), pods("node-b", "bar", "node-x", "foo", "node-y", "foo,bar")))
        .containsExactly(entry("node-a", 100L), entry("node-b", 60L), entry("node-x", 40L), entry("node-y", 0L));
  }

  @Test
  void podWithoutSoftConstraintsIsNotScored() {
    TestSnapshot snapshot = TestSnapshot.of(FOUR_HOSTS, List.of());
    PodTopologySpread plugin = Fixtures.plugin("{\"defaultingType\":\"List\"}", new TestHandle().snapshot(snapshot));
    assertThat(plugin.preScore(new CycleState(), fooPod().spreadConstraint(spread(1, HOST, "DoNotSchedule", FOO)).build(),
        snapshot.list()).code()).isEqualTo(Status.Code.SKIP);
  }
}
