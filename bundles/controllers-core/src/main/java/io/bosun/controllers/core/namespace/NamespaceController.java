package io.bosun.controllers.core.namespace;

import io.bosun.api.core.v1.Namespace;
import io.bosun.api.core.v1.NamespaceCondition;
import io.bosun.api.core.v1.NamespaceSpec;
import io.bosun.api.core.v1.NamespaceStatus;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ListOptions;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import io.bosun.controllers.core.internal.Handlers;
import io.bosun.controllers.core.internal.Kinds;
import io.bosun.controllers.core.internal.RawRequests;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's namespace controller ({@code pkg/controller/namespace}): empties a namespace being
 * deleted. It deletes every object of every namespaced served kind in it (background
 * propagation), waits for them to be gone (pods for their grace period, objects with finalizers
 * for those), reports progress in the namespace's deletion conditions
 * ({@code NamespaceDeletionContentFailure}, {@code NamespaceContentRemaining},
 * {@code NamespaceFinalizersRemaining} ...), then removes the {@code kubernetes} finalizer through
 * {@code namespaces/{name}/finalize}, upon which the API server deletes the namespace.
 */
@Component(service = Controller.class, configurationPid = "io.bosun.controller.namespace",
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = NamespaceController.Config.class)
public final class NamespaceController implements Controller {

  private static final Logger LOG = LoggerFactory.getLogger(NamespaceController.class);

  /** The spec finalizer this controller owns. */
  public static final String FINALIZER = "kubernetes";
  /** Upstream's default estimate when remaining content waits on finalizers. */
  static final long FINALIZER_ESTIMATE_SECONDS = 15;

  /** Configuration (PID {@code io.bosun.controller.namespace}). */
  @ObjectClassDefinition(name = "Bosun namespace controller")
  public @interface Config {
    @AttributeDefinition(description = "Milliseconds a namespace event waits before the namespace is processed "
        + "(upstream's namespaceDeletionGracePeriod: 5000).")
    long deletionDelayMillis() default 5000;
  }

  private final Kinds kinds = Kinds.load();
  private volatile Duration delay;

  /** For DS; upstream's 5 s delay. */
  public NamespaceController() {
    this(Duration.ofSeconds(5));
  }

  /** For use outside OSGi. */
  public NamespaceController(Duration deletionDelay) {
    this.delay = Objects.requireNonNull(deletionDelay, "deletionDelay");
  }

  @Activate
  void activate(Config config) {
    delay = Duration.ofMillis(Math.max(0, config.deletionDelayMillis()));
  }

  @Override
  public String name() {
    return "namespace";
  }

  @Override
  public void run(ControllerContext ctx) throws Exception {
    SharedIndexInformer<Namespace> namespaces = ctx.informer(Namespace.class);
    WorkQueue<String> queue = ctx.workQueue("namespace");
    Duration d = delay;
    namespaces.addEventHandler(Handlers.of(ns -> enqueue(queue, ns, d), (o, ns) -> enqueue(queue, ns, d), null));
    if (!ctx.waitForCacheSync(namespaces)) {
      return;
    }
    Deleter deleter = new Deleter(ctx.client(), kinds, ctx.clock());
    ctx.runWorkers(queue, ctx.workers(), name -> {
      long remaining = deleter.delete(name);
      if (remaining > 0) {
        // Content is still going away (grace periods, finalizers): look again in about half the estimate.
        queue.addAfter(name, Duration.ofSeconds(remaining / 2 + 1));
      }
    });
  }

  private static void enqueue(WorkQueue<String> queue, Namespace ns, Duration delay) {
    if (ns.getMetadata().getDeletionTimestamp() == null) {
      return;
    }
    // The delay lets caches (admission, informers) see the deletion before content is listed.
    queue.addAfter(ns.getMetadata().getName(), delay);
  }

  /** Upstream's namespacedResourcesDeleter. */
  static final class Deleter {
    private final ApiClient client;
    private final Kinds kinds;
    private final java.time.Clock clock;
    private final ResourceClient<Namespace> namespaces;

    Deleter(ApiClient client, Kinds kinds, java.time.Clock clock) {
      this.client = client;
      this.kinds = kinds;
      this.clock = clock;
      this.namespaces = client.resources(Namespace.class);
    }

    /**
     * One pass over a terminating namespace.
     *
     * @return an estimate in seconds of how long the remaining content takes to go; 0 when the
     *         namespace was finalized (or needs nothing)
     */
    long delete(String name) throws Exception {
      Namespace ns = namespaces.get(null, name).orElse(null);
      if (ns == null || ns.getMetadata().getDeletionTimestamp() == null) {
        return 0;
      }
      ns = ensureTerminating(ns);
      if (ns == null || ns.getMetadata().getDeletionTimestamp() == null || finalized(ns)) {
        return 0;
      }
      long estimate = deleteAllContent(ns);
      if (estimate > 0) {
        return estimate;
      }
      finalizeNamespace(name);
      return 0;
    }

