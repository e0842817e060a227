package io.bosun.controllers.core.node;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.core.v1.Taint;
import io.bosun.api.core.v1.Toleration;
import io.bosun.client.ClientStatusException;
import io.bosun.client.PodClient;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import io.bosun.controller.EventRecorder;
import io.bosun.controllers.core.internal.Handlers;
import io.bosun.controllers.core.internal.PodIndexes;
import io.bosun.controllers.core.internal.Taints;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's taint eviction controller ({@code pkg/controller/tainteviction}, the former taint
 * manager): deletes the pods of nodes with NoExecute taints they do not tolerate at once, and
 * those that tolerate them for {@code tolerationSeconds} after that long (tolerations without
 * seconds tolerate forever); a taint removed in time cancels the deletion. Deleted pods first get
 * the {@code DisruptionTarget} condition ({@code DeletionByTaintManager}).
 *
 * <p>Upstream relies on the DefaultTolerationSeconds admission plugin giving every pod 300 s
 * tolerations of the {@code not-ready} and {@code unreachable} taints. Bosun's API server does
 * not add them yet, so pods without a toleration of those keys are treated as if they had the
 * admission plugin's default ({@code defaultNotReadyTolerationSeconds},
 * {@code defaultUnreachableTolerationSeconds}; negative: no such default, as without the plugin).
 */
@Component(service = Controller.class, configurationPid = "io.bosun.controller.tainteviction",
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = TaintEvictionController.Config.class)
public final class TaintEvictionController implements Controller {

  private static final Logger LOG = LoggerFactory.getLogger(TaintEvictionController.class);

  /** Configuration (PID {@code io.bosun.controller.tainteviction}). */
  @ObjectClassDefinition(name = "Bosun taint eviction controller")
  public @interface Config {
    @AttributeDefinition(description = "tolerationSeconds assumed for pods without a toleration of "
        + "node.kubernetes.io/not-ready:NoExecute (the DefaultTolerationSeconds admission default); negative: none.")
    long defaultNotReadyTolerationSeconds() default 300;

    @AttributeDefinition(description = "tolerationSeconds assumed for pods without a toleration of "
        + "node.kubernetes.io/unreachable:NoExecute; negative: none.")
    long defaultUnreachableTolerationSeconds() default 300;
  }

  private volatile long defaultNotReady;
  private volatile long defaultUnreachable;

  /** For DS: the admission plugin's 300 s defaults. */
  public TaintEvictionController() {
    this(300, 300);
  }

  /**
   * For use outside OSGi.
   *
   * @param defaultNotReadySeconds    assumed toleration of not-ready; negative for none
   * @param defaultUnreachableSeconds assumed toleration of unreachable; negative for none
   */
  public TaintEvictionController(long defaultNotReadySeconds, long defaultUnreachableSeconds) {
    this.defaultNotReady = defaultNotReadySeconds;
    this.defaultUnreachable = defaultUnreachableSeconds;
  }

  @Activate
  void activate(Config config) {
    defaultNotReady = config.defaultNotReadyTolerationSeconds();
    defaultUnreachable = config.defaultUnreachableTolerationSeconds();
  }

  @Override
  public String name() {
    return "taint-eviction-controller";
  }

