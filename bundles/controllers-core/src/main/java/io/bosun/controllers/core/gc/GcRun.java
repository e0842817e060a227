package io.bosun.controllers.core.gc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.api.meta.v1.Preconditions;
import io.bosun.client.ClientStatusException;
import io.bosun.client.PatchType;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.EventHandlerRegistration;
import io.bosun.client.informer.ResourceEventHandler;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.ControllerContext;
import io.bosun.controllers.core.internal.Kinds;
import io.bosun.controllers.core.internal.Patches;
import io.bosun.controllers.core.internal.Writes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the garbage collector: the graph builder (one thread applying informer events to the
 * graph, as upstream's {@code GraphBuilder.processGraphChanges}) and the attemptToDelete and
 * attemptToOrphan workers.
 */
final class GcRun {

  private static final Logger LOG = LoggerFactory.getLogger(GcRun.class);

  static final String FOREGROUND = "foregroundDeletion";
  static final String ORPHAN = "orphan";

  private enum Type { ADD, UPDATE, DELETE }

  /** A change to apply to the graph; virtual deletes come from workers that found an owner gone. */
  private record GraphEvent(Type type, Identity identity, KubernetesObject obj, KubernetesObject old, boolean virtual) {}

  private final ControllerContext ctx;
  private final Kinds kinds;
  private final Map<String, GraphNode> uidToNode = new ConcurrentHashMap<>();
  private final BlockingQueue<GraphEvent> graphChanges = new LinkedBlockingQueue<>();
  /** Events queued or being applied: zero means the graph reflects every event delivered so far. */
  private final AtomicInteger pending = new AtomicInteger();
  private final WorkQueue<GraphNode> attemptToDelete;
  private final WorkQueue<GraphNode> attemptToOrphan;
  /** Owners known to be gone (upstream's absentOwnerCache, an LRU of 500). */
  private final Map<Identity, Boolean> absentOwners = java.util.Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Identity, Boolean> eldest) {
          return size() > 500;
        }
      });

  GcRun(ControllerContext ctx, Kinds kinds) {
    this.ctx = ctx;
    this.kinds = kinds;
    this.attemptToDelete = ctx.workQueue("garbage_collector_attempt_to_delete");
    this.attemptToOrphan = ctx.workQueue("garbage_collector_attempt_to_orphan");
  }

  void run() throws Exception {
    List<SharedIndexInformer<?>> informers = new ArrayList<>();
    List<EventHandlerRegistration> registrations = new ArrayList<>();
    for (Kinds.Served s : kinds.all()) {
      // Upstream ignores events: they are many, short-lived and never owners.
      if (s.info().group().isEmpty() && s.info().kind().equals("Event")) {
        continue;
      }
      SharedIndexInformer<? extends KubernetesObject> informer = ctx.informer(s.type());
      informers.add(informer);
      registrations.add(addHandler(informer, s.info().apiVersion(), s.info().kind()));
    }
    Thread builder = ctx.threadFactory().newThread(this::buildGraph);
    builder.start();
    if (!ctx.waitForCacheSync(informers.toArray(SharedIndexInformer[]::new))) {
      return;
    }
    // The workers start from a graph holding every object the informers listed (upstream starts
    // them once the informers synced; waiting for the graph too avoids orphaning into a half graph).
    while (!registrations.stream().allMatch(EventHandlerRegistration::hasSynced) || !graphDrained()) {
      if (ctx.awaitStop(Duration.ofMillis(20))) {
        return;
      }
    }
    LOG.info("garbage collector: graph built with {} nodes", uidToNode.size());
    Thread orphans = ctx.threadFactory().newThread(() -> {
      try {
        ctx.runWorkers(attemptToOrphan, 1, this::attemptToOrphan);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    orphans.start();
    ctx.runWorkers(attemptToDelete, ctx.workers(), this::attemptToDelete);
  }

  private <T extends KubernetesObject> EventHandlerRegistration addHandler(SharedIndexInformer<T> informer,
      String apiVersion, String kind) {
    return informer.addEventHandler(new ResourceEventHandler<T>() {
      @Override
      public void onAdd(T obj, boolean initial) {
        enqueue(new GraphEvent(Type.ADD, Identity.of(obj, apiVersion, kind), obj, null, false));
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        enqueue(new GraphEvent(Type.UPDATE, Identity.of(newObj, apiVersion, kind), newObj, oldObj, false));
      }

      @Override
      public void onDelete(T obj) {
        enqueue(new GraphEvent(Type.DELETE, Identity.of(obj, apiVersion, kind), obj, null, false));
      }
    });
  }

  private boolean graphDrained() {
    return pending.get() == 0;
  }

  // ------------------------------------------------------------------ graph builder

  private void buildGraph() {
    while (!ctx.isStopped()) {
      GraphEvent e;
      try {
        e = graphChanges.take();
      } catch (InterruptedException ie) {
        return;
      }
      try {
        processGraphChange(e);
      } catch (RuntimeException ex) {
        LOG.warn("garbage collector: applying a graph change failed", ex);
      } finally {
        pending.decrementAndGet();
      }
    }
  }

  private void enqueue(GraphEvent e) {
    pending.incrementAndGet();
    graphChanges.add(e);
  }

  private void processGraphChange(GraphEvent e) {
    Identity id = e.identity();
    GraphNode existing = uidToNode.get(id.uid());
    if (existing != null && !e.virtual() && !existing.isObserved()) {
      // A virtual node seen for real: fix its identity if the dependents guessed it wrong.
      if (!id.equals(existing.identity())) {
        for (GraphNode dep : partition(existing.dependents(), id).nonMatching()) {
          attemptToDelete.add(dep);
        }
        GraphNode replacement = existing.copy();
        replacement.setIdentity(id);
        uidToNode.put(id.uid(), replacement);
        existing = replacement;
      }
      existing.markObserved();
    }
    switch (e.type()) {
      case ADD, UPDATE -> {
        ObjectMeta meta = e.obj().getMetadata();
        if (existing == null) {
          GraphNode n = new GraphNode(id, meta.getOwnerReferences(), false);
          if (beingDeleted(meta)) {
            n.markBeingDeleted();
          }
          if (beingDeleted(meta) && hasFinalizer(meta, FOREGROUND)) {
            n.markDeletingDependents();
          }
          insertNode(n);
          processTransitions(e.old(), meta, n);
        } else {
          List<OwnerReference> before = existing.owners();
          List<OwnerReference> after = meta.getOwnerReferences() == null ? List.of() : meta.getOwnerReferences();
          Diff diff = diff(before, after);
          if (!diff.added.isEmpty() || !diff.removed.isEmpty() || !diff.changed.isEmpty()) {
            addUnblockedOwnersToDeleteQueue(diff);
            existing.setOwners(after);
            addDependentToOwners(existing, diff.added);
            removeDependentFromOwners(existing, diff.removed);
          }
          if (beingDeleted(meta)) {
            existing.markBeingDeleted();
          }
          processTransitions(e.old(), meta, existing);
        }
      }
      case DELETE -> {
        if (existing == null) {
          return;
        }
        boolean remove = true;
        if (e.virtual()) {
          if (existing.isVirtual()) {
            Partition p = partition(existing.dependents(), id);
            if (!p.nonMatching().isEmpty()) {
              // Some dependents name this uid differently: keep the node for them.
              remove = false;
              if (!p.matching().isEmpty()) {
                absentOwners.put(id, true);
                p.matching().forEach(attemptToDelete::add);
              }
              if (existing.identity().equals(id)) {
                Identity alternative = alternateOwnerIdentity(p.nonMatching(), id);
                if (alternative != null) {
                  GraphNode replacement = existing.copy();
                  replacement.setIdentity(alternative);
                  uidToNode.put(id.uid(), replacement);
                  attemptToDelete.addRateLimited(replacement);
                }
              }
            }
          } else if (!existing.identity().equals(id)) {
            // A real node disagrees with the coordinates found absent: keep it.
            remove = false;
            List<GraphNode> nonMatching = partition(existing.dependents(), id).nonMatching();
            if (!nonMatching.isEmpty()) {
              absentOwners.put(id, true);
              nonMatching.forEach(attemptToDelete::add);
            }
          }
        }
        if (remove) {
          removeNode(existing);
          List<GraphNode> deps = existing.dependents();
          if (!deps.isEmpty()) {
            absentOwners.put(id, true);
          }
          deps.forEach(attemptToDelete::add);
          for (OwnerReference owner : existing.owners()) {
            GraphNode o = uidToNode.get(owner.getUid());
            if (o != null && o.isDeletingDependents()) {
              // Its foreground deletion may be waiting for this dependent.
              attemptToDelete.add(o);
            }
          }
        }
      }
    }
  }

  private void processTransitions(KubernetesObject old, ObjectMeta meta, GraphNode n) {
    ObjectMeta oldMeta = old == null ? null : old.getMetadata();
    if (startsWaiting(oldMeta, meta, ORPHAN)) {
      attemptToOrphan.add(n);
      return;
    }
    if (startsWaiting(oldMeta, meta, FOREGROUND)) {
      n.markDeletingDependents();
      n.dependents().forEach(attemptToDelete::add);
      attemptToDelete.add(n);
    }
  }

  /** Being deleted with {@code finalizer} now, and not before. */
  private static boolean startsWaiting(ObjectMeta old, ObjectMeta cur, String finalizer) {
    if (!beingDeleted(cur) || !hasFinalizer(cur, finalizer)) {
      return false;
    }
    return old == null || !beingDeleted(old) || !hasFinalizer(old, finalizer);
  }

  private void insertNode(GraphNode n) {
    uidToNode.put(n.identity().uid(), n);
    addDependentToOwners(n, n.owners());
  }

  private void addDependentToOwners(GraphNode n, List<OwnerReference> owners) {
    for (OwnerReference ref : owners) {
      GraphNode owner = uidToNode.get(ref.getUid());
      if (owner == null) {
        // An owner not seen yet: a virtual node, checked against the API by a worker.
        owner = new GraphNode(Identity.ofOwner(ref, n.identity().namespace()), List.of(), true);
        uidToNode.put(ref.getUid(), owner);
        owner.addDependent(n);
        attemptToDelete.add(owner);
      } else {
        owner.addDependent(n);
        if (owner.isDeletingDependents()) {
          // Seen after its owner started deleting in the foreground (informers of different kinds are
          // not ordered, and at start the owner may be listed first): the owner's transition could
          // not queue it, so queue it now or it would wait for the owner to go.
          attemptToDelete.add(n);
        }
      }
    }
  }

  private void removeDependentFromOwners(GraphNode n, List<OwnerReference> owners) {
    for (OwnerReference ref : owners) {
      GraphNode owner = uidToNode.get(ref.getUid());
      if (owner != null) {
        owner.removeDependent(n);
      }
    }
  }

  private void removeNode(GraphNode n) {
    uidToNode.remove(n.identity().uid(), n);
    removeDependentFromOwners(n, n.owners());
  }

  /** Owners whose foreground deletion a removed or unblocked reference may have been holding up. */
  private void addUnblockedOwnersToDeleteQueue(Diff diff) {
    for (OwnerReference ref : diff.removed) {
      if (Boolean.TRUE.equals(ref.getBlockOwnerDeletion())) {
        enqueueIfDeletingDependents(ref.getUid());
      }
    }
    for (OwnerReference[] c : diff.changed) {
      if (Boolean.TRUE.equals(c[0].getBlockOwnerDeletion()) && !Boolean.TRUE.equals(c[1].getBlockOwnerDeletion())) {
        enqueueIfDeletingDependents(c[1].getUid());
      }
    }
  }

  private void enqueueIfDeletingDependents(String uid) {
    GraphNode o = uidToNode.get(uid);
    if (o != null && o.isDeletingDependents()) {
      attemptToDelete.add(o);
    }
  }

  private record Diff(List<OwnerReference> added, List<OwnerReference> removed, List<OwnerReference[]> changed) {}

  private static Diff diff(List<OwnerReference> old, List<OwnerReference> cur) {
    Map<String, OwnerReference> oldByUid = new HashMap<>();
    old.forEach(r -> oldByUid.put(r.getUid(), r));
    List<OwnerReference> added = new ArrayList<>();
    List<OwnerReference[]> changed = new ArrayList<>();
    for (OwnerReference r : cur) {
      OwnerReference o = oldByUid.remove(r.getUid());
      if (o == null) {
        added.add(r);
      } else if (!o.equals(r)) {
        changed.add(new OwnerReference[] {o, r});
      }
    }
    return new Diff(added, new ArrayList<>(oldByUid.values()), changed);
  }

  private record Partition(List<GraphNode> matching, List<GraphNode> nonMatching) {}

  /** Dependents whose reference to {@code id.uid} agrees with {@code id}'s coordinates, and those that do not. */
  private static Partition partition(List<GraphNode> dependents, Identity id) {
    List<GraphNode> matching = new ArrayList<>();
    List<GraphNode> non = new ArrayList<>();
    boolean ownerNamespaced = !id.namespace().isEmpty();
    for (GraphNode dep : dependents) {
      boolean found = false;
      for (OwnerReference ref : dep.owners()) {
        if (ref.getUid().equals(id.uid())) {
          found = true;
          boolean same = id.matches(ref) && (!ownerNamespaced || id.namespace().equals(dep.identity().namespace()));
          (same ? matching : non).add(dep);
          break;
        }
      }
      if (!found) {
        non.add(dep);
      }
    }
    return new Partition(matching, non);
  }

  private static Identity alternateOwnerIdentity(List<GraphNode> dependents, Identity verifiedAbsent) {
    for (GraphNode dep : dependents) {
      for (OwnerReference ref : dep.owners()) {
        if (ref.getUid().equals(verifiedAbsent.uid())) {
          Identity candidate = Identity.ofOwner(ref, dep.identity().namespace());
          if (!candidate.equals(verifiedAbsent)) {
            return candidate;
          }
        }
      }
    }
    return null;
  }

  private static boolean beingDeleted(ObjectMeta meta) {
    return meta.getDeletionTimestamp() != null;
  }

  private static boolean hasFinalizer(ObjectMeta meta, String f) {
    return meta.getFinalizers() != null && meta.getFinalizers().contains(f);
  }

  // ------------------------------------------------------------------ attemptToDelete

  /** The item's object changed or vanished meanwhile; the graph builder will see it. */
  private static final class VirtualDeleteQueued extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  private void attemptToDelete(GraphNode item) throws Exception {
    try {
      attemptToDeleteItem(item);
    } catch (VirtualDeleteQueued e) {
      return;
    }
    if (!item.isObserved()) {
      // A virtual node that exists: wait until an informer shows it (upstream requeues too).
      attemptToDelete.addAfter(item, Duration.ofMillis(item.nextUnobservedDelayMillis()));
    }
  }

  private void attemptToDeleteItem(GraphNode item) throws Exception {
    if (item.isBeingDeleted() && !item.isDeletingDependents()) {
      return;
    }
    Identity id = item.identity();
    Optional<KubernetesObject> latest = getObject(id);
    if (latest.isEmpty() || !id.uid().equals(latest.get().getMetadata().getUid())) {
      enqueueVirtualDelete(id);
      throw new VirtualDeleteQueued();
    }
    if (item.isDeletingDependents()) {
      processDeletingDependents(item);
      return;
    }
    List<OwnerReference> refs = latest.get().getMetadata().getOwnerReferences();
    if (refs == null || refs.isEmpty()) {
      return;
    }
    List<OwnerReference> solid = new ArrayList<>();
    List<OwnerReference> dangling = new ArrayList<>();
    List<OwnerReference> waiting = new ArrayList<>();
    for (OwnerReference ref : refs) {
      Optional<KubernetesObject> owner = danglingCheck(ref, id);
      if (owner.isEmpty()) {
        dangling.add(ref);
        continue;
      }
      ObjectMeta om = owner.get().getMetadata();
      if (om.getDeletionTimestamp() != null && hasFinalizer(om, FOREGROUND)) {
        waiting.add(ref);
      } else {
        solid.add(ref);
      }
    }
    if (!solid.isEmpty()) {
      if (dangling.isEmpty() && waiting.isEmpty()) {
        return;
      }
      // References to owners that are gone or deleting their dependents go, or those owners would wait forever.
      List<String> uids = new ArrayList<>();
      dangling.forEach(r -> uids.add(r.getUid()));
      waiting.forEach(r -> uids.add(r.getUid()));
      patchDeleteOwnerRefs(id, uids);
      return;
    }
    if (!waiting.isEmpty() && item.dependentsCount() > 0) {
      for (GraphNode dep : item.dependents()) {
        if (dep.isDeletingDependents()) {
          // Break a possible cycle: stop blocking owners, then delete in the foreground.
          unblockOwnerReferences(id, latest.get().getMetadata().getOwnerReferences());
          break;
        }
      }
      deleteObject(id, latest.get().getMetadata().getResourceVersion(), refs, "Foreground");
      return;
    }
    String policy;
    if (hasFinalizer(latest.get().getMetadata(), ORPHAN)) {
      policy = "Orphan";
    } else if (hasFinalizer(latest.get().getMetadata(), FOREGROUND)) {
      policy = "Foreground";
    } else {
      policy = "Background";
    }
    LOG.debug("garbage collector: deleting {} ({})", id, policy);
    deleteObject(id, latest.get().getMetadata().getResourceVersion(), refs, policy);
  }

  private void enqueueVirtualDelete(Identity id) {
    enqueue(new GraphEvent(Type.DELETE, id, null, null, true));
  }

  /** An owner deleting its dependents: done once none blocks it; else its blocking dependents are deleted. */
  private void processDeletingDependents(GraphNode item) throws Exception {
    List<GraphNode> blocking = item.blockingDependents();
    if (blocking.isEmpty()) {
      removeFinalizer(item.identity(), FOREGROUND);
      return;
    }
    for (GraphNode dep : blocking) {
      if (!dep.isDeletingDependents()) {
        attemptToDelete.add(dep);
      }
    }
  }

  /**
   * The owner {@code ref} names, read live; empty if it is gone (or re-created with another uid),
   * which is remembered.
   */
  private Optional<KubernetesObject> danglingCheck(OwnerReference ref, Identity item) {
    Identity clusterKey = Identity.ofOwner(ref, "");
    Identity nsKey = Identity.ofOwner(ref, item.namespace());
    if (absentOwners.containsKey(clusterKey) || absentOwners.containsKey(nsKey)) {
      return Optional.empty();
    }
    Kinds.Served served = kinds.find(ref.getApiVersion(), ref.getKind())
        .orElseThrow(() -> new IllegalStateException("unable to get REST mapping for " + ref.getApiVersion() + "/"
            + ref.getKind() + " (owner of " + item + ")"));
    boolean namespaced = served.info().namespaced();
    if (item.namespace().isEmpty() && namespaced) {
      throw new IllegalStateException("cluster-scoped " + item + " refers to a namespaced owner " + ref.getKind()
          + " " + ref.getName());
    }
    Optional<? extends KubernetesObject> owner = ctx.client().resources(served.type())
        .get(namespaced ? item.namespace() : null, ref.getName());
    Identity absentKey = namespaced ? nsKey : clusterKey;
    if (owner.isEmpty() || !ref.getUid().equals(owner.get().getMetadata().getUid())) {
      absentOwners.put(absentKey, true);
      return Optional.empty();
    }
    return Optional.of(owner.get());
  }

  private Optional<KubernetesObject> getObject(Identity id) {
    Kinds.Served served = kinds.find(id.apiVersion(), id.kind())
        .orElseThrow(() -> new IllegalStateException("unable to get REST mapping for " + id));
    ResourceClient<? extends KubernetesObject> client = ctx.client().resources(served.type());
    return client.get(served.info().namespaced() ? id.namespace() : null, id.name()).map(o -> (KubernetesObject) o);
  }

  private ResourceClient<? extends KubernetesObject> clientFor(Identity id) {
    return ctx.client().resources(kinds.find(id.apiVersion(), id.kind())
        .orElseThrow(() -> new IllegalStateException("unable to get REST mapping for " + id)).type());
  }

  private String namespaceOf(Identity id) {
    return kinds.find(id.apiVersion(), id.kind()).map(s -> s.info().namespaced()).orElse(false) ? id.namespace() : null;
  }

  /**
   * Deletes with uid and resourceVersion preconditions; if only the resourceVersion conflicts and
   * the owner references are unchanged, retries with the uid alone (upstream's deleteObject).
   */
  private void deleteObject(Identity id, String resourceVersion, List<OwnerReference> ownersAt, String policy) {
    ResourceClient<? extends KubernetesObject> client = clientFor(id);
    String ns = namespaceOf(id);
    Preconditions pre = new Preconditions().withUid(id.uid());
    if (resourceVersion != null && !resourceVersion.isEmpty()) {
      pre.setResourceVersion(resourceVersion);
    }
    try {
      client.delete(ns, id.name(), new DeleteOptions().withPreconditions(pre).withPropagationPolicy(policy));
    } catch (ClientStatusException e) {
      if (e.isNotFound()) {
        return;
      }
      if (e.isConflict() && pre.getResourceVersion() != null) {
        Optional<? extends KubernetesObject> live = client.get(ns, id.name());
        if (live.isEmpty() || !id.uid().equals(live.get().getMetadata().getUid())) {
          return;
        }
        List<OwnerReference> now = live.get().getMetadata().getOwnerReferences();
        if (Objects.equals(now == null ? List.of() : now, ownersAt == null ? List.of() : ownersAt)) {
          deleteObject(id, null, null, policy);
          return;
        }
      }
      throw e;
    }
  }

  /** Strategic merge patch deleting the owner references with these uids, guarded by the object's uid. */
  private void patchDeleteOwnerRefs(Identity id, List<String> ownerUids) {
    ObjectNode patch = Patches.object();
    ObjectNode m = patch.putObject("metadata");
    ArrayNode refs = m.putArray("ownerReferences");
    for (String uid : ownerUids) {
      refs.addObject().put("$patch", "delete").put("uid", uid);
    }
    m.put("uid", id.uid());
    patch(id, patch.toString());
  }

  /** Sets {@code blockOwnerDeletion: false} on every blocking owner reference. */
  private void unblockOwnerReferences(Identity id, List<OwnerReference> owners) {
    ObjectNode patch = Patches.object();
    ObjectNode m = patch.putObject("metadata");
    ArrayNode refs = m.putArray("ownerReferences");
    for (OwnerReference r : owners) {
      if (Boolean.TRUE.equals(r.getBlockOwnerDeletion())) {
        refs.addObject().put("apiVersion", r.getApiVersion()).put("kind", r.getKind()).put("name", r.getName())
            .put("uid", r.getUid()).put("controller", Boolean.TRUE.equals(r.getController()))
            .put("blockOwnerDeletion", false);
      }
    }
    m.put("uid", id.uid());
    patch(id, patch.toString());
  }

  private void patch(Identity id, String body) {
    try {
      Writes.patch(clientFor(id), namespaceOf(id), id.name(), PatchType.STRATEGIC_MERGE, body);
    } catch (ClientStatusException e) {
      // Gone, or re-created (the uid guard fails): nothing to patch.
      if (!e.isNotFound() && !e.isConflict() && !e.isInvalid()) {
        throw e;
      }
    }
  }

  /** Removes {@code finalizer} with a merge patch guarded by the resourceVersion, retrying conflicts a few times. */
  private void removeFinalizer(Identity id, String finalizer) {
    ResourceClient<? extends KubernetesObject> client = clientFor(id);
    String ns = namespaceOf(id);
    for (int attempt = 0; ; attempt++) {
      Optional<? extends KubernetesObject> obj = client.get(ns, id.name());
      if (obj.isEmpty() || !id.uid().equals(obj.get().getMetadata().getUid())) {
        return;
      }
      List<String> finalizers = obj.get().getMetadata().getFinalizers();
      if (finalizers == null || !finalizers.contains(finalizer)) {
        return;
      }
      ObjectNode patch = Patches.object();
      ObjectNode m = patch.putObject("metadata");
      m.put("resourceVersion", obj.get().getMetadata().getResourceVersion());
      ArrayNode left = m.putArray("finalizers");
      finalizers.stream().filter(f -> !f.equals(finalizer)).forEach(left::add);
      try {
        Writes.patch(client, ns, id.name(), PatchType.MERGE, patch.toString());
        return;
      } catch (ClientStatusException e) {
        if (e.isNotFound()) {
          return;
        }
        if (!e.isConflict() || attempt >= 4) {
          throw e;
        }
      }
    }
  }

  // ------------------------------------------------------------------ attemptToOrphan

  /** Removes the owner's references from its dependents, then its {@code orphan} finalizer. */
  private void attemptToOrphan(GraphNode owner) throws Exception {
    Identity ownerId = owner.identity();
    List<GraphNode> dependents = owner.dependents();
    List<Exception> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (ExecutorService pool = Executors.newThreadPerTaskExecutor(ctx.threadFactory())) {
      List<Future<?>> futures = new ArrayList<>();
      for (GraphNode dep : dependents) {
        futures.add(pool.submit(() -> {
          try {
            patchDeleteOwnerRefs(dep.identity(), List.of(ownerId.uid()));
          } catch (RuntimeException e) {
            errors.add(e);
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    }
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
    removeFinalizer(ownerId, ORPHAN);
  }
}
