package io.bosun.scheduler.plugins.noderesourcesfit;

import static io.bosun.scheduler.plugins.testkit.NodeBuilder.node;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.NodeInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Score cases after upstream's least_allocated_test.go, most_allocated_test.go and requested_to_capacity_ratio_test.go. */
class NodeResourcesFitScoreTest {

  /** Upstream's "differently sized machines": the pod requests 3000m and 5000 bytes in two containers. */
  private static final Pod CPU_AND_MEMORY = pod("p").container("1000m", "2000").container("2000m", "3000").build();

  private static List<NodeInfo> differentlySized() {
    return List.of(node("node1").capacity("cpu", "4000m", "memory", "10000", "pods", "100").info(),
        node("node2").capacity("cpu", "6000m", "memory", "10000", "pods", "100").info());
  }

  private static Map<String, Long> score(String args, Pod p, List<NodeInfo> nodes) {
    NodeResourcesFit plugin = (NodeResourcesFit) new NodeResourcesFitFactory().create(Scoring.args(args), null);
    CycleState state = new CycleState();
    assertThat(plugin.preScore(state, p, nodes)).isNull();
    Map<String, Long> withState = Scoring.scoreAndNormalize(plugin, state, p, nodes);
    // Without PreScore (disabled), Score computes the same.
    assertThat(Scoring.scoreAndNormalize(plugin, new CycleState(), p, nodes)).isEqualTo(withState);
    return withState;
  }

  @Test
  void leastAllocatedIsTheDefault() {
    // node1: cpu (4000-3000)*100/4000 = 25, memory (10000-5000)*100/10000 = 50 -> 37
    // node2: cpu 50, memory 50 -> 50
    assertThat(score("{}", CPU_AND_MEMORY, differentlySized())).containsExactly(entry("node1", 37L), entry("node2", 50L));
  }

  @Test
  void leastAllocatedCountsExistingPodsAndWeights() {
    List<NodeInfo> nodes = List.of(
        node("node1").capacity("cpu", "10000m", "memory", "20000", "pods", "100")
            .info(pod("e1").node("node1").container("3000m", "0").build(), pod("e2").node("node1").container("3000m", "5000").build()),
        node("node2").capacity("cpu", "10000m", "memory", "20000", "pods", "100")
            .info(pod("e3").node("node2").container("3000m", "5000").build()));
    // node1: cpu (10000-9000)*100/10000 = 10, memory (20000-10000)*100/20000 = 50 -> 30
    // node2: cpu (10000-6000)*100/10000 = 40, memory 50 -> 45
    assertThat(score("{}", CPU_AND_MEMORY, nodes)).containsExactly(entry("node1", 30L), entry("node2", 45L));
    // cpu weight 2: node1 (10*2 + 50)/3 = 23, node2 (40*2 + 50)/3 = 43
    assertThat(score("{\"scoringStrategy\":{\"type\":\"LeastAllocated\",\"resources\":[{\"name\":\"cpu\",\"weight\":2},"
        + "{\"name\":\"memory\",\"weight\":1}]}}", CPU_AND_MEMORY, nodes)).containsExactly(entry("node1", 23L), entry("node2", 43L));
  }

  @Test
  void requestsBeyondCapacityScoreZero() {
    List<NodeInfo> nodes = List.of(node("node1").capacity("cpu", "2000m", "memory", "10000", "pods", "100").info());
    // cpu 3000 > 2000 -> 0, memory 50 -> 25
    assertThat(score("{}", CPU_AND_MEMORY, nodes)).containsExactly(entry("node1", 25L));
  }

