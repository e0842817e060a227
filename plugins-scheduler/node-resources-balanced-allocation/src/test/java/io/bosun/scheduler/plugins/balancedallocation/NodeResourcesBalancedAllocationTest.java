package io.bosun.scheduler.plugins.balancedallocation;

import static io.bosun.scheduler.plugins.testkit.NodeBuilder.node;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.ExtensionPoint;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cases after upstream's balanced_allocation_test.go. */
class NodeResourcesBalancedAllocationTest {

  private static final Pod CPU_AND_MEMORY = pod("p").container("1000m", "2000").container("2000m", "3000").build();

  private static Map<String, Long> score(String args, Pod p, List<NodeInfo> nodes) {
    var plugin = (NodeResourcesBalancedAllocation) new NodeResourcesBalancedAllocationFactory().create(Scoring.args(args), null);
    CycleState state = new CycleState();
    assertThat(plugin.preScore(state, p, nodes)).isNull();
    return Scoring.scoreAndNormalize(plugin, state, p, nodes);
  }

  @Test
  void scoreOnlyPlugin() {
    var plugin = new NodeResourcesBalancedAllocationFactory().create(Scoring.args(""), null);
    assertThat(ExtensionPoint.of(plugin)).containsExactlyInAnyOrder(ExtensionPoint.PRE_SCORE, ExtensionPoint.SCORE);
  }

  @Test
  void differentlySizedMachines() {
    List<NodeInfo> nodes = List.of(node("node1").capacity("cpu", "4000m", "memory", "10000", "pods", "100").info(),
        node("node2").capacity("cpu", "6000m", "memory", "10000", "pods", "100").info());
    // node1: fractions 0.75 and 0.5, std 0.125 -> 87; node2: 0.5 and 0.5 -> 100
    assertThat(score("{}", CPU_AND_MEMORY, nodes)).containsExactly(entry("node1", 87L), entry("node2", 100L));
  }

  @Test
  void existingPodsCountWithTheirActualRequests() {
    List<NodeInfo> nodes = List.of(
        node("node1").capacity("cpu", "10000m", "memory", "20000", "pods", "100")
            .info(pod("a").node("node1").container("3000m", "0").build(), pod("b").node("node1").container("3000m", "5000").build()),
        // a best-effort pod adds nothing here (no non-zero defaults in this plugin)
        node("node2").capacity("cpu", "10000m", "memory", "20000", "pods", "100")
            .info(pod("c").node("node2").container(null, null).build()));
    // node1: cpu 9000/10000 = 0.9, memory 10000/20000 = 0.5, std 0.2 -> 80
    // node2: cpu 0.3, memory 0.25, std 0.025 -> 97
    assertThat(score("{}", CPU_AND_MEMORY, nodes)).containsExactly(entry("node1", 80L), entry("node2", 97L));
  }

  @Test
  void fractionsAreCappedAtOne() {
    List<NodeInfo> nodes = List.of(node("node1").capacity("cpu", "2000m", "memory", "10000", "pods", "100").info());
    // cpu 1.5 -> 1, memory 0.5: std 0.25 -> 75
    assertThat(score("{}", CPU_AND_MEMORY, nodes)).containsExactly(entry("node1", 75L));
  }

  @Test
  void threeResourcesUseTheStandardDeviation() {
    String args = "{\"resources\":[{\"name\":\"cpu\",\"weight\":1},{\"name\":\"memory\",\"weight\":1},"
        + "{\"name\":\"nvidia.com/gpu\",\"weight\":1}]}";
    List<NodeInfo> nodes = List.of(
        node("gpu").capacity("cpu", "4000m", "memory", "20000", "nvidia.com/gpu", "4", "pods", "100").info(),
        node("plain").capacity("cpu", "4000m", "memory", "20000", "pods", "100").info());
    Pod p = pod("p").container(Map.of("cpu", "2000m", "memory", "5000", "nvidia.com/gpu", "3")).build();
    // gpu: 0.5, 0.25, 0.75: mean 0.5, std sqrt(0.125/3) = 0.2041 -> 79
    // plain: the GPU is not there, so cpu and memory only: std 0.125 -> 87
    assertThat(score(args, p, nodes)).containsExactly(entry("gpu", 79L), entry("plain", 87L));
    // A pod without a GPU request leaves the GPU out everywhere: 0.75 and 0.25 -> 75.
    assertThat(score(args, CPU_AND_MEMORY, List.of(nodes.get(0)))).containsExactly(entry("gpu", 75L));
  }

  @Test
  void bestEffortPodsAreNotScored() {
    var plugin = (NodeResourcesBalancedAllocation) new NodeResourcesBalancedAllocationFactory().create(Scoring.args("{}"), null);
    Pod bestEffort = pod("p").container(null, null).build();
    assertThat(plugin.preScore(new CycleState(), bestEffort, List.of()).code()).isEqualTo(Status.Code.SKIP);
    assertThat(plugin.score(new CycleState(), bestEffort,
        node("n").capacity("cpu", "1", "memory", "1Gi", "pods", "10").info())).isZero();
  }

  @Test
  void weightsMustBeOne() {
    assertThat(NodeResourcesBalancedAllocationFactory.parseResources(Scoring.args("{}"))).containsExactly("cpu", "memory");
    assertThat(NodeResourcesBalancedAllocationFactory.parseResources(Scoring.args(
        "{\"resources\":[{\"name\":\"cpu\"}]}"))).containsExactly("cpu");
    for (String bad : List.of("{\"resources\":[{\"name\":\"cpu\",\"weight\":2}]}",
        "{\"resources\":[{\"name\":\"cpu\"},{\"name\":\"cpu\"}]}", "{\"resource\":[]}")) {
      assertThatThrownBy(() -> NodeResourcesBalancedAllocationFactory.parseResources(Scoring.args(bad)))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
