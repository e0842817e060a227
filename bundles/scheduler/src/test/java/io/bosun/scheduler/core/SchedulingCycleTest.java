package io.bosun.scheduler.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.queue.QueuedPod;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.NodeToStatus;
import io.bosun.scheduler.spi.PermitPlugin;
import io.bosun.scheduler.spi.PermitResult;
import io.bosun.scheduler.spi.PostFilterPlugin;
import io.bosun.scheduler.spi.PostFilterResult;
import io.bosun.scheduler.spi.WaitingPod;
import io.bosun.scheduler.testing.Env;
import io.bosun.scheduler.testing.FakeCluster;
import io.bosun.scheduler.testing.Objects;
import io.bosun.scheduler.testing.TestPlugins;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchedulingCycleTest {

  @Test
  void schedulesToTheLeastAllocatedNodeAndBinds() throws Exception {
    try (Env env = new Env()) {
      env.node("n1", "4");
      env.node("n2", "4");
      env.engine.onPodAdd(Objects.bound(Objects.pod("existing", "3"), "n1"));
      env.pod("p", "500m");
      assertThat(env.drain()).isEqualTo(1);
      assertThat(env.boundTo("p")).isEqualTo("n2");
      assertThat(env.cluster.events("p", "Scheduled")).singleElement()
          .satisfies(e -> assertThat(e.message()).isEqualTo("Successfully assigned default/p to n2"));
      assertThat(env.engine.cache().isAssumed("uid-p")).as("confirmed by the informer").isFalse();
      assertThat(env.engine.cache().nodeInfo("n2").requested().milliCpu()).isEqualTo(500);
      assertThat(env.engine.queue().size()).isZero();
    }
  }

  @Test
  void failureMessageAsUpstreamAndRequeueOnAHelpfulEvent() throws Exception {
    try (Env env = new Env()) {
      env.node("small", "1");
      env.engine.onNodeAdd(Objects.tainted(Objects.node("gpu1", "8", "8Gi"), "dedicated", "gpu"));
      env.engine.onNodeAdd(Objects.tainted(Objects.node("gpu2", "8", "8Gi"), "dedicated", "gpu"));
      env.pod("big", "2");
      env.drain();
      assertThat(env.boundTo("big")).isNull();
      String msg = "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}.";
      assertThat(env.cluster.events("big", "FailedScheduling")).singleElement()
          .satisfies(e -> assertThat(e.message()).isEqualTo(msg));
      Env.await(Duration.ofSeconds(5), () -> env.cluster.lastStatus("big") != null, "condition written");
      FakeCluster.StatusRecord s = env.cluster.lastStatus("big");
      assertThat(s.condition().getType()).isEqualTo("PodScheduled");
      assertThat(s.condition().getStatus()).isEqualTo("False");
      assertThat(s.condition().getReason()).isEqualTo("Unschedulable");
      assertThat(s.condition().getMessage()).isEqualTo(msg);
      assertThat(env.engine.queue().stateOf("uid-big")).isEqualTo(QueuedPod.State.UNSCHEDULABLE);
      assertThat(env.engine.queue().get("uid-big").unschedulablePlugins())
          .containsExactlyInAnyOrder("NodeResourcesFit", "TaintToleration");

      env.node("roomy", "4");
      env.clock.advance(Duration.ofSeconds(1));
      env.engine.queue().flushBackoffCompleted();
      env.drain();
      assertThat(env.boundTo("big")).isEqualTo("roomy");
    }
  }

  @Test
  void noNodes() throws Exception {
    try (Env env = new Env()) {
      env.pod("p", "1");
      env.drain();
      assertThat(env.cluster.events("p", "FailedScheduling")).singleElement()
          .satisfies(e -> assertThat(e.message()).isEqualTo("no nodes available to schedule pods"));
      env.node("n", "2");
      env.clock.advance(Duration.ofSeconds(1));
      env.engine.queue().flushBackoffCompleted();
      env.drain();
      assertThat(env.boundTo("p")).isEqualTo("n");
    }
  }

  private static final String FLAT = """
      - schedulerName: default-scheduler
        plugins:
          multiPoint:
            enabled: [PrioritySort, Flat, DefaultBinder]
            disabled: ["*"]
      """;

  private static List<String> placements(long seed) throws Exception {
    try (Env env = new Env(io.bosun.scheduler.core.SchedulerOptions.defaults().withRandomSeed(seed), 4, FLAT,
        TestPlugins.POLICIES)) {
      for (int i = 0; i < 10; i++) {
        env.node("n" + i, "100");
      }
      List<String> out = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        env.pod("p" + i, "1m");
        env.drain();
        out.add(env.boundTo("p" + i));
      }
      return out;
    }
  }

  @Test
  void tiesAreBrokenRandomlyButDeterministicallyUnderASeed() throws Exception {
    List<String> a = placements(7);
    assertThat(placements(7)).isEqualTo(a);
    assertThat(Set.copyOf(a)).as("ties spread over the tied nodes").hasSizeGreaterThan(5);
    assertThat(placements(8)).isNotEqualTo(a);
  }

  @Test
  void normalizedScoresAreWeighted() throws Exception {
    String profile = """
        - schedulerName: default-scheduler
          plugins:
            multiPoint:
              enabled: [PrioritySort, {name: NameNumber, weight: 2}, {name: NodeResourcesFit, weight: 1}, DefaultBinder]
              disabled: ["*"]
        """;
    try (Env env = new Env(SchedulerOptions.defaults().withRandomSeed(1L), 4, profile, TestPlugins.POLICIES)) {
      env.node("n10", "4");
      env.node("n20", "4");
      env.engine.onPodAdd(Objects.bound(Objects.pod("busy", "2"), "n20"));
      // NameNumber: n10 -> 50, n20 -> 100 (x2); LeastAllocated: n10 -> 75, n20 -> 25 (x1): 175 vs 225
      env.pod("p", "1");
      env.drain();
      assertThat(env.boundTo("p")).isEqualTo("n20");
    }
  }

  @Test
  void numFeasibleNodesToFindAsUpstream() {
    try (Env env = new Env()) {
      Scheduler s = env.engine;
      assertThat(s.numFeasibleNodesToFind(null, 50)).isEqualTo(50);
      assertThat(s.numFeasibleNodesToFind(null, 100)).isEqualTo(100);
      assertThat(s.numFeasibleNodesToFind(null, 1000)).isEqualTo(420); // 50 - 8 = 42%
      assertThat(s.numFeasibleNodesToFind(null, 5000)).isEqualTo(500); // 50 - 40 = 10%
      assertThat(s.numFeasibleNodesToFind(null, 6000)).isEqualTo(300); // 50 - 48 < 5: 5%
      assertThat(s.numFeasibleNodesToFind(30, 1000)).isEqualTo(300);
      assertThat(s.numFeasibleNodesToFind(1, 1000)).isEqualTo(100); // at least 100
      assertThat(s.numFeasibleNodesToFind(100, 1000)).isEqualTo(1000);
    }
  }

  @Test
  void percentageOfNodesToScoreWithRoundRobinStart() throws Exception {
    String profile = """
        - schedulerName: default-scheduler
          percentageOfNodesToScore: 50
          plugins:
            multiPoint:
              enabled: [PrioritySort, NodeResourcesFit, DefaultBinder]
              disabled: ["*"]
        """;
    try (Env env = new Env(SchedulerOptions.defaults().withRandomSeed(3L), 4, profile, TestPlugins.POLICIES)) {
      for (int i = 0; i < 300; i++) {
        env.node("n" + i, "64");
      }
      TestPlugins.NodeResourcesFit fit = (TestPlugins.NodeResourcesFit) env.factories.get("NodeResourcesFit").last();
      env.pod("a", "1");
      env.drain();
      assertThat(env.engine.nextStartNodeIndex()).as("150 of 300 nodes processed").isEqualTo(150);
      // Claimed chunks (17 pieces, sqrt(300)) run to their end: after the 150th fit, its own chunk and
      // the chunk each of the other 3 workers holds may finish, so at most 4 chunks less one call more.
      assertThat(fit.filterCalls.get()).isBetween(150, 150 + 4 * 17 - 1);
      String first = env.boundTo("a");
      assertThat(Integer.parseInt(first.substring(1))).isLessThan(150);
      env.pod("b", "1");
      env.drain();
      assertThat(env.engine.nextStartNodeIndex()).isZero();
      assertThat(Integer.parseInt(env.boundTo("b").substring(1))).as("the second cycle starts at node 150")
          .isGreaterThanOrEqualTo(150);
    }
  }

  /** A Permit plugin that makes every pod wait; and a PostFilter that nominates a node. */
  static final class Waiter extends TestPlugins.Base implements PermitPlugin, PostFilterPlugin {
    Waiter() {
      super("Waiter");
    }

    @Override
    public PermitResult permit(CycleState state, Pod pod, String nodeName) {
      return PermitResult.waitFor(Duration.ofSeconds(30), "waiting for the gang");
    }

    @Override
    public PostFilterResult postFilter(CycleState state, Pod pod, NodeToStatus statuses) {
      return new PostFilterResult(io.bosun.scheduler.spi.Status.unschedulable("preemption: not helpful"), "n1");
    }
  }

  @Test
  void permitWaitsUntilAllowedOrRejected() throws Exception {
    String profile = """
        - schedulerName: default-scheduler
          policy: test
          plugins:
            multiPoint:
              enabled: [Waiter]
        """;
    try (Env env = new Env(SchedulerOptions.defaults().withRandomSeed(3L), 2, profile, TestPlugins.POLICIES)) {
      env.install(new TestPlugins.TestFactory("Waiter", (a, h) -> new Waiter()));
      env.node("n1", "4");
      env.pod("allowed", "1");
      env.pod("rejected", "1");
      assertThat(env.engine.scheduleOne(Duration.ZERO)).isTrue();
      assertThat(env.engine.scheduleOne(Duration.ZERO)).isTrue();
      Handle handle = handle(env);
      Env.await(Duration.ofSeconds(5), () -> handle.waitingPods().size() == 2, "two waiting pods");
      assertThat(env.boundTo("allowed")).isNull();
      WaitingPod w = handle.waitingPod("uid-allowed");
      assertThat(w.pendingPlugins()).containsExactly("Waiter");
      w.allow("Waiter");
      handle.waitingPod("uid-rejected").reject("Waiter", "gang incomplete");
      assertThat(env.engine.awaitBindings(Duration.ofSeconds(10))).isTrue();
      assertThat(env.boundTo("allowed")).isEqualTo("n1");
      assertThat(env.boundTo("rejected")).isNull();
      assertThat(env.cluster.events("rejected", "FailedScheduling")).singleElement()
          .satisfies(e -> assertThat(e.message()).isEqualTo("gang incomplete"));
      assertThat(env.engine.cache().contains("uid-rejected")).as("forgotten").isFalse();
      assertThat(env.engine.queue().stateOf("uid-rejected")).isEqualTo(QueuedPod.State.BACKOFF);
    }
  }

  @Test
  void postFilterNominatesANode() throws Exception {
    String profile = """
        - schedulerName: default-scheduler
          policy: test
          plugins:
            postFilter:
              enabled: [Waiter]
        """;
    try (Env env = new Env(SchedulerOptions.defaults().withRandomSeed(3L), 2, profile, TestPlugins.POLICIES)) {
      env.install(new TestPlugins.TestFactory("Waiter", (a, h) -> new Waiter()));
      env.node("n1", "1");
      env.pod("big", "2");
      env.drain();
      assertThat(env.cluster.events("big", "FailedScheduling")).singleElement().satisfies(e -> assertThat(e.message())
          .isEqualTo("0/1 nodes are available: 1 Insufficient cpu. preemption: not helpful."));
      assertThat(env.engine.nominator().nominatedNode("uid-big")).isEqualTo("n1");
      Env.await(Duration.ofSeconds(5), () -> env.cluster.lastStatus("big") != null, "status written");
      assertThat(env.cluster.lastStatus("big").setNominated()).isTrue();
      assertThat(env.cluster.lastStatus("big").nominated()).isEqualTo("n1");
      // the nominated pod's room is kept from lower-priority pods
      assertThat(handle(env).nominatedPodsForNode("n1")).extracting(p -> p.name()).containsExactly("big");
    }
  }

  @Test
  void aFailedBindingIsForgottenAndRetried() throws Exception {
    try (Env env = new Env()) {
      env.node("n1", "4");
      env.cluster.failBindOnce.put("p", true);
      env.pod("p", "1");
      env.drain();
      assertThat(env.boundTo("p")).isNull();
      assertThat(env.engine.cache().contains("uid-p")).isFalse();
      assertThat(env.cluster.events("p", "FailedScheduling")).singleElement()
          .satisfies(e -> assertThat(e.message()).startsWith("Binding rejected: running Bind plugin DefaultBinder: injected"));
      assertThat(env.engine.queue().stateOf("uid-p")).isEqualTo(QueuedPod.State.BACKOFF);
      env.clock.advance(Duration.ofSeconds(1));
      env.engine.queue().flushBackoffCompleted();
      env.drain();
      assertThat(env.boundTo("p")).isEqualTo("n1");
      assertThat(env.cluster.bindAttempts.get("p")).isEqualTo(2);
    }
  }

  private static Handle handle(Env env) {
    var fw = env.profiles.current().get("default-scheduler");
    Map<String, Object> m = new LinkedHashMap<>();
    // every plugin got the same handle; take it from the binder's factory call
    TestPlugins.DefaultBinder b = (TestPlugins.DefaultBinder) fw.plugins().get("DefaultBinder");
    m.put("binder", b);
    try {
      var f = TestPlugins.DefaultBinder.class.getDeclaredField("handle");
      f.setAccessible(true);
      return (Handle) f.get(b);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void podsPickTheirProfileBySchedulerName() throws Exception {
    String profiles = """
        - {schedulerName: default-scheduler, policy: test}
        - {schedulerName: packer, policy: pack}
        """;
    try (Env env = new Env(SchedulerOptions.defaults().withRandomSeed(2L), 2, profiles, TestPlugins.POLICIES)) {
      env.node("n1", "8");
      env.node("n2", "8");
      env.engine.onPodAdd(Objects.bound(Objects.pod("seed", "1"), "n1"));
      env.pod(Objects.pod("packed", "1", 0, "packer"));
      env.pod(Objects.pod("spread", "1", 0, "default-scheduler"));
      env.pod(Objects.pod("foreign", "1", 0, "someone-else"));
      env.drain();
      assertThat(env.boundTo("packed")).isEqualTo("n1");
      assertThat(env.boundTo("spread")).isEqualTo("n2");
      assertThat(env.boundTo("foreign")).isNull();
      assertThat(env.cluster.events).noneMatch(e -> e.object().equals("foreign"));
      assertThat(env.engine.queue().size()).isZero();

      // a profile for it appears: the waiting pod is picked up
      env.profiles.setConfigAdmin(profiles + "- {schedulerName: someone-else, policy: test}\n", TestPlugins.POLICIES);
      env.drain();
      assertThat(env.boundTo("foreign")).isNotNull();
    }
  }
}
