package io.bosun.scheduler.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.scheduler.framework.ProfileSet;
import io.bosun.scheduler.queue.QueuedPod;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.testing.Env;
import io.bosun.scheduler.testing.FakeCluster;
import io.bosun.scheduler.testing.Objects;
import io.bosun.scheduler.testing.TestPlugins;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HotSwapTest {

  private static final String TEST = "- {schedulerName: default-scheduler, policy: test}";
  private static final String PACK = "- {schedulerName: default-scheduler, policy: pack}";

  @Test
  void aMissingPluginMakesPodsWaitWithAClearReasonAndTheyResumeWhenItArrives() throws Exception {
    try (Env env = new Env()) {
      env.node("n1", "8");
      env.uninstall("DefaultBinder");
      assertThat(env.profiles.current().isReady("default-scheduler")).isFalse();
      env.pod("a", "1");
      env.pod("b", "1");
      env.drain();
      String msg = "plugin DefaultBinder of profile default-scheduler is not installed";
      for (String p : List.of("a", "b")) {
        assertThat(env.boundTo(p)).isNull();
        assertThat(env.cluster.events(p, "FailedScheduling")).singleElement()
            .satisfies(e -> assertThat(e.message()).isEqualTo(msg));
        assertThat(env.engine.queue().stateOf("uid-" + p)).isEqualTo(QueuedPod.State.UNSCHEDULABLE);
      }
      Env.await(Duration.ofSeconds(5), () -> env.cluster.lastStatus("a") != null && env.cluster.lastStatus("b") != null,
          "conditions written");
      FakeCluster.StatusRecord s = env.cluster.lastStatus("a");
      assertThat(s.condition().getReason()).isEqualTo("SchedulerError");
      assertThat(s.condition().getMessage()).isEqualTo(msg);

      // cluster events do not wake them: only the profiles can help
      env.node("n2", "8");
      env.clock.advance(Duration.ofSeconds(30));
      env.engine.queue().flushBackoffCompleted();
      assertThat(env.drain()).isZero();

      env.install(env.factories.get("DefaultBinder"));
      assertThat(env.drain()).isEqualTo(2);
      assertThat(env.boundTo("a")).isNotNull();
      assertThat(env.boundTo("b")).isNotNull();
      assertThat(env.engine.queue().size()).isZero();
    }
  }

  @Test
  void aCycleInProgressFinishesWithThePluginsItStartedWith() throws Exception {
    String withLatch = """
        - schedulerName: default-scheduler
          policy: test
          plugins:
            filter:
              enabled: [Latch]
        """;
    try (Env env = new Env(SchedulerOptions.defaults().withRandomSeed(1L), 1, withLatch, TestPlugins.POLICIES)) {
      env.node("n1", "8");
      env.pod("first", "1");
      ProfileSet before = env.profiles.current();
      TestPlugins.Latch latch = (TestPlugins.Latch) env.factories.get("Latch").last();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread cycle = Thread.ofPlatform().start(() -> {
        try {
          env.engine.scheduleOne(Duration.ZERO);
        } catch (Throwable t) {
          failure.set(t);
        }
      });
      assertThat(latch.entered.await(10, TimeUnit.SECONDS)).isTrue();

      // swap mid-cycle: the new profile has no Latch
      env.profiles.setConfigAdmin(TEST, TestPlugins.POLICIES);
      assertThat(env.profiles.current()).isNotSameAs(before);
      assertThat(env.profiles.current().get("default-scheduler").plugins()).doesNotContainKey("Latch");
      assertThat(latch.closed).as("still in use by the running cycle").isFalse();
      assertThat(before.isClosed()).isFalse();

      latch.release.countDown();
      cycle.join(10_000);
      assertThat(failure.get()).isNull();
      assertThat(env.engine.awaitBindings(Duration.ofSeconds(10))).isTrue();
      assertThat(env.boundTo("first")).isEqualTo("n1");
      assertThat(before.isClosed()).isTrue();
      assertThat(latch.closed).as("closed once its last cycle ended").isTrue();
      // plugins of the old set that the new one does not reuse are closed too; reused ones are not
      for (Map.Entry<String, Plugin> e : before.get("default-scheduler").plugins().entrySet()) {
        assertThat(((TestPlugins.Base) e.getValue()).closed).as(e.getKey()).isTrue();
      }

      env.pod("second", "1");
      env.drain();
      assertThat(env.boundTo("second")).isEqualTo("n1");
      assertThat(env.factories.get("Latch").created).hasSize(1);
    }
  }

  @Test
  void anUnchangedProfileKeepsItsPluginInstances() {
    try (Env env = new Env()) {
      ProfileSet a = env.profiles.current();
      env.install(new TestPlugins.TestFactory("Unused", (x, h) -> new TestPlugins.Flat()));
      env.profiles.setConfigAdmin(TEST, TestPlugins.POLICIES);
      assertThat(env.profiles.current()).isSameAs(a);
      env.profiles.setConfigAdmin(PACK, TestPlugins.POLICIES);
      assertThat(env.profiles.current()).isNotSameAs(a);
      assertThat(a.isClosed()).isTrue();
    }
  }

  @Test
  void policySwapChangesPlacementAtTheNextCycle() throws Exception {
    try (Env env = new Env()) {
      for (int i = 1; i <= 3; i++) {
        env.node("n" + i, "4");
      }
      // LeastAllocated spreads: three pods on three nodes
      for (int i = 0; i < 3; i++) {
        env.pod("spread-" + i, "1");
        env.drain();
      }
      assertThat(List.of(env.boundTo("spread-0"), env.boundTo("spread-1"), env.boundTo("spread-2")))
          .containsExactlyInAnyOrder("n1", "n2", "n3");

      env.profiles.setConfigAdmin(PACK, TestPlugins.POLICIES);
      for (int i = 0; i < 3; i++) {
        env.pod("pack-" + i, "1");
        env.drain();
      }
      String first = env.boundTo("pack-0");
      assertThat(env.boundTo("pack-1")).as("MostAllocated packs onto the fullest node").isEqualTo(first);
      assertThat(env.boundTo("pack-2")).isEqualTo(first);

      env.profiles.setConfigAdmin(TEST, TestPlugins.POLICIES);
      env.pod("back", "1");
      env.drain();
      assertThat(env.boundTo("back")).isNotEqualTo(first);
    }
  }

  /**
   * The engine runs on its own threads while 1000 pods stream in and, concurrently, the policy flips
   * between test and pack and plugins are uninstalled and reinstalled: every pod ends bound exactly
   * once and nothing is left in the queue or assumed.
   */
  @Test
  void aStreamOfPodsSurvivesSwapsAndPluginChurn() throws Exception {
    SchedulerOptions fast = SchedulerOptions.defaults().withRandomSeed(5L)
        .withQueue(new io.bosun.scheduler.queue.SchedulingQueue.Options(Duration.ofMillis(5), Duration.ofMillis(20),
            Duration.ofSeconds(1)));
    try (Env env = new Env(fast, 2, TestPlugins.PROFILES, TestPlugins.POLICIES)) {
      env.clock.advance(Duration.ZERO);
      for (int i = 0; i < 20; i++) {
        env.node("n" + i, "64");
      }
      // real time for backoff in this test
      Env realEnv = env;
      AtomicBoolean stop = new AtomicBoolean();
      AtomicBoolean stopClock = new AtomicBoolean();
      Thread clockTicker = Thread.ofPlatform().daemon().start(() -> {
        while (!stopClock.get()) {
          realEnv.clock.advance(Duration.ofMillis(5));
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      env.engine.start();
      int total = 1000;
      java.util.concurrent.atomic.AtomicInteger swaps = new java.util.concurrent.atomic.AtomicInteger();
      Thread swapper = Thread.ofPlatform().start(() -> {
        Random r = new Random(1);
        int i = 0;
        while (!stop.get()) {
          swaps.incrementAndGet();
          switch (i++ % 4) {
            case 0 -> env.profiles.setConfigAdmin(r.nextBoolean() ? PACK : TEST, TestPlugins.POLICIES);
            case 1 -> env.uninstall("DefaultBinder");
            case 2 -> env.install(env.factories.get("DefaultBinder"));
            default -> {
              env.uninstall("NodeResourcesFit");
              env.install(env.factories.get("NodeResourcesFit"));
            }
          }
          Thread.onSpinWait();
          try {
            Thread.sleep(3);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      for (int i = 0; i < total; i++) {
        env.pod("p" + i, "10m");
        if (i % 5 == 0) {
          Thread.sleep(1);
        }
      }
      // let the churn run a little after the last pod, then settle with everything installed
      Env.await(Duration.ofSeconds(30), () -> env.cluster.bindings.size() > total / 2 && swaps.get() >= 100,
          "half the pods bound and 100 swaps");
      long generations = env.profiles.current().generation();
      stop.set(true);
      swapper.join();
      env.install(env.factories.get("DefaultBinder"));
      env.install(env.factories.get("NodeResourcesFit"));
      env.profiles.setConfigAdmin(TEST, TestPlugins.POLICIES);
      Env.await(Duration.ofSeconds(60), () -> env.cluster.bindings.size() == total,
          () -> "all pods bound: " + env.cluster.bindings.size() + "/" + total + ", queue " + env.engine.queue().pendingCounts());
      stopClock.set(true);
      clockTicker.join();
      assertThat(env.engine.awaitBindings(Duration.ofSeconds(10))).isTrue();
      Map<String, Integer> attempts = new HashMap<>(env.cluster.bindAttempts);
      assertThat(attempts).hasSize(total);
      assertThat(attempts.values()).as("every pod bound exactly once, never twice").allMatch(n -> n == 1);
      assertThat(env.engine.queue().size()).as(() -> "left in the queue: " + env.engine.queue().pendingCounts())
          .isZero();
      assertThat(env.engine.cache().assumedCount()).isZero();
      assertThat(env.engine.cache().podCount()).isEqualTo(total);
      assertThat(generations).as("profile generations during the stream").isGreaterThan(50);
      // swaps happened: some pods waited for a missing plugin and resumed
      assertThat(env.cluster.events.stream().filter(e -> e.message().contains("is not installed")).count())
          .isGreaterThan(0);
    }
  }
}
