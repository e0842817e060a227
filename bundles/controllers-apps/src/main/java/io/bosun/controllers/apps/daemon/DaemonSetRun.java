package io.bosun.controllers.apps.daemon;

import io.bosun.api.apps.v1.ControllerRevision;
import io.bosun.api.apps.v1.DaemonSet;
import io.bosun.api.apps.v1.DaemonSetStatus;
import io.bosun.api.apps.v1.DaemonSetUpdateStrategy;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.labels.SelectorException;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.api.meta.v1.Preconditions;
import io.bosun.api.values.IntOrString;
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
import io.bosun.controllers.apps.history.Revisions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of the DaemonSet controller, following upstream's {@code syncDaemonSet}:
 * <ul>
 *   <li>History: the current ControllerRevision (the one holding the template; created, or its
 *       revision number raised, as needed) and the old ones; pods carry the current revision's
 *       {@code controller-revision-hash}.</li>
 *   <li>{@code manage}: for each node, create the missing daemon pod (a node affinity to that
 *       node, the daemon tolerations, the hash label; the scheduler binds it), delete pods on nodes
 *       that should not run one, failed and succeeded pods (failed ones with a backoff), and extra
 *       pods; creations in slow-start batches, at most 250 per sync, under expectations.</li>
 *   <li>RollingUpdate: with maxSurge 0, delete old pods while at most maxUnavailable are
 *       unavailable; with maxSurge, create the new pod first and delete the old one once the new is
 *       available. OnDelete: nothing.</li>
 *   <li>Status as upstream (desired/current/misscheduled/ready/updated/available/unavailable).</li>
 *   <li>Old revisions beyond revisionHistoryLimit that no pod uses are deleted.</li>
 * </ul>
 */
final class DaemonSetRun {

  /** Upstream's BurstReplicas for daemon sets. */
  static final int BURST_REPLICAS = 250;
  static final Duration FAILED_BACKOFF_MIN = Duration.ofSeconds(1);
  static final Duration FAILED_BACKOFF_MAX = Duration.ofMinutes(15);

  private final ControllerContext ctx;
  private final ResourceClient<DaemonSet> sets;
  private final ResourceClient<ControllerRevision> revisionsClient;
  private final SharedIndexInformer<DaemonSet> dsInformer;
  private final SharedIndexInformer<ControllerRevision> historyInformer;
  private final SharedIndexInformer<Pod> podInformer;
  private final SharedIndexInformer<Node> nodeInformer;
  private final WorkQueue<String> queue;
  private final Expectations expectations;
  private final EventRecorder events;
  private final Revisions revisions = new Revisions();
  /** Failed-pod backoff per daemon set and node: next delay and when it was last used. */
  private final Map<String, Instant> failedBackoffUntil = new ConcurrentHashMap<>();
  private final Map<String, Duration> failedBackoff = new ConcurrentHashMap<>();

  DaemonSetRun(ControllerContext ctx) {
    this.ctx = ctx;
    this.sets = ctx.client().resources(DaemonSet.class);
    this.revisionsClient = ctx.client().resources(ControllerRevision.class);
    this.dsInformer = ctx.informer(DaemonSet.class);
    this.historyInformer = ctx.informer(ControllerRevision.class);
    this.podInformer = ctx.informer(Pod.class);
    this.nodeInformer = ctx.informer(Node.class);
    this.queue = ctx.workQueue("daemonset");
    this.expectations = new Expectations(ctx.clock());
    this.events = ctx.eventRecorder();
  }

