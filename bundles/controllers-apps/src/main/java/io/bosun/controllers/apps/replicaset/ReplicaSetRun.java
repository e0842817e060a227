package io.bosun.controllers.apps.replicaset;

import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.ReplicaSetCondition;
import io.bosun.api.apps.v1.ReplicaSetStatus;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.labels.SelectorException;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.DeletedFinalStateUnknown;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.ResourceEventHandler;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.ControllerContext;
import io.bosun.controller.ControllerRefManager;
import io.bosun.controller.ControllerRefs;
import io.bosun.controller.EventRecorder;
import io.bosun.controller.Expectations;
import io.bosun.controller.Indexes;
import io.bosun.controller.PodTemplates;
import io.bosun.controller.Pods;
import io.bosun.controller.SlowStart;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the ReplicaSet controller, as upstream's {@code ReplicaSetController}:
 * <ul>
 *   <li>{@code syncReplicaSet}: claim pods (adopt matching orphans, release non-matching ones),
 *       then, if the expectations are satisfied and the set is not being deleted, create or delete
 *       the difference (at most 500 per sync, creations in slow-start batches, deletions ranked as
 *       upstream), then write status (replicas, fullyLabeledReplicas, readyReplicas,
 *       availableReplicas, observedGeneration, the ReplicaFailure condition) with one retry on a
 *       conflict.</li>
 *   <li>Expectations: creations expected before creating, lowered by pod add events (and by
 *       failed or skipped creations); deletions expected per pod key, lowered by delete events,
 *       so a slow pod watch never makes a ReplicaSet create or delete twice.</li>
 *   <li>Requeue after {@code minReadySeconds} when pods are ready but not yet available.</li>
 * </ul>
 */
