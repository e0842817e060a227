package io.bosun.controllers.apps.daemon;

import static io.bosun.controllers.apps.Harness.await;
import static io.bosun.controllers.apps.Harness.template;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.apps.v1.ControllerRevision;
import io.bosun.api.apps.v1.DaemonSet;
import io.bosun.api.apps.v1.DaemonSetSpec;
import io.bosun.api.apps.v1.DaemonSetStatus;
import io.bosun.api.apps.v1.DaemonSetUpdateStrategy;
import io.bosun.api.apps.v1.RollingUpdateDaemonSet;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Taint;
import io.bosun.api.core.v1.Toleration;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.values.IntOrString;
import io.bosun.client.ListOptions;
import io.bosun.client.PatchType;
import io.bosun.client.ResourceClient;
import io.bosun.controller.Pods;
import io.bosun.controllers.apps.Harness;
import io.bosun.controllers.apps.PodObserver;
import io.bosun.controllers.apps.history.Revisions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonSetControllerTest {

  @TempDir
  static Path dir;
  static Harness h;
  static ResourceClient<DaemonSet> sets;

  @BeforeAll
  static void start() throws Exception {
    h = new Harness(dir, 3, new DaemonSetController());
    sets = h.client.resources(DaemonSet.class);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static DaemonSet daemonSet(String ns, String name, DaemonSetUpdateStrategy strategy) {
    Map<String, String> labels = Map.of("app", name);
    return new DaemonSet().withMetadata(new ObjectMeta().withNamespace(ns).withName(name))
        .withSpec(new DaemonSetSpec().withSelector(new LabelSelector().withMatchLabels(labels))
            .withUpdateStrategy(strategy).withTemplate(template(labels, "agent:1")));
  }

  static DaemonSetUpdateStrategy rolling(int maxUnavailable, int maxSurge) {
    return new DaemonSetUpdateStrategy().withType("RollingUpdate").withRollingUpdate(new RollingUpdateDaemonSet()
        .withMaxUnavailable(IntOrString.of(maxUnavailable)).withMaxSurge(IntOrString.of(maxSurge)));
  }

  static DaemonSet get(String ns, String name) {
    return sets.get(ns, name).orElseThrow();
  }

  /** Desired, current, ready, updated and available all {@code n}, nothing misscheduled, generation observed. */
  static boolean settled(String ns, String name, int n) {
    DaemonSet ds = get(ns, name);
    DaemonSetStatus s = ds.getStatus();
    return s != null && eq(s.getDesiredNumberScheduled(), n) && eq(s.getCurrentNumberScheduled(), n)
        && eq(s.getNumberReady(), n) && eq(s.getUpdatedNumberScheduled(), n) && eq(s.getNumberAvailable(), n)
        && eq(s.getNumberMisscheduled(), 0) && s.getObservedGeneration() != null
        && s.getObservedGeneration() >= ds.getMetadata().getGeneration();
  }

  static boolean eq(Integer a, int b) {
    return a != null && a == b;
  }

  static Set<String> nodesOf(List<Pod> pods) {
    return pods.stream().map(p -> p.getSpec().getNodeName()).collect(Collectors.toSet());
  }

  @Test
  void onePodPerEligibleNodePlacedByTheScheduler() {
    String ns = h.namespace("ds");
    sets.create(daemonSet(ns, "agent", rolling(1, 0)));
    await(() -> settled(ns, "agent", 3), () -> "3 daemon pods: " + get(ns, "agent").getStatus());
    List<Pod> pods = h.activePods(ns, "app=agent");
    assertThat(pods).hasSize(3);
    assertThat(nodesOf(pods)).containsExactlyInAnyOrder("node-1", "node-2", "node-3");
    Pod p = pods.get(0);
    // Pinned through node affinity (upstream's scheduler-driven placement) and the default daemon tolerations.
    var terms = p.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms();
    assertThat(terms.get(0).getMatchFields().get(0).getValues()).containsExactly(p.getSpec().getNodeName());
    assertThat(p.getSpec().getTolerations()).extracting(Toleration::getKey).contains(NodeFit.NOT_READY,
        NodeFit.UNREACHABLE, NodeFit.DISK_PRESSURE, NodeFit.MEMORY_PRESSURE, NodeFit.PID_PRESSURE, NodeFit.UNSCHEDULABLE);
    List<ControllerRevision> history = h.client.resources(ControllerRevision.class).list(ns, ListOptions.none()).items();
    assertThat(history).hasSize(1);
    assertThat(p.getMetadata().getLabels()).containsEntry(Revisions.HASH_LABEL, Revisions.hashOf(history.get(0)));

    // A new node gets a pod; an extra pod on a node is removed.
    h.nodes.addNode("node-ds-extra", Map.of(), List.of());
    try {
      await(() -> settled(ns, "agent", 4) && nodesOf(h.activePods(ns, "app=agent")).contains("node-ds-extra"),
          "a pod on the new node");
    } finally {
      h.nodes.deleteNode("node-ds-extra");
    }
    await(() -> settled(ns, "agent", 3), () -> "back to 3 nodes: " + get(ns, "agent").getStatus());
  }

  @Test
  void nodeSelectorAndTaintsDecideEligibility() {
    String ns = h.namespace("ds");
    h.nodes.addNode("infra-1", Map.of("role", "infra"), List.of());
    h.nodes.addNode("infra-2", Map.of("role", "infra"), List.of(new Taint().withKey("dedicated").withValue("infra")
        .withEffect("NoSchedule")));
    try {
      DaemonSet ds = daemonSet(ns, "infra", rolling(1, 0));
      ds.getSpec().getTemplate().getSpec().setNodeSelector(Map.of("role", "infra"));
      sets.create(ds);
      await(() -> settled(ns, "infra", 1), () -> "only the untainted infra node: " + get(ns, "infra").getStatus());
      assertThat(nodesOf(h.activePods(ns, "app=infra"))).containsExactly("infra-1");

      // Tolerate the taint: the second infra node gets a pod.
      sets.patch(ns, "infra", PatchType.STRATEGIC_MERGE, "{\"spec\":{\"template\":{\"spec\":{\"tolerations\":"
          + "[{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"infra\",\"effect\":\"NoSchedule\"}]}}}}");
      await(() -> settled(ns, "infra", 2) && nodesOf(h.activePods(ns, "app=infra")).equals(Set.of("infra-1", "infra-2")),
          () -> "both infra nodes: " + get(ns, "infra").getStatus());

      // A NoSchedule taint keeps running pods (misscheduled); a NoExecute taint evicts them.
      h.nodes.setTaints("infra-1", List.of(new Taint().withKey("maintenance").withEffect("NoSchedule")));
      await(() -> {
        DaemonSetStatus s = get(ns, "infra").getStatus();
        return eq(s.getDesiredNumberScheduled(), 1) && eq(s.getNumberMisscheduled(), 1);
      }, () -> "misscheduled: " + get(ns, "infra").getStatus());
      assertThat(nodesOf(h.activePods(ns, "app=infra"))).contains("infra-1");
      h.nodes.setTaints("infra-1", List.of(new Taint().withKey("maintenance").withEffect("NoExecute")));
      await(() -> nodesOf(h.activePods(ns, "app=infra")).equals(Set.of("infra-2"))
          && eq(get(ns, "infra").getStatus().getNumberMisscheduled(), 0), "evicted from infra-1");
      // The default tolerations cover node.kubernetes.io/unschedulable (a cordoned node keeps its daemon pod).
      h.nodes.setTaints("infra-2", List.of(new Taint().withKey("dedicated").withValue("infra").withEffect("NoSchedule"),
          new Taint().withKey(NodeFit.UNSCHEDULABLE).withEffect("NoSchedule")));
      await(() -> settled(ns, "infra", 1), "cordoned node keeps its pod");
    } finally {
      h.nodes.deleteNode("infra-1");
      h.nodes.deleteNode("infra-2");
    }
  }

  @Test
  void rollingUpdateWithMaxUnavailable() {
    String ns = h.namespace("ds");
    sets.create(daemonSet(ns, "ru", rolling(1, 0)));
    await(() -> settled(ns, "ru", 3), "revision 1");
    try (PodObserver observer = new PodObserver(h.client, ns, p -> true)) {
      observer.bounds(3, 3 - 1);
      sets.patch(ns, "ru", PatchType.STRATEGIC_MERGE,
          "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"agent:2\"}]}}}}");
      await(() -> settled(ns, "ru", 3) && h.activePods(ns, "app=ru").stream()
          .allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("agent:2")), "revision 2 everywhere");
      assertThat(observer.violations()).isEmpty();
      assertThat(observer.seenUids()).hasSize(6);
    }
    List<ControllerRevision> history = h.client.resources(ControllerRevision.class).list(ns, ListOptions.none()).items();
    assertThat(history).extracting(ControllerRevision::getRevision).containsExactlyInAnyOrder(1L, 2L);
  }

  @Test
  void rollingUpdateWithSurgeKeepsEveryNodeServed() {
    String ns = h.namespace("ds");
    sets.create(daemonSet(ns, "surge", rolling(0, 1)));
    await(() -> settled(ns, "surge", 3), "revision 1");
    try (PodObserver observer = new PodObserver(h.client, ns, p -> true)) {
      observer.bounds(3 + 1, 3);
      sets.patch(ns, "surge", PatchType.STRATEGIC_MERGE,
          "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"agent:2\"}]}}}}");
      await(() -> settled(ns, "surge", 3) && h.activePods(ns, "app=surge").size() == 3 && h.activePods(ns, "app=surge")
          .stream().allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("agent:2")), "surged to revision 2");
      assertThat(observer.violations()).isEmpty();
    }
  }

  @Test
  void onDeleteReplacesOnlyDeletedPods() {
    String ns = h.namespace("ds");
    sets.create(daemonSet(ns, "od", new DaemonSetUpdateStrategy().withType("OnDelete")));
    await(() -> settled(ns, "od", 3), "revision 1");
    sets.patch(ns, "od", PatchType.STRATEGIC_MERGE,
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"agent:2\"}]}}}}");
    await(() -> {
      DaemonSet ds = get(ns, "od");
      return ds.getStatus().getObservedGeneration() >= ds.getMetadata().getGeneration()
          && eq(ds.getStatus().getUpdatedNumberScheduled(), 0);
    }, "observed, nothing updated");
    Pod one = h.activePods(ns, "app=od").get(0);
    h.client.pods().delete(ns, one.getMetadata().getName(), null);
    await(() -> eq(get(ns, "od").getStatus().getUpdatedNumberScheduled(), 1) && h.activePods(ns, "app=od").size() == 3,
        "the deleted pod came back updated");
    assertThat(h.activePods(ns, "app=od").stream().filter(p -> p.getSpec().getContainers().get(0).getImage()
        .equals("agent:1")).count()).isEqualTo(2);
  }

  @Test
  void failedPodsAreReplaced() {
    String ns = h.namespace("ds");
    sets.create(daemonSet(ns, "fail", rolling(1, 0)));
    await(() -> settled(ns, "fail", 3), "running");
    Pod victim = h.activePods(ns, "app=fail").get(0);
    h.nodes.terminate(victim, false);
    await(() -> h.client.pods().get(ns, victim.getMetadata().getName()).isEmpty() && settled(ns, "fail", 3)
        && h.activePods(ns, "app=fail").stream().allMatch(Pods::isReady), "failed pod replaced");
  }
}