    private Namespace ensureTerminating(Namespace ns) {
      for (int attempt = 0; ; attempt++) {
        if (ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase())) {
          return ns;
        }
        Namespace copy = ns.deepCopy();
        if (copy.getStatus() == null) {
          copy.setStatus(new NamespaceStatus());
        }
        copy.getStatus().setPhase("Terminating");
        try {
          return namespaces.updateStatus(copy);
        } catch (ClientStatusException e) {
          if (e.isNotFound()) {
            return null;
          }
          if (!e.isConflict() || attempt >= 4) {
            throw e;
          }
          ns = namespaces.get(null, ns.getMetadata().getName()).orElse(null);
          if (ns == null) {
            return null;
          }
        }
      }
    }

    private static boolean finalized(Namespace ns) {
      List<String> f = ns.getSpec() == null ? null : ns.getSpec().getFinalizers();
      return f == null || !f.contains(FINALIZER);
    }

    /** Deletes everything in the namespace; returns the estimate of what is left (0: empty). */
    private long deleteAllContent(Namespace ns) {
      String namespace = ns.getMetadata().getName();
      Instant deletedAt = ns.getMetadata().getDeletionTimestamp();
      long estimate = 0;
      List<String> errors = new ArrayList<>();
      Map<String, Integer> remainingByResource = new TreeMap<>();
      Map<String, Integer> remainingByFinalizer = new TreeMap<>();
      for (Kinds.Served served : kinds.all()) {
        if (!served.info().namespaced() || !deletable(served)) {
          continue;
        }
        try {
          Remaining r = deleteAllOf(served, namespace, deletedAt);
          estimate = Math.max(estimate, r.estimate);
          if (r.count > 0) {
            remainingByResource.put(served.info().plural() + "." + served.info().group(), r.count);
            r.byFinalizer.forEach((f, n) -> remainingByFinalizer.merge(f, n, Integer::sum));
          }
        } catch (RuntimeException e) {
          errors.add(e.getMessage());
          estimate = Math.max(estimate, 1);
        }
      }
      List<NamespaceCondition> conditions = new ArrayList<>();
      if (!errors.isEmpty()) {
        conditions.add(condition("NamespaceDeletionContentFailure", "True", "ContentDeletionFailed",
            "Failed to delete all resource types, " + errors.size() + " remaining: " + String.join(", ", errors)));
      }
      if (!remainingByResource.isEmpty()) {
        List<String> parts = new ArrayList<>();
        remainingByResource.forEach((r, n) -> parts.add(r + " has " + n + " resource instances"));
        conditions.add(condition("NamespaceContentRemaining", "True", "SomeResourcesRemain",
            "Some resources are remaining: " + String.join(", ", parts)));
      }
      if (!remainingByFinalizer.isEmpty()) {
        List<String> parts = new ArrayList<>();
        remainingByFinalizer.forEach((f, n) -> parts.add(f + " in " + n + " resource instances"));
        conditions.add(condition("NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain",
            "Some content in the namespace has finalizers remaining: " + String.join(", ", parts)));
      }
      updateConditions(ns, conditions);
      if (!errors.isEmpty()) {
        throw new IllegalStateException("deleting the content of namespace " + namespace + ": " + String.join("; ", errors));
      }
      return estimate;
    }

    private static boolean deletable(Kinds.Served s) {
      List<String> verbs = s.info().verbs();
      return verbs.isEmpty() || verbs.contains("delete");
    }

    private record Remaining(long estimate, int count, Map<String, Integer> byFinalizer) {}

