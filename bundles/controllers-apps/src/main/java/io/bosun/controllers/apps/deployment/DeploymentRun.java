package io.bosun.controllers.apps.deployment;

import static io.bosun.controllers.apps.deployment.DeploymentUtil.*;

import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.apps.v1.DeploymentCondition;
import io.bosun.api.apps.v1.DeploymentStatus;
import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.ReplicaSetCondition;
import io.bosun.api.apps.v1.ReplicaSetSpec;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.labels.SelectorException;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.client.ClientStatusException;
import io.bosun.client.PatchType;
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
import io.bosun.controller.Hashing;
import io.bosun.controller.Indexes;
import io.bosun.controller.Pods;
import io.bosun.controllers.apps.history.Semantic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the Deployment controller, following upstream's {@code syncDeployment}:
 * claim ReplicaSets; a paused or scaling deployment is only scaled ({@code sync}); otherwise
 * {@code rolloutRolling} or {@code rolloutRecreate}; then status and conditions.
 *
 * <p>The new ReplicaSet is the oldest one whose template equals the deployment's (ignoring
 * {@code pod-template-hash}), so a rollback ({@code kubectl rollout undo} patches the template of
 * an old set back) reuses that set and gives it the next revision. A new set is named
 * {@code <deployment>-<hash>}; a name taken by a different template bumps
 * {@code status.collisionCount}.
 *
 * <p>One deliberate difference: when deciding how far the new set may scale up, each set counts
 * as the largest of its spec, its status and its active pods, so pods of an old set still being
 * removed never let the total exceed {@code replicas + maxSurge}.
 */
final class DeploymentRun {

  private static final Logger LOG = LoggerFactory.getLogger(DeploymentRun.class);

  private final ControllerContext ctx;
  private final ResourceClient<Deployment> deployments;
  private final ResourceClient<ReplicaSet> sets;
  private final SharedIndexInformer<Deployment> dInformer;
  private final SharedIndexInformer<ReplicaSet> rsInformer;
  private final SharedIndexInformer<Pod> podInformer;
  private final WorkQueue<String> queue;
  private final EventRecorder events;
  private final Hashing hashing = new Hashing();
  private final Semantic semantic = new Semantic();

  DeploymentRun(ControllerContext ctx) {
    this.ctx = ctx;
    this.deployments = ctx.client().resources(Deployment.class);
    this.sets = ctx.client().resources(ReplicaSet.class);
    this.dInformer = ctx.informer(Deployment.class);
    this.rsInformer = ctx.informer(ReplicaSet.class);
    this.podInformer = ctx.informer(Pod.class);
    this.queue = ctx.workQueue("deployment");
    this.events = ctx.eventRecorder();
  }

  void run() throws InterruptedException {
    rsInformer.indexer().addIndexer(Indexes.CONTROLLER_UID, Indexes.controllerUid());
    podInformer.indexer().addIndexer(Indexes.CONTROLLER_UID, Indexes.controllerUid());
    dInformer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Deployment d, boolean initial) {
        enqueue(d);
      }

      @Override
      public void onUpdate(Deployment old, Deployment cur) {
        enqueue(cur);
      }

