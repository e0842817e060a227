package io.bosun.controllers.core.disruption;

import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.StatefulSet;
import io.bosun.api.autoscaling.v1.Scale;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.labels.SelectorException;
import io.bosun.api.meta.v1.Condition;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.api.policy.v1.PodDisruptionBudget;
import io.bosun.api.policy.v1.PodDisruptionBudgetStatus;
import io.bosun.api.values.IntOrString;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import io.bosun.controller.ControllerRefs;
import io.bosun.controller.EventRecorder;
import io.bosun.controller.Pods;
import io.bosun.controllers.core.internal.Handlers;
import io.bosun.controllers.core.internal.Kinds;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;

/**
 * Upstream's disruption controller ({@code pkg/controller/disruption}): keeps each
 * PodDisruptionBudget's status, which the eviction subresource reads: {@code expectedPods}
 * (matching pods for an integer minAvailable, else the scale of their controllers: ReplicaSet,
 * Deployment, StatefulSet or any kind with a scale subresource), {@code desiredHealthy},
 * {@code currentHealthy} (ready, not being deleted, not recently evicted), {@code disruptionsAllowed},
 * {@code disruptedPods} (expired after 2 minutes), {@code observedGeneration} and the
 * {@code DisruptionAllowed} condition ({@code SufficientPods}, {@code InsufficientPods}, or
 * {@code SyncFailed} with no disruption allowed when the status cannot be computed).
 */
@Component(service = Controller.class)
public final class DisruptionController implements Controller {

  /** How long an eviction recorded in disruptedPods is waited for (upstream's DeletionTimeout). */
  static final Duration DELETION_TIMEOUT = Duration.ofMinutes(2);

  private final Kinds kinds = Kinds.load();

  @Override
  public String name() {
    return "disruption";
  }

  @Override
  public void run(ControllerContext ctx) throws Exception {
    SharedIndexInformer<PodDisruptionBudget> pdbs = ctx.informer(PodDisruptionBudget.class);
    SharedIndexInformer<Pod> pods = ctx.informer(Pod.class);
    SharedIndexInformer<ReplicaSet> replicaSets = ctx.informer(ReplicaSet.class);
    SharedIndexInformer<Deployment> deployments = ctx.informer(Deployment.class);
    SharedIndexInformer<StatefulSet> statefulSets = ctx.informer(StatefulSet.class);
    ResourceClient<PodDisruptionBudget> client = ctx.client().resources(PodDisruptionBudget.class);
    WorkQueue<String> queue = ctx.workQueue("disruption");
    EventRecorder recorder = ctx.eventRecorder();

    pdbs.addEventHandler(Handlers.any(p -> queue.add(Keys.of(p))));
    pods.addEventHandler(Handlers.any(p -> pdbsOf(pdbs, p).forEach(queue::add)));
    replicaSets.addEventHandler(Handlers.of(null, (o, n) -> ownerScaled(pdbs, queue, o, n), null));
    deployments.addEventHandler(Handlers.of(null, (o, n) -> ownerScaled(pdbs, queue, o, n), null));
    statefulSets.addEventHandler(Handlers.of(null, (o, n) -> ownerScaled(pdbs, queue, o, n), null));
    if (!ctx.waitForCacheSync(pdbs, pods, replicaSets, deployments, statefulSets)) {
      return;
    }
    Sync sync = new Sync(ctx, kinds, pods, replicaSets, deployments, statefulSets, client, recorder, queue);
    ctx.runWorkers(queue, ctx.workers(), key -> {
      PodDisruptionBudget pdb = pdbs.indexer().getByKey(key).orElse(null);
      if (pdb != null) {
        sync.sync(pdb);
      }
    });
  }

  /** Keys of the budgets in the pod's namespace whose selector matches it. */
  private static List<String> pdbsOf(SharedIndexInformer<PodDisruptionBudget> pdbs, Pod pod) {
    List<String> out = new ArrayList<>();
    Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    for (PodDisruptionBudget pdb : pdbs.indexer().list(pod.getMetadata().getNamespace())) {
      try {
        if (LabelSelector.fromSpec(pdb.getSpec().getSelector()).matches(labels)) {
          out.add(Keys.of(pdb));
        }
      } catch (SelectorException e) {
        // Selects nothing.
      }
    }
    return out;
  }

  /** A scale change changes expectedPods of percentage budgets: sync the namespace's budgets. */
  private static void ownerScaled(SharedIndexInformer<PodDisruptionBudget> pdbs, WorkQueue<String> queue,
      KubernetesObject old, KubernetesObject owner) {
    if (Objects.equals(old.getMetadata().getGeneration(), owner.getMetadata().getGeneration())) {
      return;
    }
    for (PodDisruptionBudget pdb : pdbs.indexer().list(owner.getMetadata().getNamespace())) {
      queue.add(Keys.of(pdb));
    }
  }

