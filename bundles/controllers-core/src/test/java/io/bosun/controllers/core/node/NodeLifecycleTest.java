package io.bosun.controllers.core.node;

import static io.bosun.controllers.core.testing.Harness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeCondition;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.Taint;
import io.bosun.api.core.v1.Toleration;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.controller.Pods;
import io.bosun.controller.testing.FakeNodes;
import io.bosun.controllers.core.internal.Taints;
import io.bosun.controllers.core.testing.Harness;
import io.bosun.controllers.core.testing.Kubelets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node lifecycle and taint eviction with fake kubelets: four nodes renew their leases; a test
 * stops one or two and watches conditions, taints and pods. Grace period 2 s, health checked
 * every 200 ms, at most one node tainted every 2 s per zone; no default tolerations assumed.
 */
class NodeLifecycleTest {

  @TempDir
  static Path dir;
  static Harness h;
  static FakeNodes nodes;
  static Kubelets kubelets;

  @BeforeAll
  static void start() throws Exception {
    h = new Harness(dir, List.of(
        new NodeLifecycleController(new NodeLifecycleController.Settings(Duration.ofSeconds(2), Duration.ofSeconds(4),
            Duration.ofMillis(200), 0.5, 0.01, 50, 0.55)),
        new TaintEvictionController(-1, -1)));
    nodes = h.nodes(4);
    kubelets = new Kubelets(h.client, List.of("node-1", "node-2", "node-3", "node-4"));
  }

  @AfterAll
  static void stop() {
    kubelets.close();
    h.close();
  }

  @AfterEach
  void reviveAll() {
    nodes.setStarting(true);
    for (String n : List.of("node-1", "node-2", "node-3", "node-4")) {
      kubelets.revive(n);
    }
    for (String n : List.of("node-1", "node-2", "node-3", "node-4")) {
      // One read per check: two GETs could see the taints before and after their removal.
      await(() -> {
        List<Taint> taints = node(n).getSpec().getTaints();
        return taints == null || taints.isEmpty();
      }, () -> n + " untainted: " + node(n).getSpec().getTaints());
    }
  }

  static Node node(String name) {
    return h.client.resources(Node.class).get(null, name).orElseThrow();
  }