  @Test
  void zeroRequestsScoreWithUpstreamNonZeroDefaults() {
    // A best-effort container counts 100m CPU and 200Mi of memory for scoring.
    List<NodeInfo> nodes = List.of(
        node("empty").capacity("cpu", "1000m", "memory", "1000Mi", "pods", "100").info(),
        node("busy").capacity("cpu", "1000m", "memory", "1000Mi", "pods", "100")
            .info(pod("be").node("busy").container(null, null).build()));
    Pod bestEffort = pod("p").container(null, null).build();
    // empty: cpu (1000-100)/1000 = 90, memory (1000-200)/1000 = 80 -> 85
    // busy: cpu 80, memory 60 -> 70
    assertThat(score("{}", bestEffort, nodes)).containsExactly(entry("empty", 85L), entry("busy", 70L));
    // Only the missing request is defaulted: 500m CPU requested, memory defaulted.
    // empty: cpu 50, memory 80 -> 65; busy: cpu (1000-600)/1000 = 40, memory 60 -> 50
    assertThat(score("{}", pod("p").container("500m", null).build(), nodes))
        .containsExactly(entry("empty", 65L), entry("busy", 50L));
    // A pod without containers requests nothing at all: busy cpu 90, memory 80 -> 85.
    assertThat(score("{}", pod("p").build(), nodes)).containsExactly(entry("empty", 100L), entry("busy", 85L));
  }

  @Test
  void mostAllocated() {
    // node1: cpu 3000*100/4000 = 75, memory 50 -> 62; node2: 50, 50 -> 50
    assertThat(score("{\"scoringStrategy\":{\"type\":\"MostAllocated\"}}", CPU_AND_MEMORY, differentlySized()))
        .containsExactly(entry("node1", 62L), entry("node2", 50L));
    // requests beyond capacity count as full
    assertThat(score("{\"scoringStrategy\":{\"type\":\"MostAllocated\"}}", CPU_AND_MEMORY,
        List.of(node("node1").capacity("cpu", "2000m", "memory", "10000", "pods", "100").info())))
        .containsExactly(entry("node1", 75L));
  }

  @Test
  void extendedResourcesScoreOnlyWhenRequested() {
    String args = "{\"scoringStrategy\":{\"type\":\"MostAllocated\",\"resources\":[{\"name\":\"cpu\",\"weight\":1},"
        + "{\"name\":\"memory\",\"weight\":1},{\"name\":\"example.com/gpu\",\"weight\":2}]}}";
    List<NodeInfo> nodes = List.of(
        node("gpu").capacity("cpu", "4000m", "memory", "10000", "pods", "100", "example.com/gpu", "4").info(),
        node("plain").capacity("cpu", "4000m", "memory", "10000", "pods", "100").info());
    // Without a GPU request the GPU is not scored anywhere: (75 + 50) / 2 = 62 on both.
    assertThat(score(args, CPU_AND_MEMORY, nodes)).containsExactly(entry("gpu", 62L), entry("plain", 62L));
    // With one: gpu node (75 + 50 + 25*2) / 4 = 43; a node without GPUs skips it.
    Pod withGpu = pod("p").container("1000m", "2000")
        .container(Map.of("cpu", "2000m", "memory", "3000", "example.com/gpu", "1")).build();
    assertThat(score(args, withGpu, nodes)).containsExactly(entry("gpu", 43L), entry("plain", 62L));
  }

  @Test
  void requestedToCapacityRatioFollowsTheShape() {
    String binPack = "{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\",\"requestedToCapacityRatio\":"
        + "{\"shape\":[{\"utilization\":0,\"score\":0},{\"utilization\":100,\"score\":10}]}}}";
    // node1: cpu 75, memory 50 -> round(62.5) = 63; node2: 50, 50 -> 50
    assertThat(score(binPack, CPU_AND_MEMORY, differentlySized())).containsExactly(entry("node1", 63L), entry("node2", 50L));
    String spread = "{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\",\"requestedToCapacityRatio\":"
        + "{\"shape\":[{\"utilization\":0,\"score\":10},{\"utilization\":100,\"score\":0}]}}}";
    // node1: cpu 25, memory 50 -> round(37.5) = 38
    assertThat(score(spread, CPU_AND_MEMORY, differentlySized())).containsExactly(entry("node1", 38L), entry("node2", 50L));
  }

