package io.bosun.controllers.apps.statefulset;

import static io.bosun.controllers.apps.Harness.await;
import static io.bosun.controllers.apps.Harness.template;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.apps.v1.RollingUpdateStatefulSetStrategy;
import io.bosun.api.apps.v1.StatefulSet;
import io.bosun.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy;
import io.bosun.api.apps.v1.StatefulSetSpec;
import io.bosun.api.apps.v1.StatefulSetStatus;
import io.bosun.api.apps.v1.StatefulSetUpdateStrategy;
import io.bosun.api.core.v1.PersistentVolumeClaim;
import io.bosun.api.core.v1.PersistentVolumeClaimSpec;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.VolumeResourceRequirements;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.api.values.Quantity;
import io.bosun.client.PatchType;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.InformerScope;
import io.bosun.client.informer.ResourceEventHandler;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.informer.SharedInformerFactory;
import io.bosun.controller.Pods;
import io.bosun.controllers.apps.Harness;
import io.bosun.controllers.apps.history.Revisions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatefulSetControllerTest {

  @TempDir
  static Path dir;
  static Harness h;
  static ResourceClient<StatefulSet> sets;

  @BeforeAll
  static void start() throws Exception {
    h = new Harness(dir, 3, new StatefulSetController());
    sets = h.client.resources(StatefulSet.class);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static StatefulSet statefulSet(String ns, String name, int replicas, String policy) {
    Map<String, String> labels = Map.of("app", name);
    return new StatefulSet().withMetadata(new ObjectMeta().withNamespace(ns).withName(name))
        .withSpec(new StatefulSetSpec().withReplicas(replicas).withServiceName(name + "-svc")
            .withPodManagementPolicy(policy).withSelector(new LabelSelector().withMatchLabels(labels))
            .withTemplate(template(labels, "db:1")));
  }

  static StatefulSet get(String ns, String name) {
    return sets.get(ns, name).orElseThrow();
  }

  static Optional<Pod> pod(String ns, String name) {
    return h.client.pods().get(ns, name);
  }

  static boolean ready(String ns, String name) {
    return pod(ns, name).map(p -> Pods.isReady(p) && !Pods.isTerminating(p)).orElse(false);
  }

  static boolean settled(String ns, String name, int n) {
    StatefulSet s = get(ns, name);
    StatefulSetStatus st = s.getStatus();
    return st != null && eq(st.getReplicas(), n) && eq(st.getReadyReplicas(), n) && eq(st.getAvailableReplicas(), n)
        && eq(st.getUpdatedReplicas(), n) && eq(st.getCurrentReplicas(), n)
        && st.getCurrentRevision() != null && st.getCurrentRevision().equals(st.getUpdateRevision())
        && st.getObservedGeneration() != null && st.getObservedGeneration() >= s.getMetadata().getGeneration()
        && h.pods(ns, "app=" + name).size() == n;
  }

  static boolean eq(Integer a, int b) {
    return a != null && a == b;
  }

  static String image(Pod p) {
    return p.getSpec().getContainers().get(0).getImage();
  }

  /** Records the order in which pods of a namespace appear and start terminating. */
  static final class Order implements AutoCloseable {
    final List<String> created = Collections.synchronizedList(new ArrayList<>());
    final List<String> terminating = Collections.synchronizedList(new ArrayList<>());
    final SharedInformerFactory f = new SharedInformerFactory(h.client);

    Order(String ns) {
      SharedIndexInformer<Pod> pods = f.informerFor(Pod.class, InformerScope.namespace(ns));
      pods.addEventHandler(new ResourceEventHandler<>() {
        @Override
        public void onAdd(Pod p, boolean initial) {
          created.add(p.getMetadata().getName());
        }

        @Override
        public void onUpdate(Pod o, Pod p) {
          if (!Pods.isTerminating(o) && Pods.isTerminating(p)) {
            terminating.add(p.getMetadata().getName());
          }
        }
      });
      f.start();
      f.waitForCacheSync(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
      f.close();
    }
  }

  @Test
  void orderedReadyCreatesOneAtATimeWithStableIdentities() {
    String ns = h.namespace("sts");
    h.nodes.setAutoReady(false);
    try (Order order = new Order(ns)) {
      sets.create(statefulSet(ns, "web", 3, "OrderedReady"));
      await(() -> pod(ns, "web-0").map(p -> "Running".equals(Pods.phase(p))).orElse(false), "web-0 running");
      await(() -> {
        StatefulSet s = get(ns, "web");
        return s.getStatus() != null && s.getStatus().getObservedGeneration() != null && eq(s.getStatus().getReplicas(), 1);
      }, "status seen with web-0 only");
      assertThat(pod(ns, "web-1")).as("web-1 waits for web-0 to be ready").isEmpty();
      h.nodes.setReady(pod(ns, "web-0").orElseThrow(), true);
      await(() -> pod(ns, "web-1").map(p -> "Running".equals(Pods.phase(p))).orElse(false), "web-1 after web-0");
      assertThat(pod(ns, "web-2")).isEmpty();
      h.nodes.setReady(pod(ns, "web-1").orElseThrow(), true);
      await(() -> pod(ns, "web-2").isPresent(), "web-2 after web-1");
      h.nodes.setReady(pod(ns, "web-2").orElseThrow(), true);
      await(() -> settled(ns, "web", 3), () -> "3 ready: " + get(ns, "web").getStatus());
      assertThat(order.created).containsExactly("web-0", "web-1", "web-2");

      Pod p1 = pod(ns, "web-1").orElseThrow();
      assertThat(p1.getSpec().getHostname()).isEqualTo("web-1");
      assertThat(p1.getSpec().getSubdomain()).isEqualTo("web-svc");
      assertThat(p1.getMetadata().getLabels()).containsEntry("statefulset.kubernetes.io/pod-name", "web-1")
          .containsEntry("apps.kubernetes.io/pod-index", "1")
          .containsEntry(Revisions.HASH_LABEL, get(ns, "web").getStatus().getUpdateRevision());

      // Scale down: the highest ordinal first, one at a time.
      h.nodes.setAutoReady(true);
      sets.patch(ns, "web", PatchType.MERGE, "{\"spec\":{\"replicas\":1}}");
      await(() -> settled(ns, "web", 1), () -> "scaled down: " + get(ns, "web").getStatus());
      assertThat(order.terminating).containsExactly("web-2", "web-1");

      // A deleted pod comes back with the same name.
      String uid = pod(ns, "web-0").orElseThrow().getMetadata().getUid();
      h.client.pods().delete(ns, "web-0", null);
      await(() -> pod(ns, "web-0").map(p -> !p.getMetadata().getUid().equals(uid) && Pods.isReady(p)).orElse(false),
          "web-0 recreated");
    } finally {
      h.nodes.setAutoReady(true);
    }
  }

  @Test
  void parallelCreatesAllAtOnce() {
    String ns = h.namespace("sts");
    h.nodes.setAutoReady(false);
    try {
      sets.create(statefulSet(ns, "par", 3, "Parallel"));
      await(() -> pod(ns, "par-0").isPresent() && pod(ns, "par-1").isPresent() && pod(ns, "par-2").isPresent(),
          "all three without readiness");
      assertThat(h.pods(ns, "app=par")).noneMatch(Pods::isReady);
    } finally {
      h.nodes.setAutoReady(true);
    }
    await(() -> settled(ns, "par", 3), "ready");
  }

  @Test
  void rollingUpdateHonoursThePartition() {
    String ns = h.namespace("sts");
    StatefulSet s = statefulSet(ns, "part", 3, "OrderedReady");
    s.getSpec().setUpdateStrategy(new StatefulSetUpdateStrategy().withType("RollingUpdate")
        .withRollingUpdate(new RollingUpdateStatefulSetStrategy().withPartition(2)));
    sets.create(s);
    await(() -> settled(ns, "part", 3), "revision 1");
    String rev1 = get(ns, "part").getStatus().getCurrentRevision();
    try (Order order = new Order(ns)) {
      sets.patch(ns, "part", PatchType.STRATEGIC_MERGE,
          "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"db:2\"}]}}}}");
      await(() -> {
        StatefulSetStatus st = get(ns, "part").getStatus();
        return eq(st.getUpdatedReplicas(), 1) && eq(st.getCurrentReplicas(), 2) && eq(st.getReadyReplicas(), 3)
            && ready(ns, "part-2") && image(pod(ns, "part-2").orElseThrow()).equals("db:2");
      }, () -> "only the ordinal at the partition updated: " + get(ns, "part").getStatus());
      StatefulSetStatus st = get(ns, "part").getStatus();
      assertThat(st.getCurrentRevision()).isEqualTo(rev1);
      assertThat(st.getUpdateRevision()).isNotEqualTo(rev1);
      assertThat(image(pod(ns, "part-0").orElseThrow())).isEqualTo("db:1");
      assertThat(image(pod(ns, "part-1").orElseThrow())).isEqualTo("db:1");

      sets.patch(ns, "part", PatchType.MERGE, "{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"partition\":0}}}}");
      await(() -> settled(ns, "part", 3) && h.pods(ns, "app=part").stream().allMatch(p -> image(p).equals("db:2")),
          () -> "all updated: " + get(ns, "part").getStatus());
      assertThat(order.terminating).containsExactly("part-2", "part-1", "part-0");
      assertThat(get(ns, "part").getStatus().getCurrentRevision()).isEqualTo(get(ns, "part").getStatus().getUpdateRevision());
    }
  }

  @Test
  void onDeleteUpdatesOnlyDeletedPods() {
    String ns = h.namespace("sts");
    StatefulSet s = statefulSet(ns, "od", 2, "OrderedReady");
    s.getSpec().setUpdateStrategy(new StatefulSetUpdateStrategy().withType("OnDelete"));
    sets.create(s);
    await(() -> settled(ns, "od", 2), "revision 1");
    sets.patch(ns, "od", PatchType.STRATEGIC_MERGE,
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"db:2\"}]}}}}");
    await(() -> {
      StatefulSet x = get(ns, "od");
      return x.getStatus().getObservedGeneration() >= x.getMetadata().getGeneration() && eq(x.getStatus().getUpdatedReplicas(), 0);
    }, "observed without updates");
    h.client.pods().delete(ns, "od-1", null);
    await(() -> pod(ns, "od-1").map(p -> image(p).equals("db:2") && Pods.isReady(p)).orElse(false), "od-1 at revision 2");
    assertThat(image(pod(ns, "od-0").orElseThrow())).isEqualTo("db:1");
  }

  @Test
  void volumeClaimTemplatesAndRetentionPolicy() {
    String ns = h.namespace("sts");
    StatefulSet s = statefulSet(ns, "vol", 2, "Parallel");
    s.getSpec().setVolumeClaimTemplates(List.of(new PersistentVolumeClaim().withMetadata(new ObjectMeta().withName("data"))
        .withSpec(new PersistentVolumeClaimSpec().withAccessModes(List.of("ReadWriteOnce"))
            .withResources(new VolumeResourceRequirements().withRequests(Map.of("storage", Quantity.parse("1Gi")))))));
    s.getSpec().setPersistentVolumeClaimRetentionPolicy(new StatefulSetPersistentVolumeClaimRetentionPolicy()
        .withWhenDeleted("Delete").withWhenScaled("Delete"));
    StatefulSet created = sets.create(s);
    await(() -> settled(ns, "vol", 2), "2 pods");
    ResourceClient<PersistentVolumeClaim> pvcs = h.client.resources(PersistentVolumeClaim.class);
    PersistentVolumeClaim c0 = pvcs.get(ns, "data-vol-0").orElseThrow();
    assertThat(c0.getMetadata().getLabels()).containsEntry("app", "vol");
    assertThat(pvcs.get(ns, "data-vol-1")).isPresent();
    Pod p0 = pod(ns, "vol-0").orElseThrow();
    assertThat(p0.getSpec().getVolumes()).anyMatch(v -> v.getName().equals("data")
        && v.getPersistentVolumeClaim() != null && v.getPersistentVolumeClaim().getClaimName().equals("data-vol-0"));
    await(() -> pvcs.get(ns, "data-vol-0").map(c -> owners(c).contains(created.getMetadata().getUid())).orElse(false),
        "whenDeleted=Delete: the set owns the claims");

    Pod p1 = pod(ns, "vol-1").orElseThrow();
    // whenScaled=Delete: the condemned pod owns its claim before it goes, so the garbage collector removes the claim.
    h.nodes.setFinalizingDeletes(false);
    try {
      sets.patch(ns, "vol", PatchType.MERGE, "{\"spec\":{\"replicas\":1}}");
      await(() -> pvcs.get(ns, "data-vol-1").map(c -> owners(c).contains(p1.getMetadata().getUid())).orElse(false),
          () -> "the scaled-away pod owns its claim: " + pvcs.get(ns, "data-vol-1").map(c -> c.getMetadata().getOwnerReferences()));
    } finally {
      h.nodes.setFinalizingDeletes(true);
    }
    await(() -> settled(ns, "vol", 1), "scaled to 1");
    assertThat(owners(pvcs.get(ns, "data-vol-0").orElseThrow())).doesNotContain(p0.getMetadata().getUid());
  }

  static List<String> owners(PersistentVolumeClaim c) {
    return c.getMetadata().getOwnerReferences() == null ? List.of()
        : c.getMetadata().getOwnerReferences().stream().map(OwnerReference::getUid).toList();
  }

  @Test
  void failedPodsAreRecreated() {
    String ns = h.namespace("sts");
    sets.create(statefulSet(ns, "fl", 2, "OrderedReady"));
    await(() -> settled(ns, "fl", 2), "running");
    Pod p = pod(ns, "fl-0").orElseThrow();
    h.nodes.terminate(p, false);
    await(() -> pod(ns, "fl-0").map(x -> !x.getMetadata().getUid().equals(p.getMetadata().getUid()) && Pods.isReady(x))
        .orElse(false), "fl-0 recreated");
    await(() -> settled(ns, "fl", 2), "settled again");
  }
}
