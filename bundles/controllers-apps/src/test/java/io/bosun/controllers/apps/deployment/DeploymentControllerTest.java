package io.bosun.controllers.apps.deployment;

import static io.bosun.controllers.apps.Harness.await;
import static io.bosun.controllers.apps.Harness.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.apps.v1.DeploymentCondition;
import io.bosun.api.apps.v1.DeploymentSpec;
import io.bosun.api.apps.v1.DeploymentStatus;
import io.bosun.api.apps.v1.DeploymentStrategy;
import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.RollingUpdateDeployment;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.values.IntOrString;
import io.bosun.client.ListOptions;
import io.bosun.client.PatchType;
import io.bosun.client.ResourceClient;
import io.bosun.controller.ControllerRefs;
import io.bosun.controllers.apps.Harness;
import io.bosun.controllers.apps.PodObserver;
import io.bosun.controllers.apps.replicaset.ReplicaSetController;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentControllerTest {

  @TempDir
  static Path dir;
  static Harness h;
  static ResourceClient<Deployment> deployments;
  static ResourceClient<ReplicaSet> sets;
  static final ApiCodec CODEC = new ApiCodec();

  @BeforeAll
  static void start() throws Exception {
    h = new Harness(dir, 3, new ReplicaSetController(), new DeploymentController());
    deployments = h.client.resources(Deployment.class);
    sets = h.client.resources(ReplicaSet.class);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static Deployment deployment(String ns, String name, int replicas, String maxSurge, String maxUnavailable) {
    Map<String, String> labels = Map.of("app", name);
    return new Deployment().withMetadata(new ObjectMeta().withNamespace(ns).withName(name))
        .withSpec(new DeploymentSpec().withReplicas(replicas)
            .withSelector(new LabelSelector().withMatchLabels(labels))
            .withStrategy(new DeploymentStrategy().withType("RollingUpdate").withRollingUpdate(
                new RollingUpdateDeployment().withMaxSurge(intOrString(maxSurge))
                    .withMaxUnavailable(intOrString(maxUnavailable))))
            .withTemplate(template(labels, "nginx:1")));
  }

  static IntOrString intOrString(String s) {
    return s.endsWith("%") ? IntOrString.of(s) : IntOrString.of(Integer.parseInt(s));
  }

  static Deployment get(String ns, String name) {
    return deployments.get(ns, name).orElseThrow();
  }

  /** What kubectl rollout status waits for. */
  static boolean rolledOut(String ns, String name) {
    Deployment d = get(ns, name);
    DeploymentStatus s = d.getStatus();
    int replicas = d.getSpec().getReplicas();
    return s != null && s.getObservedGeneration() != null && s.getObservedGeneration() >= d.getMetadata().getGeneration()
        && nz(s.getUpdatedReplicas()) == replicas && nz(s.getReplicas()) == replicas
        && nz(s.getAvailableReplicas()) == replicas && nz(s.getReadyReplicas()) == replicas;
  }

  static int nz(Integer i) {
    return i == null ? 0 : i;
  }

  static void setImage(String ns, String name, String image) {
    deployments.patch(ns, name, PatchType.STRATEGIC_MERGE,
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"" + image + "\"}]}}}}");
  }

  static List<ReplicaSet> setsOf(String ns, String name) {
    Deployment d = get(ns, name);
    return sets.list(ns, ListOptions.none()).items().stream().filter(rs -> ControllerRefs.isControlledBy(rs, d))
        .sorted(Comparator.comparing(DeploymentUtil::revision)).toList();
  }

  static String image(ReplicaSet rs) {
    return rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  static DeploymentCondition condition(String ns, String name, String type) {
    return DeploymentUtil.condition(get(ns, name).getStatus(), type);
  }

  @Test
  void rollingUpdateKeepsSurgeAndAvailabilityBounds() {
    String ns = h.namespace("deploy");
    deployments.create(deployment(ns, "web", 4, "1", "1"));
    await(() -> rolledOut(ns, "web"), () -> "first rollout: " + get(ns, "web").getStatus());
    assertThat(get(ns, "web").getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "1");
    ReplicaSet first = setsOf(ns, "web").get(0);
    assertThat(first.getMetadata().getName()).isEqualTo("web-" + first.getSpec().getTemplate().getMetadata()
        .getLabels().get("pod-template-hash"));
    assertThat(first.getSpec().getSelector().getMatchLabels()).containsKey("pod-template-hash");
    assertThat(first.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.DESIRED_REPLICAS, "4")
        .containsEntry(DeploymentUtil.MAX_REPLICAS, "5").containsEntry(DeploymentUtil.REVISION, "1");

    try (PodObserver observer = new PodObserver(h.client, ns, p -> true)) {
      observer.bounds(4 + 1, 4 - 1);
      setImage(ns, "web", "nginx:2");
      await(() -> rolledOut(ns, "web") && h.activePods(ns, "app=web").size() == 4
          && h.activePods(ns, "app=web").stream().allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("nginx:2")),
          () -> "second rollout: " + get(ns, "web").getStatus());
      h.client.resources(io.bosun.api.core.v1.Event.class).list(ns, ListOptions.none()).items().forEach(e ->
          System.out.println("EVENT " + e.getFirstTimestamp() + " " + e.getInvolvedObject().getName() + " " + e.getReason() + " " + e.getMessage() + " x" + e.getCount()));
      assertThat(observer.violations()).isEmpty();
      assertThat(observer.peakActive()).isLessThanOrEqualTo(5);
      assertThat(observer.seenUids()).as(() -> "the 4 old pods and exactly 4 new ones: " + observer.seen).hasSize(8);
    }
    List<ReplicaSet> all = setsOf(ns, "web");
    assertThat(all).hasSize(2);
    assertThat(all.get(0).getSpec().getReplicas()).isZero();
    assertThat(image(all.get(1))).isEqualTo("nginx:2");
    assertThat(all.get(1).getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "2");
    assertThat(get(ns, "web").getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "2");
    await(() -> "NewReplicaSetAvailable".equals(condition(ns, "web", "Progressing").getReason()), "Progressing complete");
    assertThat(condition(ns, "web", "Available").getStatus()).isEqualTo("True");
    assertThat(condition(ns, "web", "Available").getReason()).isEqualTo("MinimumReplicasAvailable");
  }

  @Test
  void zeroSurgeRollsOneAtATime() {
    String ns = h.namespace("deploy");
    deployments.create(deployment(ns, "zs", 3, "0", "1"));
    await(() -> rolledOut(ns, "zs"), "first rollout");
    try (PodObserver observer = new PodObserver(h.client, ns, p -> true)) {
      observer.bounds(3, 2);
      setImage(ns, "zs", "nginx:2");
      await(() -> rolledOut(ns, "zs") && h.activePods(ns, "app=zs").size() == 3, "second rollout");
      assertThat(observer.violations()).isEmpty();
    }
  }

  @Test
  void recreateStopsEveryOldPodFirst() {
    String ns = h.namespace("deploy");
    Deployment d = deployment(ns, "rec", 3, "1", "1");
    d.getSpec().setStrategy(new DeploymentStrategy().withType("Recreate"));
    deployments.create(d);
    await(() -> rolledOut(ns, "rec"), "first rollout");
    String oldHash = setsOf(ns, "rec").get(0).getSpec().getTemplate().getMetadata().getLabels().get("pod-template-hash");
    try (PodObserver observer = new PodObserver(h.client, ns, p -> true)) {
      observer.bounds(3, 0);
      setImage(ns, "rec", "nginx:2");
      await(() -> rolledOut(ns, "rec") && h.activePods(ns, "app=rec").size() == 3, "recreated");
      assertThat(observer.violations()).isEmpty();
    }
    assertThat(h.pods(ns, "pod-template-hash=" + oldHash)).isEmpty();
  }

  /** What kubectl 1.32's rollout undo does: patch the template and annotations of a revision back. */
  static void kubectlUndo(String ns, String name, long revision) {
    Deployment d = get(ns, name);
    ReplicaSet rs = setsOf(ns, name).stream().filter(s -> DeploymentUtil.revision(s) == revision).findFirst().orElseThrow();
    PodTemplateSpec template = rs.getSpec().getTemplate().deepCopy();
    Map<String, String> labels = new HashMap<>(template.getMetadata().getLabels());
    labels.remove("pod-template-hash");
    template.getMetadata().setLabels(labels);
    Set<String> skip = Set.of("kubectl.kubernetes.io/last-applied-configuration", DeploymentUtil.REVISION,
        DeploymentUtil.REVISION_HISTORY, DeploymentUtil.DESIRED_REPLICAS, DeploymentUtil.MAX_REPLICAS,
        "deprecated.deployment.rollback.to");
    Map<String, String> annotations = new HashMap<>();
    Map<String, String> da = d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations();
    skip.forEach(k -> {
      if (da.containsKey(k)) {
        annotations.put(k, da.get(k));
      }
    });
    rs.getMetadata().getAnnotations().forEach((k, v) -> {
      if (!skip.contains(k)) {
        annotations.put(k, v);
      }
    });
    ArrayNode patch = JsonNodeFactory.instance.arrayNode();
    ObjectNode t = patch.addObject().put("op", "replace").put("path", "/spec/template");
    t.set("value", CODEC.toTree(template));
    ObjectNode a = patch.addObject().put("op", "replace").put("path", "/metadata/annotations");
    a.set("value", CODEC.toTree(annotations));
    deployments.patch(ns, name, PatchType.JSON, patch.toString());
  }

  @Test
  void rollbackReusesTheOldReplicaSet() {
    String ns = h.namespace("deploy");
    deployments.create(deployment(ns, "undo", 2, "1", "0"));
    await(() -> rolledOut(ns, "undo"), "revision 1");
    String firstName = setsOf(ns, "undo").get(0).getMetadata().getName();
    setImage(ns, "undo", "nginx:2");
    await(() -> rolledOut(ns, "undo") && setsOf(ns, "undo").size() == 2, "revision 2");

    kubectlUndo(ns, "undo", 1);
    await(() -> rolledOut(ns, "undo") && h.activePods(ns, "app=undo").stream()
        .allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("nginx:1")), "rolled back");
    List<ReplicaSet> all = setsOf(ns, "undo");
    assertThat(all).as("no new set: the revision 1 set is reused").hasSize(2);
    ReplicaSet current = all.get(1);
    assertThat(current.getMetadata().getName()).isEqualTo(firstName);
    assertThat(current.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "3")
        .containsEntry(DeploymentUtil.REVISION_HISTORY, "1");
    assertThat(current.getSpec().getReplicas()).isEqualTo(2);
    assertThat(all.get(0).getSpec().getReplicas()).isZero();
    assertThat(get(ns, "undo").getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "3");
  }

  @Test
  void pauseHoldsTheRolloutAndResumeFinishesIt() {
    String ns = h.namespace("deploy");
    deployments.create(deployment(ns, "pz", 2, "1", "0"));
    await(() -> rolledOut(ns, "pz"), "revision 1");
    deployments.patch(ns, "pz", PatchType.MERGE, "{\"spec\":{\"paused\":true}}");
    setImage(ns, "pz", "nginx:2");
    await(() -> {
      Deployment d = get(ns, "pz");
      return d.getStatus().getObservedGeneration() >= d.getMetadata().getGeneration();
    }, "the paused deployment observed");
    assertThat(setsOf(ns, "pz")).as("no new set while paused").hasSize(1);
    assertThat(condition(ns, "pz", "Progressing").getReason()).isEqualTo("DeploymentPaused");
    assertThat(condition(ns, "pz", "Progressing").getStatus()).isEqualTo("Unknown");

    // Scaling a paused deployment still works.
    deployments.patch(ns, "pz", PatchType.MERGE, "{\"spec\":{\"replicas\":3}}");
    await(() -> h.activePods(ns, "app=pz").size() == 3 && nz(get(ns, "pz").getStatus().getAvailableReplicas()) == 3,
        "scaled while paused");

    deployments.patch(ns, "pz", PatchType.MERGE, "{\"spec\":{\"paused\":false}}");
    await(() -> rolledOut(ns, "pz") && setsOf(ns, "pz").size() == 2 && h.activePods(ns, "app=pz").stream()
        .allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("nginx:2")), "resumed and rolled out");
    await(() -> "NewReplicaSetAvailable".equals(condition(ns, "pz", "Progressing").getReason()), "complete");
  }

  @Test
  void scalingDuringARolloutIsProportional() {
    String ns = h.namespace("deploy");
    deployments.create(deployment(ns, "prop", 10, "3", "2"));
    await(() -> rolledOut(ns, "prop"), "revision 1");
    // New pods never become ready: the rollout stalls with both sets active.
    h.nodes.setAutoReady(false);
    try {
      setImage(ns, "prop", "nginx:2");
      await(() -> {
        List<ReplicaSet> all = setsOf(ns, "prop");
        return all.size() == 2 && all.get(0).getSpec().getReplicas() == 8 && all.get(1).getSpec().getReplicas() == 5;
      }, () -> "stalled rollout: old 8, new 5; got " + setsOf(ns, "prop").stream().map(rs -> rs.getSpec().getReplicas()).toList());
      deployments.patch(ns, "prop", PatchType.MERGE, "{\"spec\":{\"replicas\":20}}");
      // 20 + maxSurge 3 = 23 spread as 8:5 of 13 -> old 8*23/13 = 14.15 -> 14, new 5*23/13 = 8.8 -> 9 (leftover to the larger).
      await(() -> {
        List<ReplicaSet> all = setsOf(ns, "prop");
        return all.get(0).getSpec().getReplicas() + all.get(1).getSpec().getReplicas() == 23;
      }, () -> "scaled proportionally: " + setsOf(ns, "prop").stream().map(rs -> rs.getSpec().getReplicas()).toList());
      List<ReplicaSet> all = setsOf(ns, "prop");
      assertThat(all.get(0).getSpec().getReplicas()).isEqualTo(14);
      assertThat(all.get(1).getSpec().getReplicas()).isEqualTo(9);
    } finally {
      h.nodes.setAutoReady(true);
    }
    await(() -> rolledOut(ns, "prop") && h.activePods(ns, "app=prop").size() == 20, "rolled out at 20");
  }

  @Test
  void revisionHistoryLimitDeletesOldSets() {
    String ns = h.namespace("deploy");
    Deployment d = deployment(ns, "hist", 1, "1", "0");
    d.getSpec().setRevisionHistoryLimit(1);
    deployments.create(d);
    // Revision 1 first: a template changed before the controller saw the first one never gets a set.
    await(() -> rolledOut(ns, "hist") && !setsOf(ns, "hist").isEmpty()
        && image(setsOf(ns, "hist").getLast()).equals("nginx:1"), "revision 1");
    for (int i = 2; i <= 4; i++) {
      setImage(ns, "hist", "nginx:" + i);
      int n = i;
      await(() -> rolledOut(ns, "hist") && image(setsOf(ns, "hist").getLast()).equals("nginx:" + n), "revision " + n);
    }
    await(() -> setsOf(ns, "hist").size() == 2, () -> "one old set kept: " + setsOf(ns, "hist").size());
    assertThat(setsOf(ns, "hist").stream().map(DeploymentUtil::revision).toList())
        .as(() -> "sets: " + setsOf(ns, "hist").stream().map(rs -> image(rs) + "@" + rs.getMetadata().getAnnotations()).toList())
        .containsExactly(3L, 4L);
  }

  @Test
  void progressDeadlineExceeded() {
    String ns = h.namespace("deploy");
    Deployment d = deployment(ns, "stuck", 2, "1", "0");
    d.getSpec().setProgressDeadlineSeconds(2);
    deployments.create(d);
    await(() -> rolledOut(ns, "stuck"), "revision 1");
    h.nodes.setAutoReady(false);
    try {
      setImage(ns, "stuck", "nginx:2");
      await(() -> {
        DeploymentCondition c = condition(ns, "stuck", "Progressing");
        return c != null && "ProgressDeadlineExceeded".equals(c.getReason()) && "False".equals(c.getStatus());
      }, () -> "timed out: " + get(ns, "stuck").getStatus().getConditions());
    } finally {
      h.nodes.setAutoReady(true);
    }
    // Progress after the deadline is still made and reported.
    await(() -> rolledOut(ns, "stuck"), "rolled out eventually");
  }

  @Test
  void adoptsAnOrphanedReplicaSet() {
    String ns = h.namespace("deploy");
    deployments.create(deployment(ns, "orph", 2, "1", "0"));
    await(() -> rolledOut(ns, "orph"), "revision 1");
    ReplicaSet rs = setsOf(ns, "orph").get(0);
    String rsName = rs.getMetadata().getName();
    // Orphan the set as the garbage collector does for kubectl delete --cascade=orphan (there is no
    // garbage collector here), delete the deployment, then create it again.
    deployments.delete(ns, "orph", null);
    await(() -> deployments.get(ns, "orph").isEmpty(), "deployment gone");
    sets.patch(ns, rsName, PatchType.JSON, "[{\"op\":\"remove\",\"path\":\"/metadata/ownerReferences\"}]");
    deployments.create(deployment(ns, "orph", 2, "1", "0"));
    await(() -> rolledOut(ns, "orph") && setsOf(ns, "orph").size() == 1
        && setsOf(ns, "orph").get(0).getMetadata().getName().equals(rsName), () -> "adopted: " + setsOf(ns, "orph"));
    assertThat(setsOf(ns, "orph").get(0).getMetadata().getName()).isEqualTo(rsName);
    assertThat(h.activePods(ns, "app=orph")).hasSize(2);
  }
}
