package io.bosun.scheduler.runtime;

import io.bosun.client.ApiClient;
import io.bosun.client.ClientConfig;
import io.bosun.client.informer.SharedInformerFactory;
import io.bosun.scheduler.core.SchedulerMetrics;
import io.bosun.scheduler.core.SchedulerOptions;
import io.bosun.scheduler.framework.DelegatingServices;
import io.bosun.scheduler.framework.ParallelizerImpl;
import io.bosun.scheduler.framework.ProfileManager;
import io.bosun.scheduler.spi.PluginFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler as {@link SchedulerComponent} assembles it, without OSGi: its own API client and
 * informers, the cluster port (bindings, events, status writes), the profile manager with the given
 * plugin factories, and the runtime that watches the profiles ConfigMap and writes the status
 * ConfigMap. No leader election (one instance).
 *
 * <p>This class lives in the scheduler's runtime package (a split package: fine on the benchmark's
 * plain class path, never deployed), as the scheduler's own runtime tests do. The scheduler offers no
 * public way to assemble it outside OSGi: its only public entry, {@link SchedulerComponent}, is
 * activated and given plugins through package-private DS methods and an injected private field, and
 * {@link SchedulerRuntime}, {@link ClientClusterPort} and {@link RuntimeSettings} are package-private.
 * An engine built from the public classes ({@code core.Scheduler} over a cluster port of our own) would
 * measure a copy of this wiring instead of the scheduler's; here the compiler checks every call.
 */
public final class BenchScheduler implements AutoCloseable {

  private final ApiClient client;
  private final SharedInformerFactory informers;
  private final ClientClusterPort port;
  private final ParallelizerImpl parallelizer;
  private final ExecutorService rebuilds;
  private final ProfileManager profiles;
  private final SchedulerRuntime runtime;

  /**
   * Starts a scheduler against {@code url}.
   *
   * @param factories   plugin name to factory, as the DS references would deliver them
   * @param parallelism filter/score threads (the component's default: available processors)
   * @param metrics     receives every scheduling attempt
   */
  public BenchScheduler(String url, Map<String, PluginFactory> factories, int parallelism, SchedulerMetrics metrics) {
    String identity = "bench-scheduler";
    client = ApiClient.create(ClientConfig.forServer(url).withUserAgent(SchedulerComponent.USER_AGENT)
        .withRequestTimeout(Duration.ofSeconds(60)));
    informers = new SharedInformerFactory(client);
    port = new ClientClusterPort(client, informers, identity, Clock.systemUTC());
    parallelizer = new ParallelizerImpl(parallelism);
    DelegatingServices services = new DelegatingServices(port, parallelizer);
    rebuilds = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("bosun-scheduler-profiles").factory());
    profiles = new ProfileManager(services, rebuilds);
    long id = 0;
    for (var f : factories.entrySet()) {
      profiles.addFactory(new ProfileManager.FactoryEntry(f.getKey(), f.getValue(), ++id, 0));
    }
    profiles.setConfigAdmin(null, null); // the built-in default profile; the profiles ConfigMap wins when present
    RuntimeSettings settings = new RuntimeSettings(SchedulerOptions.defaults(), false, "kube-system", "bosun-scheduler",
        Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2), identity,
        "kube-system/bosun-scheduler-profiles", "kube-system/bosun-scheduler");
    runtime = new SchedulerRuntime(settings, client, informers, port, profiles, services, parallelizer, metrics,
        Clock.systemUTC());
    runtime.start();
  }

  /** Waits until the engine runs (its cache holds every node and bound pod). */
  public boolean awaitRunning(Duration timeout) {
    return runtime.awaitEngine(timeout);
  }

  /** The current profile generation (0 before the first). */
  public long generation() {
    var set = profiles.current();
    return set == null ? 0 : set.generation();
  }

  /** Pods waiting in the scheduling queue, by part (active, backoff, unschedulable, gated). */
  public String queueSummary() {
    var engine = runtime.engine();
    return engine == null ? "no engine" : engine.queue().pendingCounts().toString();
  }

  @Override
  public void close() throws InterruptedException {
    runtime.close();
    profiles.close();
    rebuilds.shutdown();
    rebuilds.awaitTermination(10, TimeUnit.SECONDS);
    informers.close();
    port.close();
    parallelizer.close();
    client.close();
  }
}
