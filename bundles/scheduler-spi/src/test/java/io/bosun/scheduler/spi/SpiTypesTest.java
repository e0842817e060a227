package io.bosun.scheduler.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.Affinity;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerPort;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeStatus;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodAffinityTerm;
import io.bosun.api.core.v1.PodAntiAffinity;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.ResourceRequirements;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.values.Quantity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpiTypesTest {

  static Container container(String cpu, String memory) {
    Map<String, Quantity> req = new java.util.HashMap<>();
    if (cpu != null) {
      req.put("cpu", Quantity.parse(cpu));
    }
    if (memory != null) {
      req.put("memory", Quantity.parse(memory));
    }
    return new Container().withName("c").withResources(new ResourceRequirements().withRequests(req));
  }

  static Pod pod(String name, PodSpec spec) {
    return new Pod().withMetadata(new ObjectMeta().withName(name).withNamespace("ns").withUid("uid-" + name)
        .withLabels(Map.of("app", "web", "rev", "7"))).withSpec(spec);
  }

  @Test
  void requestsFollowUpstreamRules() {
    PodSpec spec = new PodSpec()
        .withContainers(List.of(container("200m", "100Mi"), container(null, null)))
        .withInitContainers(List.of(container("1", "50Mi"), container("100m", "10Mi").withRestartPolicy("Always")))
        .withOverhead(Map.of("cpu", Quantity.parse("10m")));
    PodInfo p = PodInfo.of(pod("a", spec));
    // containers 200m + sidecar 100m = 300m; init step 1 needs 1000m (no sidecar started before it); max = 1000m; + 10m
    assertThat(p.requests().milliCpu()).isEqualTo(1010);
    // memory: 100Mi + 10Mi = 110Mi vs init 50Mi: 110Mi
    assertThat(p.requests().memory()).isEqualTo(110L * 1024 * 1024);
    // non-zero: 200m + 100m (default) + 100m sidecar = 400m vs init 1000m -> 1000m, + 10m overhead
    assertThat(p.nonZeroRequests().milliCpu()).isEqualTo(1010);
    assertThat(p.nonZeroRequests().memory()).isEqualTo(100L * 1024 * 1024 + PodInfo.DEFAULT_MEMORY_REQUEST + 10L * 1024 * 1024);
  }

  @Test
  void affinityTermsDefaultToOwnNamespaceAndFoldMatchLabelKeys() {
    PodAffinityTerm term = new PodAffinityTerm().withTopologyKey("kubernetes.io/hostname")
        .withLabelSelector(new LabelSelector().withMatchLabels(Map.of("app", "web")))
        .withMatchLabelKeys(List.of("rev"));
    PodSpec spec = new PodSpec().withContainers(List.of(container("1", "1Gi")))
        .withAffinity(new Affinity().withPodAntiAffinity(new PodAntiAffinity()
            .withRequiredDuringSchedulingIgnoredDuringExecution(List.of(term))));
    PodInfo p = PodInfo.of(pod("a", spec));
    assertThat(p.hasRequiredAntiAffinity()).isTrue();
    AffinityTerm t = p.requiredAntiAffinityTerms().get(0);
    assertThat(t.namespaces()).containsExactly("ns");
    assertThat(t.matches(pod("b", new PodSpec()), null)).isTrue();
    Pod otherRev = pod("c", new PodSpec());
    otherRev.getMetadata().setLabels(Map.of("app", "web", "rev", "8"));
    assertThat(t.matches(otherRev, null)).isFalse();
  }

  @Test
  void nodeInfoTracksPodsAndIsImmutable() {
    Node node = new Node().withMetadata(new ObjectMeta().withName("n1"))
        .withStatus(new NodeStatus().withAllocatable(Map.of("cpu", Quantity.parse("4"), "memory", Quantity.parse("8Gi"),
            "pods", Quantity.parse("110"), "example.com/gpu", Quantity.parse("2"))));
    PodSpec withPort = new PodSpec().withContainers(List.of(container("1", "1Gi")
        .withPorts(List.of(new ContainerPort().withContainerPort(80).withHostPort(8080)))));
    PodInfo a = PodInfo.of(pod("a", withPort));
    PodInfo b = PodInfo.of(pod("b", new PodSpec().withContainers(List.of(container("500m", null)))));
    NodeInfo empty = NodeInfo.of(node, List.of());
    NodeInfo two = empty.withPod(a).withPod(b);
    assertThat(empty.pods()).isEmpty();
    assertThat(two.pods()).extracting(PodInfo::name).containsExactly("a", "b");
    assertThat(two.requested().milliCpu()).isEqualTo(1500);
    assertThat(two.allocatable().allowedPodNumber()).isEqualTo(110);
    assertThat(two.allocatable().get("example.com/gpu")).isEqualTo(2);
    assertThat(two.usedPorts().conflicts(new HostPort("10.0.0.1", "TCP", 8080))).isTrue();
    assertThat(two.usedPorts().conflicts(new HostPort(null, "UDP", 8080))).isFalse();
    assertThat(two.generation()).isGreaterThan(empty.generation());

    NodeInfo one = two.withoutPod("uid-a");
    assertThat(one.pods()).extracting(PodInfo::name).containsExactly("b");
    assertThat(one.requested().milliCpu()).isEqualTo(500);
    assertThat(one.usedPorts().isEmpty()).isTrue();
    assertThat(one.nonZeroRequested().memory()).isEqualTo(PodInfo.DEFAULT_MEMORY_REQUEST);
    assertThat(two.withPod(a).pods()).hasSize(2); // same UID replaces
    assertThat(NodeInfo.of(node, List.of(a, b)).requested()).isEqualTo(two.requested());
  }

  @Test
  void statusNullIsSuccess() {
    assertThat(Status.isSuccess(null)).isTrue();
    assertThat(Status.code(null)).isEqualTo(Status.Code.SUCCESS);
    Status s = Status.unschedulable("Insufficient cpu", "Insufficient memory").withPlugin("NodeResourcesFit");
    assertThat(s.message()).isEqualTo("Insufficient cpu, Insufficient memory");
    assertThat(s.plugin()).isEqualTo("NodeResourcesFit");
    assertThat(s.isRejected()).isTrue();
    assertThat(Status.error(new IllegalStateException("boom")).cause()).hasMessage("boom");
  }

  record Counter(int[] value) implements StateData {
    @Override
    public StateData copy() {
      return new Counter(value.clone());
    }
  }

  @Test
  void cycleStateCopiesData() {
    CycleState.Key<Counter> key = CycleState.Key.of("PreFilterExample", Counter.class);
    CycleState state = new CycleState();
    assertThat(state.read(key)).isNull();
    state.write(key, new Counter(new int[] {1}));
    state.skipFilter("X");
    CycleState copy = state.copy();
    copy.read(key).value()[0] = 2;
    assertThat(state.read(key).value()[0]).isEqualTo(1);
    assertThat(copy.skipFilterPlugins()).containsExactly("X");
    state.delete(key);
    assertThat(state.read(key)).isNull();
  }

  @Test
  void extensionPointsAreReadFromTheInstance() {
    Plugin p = new FilterPlugin() {
      @Override
      public String name() {
        return "F";
      }

      @Override
      public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
        return null;
      }
    };
    assertThat(ExtensionPoint.of(p)).containsExactly(ExtensionPoint.FILTER);
    assertThat(ExtensionPoint.forConfigKey("preFilter")).isEqualTo(ExtensionPoint.PRE_FILTER);
  }
}
