package io.bosun.controllers.core.podgc;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeCondition;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.Preconditions;
import io.bosun.client.ClientStatusException;
import io.bosun.client.PodClient;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import io.bosun.controller.Pods;
import io.bosun.controllers.core.internal.Taints;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's pod garbage collector ({@code pkg/controller/podgc}), every check period:
 * <ul>
 *   <li>terminated (Succeeded/Failed) pods beyond {@code terminatedPodGCThreshold}, evicted ones
 *       first, then oldest;</li>
 *   <li>pods bound to nodes that do not exist, after a quarantine and a live check (marked Failed
 *       with {@code DisruptionTarget}/{@code DeletionByPodGC} first);</li>
 *   <li>terminating pods never scheduled;</li>
 *   <li>terminating pods on not-ready nodes with the {@code node.kubernetes.io/out-of-service} taint.</li>
 * </ul>
 * Pods are deleted at once (grace period 0), after being marked Failed if they had not finished.
 */
@Component(service = Controller.class, configurationPid = "io.bosun.controller.podgc",
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PodGcController.Config.class)
public final class PodGcController implements Controller {

  private static final Logger LOG = LoggerFactory.getLogger(PodGcController.class);

  /** Configuration (PID {@code io.bosun.controller.podgc}). */
  @ObjectClassDefinition(name = "Bosun pod garbage collector")
  public @interface Config {
    @AttributeDefinition(description = "Terminated pods kept before the oldest are deleted; 0 or less: never "
        + "(--terminated-pod-gc-threshold).")
    int terminatedPodGCThreshold() default 12500;

    @AttributeDefinition(description = "Milliseconds between passes (upstream: 20 s).")
    long gcCheckPeriodMillis() default 20000;

    @AttributeDefinition(description = "Milliseconds a node must stay missing before its pods are deleted (upstream: 40 s).")
    long quarantineMillis() default 40000;
  }

  /**
   * @param terminatedPodThreshold terminated pods kept; 0 or less keeps all
   * @param checkPeriod            time between passes
   * @param quarantine             how long a node must be missing before its pods go
   */
  public record Settings(int terminatedPodThreshold, Duration checkPeriod, Duration quarantine) {
    public Settings {
      Objects.requireNonNull(checkPeriod, "checkPeriod");
      Objects.requireNonNull(quarantine, "quarantine");
      if (checkPeriod.isNegative() || checkPeriod.isZero()) {
        throw new IllegalArgumentException("pod GC check period must be positive");
      }
    }

    public static Settings defaults() {
      return new Settings(12500, Duration.ofSeconds(20), Duration.ofSeconds(40));
    }
  }

  private volatile Settings settings;

  public PodGcController() {
    this(Settings.defaults());
  }