  /** One sync of one budget. */
  static final class Sync {
    private final ControllerContext ctx;
    private final Kinds kinds;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<ReplicaSet> replicaSets;
    private final SharedIndexInformer<Deployment> deployments;
    private final SharedIndexInformer<StatefulSet> statefulSets;
    private final ResourceClient<PodDisruptionBudget> client;
    private final EventRecorder recorder;
    private final WorkQueue<String> queue;

    Sync(ControllerContext ctx, Kinds kinds, SharedIndexInformer<Pod> pods, SharedIndexInformer<ReplicaSet> replicaSets,
        SharedIndexInformer<Deployment> deployments, SharedIndexInformer<StatefulSet> statefulSets,
        ResourceClient<PodDisruptionBudget> client, EventRecorder recorder, WorkQueue<String> queue) {
      this.ctx = ctx;
      this.kinds = kinds;
      this.pods = pods;
      this.replicaSets = replicaSets;
      this.deployments = deployments;
      this.statefulSets = statefulSets;
      this.client = client;
      this.recorder = recorder;
      this.queue = queue;
    }

    void sync(PodDisruptionBudget pdb) {
      try {
        trySync(pdb);
      } catch (ClientStatusException e) {
        if (e.isConflict()) {
          throw e;
        }
        failSafe(pdb, e.getMessage());
      } catch (RuntimeException e) {
        failSafe(pdb, String.valueOf(e.getMessage()));
      }
    }

