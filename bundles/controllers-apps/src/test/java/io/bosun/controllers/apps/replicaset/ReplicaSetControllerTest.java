package io.bosun.controllers.apps.replicaset;

import static io.bosun.controllers.apps.Harness.await;
import static io.bosun.controllers.apps.Harness.template;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.ReplicaSetSpec;
import io.bosun.api.apps.v1.ReplicaSetStatus;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodStatus;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.PatchType;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.ResourceEventHandler;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.informer.SharedInformerFactory;
import io.bosun.client.informer.InformerScope;
import io.bosun.controller.ControllerRefs;
import io.bosun.controllers.apps.DelayedContext;
import io.bosun.controllers.apps.Harness;
import io.bosun.api.core.v1.Container;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaSetControllerTest {

  @TempDir
  static Path dir;
  static Harness h;
  static ResourceClient<ReplicaSet> sets;
  static final ReplicaSetController CONTROLLER = new ReplicaSetController();

  @BeforeAll
  static void start() throws Exception {
    h = new Harness(dir, 3, CONTROLLER);
    sets = h.client.resources(ReplicaSet.class);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static ReplicaSet replicaSet(String ns, String name, int replicas, Map<String, String> labels) {
    return new ReplicaSet().withMetadata(new ObjectMeta().withNamespace(ns).withName(name))
        .withSpec(new ReplicaSetSpec().withReplicas(replicas)
            .withSelector(new LabelSelector().withMatchLabels(labels))
            .withTemplate(template(labels, "nginx:1.27")));
  }

  static ReplicaSet get(String ns, String name) {
    return sets.get(ns, name).orElseThrow();
  }

  static boolean statusIs(String ns, String name, int replicas, int ready, int available) {
    ReplicaSet rs = get(ns, name);
    ReplicaSetStatus s = rs.getStatus();
    return s != null && s.getReplicas() != null && s.getReplicas() == replicas && nz(s.getReadyReplicas()) == ready
        && nz(s.getAvailableReplicas()) == available && nz(s.getFullyLabeledReplicas()) == replicas
        && s.getObservedGeneration() != null && s.getObservedGeneration().equals(rs.getMetadata().getGeneration());
  }

  static int nz(Integer i) {
    return i == null ? 0 : i;
  }

  static void scale(String ns, String name, int replicas) {
    sets.patch(ns, name, PatchType.MERGE, "{\"spec\":{\"replicas\":" + replicas + "}}");
  }

  @Test
  void createsPodsScalesAndReportsStatus() {
    String ns = h.namespace("rs");
    Map<String, String> labels = Map.of("app", "web");
    sets.create(replicaSet(ns, "web", 3, labels));
    await(() -> statusIs(ns, "web", 3, 3, 3), () -> "3 ready pods: " + get(ns, "web").getStatus());
    List<Pod> pods = h.activePods(ns, "app=web");
    assertThat(pods).hasSize(3).allMatch(p -> ControllerRefs.isControlledBy(p, get(ns, "web")))
        .allMatch(p -> p.getMetadata().getName().startsWith("web-"));
    assertThat(pods.get(0).getMetadata().getOwnerReferences().get(0).getBlockOwnerDeletion()).isTrue();

    scale(ns, "web", 5);
    await(() -> statusIs(ns, "web", 5, 5, 5), "scaled up to 5");
    scale(ns, "web", 1);
    await(() -> statusIs(ns, "web", 1, 1, 1), "scaled down to 1");
    await(() -> h.pods(ns, "app=web").size() == 1, "terminated pods gone");
  }

  @Test
  void availabilityWaitsForMinReadySeconds() {
    String ns = h.namespace("rs");
    Map<String, String> labels = Map.of("app", "slow");
    ReplicaSet rs = replicaSet(ns, "slow", 2, labels);
    rs.getSpec().setMinReadySeconds(2);
    sets.create(rs);
    await(() -> statusIs(ns, "slow", 2, 2, 0), "ready but not yet available");
    Instant ready = Instant.now();
    await(() -> statusIs(ns, "slow", 2, 2, 2), "available after minReadySeconds");
    assertThat(Duration.between(ready, Instant.now())).isGreaterThan(Duration.ofMillis(500));
  }

  @Test
  void adoptsMatchingOrphansAndReleasesPodsThatNoLongerMatch() {
    String ns = h.namespace("rs");
    Map<String, String> labels = Map.of("app", "adopt");
    Pod orphan = h.client.pods().create(new Pod().withMetadata(new ObjectMeta().withNamespace(ns).withName("orphan")
        .withLabels(labels)).withSpec(new PodSpec().withContainers(List.of(new Container().withName("c").withImage("x")))));
    sets.create(replicaSet(ns, "adopt", 2, labels));
    await(() -> statusIs(ns, "adopt", 2, 2, 2), "2 pods");
    ReplicaSet owner = get(ns, "adopt");
    Pod adopted = h.client.pods().get(ns, "orphan").orElseThrow();
    assertThat(ControllerRefs.isControlledBy(adopted, owner)).as("the orphan was adopted").isTrue();
    assertThat(h.activePods(ns, "app=adopt")).hasSize(2);

    // Relabel the adopted pod: the set releases it and makes a replacement.
    h.client.pods().patch(ns, "orphan", PatchType.MERGE, "{\"metadata\":{\"labels\":{\"app\":\"gone\"}}}");
    await(() -> h.client.pods().get(ns, "orphan").map(p -> ControllerRefs.controllerOf(p).isEmpty()).orElse(false),
        "the relabelled pod is released");
    await(() -> statusIs(ns, "adopt", 2, 2, 2) && h.activePods(ns, "app=adopt").size() == 2, "a replacement");
    assertThat(h.client.pods().get(ns, "orphan")).isPresent();
  }

  @Test
  void deletesUnscheduledAndNotReadyPodsFirst() {
    String ns = h.namespace("rs");
    Map<String, String> labels = Map.of("app", "rank");
    sets.create(replicaSet(ns, "rank", 3, labels));
    await(() -> statusIs(ns, "rank", 3, 3, 3), "3 ready");
    List<Pod> ready = h.activePods(ns, "app=rank");
    Pod notReady = ready.get(1);
    h.nodes.setReady(notReady, false);
    await(() -> statusIs(ns, "rank", 3, 2, 2), "one not ready");
    h.nodes.setScheduling(false);
    try {
      scale(ns, "rank", 5);
      await(() -> h.activePods(ns, "app=rank").size() == 5, "5 pods, 2 unscheduled");
      scale(ns, "rank", 2);
      await(() -> h.activePods(ns, "app=rank").size() == 2, "scaled down to 2");
      Set<String> left = Set.copyOf(h.activePods(ns, "app=rank").stream().map(p -> p.getMetadata().getName()).toList());
      Set<String> readyNames = Set.copyOf(ready.stream().filter(p -> p != notReady).map(p -> p.getMetadata().getName()).toList());
      assertThat(left).as("unscheduled pods and the not-ready pod go first").isEqualTo(readyNames);
    } finally {
      h.nodes.setScheduling(true);
    }
  }

  @Test
  void rankingFollowsUpstream() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    Pod unscheduled = pod("a", null, "Pending", false, now.minusSeconds(10));
    Pod pending = pod("b", "n1", "Pending", false, now.minusSeconds(10));
    Pod notReady = pod("c", "n1", "Running", false, now.minusSeconds(10));
    Pod readyNew = pod("d", "n2", "Running", true, now.minusSeconds(10));
    Pod readyOld = pod("e", "n3", "Running", true, now.minusSeconds(10000));
    List<Pod> pods = List.of(readyOld, readyNew, notReady, pending, unscheduled);
    assertThat(ReplicaSetRun.podsToDelete(pods, pods, 4)).containsExactly(unscheduled, pending, notReady, readyNew);
    // Doubled-up pods (more related pods on their node) go before others.
    Pod doubled = pod("f", "n3", "Running", true, now.minusSeconds(10000));
    List<Pod> two = List.of(readyNew, doubled);
    assertThat(ReplicaSetRun.podsToDelete(two, List.of(readyNew, doubled, readyOld), 1)).containsExactly(doubled);
  }

  private static Pod pod(String name, String node, String phase, boolean ready, Instant since) {
    return new Pod().withMetadata(new ObjectMeta().withName(name).withUid(name).withCreationTimestamp(since))
        .withSpec(new PodSpec().withNodeName(node))
        .withStatus(new PodStatus().withPhase(phase).withConditions(List.of(new PodCondition().withType("Ready")
            .withStatus(ready ? "True" : "False").withLastTransitionTime(since))));
  }

  @Test
  void expectationsKeepASlowPodWatchFromOvershooting() throws Exception {
    String ns = h.namespace("rs-slow");
    Map<String, String> labels = Map.of("app", "lag");
    // Watch every pod the controller ever creates for this set.
    Set<String> created = ConcurrentHashMap.newKeySet();
    AtomicInteger maxActive = new AtomicInteger();
    try (SharedInformerFactory f = new SharedInformerFactory(h.client)) {
      SharedIndexInformer<Pod> watch = f.informerFor(Pod.class, InformerScope.namespace(ns));
      watch.addEventHandler(new ResourceEventHandler<>() {
        @Override
        public void onAdd(Pod p, boolean initial) {
          created.add(p.getMetadata().getUid());
          maxActive.accumulateAndGet((int) watch.indexer().list().stream().filter(io.bosun.controller.Pods::isActive)
              .count(), Math::max);
        }
      });
      f.start();
      f.waitForCacheSync(Duration.ofSeconds(10));

      // For this test the ReplicaSet controller's pod informer lags 1.5 s behind the API.
      var lagging = DelayedContext.lagging(new ReplicaSetController(), Pod.class, Duration.ofMillis(1500));
      h.manager.removeController(CONTROLLER);
      h.manager.addController(lagging);
      try {
        sets.create(replicaSet(ns, "lag", 5, labels));
        await(() -> statusIs(ns, "lag", 5, 5, 5), () -> "5 pods: " + get(ns, "lag").getStatus());
        scale(ns, "lag", 2);
        await(() -> statusIs(ns, "lag", 2, 2, 2) && h.pods(ns, "app=lag").size() == 2, "2 pods");
        scale(ns, "lag", 4);
        await(() -> statusIs(ns, "lag", 4, 4, 4), "4 pods");
        assertThat(created).as("pods ever created: 5, then 2 more").hasSize(7);
        assertThat(maxActive.get()).isLessThanOrEqualTo(5);
      } finally {
        h.manager.removeController(lagging);
        h.manager.addController(CONTROLLER);
      }
    }
  }

  @Test
  void statusWritesSurviveConflicts() throws Exception {
    String ns = h.namespace("rs");
    Map<String, String> labels = Map.of("app", "busy");
    sets.create(replicaSet(ns, "busy", 3, labels));
    // Another writer keeps changing the set while its pods come up: status writes conflict.
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = Thread.ofVirtual().start(() -> {
      for (int i = 0; !stop.get(); i++) {
        sets.patch(ns, "busy", PatchType.MERGE, "{\"metadata\":{\"annotations\":{\"tick\":\"" + i + "\"}}}");
      }
    });
    try {
      await(() -> statusIs(ns, "busy", 3, 3, 3), () -> "status despite conflicts: " + get(ns, "busy").getStatus());
    } finally {
      stop.set(true);
      writer.join();
    }
    assertThat(h.activePods(ns, "app=busy")).hasSize(3);
  }
}
