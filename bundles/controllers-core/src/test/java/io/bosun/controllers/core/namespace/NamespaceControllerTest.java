package io.bosun.controllers.core.namespace;

import static io.bosun.controllers.core.testing.Harness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.Namespace;
import io.bosun.api.core.v1.NamespaceCondition;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.Secret;
import io.bosun.api.core.v1.ServiceAccount;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ListOptions;
import io.bosun.client.PatchType;
import io.bosun.controller.Pods;
import io.bosun.controllers.core.gc.GarbageCollector;
import io.bosun.controllers.core.serviceaccount.ServiceAccountController;
import io.bosun.controllers.core.testing.Harness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Namespace deletion and default service accounts against a real API server. */
class NamespaceControllerTest {

  @TempDir
  static Path dir;
  static Harness h;

  @BeforeAll
  static void start() throws Exception {
    h = new Harness(dir, List.of(new NamespaceController(Duration.ofMillis(100)), new ServiceAccountController(),
        new GarbageCollector()));
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static Optional<Namespace> ns(String name) {
    return h.client.resources(Namespace.class).get(null, name);
  }

  static NamespaceCondition condition(String ns, String type) {
    Namespace n = ns(ns).orElse(null);
    return n == null || n.getStatus() == null || n.getStatus().getConditions() == null ? null
        : n.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  @Test
  void everyActiveNamespaceHasADefaultServiceAccount() {
    String ns = h.namespace("sa");
    await(() -> h.client.resources(ServiceAccount.class).get(ns, "default").isPresent(), () -> "default service account");
    h.client.resources(ServiceAccount.class).delete(ns, "default", null);
    await(() -> h.client.resources(ServiceAccount.class).get(ns, "default").isPresent(), () -> "re-created");
    // The system namespaces get one too.
    for (String system : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
      await(() -> h.client.resources(ServiceAccount.class).get(system, "default").isPresent(), () -> system);
    }
  }

  @Test
  void deletingANamespaceEmptiesItThenRemovesIt() {
    String ns = h.namespace("ns-delete");
    for (int i = 0; i < 3; i++) {
      h.client.resources(ConfigMap.class).create(new ConfigMap().withMetadata(new ObjectMeta().withNamespace(ns).withName("cm-" + i)));
      h.client.resources(Secret.class).create(new Secret().withMetadata(new ObjectMeta().withNamespace(ns).withName("s-" + i)));
    }
    h.client.pods().create(new Pod().withMetadata(new ObjectMeta().withNamespace(ns).withName("unbound"))
        .withSpec(new PodSpec().withContainers(List.of(new Container().withName("c").withImage("busybox")))));
    // Held by a finalizer nobody but the test removes.
    h.client.resources(ConfigMap.class).create(new ConfigMap().withMetadata(new ObjectMeta().withNamespace(ns)
        .withName("held").withFinalizers(List.of("test.bosun.io/hold"))));
    h.client.resources(Namespace.class).delete(null, ns, null);
    await(() -> {
      NamespaceCondition c = condition(ns, "NamespaceFinalizersRemaining");
      return c != null && "True".equals(c.getStatus());
    }, () -> "finalizers remaining: " + ns(ns).map(Namespace::getStatus));
    Namespace terminating = ns(ns).orElseThrow();
    assertThat(terminating.getStatus().getPhase()).isEqualTo("Terminating");
    assertThat(condition(ns, "NamespaceFinalizersRemaining").getMessage())
        .isEqualTo("Some content in the namespace has finalizers remaining: test.bosun.io/hold in 1 resource instances");
    assertThat(condition(ns, "NamespaceContentRemaining").getMessage())
        .isEqualTo("Some resources are remaining: configmaps. has 1 resource instances");
    assertThat(condition(ns, "NamespaceDeletionContentFailure").getReason()).isEqualTo("ContentDeleted");
    assertThat(condition(ns, "NamespaceDeletionDiscoveryFailure").getStatus()).isEqualTo("False");
    assertThat(h.client.resources(Secret.class).list(ns, ListOptions.none()).items()).isEmpty();
    assertThat(h.client.pods().list(ns, ListOptions.none()).items()).isEmpty();
    assertThat(h.client.resources(ConfigMap.class).list(ns, ListOptions.none()).items()).hasSize(1);
    assertThat(terminating.getSpec().getFinalizers()).contains("kubernetes");
    // Nothing new may be created meanwhile, not even the default service account.
    try {
      h.client.resources(ConfigMap.class).create(new ConfigMap().withMetadata(new ObjectMeta().withNamespace(ns).withName("late")));
      throw new AssertionError("created content in a terminating namespace");
    } catch (ClientStatusException e) {
      assertThat(e.code()).isEqualTo(403);
    }
    h.client.resources(ConfigMap.class).patch(ns, "held", PatchType.MERGE, "{\"metadata\":{\"finalizers\":null}}");
    await(() -> ns(ns).isEmpty(), () -> "namespace gone: " + ns(ns).map(Namespace::getStatus));
  }

  @Test
  void runningPodsAreWaitedForUntilTheirKubeletRemovesThem() {
    String ns = h.namespace("ns-pods");
    var nodes = h.nodes(1);
    for (int i = 0; i < 2; i++) {
      h.client.pods().create(new Pod().withMetadata(new ObjectMeta().withNamespace(ns).withName("p-" + i))
          .withSpec(new PodSpec().withTerminationGracePeriodSeconds(2L)
              .withContainers(List.of(new Container().withName("c").withImage("busybox")))));
    }
    await(() -> h.client.pods().list(ns, ListOptions.none()).items().stream().allMatch(p -> "Running".equals(Pods.phase(p))),
        () -> "pods running");
    nodes.setFinalizingDeletes(false);
    try {
      h.client.resources(Namespace.class).delete(null, ns, null);
      await(() -> {
        NamespaceCondition c = condition(ns, "NamespaceContentRemaining");
        return c != null && "True".equals(c.getStatus()) && c.getMessage().contains("pods. has 2 resource instances");
      }, () -> "pods remaining: " + ns(ns).map(Namespace::getStatus));
      assertThat(h.client.pods().list(ns, ListOptions.none()).items())
          .allSatisfy(p -> assertThat(p.getMetadata().getDeletionTimestamp()).isNotNull());
    } finally {
      nodes.setFinalizingDeletes(true);
    }
    await(() -> ns(ns).isEmpty(), () -> "namespace gone: " + ns(ns).map(Namespace::getStatus));
  }
}
