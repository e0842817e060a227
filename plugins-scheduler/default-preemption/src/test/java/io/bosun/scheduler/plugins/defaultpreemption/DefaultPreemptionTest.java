package io.bosun.scheduler.plugins.defaultpreemption;

import static io.bosun.scheduler.plugins.testkit.NodeBuilder.node;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.policy.v1.PodDisruptionBudget;
import io.bosun.api.policy.v1.PodDisruptionBudgetSpec;
import io.bosun.api.policy.v1.PodDisruptionBudgetStatus;
import io.bosun.scheduler.plugins.testkit.PodBuilder;
import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.plugins.testkit.TestHandle;
import io.bosun.scheduler.plugins.testkit.TestSnapshot;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.ExtensionPoint;
import io.bosun.scheduler.spi.FilterPlugin;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.NodeToStatus;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.PostFilterResult;
import io.bosun.scheduler.spi.PreFilterExtensions;
import io.bosun.scheduler.spi.PreFilterPlugin;
import io.bosun.scheduler.spi.PreFilterResult;
import io.bosun.scheduler.spi.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Cases after upstream's default_preemption_test.go (SelectVictimsOnNode, pickOneNodeForPreemption, PostFilter). */
class DefaultPreemptionTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** The profile's filter for these tests: CPU and pod count, as NodeResourcesFit would check them. */
  static final class CpuFit implements FilterPlugin {
    @Override
    public String name() {
      return "CpuFit";
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo n) {
      long want = PodInfo.of(pod).requests().milliCpu();
      if (n.requested().milliCpu() + want > n.allocatable().milliCpu()) {
        return Status.unschedulable("Insufficient cpu");
      }
      return null;
    }
  }

  /** Records the PreFilter extension calls made while preempting. */
  static final class Recorder implements PreFilterPlugin, PreFilterExtensions {
    final AtomicInteger added = new AtomicInteger();
    final AtomicInteger removed = new AtomicInteger();

    @Override
    public String name() {
      return "Recorder";
    }

    @Override
    public PreFilterResult preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
      return PreFilterResult.success();
    }

    @Override
    public PreFilterExtensions preFilterExtensions() {
      return this;
    }

    @Override
    public Status addPod(CycleState state, Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo) {
      added.incrementAndGet();
      return null;
    }

    @Override
    public Status removePod(CycleState state, Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo) {
      removed.incrementAndGet();
      return null;
    }
  }

  private static Node cpuNode(String name, String cpu) {
    return node(name).capacity("cpu", cpu, "memory", "100Gi", "pods", "100").build();
  }

  private static Pod running(String name, String node, int priority, String cpu, long startSecond) {
    return pod(name).node(node).priority(priority).container(cpu, null).startTime(T0.plusSeconds(startSecond)).build();
  }

  private static PodBuilder preemptor(int priority, String cpu) {
    return pod("preemptor").priority(priority).container(cpu, null);
  }

  /** Every node rejected as Unschedulable, as after a resource filter failure. */
  private static NodeToStatus allUnschedulable(List<Node> nodes) {
    Map<String, Status> m = new HashMap<>();
    nodes.forEach(n -> m.put(n.getMetadata().getName(), Status.unschedulable("Insufficient cpu")));
    return new NodeToStatus(m, Status.unresolvable("not evaluated"));
  }

  private record Run(PostFilterResult result, TestHandle handle) {
    List<String> deleted() {
      return handle.deletions.stream().map(d -> d.victim().getMetadata().getName()).toList();
    }
  }

  private static Run run(Pod incoming, List<Node> nodes, List<Pod> pods, PodDisruptionBudget... pdbs) {
    return run(incoming, nodes, pods, allUnschedulable(nodes), new TestHandle(), pdbs);
  }

  private static Run run(Pod incoming, List<Node> nodes, List<Pod> pods, NodeToStatus statuses, TestHandle handle,
      PodDisruptionBudget... pdbs) {
    handle.snapshot(TestSnapshot.of(nodes, pods)).filters(new CpuFit()).objects(PodDisruptionBudget.class, pdbs);
    DefaultPreemption p = new DefaultPreemption(handle, 10, 100, n -> 0, () -> T0.plusSeconds(1000));
    return new Run(p.postFilter(new CycleState(), incoming, statuses), handle);
  }

  private static PodDisruptionBudget pdb(String app, int allowed, String... disruptedPods) {
    Map<String, String> disrupted = new HashMap<>();
    for (String d : disruptedPods) {
      disrupted.put(d, "2026-01-01T00:00:00Z");
    }
    return new PodDisruptionBudget().withMetadata(new ObjectMeta().withName("pdb-" + app).withNamespace("default"))
        .withSpec(new PodDisruptionBudgetSpec().withSelector(PodBuilder.labels("app", app)))
        .withStatus(new PodDisruptionBudgetStatus().withDisruptionsAllowed(allowed).withDisruptedPods(disrupted));
  }

  @Test
  void postFilterOnly() {
    assertThat(ExtensionPoint.of(new DefaultPreemptionFactory().create(Scoring.args("{}"), new TestHandle())))
        .containsExactly(ExtensionPoint.POST_FILTER);
  }

  // ---- victims on one node ---------------------------------------------------------------------

  @Test
  void evictsOnlyWhatIsNeededLowestPriorityFirst() {
    List<Node> nodes = List.of(cpuNode("n1", "3000m"));
    List<Pod> pods = List.of(running("low1", "n1", 1, "1000m", 0), running("low2", "n1", 2, "1000m", 0),
        running("high", "n1", 100, "1000m", 0));
    Run r = run(preemptor(10, "1000m").build(), nodes, pods);
    assertThat(r.result().status().isSuccess()).isTrue();
    assertThat(r.result().nominatedNodeName()).isEqualTo("n1");
    assertThat(r.deleted()).containsExactly("low1");
    assertThat(r.handle().deletions.get(0).message()).isEqualTo("Preempted by pod default/preemptor on node n1");
    // needing 2000m takes both lower-priority pods, never the higher one
    assertThat(run(preemptor(10, "2000m").build(), nodes, pods).deleted()).containsExactlyInAnyOrder("low1", "low2");
  }

  @Test
  void equalPriorityPodsAreNeverVictims() {
    List<Node> nodes = List.of(cpuNode("n1", "1000m"));
    Run r = run(preemptor(10, "1000m").build(), nodes, List.of(running("same", "n1", 10, "1000m", 0)));
    assertThat(r.result().status().code()).isEqualTo(Status.Code.UNSCHEDULABLE);
    assertThat(r.result().status().message())
        .isEqualTo("preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
    assertThat(r.deleted()).isEmpty();
  }

  @Test
  void nodeThatCannotFitEvenEmptyIsNoCandidate() {
    List<Node> nodes = List.of(cpuNode("small", "500m"), cpuNode("big", "2000m"));
    List<Pod> pods = List.of(running("a", "small", 1, "500m", 0), running("b", "big", 1, "2000m", 0));
    Run r = run(preemptor(10, "1000m").build(), nodes, pods);
    assertThat(r.result().nominatedNodeName()).isEqualTo("big");
    assertThat(r.deleted()).containsExactly("b");
  }

  @Test
  void pdbViolatingVictimsAreReprievedFirst() {
    List<Node> nodes = List.of(cpuNode("n1", "2000m"));
    List<Pod> pods = List.of(
        pod("low-a").node("n1").priority(1).label("app", "a").container("1000m", null).startTime(T0).build(),
        pod("low-b").node("n1").priority(2).label("app", "b").container("1000m", null).startTime(T0).build());
    // without budgets the lowest priority goes
    assertThat(run(preemptor(10, "1000m").build(), nodes, pods).deleted()).containsExactly("low-a");
    // a budget protecting low-a makes low-b the victim
    assertThat(run(preemptor(10, "1000m").build(), nodes, pods, pdb("a", 0)).deleted()).containsExactly("low-b");
    // a budget with an allowed disruption does not protect
    assertThat(run(preemptor(10, "1000m").build(), nodes, pods, pdb("a", 1)).deleted()).containsExactly("low-a");
  }

  @Test
  void pdbSplitFollowsUpstream() {
    List<PodInfo> pods = List.of(
        pod("a1").label("app", "a").build(), pod("a2").label("app", "a").build(),
        pod("b1").label("app", "b").build(), pod("nolabels").build(),
        pod("other-ns").namespace("x").label("app", "a").build(), pod("a3").label("app", "a").build())
        .stream().map(PodInfo::of).toList();
    List<PodInfo> violating = new ArrayList<>();
    List<PodInfo> nonViolating = new ArrayList<>();
    // budget a allows 1 disruption and a2 is already being disrupted through it; budget b allows none
    DefaultPreemption.splitByPdbViolation(pods, List.of(pdb("a", 1, "a2"), pdb("b", 0)), violating, nonViolating);
    assertThat(violating).extracting(PodInfo::name).containsExactly("b1", "a3");
    assertThat(nonViolating).extracting(PodInfo::name).containsExactly("a1", "a2", "nolabels", "other-ns");
  }

  @Test
  void preFilterExtensionsSeeEveryRemovalAndReprieve() {
    List<Node> nodes = List.of(cpuNode("n1", "3000m"));
    List<Pod> pods = List.of(running("low1", "n1", 1, "1000m", 0), running("low2", "n1", 2, "1000m", 0),
        running("high", "n1", 100, "1000m", 0));
    Recorder recorder = new Recorder();
    TestHandle handle = new TestHandle().preFilters(recorder);
    run(preemptor(10, "1000m").build(), nodes, pods, allUnschedulable(nodes), handle);
    // two removals up front, two reprieve attempts (adds), one failed reprieve removed again
    assertThat(recorder.removed.get()).isEqualTo(3);
    assertThat(recorder.added.get()).isEqualTo(2);
  }

  @Test
  void nominatedPodsOfHigherPriorityKeepTheirRoom() {
    List<Node> nodes = List.of(cpuNode("n1", "2000m"));
    List<Pod> pods = List.of(running("low1", "n1", 1, "1000m", 0), running("low2", "n1", 2, "1000m", 0));
    // a pod of priority 50 is nominated to n1 and needs 1000m: both low pods must go
    TestHandle handle = new TestHandle().nominated("n1", pod("nominee").priority(50).container("1000m", null).build());
    Run r = run(preemptor(10, "1000m").build(), nodes, pods, allUnschedulable(nodes), handle);
    assertThat(r.deleted()).containsExactlyInAnyOrder("low1", "low2");
  }

  // ---- node choice -----------------------------------------------------------------------------

  @Test
  void prefersNodesWithoutPdbViolations() {
    List<Node> nodes = List.of(cpuNode("n1", "1000m"), cpuNode("n2", "1000m"));
    List<Pod> pods = List.of(
        pod("protected").node("n1").priority(1).label("app", "a").container("1000m", null).startTime(T0).build(),
        pod("free").node("n2").priority(5).label("app", "b").container("1000m", null).startTime(T0).build());
    Run r = run(preemptor(10, "1000m").build(), nodes, pods, pdb("a", 0));
    assertThat(r.result().nominatedNodeName()).isEqualTo("n2");
  }

  @Test
  void prefersTheLowestHighestVictimPriority() {
    List<Node> nodes = List.of(cpuNode("n1", "1000m"), cpuNode("n2", "1000m"));
    List<Pod> pods = List.of(running("p5", "n1", 5, "1000m", 0), running("p3", "n2", 3, "1000m", 0));
    assertThat(run(preemptor(10, "1000m").build(), nodes, pods).result().nominatedNodeName()).isEqualTo("n2");
  }

  @Test
  void thenTheSmallestSumOfPriorities() {
    List<Node> nodes = List.of(cpuNode("n1", "2000m"), cpuNode("n2", "2000m"));
    List<Pod> pods = List.of(running("a", "n1", 3, "1000m", 0), running("b", "n1", 3, "1000m", 0),
        running("c", "n2", 3, "1000m", 0), running("d", "n2", 1, "1000m", 0));
    Run r = run(preemptor(10, "2000m").build(), nodes, pods);
    assertThat(r.result().nominatedNodeName()).isEqualTo("n2");
    assertThat(r.deleted()).containsExactlyInAnyOrder("c", "d");
  }

  @Test
  void thenFewestVictimsThenLatestStartThenFirst() {
    DefaultPreemption p = new DefaultPreemption(new TestHandle(), 10, 100, n -> 0, () -> T0);
    PodInfo zero = PodInfo.of(pod("z").priority(0).startTime(T0).build());
    PodInfo min = PodInfo.of(pod("m").priority(Integer.MIN_VALUE).startTime(T0).build());
    // equal highest priority and, shifted, equal sums: the single victim wins
    Candidate one = new Candidate("one", List.of(zero), 0);
    Candidate two = new Candidate("two", List.of(zero, min), 0);
    assertThat(p.selectCandidate(List.of(two, one)).nodeName()).isEqualTo("one");
    // all equal but start times: the node whose highest-priority victims started last wins
    Candidate early = new Candidate("early", List.of(PodInfo.of(pod("e").priority(1).startTime(T0).build())), 0);
    Candidate late = new Candidate("late", List.of(PodInfo.of(pod("l").priority(1).startTime(T0.plusSeconds(60)).build())), 0);
    assertThat(p.selectCandidate(List.of(early, late)).nodeName()).isEqualTo("late");
    // the start time of lower-priority victims does not matter
    Candidate mixed = new Candidate("mixed", List.of(PodInfo.of(pod("h").priority(1).startTime(T0).build()),
        PodInfo.of(pod("x").priority(0).startTime(T0.plusSeconds(600)).build())), 0);
    assertThat(p.selectCandidate(List.of(mixed, late)).nodeName()).isEqualTo("late");
    // a victim not started yet counts as starting now (the latest)
    Candidate notStarted = new Candidate("new", List.of(PodInfo.of(pod("n").priority(1).build())), 0);
    assertThat(new DefaultPreemption(new TestHandle(), 10, 100, n -> 0, () -> T0.plusSeconds(3600))
        .selectCandidate(List.of(late, notStarted)).nodeName()).isEqualTo("new");
    // complete tie: the first
    assertThat(p.selectCandidate(List.of(late, new Candidate("late2", late.victims(), 0))).nodeName()).isEqualTo("late");
  }

  // ---- PostFilter flow -------------------------------------------------------------------------

  @Test
  void preemptionPolicyNeverIsRespected() {
    List<Node> nodes = List.of(cpuNode("n1", "1000m"));
    Run r = run(preemptor(10, "1000m").preemptionPolicy("Never").build(), nodes, List.of(running("low", "n1", 1, "1000m", 0)));
    assertThat(r.result().status().code()).isEqualTo(Status.Code.UNSCHEDULABLE);
    assertThat(r.result().status().message()).isEqualTo("preemption: not eligible due to preemptionPolicy=Never.");
    assertThat(r.deleted()).isEmpty();
  }

  @Test
  void waitsWhileEarlierVictimsOnTheNominatedNodeTerminate() {
    List<Node> nodes = List.of(cpuNode("n1", "2000m"));
    Pod terminating = pod("victim").node("n1").priority(1).container("1000m", null).terminating().build();
    terminating.getStatus().setConditions(List.of(new PodCondition().withType("DisruptionTarget").withStatus("True")
        .withReason("PreemptionByScheduler")));
    Run r = run(preemptor(10, "2000m").nominatedNode("n1").build(), nodes, List.of(terminating, running("low", "n1", 1, "1000m", 0)));
    assertThat(r.result().status().message()).isEqualTo("preemption: not eligible due to a terminating pod on the nominated node.");
    // unless the nominated node can no longer be helped at all
    NodeToStatus unresolvable = new NodeToStatus(Map.of("n1", Status.unresolvable("node(s) had untolerated taint {a: b}")),
        Status.unresolvable("x"));
    Run again = run(preemptor(10, "2000m").nominatedNode("n1").build(), nodes, List.of(terminating), unresolvable, new TestHandle());
    assertThat(again.result().status().message())
        .isEqualTo("preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
  }

  @Test
  void onlyUnschedulableNodesAreTriedAndTheMessageIsUpstreams() {
    List<Node> nodes = List.of(cpuNode("n1", "1000m"), cpuNode("n2", "1000m"), cpuNode("n3", "1000m"));
    List<Pod> pods = List.of(running("same", "n1", 10, "1000m", 0), running("low", "n2", 1, "1000m", 0));
    NodeToStatus statuses = new NodeToStatus(Map.of("n1", Status.unschedulable("Insufficient cpu"),
        "n2", Status.unresolvable("node(s) didn't match Pod's node affinity/selector"),
        "n3", Status.unresolvable("node(s) didn't match Pod's node affinity/selector")), Status.unresolvable("x"));
    Run r = run(preemptor(10, "1000m").nominatedNode("n3").build(), nodes, pods, statuses, new TestHandle());
    assertThat(r.deleted()).isEmpty();
    assertThat(r.result().status().message()).isEqualTo(
        "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.");
    // nothing potential at all: a stale nomination is cleared
    NodeToStatus none = new NodeToStatus(Map.of(), Status.unresolvable("x"));
    TestHandle handle = new TestHandle();
    Run r2 = run(preemptor(10, "1000m").nominatedNode("n2").build(), nodes, pods, none, handle);
    assertThat(r2.result().nominatedNodeName()).isNull();
    assertThat(handle.nominations).singleElement().satisfies(n -> assertThat(n.nodeName()).isNull());
  }

  @Test
  void lowerPriorityNominationsToTheChosenNodeAreCleared() {
    List<Node> nodes = List.of(cpuNode("n1", "1000m"));
    Pod weaker = pod("weaker").priority(5).container("500m", null).nominatedNode("n1").build();
    Pod stronger = pod("stronger").priority(50).container("0", null).nominatedNode("n1").build();
    TestHandle handle = new TestHandle().nominated("n1", weaker, stronger);
    Run r = run(preemptor(10, "1000m").build(), nodes, List.of(running("low", "n1", 1, "1000m", 0)), allUnschedulable(nodes), handle);
    assertThat(r.result().nominatedNodeName()).isEqualTo("n1");
    assertThat(handle.nominations).extracting(n -> n.pod().getMetadata().getName()).containsExactly("weaker");
  }

  @Test
  void deletionFailureIsAnError() {
    List<Node> nodes = List.of(cpuNode("n1", "1000m"));
    TestHandle handle = new TestHandle().deleteResult(Status.error("etcd unavailable"));
    Run r = run(preemptor(10, "1000m").build(), nodes, List.of(running("low", "n1", 1, "1000m", 0)), allUnschedulable(nodes), handle);
    assertThat(r.result().status().code()).isEqualTo(Status.Code.ERROR);
    assertThat(r.result().nominatedNodeName()).isNull();
  }

  @Test
  void stopsOnceEnoughCandidatesWithoutViolationsAreFound() {
    List<Node> nodes = new ArrayList<>();
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      nodes.add(cpuNode("n" + i, "1000m"));
      pods.add(running("low" + i, "n" + i, 1, "1000m", i));
    }
    TestHandle handle = new TestHandle().snapshot(TestSnapshot.of(nodes, pods)).filters(new CpuFit());
    Recorder recorder = new Recorder();
    handle.preFilters(recorder);
    // at least 1 candidate, none by percentage; start at the third node
    DefaultPreemption p = new DefaultPreemption(handle, 0, 1, n -> 2, () -> T0.plusSeconds(1000));
    PostFilterResult r = p.postFilter(new CycleState(), preemptor(10, "1000m").build(), allUnschedulable(nodes));
    assertThat(r.nominatedNodeName()).isEqualTo("n2");
    assertThat(recorder.removed.get()).isEqualTo(2); // one node evaluated: removal, reprieve failed, removal again
  }

  @Test
  void numberOfCandidates() {
    DefaultPreemption p = new DefaultPreemption(new TestHandle(), 10, 100);
    assertThat(p.numCandidates(10)).isEqualTo(10);
    assertThat(p.numCandidates(1000)).isEqualTo(100);
    assertThat(p.numCandidates(5000)).isEqualTo(500);
    assertThat(new DefaultPreemption(new TestHandle(), 50, 0).numCandidates(7)).isEqualTo(3);
  }

  @Test
  void argumentsAreValidated() {
    assertThatThrownBy(() -> new DefaultPreemptionFactory().create(Scoring.args(
        "{\"minCandidateNodesPercentage\":0,\"minCandidateNodesAbsolute\":0}"), new TestHandle()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be both zero");
    assertThatThrownBy(() -> new DefaultPreemptionFactory().create(Scoring.args("{\"minCandidateNodesPercentage\":101}"),
        new TestHandle())).isInstanceOf(IllegalArgumentException.class);
    assertThat(new DefaultPreemptionFactory().create(Scoring.args(
        "{\"minCandidateNodesPercentage\":10,\"minCandidateNodesAbsolute\":100}"), new TestHandle())).isNotNull();
  }
}
