package io.bosun.itests.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A control-plane process and node processes on loopback (the launcher's {@code --server},
 * {@code --name} and {@code --node-runtime}, which {@code ./bosun node --runtime NAME} passes), with
 * a kubeconfig for the real kubectl. Used by the OCI node test and the pod startup benchmark; the
 * processes are {@link NodeProcessTest.RuntimeProcess}es.
 */
final class NodeCluster implements AutoCloseable {

  static final Duration BOOT = Duration.ofSeconds(120);

  final Path work;
  final String url;
  final Kubectl kubectl;
  final Path kubeconfig;
  final NodeProcessTest.RuntimeProcess controlPlane;
  final Map<String, NodeProcessTest.RuntimeProcess> nodes = new LinkedHashMap<>();
  private final Path nodeRuntime;

  /** Skips unless the e2e module unpacked the control-plane and node runtimes. */
  static void assumeRuntimes() {
    String cp = System.getProperty("bosun.controlplane.dir");
    String node = System.getProperty("bosun.node.dir");
    Assumptions.assumeTrue(cp != null && node != null && Files.isDirectory(Path.of(cp, "system"))
        && Files.isDirectory(Path.of(node, "system")), "the control-plane and node runtimes are not unpacked");
  }

  /** Starts the control plane and waits until its API server is ready. */
  NodeCluster(Path work, String namespace) throws Exception {
    this.work = Files.createDirectories(work);
    this.nodeRuntime = Path.of(System.getProperty("bosun.node.dir"));
    int port = freePort();
    url = "http://127.0.0.1:" + port;
    Path cp = Path.of(System.getProperty("bosun.controlplane.dir"));
    Path cpInstance = work.resolve("control-plane");
    seed(cp, cpInstance, Map.of());
    controlPlane = new NodeProcessTest.RuntimeProcess(cp, cpInstance, List.of("--port", Integer.toString(port)));
    controlPlane.start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      Await.until(BOOT, () -> {
        if (!controlPlane.process.isAlive()) {
          throw new AssertionError("the control plane exited:\n" + controlPlane.log());
        }
        try {
          return http.send(HttpRequest.newBuilder(URI.create(url + "/readyz")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200 ? null : "not ready";
        } catch (IOException e) {
          return "readyz: " + e;
        }
      });
    } catch (Exception | AssertionError e) {
      controlPlane.stop();
      throw e;
    }
    kubeconfig = work.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: bosun, cluster: {server: %s}}]
        contexts: [{name: bosun, context: {cluster: bosun, user: bosun, namespace: %s}}]
        current-context: bosun
        users: [{name: bosun, user: {}}]
        """.formatted(url, namespace));
    kubectl = new Kubectl(kubeconfig, work);
  }

  /**
   * Starts a node process {@code --server URL --name NAME --node-runtime RUNTIME} on a new instance
   * seeded with the node runtime's etc/ plus {@code etc} (file name, content); kubelet port 0.
   */
  NodeProcessTest.RuntimeProcess startNode(String name, String runtime, Map<String, String> etc) throws IOException {
    Path instance = work.resolve(name);
    Map<String, String> files = new LinkedHashMap<>(Map.of("io.bosun.kubelet.cfg", """
        port = 0
        nodeStatusUpdateFrequencySeconds = 2
        """));
    files.putAll(etc);
    seed(nodeRuntime, instance, files);
    NodeProcessTest.RuntimeProcess p = new NodeProcessTest.RuntimeProcess(nodeRuntime, instance,
        List.of("--server", url, "--name", name, "--node-runtime", runtime));
    p.start();
    nodes.put(name, p);
    return p;
  }

  /** Waits until every started node is Ready, failing with the node logs if one exits. */
  void awaitNodesReady() throws Exception {
    Await.until(BOOT, () -> {
      for (var n : nodes.entrySet()) {
        if (!n.getValue().process.isAlive()) {
          throw new AssertionError("node " + n.getKey() + " exited:\n" + n.getValue().log());
        }
      }
      String ready = kubectl.run("get", "nodes", "-o",
          "jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Ready\")].status} {end}").out();
      return nodes.keySet().stream().allMatch(n -> ready.contains(n + "=True")) ? null : "nodes: " + ready;
    });
  }

  /** A new instance: the runtime's default etc/ plus extra configuration files. */
  static void seed(Path runtime, Path instance, Map<String, String> extra) throws IOException {
    Path etc = Files.createDirectories(instance.resolve("etc"));
    try (Stream<Path> files = Files.list(runtime.resolve("etc"))) {
      for (Path f : files.toList()) {
        Files.copy(f, etc.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (var e : extra.entrySet()) {
      Files.writeString(etc.resolve(e.getKey()), e.getValue());
    }
  }

  /** Binds pods of {@code selector} still unscheduled after 20 s round-robin to {@code nodeNames}. */
  void bindIfUnscheduled(String ns, String selector, List<String> nodeNames) throws Exception {
    try {
      Await.until(Duration.ofSeconds(20), () -> kubectl.run("-n", ns, "get", "pods", "-l", selector, "-o",
          "jsonpath={range .items[?(@.spec.nodeName==\"\")]}x{end}").out().isEmpty() ? null : "unscheduled");
    } catch (AssertionError e) {
      List<String> names = new ArrayList<>();
      for (String s : kubectl.run("-n", ns, "get", "pods", "-l", selector, "-o",
          "jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName} {end}").ok().out().trim().split(" ")) {
        if (s.endsWith("=")) {
          names.add(s.substring(0, s.length() - 1));
        }
      }
      HttpClient http = HttpClient.newHttpClient();
      int i = 0;
      for (String pod : names) {
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"" + pod
            + "\"},\"target\":{\"kind\":\"Node\",\"name\":\"" + nodeNames.get(i++ % nodeNames.size()) + "\"}}";
        http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/" + ns + "/pods/" + pod + "/binding"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.discarding());
      }
    }
  }

  /**
   * Deletes the namespace's pods while the kubelets run (containers outlive node processes by
   * design), waits up to {@code timeout} for them to go, then stops every process.
   */
  void deletePodsAndStop(String ns, Duration timeout) throws Exception {
    try {
      kubectl.run("delete", "pods", "--all", "-n", ns, "--grace-period=1", "--wait=false");
      Await.until(timeout, () -> {
        String left = kubectl.run("get", "pods", "-n", ns, "-o", "name").out();
        return left.isBlank() ? null : "pods left: " + left.lines().count();
      });
    } catch (AssertionError | Exception e) {
      // the caller's host cleanup removes what is left
    } finally {
      close();
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (NodeProcessTest.RuntimeProcess n : nodes.values()) {
      n.stop();
      killProcessContainers(n.instance);
    }
    controlPlane.stop();
  }

  /** Kills the process runtime's containers a node left behind (the delete timed out). */
  private static void killProcessContainers(Path instance) {
    Path containers = instance.resolve("data/runtime/process/containers");
    if (!Files.isDirectory(containers)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(containers)) {
      for (Path d : dirs.toList()) {
        Path pid = d.resolve("pid");
        if (Files.exists(pid) && !Files.exists(d.resolve("exit"))) {
          OciHost.sh("kill", "-s", "KILL", "--", "-" + Files.readString(pid).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException e) {
      // best effort
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