  static NodeCondition condition(String node, String type) {
    return node(node).getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  static Optional<Taint> taint(String node, String key, String effect) {
    List<Taint> taints = node(node).getSpec().getTaints();
    return taints == null ? Optional.empty()
        : taints.stream().filter(t -> key.equals(t.getKey()) && effect.equals(t.getEffect())).findFirst();
  }

  static Pod pod(String ns, String name, String node, List<Toleration> tolerations) {
    return h.client.pods().create(new Pod().withMetadata(new ObjectMeta().withNamespace(ns).withName(name))
        .withSpec(new PodSpec().withNodeName(node).withTolerations(tolerations)
            .withContainers(List.of(new Container().withName("c").withImage("busybox")))));
  }

  static Optional<Pod> pod(String ns, String name) {
    return h.client.pods().get(ns, name).filter(p -> p.getMetadata().getDeletionTimestamp() == null);
  }

  static Toleration tolerateUnreachable(Long seconds) {
    return new Toleration().withKey(Taints.UNREACHABLE).withOperator("Exists").withEffect("NoExecute")
        .withTolerationSeconds(seconds);
  }

  @Test
  void unreachableNodeIsTaintedAndItsPodsEvictedByTheirTolerations() {
    String ns = h.namespace("unreachable");
    pod(ns, "intolerant", "node-2", null);
    pod(ns, "patient", "node-2", List.of(tolerateUnreachable(2L)));
    pod(ns, "forever", "node-2", List.of(tolerateUnreachable(null)));
    await(() -> List.of("intolerant", "patient", "forever").stream()
        .allMatch(n -> pod(ns, n).map(Pods::isReady).orElse(false)), () -> "pods ready");
    // The fake kubelet stops updating pods, as a dead node's kubelet would.
    nodes.setStarting(false);
    kubelets.stop("node-2");

    await(() -> "Unknown".equals(condition("node-2", "Ready").getStatus()), () -> "Ready Unknown: " + node("node-2").getStatus());
    NodeCondition ready = condition("node-2", "Ready");
    assertThat(ready.getReason()).isEqualTo("NodeStatusUnknown");
    assertThat(ready.getMessage()).isEqualTo("Kubelet stopped posting node status.");
    NodeCondition memory = condition("node-2", "MemoryPressure");
    assertThat(memory.getStatus()).isEqualTo("Unknown");
    assertThat(memory.getReason()).isEqualTo("NodeStatusNeverUpdated");
    // The pods on it are not ready any more.
    await(() -> pod(ns, "forever").map(p -> !Pods.isReady(p)).orElse(false), () -> "pod marked not ready");

    await(() -> taint("node-2", Taints.UNREACHABLE, "NoExecute").isPresent()
        && taint("node-2", Taints.UNREACHABLE, "NoSchedule").isPresent(), () -> "taints: " + node("node-2").getSpec().getTaints());
    Instant tainted = taint("node-2", Taints.UNREACHABLE, "NoExecute").orElseThrow().getTimeAdded();
    assertThat(tainted).isNotNull();
    // No toleration: deleted at once; 2 s toleration: deleted after it; no seconds: stays.
    await(() -> pod(ns, "intolerant").isEmpty(), () -> "intolerant pod evicted");
    assertThat(pod(ns, "patient")).isPresent();
    await(() -> pod(ns, "patient").isEmpty(), () -> "patient pod evicted after its toleration");
    Instant evictedAt = Instant.now();
    assertThat(Duration.between(tainted, evictedAt)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(pod(ns, "forever")).isPresent();

    kubelets.revive("node-2");
    await(() -> taint("node-2", Taints.UNREACHABLE, "NoExecute").isEmpty()
        && taint("node-2", Taints.UNREACHABLE, "NoSchedule").isEmpty(), () -> "taints removed: " + node("node-2").getSpec().getTaints());
    assertThat(pod(ns, "forever")).isPresent();
  }

  @Test
  void notReadyNodeGetsTheNotReadyTaintsAndAReturningNodeLosesThem() {
    String ns = h.namespace("notready");
    pod(ns, "short", "node-3", List.of(new Toleration().withKey(Taints.NOT_READY).withOperator("Exists")
        .withEffect("NoExecute").withTolerationSeconds(30L)));
    await(() -> pod(ns, "short").map(Pods::isReady).orElse(false), () -> "pod ready");
    nodes.setStarting(false);
    kubelets.postReady("node-3", "False", "KubeletNotReady", "container runtime is down");
    await(() -> taint("node-3", Taints.NOT_READY, "NoExecute").isPresent()
        && taint("node-3", Taints.NOT_READY, "NoSchedule").isPresent(), () -> "taints: " + node("node-3").getSpec().getTaints());
    // (Pods are marked not ready only when this controller finds the node silent, as upstream: a
    // kubelet reporting NotReady keeps reporting its pods itself.)
    // Back before the toleration runs out: the deletion is cancelled.
    kubelets.postReady("node-3", "True", "KubeletReady", "kubelet is posting ready status");
    await(() -> taint("node-3", Taints.NOT_READY, "NoExecute").isEmpty()
        && taint("node-3", Taints.NOT_READY, "NoSchedule").isEmpty(), () -> "taints removed");
    await(() -> h.client.resources(io.bosun.api.core.v1.Event.class).list(ns, io.bosun.client.ListOptions.none()).items()
        .stream().anyMatch(e -> "TaintManagerEviction".equals(e.getReason()) && e.getMessage().startsWith("Cancelling")),
        () -> "cancellation event");
    assertThat(pod(ns, "short")).isPresent();
  }

  @Test
  void taintingIsRateLimitedPerZone() {
    kubelets.stop("node-1");
    kubelets.stop("node-4");
    await(() -> taint("node-1", Taints.UNREACHABLE, "NoExecute").isPresent()
        && taint("node-4", Taints.UNREACHABLE, "NoExecute").isPresent(), () -> "both tainted");
    Instant a = taint("node-1", Taints.UNREACHABLE, "NoExecute").orElseThrow().getTimeAdded();
    Instant b = taint("node-4", Taints.UNREACHABLE, "NoExecute").orElseThrow().getTimeAdded();
    // At 0.5 nodes per second the second taint comes 2 s after the first (timeAdded has second resolution).
    assertThat(Duration.between(a.isBefore(b) ? a : b, a.isBefore(b) ? b : a)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }
}
