package io.bosun.client;

import io.bosun.apiserver.ApiServer;
import io.bosun.store.embedded.EmbeddedStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A real API server over an embedded store in a temporary folder. The server can be stopped and
 * started again on the same port over the same store, and a second server can share the store,
 * so tests can change state while a client's watches are down.
 */
public final class TestCluster implements AutoCloseable {

  /** Thread name prefixes of every thread this bundle starts. */
  public static final List<String> CLIENT_THREADS = List.of("bosun-client-", "bosun-informer-", "bosun-workqueue-",
      "bosun-leader-elector-");

  public final EmbeddedStore store;
  private ApiServer server;
  private final int port;

  public TestCluster(Path dir) throws Exception {
    store = new EmbeddedStore(EmbeddedStore.Options.defaults(dir).withFsync(false));
    server = startServer(0);
    port = server.port();
  }

  /** Starts another API server over this cluster's store; port 0 for any free one. Bookmarks every second. */
  public ApiServer startServer(int port) throws Exception {
    ApiServer.Settings d = ApiServer.Settings.defaults(port);
    ApiServer s = new ApiServer(store, new PrometheusRegistry(), new ApiServer.Settings(d.host(), port,
        d.maxRequestBodyBytes(), d.minRequestTimeout(), Duration.ofSeconds(1), d.serviceClusterIpRange(),
        d.serviceNodePortRange(), "test")).start();
    await(Duration.ofSeconds(20), s::ready, "API server ready");
    return s;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public ApiClient client(String userAgent) {
    return ApiClient.create(ClientConfig.forServer(url()).withUserAgent(userAgent));
  }

  /** Stops the main server: its watches end, new connections are refused. */
  public void stopServer() {
    server.close();
  }

  /** Starts the main server again on its port. */
  public void restartServer() throws Exception {
    server = startServer(port);
  }

  @Override
  public void close() {
    server.close();
    store.close();
  }

  /** Waits for {@code condition}, polling; fails with {@code what} after {@code timeout}. */
  public static void await(Duration timeout, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + what);
      }
    }
  }

  /** Names of live threads started by this bundle. */
  public static Set<String> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> CLIENT_THREADS.stream().anyMatch(n::startsWith)).collect(Collectors.toSet());
  }
}
