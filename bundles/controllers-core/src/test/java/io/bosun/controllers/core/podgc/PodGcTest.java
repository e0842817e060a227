package io.bosun.controllers.core.podgc;

import static io.bosun.controllers.core.testing.Harness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ListOptions;
import io.bosun.client.PatchType;
import io.bosun.controller.Pods;
import io.bosun.controller.testing.FakeNodes;
import io.bosun.controllers.core.internal.Writes;
import io.bosun.controllers.core.testing.Harness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The pod garbage collector with a threshold of 2 terminated pods, a 200 ms period and a 1 s quarantine. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PodGcTest {

  @TempDir
  static Path dir;
  static Harness h;
  static FakeNodes nodes;

  @BeforeAll
  static void start() throws Exception {
    h = new Harness(dir, List.of(new PodGcController(new PodGcController.Settings(2, Duration.ofMillis(200),
        Duration.ofSeconds(1)))));
    nodes = h.nodes(2);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static Pod pod(String ns, String name, String node, List<String> finalizers) {
    return h.client.pods().create(new Pod().withMetadata(new ObjectMeta().withNamespace(ns).withName(name)
        .withFinalizers(finalizers))
        .withSpec(new PodSpec().withNodeName(node).withRestartPolicy("Never")
            .withContainers(List.of(new Container().withName("c").withImage("busybox")))));
  }

  /** Removes the test finalizer (the pod is gone afterwards). */
  static void release(String ns, String name) {
    Writes.patch(h.client.pods(), ns, name, PatchType.MERGE, "{\"metadata\":{\"finalizers\":null}}");
  }

  static List<Pod> pods(String ns) {
    return h.client.pods().list(ns, ListOptions.none()).items();
  }

  @Test
  @Order(1)
  void terminatedPodsBeyondTheThresholdGoOldestFirst() {
    String ns = h.namespace("gc-terminated");
    for (int i = 0; i < 4; i++) {
      Pod p = pod(ns, "done-" + i, null, null);
      await(() -> h.client.pods().get(ns, p.getMetadata().getName()).map(x -> "Running".equals(Pods.phase(x))).orElse(false),
          () -> "running");
      nodes.terminate(h.client.pods().get(ns, p.getMetadata().getName()).orElseThrow(), true);
      await(() -> h.client.pods().get(ns, p.getMetadata().getName()).map(x -> "Succeeded".equals(Pods.phase(x)))
          .orElse(true), () -> "succeeded");
    }
    await(() -> pods(ns).size() == 2, () -> "two left: " + pods(ns).stream().map(p -> p.getMetadata().getName()).toList());
    assertThat(pods(ns)).extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("done-2", "done-3");
  }

  @Test
  @Order(2)
  void podsOfADeletedNodeAreFailedAndDeletedAfterTheQuarantine() {
    String ns = h.namespace("gc-orphaned");
    nodes.addNode("doomed", Map.of(), List.of());
    // Held by a finalizer so the test can see the state PodGC left it in.
    pod(ns, "stranded", "doomed", List.of("test.bosun.io/hold"));
    await(() -> h.client.pods().get(ns, "stranded").map(p -> "Running".equals(Pods.phase(p))).orElse(false), () -> "running");
    nodes.setStarting(false);
    try {
      nodes.deleteNode("doomed");
      await(() -> h.client.pods().get(ns, "stranded").map(p -> p.getMetadata().getDeletionTimestamp() != null).orElse(false),
          () -> "pod deleted: " + h.client.pods().get(ns, "stranded"));
      Pod p = h.client.pods().get(ns, "stranded").orElseThrow();
      assertThat(Pods.phase(p)).isEqualTo("Failed");
      assertThat(p.getStatus().getConditions()).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo("DisruptionTarget");
        assertThat(c.getReason()).isEqualTo("DeletionByPodGC");
        assertThat(c.getMessage()).isEqualTo("PodGC: node no longer exists");
      });
      assertThat(p.getMetadata().getDeletionGracePeriodSeconds()).isZero();
    } finally {
      nodes.setStarting(true);
    }
    release(ns, "stranded");
    await(() -> pods(ns).isEmpty(), () -> "gone");
  }

  @Test
  @Order(3)
  void unscheduledTerminatingPodsAreForceDeleted() {
    String ns = h.namespace("gc-unscheduled");
    nodes.setScheduling(false);
    try {
      pod(ns, "never-bound", null, List.of("test.bosun.io/hold"));
      h.client.pods().delete(ns, "never-bound", null);
      await(() -> h.client.pods().get(ns, "never-bound").map(p -> "Failed".equals(Pods.phase(p))).orElse(false),
          () -> "marked failed: " + h.client.pods().get(ns, "never-bound"));
    } finally {
      nodes.setScheduling(true);
    }
    release(ns, "never-bound");
    await(() -> pods(ns).isEmpty(), () -> "gone");
  }
}