      @Override
      public void onDelete(Deployment d) {
        enqueue(d);
      }
    });
    rsInformer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ReplicaSet rs, boolean initial) {
        addReplicaSet(rs);
      }

      @Override
      public void onUpdate(ReplicaSet old, ReplicaSet cur) {
        updateReplicaSet(old, cur);
      }

      @Override
      public void onDelete(ReplicaSet rs) {
        ControllerRefs.controllerOf(rs).map(ref -> resolve(rs.getMetadata().getNamespace(), ref))
            .ifPresent(DeploymentRun.this::enqueue);
      }
    });
    podInformer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onDelete(Pod pod) {
        deletePod(pod);
      }

      @Override
      public void onDeleteFinalStateUnknown(DeletedFinalStateUnknown<Pod> tombstone) {
        deletePod(tombstone.object());
      }
    });
    if (!ctx.waitForCacheSync(dInformer, rsInformer, podInformer)) {
      return;
    }
    ctx.runWorkers(queue, ctx.workers(), this::sync);
  }

  // ------------------------------------------------------------------ event handlers

  private void enqueue(Deployment d) {
    if (d != null) {
      queue.add(Keys.of(d));
    }
  }

  private Deployment resolve(String namespace, OwnerReference ref) {
    if (!Deployment.KIND.equals(ref.getKind())) {
      return null;
    }
    Deployment d = dInformer.indexer().get(namespace, ref.getName()).orElse(null);
    return d != null && Objects.equals(d.getMetadata().getUid(), ref.getUid()) ? d : null;
  }

  /** Deployments whose selector matches an orphan set's labels. */
  private List<Deployment> deploymentsSelecting(ReplicaSet rs) {
    List<Deployment> out = new ArrayList<>();
    Map<String, String> labels = rs.getMetadata().getLabels();
    if (labels == null || labels.isEmpty()) {
      return out;
    }
    for (Deployment d : dInformer.indexer().list(rs.getMetadata().getNamespace())) {
      LabelSelector s = selector(d);
      if (s != null && !s.isEverything() && s.matches(labels)) {
        out.add(d);
      }
    }
    return out;
  }

  private void addReplicaSet(ReplicaSet rs) {
    if (rs.getMetadata().getDeletionTimestamp() != null) {
      ControllerRefs.controllerOf(rs).map(ref -> resolve(rs.getMetadata().getNamespace(), ref)).ifPresent(this::enqueue);
      return;
    }
    Optional<OwnerReference> ref = ControllerRefs.controllerOf(rs);
    if (ref.isPresent()) {
      enqueue(resolve(rs.getMetadata().getNamespace(), ref.get()));
      return;
    }
    deploymentsSelecting(rs).forEach(this::enqueue);
  }

  private void updateReplicaSet(ReplicaSet old, ReplicaSet cur) {
    if (Objects.equals(old.getMetadata().getResourceVersion(), cur.getMetadata().getResourceVersion())) {
      return;
    }
    Optional<OwnerReference> curRef = ControllerRefs.controllerOf(cur);
    Optional<OwnerReference> oldRef = ControllerRefs.controllerOf(old);
    boolean refChanged = !Objects.equals(curRef.map(OwnerReference::getUid), oldRef.map(OwnerReference::getUid));
    if (refChanged && oldRef.isPresent()) {
      enqueue(resolve(old.getMetadata().getNamespace(), oldRef.get()));
    }
    if (curRef.isPresent()) {
      enqueue(resolve(cur.getMetadata().getNamespace(), curRef.get()));
      return;
    }
    boolean labelsChanged = !Objects.equals(old.getMetadata().getLabels(), cur.getMetadata().getLabels());
    if (labelsChanged || refChanged) {
      deploymentsSelecting(cur).forEach(this::enqueue);
    }
  }

  /** Recreate waits for every old pod to be gone: a pod deletion may let it proceed. */
  private void deletePod(Pod pod) {
    Optional<OwnerReference> ref = ControllerRefs.controllerOf(pod);
    if (ref.isEmpty() || !ReplicaSet.KIND.equals(ref.get().getKind())) {
      return;
    }
    ReplicaSet rs = rsInformer.indexer().get(pod.getMetadata().getNamespace(), ref.get().getName()).orElse(null);
    if (rs == null) {
      return;
    }
    ControllerRefs.controllerOf(rs).map(r -> resolve(rs.getMetadata().getNamespace(), r))
        .filter(DeploymentUtil::isRecreate).ifPresent(this::enqueue);
  }

  // ------------------------------------------------------------------ sync

  void sync(String key) throws Exception {
    Deployment cached = dInformer.indexer().getByKey(key).orElse(null);
    if (cached == null) {
      return;
    }
    Deployment d = cached.deepCopy();
    if (d.getStatus() == null) {
      d.setStatus(new DeploymentStatus());
    }
    var sel = d.getSpec().getSelector();
    if (sel == null || (emptyMap(sel.getMatchLabels()) && (sel.getMatchExpressions() == null || sel.getMatchExpressions().isEmpty()))) {
      events.event(d, EventRecorder.WARNING, "SelectingAll",
          "This deployment is selecting all pods. A non-empty selector is required.");
      if (d.getStatus().getObservedGeneration() == null || d.getStatus().getObservedGeneration() < generation(d)) {
        d.getStatus().setObservedGeneration(generation(d));
        writeStatus(d);
      }
      return;
    }
    List<ReplicaSet> rsList = replicaSetsFor(d);
    if (d.getMetadata().getDeletionTimestamp() != null) {
      syncStatusOnly(d, rsList);
      return;
    }
    checkPausedConditions(d);
    if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
      syncScaleOnly(d, rsList);
      return;
    }
    if (isScalingEvent(d, rsList)) {
      syncScaleOnly(d, rsList);
      return;
    }
    if (isRecreate(d)) {
      rolloutRecreate(d, rsList);
    } else {
      rolloutRolling(d, rsList);
    }
  }

  /** Claims the deployment's ReplicaSets (upstream's getReplicaSetsForDeployment). */
  private List<ReplicaSet> replicaSetsFor(Deployment d) {
    LabelSelector selector = selector(d);
    if (selector == null) {
      throw new IllegalStateException("deployment " + Keys.of(d) + " has an invalid label selector");
    }
    List<ReplicaSet> candidates = Indexes.ownedBy(rsInformer.indexer(), d, true);
    ControllerRefManager<ReplicaSet> refs = new ControllerRefManager<>(sets, d, selector,
        () -> deployments.get(d.getMetadata().getNamespace(), d.getMetadata().getName()));
    return new ArrayList<>(refs.claim(candidates));
  }

  /** Pods by the uid of their ReplicaSet, for the sets of {@code rsList}. */
  private Map<String, List<Pod>> podsBySet(List<ReplicaSet> rsList) {
    Map<String, List<Pod>> out = new HashMap<>();
    for (ReplicaSet rs : rsList) {
      out.put(rs.getMetadata().getUid(), Indexes.ownedBy(podInformer.indexer(), rs, false));
    }
    return out;
  }

  /** Upstream's checkPausedConditions: a Progressing Unknown condition on pause and resume. */
  private void checkPausedConditions(Deployment d) {
    if (!hasProgressDeadline(d)) {
      return;
    }
    DeploymentCondition cond = condition(d.getStatus(), PROGRESSING);
    if (cond != null && TIMED_OUT.equals(cond.getReason())) {
      return;
    }
    boolean pausedCondExists = cond != null && PAUSED.equals(cond.getReason());
    boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
    Instant now = ctx.clock().instant();
    if (paused && !pausedCondExists) {
      setCondition(d.getStatus(), newCondition(PROGRESSING, "Unknown", PAUSED, "Deployment is paused", now));
    } else if (!paused && pausedCondExists) {
      setCondition(d.getStatus(), newCondition(PROGRESSING, "Unknown", RESUMED, "Deployment is resumed", now));
    } else {
      return;
    }
    writeStatus(d);
  }

  /** Upstream's isScalingEvent: an active set's desired-replicas annotation differs from spec.replicas. */
  private boolean isScalingEvent(Deployment d, List<ReplicaSet> rsList) {
    NewAndOld all = newAndOld(d, rsList, false);
    List<ReplicaSet> everything = new ArrayList<>(all.old);
    if (all.newRS != null) {
      everything.add(all.newRS);
    }
    for (ReplicaSet rs : active(everything)) {
      Integer desired = desiredReplicasAnnotation(rs);
      if (desired != null && desired != replicas(d)) {
        return true;
      }
    }
    return false;
  }

  private record NewAndOld(ReplicaSet newRS, List<ReplicaSet> old) {
    List<ReplicaSet> all() {
      List<ReplicaSet> out = new ArrayList<>(old);
      if (newRS != null) {
        out.add(newRS);
      }
      return out;
    }
  }

  /** The oldest set whose template equals the deployment's (upstream's FindNewReplicaSet). */
  private ReplicaSet findNew(Deployment d, List<ReplicaSet> rsList) {
    List<ReplicaSet> sorted = new ArrayList<>(rsList);
    sorted.sort(BY_CREATION);
    for (ReplicaSet rs : sorted) {
      if (semantic.equalIgnoringLabel(rs.getSpec().getTemplate(), d.getSpec().getTemplate(), POD_TEMPLATE_HASH)) {
        return rs;
      }
    }
    return null;
  }

  /** Upstream's getAllReplicaSetsAndSyncRevision. */
  private NewAndOld newAndOld(Deployment d, List<ReplicaSet> rsList, boolean createIfMissing) {
    ReplicaSet found = findNew(d, rsList);
    List<ReplicaSet> old = new ArrayList<>();
    for (ReplicaSet rs : rsList) {
      if (found == null || !Objects.equals(rs.getMetadata().getUid(), found.getMetadata().getUid())) {
        old.add(rs);
      }
    }
    ReplicaSet newRS = newReplicaSet(d, rsList, found, old, createIfMissing);
    return new NewAndOld(newRS, old);
  }

  /** Upstream's getNewReplicaSet: updates the existing new set's revision, or creates it. */
  private ReplicaSet newReplicaSet(Deployment d, List<ReplicaSet> rsList, ReplicaSet existing, List<ReplicaSet> old,
      boolean createIfMissing) {
    String newRevision = Long.toString(maxRevision(old) + 1);
    Instant now = ctx.clock().instant();
    if (existing != null) {
      ReplicaSet copy = existing.deepCopy();
      boolean annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      boolean minReadyChanged = !Objects.equals(nz(copy.getSpec().getMinReadySeconds()), nz(d.getSpec().getMinReadySeconds()));
      if (annotationsUpdated || minReadyChanged) {
        copy.getSpec().setMinReadySeconds(d.getSpec().getMinReadySeconds());
        ReplicaSet updated = sets.update(copy);
        replaceIn(rsList, updated);
        return updated;
      }
      String revision = copy.getMetadata().getAnnotations() == null ? null : copy.getMetadata().getAnnotations().get(REVISION);
      setRevisionAnnotation(d, revision);
      if (hasProgressDeadline(d) && condition(d.getStatus(), PROGRESSING) == null) {
        setCondition(d.getStatus(), newCondition(PROGRESSING, "True", FOUND_NEW_RS,
            "Found new replica set \"" + copy.getMetadata().getName() + "\"", now));
        writeStatus(d);
      }
      return copy;
    }
    if (!createIfMissing) {
      return null;
    }
    PodTemplateSpec template = d.getSpec().getTemplate().deepCopy();
    String hash = hashing.computeHash(template, d.getStatus().getCollisionCount());
    if (template.getMetadata() == null) {
      template.setMetadata(new ObjectMeta());
    }
    Map<String, String> labels = template.getMetadata().getLabels() == null ? new HashMap<>()
        : new HashMap<>(template.getMetadata().getLabels());
    labels.put(POD_TEMPLATE_HASH, hash);
    template.getMetadata().setLabels(labels);
    var selector = d.getSpec().getSelector().deepCopy();
    Map<String, String> matchLabels = selector.getMatchLabels() == null ? new HashMap<>()
        : new HashMap<>(selector.getMatchLabels());
    matchLabels.put(POD_TEMPLATE_HASH, hash);
    selector.setMatchLabels(matchLabels);
    ReplicaSet rs = new ReplicaSet()
        .withMetadata(new ObjectMeta().withName(d.getMetadata().getName() + "-" + hash)
            .withNamespace(d.getMetadata().getNamespace())
            .withOwnerReferences(new ArrayList<>(List.of(ControllerRefs.newControllerRef(d))))
            .withLabels(new HashMap<>(labels)))
        .withSpec(new ReplicaSetSpec().withReplicas(0).withMinReadySeconds(d.getSpec().getMinReadySeconds())
            .withSelector(selector).withTemplate(template));
    List<ReplicaSet> all = new ArrayList<>(old);
    all.add(rs);
    int newReplicas = newRSNewReplicas(d, all, rs);
    rs.getSpec().setReplicas(newReplicas);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    ReplicaSet created;
    boolean alreadyExists = false;
    try {
      created = sets.create(rs);
    } catch (ClientStatusException e) {
      if (e.isAlreadyExists()) {
        alreadyExists = true;
        // Read it live: the cache may still show an owner the set no longer has.
        ReplicaSet taken = sets.get(rs.getMetadata().getNamespace(), rs.getMetadata().getName()).orElse(null);
        if (taken == null) {
          throw e;
        }
        Optional<OwnerReference> ref = ControllerRefs.controllerOf(taken);
        boolean sameTemplate = semantic.equalIgnoringLabel(d.getSpec().getTemplate(), taken.getSpec().getTemplate(),
            POD_TEMPLATE_HASH);
        if (sameTemplate && ref.isEmpty()) {
          // Our own set, orphaned (an earlier deployment of this name): adopt it rather than count a collision.
          LabelSelector dSelector = selector(d);
          List<ReplicaSet> adopted = dSelector == null ? List.of() : new ControllerRefManager<>(sets, d, dSelector,
              () -> deployments.get(d.getMetadata().getNamespace(), d.getMetadata().getName())).claim(List.of(taken));
          if (!adopted.isEmpty()) {
            taken = adopted.get(0);
            ref = ControllerRefs.controllerOf(taken);
          }
        }
        if (ref.isPresent() && Objects.equals(ref.get().getUid(), d.getMetadata().getUid()) && sameTemplate) {
          created = taken;
        } else {
          // A hash collision: another template holds the name. Count it and try another hash next time.
          int collisions = d.getStatus().getCollisionCount() == null ? 0 : d.getStatus().getCollisionCount();
          d.getStatus().setCollisionCount(collisions + 1);
          writeStatus(d);
          LOG.info("Found a hash collision for deployment {} (set {} owned by {}, same template: {}); bumping "
              + "collisionCount to {}", Keys.of(d), taken.getMetadata().getName(), ref.map(OwnerReference::getUid)
              .orElse("nobody"), sameTemplate, collisions + 1);
          throw e;
        }
      } else {
        String msg = "Failed to create new replica set \"" + rs.getMetadata().getName() + "\": " + e.getMessage();
        if (hasProgressDeadline(d)) {
          setCondition(d.getStatus(), newCondition(PROGRESSING, "False", FAILED_RS_CREATE, msg, now));
          try {
            writeStatus(d);
          } catch (ClientStatusException ignored) {
            // The create failure is the bigger issue.
          }
        }
        events.event(d, EventRecorder.WARNING, FAILED_RS_CREATE, msg);
        throw e;
      }
    }
    if (!alreadyExists && newReplicas > 0) {
      events.eventf(d, EventRecorder.NORMAL, "ScalingReplicaSet", "Scaled up replica set %s from 0 to %d",
          created.getMetadata().getName(), newReplicas);
    }
    rsList.add(created);
    setRevisionAnnotation(d, newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      setCondition(d.getStatus(), newCondition(PROGRESSING, "True", NEW_RS_CREATED,
          "Created new replica set \"" + created.getMetadata().getName() + "\"", now));
      writeStatus(d);
    }
    return created;
  }

  /**
   * How many replicas the new set may have (upstream's NewRSNewReplicas), counting each set as
   * the largest of its spec, status and active pods.
   */
  private int newRSNewReplicas(Deployment d, List<ReplicaSet> all, ReplicaSet newRS) {
    if (isRecreate(d)) {
      return replicas(d);
    }
    int current = 0;
    for (ReplicaSet rs : all) {
      current += footprint(rs);
    }
    int maxTotal = replicas(d) + maxSurge(d);
    if (current >= maxTotal) {
      return replicas(newRS);
    }
    int scaleUp = Math.min(maxTotal - current, replicas(d) - replicas(newRS));
    return replicas(newRS) + Math.max(0, scaleUp);
  }

  /** The pods a set may have now: its spec, or more while its controller has not yet caught up. */
  private int footprint(ReplicaSet rs) {
    int spec = replicas(rs);
    if (rs.getMetadata().getUid() == null) {
      return spec;
    }
    int status = rs.getStatus() == null ? 0 : nz(rs.getStatus().getReplicas());
    int pods = 0;
    for (Pod p : Indexes.ownedBy(podInformer.indexer(), rs, false)) {
      if (Pods.isActive(p)) {
        pods++;
      }
    }
    return Math.max(spec, Math.max(status, pods));
  }

  // ------------------------------------------------------------------ scaling (paused or scaled deployments)

  /** Upstream's sync: scale, clean up when paused, write status. */
  private void syncScaleOnly(Deployment d, List<ReplicaSet> rsList) {
    NewAndOld sets = newAndOld(d, rsList, false);
    scale(d, sets.newRS, sets.old);
    if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
      cleanup(d, sets.old);
    }
    syncStatus(d, sets.all(), sets.newRS);
  }

  private void syncStatusOnly(Deployment d, List<ReplicaSet> rsList) {
    NewAndOld sets = newAndOld(d, rsList, false);
    syncStatus(d, sets.all(), sets.newRS);
  }

  /** Upstream's scale: one active set takes everything; a saturated new set retires the old ones; else proportional. */
  private void scale(Deployment d, ReplicaSet newRS, List<ReplicaSet> old) {
    ReplicaSet only = activeOrLatest(newRS, old);
    if (only != null) {
      if (replicas(only) != replicas(d)) {
        scaleAndRecord(only, replicas(d), d);
      }
      return;
    }
    if (isSaturated(d, newRS)) {
      for (ReplicaSet rs : active(old)) {
        scaleAndRecord(rs, 0, d);
      }
      return;
    }
    if (!isRollingUpdate(d)) {
      return;
    }
    List<ReplicaSet> all = new ArrayList<>(old);
    if (newRS != null) {
      all.add(newRS);
    }
    all = new ArrayList<>(active(all));
    int allReplicas = specReplicas(all);
    int allowed = replicas(d) > 0 ? replicas(d) + maxSurge(d) : 0;
    int toAdd = allowed - allReplicas;
    String operation = "";
    if (toAdd > 0) {
      all.sort(BY_SIZE_NEWER);
      operation = "up";
    } else if (toAdd < 0) {
      all.sort(BY_SIZE_OLDER);
      operation = "down";
    }
    int added = 0;
    Map<String, Integer> sizes = new HashMap<>();
    for (ReplicaSet rs : all) {
      if (toAdd != 0) {
        int p = proportion(rs, d, toAdd, added);
        sizes.put(rs.getMetadata().getName(), replicas(rs) + p);
        added += p;
      } else {
        sizes.put(rs.getMetadata().getName(), replicas(rs));
      }
    }
    for (int i = 0; i < all.size(); i++) {
      ReplicaSet rs = all.get(i);
      if (i == 0 && toAdd != 0) {
        int leftover = toAdd - added;
        sizes.put(rs.getMetadata().getName(), Math.max(0, sizes.get(rs.getMetadata().getName()) + leftover));
      }
      scaleSet(rs, sizes.get(rs.getMetadata().getName()), d, operation);
    }
  }

  /** Scales a set if its size differs; returns the set as written (or unchanged). */
  private ReplicaSet scaleAndRecord(ReplicaSet rs, int newScale, Deployment d) {
    if (replicas(rs) == newScale) {
      return rs;
    }
    return scaleSet(rs, newScale, d, replicas(rs) < newScale ? "up" : "down");
  }

  /** Upstream's scaleReplicaSet: writes the size and the desired/max annotations. */
  private ReplicaSet scaleSet(ReplicaSet rs, int newScale, Deployment d, String operation) {
    boolean sizeChanges = replicas(rs) != newScale;
    int desired = replicas(d);
    int max = desired + maxSurge(d);
    if (!sizeChanges && !replicasAnnotationsNeedUpdate(rs, desired, max)) {
      return rs;
    }
    int oldScale = replicas(rs);
    ReplicaSet copy = rs.deepCopy();
    copy.getSpec().setReplicas(newScale);
    setReplicasAnnotations(copy, desired, max);
    ReplicaSet updated = sets.update(copy);
    if (sizeChanges) {
      events.eventf(d, EventRecorder.NORMAL, "ScalingReplicaSet", "Scaled %s replica set %s from %d to %d", operation,
          updated.getMetadata().getName(), oldScale, newScale);
    }
    return updated;
  }

  // ------------------------------------------------------------------ rolling update

  private void rolloutRolling(Deployment d, List<ReplicaSet> rsList) {
    NewAndOld s = newAndOld(d, rsList, true);
    List<ReplicaSet> all = s.all();
    if (reconcileNew(all, s.newRS, d)) {
      // As upstream, status comes from the sets as read; the next sync sees the writes.
      syncRolloutStatus(d, all, s.newRS);
      return;
    }
    if (reconcileOld(all, active(s.old), s.newRS, d)) {
      // As upstream, status comes from the sets as read; the next sync sees the writes.
      syncRolloutStatus(d, all, s.newRS);
      return;
    }
    if (complete(d, d.getStatus())) {
      cleanup(d, s.old);
    }
    syncRolloutStatus(d, all, s.newRS);
  }

  /** Upstream's reconcileNewReplicaSet; whether it scaled. */
  private boolean reconcileNew(List<ReplicaSet> all, ReplicaSet newRS, Deployment d) {
    if (replicas(newRS) == replicas(d)) {
      return false;
    }
    if (replicas(newRS) > replicas(d)) {
      return scaleAndRecord(newRS, replicas(d), d) != newRS;
    }
    int count = newRSNewReplicas(d, all, newRS);
    return scaleAndRecord(newRS, count, d) != newRS;
  }

  /** Upstream's reconcileOldReplicaSets; whether it scaled anything down. */
  private boolean reconcileOld(List<ReplicaSet> all, List<ReplicaSet> old, ReplicaSet newRS, Deployment d) {
    int oldPods = specReplicas(old);
    if (oldPods == 0) {
      return false;
    }
    int allPods = specReplicas(all);
    int minAvailable = replicas(d) - maxUnavailable(d);
    int newUnavailable = replicas(newRS) - (newRS.getStatus() == null ? 0 : nz(newRS.getStatus().getAvailableReplicas()));
    int maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) {
      return false;
    }
    List<ReplicaSet> olds = new ArrayList<>(old);
    int cleaned = cleanupUnhealthy(olds, d, maxScaledDown);
    List<ReplicaSet> allNow = new ArrayList<>(olds);
    allNow.add(newRS);
    int scaled = scaleDownOldForRollingUpdate(allNow, olds, d);
    return cleaned + scaled > 0;
  }

  /** Scales down old sets' unavailable replicas first (they cost no availability); updates {@code olds} in place. */
  private int cleanupUnhealthy(List<ReplicaSet> olds, Deployment d, int maxCleanup) {
    olds.sort(BY_CREATION);
    int total = 0;
    for (int i = 0; i < olds.size(); i++) {
      ReplicaSet rs = olds.get(i);
      if (total >= maxCleanup) {
        break;
      }
      int available = rs.getStatus() == null ? 0 : nz(rs.getStatus().getAvailableReplicas());
      if (replicas(rs) == 0 || replicas(rs) == available) {
        continue;
      }
      int down = Math.min(maxCleanup - total, replicas(rs) - available);
      if (down < 0) {
        // A status newer than the spec (more available than wanted): never scale up here, as upstream.
        throw new IllegalStateException("when cleaning up unhealthy replicas, got invalid request to scale down "
            + Keys.of(rs) + " " + replicas(rs) + " -> " + (replicas(rs) - down));
      }
      olds.set(i, scaleAndRecord(rs, replicas(rs) - down, d));
      total += down;
    }
    return total;
  }

  /** Scales old sets down while availability stays at least replicas - maxUnavailable. */
  private int scaleDownOldForRollingUpdate(List<ReplicaSet> all, List<ReplicaSet> olds, Deployment d) {
    int minAvailable = replicas(d) - maxUnavailable(d);
    int available = availableReplicas(all);
    if (available <= minAvailable) {
      return 0;
    }
    List<ReplicaSet> sorted = new ArrayList<>(olds);
    sorted.sort(BY_CREATION);
    int total = 0;
    int budget = available - minAvailable;
    for (ReplicaSet rs : sorted) {
      if (total >= budget) {
        break;
      }
      if (replicas(rs) == 0) {
        continue;
      }
      int down = Math.min(replicas(rs), budget - total);
      if (down < 0) {
        throw new IllegalStateException("invalid request to scale down " + Keys.of(rs) + " " + replicas(rs) + " -> "
            + (replicas(rs) - down));
      }
      scaleAndRecord(rs, replicas(rs) - down, d);
      total += down;
    }
    return total;
  }

  // ------------------------------------------------------------------ recreate

  private void rolloutRecreate(Deployment d, List<ReplicaSet> rsList) {
    NewAndOld s = newAndOld(d, rsList, false);
    List<ReplicaSet> all = s.all();
    boolean scaledDown = false;
    for (ReplicaSet rs : active(s.old)) {
      if (scaleAndRecord(rs, 0, d) != rs) {
        scaledDown = true;
      }
    }
    if (scaledDown) {
      syncRolloutStatus(d, all, s.newRS);
      return;
    }
    if (oldPodsRunning(s.newRS, s.old)) {
      syncRolloutStatus(d, all, s.newRS);
      return;
    }
    ReplicaSet newRS = s.newRS;
    List<ReplicaSet> old = s.old;
    if (newRS == null) {
      NewAndOld created = newAndOld(d, rsList, true);
      newRS = created.newRS;
      old = created.old;
      all = created.all();
    }
    scaleAndRecord(newRS, replicas(d), d);
    if (complete(d, d.getStatus())) {
      cleanup(d, old);
    }
    syncRolloutStatus(d, all, newRS);
  }

  /** Upstream's oldPodsRunning: old sets report replicas, or a non-terminal pod of an old set exists. */
  private boolean oldPodsRunning(ReplicaSet newRS, List<ReplicaSet> old) {
    if (actualReplicas(old) > 0) {
      return true;
    }
    List<ReplicaSet> all = new ArrayList<>(old);
    if (newRS != null) {
      all.add(newRS);
    }
    for (Map.Entry<String, List<Pod>> e : podsBySet(all).entrySet()) {
      if (newRS != null && e.getKey().equals(newRS.getMetadata().getUid())) {
        continue;
      }
      for (Pod p : e.getValue()) {
        String phase = Pods.phase(p);
        if (!phase.equals("Failed") && !phase.equals("Succeeded")) {
          return true;
        }
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ cleanup and status

  /** Deletes the oldest old sets beyond revisionHistoryLimit that are fully scaled down. */
  private void cleanup(Deployment d, List<ReplicaSet> old) {
    if (!hasRevisionHistoryLimit(d)) {
      return;
    }
    List<ReplicaSet> cleanable = new ArrayList<>();
    for (ReplicaSet rs : old) {
      if (rs != null && rs.getMetadata().getDeletionTimestamp() == null) {
        cleanable.add(rs);
      }
    }
    int diff = cleanable.size() - d.getSpec().getRevisionHistoryLimit();
    if (diff <= 0) {
      return;
    }
    cleanable.sort(BY_REVISION);
    for (int i = 0; i < diff; i++) {
      ReplicaSet rs = cleanable.get(i);
      long gen = rs.getMetadata().getGeneration() == null ? 0 : rs.getMetadata().getGeneration();
      long observed = rs.getStatus() == null || rs.getStatus().getObservedGeneration() == null ? 0
          : rs.getStatus().getObservedGeneration();
      if ((rs.getStatus() != null && nz(rs.getStatus().getReplicas()) != 0) || replicas(rs) != 0 || gen > observed
          || rs.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      try {
        sets.delete(rs.getMetadata().getNamespace(), rs.getMetadata().getName(), null);
      } catch (ClientStatusException e) {
        if (!e.isNotFound()) {
          throw e;
        }
      }
    }
  }

  /** Upstream's calculateStatus. */
  private DeploymentStatus calculateStatus(List<ReplicaSet> all, ReplicaSet newRS, Deployment d) {
    int available = availableReplicas(all);
    int total = specReplicas(all);
    DeploymentStatus s = new DeploymentStatus()
        .withObservedGeneration(generation(d))
        .withReplicas(actualReplicas(all))
        .withUpdatedReplicas(newRS == null ? 0 : actualReplicas(List.of(newRS)))
        .withReadyReplicas(readyReplicas(all))
        .withAvailableReplicas(available)
        .withUnavailableReplicas(Math.max(0, total - available))
        .withCollisionCount(d.getStatus().getCollisionCount());
    if (d.getStatus().getConditions() != null) {
      List<DeploymentCondition> copy = new ArrayList<>();
      d.getStatus().getConditions().forEach(c -> copy.add(c.deepCopy()));
      s.setConditions(copy);
    }
    Instant now = ctx.clock().instant();
    if (available >= replicas(d) - maxUnavailable(d)) {
      setCondition(s, newCondition(AVAILABLE, "True", MIN_AVAILABLE, "Deployment has minimum availability.", now));
    } else {
      setCondition(s, newCondition(AVAILABLE, "False", MIN_UNAVAILABLE, "Deployment does not have minimum availability.", now));
    }
    return s;
  }

  private void syncStatus(Deployment d, List<ReplicaSet> all, ReplicaSet newRS) {
    DeploymentStatus s = calculateStatus(all, newRS, d);
    if (!s.equals(d.getStatus())) {
      d.setStatus(s);
      writeStatus(d);
    }
  }

  /** Upstream's syncRolloutStatus: status plus the Progressing condition and replica failures. */
  private void syncRolloutStatus(Deployment d, List<ReplicaSet> all, ReplicaSet newRS) {
    DeploymentStatus s = calculateStatus(all, newRS, d);
    Instant now = ctx.clock().instant();
    if (!hasProgressDeadline(d)) {
      removeCondition(s, PROGRESSING);
    }
    DeploymentCondition current = condition(d.getStatus(), PROGRESSING);
    boolean completeBefore = nz(s.getReplicas()) == nz(s.getUpdatedReplicas()) && current != null
        && NEW_RS_AVAILABLE.equals(current.getReason());
    if (hasProgressDeadline(d) && !completeBefore) {
      String name = newRS == null ? null : newRS.getMetadata().getName();
      if (complete(d, s)) {
        String msg = name != null ? "ReplicaSet \"" + name + "\" has successfully progressed."
            : "Deployment \"" + d.getMetadata().getName() + "\" has successfully progressed.";
        setCondition(s, newCondition(PROGRESSING, "True", NEW_RS_AVAILABLE, msg, now));
      } else if (progressing(d, s)) {
        String msg = name != null ? "ReplicaSet \"" + name + "\" is progressing."
            : "Deployment \"" + d.getMetadata().getName() + "\" is progressing.";
        DeploymentCondition c = newCondition(PROGRESSING, "True", RS_UPDATED, msg, now);
        if (current != null) {
          if ("True".equals(current.getStatus())) {
            c.setLastTransitionTime(current.getLastTransitionTime());
          }
          removeCondition(s, PROGRESSING);
        }
        setCondition(s, c);
      } else if (timedOut(d, s, now)) {
        String msg = name != null ? "ReplicaSet \"" + name + "\" has timed out progressing."
            : "Deployment \"" + d.getMetadata().getName() + "\" has timed out progressing.";
        setCondition(s, newCondition(PROGRESSING, "False", TIMED_OUT, msg, now));
      }
    }
    ReplicaSetCondition failure = replicaFailure(all, newRS);
    if (failure != null) {
      setCondition(s, fromReplicaSetCondition(failure));
    } else {
      removeCondition(s, REPLICA_FAILURE);
    }
    if (s.equals(d.getStatus())) {
      requeueStuck(d, s);
      return;
    }
    d.setStatus(s);
    writeStatus(d);
  }

  private static ReplicaSetCondition replicaFailure(List<ReplicaSet> all, ReplicaSet newRS) {
    List<ReplicaSet> order = new ArrayList<>();
    if (newRS != null) {
      order.add(newRS);
    }
    for (ReplicaSet rs : all) {
      if (rs != newRS) {
        order.add(rs);
      }
    }
    for (ReplicaSet rs : order) {
      if (rs.getStatus() != null && rs.getStatus().getConditions() != null) {
        for (ReplicaSetCondition c : rs.getStatus().getConditions()) {
          if (REPLICA_FAILURE.equals(c.getType())) {
            return c;
          }
        }
      }
    }
    return null;
  }

  /** Upstream's requeueStuckDeployment: come back when the progress deadline would pass. */
  private void requeueStuck(Deployment d, DeploymentStatus s) {
    DeploymentCondition current = condition(d.getStatus(), PROGRESSING);
    if (!hasProgressDeadline(d) || current == null || complete(d, s) || TIMED_OUT.equals(current.getReason())
        || current.getLastUpdateTime() == null) {
      return;
    }
    Duration after = Duration.between(ctx.clock().instant(),
        current.getLastUpdateTime().plusSeconds(d.getSpec().getProgressDeadlineSeconds()));
    if (after.compareTo(Duration.ofSeconds(1)) < 0) {
      queue.addRateLimited(Keys.of(d));
    } else {
      queue.addAfter(Keys.of(d), after);
    }
  }

  // ------------------------------------------------------------------ writes

  /**
   * Sets the deployment's revision annotation. Upstream writes it with the status (its status
   * strategy keeps metadata changes); Bosun's status subresource keeps only status, so it is a
   * metadata merge patch, which leaves the generation alone.
   */
  private void setRevisionAnnotation(Deployment d, String revision) {
    if (revision == null) {
      return;
    }
    Map<String, String> a = d.getMetadata().getAnnotations();
    if (a != null && revision.equals(a.get(REVISION))) {
      return;
    }
    String patch = "{\"metadata\":{\"annotations\":{\"" + REVISION + "\":\"" + revision + "\"},"
        + "\"resourceVersion\":\"" + d.getMetadata().getResourceVersion() + "\"}}";
    Deployment patched = deployments.patch(d.getMetadata().getNamespace(), d.getMetadata().getName(), PatchType.MERGE, patch);
    d.getMetadata().setAnnotations(patched.getMetadata().getAnnotations());
    d.getMetadata().setResourceVersion(patched.getMetadata().getResourceVersion());
  }

  /** Writes {@code d}'s status (conditional on its resourceVersion) and takes the new resourceVersion. */
  private void writeStatus(Deployment d) {
    Deployment written = deployments.updateStatus(d);
    d.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
  }

  private static void replaceIn(List<ReplicaSet> list, ReplicaSet updated) {
    for (int i = 0; i < list.size(); i++) {
      if (Objects.equals(list.get(i).getMetadata().getUid(), updated.getMetadata().getUid())) {
        list.set(i, updated);
      }
    }
  }

  static LabelSelector selector(Deployment d) {
    try {
      return LabelSelector.fromSpec(d.getSpec().getSelector());
    } catch (SelectorException e) {
      return null;
    }
  }

  private static boolean emptyMap(Map<?, ?> m) {
    return m == null || m.isEmpty();
  }
}