final class ReplicaSetRun {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaSetRun.class);
  /** Upstream's BurstReplicas: the most pods created or deleted in one sync. */
  static final int BURST_REPLICAS = 500;
  static final String KIND = ReplicaSet.KIND;

  private final ControllerContext ctx;
  private final ResourceClient<ReplicaSet> sets;
  private final SharedIndexInformer<ReplicaSet> rsInformer;
  private final SharedIndexInformer<Pod> podInformer;
  private final WorkQueue<String> queue;
  private final Expectations expectations;
  private final EventRecorder events;

  ReplicaSetRun(ControllerContext ctx) {
    this.ctx = ctx;
    this.sets = ctx.client().resources(ReplicaSet.class);
    this.rsInformer = ctx.informer(ReplicaSet.class);
    this.podInformer = ctx.informer(Pod.class);
    this.queue = ctx.workQueue("replicaset");
    this.expectations = new Expectations(ctx.clock());
    this.events = ctx.eventRecorder();
  }

  void run() throws InterruptedException {
    rsInformer.indexer().addIndexer(Indexes.CONTROLLER_UID, Indexes.controllerUid());
    podInformer.indexer().addIndexer(Indexes.CONTROLLER_UID, Indexes.controllerUid());
    rsInformer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ReplicaSet rs, boolean initial) {
        enqueue(rs);
      }

      @Override
      public void onUpdate(ReplicaSet old, ReplicaSet cur) {
        if (!Objects.equals(old.getMetadata().getUid(), cur.getMetadata().getUid())) {
          onDelete(old);
        }
        enqueue(cur);
      }

      @Override
      public void onDelete(ReplicaSet rs) {
        String key = Keys.of(rs);
        expectations.delete(key);
        queue.add(key);
      }
    });
    podInformer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod, boolean initial) {
        addPod(pod);
      }

      @Override
      public void onUpdate(Pod old, Pod cur) {
        updatePod(old, cur);
      }

      @Override
      public void onDelete(Pod pod) {
        deletePod(pod);
      }

      @Override
      public void onDeleteFinalStateUnknown(DeletedFinalStateUnknown<Pod> tombstone) {
        deletePod(tombstone.object());
      }
    });
    if (!ctx.waitForCacheSync(rsInformer, podInformer)) {
      return;
    }
    ctx.runWorkers(queue, ctx.workers(), this::sync);
  }

  // ------------------------------------------------------------------ event handlers

  private void enqueue(ReplicaSet rs) {
    queue.add(Keys.of(rs));
  }

  /** The ReplicaSet a controller reference points at, if it is cached with that uid. */
  private ReplicaSet resolve(String namespace, OwnerReference ref) {
    if (!KIND.equals(ref.getKind())) {
      return null;
    }
    ReplicaSet rs = rsInformer.indexer().get(namespace, ref.getName()).orElse(null);
    return rs != null && Objects.equals(rs.getMetadata().getUid(), ref.getUid()) ? rs : null;
  }

  /** ReplicaSets in the pod's namespace whose selector matches it (candidates for adopting an orphan). */
  private List<ReplicaSet> setsSelecting(Pod pod) {
    List<ReplicaSet> out = new ArrayList<>();
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels == null || labels.isEmpty()) {
      return out;
    }
    for (ReplicaSet rs : rsInformer.indexer().list(pod.getMetadata().getNamespace())) {
      LabelSelector selector = selector(rs);
      if (selector != null && !selector.isEverything() && selector.matches(labels)) {
        out.add(rs);
      }
    }
    return out;
  }

  private void addPod(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      // A pod that shows up already being deleted (a restart): count it as a deletion.
      deletePod(pod);
      return;
    }
    Optional<OwnerReference> ref = ControllerRefs.controllerOf(pod);
    if (ref.isPresent()) {
      ReplicaSet rs = resolve(pod.getMetadata().getNamespace(), ref.get());
      if (rs != null) {
        String key = Keys.of(rs);
        expectations.creationObserved(key);
        queue.add(key);
      }
      return;
    }
    // An orphan: the sets that could adopt it sync; whoever adopts it lowers nothing.
    setsSelecting(pod).forEach(this::enqueue);
  }

  private void updatePod(Pod old, Pod cur) {
    if (Objects.equals(old.getMetadata().getResourceVersion(), cur.getMetadata().getResourceVersion())) {
      // A resync: nothing changed.
      return;
    }
    boolean labelsChanged = !Objects.equals(old.getMetadata().getLabels(), cur.getMetadata().getLabels());
    if (cur.getMetadata().getDeletionTimestamp() != null) {
      // Graceful deletion started: count it now, as upstream, rather than when the pod is gone.
      deletePod(cur);
      if (labelsChanged) {
        deletePod(old);
      }
      return;
    }
    Optional<OwnerReference> curRef = ControllerRefs.controllerOf(cur);
    Optional<OwnerReference> oldRef = ControllerRefs.controllerOf(old);
    boolean refChanged = !Objects.equals(curRef.map(OwnerReference::getUid), oldRef.map(OwnerReference::getUid));
    if (refChanged && oldRef.isPresent()) {
      ReplicaSet rs = resolve(old.getMetadata().getNamespace(), oldRef.get());
      if (rs != null) {
        enqueue(rs);
      }
    }
    if (curRef.isPresent()) {
      ReplicaSet rs = resolve(cur.getMetadata().getNamespace(), curRef.get());
      if (rs == null) {
        return;
      }
      enqueue(rs);
      int minReady = minReadySeconds(rs);
      if (!Pods.isReady(old) && Pods.isReady(cur) && minReady > 0) {
        // Check availability once minReadySeconds have passed (upstream adds a second).
        queue.addAfter(Keys.of(rs), Duration.ofSeconds(minReady + 1L));
      }
      return;
    }
    if (labelsChanged || refChanged) {
      setsSelecting(cur).forEach(this::enqueue);
    }
  }

  private void deletePod(Pod pod) {
    Optional<OwnerReference> ref = ControllerRefs.controllerOf(pod);
    if (ref.isEmpty()) {
      return;
    }
    ReplicaSet rs = resolve(pod.getMetadata().getNamespace(), ref.get());
    if (rs == null) {
      return;
    }
    String key = Keys.of(rs);
    expectations.deletionObserved(key, Keys.of(pod));
    queue.add(key);
  }

  // ------------------------------------------------------------------ sync

  void sync(String key) throws Exception {
    ReplicaSet rs = rsInformer.indexer().getByKey(key).orElse(null);
    if (rs == null) {
      expectations.delete(key);
      return;
    }
    boolean needsSync = expectations.satisfied(key);
    LabelSelector selector = selector(rs);
    if (selector == null) {
      // Invalid selectors are refused by validation; nothing sensible to do.
      return;
    }
    List<Pod> active = new ArrayList<>();
    for (Pod p : Indexes.ownedBy(podInformer.indexer(), rs, true)) {
      if (Pods.isActive(p)) {
        active.add(p);
      }
    }
    ControllerRefManager<Pod> refs = new ControllerRefManager<>(ctx.client().pods(), rs, selector,
        () -> sets.get(rs.getMetadata().getNamespace(), rs.getMetadata().getName()));
    List<Pod> pods = refs.claim(active);

    Exception manageError = null;
    if (needsSync && rs.getMetadata().getDeletionTimestamp() == null) {
      try {
        manageReplicas(key, pods, rs);
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        manageError = e;
      }
    }
    ReplicaSetStatus status = calculateStatus(rs, pods, manageError);
    ReplicaSet updated = updateStatus(rs, status);
    int replicas = replicas(updated);
    int minReady = minReadySeconds(updated);
    ReplicaSetStatus s = updated.getStatus();
    if (manageError == null && minReady > 0 && nz(s.getReadyReplicas()) == replicas
        && nz(s.getAvailableReplicas()) != replicas) {
      queue.addAfter(key, Duration.ofSeconds(minReady));
    }
    if (manageError != null) {
      throw manageError;
    }
  }

  private void manageReplicas(String key, List<Pod> pods, ReplicaSet rs) throws Exception {
    int diff = pods.size() - replicas(rs);
    if (diff < 0) {
      int toCreate = Math.min(-diff, BURST_REPLICAS);
      // Expect before creating: the pods' add events may arrive before the creates return.
      expectations.expectCreations(key, toCreate);
      OwnerReference ref = ControllerRefs.newControllerRef(rs);
      String ns = rs.getMetadata().getNamespace();
      SlowStart.Result result = SlowStart.run(toCreate, SlowStart.INITIAL_BATCH_SIZE, ctx.threadFactory(), () -> {
        createPod(rs, ns, ref);
        return null;
      });
      int skipped = toCreate - result.successes();
      if (skipped > 0) {
        // Neither failed nor skipped creations will ever be observed.
        for (int i = 0; i < skipped; i++) {
          expectations.creationObserved(key);
        }
      }
      if (result.firstFailure() != null) {
        throw result.firstFailure();
      }
    } else if (diff > 0) {
      int toDelete = Math.min(diff, BURST_REPLICAS);
      List<Pod> victims = podsToDelete(pods, relatedPods(rs), toDelete);
      List<String> podKeys = victims.stream().map(Keys::of).toList();
      expectations.expectDeletions(key, podKeys);
      ConcurrentLinkedQueue<Exception> errors = new ConcurrentLinkedQueue<>();
      try (ExecutorService pool = Executors.newThreadPerTaskExecutor(ctx.threadFactory())) {
        List<Future<?>> futures = new ArrayList<>();
        for (Pod victim : victims) {
          futures.add(pool.submit(() -> {
            try {
              deletePod(rs, victim);
            } catch (ClientStatusException e) {
              // The delete will never be observed: lower the expectation now.
              expectations.deletionObserved(key, Keys.of(victim));
              if (!e.isNotFound()) {
                errors.add(e);
              }
            } catch (RuntimeException e) {
              expectations.deletionObserved(key, Keys.of(victim));
              errors.add(e);
            }
          }));
        }
        for (Future<?> f : futures) {
          try {
            f.get();
          } catch (ExecutionException e) {
            errors.add(e);
          }
        }
      }
      if (!errors.isEmpty()) {
        throw errors.peek();
      }
    }
  }

  private void createPod(ReplicaSet rs, String ns, OwnerReference ref) {
    Pod pod = PodTemplates.podFromTemplate(rs.getSpec().getTemplate(), ns, rs.getMetadata().getName(), ref);
    if (pod.getMetadata().getLabels() == null || pod.getMetadata().getLabels().isEmpty()) {
      throw new IllegalStateException("unable to create pods, no labels");
    }
    try {
      Pod created = ctx.client().pods().create(pod);
      events.event(rs, EventRecorder.NORMAL, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
    } catch (ClientStatusException e) {
      events.event(rs, EventRecorder.WARNING, "FailedCreate", "Error creating: " + e.getMessage());
      throw e;
    }
  }

  private void deletePod(ReplicaSet rs, Pod pod) {
    ObjectMeta m = pod.getMetadata();
    try {
      ctx.client().pods().delete(m.getNamespace(), m.getName(), new DeleteOptions()
          .withPreconditions(new io.bosun.api.meta.v1.Preconditions().withUid(m.getUid())));
      events.event(rs, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted pod: " + m.getName());
    } catch (ClientStatusException e) {
      if (!e.isNotFound()) {
        events.event(rs, EventRecorder.WARNING, "FailedDelete", "Error deleting: " + e.getMessage());
      }
      throw e;
    }
  }

  /**
   * The pods of every ReplicaSet with the same controller (a Deployment's other sets), for ranking
   * by how many related pods share a node: upstream's {@code getIndirectlyRelatedPods}.
   */
  private List<Pod> relatedPods(ReplicaSet rs) {
    Optional<OwnerReference> ref = ControllerRefs.controllerOf(rs);
    if (ref.isEmpty()) {
      return List.of();
    }
    List<Pod> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ReplicaSet related : rsInformer.indexer().byIndex(Indexes.CONTROLLER_UID, ref.get().getUid())) {
      LabelSelector selector = selector(related);
      if (selector == null || !Objects.equals(related.getMetadata().getNamespace(), rs.getMetadata().getNamespace())) {
        continue;
      }
      for (Pod p : podInformer.indexer().list(related.getMetadata().getNamespace(), selector)) {
        if (seen.add(p.getMetadata().getUid())) {
          out.add(p);
        }
      }
    }
    return out;
  }

  /** Upstream's getPodsToDelete: rank only when not all pods go. */
  static List<Pod> podsToDelete(List<Pod> pods, List<Pod> related, int diff) {
    if (diff >= pods.size()) {
      return List.copyOf(pods);
    }
    Map<String, Integer> onNode = new HashMap<>();
    for (Pod p : related) {
      if (Pods.isActive(p)) {
        onNode.merge(nodeName(p), 1, Integer::sum);
      }
    }
    List<Pod> sorted = new ArrayList<>(pods);
    Instant now = Instant.now();
    sorted.sort(Pods.deletionOrder(p -> onNode.getOrDefault(nodeName(p), 0), now));
    return List.copyOf(sorted.subList(0, diff));
  }

  private static String nodeName(Pod p) {
    return p.getSpec() == null || p.getSpec().getNodeName() == null ? "" : p.getSpec().getNodeName();
  }

  private ReplicaSetStatus calculateStatus(ReplicaSet rs, List<Pod> pods, Exception manageError) {
    ReplicaSetStatus status = rs.getStatus() == null ? new ReplicaSetStatus() : rs.getStatus().deepCopy();
    Map<String, String> templateLabels = rs.getSpec().getTemplate() == null
        || rs.getSpec().getTemplate().getMetadata() == null ? null : rs.getSpec().getTemplate().getMetadata().getLabels();
    LabelSelector templateSelector = LabelSelector.fromMap(templateLabels);
    int fullyLabeled = 0;
    int ready = 0;
    int available = 0;
    Instant now = ctx.clock().instant();
    for (Pod p : pods) {
      Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
      if (templateSelector.matches(labels)) {
        fullyLabeled++;
      }
      if (Pods.isReady(p)) {
        ready++;
        if (Pods.isAvailable(p, minReadySeconds(rs), now)) {
          available++;
        }
      }
    }
    ReplicaSetCondition failure = condition(status, "ReplicaFailure");
    if (manageError != null && failure == null) {
      int diff = pods.size() - replicas(rs);
      String reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
      List<ReplicaSetCondition> conditions = status.getConditions() == null ? new ArrayList<>()
          : new ArrayList<>(status.getConditions());
      conditions.add(new ReplicaSetCondition().withType("ReplicaFailure").withStatus("True").withReason(reason)
          .withMessage(String.valueOf(manageError.getMessage())).withLastTransitionTime(now));
      status.setConditions(conditions);
    } else if (manageError == null && failure != null) {
      List<ReplicaSetCondition> conditions = new ArrayList<>(status.getConditions());
      conditions.removeIf(c -> "ReplicaFailure".equals(c.getType()));
      status.setConditions(conditions.isEmpty() ? null : conditions);
    }
    status.setReplicas(pods.size());
    status.setFullyLabeledReplicas(fullyLabeled);
    status.setReadyReplicas(ready);
    status.setAvailableReplicas(available);
    return status;
  }

  /** Writes the status unless unchanged; on a conflict reads the set again and retries once, as upstream. */
  private ReplicaSet updateStatus(ReplicaSet rs, ReplicaSetStatus status) {
    ReplicaSetStatus cur = rs.getStatus() == null ? new ReplicaSetStatus() : rs.getStatus();
    long generation = rs.getMetadata().getGeneration() == null ? 0 : rs.getMetadata().getGeneration();
    if (nz(cur.getReplicas()) == nz(status.getReplicas())
        && nz(cur.getFullyLabeledReplicas()) == nz(status.getFullyLabeledReplicas())
        && nz(cur.getReadyReplicas()) == nz(status.getReadyReplicas())
        && nz(cur.getAvailableReplicas()) == nz(status.getAvailableReplicas())
        && cur.getObservedGeneration() != null && cur.getObservedGeneration() == generation
        && Objects.equals(emptyToNull(cur.getConditions()), emptyToNull(status.getConditions()))) {
      return rs;
    }
    status.setObservedGeneration(generation);
    ReplicaSet next = rs.deepCopy();
    for (int attempt = 0; ; attempt++) {
      next.setStatus(status);
      try {
        return sets.updateStatus(next);
      } catch (ClientStatusException e) {
        if (!e.isConflict() || attempt >= 1) {
          throw e;
        }
        next = sets.get(rs.getMetadata().getNamespace(), rs.getMetadata().getName()).orElseThrow(() -> e);
        status.setObservedGeneration(next.getMetadata().getGeneration() == null ? generation
            : Math.min(generation, next.getMetadata().getGeneration()));
      }
    }
  }

  private static <T> List<T> emptyToNull(List<T> l) {
    return l == null || l.isEmpty() ? null : l;
  }

  private static ReplicaSetCondition condition(ReplicaSetStatus status, String type) {
    if (status.getConditions() == null) {
      return null;
    }
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  static LabelSelector selector(ReplicaSet rs) {
    try {
      return LabelSelector.fromSpec(rs.getSpec() == null ? null : rs.getSpec().getSelector());
    } catch (SelectorException e) {
      LOG.info("ReplicaSet {} has an invalid selector: {}", Keys.of(rs), e.getMessage());
      return null;
    }
  }

  static int replicas(ReplicaSet rs) {
    return rs.getSpec() == null || rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
  }

  static int minReadySeconds(ReplicaSet rs) {
    return rs.getSpec() == null || rs.getSpec().getMinReadySeconds() == null ? 0 : rs.getSpec().getMinReadySeconds();
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}
