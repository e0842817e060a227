package io.bosun.scheduler.testing;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.core.Scheduler;
import io.bosun.scheduler.core.SchedulerOptions;
import io.bosun.scheduler.framework.DelegatingServices;
import io.bosun.scheduler.framework.ParallelizerImpl;
import io.bosun.scheduler.framework.ProfileManager;
import io.bosun.scheduler.spi.PluginFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A scheduling engine over a {@link FakeCluster} with test plugins, profiles rebuilt synchronously,
 * and bindings confirmed back to the engine as the pod informer would.
 */
public final class Env implements AutoCloseable {

  public final FakeClock clock = new FakeClock();
  public final FakeCluster cluster = new FakeCluster();
  public final ParallelizerImpl parallelizer;
  public final DelegatingServices services;
  public final ProfileManager profiles;
  public final Scheduler engine;
  public final Map<String, TestPlugins.TestFactory> factories = TestPlugins.standard();
  public final Map<String, Pod> pods = new ConcurrentHashMap<>();
  private final AtomicLong serviceIds = new AtomicLong();
  private final Map<String, Long> factoryIds = new ConcurrentHashMap<>();

  public Env(SchedulerOptions options, int parallelism, String profilesText, String policiesText) {
    parallelizer = new ParallelizerImpl(parallelism);
    services = new DelegatingServices(cluster, parallelizer);
    profiles = new ProfileManager(services, Runnable::run);
    profiles.setConfigAdmin(profilesText, policiesText);
    factories.values().forEach(this::install);
    engine = new Scheduler(options, clock, cluster, profiles, parallelizer, null);
    services.setDelegate(engine);
    cluster.onBind = (pod, node) -> {
      Pod before = pods.get(pod.getMetadata().getName());
      Pod after = Objects.bound(before == null ? pod : before, node);
      pods.put(after.getMetadata().getName(), after);
      engine.onPodUpdate(before == null ? pod : before, after);
    };
  }

  public Env() {
    this(SchedulerOptions.defaults().withRandomSeed(42L), 4, TestPlugins.PROFILES, TestPlugins.POLICIES);
  }

  /** Registers a factory as the DS component would. */
  public void install(PluginFactory f) {
    String name = f instanceof TestPlugins.TestFactory t ? t.name : f.toString();
    long id = serviceIds.incrementAndGet();
    factoryIds.put(name, id);
    profiles.addFactory(new ProfileManager.FactoryEntry(name, f, id, 0));
  }

  /** Unregisters the factory of {@code name}. */
  public void uninstall(String name) {
    Long id = factoryIds.remove(name);
    if (id != null) {
      profiles.removeFactory(id);
    }
  }

  public Node node(String name, String cpu) {
    Node n = Objects.node(name, cpu, "16Gi");
    engine.onNodeAdd(n);
    return n;
  }

  public Pod pod(Pod p) {
    pods.put(p.getMetadata().getName(), p);
    engine.onPodAdd(p);
    return p;
  }

  public Pod pod(String name, String cpu) {
    return pod(Objects.pod(name, cpu));
  }

  /** Runs scheduling cycles until the active queue is empty, then waits for the bindings. */
  public int drain() throws InterruptedException {
    int n = 0;
    while (engine.scheduleOne(Duration.ZERO)) {
      n++;
    }
    if (!engine.awaitBindings(Duration.ofSeconds(10))) {
      throw new AssertionError("bindings did not finish");
    }
    return n;
  }

  /** Where {@code pod} was bound, or null. */
  public String boundTo(String pod) {
    return cluster.bindings.get(pod);
  }

  /** Waits for {@code condition}, failing after {@code timeout}. */
  public static void await(Duration timeout, BooleanSupplier condition, String what) {
    await(timeout, condition, () -> what);
  }

  /** Waits for {@code condition}, failing after {@code timeout} with the message {@code what} gives then. */
  public static void await(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what.get());
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    engine.stop();
    profiles.close();
    parallelizer.close();
  }
}