  void run() throws InterruptedException {
    podInformer.indexer().addIndexer(Indexes.CONTROLLER_UID, Indexes.controllerUid());
    historyInformer.indexer().addIndexer(Indexes.CONTROLLER_UID, Indexes.controllerUid());
    dsInformer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(DaemonSet ds, boolean initial) {
        enqueue(ds);
      }

      @Override
      public void onUpdate(DaemonSet old, DaemonSet cur) {
        if (!Objects.equals(old.getMetadata().getUid(), cur.getMetadata().getUid())) {
          expectations.delete(Keys.of(old));
        }
        enqueue(cur);
      }

      @Override
      public void onDelete(DaemonSet ds) {
        expectations.delete(Keys.of(ds));
        enqueue(ds);
      }
    });
    historyInformer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ControllerRevision r, boolean initial) {
        ownerOrMatching(r, r.getMetadata().getLabels());
      }

      @Override
      public void onUpdate(ControllerRevision old, ControllerRevision cur) {
        ownerOrMatching(cur, cur.getMetadata().getLabels());
      }

      @Override
      public void onDelete(ControllerRevision r) {
        ControllerRefs.controllerOf(r).map(ref -> resolve(r.getMetadata().getNamespace(), ref)).ifPresent(DaemonSetRun.this::enqueue);
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
    nodeInformer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node node, boolean initial) {
        for (DaemonSet ds : dsInformer.indexer().list()) {
          if (NodeFit.shouldRun(node, daemonSpec(ds)).shouldRun()) {
            enqueue(ds);
          }
        }
      }

      @Override
      public void onUpdate(Node old, Node cur) {
        if (Objects.equals(old.getMetadata().getLabels(), cur.getMetadata().getLabels())
            && Objects.equals(old.getSpec(), cur.getSpec())) {
          // Only status changed (heartbeats): nothing a daemon set decides on.
          return;
        }
        for (DaemonSet ds : dsInformer.indexer().list()) {
          PodSpec spec = daemonSpec(ds);
          if (!NodeFit.shouldRun(old, spec).equals(NodeFit.shouldRun(cur, spec))) {
            enqueue(ds);
          }
        }
      }

      @Override
      public void onDelete(Node node) {
        dsInformer.indexer().list().forEach(DaemonSetRun.this::enqueue);
      }
    });
    if (!ctx.waitForCacheSync(dsInformer, historyInformer, podInformer, nodeInformer)) {
      return;
    }
    ctx.runWorkers(queue, ctx.workers(), this::sync);
  }

  // ------------------------------------------------------------------ event handlers

  private void enqueue(DaemonSet ds) {
    if (ds != null) {
      queue.add(Keys.of(ds));
    }
  }

  private DaemonSet resolve(String namespace, OwnerReference ref) {
    if (!DaemonSet.KIND.equals(ref.getKind())) {
      return null;
    }
    DaemonSet ds = dsInformer.indexer().get(namespace, ref.getName()).orElse(null);
    return ds != null && Objects.equals(ds.getMetadata().getUid(), ref.getUid()) ? ds : null;
  }

  private void ownerOrMatching(io.bosun.api.meta.v1.KubernetesObject obj, Map<String, String> labels) {
    Optional<OwnerReference> ref = ControllerRefs.controllerOf(obj);
    if (ref.isPresent()) {
      enqueue(resolve(obj.getMetadata().getNamespace(), ref.get()));
      return;
    }
    if (labels == null || labels.isEmpty()) {
      return;
    }
    for (DaemonSet ds : dsInformer.indexer().list(obj.getMetadata().getNamespace())) {
      LabelSelector s = selector(ds);
      if (s != null && !s.isEverything() && s.matches(labels)) {
        enqueue(ds);
      }
    }
  }

  private void addPod(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      deletePod(pod);
      return;
    }
    Optional<OwnerReference> ref = ControllerRefs.controllerOf(pod);
    if (ref.isPresent()) {
      DaemonSet ds = resolve(pod.getMetadata().getNamespace(), ref.get());
      if (ds != null) {
        expectations.creationObserved(Keys.of(ds));
        enqueue(ds);
      }
      return;
    }
    ownerOrMatching(pod, pod.getMetadata().getLabels());
  }

  private void updatePod(Pod old, Pod cur) {
    if (Objects.equals(old.getMetadata().getResourceVersion(), cur.getMetadata().getResourceVersion())) {
      return;
    }
    if (cur.getMetadata().getDeletionTimestamp() != null) {
      deletePod(cur);
      return;
    }
    Optional<OwnerReference> curRef = ControllerRefs.controllerOf(cur);
    Optional<OwnerReference> oldRef = ControllerRefs.controllerOf(old);
    boolean refChanged = !Objects.equals(curRef.map(OwnerReference::getUid), oldRef.map(OwnerReference::getUid));
    if (refChanged && oldRef.isPresent()) {
      enqueue(resolve(old.getMetadata().getNamespace(), oldRef.get()));
    }
    if (curRef.isPresent()) {
      DaemonSet ds = resolve(cur.getMetadata().getNamespace(), curRef.get());
      if (ds == null) {
        return;
      }
      enqueue(ds);
      int minReady = minReadySeconds(ds);
      if (!Pods.isReady(old) && Pods.isReady(cur) && minReady > 0) {
        queue.addAfter(Keys.of(ds), Duration.ofSeconds(minReady));
      }
      return;
    }
    if (refChanged || !Objects.equals(old.getMetadata().getLabels(), cur.getMetadata().getLabels())) {
      ownerOrMatching(cur, cur.getMetadata().getLabels());
    }
  }

  private void deletePod(Pod pod) {
    Optional<OwnerReference> ref = ControllerRefs.controllerOf(pod);
    if (ref.isEmpty()) {
      return;
    }
    DaemonSet ds = resolve(pod.getMetadata().getNamespace(), ref.get());
    if (ds != null) {
      expectations.deletionObserved(Keys.of(ds), Keys.of(pod));
      enqueue(ds);
    }
  }

  // ------------------------------------------------------------------ sync

  void sync(String key) throws Exception {
    DaemonSet cached = dsInformer.indexer().getByKey(key).orElse(null);
    if (cached == null) {
      expectations.delete(key);
      return;
    }
    DaemonSet ds = cached.deepCopy();
    var sel = ds.getSpec().getSelector();
    if (sel == null || ((sel.getMatchLabels() == null || sel.getMatchLabels().isEmpty())
        && (sel.getMatchExpressions() == null || sel.getMatchExpressions().isEmpty()))) {
      events.event(ds, EventRecorder.WARNING, "SelectingAll",
          "This daemon set is selecting all pods. A non-empty selector is required.");
      return;
    }
    if (ds.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    List<Node> nodes = nodeInformer.indexer().list();
    History history = constructHistory(ds);
    String hash = Revisions.hashOf(history.current);
    if (!expectations.satisfied(key)) {
      updateStatus(ds, nodes, hash, false);
      return;
    }
    Exception failure = null;
    try {
      manage(ds, nodes, hash, key);
      if (expectations.satisfied(key) && isRollingUpdate(ds)) {
        rollingUpdate(ds, nodes, hash, key);
      }
      cleanupHistory(ds, history.old);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      failure = e;
    }
    updateStatus(ds, nodes, hash, true);
    if (failure != null) {
      throw failure;
    }
  }

  private record History(ControllerRevision current, List<ControllerRevision> old) {}

  /** Upstream's constructHistory: claims the revisions, finds or creates the current one. */
  private History constructHistory(DaemonSet ds) {
    LabelSelector selector = selector(ds);
    ControllerRefManager<ControllerRevision> refs = new ControllerRefManager<>(revisionsClient, ds, selector,
        () -> sets.get(ds.getMetadata().getNamespace(), ds.getMetadata().getName()));
    List<ControllerRevision> histories = refs.claim(Indexes.ownedBy(historyInformer.indexer(), ds, true));
    List<ControllerRevision> current = new ArrayList<>();
    List<ControllerRevision> old = new ArrayList<>();
    for (ControllerRevision h : histories) {
      if (h.getMetadata().getLabels() == null || !h.getMetadata().getLabels().containsKey(Revisions.HASH_LABEL)) {
        ControllerRevision copy = h.deepCopy();
        Map<String, String> labels = copy.getMetadata().getLabels() == null ? new HashMap<>()
            : new HashMap<>(copy.getMetadata().getLabels());
        labels.put(Revisions.HASH_LABEL, copy.getMetadata().getName());
        copy.getMetadata().setLabels(labels);
        h = revisionsClient.update(copy);
      }
      if (revisions.matches(h, ds.getSpec().getTemplate())) {
        current.add(h);
      } else {
        old.add(h);
      }
    }
    long next = Revisions.maxRevision(old) + 1;
    ControllerRevision cur;
    if (current.isEmpty()) {
      cur = snapshot(ds, next);
    } else {
      current.sort(Revisions.BY_REVISION);
      cur = current.getLast();
      // Duplicates (a revision created twice): keep the newest, move pods to its hash, delete the rest.
      for (ControllerRevision dup : current.subList(0, current.size() - 1)) {
        relabelPods(ds, Revisions.hashOf(dup), Revisions.hashOf(cur));
        try {
          revisionsClient.delete(dup.getMetadata().getNamespace(), dup.getMetadata().getName(), null);
        } catch (ClientStatusException e) {
          if (!e.isNotFound()) {
            throw e;
          }
        }
      }
      if (cur.getRevision() == null || cur.getRevision() < next) {
        ControllerRevision copy = cur.deepCopy();
        copy.setRevision(next);
        cur = revisionsClient.update(copy);
      }
    }
    return new History(cur, old);
  }

  private void relabelPods(DaemonSet ds, String from, String to) {
    for (Pod p : Indexes.ownedBy(podInformer.indexer(), ds, false)) {
      Map<String, String> l = p.getMetadata().getLabels();
      if (l != null && from.equals(l.get(Revisions.HASH_LABEL))) {
        ctx.client().pods().patch(p.getMetadata().getNamespace(), p.getMetadata().getName(),
            io.bosun.client.PatchType.MERGE, "{\"metadata\":{\"labels\":{\"" + Revisions.HASH_LABEL + "\":\"" + to + "\"}}}");
      }
    }
  }

  /** Creates the revision of the current template; a name taken by another template bumps collisionCount. */
  private ControllerRevision snapshot(DaemonSet ds, long revision) {
    Integer collisions = ds.getStatus() == null ? null : ds.getStatus().getCollisionCount();
    ControllerRevision r = revisions.newRevision(ds, ds.getSpec().getTemplate(), revision, collisions);
    try {
      return revisionsClient.create(r);
    } catch (ClientStatusException e) {
      if (!e.isAlreadyExists()) {
        throw e;
      }
      ControllerRevision existing = revisionsClient.get(r.getMetadata().getNamespace(), r.getMetadata().getName())
          .orElseThrow(() -> e);
      if (revisions.matches(existing, ds.getSpec().getTemplate())) {
        return existing;
      }
      DaemonSet live = sets.get(ds.getMetadata().getNamespace(), ds.getMetadata().getName()).orElseThrow(() -> e);
      Integer liveCount = live.getStatus() == null ? null : live.getStatus().getCollisionCount();
      if (!Objects.equals(liveCount, collisions)) {
        throw new IllegalStateException("found a stale collision count of DaemonSet " + Keys.of(ds) + "; will retry");
      }
      if (live.getStatus() == null) {
        live.setStatus(new DaemonSetStatus());
      }
      live.getStatus().setCollisionCount(liveCount == null ? 1 : liveCount + 1);
      sets.updateStatus(live);
      throw e;
    }
  }

  /** The claimed daemon pods by target node; terminal pods being deleted are left out. */
  private Map<String, List<Pod>> podsByNode(DaemonSet ds) {
    LabelSelector selector = selector(ds);
    ControllerRefManager<Pod> refs = new ControllerRefManager<>(ctx.client().pods(), ds, selector,
        () -> sets.get(ds.getMetadata().getNamespace(), ds.getMetadata().getName()));
    List<Pod> claimed = refs.claim(Indexes.ownedBy(podInformer.indexer(), ds, true));
    Map<String, List<Pod>> out = new LinkedHashMap<>();
    for (Pod p : claimed) {
      String phase = Pods.phase(p);
      boolean terminal = phase.equals("Succeeded") || phase.equals("Failed");
      if (terminal && p.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      String node = NodeFit.targetNode(p.getSpec());
      if (node == null) {
        continue;
      }
      out.computeIfAbsent(node, n -> new ArrayList<>()).add(p);
    }
    return out;
  }

  /** Upstream's manage: what each node should have. */
  private void manage(DaemonSet ds, List<Node> nodes, String hash, String key) throws Exception {
    Map<String, List<Pod>> byNode = podsByNode(ds);
    List<String> needing = new ArrayList<>();
    List<Pod> toDelete = new ArrayList<>();
    PodSpec spec = daemonSpec(ds);
    for (Node node : nodes) {
      podsShouldBeOnNode(node, byNode, ds, spec, hash, needing, toDelete);
    }
    // Pods for nodes that no longer exist and that were never scheduled: nothing else would delete them.
    java.util.Set<String> names = new java.util.HashSet<>();
    nodes.forEach(n -> names.add(n.getMetadata().getName()));
    for (var e : byNode.entrySet()) {
      if (names.contains(e.getKey())) {
        continue;
      }
      for (Pod p : e.getValue()) {
        if ((p.getSpec().getNodeName() == null || p.getSpec().getNodeName().isEmpty())
            && p.getMetadata().getDeletionTimestamp() == null) {
          toDelete.add(p);
        }
      }
    }
    syncNodes(ds, toDelete, needing, hash, key);
  }

  private void podsShouldBeOnNode(Node node, Map<String, List<Pod>> byNode, DaemonSet ds, PodSpec spec, String hash,
      List<String> needing, List<Pod> toDelete) {
    String nodeName = node.getMetadata().getName();
    NodeFit.Decision d = NodeFit.shouldRun(node, spec);
    List<Pod> pods = byNode.get(nodeName);
    boolean exists = pods != null;
    if (d.shouldRun() && !exists) {
      needing.add(nodeName);
      return;
    }
    if (d.shouldContinueRunning()) {
      if (pods == null) {
        return;
      }
      List<Pod> running = new ArrayList<>();
      for (Pod p : pods) {
        if (p.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        String phase = Pods.phase(p);
        if (phase.equals("Failed")) {
          String backoffKey = Keys.of(ds) + "/" + nodeName;
          Instant now = ctx.clock().instant();
          Instant until = failedBackoffUntil.get(backoffKey);
          if (until != null && now.isBefore(until)) {
            queue.addAfter(Keys.of(ds), Duration.between(now, until));
            continue;
          }
          Duration next = failedBackoff.merge(backoffKey, FAILED_BACKOFF_MIN,
              (a, b) -> a.multipliedBy(2).compareTo(FAILED_BACKOFF_MAX) > 0 ? FAILED_BACKOFF_MAX : a.multipliedBy(2));
          failedBackoffUntil.put(backoffKey, now.plus(next));
          events.eventf(ds, EventRecorder.WARNING, "FailedDaemonPod",
              "Found failed daemon pod %s/%s on node %s, will try to kill it", p.getMetadata().getNamespace(),
              p.getMetadata().getName(), nodeName);
          toDelete.add(p);
        } else if (phase.equals("Succeeded")) {
          events.eventf(ds, EventRecorder.NORMAL, "SucceededDaemonPod",
              "Found succeeded daemon pod %s/%s on node %s, will try to delete it", p.getMetadata().getNamespace(),
              p.getMetadata().getName(), nodeName);
          toDelete.add(p);
        } else {
          running.add(p);
        }
      }
      running.sort(BY_CREATION_AND_PHASE);
      if (maxSurge(ds, 1) == 0 || !isRollingUpdate(ds)) {
        // Without surge: one pod per node; delete all but the oldest.
        for (int i = 1; i < running.size(); i++) {
          toDelete.add(running.get(i));
        }
        return;
      }
      if (running.size() <= 1) {
        if (running.isEmpty() && d.shouldRun()) {
          needing.add(nodeName);
        }
        return;
      }
      // Surging: keep the oldest new pod and the oldest old pod while the old one serves and the new one is not yet available.
      Pod oldestNew = null;
      Pod oldestOld = null;
      for (Pod p : running) {
        boolean isNew = hash.equals(labels(p).get(Revisions.HASH_LABEL));
        if (isNew && oldestNew == null) {
          oldestNew = p;
        } else if (!isNew && oldestOld == null) {
          oldestOld = p;
        } else {
          toDelete.add(p);
        }
      }
      if (oldestNew != null && oldestOld != null) {
        if (!Pods.isReady(oldestOld) || Pods.isAvailable(oldestNew, minReadySeconds(ds), ctx.clock().instant())) {
          toDelete.add(oldestOld);
        }
      }
      return;
    }
    if (exists) {
      for (Pod p : pods) {
        if (p.getMetadata().getDeletionTimestamp() == null) {
          toDelete.add(p);
        }
      }
    }
  }

  /** Scheduled first, then older first, then by name: upstream's podByCreationTimestampAndPhase. */
  static final Comparator<Pod> BY_CREATION_AND_PHASE = (a, b) -> {
    boolean sa = a.getSpec().getNodeName() != null && !a.getSpec().getNodeName().isEmpty();
    boolean sb = b.getSpec().getNodeName() != null && !b.getSpec().getNodeName().isEmpty();
    if (sa != sb) {
      return sa ? -1 : 1;
    }
    Instant ca = a.getMetadata().getCreationTimestamp();
    Instant cb = b.getMetadata().getCreationTimestamp();
    if (Objects.equals(ca, cb)) {
      return a.getMetadata().getName().compareTo(b.getMetadata().getName());
    }
    return Comparator.nullsFirst(Comparator.<Instant>naturalOrder()).compare(ca, cb);
  };

  /** Upstream's syncNodes: creates pods for nodes and deletes pods, under expectations. */
  private void syncNodes(DaemonSet ds, List<Pod> toDelete, List<String> needing, String hash, String key)
      throws Exception {
    int createDiff = Math.min(needing.size(), BURST_REPLICAS);
    List<Pod> deletes = toDelete.size() > BURST_REPLICAS ? toDelete.subList(0, BURST_REPLICAS) : toDelete;
    if (createDiff == 0 && deletes.isEmpty()) {
      return;
    }
    expectations.expectDeletions(key, deletes.stream().map(Keys::of).toList());
    expectations.raise(key, createDiff, 0);
    PodTemplateSpec template = podTemplate(ds, hash);
    OwnerReference ref = ControllerRefs.newControllerRef(ds);
    List<Exception> errors = new ArrayList<>();
    if (createDiff > 0) {
      AtomicInteger next = new AtomicInteger();
      List<String> targets = needing.subList(0, createDiff);
      SlowStart.Result result = SlowStart.run(createDiff, SlowStart.INITIAL_BATCH_SIZE, ctx.threadFactory(), () -> {
        String nodeName = targets.get(next.getAndIncrement());
        Pod pod = PodTemplates.podFromTemplate(template, ds.getMetadata().getNamespace(), ds.getMetadata().getName(), ref);
        pod.getSpec().setAffinity(NodeFit.pinToNode(pod.getSpec().getAffinity(), nodeName));
        try {
          Pod created = ctx.client().pods().create(pod);
          events.event(ds, EventRecorder.NORMAL, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
        } catch (ClientStatusException e) {
          events.event(ds, EventRecorder.WARNING, "FailedCreate", "Error creating: " + e.getMessage());
          throw e;
        }
        return null;
      });
      // Failed and skipped creations will never be observed.
      expectations.lower(key, createDiff - result.successes(), 0);
      errors.addAll(result.failures());
    }
    if (!deletes.isEmpty()) {
      ConcurrentLinkedQueue<Exception> deleteErrors = new ConcurrentLinkedQueue<>();
      try (ExecutorService pool = Executors.newThreadPerTaskExecutor(ctx.threadFactory())) {
        List<Future<?>> futures = new ArrayList<>();
        for (Pod p : deletes) {
          futures.add(pool.submit(() -> {
            ObjectMeta m = p.getMetadata();
            try {
              ctx.client().pods().delete(m.getNamespace(), m.getName(),
                  new DeleteOptions().withPreconditions(new Preconditions().withUid(m.getUid())));
              events.event(ds, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted pod: " + m.getName());
            } catch (ClientStatusException e) {
              expectations.deletionObserved(key, Keys.of(p));
              if (!e.isNotFound()) {
                events.event(ds, EventRecorder.WARNING, "FailedDelete", "Error deleting: " + e.getMessage());
                deleteErrors.add(e);
              }
            }
          }));
        }
        for (Future<?> f : futures) {
          try {
            f.get();
          } catch (ExecutionException e) {
            deleteErrors.add(e);
          }
        }
      }
      errors.addAll(deleteErrors);
    }
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
  }

  /** Upstream's CreatePodTemplate: the daemon tolerations and the revision hash label. */
  private PodTemplateSpec podTemplate(DaemonSet ds, String hash) {
    PodTemplateSpec t = ds.getSpec().getTemplate().deepCopy();
    NodeFit.addDaemonTolerations(t.getSpec());
    if (t.getMetadata() == null) {
      t.setMetadata(new ObjectMeta());
    }
    Map<String, String> labels = t.getMetadata().getLabels() == null ? new HashMap<>()
        : new HashMap<>(t.getMetadata().getLabels());
    labels.put(Revisions.HASH_LABEL, hash);
    Map<String, String> a = ds.getMetadata().getAnnotations();
    String generation = a == null ? null : a.get("deprecated.daemonset.template.generation");
    if (generation != null) {
      labels.put("pod-template-generation", generation);
    }
    t.getMetadata().setLabels(labels);
    return t;
  }

  /** The template's pod spec as the scheduler sees a daemon pod: with the daemon tolerations. */
  static PodSpec daemonSpec(DaemonSet ds) {
    PodSpec spec = ds.getSpec().getTemplate() == null || ds.getSpec().getTemplate().getSpec() == null ? new PodSpec()
        : ds.getSpec().getTemplate().getSpec().deepCopy();
    NodeFit.addDaemonTolerations(spec);
    return spec;
  }

  // ------------------------------------------------------------------ rolling update

  private record OnNode(Pod newPod, Pod oldPod, boolean ok) {}

  /** Upstream's findUpdatedPodsOnNode: at most one new and one old live pod, else not ok. */
  private static OnNode onNode(List<Pod> pods, String hash) {
    Pod newPod = null;
    Pod oldPod = null;
    for (Pod p : pods == null ? List.<Pod>of() : pods) {
      if (p.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      if (hash.equals(labels(p).get(Revisions.HASH_LABEL))) {
        if (newPod != null) {
          return new OnNode(null, null, false);
        }
        newPod = p;
      } else {
        if (oldPod != null) {
          return new OnNode(null, null, false);
        }
        oldPod = p;
      }
    }
    return new OnNode(newPod, oldPod, true);
  }

  private void rollingUpdate(DaemonSet ds, List<Node> nodes, String hash, String key) throws Exception {
    Map<String, List<Pod>> byNode = podsByNode(ds);
    PodSpec spec = daemonSpec(ds);
    int desired = 0;
    for (Node n : nodes) {
      if (NodeFit.shouldRun(n, spec).shouldRun()) {
        desired++;
        byNode.putIfAbsent(n.getMetadata().getName(), null);
      }
    }
    int maxUnavailable = maxUnavailable(ds, desired);
    int maxSurge = maxSurge(ds, desired);
    if (desired > 0 && maxUnavailable == 0 && maxSurge == 0) {
      maxUnavailable = 1;
    }
    Instant now = ctx.clock().instant();
    int minReady = minReadySeconds(ds);
    if (maxSurge == 0) {
      int unavailable = 0;
      List<Pod> replacements = new ArrayList<>();
      List<Pod> candidates = new ArrayList<>();
      for (var e : byNode.entrySet()) {
        OnNode on = onNode(e.getValue(), hash);
        if (!on.ok()) {
          unavailable++;
          continue;
        }
        if ((on.oldPod() == null && on.newPod() == null) || (on.oldPod() != null && on.newPod() != null)) {
          unavailable++;
        } else if (on.newPod() != null) {
          if (!Pods.isAvailable(on.newPod(), minReady, now)) {
            unavailable++;
          }
        } else if (!Pods.isAvailable(on.oldPod(), minReady, now)) {
          replacements.add(on.oldPod());
        } else if (unavailable < maxUnavailable) {
          candidates.add(on.oldPod());
        }
      }
      int remaining = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.size()));
      List<Pod> delete = new ArrayList<>(replacements);
      delete.addAll(candidates.subList(0, remaining));
      syncNodes(ds, delete, List.of(), hash, key);
      return;
    }
    int surge = 0;
    List<String> create = new ArrayList<>();
    List<Pod> delete = new ArrayList<>();
    for (var e : byNode.entrySet()) {
      OnNode on = onNode(e.getValue(), hash);
      if (!on.ok()) {
        surge++;
        continue;
      }
      if (on.oldPod() == null) {
        continue;
      }
      if (on.newPod() == null) {
        if (!Pods.isAvailable(on.oldPod(), minReady, now)) {
          create.add(e.getKey());
        } else if (surge < maxSurge) {
          surge++;
          create.add(e.getKey());
        }
        continue;
      }
      if (!Pods.isAvailable(on.newPod(), minReady, now)) {
        surge++;
        continue;
      }
      delete.add(on.oldPod());
    }
    syncNodes(ds, delete, create, hash, key);
  }

  private static boolean isRollingUpdate(DaemonSet ds) {
    DaemonSetUpdateStrategy s = ds.getSpec().getUpdateStrategy();
    return s == null || s.getType() == null || "RollingUpdate".equals(s.getType());
  }

  /** Upstream's UnavailableCount: a percentage rounds up for daemon sets. */
  private static int maxUnavailable(DaemonSet ds, int desired) {
    if (!isRollingUpdate(ds) || ds.getSpec().getUpdateStrategy() == null
        || ds.getSpec().getUpdateStrategy().getRollingUpdate() == null) {
      return isRollingUpdate(ds) ? 1 : 0;
    }
    IntOrString v = ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable();
    return v == null ? 1 : v.scaledValue(desired, true);
  }

  private static int maxSurge(DaemonSet ds, int desired) {
    if (!isRollingUpdate(ds) || ds.getSpec().getUpdateStrategy() == null
        || ds.getSpec().getUpdateStrategy().getRollingUpdate() == null) {
      return 0;
    }
    IntOrString v = ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxSurge();
    return v == null ? 0 : v.scaledValue(desired, true);
  }

  // ------------------------------------------------------------------ history cleanup and status

  private void cleanupHistory(DaemonSet ds, List<ControllerRevision> old) {
    int keep = ds.getSpec().getRevisionHistoryLimit() == null ? 10 : ds.getSpec().getRevisionHistoryLimit();
    int kill = old.size() - keep;
    if (kill <= 0) {
      return;
    }
    Set<String> live = new java.util.HashSet<>();
    for (Pod p : Indexes.ownedBy(podInformer.indexer(), ds, false)) {
      String h = labels(p).get(Revisions.HASH_LABEL);
      if (h != null) {
        live.add(h);
      }
    }
    List<ControllerRevision> sorted = new ArrayList<>(old);
    sorted.sort(Revisions.BY_REVISION);
    for (ControllerRevision r : sorted) {
      if (kill <= 0) {
        break;
      }
      if (live.contains(Revisions.hashOf(r))) {
        continue;
      }
      try {
        revisionsClient.delete(r.getMetadata().getNamespace(), r.getMetadata().getName(), null);
      } catch (ClientStatusException e) {
        if (!e.isNotFound()) {
          throw e;
        }
      }
      kill--;
    }
  }

  private void updateStatus(DaemonSet ds, List<Node> nodes, String hash, boolean observeGeneration) {
    Map<String, List<Pod>> byNode = podsByNode(ds);
    PodSpec spec = daemonSpec(ds);
    int desired = 0;
    int current = 0;
    int misscheduled = 0;
    int ready = 0;
    int updated = 0;
    int available = 0;
    Instant now = ctx.clock().instant();
    int minReady = minReadySeconds(ds);
    for (Node n : nodes) {
      boolean shouldRun = NodeFit.shouldRun(n, spec).shouldRun();
      List<Pod> pods = byNode.get(n.getMetadata().getName());
      boolean scheduled = pods != null && !pods.isEmpty();
      if (shouldRun) {
        desired++;
        if (!scheduled) {
          continue;
        }
        current++;
        List<Pod> sorted = new ArrayList<>(pods);
        sorted.sort(BY_CREATION_AND_PHASE);
        Pod p = sorted.get(0);
        if (Pods.isReady(p)) {
          ready++;
          if (Pods.isAvailable(p, minReady, now)) {
            available++;
          }
        }
        if (hash.equals(labels(p).get(Revisions.HASH_LABEL))) {
          updated++;
        }
      } else if (scheduled) {
        misscheduled++;
      }
    }
    int unavailable = desired - available;
    DaemonSetStatus s = ds.getStatus() == null ? new DaemonSetStatus() : ds.getStatus();
    long generation = ds.getMetadata().getGeneration() == null ? 0 : ds.getMetadata().getGeneration();
    boolean same = eq(s.getDesiredNumberScheduled(), desired) && eq(s.getCurrentNumberScheduled(), current)
        && eq(s.getNumberMisscheduled(), misscheduled) && eq(s.getNumberReady(), ready)
        && eq(s.getUpdatedNumberScheduled(), updated) && eq(s.getNumberAvailable(), available)
        && eq(s.getNumberUnavailable(), unavailable)
        && s.getObservedGeneration() != null && s.getObservedGeneration() >= generation;
    if (!same) {
      DaemonSet next = ds.deepCopy();
      for (int attempt = 0; ; attempt++) {
        DaemonSetStatus ns = next.getStatus() == null ? new DaemonSetStatus() : next.getStatus();
        if (observeGeneration) {
          ns.setObservedGeneration(generation);
        }
        ns.setDesiredNumberScheduled(desired);
        ns.setCurrentNumberScheduled(current);
        ns.setNumberMisscheduled(misscheduled);
        ns.setNumberReady(ready);
        ns.setUpdatedNumberScheduled(updated);
        ns.setNumberAvailable(available);
        ns.setNumberUnavailable(unavailable);
        next.setStatus(ns);
        try {
          sets.updateStatus(next);
          break;
        } catch (ClientStatusException e) {
          if (!e.isConflict() || attempt >= 1) {
            throw e;
          }
          DaemonSet fresh = sets.get(ds.getMetadata().getNamespace(), ds.getMetadata().getName()).orElse(null);
          if (fresh == null) {
            return;
          }
          next = fresh;
        }
      }
    }
    if (minReady > 0 && ready != available) {
      queue.addAfter(Keys.of(ds), Duration.ofSeconds(minReady));
    }
  }

  private static boolean eq(Integer a, int b) {
    return a != null && a == b;
  }

  private static Map<String, String> labels(Pod p) {
    return p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
  }

  static LabelSelector selector(DaemonSet ds) {
    try {
      return LabelSelector.fromSpec(ds.getSpec().getSelector());
    } catch (SelectorException e) {
      return LabelSelector.nothing();
    }
  }

  static int minReadySeconds(DaemonSet ds) {
    return ds.getSpec().getMinReadySeconds() == null ? 0 : ds.getSpec().getMinReadySeconds();
  }
}
