package io.bosun.scheduler.plugins.noderesourcesfit;

import static io.bosun.scheduler.plugins.testkit.NodeBuilder.node;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.plugins.testkit.NodeBuilder;
import io.bosun.scheduler.plugins.testkit.PodBuilder;
import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fit cases from upstream's fit_test.go: a node with 10m CPU, 20 bytes of memory, 32 pods, 5
 * {@code example.com/aaa}, 20 bytes of ephemeral storage and 5 {@code hugepages-2Mi}.
 */
class NodeResourcesFitFilterTest {

  private static final String EXTENDED_A = "example.com/aaa";
  private static final String EXTENDED_B = "example.com/bbb";

  private static NodeBuilder enoughPodsNode() {
    return node("n").capacity("cpu", "10m", "memory", "20", "pods", "32", EXTENDED_A, "5",
        "ephemeral-storage", "20", "hugepages-2Mi", "5");
  }

  private static PodBuilder usage(String cpu, String memory) {
    return pod("existing").node("n").container(cpu, memory);
  }

  private static Status filter(String args, Pod incoming, NodeInfo node) {
    NodeResourcesFit plugin = (NodeResourcesFit) new NodeResourcesFitFactory().create(Scoring.args(args), null);
    CycleState state = new CycleState();
    assertThat(Status.isSuccess(plugin.preFilter(state, incoming, List.of(node)).status())).isTrue();
    return plugin.filter(state, incoming, node);
  }

  private static Status filter(Pod incoming, NodeInfo node) {
    return filter("{}", incoming, node);
  }

  private static void assertRejected(Status s, Status.Code code, String... reasons) {
    assertThat(s).isNotNull();
    assertThat(s.code()).isEqualTo(code);
    assertThat(s.reasons()).containsExactly(reasons);
  }

  @Test
  void noResourcesRequestedAlwaysFits() {
    assertThat(filter(pod("p").build(), enoughPodsNode().info(usage("10m", "20").build()))).isNull();
  }

  @Test
  void tooManyResourcesFails() {
    assertRejected(filter(pod("p").container("1m", "1").build(), enoughPodsNode().info(usage("10m", "20").build())),
        Status.Code.UNSCHEDULABLE, "Insufficient cpu", "Insufficient memory");
  }

  @Test
  void initContainerCpuCountsAsTheMaximumNotTheSum() {
    NodeInfo n = enoughPodsNode().info(usage("8m", "19").build());
    assertRejected(filter(pod("p").container("1m", "1").initContainer("3m", "1").build(), n),
        Status.Code.UNSCHEDULABLE, "Insufficient cpu");
    assertRejected(filter(pod("p").container("1m", "1").initContainer("2m", "1").initContainer("3m", "1").build(), n),
        Status.Code.UNSCHEDULABLE, "Insufficient cpu");
    assertRejected(filter(pod("p").container("1m", "1").initContainer("1m", "3").build(),
        enoughPodsNode().info(usage("9m", "19").build())), Status.Code.UNSCHEDULABLE, "Insufficient memory");
    // max(containers 1m, init 1m) = 1m fits into the 1m left
    assertThat(filter(pod("p").container("1m", "1").initContainer("1m", "1").build(),
        enoughPodsNode().info(usage("9m", "19").build()))).isNull();
  }

  @Test
  void sidecarsAddToTheContainersAndToLaterInitSteps() {
    // sidecar 2m runs beside the app container (1m): 3m; the init step after it needs 2m + 1m = 3m.
    NodeInfo n = enoughPodsNode().info(usage("7m", "0").build());
    assertThat(filter(pod("p").container("1m", null).sidecar("2m", null).build(), n)).isNull();
    assertRejected(filter(pod("p").container("2m", null).sidecar("2m", null).build(), n),
        Status.Code.UNSCHEDULABLE, "Insufficient cpu");
    assertRejected(filter(pod("p").container("1m", null).sidecar("2m", null).initContainer("2m", null).build(), n),
        Status.Code.UNSCHEDULABLE, "Insufficient cpu");
  }

  @Test
  void oneResourceFitsTheOtherDoesNot() {
    assertThat(filter(pod("p").container("1m", "1").build(), enoughPodsNode().info(usage("5m", "5").build()))).isNull();
    assertRejected(filter(pod("p").container("2m", "1").build(), enoughPodsNode().info(usage("9m", "5").build())),
        Status.Code.UNSCHEDULABLE, "Insufficient cpu");
    assertRejected(filter(pod("p").container("1m", "2").build(), enoughPodsNode().info(usage("5m", "19").build())),
        Status.Code.UNSCHEDULABLE, "Insufficient memory");
    // equal edge case
    assertThat(filter(pod("p").container("5m", "1").build(), enoughPodsNode().info(usage("5m", "19").build()))).isNull();
  }

