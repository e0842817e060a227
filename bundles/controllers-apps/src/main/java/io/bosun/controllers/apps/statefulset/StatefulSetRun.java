package io.bosun.controllers.apps.statefulset;

import io.bosun.api.apps.v1.ControllerRevision;
import io.bosun.api.apps.v1.StatefulSet;
import io.bosun.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy;
import io.bosun.api.apps.v1.StatefulSetStatus;
import io.bosun.api.core.v1.PersistentVolumeClaim;
import io.bosun.api.core.v1.PersistentVolumeClaimVolumeSource;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.core.v1.Volume;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.labels.SelectorException;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.api.meta.v1.Preconditions;
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
import io.bosun.controller.Indexes;
import io.bosun.controller.PodTemplates;
import io.bosun.controller.Pods;
import io.bosun.controllers.apps.history.Revisions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of the StatefulSet controller, following upstream's {@code updateStatefulSet}:
 * <ul>
 *   <li>Revisions: the update revision holds the current template (an equal older revision is
 *       reused with a new revision number: a rollback); the current revision is
 *       {@code status.currentRevision}. Pods carry their revision in {@code controller-revision-hash}.</li>
 *   <li>Pods {@code <set>-<ordinal>} for ordinals {@code [start, start+replicas)}; missing ones are
 *       created (at the current revision below the partition, else at the update revision) with
 *       hostname and subdomain, the {@code statefulset.kubernetes.io/pod-name} and
 *       {@code apps.kubernetes.io/pod-index} labels and their claims
 *       {@code <template>-<set>-<ordinal>} created first; failed or succeeded pods are recreated.</li>
 *   <li>OrderedReady: one step at a time, each pod Running and Ready (and available) before the
 *       next is created; scale-down from the highest ordinal, waiting for each termination.
 *       Parallel: all at once.</li>
 *   <li>RollingUpdate: from the highest ordinal down to the partition, delete one pod not at the
 *       update revision, and wait for it to come back healthy. OnDelete: only deleted pods change.</li>
 *   <li>persistentVolumeClaimRetentionPolicy: owner references on the claims (the set for
 *       whenDeleted=Delete, the pod for a condemned pod with whenScaled=Delete), so the garbage
 *       collector removes them.</li>
 * </ul>
 * No expectations, as upstream: pod names are fixed, so a stale cache can only lead to a create
 * that fails with AlreadyExists.
 */
final class StatefulSetRun {

  static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
  static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
  private static final Pattern NAME = Pattern.compile("(.*)-([0-9]+)$");

  private final ControllerContext ctx;
  private final ResourceClient<StatefulSet> sets;
  private final ResourceClient<ControllerRevision> revisionsClient;
  private final ResourceClient<PersistentVolumeClaim> claims;
  private final SharedIndexInformer<StatefulSet> setInformer;
  private final SharedIndexInformer<Pod> podInformer;
  private final SharedIndexInformer<ControllerRevision> historyInformer;
  private final SharedIndexInformer<PersistentVolumeClaim> claimInformer;
  private final WorkQueue<String> queue;
  private final EventRecorder events;
  private final Revisions revisions = new Revisions();

  StatefulSetRun(ControllerContext ctx) {
    this.ctx = ctx;
    this.sets = ctx.client().resources(StatefulSet.class);
    this.revisionsClient = ctx.client().resources(ControllerRevision.class);
    this.claims = ctx.client().resources(PersistentVolumeClaim.class);
    this.setInformer = ctx.informer(StatefulSet.class);
    this.podInformer = ctx.informer(Pod.class);
    this.historyInformer = ctx.informer(ControllerRevision.class);
    this.claimInformer = ctx.informer(PersistentVolumeClaim.class);
    this.queue = ctx.workQueue("statefulset");
    this.events = ctx.eventRecorder();
  }

