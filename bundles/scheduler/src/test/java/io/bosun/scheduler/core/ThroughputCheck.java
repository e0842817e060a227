package io.bosun.scheduler.core;

import io.bosun.scheduler.testing.Env;
import io.bosun.scheduler.testing.TestPlugins;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Not a test: run by hand (-Dtest=ThroughputCheck) to see pods/s of the engine alone. */
@Tag("manual")
class ThroughputCheck {

  @Test
  void run() throws Exception {
    if (System.getProperty("throughput") == null) {
      return;
    }
    try (Env env = new Env(SchedulerOptions.defaults().withRandomSeed(1L), Runtime.getRuntime().availableProcessors(),
        TestPlugins.PROFILES, TestPlugins.POLICIES)) {
      for (int i = 0; i < 5000; i++) {
        env.node("n" + i, "32");
      }
      for (int round = 0; round < 3; round++) {
        int n = 10000;
        for (int i = 0; i < n; i++) {
          env.pod("p" + round + "-" + i, "10m");
        }
        long t0 = System.nanoTime();
        env.drain();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("round %d: %d pods in %.2f s = %.0f pods/s%n", round, n, s, n / s);
      }
    }
  }
}