  @Test
  void overheadIsAdded() {
    NodeInfo n = enoughPodsNode().info(usage("5m", "5").build());
    assertThat(filter(pod("p").container("1m", "1").overhead("3m", "13").build(), n)).isNull();
    assertRejected(filter(pod("p").container("1m", "1").overhead("1m", "15").build(), n),
        Status.Code.UNSCHEDULABLE, "Insufficient memory");
  }

  @Test
  void extendedResources() {
    NodeInfo empty = enoughPodsNode().info();
    assertThat(filter(pod("p").container(Map.of(EXTENDED_A, "1")).build(), empty)).isNull();
    // more than the node has at all: preemption cannot help
    assertRejected(filter(pod("p").container(Map.of(EXTENDED_A, "10")).build(), empty),
        Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE, "Insufficient " + EXTENDED_A);
    // taken by another pod: preemption may help
    NodeInfo used = enoughPodsNode().info(pod("x").node("n").container(Map.of(EXTENDED_A, "5")).build());
    assertRejected(filter(pod("p").container(Map.of(EXTENDED_A, "1")).build(), used),
        Status.Code.UNSCHEDULABLE, "Insufficient " + EXTENDED_A);
    // init containers take the maximum
    assertThat(filter(pod("p").container(Map.of(EXTENDED_A, "3")).build(), enoughPodsNode()
        .info(pod("x").node("n").container(Map.of(EXTENDED_A, "2")).build()))).isNull();
    // a resource the node does not have
    assertRejected(filter(pod("p").container(Map.of(EXTENDED_B, "1")).build(), empty),
        Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE, "Insufficient " + EXTENDED_B);
    // a zero request of a resource the node does not have is no request
    assertThat(filter(pod("p").container(Map.of(EXTENDED_B, "0")).build(), empty)).isNull();
  }

  @Test
  void ignoredExtendedResourcesAndGroups() {
    Pod p = pod("p").container(Map.of(EXTENDED_B, "1")).build();
    assertThat(filter("{\"ignoredResources\":[\"example.com/bbb\"]}", p, enoughPodsNode().info())).isNull();
    assertThat(filter("{\"ignoredResourceGroups\":[\"example.com\"]}", p, enoughPodsNode().info())).isNull();
    // native resources are never ignored, even if named
    assertRejected(filter("{\"ignoredResources\":[\"hugepages-2Mi\"]}", pod("p").container(Map.of("hugepages-2Mi", "6"))
        .build(), enoughPodsNode().info()), Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE, "Insufficient hugepages-2Mi");
    assertRejected(filter("{\"ignoredResourceGroups\":[\"kubernetes.io\"]}", pod("p")
        .container(Map.of("kubernetes.io/something", "1")).build(), enoughPodsNode().info()),
        Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE, "Insufficient kubernetes.io/something");
  }

  @Test
  void ephemeralStorage() {
    assertRejected(filter(pod("p").container(Map.of("ephemeral-storage", "15")).build(),
        enoughPodsNode().info(pod("x").node("n").container(Map.of("ephemeral-storage", "10")).build())),
        Status.Code.UNSCHEDULABLE, "Insufficient ephemeral-storage");
  }

  @Test
  void tooManyPods() {
    NodeInfo full = node("n").capacity("cpu", "10m", "memory", "20", "pods", "1").info(usage("0", "0").build());
    assertRejected(filter(pod("p").build(), full), Status.Code.UNSCHEDULABLE, "Too many pods");
    assertRejected(filter(pod("p").container("1m", "1").build(),
        node("n").capacity("cpu", "10m", "memory", "20", "pods", "1").info(usage("10m", "20").build())),
        Status.Code.UNSCHEDULABLE, "Too many pods", "Insufficient cpu", "Insufficient memory");
  }

  @Test
  void missingPreFilterStateIsAnError() {
    NodeResourcesFit plugin = (NodeResourcesFit) new NodeResourcesFitFactory().create(Scoring.args("{}"), null);
    assertThat(plugin.filter(new CycleState(), pod("p").build(), enoughPodsNode().info()).code())
        .isEqualTo(Status.Code.ERROR);
  }

  @Test
  void queueingHints() {
    NodeResourcesFit plugin = (NodeResourcesFit) new NodeResourcesFitFactory().create(Scoring.args("{}"), null);
    var events = plugin.eventsToRegister();
    Pod waiting = pod("w").container("2", "1Gi").build();
    var podDeleted = events.get(0).hint();
    assertThat(podDeleted.hint(waiting, pod("bound").node("n").build(), null)).isEqualTo(QueueingHint.QUEUE);
    assertThat(podDeleted.hint(waiting, pod("pending").build(), null)).isEqualTo(QueueingHint.SKIP);
    var nodeChanged = events.get(2).hint();
    assertThat(nodeChanged.hint(waiting, null, node("big").capacity("cpu", "4", "memory", "4Gi", "pods", "10").build()))
        .isEqualTo(QueueingHint.QUEUE);
    assertThat(nodeChanged.hint(waiting, null, node("small").capacity("cpu", "1", "memory", "4Gi", "pods", "10").build()))
        .isEqualTo(QueueingHint.SKIP);
  }
}
