package io.bosun.kubelet;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.apiserver.ApiServer;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientConfig;
import io.bosun.store.embedded.EmbeddedStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** A real API server over an embedded store in a temporary folder, and helpers to make and wait for pods. */
final class TestApi implements AutoCloseable {

  final EmbeddedStore store;
  final ApiServer server;
  final ApiClient client;

  TestApi(Path dir) throws Exception {
    store = new EmbeddedStore(EmbeddedStore.Options.defaults(dir).withFsync(false));
    ApiServer.Settings d = ApiServer.Settings.defaults(0);
    server = new ApiServer(store, new PrometheusRegistry(), new ApiServer.Settings(d.host(), 0, d.maxRequestBodyBytes(),
        d.minRequestTimeout(), Duration.ofSeconds(1), d.serviceClusterIpRange(), d.serviceNodePortRange(), "test"))
        .start();
    await(Duration.ofSeconds(20), server::ready, "API server ready");
    client = ApiClient.create(config().withUserAgent("kubelet-test"));
  }

  ClientConfig config() {
    return ClientConfig.forServer("http://127.0.0.1:" + server.port());
  }

  String url() {
    return "http://127.0.0.1:" + server.port();
  }

  /** Creates a pod and binds it to {@code node}, as the scheduler would. */
  Pod run(Pod pod, String node) {
    Pod created = client.pods().create(pod);
    client.pods().bind(created, node);
    return created;
  }

  static Pod pod(String name, Map<String, String> annotations, Container... containers) {
    return new Pod().withMetadata(new ObjectMeta().withName(name).withNamespace("default").withAnnotations(
        annotations.isEmpty() ? null : annotations)).withSpec(new PodSpec().withContainers(List.of(containers))
        .withTerminationGracePeriodSeconds(5L));
  }

  static Container container(String name, String... command) {
    return new Container().withName(name).withImage("busybox:1.36").withCommand(command.length == 0 ? null
        : List.of(command));
  }

  Pod get(String name) {
    return client.pods().get("default", name).orElse(null);
  }

  /** Waits until the pod exists and {@code condition} holds for it; returns it. */
  Pod awaitPod(String name, java.util.function.Predicate<Pod> condition, String what) {
    Pod[] last = {null};
    await(Duration.ofSeconds(60), () -> {
      last[0] = get(name);
      return last[0] != null && condition.test(last[0]);
    }, what + " (pod " + name + ")", () -> last[0] == null ? "absent" : String.valueOf(last[0].getStatus()));
    return last[0];
  }

  @Override
  public void close() {
    client.close();
    server.close();
    store.close();
  }

  static void await(Duration timeout, java.util.function.BooleanSupplier condition, String what) {
    await(timeout, condition, what, () -> "");
  }

  /** Waits for {@code condition}, polling; fails with {@code what} and {@code state} after {@code timeout}. */
  static void await(Duration timeout, java.util.function.BooleanSupplier condition, String what, Supplier<String> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what + "; last state: " + state.get());
      }
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
    }
  }
}