  @Test
  void requestedToCapacityRatioLeavesZeroScoresOutOfTheMean() {
    String args = "{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\",\"resources\":[{\"name\":\"cpu\",\"weight\":1},"
        + "{\"name\":\"ephemeral-storage\",\"weight\":1}],\"requestedToCapacityRatio\":"
        + "{\"shape\":[{\"utilization\":0,\"score\":0},{\"utilization\":100,\"score\":10}]}}}";
    List<NodeInfo> nodes = List.of(node("node1").capacity("cpu", "4000m", "memory", "10000", "ephemeral-storage", "100Gi",
        "pods", "100").info());
    // ephemeral storage is 0% used: score 0, not averaged in; cpu 75.
    assertThat(score(args, CPU_AND_MEMORY, nodes)).containsExactly(entry("node1", 75L));
  }

  @Test
  void brokenLinearFunction() {
    long[] u = {10, 50, 90};
    long[] s = {20, 60, 100};
    assertThat(ResourceAllocation.brokenLinear(u, s, 0)).isEqualTo(20);
    assertThat(ResourceAllocation.brokenLinear(u, s, 10)).isEqualTo(20);
    assertThat(ResourceAllocation.brokenLinear(u, s, 30)).isEqualTo(40);
    assertThat(ResourceAllocation.brokenLinear(u, s, 50)).isEqualTo(60);
    assertThat(ResourceAllocation.brokenLinear(u, s, 70)).isEqualTo(80);
    assertThat(ResourceAllocation.brokenLinear(u, s, 100)).isEqualTo(100);
  }

  @Test
  void argumentsAreValidatedAsUpstream() {
    NodeResourcesFitArgs defaults = NodeResourcesFitArgs.parse(Scoring.args("{}"));
    assertThat(defaults.type()).isEqualTo(NodeResourcesFitArgs.StrategyType.LeastAllocated);
    assertThat(defaults.resources()).isEqualTo(NodeResourcesFitArgs.defaultResources());
    // unset weight defaults to 1
    assertThat(NodeResourcesFitArgs.parse(Scoring.args("{\"scoringStrategy\":{\"resources\":[{\"name\":\"cpu\"}]}}"))
        .resources()).containsExactly(new NodeResourcesFitArgs.ResourceSpec("cpu", 1));
    assertThat(NodeResourcesFitArgs.parse(Scoring.args(
        "{\"apiVersion\":\"kubescheduler.config.k8s.io/v1\",\"kind\":\"NodeResourcesFitArgs\"}")).type())
        .isEqualTo(NodeResourcesFitArgs.StrategyType.LeastAllocated);
    for (String bad : List.of(
        "{\"scoringStrategy\":{\"type\":\"Random\"}}",
        "{\"scoringStrategy\":{\"resources\":[{\"name\":\"cpu\",\"weight\":101}]}}",
        "{\"scoringStrategy\":{\"resources\":[{\"name\":\"cpu\"},{\"name\":\"cpu\"}]}}",
        "{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\"}}",
        "{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\",\"requestedToCapacityRatio\":{\"shape\":[]}}}",
        "{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\",\"requestedToCapacityRatio\":{\"shape\":"
            + "[{\"utilization\":50,\"score\":1},{\"utilization\":40,\"score\":2}]}}}",
        "{\"scoringStrategy\":{\"type\":\"RequestedToCapacityRatio\",\"requestedToCapacityRatio\":{\"shape\":"
            + "[{\"utilization\":50,\"score\":11}]}}}",
        "{\"ignoredResourceGroups\":[\"example.com/x\"]}",
        "{\"ignoredResources\":\"example.com/x\"}",
        "{\"scoringStrateg\":{}}")) {
      assertThatThrownBy(() -> new NodeResourcesFitFactory().create(Scoring.args(bad), null))
          .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("NodeResourcesFit args: ");
    }
  }
}
