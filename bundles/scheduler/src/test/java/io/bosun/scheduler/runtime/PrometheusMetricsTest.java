package io.bosun.scheduler.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.scheduler.testing.Env;
import io.bosun.scheduler.testing.Objects;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {

  private static Map<String, Double> gauge(MetricSnapshots snaps, String name) {
    Map<String, Double> out = new HashMap<>();
    for (MetricSnapshot m : snaps) {
      if (m.getMetadata().getPrometheusName().equals(name)) {
        for (DataPointSnapshot d : m.getDataPoints()) {
          out.put(d.getLabels().toString(), ((GaugeSnapshot.GaugeDataPointSnapshot) d).getValue());
        }
      }
    }
    return out;
  }

  @Test
  void exposesAttemptsPendingPodsAndTheActivePluginSet() throws Exception {
    try (Env env = new Env()) {
      PrometheusRegistry registry = new PrometheusRegistry();
      PrometheusMetrics m = new PrometheusMetrics(registry, () -> env.engine, env.profiles, () -> true);
      m.attempt("scheduled", "default-scheduler", 0.01);
      env.engine.onPodAdd(Objects.pod("p", "1"));
      MetricSnapshots s = registry.scrape();
      assertThat(s.stream().map(x -> x.getMetadata().getPrometheusName())).contains("scheduler_schedule_attempts",
          "scheduler_scheduling_attempt_duration_seconds", "scheduler_pending_pods", "bosun_scheduler_profile_plugin",
          "bosun_scheduler_profile_ready", "bosun_scheduler_leader");
      assertThat(gauge(s, "scheduler_pending_pods")).containsEntry("{queue=\"active\"}", 1.0);
      assertThat(gauge(s, "bosun_scheduler_profile_plugin"))
          .containsEntry("{extension_point=\"score\",plugin=\"NodeResourcesFit\",profile=\"default-scheduler\"}", 1.0)
          .containsEntry("{extension_point=\"bind\",plugin=\"DefaultBinder\",profile=\"default-scheduler\"}", 1.0)
          .containsEntry("{extension_point=\"queueSort\",plugin=\"PrioritySort\",profile=\"default-scheduler\"}", 1.0);
      assertThat(gauge(s, "bosun_scheduler_profile_ready")).containsEntry("{profile=\"default-scheduler\"}", 1.0);
      m.unregister();
      assertThat(registry.scrape().size()).isZero();
    }
  }
}
