package io.bosun.controller.internal;

import static io.bosun.controller.testing.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.Event;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ApiClient;
import io.bosun.client.ListOptions;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.ResourceEventHandler;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.leaderelection.LeaderElectionConfig;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import io.bosun.controller.EventRecorder;
import io.bosun.controller.testing.TestCluster;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerManagerTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  static Path dir;
  static TestCluster cluster;
  static ApiClient client;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(dir);
    client = cluster.client("bosun-controller-manager/test");
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Copies every ConfigMap labelled copy=yes to <name>-copy; counts its runs and syncs. */
  static final class Copier implements Controller {
    final String label;
    final AtomicInteger runs = new AtomicInteger();
    final AtomicInteger syncs = new AtomicInteger();
    final AtomicInteger creates = new AtomicInteger();
    final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    final AtomicReference<List<String>> cachedAtStart = new AtomicReference<>();

    Copier(String label) {
      this.label = label;
    }

    @Override
    public String name() {
      return "copier";
    }

    @Override
    public void run(ControllerContext ctx) throws InterruptedException {
      runs.incrementAndGet();
      WorkQueue<String> queue = ctx.workQueue("copier");
      SharedIndexInformer<ConfigMap> maps = ctx.informer(ConfigMap.class);
      maps.addEventHandler(new ResourceEventHandler<>() {
        @Override
        public void onAdd(ConfigMap obj, boolean initial) {
          queue.add(Keys.of(obj));
        }

        @Override
        public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
          queue.add(Keys.of(newObj));
        }
      });
      if (!ctx.waitForCacheSync(maps)) {
        return;
      }
      cachedAtStart.set(maps.indexer().listKeys());
      ctx.runWorkers(queue, 2, key -> {
        threads.add(Thread.currentThread());
        syncs.incrementAndGet();
        ConfigMap cm = maps.indexer().getByKey(key).orElse(null);
        if (cm == null || cm.getMetadata().getLabels() == null
            || !"yes".equals(cm.getMetadata().getLabels().get("copy"))) {
          return;
        }
        String copy = cm.getMetadata().getName() + "-copy";
        if (maps.indexer().get(cm.getMetadata().getNamespace(), copy).isPresent()) {
          return;
        }
        ctx.client().resources(ConfigMap.class).create(new ConfigMap().withMetadata(new ObjectMeta()
            .withNamespace(cm.getMetadata().getNamespace()).withName(copy).withLabels(Map.of("by", label)))
            .withData(cm.getData()));
        creates.incrementAndGet();
        ctx.eventRecorder().event(cm, EventRecorder.NORMAL, "Copied", "copied to " + copy);
      });
    }
  }

  private static void createMap(String ns, String name, boolean copy) {
    client.resources(ConfigMap.class).create(new ConfigMap().withMetadata(new ObjectMeta().withNamespace(ns)
        .withName(name).withLabels(copy ? Map.of("copy", "yes") : Map.of())).withData(Map.of("k", name)));
  }

  private static boolean exists(String ns, String name) {
    return client.resources(ConfigMap.class).get(ns, name).isPresent();
  }

  @Test
  void runsControllersAndSwapsThemWithoutLosingWork() throws Exception {
    try (ControllerManager manager = new ControllerManager(client, Settings.standalone("test-1"), Clock.systemUTC())) {
      Copier first = new Copier("first");
      manager.addController(first);
      manager.start();
      assertThat(manager.isLeading()).isTrue();
      createMap("default", "a", true);
      await(WAIT, () -> exists("default", "a-copy"), "a copied");

      manager.removeController(first);
      assertThat(manager.runningControllers()).isEmpty();
      assertThat(first.threads).allMatch(t -> !t.isAlive());
      int syncsAfterStop = first.syncs.get();

      // Work arriving while no controller runs is done by the replacement.
      createMap("default", "b", true);
      Copier second = new Copier("second");
      manager.addController(second);
      await(WAIT, () -> exists("default", "b-copy"), "b copied by the replacement");
      // The replacement's cache had everything the first one wrote when it started.
      assertThat(second.cachedAtStart.get()).contains("default/a-copy");
      createMap("default", "c", true);
      await(WAIT, () -> exists("default", "c-copy"), "c copied");
      assertThat(first.syncs.get()).as("the removed controller's handlers are gone").isEqualTo(syncsAfterStop);
      await(WAIT, () -> second.creates.get() == 2, "the replacement made both copies");
      await(WAIT, () -> client.resources(Event.class).list("default", ListOptions.none()).items().stream()
          .anyMatch(e -> "Copied".equals(e.getReason()) && "copier-controller".equals(e.getSource().getComponent())),
          "an event recorded");
    }
  }

  @Test
  void closeStopsEveryThreadItStarted() throws Exception {
    Copier copier = new Copier("threads");
    LeaderElectionConfig lease = new LeaderElectionConfig("kube-system", "threads-cm", "t", Duration.ofSeconds(3),
        Duration.ofSeconds(2), Duration.ofMillis(300), true);
    ControllerManager manager = new ControllerManager(client, Settings.standalone("t").withLeaderElection(lease),
        Clock.systemUTC());
    manager.addController(copier);
    manager.start();
    await(WAIT, manager::isLeading, "leads");
    createMap("kube-public", "t1", true);
    await(WAIT, () -> exists("kube-public", "t1-copy"), "copied");
    manager.close();
    assertThat(copier.threads).isNotEmpty().allMatch(t -> !t.isAlive());
    // Platform threads of informers, handlers, queues and the elector end with the manager.
    await(WAIT, () -> Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .noneMatch(n -> n.startsWith("bosun-informer-") || n.startsWith("bosun-leader-elector-threads-cm")
            || n.startsWith("bosun-workqueue-copier")), "no informer, handler, queue or elector thread left");
  }

  @Test
  void restartsAControllerThatFails() {
    AtomicInteger runs = new AtomicInteger();
    Controller flaky = new Controller() {
      @Override
      public String name() {
        return "flaky";
      }

      @Override
      public void run(ControllerContext ctx) throws InterruptedException {
        if (runs.incrementAndGet() == 1) {
          throw new IllegalStateException("first run fails");
        }
        ctx.awaitStop(Duration.ofMinutes(5));
      }
    };
    try (ControllerManager manager = new ControllerManager(client, Settings.standalone("test-2"), Clock.systemUTC())) {
      manager.addController(flaky);
      manager.start();
      await(WAIT, () -> runs.get() == 2, "run again after the failure");
    }
  }

  @Test
  void disabledControllersDoNotRun() {
    AtomicInteger runs = new AtomicInteger();
    Controller c = new Controller() {
      @Override
      public String name() {
        return "off";
      }

      @Override
      public void run(ControllerContext ctx) {
        runs.incrementAndGet();
      }
    };
    try (ControllerManager manager = new ControllerManager(client,
        Settings.standalone("test-3").withControllers(List.of("*", "-off")), Clock.systemUTC())) {
      manager.addController(c);
      manager.start();
      assertThat(manager.runningControllers()).isEmpty();
    }
    assertThat(runs.get()).isZero();
  }

  @Test
  void onlyTheLeaderRunsControllersAndAStandbyTakesOver() throws Exception {
    LeaderElectionConfig lease = LeaderElectionConfig.defaults("kube-system", "test-cm", "x")
        .withTimings(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(300));
    Copier one = new Copier("one");
    Copier two = new Copier("two");
    ControllerManager a = new ControllerManager(client, Settings.standalone("a").withLeaderElection(
        new LeaderElectionConfig("kube-system", "test-cm", "a", lease.leaseDuration(), lease.renewDeadline(),
            lease.retryPeriod(), true)), Clock.systemUTC());
    ControllerManager b = new ControllerManager(client, Settings.standalone("b").withLeaderElection(
        new LeaderElectionConfig("kube-system", "test-cm", "b", lease.leaseDuration(), lease.renewDeadline(),
            lease.retryPeriod(), true)), Clock.systemUTC());
    try {
      a.addController(one);
      a.start();
      await(WAIT, a::isLeading, "a leads");
      b.addController(two);
      b.start();
      createMap("kube-public", "l1", true);
      await(WAIT, () -> exists("kube-public", "l1-copy"), "copied by the leader");
      assertThat(b.isLeading()).isFalse();
      assertThat(two.runs.get()).isZero();

      a.close();
      assertThat(one.threads).allMatch(t -> !t.isAlive());
      await(WAIT, b::isLeading, "b takes over");
      createMap("kube-public", "l2", true);
      await(WAIT, () -> exists("kube-public", "l2-copy"), "copied by the new leader");
      await(WAIT, () -> two.creates.get() == 1, "the new leader made the copy");
    } finally {
      a.close();
      b.close();
    }
  }
}
