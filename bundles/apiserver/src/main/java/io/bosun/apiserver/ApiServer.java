package io.bosun.apiserver;

import io.bosun.api.codec.ApiCodec;
import io.bosun.api.defaulting.Defaulter;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.validation.Validator;
import io.bosun.apiserver.admission.AdmissionPlugin;
import io.bosun.apiserver.admission.NamespaceLifecycle;
import io.bosun.apiserver.admission.Priority;
import io.bosun.apiserver.admission.ServiceAccounts;
import io.bosun.apiserver.discovery.Discovery;
import io.bosun.apiserver.http.ApiHandler;
import io.bosun.apiserver.http.Health;
import io.bosun.apiserver.http.Routes;
import io.bosun.apiserver.metrics.ApiMetrics;
import io.bosun.apiserver.registry.ResourceRegistry;
import io.bosun.apiserver.registry.kinds.Strategies;
import io.bosun.apiserver.rest.Renderer;
import io.bosun.apiserver.rest.Resources;
import io.bosun.apiserver.storage.ObjectStorage;
import io.bosun.apiserver.watch.WatchHandler;
import io.bosun.store.spi.KeyValueStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server: Jetty serving the Kubernetes REST API over one key-value store. Plain Java so
 * tests and tools can run it without OSGi; {@link ApiServerComponent} runs it as a DS component.
 */
public final class ApiServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  /** What an API server needs to know besides its store. */
  public record Settings(String host, int port, long maxRequestBodyBytes, Duration minRequestTimeout,
      Duration bookmarkInterval, String serviceClusterIpRange, String serviceNodePortRange, String version) {

    /** Loopback, the given port (0 = any free one), upstream's limits and timeouts. */
    public static Settings defaults(int port) {
      return new Settings("127.0.0.1", port, 3L * 1024 * 1024, Duration.ofMinutes(30), Duration.ofMinutes(1),
          "10.96.0.0/12", "30000-32767", "dev");
    }
  }

  private final ApiMetrics metrics;
  private final ObjectStorage storage;
  private final ResourceRegistry registry;
  private final WatchHandler watches;
  private final ExecutorService executor;
  private final Server server;
  private final ServerConnector connector;
  private final Bootstrap bootstrap;
  private final Routes routes = new Routes();
  private volatile boolean bootstrapped;

  public ApiServer(KeyValueStore store, PrometheusRegistry prometheus, Settings settings) {
    Clock clock = Clock.systemUTC();
    ApiCodec codec = new ApiCodec();
    ApiSchema schema = ApiSchema.load();
    metrics = new ApiMetrics(prometheus);
    storage = new ObjectStorage(store, codec.mapper(), metrics);
    registry = new ResourceRegistry(schema, Strategies.all(3600));
    Renderer renderer = new Renderer(codec, Adapters.tables(schema, clock));
    List<AdmissionPlugin> admission = new ArrayList<>(List.of(new NamespaceLifecycle(), new ServiceAccounts(),
        new Priority()));
    admission.add(new io.bosun.apiserver.admission.ServiceAllocation(store, settings.serviceClusterIpRange(),
        settings.serviceNodePortRange()));
    Resources resources = new Resources(registry, storage, codec, schema, new Defaulter(), new Validator(), renderer,
        Adapters.patching(schema), admission, clock);
    watches = new WatchHandler(storage, resources, renderer, metrics, settings.bookmarkInterval(),
        settings.minRequestTimeout());
    bootstrap = new Bootstrap(registry, storage, clock);
    Health health = new Health()
        .addLive("ping", () -> true)
        .addLive("etcd", () -> store.revision() >= 0)
        .addReady("poststarthook/bootstrap", () -> bootstrapped);

    executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("apiserver-", 0).factory());
    QueuedThreadPool pool = new QueuedThreadPool(32, 4);
    pool.setName("apiserver-jetty");
    server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(true);
    // The selector accepts (no acceptor thread), and close() closes the listening channel before
    // stopping Jetty: a connection accepted while Jetty stops is otherwise lost, its socket left
    // open with the request unread and its client waiting forever. An acceptor thread is stopped
    // by interrupting it, and accept() interrupted as it completes throws ClosedByInterruptException
    // and drops the new socket; selector accepts alone keep accepting while the selector stops.
    connector = new ServerConnector(server, 0, 1, new HttpConnectionFactory(http));
    connector.setHost(settings.host());
    connector.setPort(settings.port());
    // Watches are idle for long stretches; they end on their own timeout, not the connector's.
    connector.setIdleTimeout(TimeUnit.MINUTES.toMillis(65));
    server.addConnector(connector);
    server.setHandler(new ApiHandler(executor, registry, resources, watches,
        new Discovery(registry, codec.mapper(), settings.version()), Adapters.openApi(schema, registry), health,
        codec, metrics, prometheus, settings.maxRequestBodyBytes(), routes));
    server.setStopTimeout(5000);
  }

  /** Starts serving; returns once the port is bound. The bootstrap objects follow right after. */
  public ApiServer start() throws Exception {
    server.start();
    LOG.info("Bosun API server listening on http://{}:{}", connector.getHost(), connector.getLocalPort());
    executor.execute(this::bootstrap);
    return this;
  }

  private void bootstrap() {
    for (int attempt = 0; !bootstrapped; attempt++) {
      try {
        bootstrap.run();
        bootstrapped = true;
      } catch (RuntimeException e) {
        LOG.warn("Bootstrap attempt {} failed; retrying: {}", attempt + 1, e.getMessage());
        try {
          Thread.sleep(Math.min(5000, 100L << Math.min(attempt, 6)));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** The extra routes of other bundles; add and remove them while the server runs. */
  public Routes routes() {
    return routes;
  }

  /** The bound port. */
  public int port() {
    return connector.getLocalPort();
  }

  public boolean ready() {
    return bootstrapped;
  }

  @Override
  public void close() {
    // Stop accepting before anything else (see the connector in the constructor).
    if (connector.getTransport() instanceof java.nio.channels.ServerSocketChannel listening) {
      try {
        listening.close();
      } catch (java.io.IOException e) {
        LOG.debug("Closing the listening socket", e);
      }
    }
    watches.closeAll();
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("Error stopping Jetty", e);
    }
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("API server requests still running after 10s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    metrics.close();
  }
}
