package io.bosun.controllers.core.testing;

import io.bosun.api.core.v1.Namespace;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ApiClient;
import io.bosun.controller.Controller;
import io.bosun.controller.internal.ControllerManager;
import io.bosun.controller.internal.Settings;
import io.bosun.controller.testing.FakeNodes;
import io.bosun.controller.testing.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A real API server, the controller manager (outside OSGi, no leader election) running the given
 * controllers on a {@link TestClock}, and a client for the test. Fake nodes are optional.
 */
public final class Harness implements AutoCloseable {

  public static final Duration WAIT = Duration.ofSeconds(30);

  public final TestCluster cluster;
  public final ApiClient client;
  public final TestClock clock = new TestClock();
  private final ApiClient managerClient;
  private final ControllerManager manager;
  private final AtomicInteger namespaces = new AtomicInteger();
  private FakeNodes nodes;

  public Harness(Path dir, List<Controller> controllers) throws Exception {
    cluster = new TestCluster(dir);
    client = cluster.client("controllers-core-test/1.0");
    managerClient = cluster.client("bosun-controller-manager/test");
    manager = new ControllerManager(managerClient, Settings.standalone("test").withWorkers(3, java.util.Map.of()),
        clock);
    controllers.forEach(manager::addController);
    manager.start();
  }

  /** Fake nodes node-1..count (bind, run, ready, finalize deletions), created on first use. */
  public synchronized FakeNodes nodes(int count) {
    if (nodes == null) {
      nodes = new FakeNodes(client, count);
    }
    return nodes;
  }

  /** A fresh namespace for one test. */
  public String namespace(String prefix) {
    String name = prefix + "-" + namespaces.incrementAndGet();
    client.resources(Namespace.class).create(new Namespace().withMetadata(new ObjectMeta().withName(name)));
    return name;
  }

  public ControllerManager manager() {
    return manager;
  }

  public static void await(BooleanSupplier condition, Supplier<String> what) {
    TestCluster.await(WAIT, condition, what);
  }

  public static void await(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
    TestCluster.await(timeout, condition, what);
  }

  @Override
  public void close() {
    if (nodes != null) {
      nodes.close();
    }
    manager.close();
    managerClient.close();
    client.close();
    cluster.close();
  }
}
