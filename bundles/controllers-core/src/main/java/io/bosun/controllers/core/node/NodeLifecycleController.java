package io.bosun.controllers.core.node;

import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import java.time.Duration;
import java.util.Objects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Upstream's node lifecycle controller ({@code pkg/controller/nodelifecycle}): watches kubelet
 * heartbeats (the node's Lease in {@code kube-node-lease} and its Ready condition). A node not
 * heard from within the grace period gets Ready (and the pressure conditions) Unknown with
 * {@code NodeStatusUnknown} / "Kubelet stopped posting node status.", its pods marked not ready,
 * and, rate limited per zone, the {@code node.kubernetes.io/unreachable} NoExecute taint
 * ({@code not-ready} when Ready is False); a healthy node loses them again. NoSchedule taints
 * follow the node's conditions and {@code spec.unschedulable}. Zones with most nodes down evict
 * slower (partial disruption) and when every node is down nothing is evicted (full disruption),
 * as upstream. Evicting the pods of tainted nodes is the {@code taint-eviction-controller}'s job.
 */
@Component(service = Controller.class, configurationPid = "io.bosun.controller.nodelifecycle",
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = NodeLifecycleController.Config.class)
public final class NodeLifecycleController implements Controller {

  /** Configuration (PID {@code io.bosun.controller.nodelifecycle}); upstream's flag names. */
  @ObjectClassDefinition(name = "Bosun node lifecycle controller")
  public @interface Config {
    @AttributeDefinition(description = "Seconds a node may go without a heartbeat before it is Unknown "
        + "(--node-monitor-grace-period).")
    long nodeMonitorGracePeriodSeconds() default 40;

    @AttributeDefinition(description = "Seconds a node that never posted status is given (--node-startup-grace-period).")
    long nodeStartupGracePeriodSeconds() default 60;

    @AttributeDefinition(description = "Milliseconds between health checks of all nodes (--node-monitor-period: 5 s).")
    long nodeMonitorPeriodMillis() default 5000;

    @AttributeDefinition(description = "Nodes tainted for eviction per second per zone (--node-eviction-rate).")
    double nodeEvictionRate() default 0.1;

    @AttributeDefinition(description = "Nodes tainted per second in a partially disrupted large zone "
        + "(--secondary-node-eviction-rate).")
    double secondaryNodeEvictionRate() default 0.01;

    @AttributeDefinition(description = "Zones with more nodes than this are large (--large-cluster-size-threshold).")
    int largeClusterSizeThreshold() default 50;

    @AttributeDefinition(description = "Fraction of not-ready nodes (of at least 3) that makes a zone partially "
        + "disrupted (--unhealthy-zone-threshold).")
    double unhealthyZoneThreshold() default 0.55;
  }

  /** Upstream's settings; see {@link Config}. */
  public record Settings(Duration gracePeriod, Duration startupGracePeriod, Duration monitorPeriod, double evictionRate,
      double secondaryEvictionRate, int largeClusterThreshold, double unhealthyZoneThreshold) {
    public Settings {
      Objects.requireNonNull(gracePeriod, "gracePeriod");
      Objects.requireNonNull(startupGracePeriod, "startupGracePeriod");
      Objects.requireNonNull(monitorPeriod, "monitorPeriod");
      if (evictionRate < 0 || secondaryEvictionRate < 0 || monitorPeriod.isNegative() || monitorPeriod.isZero()) {
        throw new IllegalArgumentException("node lifecycle: rates must not be negative, the monitor period positive");
      }
    }

    /** Upstream's defaults. */
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(40), Duration.ofSeconds(60), Duration.ofSeconds(5), 0.1, 0.01, 50, 0.55);
    }

    static Settings of(Config c) {
      return new Settings(Duration.ofSeconds(c.nodeMonitorGracePeriodSeconds()),
          Duration.ofSeconds(c.nodeStartupGracePeriodSeconds()), Duration.ofMillis(c.nodeMonitorPeriodMillis()),
          c.nodeEvictionRate(), c.secondaryNodeEvictionRate(), c.largeClusterSizeThreshold(), c.unhealthyZoneThreshold());
    }
  }

  private volatile Settings settings;

  /** For DS: upstream's defaults until configured. */
  public NodeLifecycleController() {
    this(Settings.defaults());
  }

  /** For use outside OSGi. */
  public NodeLifecycleController(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  @Activate
  void activate(Config config) {
    settings = Settings.of(config);
  }

  @Override
  public String name() {
    return "nodelifecycle";
  }

  @Override
  public void run(ControllerContext context) throws Exception {
    new NodeLifecycleRun(context, settings).run();
  }
}