  @Override
  public void run(ControllerContext ctx) throws Exception {
    SharedIndexInformer<Node> nodes = ctx.informer(Node.class);
    SharedIndexInformer<Pod> pods = ctx.informer(Pod.class);
    PodIndexes.addByNode(pods.indexer());
    ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, ctx.threadFactory());
    timers.setRemoveOnCancelPolicy(true);
    Evictions evictions = new Evictions(ctx, timers, pods, nodes, defaultNotReady, defaultUnreachable);
    try {
      nodes.addEventHandler(Handlers.of(evictions::nodeChanged, (o, n) -> evictions.nodeChanged(n),
          n -> evictions.nodeChanged(n.deepCopy().withSpec(null))));
      pods.addEventHandler(Handlers.of(p -> evictions.podChanged(null, p), evictions::podChanged, evictions::podDeleted));
      if (!ctx.waitForCacheSync(nodes, pods)) {
        return;
      }
      for (Node n : nodes.indexer().list()) {
        evictions.nodeChanged(n);
      }
      ctx.awaitStop(Duration.ofDays(36500));
    } finally {
      timers.shutdownNow();
      timers.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** Scheduled deletions by pod key (upstream's TimedWorkerQueue). */
  static final class Evictions {
    private record Scheduled(Instant createdAt, Instant fireAt, ScheduledFuture<?> future) {}

    private final ControllerContext ctx;
    private final ScheduledExecutorService timers;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Node> nodes;
    private final PodClient client;
    private final EventRecorder recorder;
    private final long defaultNotReady;
    private final long defaultUnreachable;
    private final Map<String, Scheduled> scheduled = new ConcurrentHashMap<>();

    Evictions(ControllerContext ctx, ScheduledExecutorService timers, SharedIndexInformer<Pod> pods,
        SharedIndexInformer<Node> nodes, long defaultNotReady, long defaultUnreachable) {
      this.ctx = ctx;
      this.timers = timers;
      this.pods = pods;
      this.nodes = nodes;
      this.client = ctx.client().pods();
      this.recorder = ctx.eventRecorder();
      this.defaultNotReady = defaultNotReady;
      this.defaultUnreachable = defaultUnreachable;
    }

    void nodeChanged(Node node) {
      List<Taint> taints = noExecute(node);
      for (Pod p : PodIndexes.onNode(pods.indexer(), node.getMetadata().getName())) {
        if (taints.isEmpty()) {
          cancel(p);
        } else {
          processPod(p, taints);
        }
      }
    }

    void podChanged(Pod old, Pod pod) {
      if (old != null && Objects.equals(old.getSpec().getNodeName(), pod.getSpec().getNodeName())
          && Objects.equals(old.getSpec().getTolerations(), pod.getSpec().getTolerations())
          && Objects.equals(old.getMetadata().getDeletionTimestamp(), pod.getMetadata().getDeletionTimestamp())) {
        return;
      }
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        cancel(pod);
        return;
      }
      String nodeName = pod.getSpec().getNodeName();
      if (nodeName == null || nodeName.isEmpty()) {
        return;
      }
      Node node = nodes.indexer().get(null, nodeName).orElse(null);
      if (node == null) {
        return;
      }
      List<Taint> taints = noExecute(node);
      if (taints.isEmpty()) {
        cancel(pod);
      } else {
        processPod(pod, taints);
      }
    }

    void podDeleted(Pod pod) {
      Scheduled s = scheduled.remove(Keys.of(pod));
      if (s != null) {
        s.future().cancel(false);
      }
    }

    private static List<Taint> noExecute(Node node) {
      return Taints.of(node).stream().filter(t -> Taints.NO_EXECUTE.equals(t.getEffect())).toList();
    }

    /** Upstream's processPodOnNode. */
    private void processPod(Pod pod, List<Taint> taints) {
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        return;
      }
      List<Toleration> used = Taints.matchingTolerations(taints, tolerations(pod));
      Instant now = ctx.clock().instant();
      if (used == null) {
        cancel(pod, false);
        schedule(pod, now, now);
        return;
      }
      long min = minTolerationSeconds(used);
      if (min < 0) {
        // Every taint is tolerated forever.
        cancel(pod);
        return;
      }
      Instant trigger = now.plusSeconds(min);
      Scheduled existing = scheduled.get(Keys.of(pod));
      Instant start = now;
      if (existing != null) {
        start = existing.createdAt();
        if (start.plusSeconds(min).isBefore(trigger)) {
          return;
        }
        cancel(pod);
      }
      schedule(pod, start, start.plusSeconds(min));
    }

    /** The pod's tolerations plus the admission plugin's defaults it lacks. */
    List<Toleration> tolerations(Pod pod) {
      List<Toleration> list = pod.getSpec().getTolerations() == null ? new ArrayList<>()
          : new ArrayList<>(pod.getSpec().getTolerations());
      addDefault(list, Taints.NOT_READY, defaultNotReady);
      addDefault(list, Taints.UNREACHABLE, defaultUnreachable);
      return list;
    }

    private static void addDefault(List<Toleration> list, String key, long seconds) {
      if (seconds < 0) {
        return;
      }
      Taint probe = new Taint().withKey(key).withEffect(Taints.NO_EXECUTE);
      // As the plugin: only when no toleration of this key and effect exists.
      boolean has = list.stream().anyMatch(t -> key.equals(t.getKey())
          && (t.getEffect() == null || t.getEffect().isEmpty() || Taints.NO_EXECUTE.equals(t.getEffect()))
          || (t.getKey() == null || t.getKey().isEmpty()) && Taints.tolerates(t, probe));
      if (!has) {
        list.add(new Toleration().withKey(key).withOperator("Exists").withEffect(Taints.NO_EXECUTE).withTolerationSeconds(seconds));
      }
    }

    /** The least tolerationSeconds; -1 if none is set (tolerated forever); 0 if one is not positive. */
    static long minTolerationSeconds(List<Toleration> used) {
      long min = -1;
      for (Toleration t : used) {
        if (t.getTolerationSeconds() != null) {
          long s = t.getTolerationSeconds();
          if (s <= 0) {
            return 0;
          }
          if (min < 0 || s < min) {
            min = s;
          }
        }
      }
      return min;
    }

    private void schedule(Pod pod, Instant createdAt, Instant fireAt) {
      String key = Keys.of(pod);
      Duration delay = Duration.between(ctx.clock().instant(), fireAt);
      ScheduledFuture<?> f = timers.schedule(() -> evict(key, pod.getMetadata().getUid()),
          Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
      Scheduled previous = scheduled.put(key, new Scheduled(createdAt, fireAt, f));
      if (previous != null) {
        previous.future().cancel(false);
      }
    }

    private void cancel(Pod pod) {
      cancel(pod, true);
    }

    private void cancel(Pod pod, boolean event) {
      Scheduled s = scheduled.remove(Keys.of(pod));
      if (s != null && s.future().cancel(false) && event) {
        recorder.eventf(pod, EventRecorder.NORMAL, "TaintManagerEviction", "Cancelling deletion of Pod %s", Keys.of(pod));
      }
    }

    /** Marks the pod as a disruption target and deletes it (upstream's addConditionAndDeletePod, 5 tries). */
    private void evict(String key, String uid) {
      scheduled.remove(key);
      Pod cached = pods.indexer().getByKey(key).orElse(null);
      if (cached == null || !Objects.equals(cached.getMetadata().getUid(), uid)) {
        return;
      }
      recorder.eventf(cached, EventRecorder.NORMAL, "TaintManagerEviction", "Marking for deletion Pod %s", key);
      for (int attempt = 0; attempt < 5; attempt++) {
        try {
          Pod pod = client.get(Keys.namespace(key), Keys.name(key)).orElse(null);
          if (pod == null || !Objects.equals(pod.getMetadata().getUid(), uid)) {
            return;
          }
          Pod copy = pod.deepCopy();
          if (setCondition(copy)) {
            client.updateStatus(copy);
          }
          client.delete(Keys.namespace(key), Keys.name(key), new io.bosun.api.meta.v1.DeleteOptions()
              .withPreconditions(new io.bosun.api.meta.v1.Preconditions().withUid(uid)));
          LOG.info("taint eviction: deleted pod {}", key);
          return;
        } catch (ClientStatusException e) {
          if (e.isNotFound()) {
            return;
          }
          LOG.debug("taint eviction: deleting {} failed: {}", key, e.getMessage());
        } catch (RuntimeException e) {
          LOG.warn("taint eviction: deleting {} failed", key, e);
        }
      }
    }

    /** Adds or updates the DisruptionTarget condition; returns whether it changed. */
    private boolean setCondition(Pod pod) {
      if (pod.getStatus() == null) {
        pod.setStatus(new io.bosun.api.core.v1.PodStatus());
      }
      List<PodCondition> conditions = pod.getStatus().getConditions() == null ? new ArrayList<>()
          : new ArrayList<>(pod.getStatus().getConditions());
      PodCondition want = new PodCondition().withType("DisruptionTarget").withStatus("True")
          .withReason("DeletionByTaintManager").withMessage("Taint manager: deleting due to NoExecute taint")
          .withLastTransitionTime(ctx.clock().instant());
      for (int i = 0; i < conditions.size(); i++) {
        PodCondition c = conditions.get(i);
        if ("DisruptionTarget".equals(c.getType())) {
          if ("True".equals(c.getStatus()) && want.getReason().equals(c.getReason()) && want.getMessage().equals(c.getMessage())) {
            return false;
          }
          conditions.set(i, want);
          pod.getStatus().setConditions(conditions);
          return true;
        }
      }
      conditions.add(want);
      pod.getStatus().setConditions(conditions);
      return true;
    }
  }
}
