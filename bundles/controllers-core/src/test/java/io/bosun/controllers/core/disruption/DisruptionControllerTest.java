package io.bosun.controllers.core.disruption;

import static io.bosun.controllers.core.testing.Harness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.ReplicaSetSpec;
import io.bosun.api.batch.v1.Job;
import io.bosun.api.batch.v1.JobSpec;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.meta.v1.Condition;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.policy.v1.PodDisruptionBudget;
import io.bosun.api.policy.v1.PodDisruptionBudgetSpec;
import io.bosun.api.policy.v1.PodDisruptionBudgetStatus;
import io.bosun.api.values.IntOrString;
import io.bosun.client.ClientStatusException;
import io.bosun.controller.ControllerRefs;
import io.bosun.controller.Pods;
import io.bosun.controller.testing.FakeNodes;
import io.bosun.controllers.core.testing.Harness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PodDisruptionBudget status from pods run by fake nodes, and the eviction subresource reading it. */
class DisruptionControllerTest {

  @TempDir
  static Path dir;
  static Harness h;
  static FakeNodes nodes;

  @BeforeAll
  static void start() throws Exception {
    h = new Harness(dir, List.of(new DisruptionController()));
    nodes = h.nodes(2);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static List<Pod> pods(String ns, String app, int n, KubernetesObject owner) {
    List<Pod> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ObjectMeta meta = new ObjectMeta().withNamespace(ns).withName(app + "-" + i).withLabels(Map.of("app", app));
      if (owner != null) {
        meta.setOwnerReferences(List.of(ControllerRefs.newControllerRef(owner)));
      }
      out.add(h.client.pods().create(new Pod().withMetadata(meta)
          .withSpec(new PodSpec().withContainers(List.of(new Container().withName("c").withImage("busybox"))))));
    }
    await(() -> out.stream().allMatch(p -> h.client.pods().get(ns, p.getMetadata().getName()).map(Pods::isReady).orElse(false)),
        () -> "pods ready");
    return out;
  }

  static PodDisruptionBudget pdb(String ns, String name, String app, IntOrString minAvailable, IntOrString maxUnavailable) {
    return h.client.resources(PodDisruptionBudget.class).create(new PodDisruptionBudget()
        .withMetadata(new ObjectMeta().withNamespace(ns).withName(name))
        .withSpec(new PodDisruptionBudgetSpec().withMinAvailable(minAvailable).withMaxUnavailable(maxUnavailable)
            .withSelector(new LabelSelector().withMatchLabels(Map.of("app", app)))));
  }

  static PodDisruptionBudgetStatus status(String ns, String name) {
    PodDisruptionBudgetStatus s = h.client.resources(PodDisruptionBudget.class).get(ns, name).orElseThrow().getStatus();
    return s == null ? new PodDisruptionBudgetStatus() : s;
  }

  static Condition allowedCondition(String ns, String name) {
    PodDisruptionBudgetStatus s = status(ns, name);
    return s.getConditions() == null ? null
        : s.getConditions().stream().filter(c -> "DisruptionAllowed".equals(c.getType())).findFirst().orElse(null);
  }

  static boolean statusIs(String ns, String name, int expected, int desired, int current, int allowed) {
    PodDisruptionBudgetStatus s = status(ns, name);
    return Integer.valueOf(expected).equals(s.getExpectedPods()) && Integer.valueOf(desired).equals(s.getDesiredHealthy())
        && Integer.valueOf(current).equals(s.getCurrentHealthy()) && Integer.valueOf(allowed).equals(s.getDisruptionsAllowed());
  }

  @Test
  void integerMinAvailableCountsMatchingPods() {
    String ns = h.namespace("pdb-int");
    List<Pod> created = pods(ns, "db", 3, null);
    PodDisruptionBudget pdb = pdb(ns, "db", "db", IntOrString.of(2), null);
    await(() -> statusIs(ns, "db", 3, 2, 3, 1), () -> "status: " + status(ns, "db"));
    assertThat(status(ns, "db").getObservedGeneration()).isEqualTo(pdb.getMetadata().getGeneration());
    Condition c = allowedCondition(ns, "db");
    assertThat(c.getStatus()).isEqualTo("True");
    assertThat(c.getReason()).isEqualTo("SufficientPods");

    // The eviction subresource allows one eviction, then refuses the next.
    h.client.pods().evict(ns, created.get(0).getMetadata().getName(), null);
    await(() -> statusIs(ns, "db", 2, 2, 2, 0), () -> "after eviction: " + status(ns, "db"));
    assertThat(allowedCondition(ns, "db").getReason()).isEqualTo("InsufficientPods");
    try {
      h.client.pods().evict(ns, created.get(1).getMetadata().getName(), null);
      throw new AssertionError("second eviction allowed");
    } catch (ClientStatusException e) {
      assertThat(e.isTooManyRequests()).isTrue();
    }

    // An unready pod is not healthy.
    nodes.setReady(created.get(1), false);
    await(() -> statusIs(ns, "db", 2, 2, 1, 0), () -> "one unready: " + status(ns, "db"));
  }

  @Test
  void percentagesUseTheScaleOfThePodsControllers() {
    String ns = h.namespace("pdb-percent");
    ReplicaSet rs = h.client.resources(ReplicaSet.class).create(new ReplicaSet()
        .withMetadata(new ObjectMeta().withNamespace(ns).withName("web"))
        .withSpec(new ReplicaSetSpec().withReplicas(4).withSelector(new LabelSelector().withMatchLabels(Map.of("app", "web")))
            .withTemplate(new PodTemplateSpec().withMetadata(new ObjectMeta().withLabels(Map.of("app", "web")))
                .withSpec(new PodSpec().withContainers(List.of(new Container().withName("c").withImage("nginx")))))));
    // Only 3 of the 4 replicas exist: expectedPods follows the scale, not the pods.
    pods(ns, "web", 3, rs);
    pdb(ns, "half", "web", IntOrString.of("50%"), null);
    pdb(ns, "one-down", "web", null, IntOrString.of(1));
    await(() -> statusIs(ns, "half", 4, 2, 3, 1), () -> "half: " + status(ns, "half"));
    await(() -> statusIs(ns, "one-down", 4, 3, 3, 0), () -> "one-down: " + status(ns, "one-down"));
  }

  @Test
  void podsWithoutAScalableControllerFailTheSync() {
    String ns = h.namespace("pdb-failsafe");
    Job job = h.client.resources(Job.class).create(new Job().withMetadata(new ObjectMeta().withNamespace(ns).withName("batch"))
        .withSpec(new JobSpec().withSuspend(true).withTemplate(new PodTemplateSpec().withSpec(new PodSpec()
            .withRestartPolicy("Never").withContainers(List.of(new Container().withName("c").withImage("busybox")))))));
    pods(ns, "batch", 2, job);
    pdb(ns, "batch", "batch", IntOrString.of("50%"), null);
    await(() -> allowedCondition(ns, "batch") != null && "SyncFailed".equals(allowedCondition(ns, "batch").getReason()),
        () -> "sync failed: " + status(ns, "batch"));
    assertThat(allowedCondition(ns, "batch").getMessage()).isEqualTo("found no controllers for pod \"batch-0\"");
    assertThat(status(ns, "batch").getDisruptionsAllowed()).isZero();
  }
}
