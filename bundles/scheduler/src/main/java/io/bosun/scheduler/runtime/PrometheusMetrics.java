package io.bosun.scheduler.runtime;

import io.bosun.scheduler.core.Scheduler;
import io.bosun.scheduler.core.SchedulerMetrics;
import io.bosun.scheduler.framework.Framework;
import io.bosun.scheduler.framework.ProfileManager;
import io.bosun.scheduler.framework.ProfileSet;
import io.bosun.scheduler.spi.ExtensionPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The scheduler's metrics in the runtime's shared Prometheus registry: upstream's
 * {@code scheduler_schedule_attempts_total{result,profile}},
 * {@code scheduler_scheduling_attempt_duration_seconds{result,profile}} and
 * {@code scheduler_pending_pods{queue}}, plus Bosun's {@code bosun_scheduler_profile_plugin{profile,
 * extension_point,plugin}} (1 per active plugin; the weight for score plugins),
 * {@code bosun_scheduler_profile_ready{profile}} and {@code bosun_scheduler_leader}. Registered while
 * the registry service is bound; unregistered when it leaves or the scheduler stops.
 */
final class PrometheusMetrics implements SchedulerMetrics {

  private static final double[] BUCKETS = {0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512,
      1.024, 2.048, 4.096, 8.192, 16.384};

  private final PrometheusRegistry registry;
  private final Counter attempts;
  private final Histogram duration;
  private final List<Collector> collectors;

  PrometheusMetrics(PrometheusRegistry registry, Supplier<Scheduler> engine, ProfileManager profiles,
      BooleanSupplier leading) {
    this.registry = registry;
    attempts = Counter.builder().name("scheduler_schedule_attempts_total")
        .help("Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be "
            + "scheduled, while 'error' means an internal scheduler problem.")
        .labelNames("result", "profile").build();
    duration = Histogram.builder().name("scheduler_scheduling_attempt_duration_seconds")
        .help("Scheduling attempt latency in seconds (scheduling algorithm + binding)")
        .labelNames("result", "profile").classicOnly().classicUpperBounds(BUCKETS).build();
    GaugeWithCallback pending = GaugeWithCallback.builder().name("scheduler_pending_pods")
        .help("Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means "
            + "number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods; 'gated' means "
            + "number of gated pods.")
        .labelNames("queue")
        .callback(cb -> {
          Scheduler s = engine.get();
          Map<String, Integer> counts = s == null ? Map.of("active", 0, "backoff", 0, "unschedulable", 0, "gated", 0)
              : s.queue().pendingCounts();
          counts.forEach((q, n) -> cb.call(n, q));
        }).build();
    GaugeWithCallback plugins = GaugeWithCallback.builder().name("bosun_scheduler_profile_plugin")
        .help("Active plugins of each scheduler profile per extension point: 1, or the weight for score plugins.")
        .labelNames("profile", "extension_point", "plugin")
        .callback(cb -> {
          ProfileSet set = profiles.current();
          if (set == null) {
            return;
          }
          for (Framework f : set.frameworks().values()) {
            if (!set.isReady(f.profileName())) {
              continue;
            }
            f.pluginNames().forEach((ep, names) -> names.forEach(n ->
                cb.call(ep == ExtensionPoint.SCORE ? f.scoreWeight(n) : 1, f.profileName(), ep.configKey(), n)));
          }
        }).build();
    GaugeWithCallback ready = GaugeWithCallback.builder().name("bosun_scheduler_profile_ready")
        .help("1 if the scheduler profile can schedule, 0 if its pods wait (e.g. a plugin is not installed).")
        .labelNames("profile")
        .callback(cb -> {
          ProfileSet set = profiles.current();
          if (set != null) {
            set.frameworks().keySet().forEach(n -> cb.call(set.isReady(n) ? 1 : 0, n));
          }
        }).build();
    GaugeWithCallback leader = GaugeWithCallback.builder().name("bosun_scheduler_leader")
        .help("1 if this scheduler instance holds the leader lease and schedules.")
        .callback(cb -> cb.call(leading.getAsBoolean() ? 1 : 0)).build();
    this.collectors = List.of(attempts, duration, pending, plugins, ready, leader);
    for (Collector c : collectors) {
      registry.register(c);
    }
  }

  @Override
  public void attempt(String result, String profile, double seconds) {
    attempts.labelValues(result, profile).inc();
    duration.labelValues(result, profile).observe(seconds);
  }

  void unregister() {
    for (Collector c : collectors) {
      try {
        registry.unregister(c);
      } catch (RuntimeException e) {
        // already gone
      }
    }
  }
}