    private void trySync(PodDisruptionBudget pdb) {
      List<Pod> selected;
      try {
        selected = pods.indexer().list(pdb.getMetadata().getNamespace(), LabelSelector.fromSpec(pdb.getSpec().getSelector()));
      } catch (SelectorException e) {
        recorder.eventf(pdb, EventRecorder.WARNING, "NoPods", "Failed to get pods: %s", e.getMessage());
        throw new IllegalStateException(e.getMessage());
      }
      if (selected.isEmpty()) {
        recorder.event(pdb, EventRecorder.NORMAL, "NoPods", "No matching pods found");
      }
      Expected expected;
      try {
        expected = expectedCount(pdb, selected);
      } catch (RuntimeException e) {
        recorder.eventf(pdb, EventRecorder.WARNING, "CalculateExpectedPodCountFailed",
            "Failed to calculate the number of expected pods: %s", e.getMessage());
        throw e;
      }
      if (!expected.unmanaged.isEmpty()) {
        recorder.eventf(pdb, EventRecorder.WARNING, "UnmanagedPods", "Pods selected by this PodDisruptionBudget (selector: %s) "
            + "were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may "
            + "result in undefined behavior. To account for these pods please set \".spec.minAvailable\" field of the "
            + "PDB to an integer value.", pdb.getSpec().getSelector());
      }
      Instant now = ctx.clock().instant();
      Map<String, String> disrupted = new LinkedHashMap<>();
      Instant recheck = null;
      Map<String, String> recorded = pdb.getStatus() == null || pdb.getStatus().getDisruptedPods() == null ? Map.of()
          : pdb.getStatus().getDisruptedPods();
      for (Pod p : selected) {
        if (p.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        String at = recorded.get(p.getMetadata().getName());
        if (at == null) {
          continue;
        }
        Instant since = parse(at);
        Instant expectedDeletion = since.plus(DELETION_TIMEOUT);
        if (expectedDeletion.isBefore(now)) {
          recorder.eventf(p, EventRecorder.WARNING, "NotDeleted", "Pod was expected by PDB %s/%s to be deleted but it wasn't",
              pdb.getMetadata().getNamespace(), pdb.getMetadata().getNamespace());
        } else {
          if (recheck == null || expectedDeletion.isBefore(recheck)) {
            recheck = expectedDeletion;
          }
          disrupted.put(p.getMetadata().getName(), at);
        }
      }
      int currentHealthy = 0;
      for (Pod p : selected) {
        if (p.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        String at = disrupted.get(p.getMetadata().getName());
        if (at != null && parse(at).plus(DELETION_TIMEOUT).isAfter(now)) {
          continue;
        }
        if (Pods.isReady(p)) {
          currentHealthy++;
        }
      }
      updateStatus(pdb, currentHealthy, expected.desiredHealthy, expected.count, disrupted, now);
      if (recheck != null) {
        queue.addAfter(Keys.of(pdb), Duration.between(now, recheck));
      }
    }

    private record Expected(int count, int desiredHealthy, List<String> unmanaged) {}

    /** Upstream's getExpectedPodCount. */
    private Expected expectedCount(PodDisruptionBudget pdb, List<Pod> selected) {
      IntOrString maxUnavailable = pdb.getSpec().getMaxUnavailable();
      IntOrString minAvailable = pdb.getSpec().getMinAvailable();
      if (maxUnavailable != null) {
        Scaled s = expectedScale(selected);
        int max = maxUnavailable.scaledValue(s.count, true);
        return new Expected(s.count, Math.max(0, s.count - max), s.unmanaged);
      }
      if (minAvailable != null) {
        if (minAvailable.isInt()) {
          return new Expected(selected.size(), minAvailable.intValue(), List.of());
        }
        Scaled s = expectedScale(selected);
        return new Expected(s.count, minAvailable.scaledValue(s.count, true), s.unmanaged);
      }
      return new Expected(0, 0, List.of());
    }

    private record Scaled(int count, List<String> unmanaged) {}

    /** The sum of the scales of the selected pods' controllers (each counted once). */
    private Scaled expectedScale(List<Pod> selected) {
      Map<String, Integer> scales = new HashMap<>();
      List<String> unmanaged = new ArrayList<>();
      for (Pod p : selected) {
        OwnerReference ref = ControllerRefs.controllerOf(p).orElse(null);
        if (ref == null) {
          unmanaged.add(p.getMetadata().getName());
          continue;
        }
        if (scales.containsKey(ref.getUid())) {
          continue;
        }
        Optional<Map.Entry<String, Integer>> found = findController(ref, p.getMetadata().getNamespace());
        if (found.isEmpty()) {
          throw new IllegalStateException("found no controllers for pod \"" + p.getMetadata().getName() + "\"");
        }
        scales.put(found.get().getKey(), found.get().getValue());
      }
      return new Scaled(scales.values().stream().mapToInt(Integer::intValue).sum(), unmanaged);
    }

    /** The controller (uid, scale) of a pod: a Deployment through its ReplicaSet, a ReplicaSet, a StatefulSet, else any scalable kind. */
    private Optional<Map.Entry<String, Integer>> findController(OwnerReference ref, String ns) {
      String group = ref.getApiVersion() == null || !ref.getApiVersion().contains("/") ? ""
          : ref.getApiVersion().substring(0, ref.getApiVersion().indexOf('/'));
      if ("ReplicaSet".equals(ref.getKind()) && (group.equals("apps") || group.equals("extensions"))) {
        ReplicaSet rs = replicaSets.indexer().get(ns, ref.getName()).orElse(null);
        if (rs == null || !Objects.equals(rs.getMetadata().getUid(), ref.getUid())) {
          return Optional.empty();
        }
        OwnerReference rsRef = ControllerRefs.controllerOf(rs).orElse(null);
        if (rsRef != null && "Deployment".equals(rsRef.getKind())) {
          Deployment d = deployments.indexer().get(ns, rsRef.getName()).orElse(null);
          if (d == null || !Objects.equals(d.getMetadata().getUid(), rsRef.getUid())) {
            return Optional.empty();
          }
          return Optional.of(Map.entry(d.getMetadata().getUid(), replicas(d.getSpec().getReplicas())));
        }
        return Optional.of(Map.entry(rs.getMetadata().getUid(), replicas(rs.getSpec().getReplicas())));
      }
      if ("StatefulSet".equals(ref.getKind()) && group.equals("apps")) {
        StatefulSet ss = statefulSets.indexer().get(ns, ref.getName()).orElse(null);
        if (ss == null || !Objects.equals(ss.getMetadata().getUid(), ref.getUid())) {
          return Optional.empty();
        }
        return Optional.of(Map.entry(ss.getMetadata().getUid(), replicas(ss.getSpec().getReplicas())));
      }
      // Any other kind with a scale subresource (upstream's getScaleController).
      Kinds.Served served = kinds.find(ref.getApiVersion(), ref.getKind()).orElse(null);
      if (served == null || !served.info().hasSubresource("scale")) {
        return Optional.empty();
      }
      ResourceClient<? extends KubernetesObject> rc = ctx.client().resources(served.type());
      KubernetesObject owner = rc.get(ns, ref.getName()).orElse(null);
      if (owner == null || !Objects.equals(owner.getMetadata().getUid(), ref.getUid())) {
        return Optional.empty();
      }
      Scale scale = rc.getScale(ns, ref.getName());
      int n = scale.getSpec() == null || scale.getSpec().getReplicas() == null ? 0 : scale.getSpec().getReplicas();
      return Optional.of(Map.entry(owner.getMetadata().getUid(), n));
    }

    private static int replicas(Integer r) {
      return r == null ? 1 : r;
    }

    private void updateStatus(PodDisruptionBudget pdb, int currentHealthy, int desiredHealthy, int expectedCount,
        Map<String, String> disrupted, Instant now) {
      int allowed = currentHealthy - desiredHealthy;
      // A budget matching no pods yet must not allow disruptions when its first pods appear.
      if (expectedCount <= 0 || allowed <= 0) {
        allowed = 0;
      }
      PodDisruptionBudgetStatus s = pdb.getStatus() == null ? new PodDisruptionBudgetStatus() : pdb.getStatus();
      long generation = pdb.getMetadata().getGeneration() == null ? 0 : pdb.getMetadata().getGeneration();
      Map<String, String> recorded = s.getDisruptedPods() == null ? Map.of() : s.getDisruptedPods();
      if (Objects.equals(s.getCurrentHealthy(), currentHealthy) && Objects.equals(s.getDesiredHealthy(), desiredHealthy)
          && Objects.equals(s.getExpectedPods(), expectedCount) && Objects.equals(s.getDisruptionsAllowed(), allowed)
          && recorded.equals(disrupted) && Objects.equals(s.getObservedGeneration(), generation)
          && conditionsUpToDate(s, generation)) {
        return;
      }
      PodDisruptionBudget copy = pdb.deepCopy();
      List<Condition> conditions = s.getConditions() == null ? new ArrayList<>() : new ArrayList<>(s.getConditions());
      copy.setStatus(new PodDisruptionBudgetStatus().withCurrentHealthy(currentHealthy).withDesiredHealthy(desiredHealthy)
          .withExpectedPods(expectedCount).withDisruptionsAllowed(allowed)
          .withDisruptedPods(disrupted.isEmpty() ? null : disrupted).withObservedGeneration(generation)
          .withConditions(conditions));
      setCondition(conditions, allowed > 0
          ? new Condition().withType("DisruptionAllowed").withStatus("True").withReason("SufficientPods").withMessage("")
          : new Condition().withType("DisruptionAllowed").withStatus("False").withReason("InsufficientPods").withMessage(""),
          generation, now);
      client.updateStatus(copy);
    }

    private static boolean conditionsUpToDate(PodDisruptionBudgetStatus s, long generation) {
      Condition c = s.getConditions() == null ? null
          : s.getConditions().stream().filter(x -> "DisruptionAllowed".equals(x.getType())).findFirst().orElse(null);
      if (c == null || !Objects.equals(s.getObservedGeneration(), generation)
          || !Objects.equals(c.getObservedGeneration(), s.getObservedGeneration())) {
        return false;
      }
      int allowed = s.getDisruptionsAllowed() == null ? 0 : s.getDisruptionsAllowed();
      return allowed > 0 ? "True".equals(c.getStatus()) && "SufficientPods".equals(c.getReason())
          : "False".equals(c.getStatus()) && "InsufficientPods".equals(c.getReason());
    }

    /** apimachinery's SetStatusCondition: the transition time changes only with the status. */
    private static void setCondition(List<Condition> conditions, Condition want, long generation, Instant now) {
      want.setObservedGeneration(generation);
      for (int i = 0; i < conditions.size(); i++) {
        Condition c = conditions.get(i);
        if (want.getType().equals(c.getType())) {
          want.setLastTransitionTime(Objects.equals(c.getStatus(), want.getStatus()) && c.getLastTransitionTime() != null
              ? c.getLastTransitionTime() : now);
          conditions.set(i, want);
          return;
        }
      }
      want.setLastTransitionTime(now);
      conditions.add(want);
    }

    /** No disruption allowed, with the reason the status could not be computed (upstream's failSafe). */
    private void failSafe(PodDisruptionBudget pdb, String message) {
      PodDisruptionBudget copy = pdb.deepCopy();
      PodDisruptionBudgetStatus s = copy.getStatus() == null ? new PodDisruptionBudgetStatus() : copy.getStatus();
      copy.setStatus(s);
      s.setDisruptionsAllowed(0);
      List<Condition> conditions = s.getConditions() == null ? new ArrayList<>() : new ArrayList<>(s.getConditions());
      long observed = s.getObservedGeneration() == null ? 0 : s.getObservedGeneration();
      setCondition(conditions, new Condition().withType("DisruptionAllowed").withStatus("False").withReason("SyncFailed")
          .withMessage(message), observed, ctx.clock().instant());
      s.setConditions(conditions);
      client.updateStatus(copy);
    }

    private static Instant parse(String time) {
      try {
        return Instant.parse(time);
      } catch (DateTimeParseException e) {
        return Instant.EPOCH;
      }
    }
  }
}
