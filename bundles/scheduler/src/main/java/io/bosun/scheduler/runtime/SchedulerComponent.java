package io.bosun.scheduler.runtime;

import io.bosun.client.ApiClient;
import io.bosun.client.informer.SharedInformerFactory;
import io.bosun.scheduler.core.Scheduler;
import io.bosun.scheduler.core.SchedulerMetrics;
import io.bosun.scheduler.framework.DelegatingServices;
import io.bosun.scheduler.framework.ParallelizerImpl;
import io.bosun.scheduler.framework.ProfileManager;
import io.bosun.scheduler.spi.PluginFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler as a Declarative Services component (configuration PID {@value #PID}; works
 * without configuration).
 *
 * <ul>
 *   <li>Plugin factories ({@link PluginFactory} services with {@value PluginFactory#PLUGIN_NAME})
 *       arrive and leave through a dynamic, multiple, greedy reference keyed by name; each change
 *       rebuilds the affected profiles for the next scheduling cycle.</li>
 *   <li>{@code profiles}/{@code policies} changes are applied live ({@link Modified}); other keys
 *       restart the leader election and engine (the queue and cache are rebuilt from the API).</li>
 *   <li>The Prometheus registry is optional and dynamic: metrics are registered while it is
 *       present.</li>
 *   <li>It talks to the API server with its own client (user agent {@value #USER_AGENT}) made from
 *       the {@link ApiClient} service's configuration.</li>
 * </ul>
 */
@Component(configurationPid = SchedulerComponent.PID, service = {})
@Designate(ocd = SchedulerConfig.class)
public final class SchedulerComponent {

  private static final Logger LOG = LoggerFactory.getLogger(SchedulerComponent.class);

  /** The configuration PID. */
  public static final String PID = "io.bosun.scheduler";
  /** The user agent (and field manager) of the scheduler's writes. */
  public static final String USER_AGENT = "bosun-scheduler/0.1.0";

  private final Map<Long, ProfileManager.FactoryEntry> factories = new ConcurrentHashMap<>();
  private final Clock clock = Clock.systemUTC();
  /** The Lease holder identity unless configured: one per framework (process), as upstream's per-process one. */
  private String defaultIdentity;
  private final MetricsHolder metrics = new MetricsHolder();
  private volatile ProfileManager profiles;
  private ApiClient client;
  private SharedInformerFactory informers;
  private ClientClusterPort port;
  private ParallelizerImpl parallelizer;
  private DelegatingServices services;
  private ExecutorService rebuilds;
  private volatile SchedulerRuntime runtime;
  private RuntimeSettings settings;
  private volatile PrometheusRegistry registry;
  private PrometheusMetrics prometheus;

  @Reference
  private ApiClient apiClient;

  @Activate
  void activate(SchedulerConfig config, BundleContext context) {
    // Stable across re-activations in this framework (a new ApiClient service, a bundle update): the
    // new instance renews its own Lease at once instead of waiting for a stranger's to expire.
    defaultIdentity = identity(context.getProperty(Constants.FRAMEWORK_UUID));
    RuntimeSettings s = RuntimeSettings.of(config, defaultIdentity);
    client = ApiClient.create(apiClient.config().withUserAgent(USER_AGENT));
    informers = new SharedInformerFactory(client);
    port = new ClientClusterPort(client, informers, s.identity(), clock);
    parallelizer = new ParallelizerImpl(config.parallelism() > 0 ? config.parallelism()
        : Runtime.getRuntime().availableProcessors());
    services = new DelegatingServices(port, parallelizer);
    rebuilds = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("bosun-scheduler-profiles").factory());
    ProfileManager pm = new ProfileManager(services, rebuilds);
    factories.values().forEach(pm::addFactory);
    profiles = pm;
    pm.setConfigAdmin(config.profiles(), config.policies());
    startRuntime(s);
    registerMetrics();
  }

  @Modified
  void modified(SchedulerConfig config) {
    profiles.setConfigAdmin(config.profiles(), config.policies());
    RuntimeSettings s = RuntimeSettings.of(config, defaultIdentity);
    if (!s.equals(settings)) {
      LOG.info("Scheduler settings changed: restarting the engine");
      SchedulerRuntime old = runtime;
      runtime = null;
      if (old != null) {
        old.close();
      }
      startRuntime(s);
    }
  }

  private void startRuntime(RuntimeSettings s) {
    settings = s;
    SchedulerRuntime r = new SchedulerRuntime(s, client, informers, port, profiles, services, parallelizer, metrics,
        clock);
    runtime = r;
    r.start();
  }

  @Deactivate
  void deactivate() {
    unregisterMetrics();
    SchedulerRuntime r = runtime;
    runtime = null;
    if (r != null) {
      r.close();
    }
    ProfileManager pm = profiles;
    profiles = null;
    if (pm != null) {
      pm.close();
    }
    rebuilds.shutdown();
    try {
      rebuilds.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    informers.close();
    port.close();
    parallelizer.close();
    client.close();
  }

  // ---- plugin factories ----------------------------------------------------------------------

  @Reference(service = PluginFactory.class, cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
      updated = "updatedPluginFactory", unbind = "unbindPluginFactory")
  void bindPluginFactory(PluginFactory factory, Map<String, Object> props) {
    ProfileManager.FactoryEntry e = entry(factory, props);
    if (e == null) {
      return;
    }
    factories.put(e.serviceId(), e);
    ProfileManager pm = profiles;
    if (pm != null) {
      pm.addFactory(e);
    }
    LOG.info("Scheduler plugin {} arrived", e.name());
  }

  void updatedPluginFactory(PluginFactory factory, Map<String, Object> props) {
    long id = serviceId(props);
    factories.remove(id);
    ProfileManager pm = profiles;
    if (pm != null) {
      pm.removeFactory(id);
    }
    bindPluginFactory(factory, props);
  }

  void unbindPluginFactory(PluginFactory factory, Map<String, Object> props) {
    long id = serviceId(props);
    ProfileManager.FactoryEntry e = factories.remove(id);
    ProfileManager pm = profiles;
    if (pm != null) {
      pm.removeFactory(id);
    }
    if (e != null) {
      LOG.info("Scheduler plugin {} left", e.name());
    }
  }

  private static ProfileManager.FactoryEntry entry(PluginFactory factory, Map<String, Object> props) {
    Object name = props.get(PluginFactory.PLUGIN_NAME);
    if (!(name instanceof String n) || n.isBlank()) {
      LOG.warn("Ignoring a scheduler PluginFactory without the {} property: {}", PluginFactory.PLUGIN_NAME, factory);
      return null;
    }
    Object ranking = props.get(Constants.SERVICE_RANKING);
    return new ProfileManager.FactoryEntry(n.strip(), factory, serviceId(props),
        ranking instanceof Integer i ? i : 0);
  }

  private static long serviceId(Map<String, Object> props) {
    return ((Number) Objects.requireNonNull(props.get(Constants.SERVICE_ID), "service.id")).longValue();
  }

  // ---- metrics -------------------------------------------------------------------------------

  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindRegistry")
  synchronized void bindRegistry(PrometheusRegistry r) {
    unregisterMetrics();
    registry = r;
    if (profiles != null) {
      registerMetrics();
    }
  }

  synchronized void unbindRegistry(PrometheusRegistry r) {
    if (registry == r) {
      unregisterMetrics();
      registry = null;
    }
  }

  private synchronized void registerMetrics() {
    PrometheusRegistry r = registry;
    if (r == null || prometheus != null || profiles == null) {
      return;
    }
    try {
      prometheus = new PrometheusMetrics(r, () -> {
        SchedulerRuntime rt = runtime;
        return rt == null ? null : rt.engine();
      }, profiles, () -> {
        SchedulerRuntime rt = runtime;
        return rt != null && rt.isLeading();
      });
      metrics.delegate = prometheus;
    } catch (RuntimeException e) {
      LOG.warn("Could not register the scheduler metrics: {}", e.toString());
    }
  }

  private synchronized void unregisterMetrics() {
    if (prometheus != null) {
      metrics.delegate = SchedulerMetrics.NOOP;
      prometheus.unregister();
      prometheus = null;
    }
  }

  /** The engine's metrics sink, switched as the registry comes and goes. */
  private static final class MetricsHolder implements SchedulerMetrics {
    volatile SchedulerMetrics delegate = SchedulerMetrics.NOOP;

    @Override
    public void attempt(String result, String profile, double seconds) {
      delegate.attempt(result, profile, seconds);
    }
  }

  // ---- views for tests -----------------------------------------------------------------------

  Scheduler engine() {
    SchedulerRuntime r = runtime;
    return r == null ? null : r.engine();
  }

  ProfileManager profiles() {
    return profiles;
  }

  private static String identity(String frameworkUuid) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "bosun";
    }
    String id = frameworkUuid == null || frameworkUuid.isBlank() ? UUID.randomUUID().toString() : frameworkUuid;
    return host + "_" + id.substring(0, Math.min(8, id.length()));
  }
}