  public PodGcController(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  @Activate
  void activate(Config c) {
    settings = new Settings(c.terminatedPodGCThreshold(), Duration.ofMillis(c.gcCheckPeriodMillis()),
        Duration.ofMillis(c.quarantineMillis()));
  }

  @Override
  public String name() {
    return "podgc";
  }

  @Override
  public void run(ControllerContext ctx) throws Exception {
    Settings s = settings;
    SharedIndexInformer<Pod> pods = ctx.informer(Pod.class);
    SharedIndexInformer<Node> nodes = ctx.informer(Node.class);
    if (!ctx.waitForCacheSync(pods, nodes)) {
      return;
    }
    Pass pass = new Pass(ctx, s, pods, nodes);
    while (!ctx.isStopped()) {
      try {
        pass.gc();
      } catch (RuntimeException e) {
        LOG.warn("pod GC pass failed", e);
      }
      if (ctx.awaitStop(s.checkPeriod())) {
        return;
      }
    }
  }

  /** The state kept between passes: when each missing node was first seen missing. */
  private static final class Pass {
    private final ControllerContext ctx;
    private final Settings settings;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Node> nodes;
    private final PodClient client;
    private final ResourceClient<Node> nodeClient;
    private final Map<String, Instant> quarantined = new HashMap<>();

    Pass(ControllerContext ctx, Settings settings, SharedIndexInformer<Pod> pods, SharedIndexInformer<Node> nodes) {
      this.ctx = ctx;
      this.settings = settings;
      this.pods = pods;
      this.nodes = nodes;
      this.client = ctx.client().pods();
      this.nodeClient = ctx.client().resources(Node.class);
    }

    void gc() {
      List<Pod> all = pods.indexer().list();
      if (settings.terminatedPodThreshold() > 0) {
        gcTerminated(all);
      }
      gcTerminatingOutOfService(all);
      gcOrphaned(all);
      gcUnscheduledTerminating(all);
    }

    private void gcTerminated(List<Pod> all) {
      List<Pod> terminated = new ArrayList<>();
      for (Pod p : all) {
        String phase = Pods.phase(p);
        if (!phase.equals("Pending") && !phase.equals("Running") && !phase.equals("Unknown") && !phase.isEmpty()) {
          terminated.add(p);
        }
      }
      int deleteCount = terminated.size() - settings.terminatedPodThreshold();
      if (deleteCount <= 0) {
        return;
      }
      LOG.info("Garbage collecting {} pods", deleteCount);
      terminated.sort(EVICTED_THEN_OLDEST);
      for (Pod p : terminated.subList(0, deleteCount)) {
        markFailedAndDelete(p, null);
      }
    }

    /** Evicted pods first, then by creation, names breaking ties (upstream's byEvictionAndCreationTimestamp). */
    private static final Comparator<Pod> EVICTED_THEN_OLDEST = Comparator
        .comparing((Pod p) -> !("Failed".equals(Pods.phase(p)) && "Evicted".equals(p.getStatus().getReason())))
        .thenComparing(p -> p.getMetadata().getCreationTimestamp(), Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(p -> p.getMetadata().getName());

    private void gcTerminatingOutOfService(List<Pod> all) {
      List<Pod> victims = new ArrayList<>();
      for (Pod p : all) {
        if (p.getMetadata().getDeletionTimestamp() == null || p.getSpec().getNodeName() == null) {
          continue;
        }
        Node node = nodes.indexer().get(null, p.getSpec().getNodeName()).orElse(null);
        if (node != null && !isReady(node) && Taints.of(node).stream().anyMatch(t -> Taints.OUT_OF_SERVICE.equals(t.getKey()))) {
          victims.add(p);
        }
      }
      victims.sort(EVICTED_THEN_OLDEST);
      victims.forEach(p -> markFailedAndDelete(p, null));
    }

    private void gcOrphaned(List<Pod> all) {
      Set<String> existing = new HashSet<>();
      nodes.indexer().list().forEach(n -> existing.add(n.getMetadata().getName()));
      Instant now = ctx.clock().instant();
      Set<String> missing = new HashSet<>();
      for (Pod p : all) {
        String n = p.getSpec() == null ? null : p.getSpec().getNodeName();
        if (n != null && !n.isEmpty() && !existing.contains(n)) {
          missing.add(n);
          quarantined.putIfAbsent(n, now);
        }
      }
      quarantined.keySet().retainAll(missing);
      Set<String> deleted = new HashSet<>();
      for (var e : quarantined.entrySet()) {
        if (e.getValue().plus(settings.quarantine()).isAfter(now)) {
          continue;
        }
        // The informer may be behind: only a live read saying so makes a node gone.
        try {
          if (nodeClient.get(null, e.getKey()).isEmpty()) {
            deleted.add(e.getKey());
          }
        } catch (RuntimeException ex) {
          LOG.info("Error while getting node {}: {}", e.getKey(), ex.getMessage());
        }
      }
      for (Pod p : all) {
        if (p.getSpec() != null && deleted.contains(p.getSpec().getNodeName())) {
          LOG.info("Found orphaned Pod {} assigned to the Node {}, deleting", Keys.of(p), p.getSpec().getNodeName());
          markFailedAndDelete(p, new PodCondition().withType("DisruptionTarget").withStatus("True")
              .withReason("DeletionByPodGC").withMessage("PodGC: node no longer exists"));
        }
      }
    }

    private void gcUnscheduledTerminating(List<Pod> all) {
      for (Pod p : all) {
        String n = p.getSpec() == null ? null : p.getSpec().getNodeName();
        if (p.getMetadata().getDeletionTimestamp() != null && (n == null || n.isEmpty())) {
          LOG.info("Found unscheduled terminating Pod {} not assigned to any Node, deleting", Keys.of(p));
          markFailedAndDelete(p, null);
        }
      }
    }

    private static boolean isReady(Node node) {
      if (node.getStatus() == null || node.getStatus().getConditions() == null) {
        return false;
      }
      for (NodeCondition c : node.getStatus().getConditions()) {
        if ("Ready".equals(c.getType())) {
          return "True".equals(c.getStatus());
        }
      }
      return false;
    }

    /** Sets phase Failed (and the condition) on an unfinished pod, then force-deletes it. */
    private void markFailedAndDelete(Pod pod, PodCondition condition) {
      String ns = pod.getMetadata().getNamespace();
      String name = pod.getMetadata().getName();
      LOG.info("PodGC is force deleting Pod {}", Keys.of(pod));
      try {
        String phase = Pods.phase(pod);
        if (!phase.equals("Succeeded") && !phase.equals("Failed")) {
          Pod copy = pod.deepCopy();
          if (copy.getStatus() == null) {
            copy.setStatus(new io.bosun.api.core.v1.PodStatus());
          }
          copy.getStatus().setPhase("Failed");
          if (condition != null) {
            List<PodCondition> conditions = copy.getStatus().getConditions() == null ? new ArrayList<>()
                : new ArrayList<>(copy.getStatus().getConditions());
            conditions.removeIf(c -> condition.getType().equals(c.getType()));
            conditions.add(condition.deepCopy().withLastTransitionTime(ctx.clock().instant()));
            copy.getStatus().setConditions(conditions);
          }
          client.updateStatus(copy);
        }
        client.delete(ns, name, new DeleteOptions().withGracePeriodSeconds(0L)
            .withPreconditions(new Preconditions().withUid(pod.getMetadata().getUid())));
      } catch (ClientStatusException e) {
        if (!e.isNotFound() && !e.isConflict()) {
          LOG.info("pod GC: deleting {} failed: {}", Keys.of(pod), e.getMessage());
        }
      }
    }
  }
}