    private <T extends KubernetesObject> Remaining deleteAllOf(Kinds.Served served, String namespace, Instant deletedAt) {
      @SuppressWarnings("unchecked")
      ResourceClient<T> rc = (ResourceClient<T>) client.resources(served.type());
      List<T> items = rc.list(namespace, ListOptions.none()).items();
      for (T item : items) {
        if (item.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        try {
          rc.delete(namespace, item.getMetadata().getName(), new DeleteOptions().withPropagationPolicy("Background"));
        } catch (ClientStatusException e) {
          if (!e.isNotFound()) {
            throw e;
          }
        }
      }
      List<T> left = items.isEmpty() ? items : rc.list(namespace, ListOptions.none()).items();
      if (left.isEmpty()) {
        return new Remaining(0, 0, Map.of());
      }
      // Upstream estimates from the pods seen before deleting; pods deleted at once (unbound or
      // finished) need no wait, so only those still there count here.
      long estimate = served.type() == Pod.class ? podsEstimate(left, deletedAt) : 0;
      Map<String, Integer> byFinalizer = new TreeMap<>();
      for (T item : left) {
        List<String> f = item.getMetadata().getFinalizers();
        if (f != null) {
          f.forEach(x -> byFinalizer.merge(x, 1, Integer::sum));
        }
      }
      if (estimate > 0) {
        return new Remaining(estimate, left.size(), byFinalizer);
      }
      if (!byFinalizer.isEmpty()) {
        // Finalizers are an ordinary wait; give whoever owns them some time.
        return new Remaining(FINALIZER_ESTIMATE_SECONDS, left.size(), byFinalizer);
      }
      // Pods still terminating past their grace period (no kubelet confirmed yet) also land here.
      throw new IllegalStateException("unexpected items still remain in namespace: " + namespace + " for gvr: "
          + served.info().group() + "/" + served.info().version() + ", Resource=" + served.info().plural());
    }

    /** The longest grace period left of the namespace's unfinished pods (upstream's estimateGracefulTermination). */
    private long podsEstimate(List<? extends KubernetesObject> items, Instant deletedAt) {
      long estimate = 0;
      Instant now = clock.instant();
      for (KubernetesObject o : items) {
        Pod pod = (Pod) o;
        String phase = pod.getStatus() == null ? "" : String.valueOf(pod.getStatus().getPhase());
        if (phase.equals("Succeeded") || phase.equals("Failed")) {
          continue;
        }
        Long grace = pod.getSpec() == null ? null : pod.getSpec().getTerminationGracePeriodSeconds();
        if (pod.getMetadata().getDeletionGracePeriodSeconds() != null) {
          grace = pod.getMetadata().getDeletionGracePeriodSeconds();
        }
        long g = grace == null ? 30 : grace;
        long left = g - Duration.between(deletedAt, now).getSeconds();
        estimate = Math.max(estimate, left);
      }
      return estimate;
    }

    private static NamespaceCondition condition(String type, String status, String reason, String message) {
      return new NamespaceCondition().withType(type).withStatus(status).withReason(reason).withMessage(message);
    }

    private static final List<String[]> CONDITION_TYPES = List.of(
        new String[] {"NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"},
        new String[] {"NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions",
            "All legacy kube types successfully parsed"},
        new String[] {"NamespaceDeletionContentFailure", "ContentDeleted",
            "All content successfully deleted, may be waiting on finalization"},
        new String[] {"NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"},
        new String[] {"NamespaceFinalizersRemaining", "ContentHasNoFinalizers", "All content-preserving finalizers finished"});

    /** Sets every deletion condition: the given ones, the others False with upstream's OK reasons. */
    private void updateConditions(Namespace ns, List<NamespaceCondition> problems) {
      Namespace copy = ns.deepCopy();
      if (copy.getStatus() == null) {
        copy.setStatus(new NamespaceStatus());
      }
      List<NamespaceCondition> list = copy.getStatus().getConditions() == null ? new ArrayList<>()
          : new ArrayList<>(copy.getStatus().getConditions());
      boolean changed = false;
      Instant now = clock.instant();
      for (String[] t : CONDITION_TYPES) {
        NamespaceCondition want = problems.stream().filter(c -> t[0].equals(c.getType())).findFirst()
            .orElse(condition(t[0], "False", t[1], t[2]));
        NamespaceCondition old = list.stream().filter(c -> t[0].equals(c.getType())).findFirst().orElse(null);
        if (old == null) {
          list.add(want.withLastTransitionTime(now));
          changed = true;
        } else if (!Objects.equals(old.getStatus(), want.getStatus()) || !Objects.equals(old.getReason(), want.getReason())
            || !Objects.equals(old.getMessage(), want.getMessage())) {
          list.set(list.indexOf(old), want.withLastTransitionTime(now));
          changed = true;
        }
      }
      if (!changed) {
        return;
      }
      copy.getStatus().setConditions(list);
      try {
        namespaces.updateStatus(copy);
      } catch (ClientStatusException e) {
        // Best effort, as upstream: the next pass writes them again.
        LOG.debug("couldn't update status condition for namespace {}: {}", ns.getMetadata().getName(), e.getMessage());
      }
    }

    /** Removes {@code kubernetes} from spec.finalizers through the finalize subresource. */
    private void finalizeNamespace(String name) throws Exception {
      for (int attempt = 0; ; attempt++) {
        Namespace ns = namespaces.get(null, name).orElse(null);
        if (ns == null || finalized(ns)) {
          return;
        }
        List<String> left = new ArrayList<>(ns.getSpec().getFinalizers());
        left.remove(FINALIZER);
        Namespace body = new Namespace().withApiVersion("v1").withKind("Namespace")
            .withMetadata(new ObjectMeta().withName(name).withResourceVersion(ns.getMetadata().getResourceVersion()))
            .withSpec(new NamespaceSpec().withFinalizers(left));
        int code = RawRequests.put(client, "/api/v1/namespaces/" + name + "/finalize", body);
        if (code == 404 || (code >= 200 && code < 300)) {
          return;
        }
        if (code != 409 || attempt >= 4) {
          throw new IllegalStateException("finalize namespace " + name + ": HTTP " + code);
        }
      }
    }
  }
}
