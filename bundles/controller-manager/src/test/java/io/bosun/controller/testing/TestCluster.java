package io.bosun.controller.testing;

import io.bosun.apiserver.ApiServer;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientConfig;
import io.bosun.store.embedded.EmbeddedStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A real API server over an embedded store (no fsync) in a temporary folder, for controller
 * tests outside OSGi. Watch bookmarks every second.
 */
public final class TestCluster implements AutoCloseable {

  public final EmbeddedStore store;
  private final ApiServer server;

  public TestCluster(Path dir) throws Exception {
    store = new EmbeddedStore(EmbeddedStore.Options.defaults(dir).withFsync(false));
    ApiServer.Settings d = ApiServer.Settings.defaults(0);
    server = new ApiServer(store, new PrometheusRegistry(), new ApiServer.Settings(d.host(), 0,
        d.maxRequestBodyBytes(), d.minRequestTimeout(), Duration.ofSeconds(1), d.serviceClusterIpRange(),
        d.serviceNodePortRange(), "test")).start();
    await(Duration.ofSeconds(20), server::ready, "API server ready");
  }

  public String url() {
    return "http://127.0.0.1:" + server.port();
  }

  /** A new client with its own user agent; close it. */
  public ApiClient client(String userAgent) {
    return ApiClient.create(ClientConfig.forServer(url()).withUserAgent(userAgent));
  }

  @Override
  public void close() {
    server.close();
    store.close();
  }

  /** Polls {@code condition} every few milliseconds; fails with {@code what} after {@code timeout}. */
  public static void await(Duration timeout, BooleanSupplier condition, String what) {
    await(timeout, condition, () -> what);
  }

  /** As {@link #await(Duration, BooleanSupplier, String)}, describing the state at the timeout. */
  public static void await(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for: " + what.get());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + what.get());
      }
    }
  }
}
