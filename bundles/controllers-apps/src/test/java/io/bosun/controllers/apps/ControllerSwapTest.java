package io.bosun.controllers.apps;

import static io.bosun.controllers.apps.Harness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.apps.v1.DeploymentSpec;
import io.bosun.api.apps.v1.DeploymentStatus;
import io.bosun.api.apps.v1.DeploymentStrategy;
import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.RollingUpdateDeployment;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.values.IntOrString;
import io.bosun.client.ListOptions;
import io.bosun.client.PatchType;
import io.bosun.client.ResourceClient;
import io.bosun.controller.Controller;
import io.bosun.controller.Pods;
import io.bosun.controllers.apps.deployment.DeploymentController;
import io.bosun.controllers.apps.replicaset.ReplicaSetController;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario: the apps controllers are replaced (their services unregistered and new
 * instances registered, as a bundle update does) again and again in the middle of a rolling
 * update. The rollout completes with the right replica counts and no duplicate pods.
 */
class ControllerSwapTest {

  @TempDir
  Path dir;

  @Test
  void rollingUpdateSurvivesControllerSwaps() throws Exception {
    Controller rs = new ReplicaSetController();
    Controller dep = new DeploymentController();
    try (Harness h = new Harness(dir, 3, rs, dep)) {
      String ns = h.namespace("swap");
      ResourceClient<Deployment> deployments = h.client.resources(Deployment.class);
      Map<String, String> labels = Map.of("app", "web");
      deployments.create(new Deployment().withMetadata(new ObjectMeta().withNamespace(ns).withName("web"))
          .withSpec(new DeploymentSpec().withReplicas(6).withSelector(new LabelSelector().withMatchLabels(labels))
              .withStrategy(new DeploymentStrategy().withType("RollingUpdate").withRollingUpdate(
                  new RollingUpdateDeployment().withMaxSurge(IntOrString.of(2)).withMaxUnavailable(IntOrString.of(1))))
              .withTemplate(Harness.template(labels, "nginx:1"))));
      await(() -> rolledOut(deployments, ns), "first rollout");

      try (PodObserver observer = new PodObserver(h.client, ns, p -> true)) {
        observer.bounds(6 + 2, 6 - 1);
        // New pods stay unready until the test readies them, one per swap.
        h.nodes.setAutoReady(false);
        deployments.patch(ns, "web", PatchType.STRATEGIC_MERGE,
            "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"nginx:2\"}]}}}}");
        int swaps = 0;
        while (!rolledOut(deployments, ns)) {
          await(() -> !unreadyNewPods(h, ns).isEmpty() || rolledOut(deployments, ns), "a new pod to ready");
          // Swap both controllers: the old instances stop (their run ends, handlers go), new ones start.
          h.manager.removeController(rs);
          h.manager.removeController(dep);
          rs = new ReplicaSetController();
          dep = new DeploymentController();
          h.manager.addController(dep);
          h.manager.addController(rs);
          swaps++;
          List<Pod> unready = unreadyNewPods(h, ns);
          if (!unready.isEmpty()) {
            h.nodes.setReady(unready.get(0), true);
          }
          if (swaps > 50) {
            throw new AssertionError("rollout not done after 50 swaps: " + deployments.get(ns, "web").orElseThrow().getStatus());
          }
        }
        h.nodes.setAutoReady(true);
        await(() -> rolledOut(deployments, ns) && h.activePods(ns, "app=web").size() == 6
            && h.pods(ns, "app=web").size() == 6, "rolled out, old pods gone");
        assertThat(swaps).isGreaterThanOrEqualTo(3);
        assertThat(observer.violations()).isEmpty();
        assertThat(h.activePods(ns, "app=web")).allMatch(p -> image(p).equals("nginx:2"));
        assertThat(observer.seenUids()).as("6 old pods and exactly 6 new ones: none duplicated").hasSize(12);
      }
      List<ReplicaSet> sets = h.client.resources(ReplicaSet.class).list(ns, ListOptions.none()).items();
      assertThat(sets).hasSize(2);
      assertThat(sets.stream().mapToInt(s -> s.getSpec().getReplicas()).sum()).isEqualTo(6);
    }
  }

  private static List<Pod> unreadyNewPods(Harness h, String ns) {
    return h.activePods(ns, "app=web").stream().filter(p -> image(p).equals("nginx:2") && !Pods.isReady(p)
        && p.getStatus() != null && "Running".equals(p.getStatus().getPhase())).toList();
  }

  private static String image(Pod p) {
    return p.getSpec().getContainers().get(0).getImage();
  }

  private static boolean rolledOut(ResourceClient<Deployment> deployments, String ns) {
    Deployment d = deployments.get(ns, "web").orElseThrow();
    DeploymentStatus s = d.getStatus();
    return s != null && s.getObservedGeneration() != null && s.getObservedGeneration() >= d.getMetadata().getGeneration()
        && eq(s.getUpdatedReplicas(), 6) && eq(s.getReplicas(), 6) && eq(s.getAvailableReplicas(), 6);
  }

  private static boolean eq(Integer i, int v) {
    return i != null && i == v;
  }
}