  void run() throws InterruptedException {
    podInformer.indexer().addIndexer(Indexes.CONTROLLER_UID, Indexes.controllerUid());
    historyInformer.indexer().addIndexer(Indexes.CONTROLLER_UID, Indexes.controllerUid());
    setInformer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(StatefulSet s, boolean initial) {
        enqueue(s);
      }

      @Override
      public void onUpdate(StatefulSet old, StatefulSet cur) {
        enqueue(cur);
      }

      @Override
      public void onDelete(StatefulSet s) {
        enqueue(s);
      }
    });
    podInformer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod, boolean initial) {
        podChanged(null, pod);
      }

      @Override
      public void onUpdate(Pod old, Pod cur) {
        if (!Objects.equals(old.getMetadata().getResourceVersion(), cur.getMetadata().getResourceVersion())) {
          podChanged(old, cur);
        }
      }

      @Override
      public void onDelete(Pod pod) {
        podChanged(null, pod);
      }

      @Override
      public void onDeleteFinalStateUnknown(DeletedFinalStateUnknown<Pod> tombstone) {
        podChanged(null, tombstone.object());
      }
    });
    if (!ctx.waitForCacheSync(setInformer, podInformer, historyInformer, claimInformer)) {
      return;
    }
    ctx.runWorkers(queue, ctx.workers(), this::sync);
  }

  private void enqueue(StatefulSet s) {
    if (s != null) {
      queue.add(Keys.of(s));
    }
  }

  private StatefulSet resolve(String ns, OwnerReference ref) {
    if (!StatefulSet.KIND.equals(ref.getKind())) {
      return null;
    }
    StatefulSet s = setInformer.indexer().get(ns, ref.getName()).orElse(null);
    return s != null && Objects.equals(s.getMetadata().getUid(), ref.getUid()) ? s : null;
  }

  private void podChanged(Pod old, Pod cur) {
    Optional<OwnerReference> ref = ControllerRefs.controllerOf(cur);
    if (old != null) {
      Optional<OwnerReference> oldRef = ControllerRefs.controllerOf(old);
      if (oldRef.isPresent() && !oldRef.map(OwnerReference::getUid).equals(ref.map(OwnerReference::getUid))) {
        enqueue(resolve(old.getMetadata().getNamespace(), oldRef.get()));
      }
    }
    if (ref.isPresent()) {
      StatefulSet s = resolve(cur.getMetadata().getNamespace(), ref.get());
      enqueue(s);
      if (s != null && old != null && !Pods.isReady(old) && Pods.isReady(cur) && minReadySeconds(s) > 0) {
        queue.addAfter(Keys.of(s), Duration.ofSeconds(minReadySeconds(s)));
      }
      return;
    }
    Map<String, String> labels = cur.getMetadata().getLabels();
    if (labels == null || labels.isEmpty()) {
      return;
    }
    for (StatefulSet s : setInformer.indexer().list(cur.getMetadata().getNamespace())) {
      LabelSelector sel = selector(s);
      if (!sel.isEverything() && sel.matches(labels)) {
        enqueue(s);
      }
    }
  }

  // ------------------------------------------------------------------ sync

  void sync(String key) throws Exception {
    StatefulSet cached = setInformer.indexer().getByKey(key).orElse(null);
    if (cached == null) {
      return;
    }
    StatefulSet set = cached.deepCopy();
    if (set.getStatus() == null) {
      set.setStatus(new StatefulSetStatus());
    }
    LabelSelector selector = selector(set);
    // Adopt orphaned revisions and claim pods (members only: <set>-<ordinal>).
    List<ControllerRevision> history = new ControllerRefManager<>(revisionsClient, set, selector, () -> fresh(set))
        .claim(Indexes.ownedBy(historyInformer.indexer(), set, true));
    List<Pod> pods = new ControllerRefManager<>(ctx.client().pods(), set, selector, () -> fresh(set))
        .claim(Indexes.ownedBy(podInformer.indexer(), set, true), p -> set.getMetadata().getName().equals(parentName(p)));
    List<ControllerRevision> sorted = new ArrayList<>(history);
    sorted.sort(Revisions.BY_REVISION);
    Revs revs = revisions(set, sorted);
    StatefulSetStatus status;
    Exception failure = null;
    Result result = update(set, revs, pods);
    status = result.status;
    failure = result.failure;
    updateStatus(set, status);
    truncateHistory(set, pods, sorted, revs);
    if (failure != null) {
      throw failure;
    }
    if (minReadySeconds(set) > 0 && nz(status.getAvailableReplicas()) != replicas(set)) {
      queue.addAfter(key, Duration.ofSeconds(minReadySeconds(set)));
    }
  }

  private java.util.Optional<StatefulSet> fresh(StatefulSet set) {
    return sets.get(set.getMetadata().getNamespace(), set.getMetadata().getName());
  }

  private record Revs(ControllerRevision current, ControllerRevision update, int collisionCount) {}

  /** Upstream's getStatefulSetRevisions. {@code history} is sorted by revision. */
  private Revs revisions(StatefulSet set, List<ControllerRevision> history) {
    int collisions = set.getStatus().getCollisionCount() == null ? 0 : set.getStatus().getCollisionCount();
    long next = history.isEmpty() ? 1 : Revisions.maxRevision(history) + 1;
    List<ControllerRevision> equal = new ArrayList<>();
    for (ControllerRevision r : history) {
      if (revisions.matches(r, set.getSpec().getTemplate())) {
        equal.add(r);
      }
    }
    ControllerRevision update;
    if (!equal.isEmpty() && equal.getLast() == history.getLast()) {
      update = history.getLast();
    } else if (!equal.isEmpty()) {
      // An older revision holds this template: a rollback; it becomes the newest.
      ControllerRevision copy = equal.getLast().deepCopy();
      copy.setRevision(next);
      update = revisionsClient.update(copy);
    } else {
      update = null;
      while (update == null) {
        ControllerRevision r = revisions.newRevision(set, set.getSpec().getTemplate(), next, collisions);
        try {
          update = revisionsClient.create(r);
        } catch (ClientStatusException e) {
          if (!e.isAlreadyExists()) {
            throw e;
          }
          ControllerRevision existing = revisionsClient.get(r.getMetadata().getNamespace(), r.getMetadata().getName())
              .orElse(null);
          if (existing != null && revisions.matches(existing, set.getSpec().getTemplate())) {
            update = existing;
          } else {
            collisions++;
          }
        }
      }
    }
    ControllerRevision current = null;
    for (ControllerRevision r : history) {
      if (r.getMetadata().getName().equals(set.getStatus().getCurrentRevision())) {
        current = r;
      }
    }
    return new Revs(current == null ? update : current, update, collisions);
  }

  private record Result(StatefulSetStatus status, Exception failure) {}

  /** Upstream's updateStatefulSet. */
  private Result update(StatefulSet set, Revs revs, List<Pod> pods) throws InterruptedException {
    StatefulSet currentSet = applyRevision(set, revs.current());
    StatefulSet updateSet = applyRevision(set, revs.update());
    StatefulSetStatus status = new StatefulSetStatus()
        .withObservedGeneration(set.getMetadata().getGeneration())
        .withCurrentRevision(revs.current().getMetadata().getName())
        .withUpdateRevision(revs.update().getMetadata().getName())
        .withCollisionCount(revs.collisionCount());
    countStatus(status, set, revs, pods);
    int replicaCount = replicas(set);
    int start = startOrdinal(set);
    Pod[] replicas = new Pod[replicaCount];
    List<Pod> condemned = new ArrayList<>();
    for (Pod p : pods) {
      int ord = ordinal(p);
      if (ord >= start && ord < start + replicaCount) {
        replicas[ord - start] = p;
      } else if (ord >= 0) {
        condemned.add(p);
      }
    }
    for (int i = 0; i < replicaCount; i++) {
      if (replicas[i] == null) {
        replicas[i] = newVersionedPod(currentSet, updateSet, revs, start + i);
      }
    }
    condemned.sort((a, b) -> Integer.compare(ordinal(b), ordinal(a)));
    Pod firstUnhealthy = null;
    for (Pod p : replicas) {
      if (!healthy(p) && firstUnhealthy == null) {
        firstUnhealthy = p;
      }
    }
    for (int i = condemned.size() - 1; i >= 0; i--) {
      if (!healthy(condemned.get(i)) && firstUnhealthy == null) {
        firstUnhealthy = condemned.get(i);
      }
    }
    if (set.getMetadata().getDeletionTimestamp() != null) {
      return new Result(status, null);
    }
    boolean monotonic = !"Parallel".equals(set.getSpec().getPodManagementPolicy());
    try {
      if (runForAll(replicas.length, i -> processReplica(set, revs, currentSet, updateSet, monotonic, replicas, i), monotonic)) {
        countStatus(status, set, revs, concat(replicas, condemned));
        return new Result(status, null);
      }
      // Condemned pods: claims follow the retention policy before the pods go.
      for (Pod p : condemned) {
        setClaimOwners(updateSet, p, true);
      }
      Pod unhealthy = firstUnhealthy;
      if (runForAll(condemned.size(), i -> processCondemned(set, unhealthy, monotonic, condemned, i), monotonic)) {
        countStatus(status, set, revs, concat(replicas, condemned));
        return new Result(status, null);
      }
      countStatus(status, set, revs, concat(replicas, condemned));
      if (set.getSpec().getUpdateStrategy() != null && "OnDelete".equals(set.getSpec().getUpdateStrategy().getType())) {
        return new Result(status, null);
      }
      int updateMin = partition(set);
      for (int target = replicas.length - 1; target >= updateMin; target--) {
        Pod p = replicas[target];
        if (!revs.update().getMetadata().getName().equals(revisionOf(p)) && !Pods.isTerminating(p)) {
          deletePod(set, p);
          status.setCurrentReplicas(nz(status.getCurrentReplicas()) - 1);
          return new Result(status, null);
        }
        if (!healthy(p)) {
          return new Result(status, null);
        }
      }
      return new Result(status, null);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      countStatus(status, set, revs, concat(replicas, condemned));
      return new Result(status, e);
    }
  }

  private interface Step {
    /** Whether to stop processing (a monotonic wait or an error). */
    boolean run(int i) throws Exception;
  }

  /** In order, stopping at the first step that says so; or all in parallel when bursting. */
  private boolean runForAll(int n, Step step, boolean monotonic) throws Exception {
    if (monotonic) {
      for (int i = 0; i < n; i++) {
        if (step.run(i)) {
          return true;
        }
      }
      return false;
    }
    List<Exception> errors = new ArrayList<>();
    try (ExecutorService pool = Executors.newThreadPerTaskExecutor(ctx.threadFactory())) {
      List<Future<Boolean>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int ix = i;
        futures.add(pool.submit(() -> step.run(ix)));
      }
      for (Future<Boolean> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          errors.add(e.getCause() instanceof Exception ex ? ex : new RuntimeException(e.getCause()));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
    return false;
  }

  /** Upstream's processReplica. */
  private boolean processReplica(StatefulSet set, Revs revs, StatefulSet currentSet, StatefulSet updateSet,
      boolean monotonic, Pod[] replicas, int i) {
    Pod p = replicas[i];
    String phase = Pods.phase(p);
    if (created(p) && (phase.equals("Failed") || phase.equals("Succeeded")) && !Pods.isTerminating(p)) {
      events.eventf(set, EventRecorder.WARNING, phase.equals("Failed") ? "RecreatingFailedPod" : "RecreatingTerminatedPod",
          "StatefulSet %s/%s is recreating %s Pod %s", set.getMetadata().getNamespace(), set.getMetadata().getName(),
          phase.equals("Failed") ? "failed" : "terminated", p.getMetadata().getName());
      deletePod(set, p);
      replicas[i] = newVersionedPod(currentSet, updateSet, revs, startOrdinal(set) + i);
      p = replicas[i];
    }
    if (!created(p)) {
      createPod(set, updateSet, p);
      return monotonic;
    }
    if (phase.equals("Pending")) {
      createClaims(set, p);
    }
    if (Pods.isTerminating(p) && monotonic) {
      return true;
    }
    if (!runningAndReady(p) && monotonic) {
      return true;
    }
    if (!runningAndAvailable(p, minReadySeconds(set)) && monotonic) {
      return true;
    }
    setClaimOwners(updateSet, p, false);
    if (identityMatches(set, p) && storageMatches(set, p)) {
      return false;
    }
    updatePodIdentity(set, p);
    return false;
  }

  /** Upstream's processCondemned. */
  private boolean processCondemned(StatefulSet set, Pod firstUnhealthy, boolean monotonic, List<Pod> condemned, int i) {
    Pod p = condemned.get(i);
    if (Pods.isTerminating(p)) {
      return monotonic;
    }
    if (!runningAndReady(p) && monotonic && p != firstUnhealthy) {
      return true;
    }
    if (!runningAndAvailable(p, minReadySeconds(set)) && monotonic && p != firstUnhealthy) {
      return true;
    }
    deletePod(set, p);
    return monotonic;
  }

  // ------------------------------------------------------------------ pods and claims

  /** Upstream's newVersionedStatefulSetPod: below the partition at the current revision, else the update revision. */
  private Pod newVersionedPod(StatefulSet currentSet, StatefulSet updateSet, Revs revs, int ordinal) {
    var strategy = currentSet.getSpec().getUpdateStrategy();
    boolean rolling = strategy == null || strategy.getType() == null || "RollingUpdate".equals(strategy.getType());
    boolean useCurrent;
    if (rolling && (strategy == null || strategy.getRollingUpdate() == null)) {
      useCurrent = ordinal < startOrdinal(currentSet) + nz(currentSet.getStatus().getCurrentReplicas());
    } else {
      useCurrent = rolling && ordinal < startOrdinal(currentSet) + partition(currentSet);
    }
    Pod pod = newPod(useCurrent ? currentSet : updateSet, ordinal);
    pod.getMetadata().getLabels().put(Revisions.HASH_LABEL,
        (useCurrent ? revs.current() : revs.update()).getMetadata().getName());
    return pod;
  }

  private Pod newPod(StatefulSet set, int ordinal) {
    Pod pod = PodTemplates.podFromTemplate(set.getSpec().getTemplate(), set.getMetadata().getNamespace(),
        set.getMetadata().getName(), ControllerRefs.newControllerRef(set));
    pod.getMetadata().setGenerateName(null);
    pod.getMetadata().setName(podName(set, ordinal));
    updateIdentity(set, pod);
    updateStorage(set, pod);
    return pod;
  }

  private static void updateIdentity(StatefulSet set, Pod pod) {
    int ordinal = ordinal(pod);
    pod.getMetadata().setName(podName(set, ordinal));
    pod.getMetadata().setNamespace(set.getMetadata().getNamespace());
    Map<String, String> labels = pod.getMetadata().getLabels() == null ? new HashMap<>()
        : new HashMap<>(pod.getMetadata().getLabels());
    labels.put(POD_NAME_LABEL, pod.getMetadata().getName());
    labels.put(POD_INDEX_LABEL, Integer.toString(ordinal));
    pod.getMetadata().setLabels(labels);
    pod.getSpec().setHostname(pod.getMetadata().getName());
    if (set.getSpec().getServiceName() != null && !set.getSpec().getServiceName().isEmpty()) {
      pod.getSpec().setSubdomain(set.getSpec().getServiceName());
    }
  }

  /** Volumes named after the claim templates point at the pod's claims. */
  private static void updateStorage(StatefulSet set, Pod pod) {
    List<PersistentVolumeClaim> templates = set.getSpec().getVolumeClaimTemplates();
    if (templates == null || templates.isEmpty()) {
      return;
    }
    int ordinal = ordinal(pod);
    Map<String, Volume> byName = new LinkedHashMap<>();
    if (pod.getSpec().getVolumes() != null) {
      pod.getSpec().getVolumes().forEach(v -> byName.put(v.getName(), v));
    }
    for (PersistentVolumeClaim t : templates) {
      String name = t.getMetadata().getName();
      byName.put(name, new Volume().withName(name).withPersistentVolumeClaim(new PersistentVolumeClaimVolumeSource()
          .withClaimName(claimName(set, name, ordinal))));
    }
    pod.getSpec().setVolumes(new ArrayList<>(byName.values()));
  }

  private static boolean identityMatches(StatefulSet set, Pod pod) {
    int ordinal = ordinal(pod);
    Map<String, String> l = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    return ordinal >= 0 && set.getMetadata().getName().equals(parentName(pod))
        && pod.getMetadata().getName().equals(podName(set, ordinal))
        && Objects.equals(pod.getMetadata().getNamespace(), set.getMetadata().getNamespace())
        && pod.getMetadata().getName().equals(l.get(POD_NAME_LABEL));
  }

  private static boolean storageMatches(StatefulSet set, Pod pod) {
    List<PersistentVolumeClaim> templates = set.getSpec().getVolumeClaimTemplates();
    if (templates == null || templates.isEmpty()) {
      return true;
    }
    int ordinal = ordinal(pod);
    Map<String, Volume> byName = new HashMap<>();
    if (pod.getSpec().getVolumes() != null) {
      pod.getSpec().getVolumes().forEach(v -> byName.put(v.getName(), v));
    }
    for (PersistentVolumeClaim t : templates) {
      Volume v = byName.get(t.getMetadata().getName());
      if (v == null || v.getPersistentVolumeClaim() == null
          || !claimName(set, t.getMetadata().getName(), ordinal).equals(v.getPersistentVolumeClaim().getClaimName())) {
        return false;
      }
    }
    return true;
  }

  /** Repairs a pod's identity labels (storage cannot change on a live pod; that mismatch only logs). */
  private void updatePodIdentity(StatefulSet set, Pod pod) {
    for (int attempt = 0; attempt < 2; attempt++) {
      Pod copy = pod.deepCopy();
      updateIdentity(set, copy);
      try {
        ctx.client().pods().update(copy);
        return;
      } catch (ClientStatusException e) {
        if (!e.isConflict()) {
          throw e;
        }
        pod = ctx.client().pods().get(pod.getMetadata().getNamespace(), pod.getMetadata().getName()).orElse(null);
        if (pod == null) {
          return;
        }
      }
    }
  }

  /** The claims of a pod from the templates: {@code <template>-<set>-<ordinal>}, labelled with the set's selector. */
  private static List<PersistentVolumeClaim> podClaims(StatefulSet set, Pod pod) {
    List<PersistentVolumeClaim> out = new ArrayList<>();
    List<PersistentVolumeClaim> templates = set.getSpec().getVolumeClaimTemplates();
    if (templates == null) {
      return out;
    }
    int ordinal = ordinal(pod);
    Map<String, String> selectorLabels = set.getSpec().getSelector() == null || set.getSpec().getSelector().getMatchLabels() == null
        ? Map.of() : set.getSpec().getSelector().getMatchLabels();
    for (PersistentVolumeClaim t : templates) {
      PersistentVolumeClaim c = t.deepCopy();
      Map<String, String> labels = c.getMetadata().getLabels() == null ? new HashMap<>() : new HashMap<>(c.getMetadata().getLabels());
      labels.putAll(selectorLabels);
      c.setMetadata(new ObjectMeta().withName(claimName(set, t.getMetadata().getName(), ordinal))
          .withNamespace(set.getMetadata().getNamespace()).withLabels(labels)
          .withAnnotations(t.getMetadata().getAnnotations()));
      c.setStatus(null);
      out.add(c);
    }
    return out;
  }

  /** Creates the pod's missing claims (upstream's createPersistentVolumeClaims). */
  private void createClaims(StatefulSet set, Pod pod) {
    List<String> errors = new ArrayList<>();
    for (PersistentVolumeClaim c : podClaims(set, pod)) {
      PersistentVolumeClaim existing = claimInformer.indexer().get(c.getMetadata().getNamespace(), c.getMetadata().getName())
          .orElse(null);
      if (existing == null) {
        try {
          claims.create(c);
          events.eventf(set, EventRecorder.NORMAL, "SuccessfulCreate", "create Claim %s Pod %s in StatefulSet %s success",
              c.getMetadata().getName(), pod.getMetadata().getName(), set.getMetadata().getName());
        } catch (ClientStatusException e) {
          if (!e.isAlreadyExists()) {
            events.eventf(set, EventRecorder.WARNING, "FailedCreate", "create Claim %s for Pod %s in StatefulSet %s failed error: %s",
                c.getMetadata().getName(), pod.getMetadata().getName(), set.getMetadata().getName(), e.getMessage());
            errors.add("failed to create PVC " + c.getMetadata().getName() + ": " + e.getMessage());
          }
        }
      } else if (existing.getMetadata().getDeletionTimestamp() != null) {
        errors.add("pvc " + c.getMetadata().getName() + " is being deleted");
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException(String.join("; ", errors));
    }
  }

  /** Upstream's CreateStatefulPod: claims first, then the pod. */
  private void createPod(StatefulSet set, StatefulSet updateSet, Pod pod) {
    createClaims(set, pod);
    try {
      ctx.client().pods().create(pod);
      events.eventf(set, EventRecorder.NORMAL, "SuccessfulCreate", "create Pod %s in StatefulSet %s successful",
          pod.getMetadata().getName(), set.getMetadata().getName());
    } catch (ClientStatusException e) {
      if (!e.isAlreadyExists()) {
        events.eventf(set, EventRecorder.WARNING, "FailedCreate", "create Pod %s in StatefulSet %s failed error: %s",
            pod.getMetadata().getName(), set.getMetadata().getName(), e.getMessage());
      }
      throw e;
    }
    setClaimOwners(updateSet, pod, false);
  }

  private void deletePod(StatefulSet set, Pod pod) {
    ObjectMeta m = pod.getMetadata();
    try {
      ctx.client().pods().delete(m.getNamespace(), m.getName(),
          new DeleteOptions().withPreconditions(new Preconditions().withUid(m.getUid())));
      events.eventf(set, EventRecorder.NORMAL, "SuccessfulDelete", "delete Pod %s in StatefulSet %s successful",
          m.getName(), set.getMetadata().getName());
    } catch (ClientStatusException e) {
      if (!e.isNotFound()) {
        events.eventf(set, EventRecorder.WARNING, "FailedDelete", "delete Pod %s in StatefulSet %s failed error: %s",
            m.getName(), set.getMetadata().getName(), e.getMessage());
        throw e;
      }
    }
  }

  /**
   * The retention policy as owner references on the pod's claims: the set owns them when
   * whenDeleted=Delete; the pod owns them when it is condemned (scaled away) and whenScaled=Delete.
   */
  private void setClaimOwners(StatefulSet set, Pod pod, boolean condemned) {
    StatefulSetPersistentVolumeClaimRetentionPolicy policy = set.getSpec().getPersistentVolumeClaimRetentionPolicy();
    if (set.getSpec().getVolumeClaimTemplates() == null || set.getSpec().getVolumeClaimTemplates().isEmpty()) {
      return;
    }
    boolean setOwns = policy != null && "Delete".equals(policy.getWhenDeleted());
    boolean podOwns = condemned && policy != null && "Delete".equals(policy.getWhenScaled()) && pod.getMetadata().getUid() != null;
    for (PersistentVolumeClaim want : podClaims(set, pod)) {
      PersistentVolumeClaim c = claimInformer.indexer().get(want.getMetadata().getNamespace(), want.getMetadata().getName())
          .orElse(null);
      if (c == null || c.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      List<OwnerReference> refs = c.getMetadata().getOwnerReferences() == null ? new ArrayList<>()
          : new ArrayList<>(c.getMetadata().getOwnerReferences());
      boolean changed = false;
      changed |= owner(refs, set, setOwns);
      if (pod.getMetadata().getUid() != null) {
        changed |= owner(refs, pod, podOwns);
      }
      if (changed) {
        PersistentVolumeClaim copy = c.deepCopy();
        copy.getMetadata().setOwnerReferences(refs.isEmpty() ? null : refs);
        try {
          claims.update(copy);
        } catch (ClientStatusException e) {
          if (!e.isConflict() && !e.isNotFound()) {
            throw e;
          }
          // Retried at the next sync.
        }
      }
    }
  }

  /** Adds or removes a (non-controller) owner reference; whether the list changed. */
  private static boolean owner(List<OwnerReference> refs, io.bosun.api.meta.v1.KubernetesObject owner, boolean want) {
    String uid = owner.getMetadata().getUid();
    boolean has = refs.stream().anyMatch(r -> uid.equals(r.getUid()));
    if (want && !has) {
      refs.add(new OwnerReference().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
          .withName(owner.getMetadata().getName()).withUid(uid));
      return true;
    }
    if (!want && has) {
      refs.removeIf(r -> uid.equals(r.getUid()));
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ status and history

  private void countStatus(StatefulSetStatus status, StatefulSet set, Revs revs, List<Pod> pods) {
    int replicas = 0;
    int ready = 0;
    int available = 0;
    int current = 0;
    int updated = 0;
    int minReady = minReadySeconds(set);
    for (Pod p : pods) {
      if (p == null) {
        continue;
      }
      if (created(p)) {
        replicas++;
      }
      if (runningAndReady(p)) {
        ready++;
        if (runningAndAvailable(p, minReady)) {
          available++;
        }
      }
      if (created(p) && !Pods.isTerminating(p)) {
        String rev = revisionOf(p);
        if (revs.current().getMetadata().getName().equals(rev)) {
          current++;
        }
        if (revs.update().getMetadata().getName().equals(rev)) {
          updated++;
        }
      }
    }
    status.setReplicas(replicas);
    status.setReadyReplicas(ready);
    status.setAvailableReplicas(available);
    status.setCurrentReplicas(current);
    status.setUpdatedReplicas(updated);
  }

  /** Completes a finished rolling update and writes the status if it changed (retrying conflicts). */
  private void updateStatus(StatefulSet set, StatefulSetStatus status) {
    boolean rolling = set.getSpec().getUpdateStrategy() == null || set.getSpec().getUpdateStrategy().getType() == null
        || "RollingUpdate".equals(set.getSpec().getUpdateStrategy().getType());
    if (rolling && nz(status.getUpdatedReplicas()) == nz(status.getReplicas())
        && nz(status.getReadyReplicas()) == nz(status.getReplicas())) {
      status.setCurrentReplicas(status.getUpdatedReplicas());
      status.setCurrentRevision(status.getUpdateRevision());
    }
    StatefulSetStatus cur = set.getStatus();
    status.setConditions(cur.getConditions());
    if (status.equals(cur)) {
      return;
    }
    StatefulSet next = set.deepCopy();
    for (int attempt = 0; ; attempt++) {
      next.setStatus(status);
      try {
        sets.updateStatus(next);
        return;
      } catch (ClientStatusException e) {
        if (!e.isConflict() || attempt >= 3) {
          throw e;
        }
        next = fresh(set).orElse(null);
        if (next == null) {
          return;
        }
      }
    }
  }

  private void truncateHistory(StatefulSet set, List<Pod> pods, List<ControllerRevision> history, Revs revs) {
    Set<String> live = new HashSet<>();
    live.add(revs.current().getMetadata().getName());
    live.add(revs.update().getMetadata().getName());
    pods.forEach(p -> live.add(revisionOf(p)));
    List<ControllerRevision> old = new ArrayList<>();
    for (ControllerRevision r : history) {
      if (!live.contains(r.getMetadata().getName())) {
        old.add(r);
      }
    }
    int limit = set.getSpec().getRevisionHistoryLimit() == null ? 10 : set.getSpec().getRevisionHistoryLimit();
    for (int i = 0; i < old.size() - limit; i++) {
      try {
        revisionsClient.delete(old.get(i).getMetadata().getNamespace(), old.get(i).getMetadata().getName(), null);
      } catch (ClientStatusException e) {
        if (!e.isNotFound()) {
          throw e;
        }
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  /** The set with the template of {@code revision} (upstream's ApplyRevision). */
  private StatefulSet applyRevision(StatefulSet set, ControllerRevision revision) {
    StatefulSet copy = set.deepCopy();
    PodTemplateSpec t = revisions.template(revision);
    if (t != null) {
      copy.getSpec().setTemplate(t);
    }
    return copy;
  }

  private static boolean created(Pod p) {
    return p.getStatus() != null && p.getStatus().getPhase() != null && !p.getStatus().getPhase().isEmpty();
  }

  private static boolean runningAndReady(Pod p) {
    return "Running".equals(Pods.phase(p)) && Pods.isReady(p);
  }

  private boolean runningAndAvailable(Pod p, int minReadySeconds) {
    return "Running".equals(Pods.phase(p)) && Pods.isAvailable(p, minReadySeconds, ctx.clock().instant());
  }

  private static boolean healthy(Pod p) {
    return runningAndReady(p) && !Pods.isTerminating(p);
  }

  static String revisionOf(Pod p) {
    Map<String, String> l = p.getMetadata().getLabels();
    return l == null ? "" : l.getOrDefault(Revisions.HASH_LABEL, "");
  }

  static String podName(StatefulSet set, int ordinal) {
    return set.getMetadata().getName() + "-" + ordinal;
  }

  static String claimName(StatefulSet set, String template, int ordinal) {
    return template + "-" + set.getMetadata().getName() + "-" + ordinal;
  }

  static String parentName(Pod p) {
    Matcher m = NAME.matcher(p.getMetadata().getName());
    return m.matches() ? m.group(1) : "";
  }

  static int ordinal(Pod p) {
    Matcher m = NAME.matcher(p.getMetadata().getName());
    if (!m.matches()) {
      return -1;
    }
    try {
      return Integer.parseInt(m.group(2));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static int replicas(StatefulSet s) {
    return s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
  }

  static int startOrdinal(StatefulSet s) {
    return s.getSpec().getOrdinals() == null || s.getSpec().getOrdinals().getStart() == null ? 0
        : s.getSpec().getOrdinals().getStart();
  }

  static int partition(StatefulSet s) {
    var st = s.getSpec().getUpdateStrategy();
    return st == null || st.getRollingUpdate() == null || st.getRollingUpdate().getPartition() == null ? 0
        : st.getRollingUpdate().getPartition();
  }

  static int minReadySeconds(StatefulSet s) {
    return s.getSpec().getMinReadySeconds() == null ? 0 : s.getSpec().getMinReadySeconds();
  }

  static LabelSelector selector(StatefulSet s) {
    try {
      return LabelSelector.fromSpec(s.getSpec().getSelector());
    } catch (SelectorException e) {
      return LabelSelector.nothing();
    }
  }

  private static List<Pod> concat(Pod[] a, List<Pod> b) {
    List<Pod> out = new ArrayList<>(List.of(a));
    out.addAll(b);
    return out;
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}
