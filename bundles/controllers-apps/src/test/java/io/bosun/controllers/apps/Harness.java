package io.bosun.controllers.apps;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.Namespace;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ApiClient;
import io.bosun.client.ListOptions;
import io.bosun.controller.Controller;
import io.bosun.controller.Pods;
import io.bosun.controller.internal.ControllerManager;
import io.bosun.controller.internal.Settings;
import io.bosun.controller.testing.FakeNodes;
import io.bosun.controller.testing.TestCluster;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A test cluster: a real API server, fake nodes that bind and ready pods, and a controller
 * manager (no leader election) running the given controllers through its ControllerContext.
 */
public final class Harness implements AutoCloseable {

  public static final Duration WAIT = Duration.ofSeconds(30);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  public final TestCluster cluster;
  public final ApiClient client;
  public final FakeNodes nodes;
  public final ControllerManager manager;

  public Harness(Path dir, int nodeCount, Controller... controllers) throws Exception {
    cluster = new TestCluster(dir);
    client = cluster.client("bosun-controller-manager/test");
    nodes = new FakeNodes(cluster.client("fake-nodes"), nodeCount);
    manager = new ControllerManager(client, Settings.standalone("test").withWorkers(3, Map.of()), Clock.systemUTC());
    for (Controller c : controllers) {
      manager.addController(c);
    }
    manager.start();
  }

  /** A new namespace for one test. */
  public String namespace(String prefix) {
    String name = prefix + "-" + NAMESPACES.incrementAndGet();
    client.resources(Namespace.class).create(new Namespace().withMetadata(new ObjectMeta().withName(name)));
    return name;
  }

  /** Pods in {@code ns} matching {@code selector}, read from the API. */
  public List<Pod> pods(String ns, String selector) {
    return client.pods().list(ns, ListOptions.none().withLabelSelector(selector)).items();
  }

  /** Pods not terminated and not being deleted. */
  public List<Pod> activePods(String ns, String selector) {
    return pods(ns, selector).stream().filter(Pods::isActive).toList();
  }

  public static PodTemplateSpec template(Map<String, String> labels, String image) {
    return new PodTemplateSpec().withMetadata(new ObjectMeta().withLabels(labels))
        .withSpec(new PodSpec().withTerminationGracePeriodSeconds(1L)
            .withContainers(List.of(new Container().withName("main").withImage(image))));
  }

  public static void await(BooleanSupplier condition, Supplier<String> what) {
    TestCluster.await(WAIT, condition, what);
  }

  public static void await(BooleanSupplier condition, String what) {
    TestCluster.await(WAIT, condition, what);
  }

  @Override
  public void close() {
    manager.close();
    nodes.close();
    client.close();
    cluster.close();
  }
}
