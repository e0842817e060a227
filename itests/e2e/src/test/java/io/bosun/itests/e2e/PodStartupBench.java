package io.bosun.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Pod startup latency as upstream's SLO defines it: from the pod's creation to all of its containers
 * running, observed through a watch, image pulls excluded (the image is pulled beforehand). Upstream's
 * SLO: p99 &lt;= 5 s. One control-plane process and one node process per runtime (the process
 * runtime, then the oci runtime with runc); {@code bosun.bench.pods} (100) single-container pods
 * created at {@code bosun.bench.qps} (10) per second, scheduled by the control plane onto the node.
 * Prints one line per runtime with p50/p90/p99/max. Not part of the build: run it by hand with
 * {@code mvn -pl itests/e2e verify -Dtest=PodStartupBench -Dbosun.bench=true} (the oci half needs root
 * and what {@link OciNodeTest} needs; it is skipped with the reason otherwise).
 */
class PodStartupBench {

  private static final String NS = "bench";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void processRuntime() throws Exception {
    assumeTrue(Boolean.getBoolean("bosun.bench"), "run with -Dbosun.bench=true");
    NodeCluster.assumeRuntimes();
    Path work = work("process");
    try (NodeCluster cluster = new NodeCluster(work, NS)) {
      cluster.startNode("bench-node", "process", Map.of());
      cluster.awaitNodesReady();
      measure(cluster, "process", "busybox:1.36");
    }
  }

  @Test
  void ociRuntime() throws Exception {
    assumeTrue(Boolean.getBoolean("bosun.bench"), "run with -Dbosun.bench=true");
    NodeCluster.assumeRuntimes();
    OciHost.assumeUsable();
    Path work = work("oci");
    OciHost host = new OciHost(work);
    LoopbackRegistry registry = null;
    NodeCluster cluster = null;
    try {
      registry = new LoopbackRegistry(work.resolve("registry"));
      String image = registry.pushBusybox("bench/busybox", "1.36", Map.of()).name();
      cluster = new NodeCluster(work, NS);
      OciHost.NodeNet net = host.node("bench-node", 0);
      cluster.startNode("bench-node", "oci", Map.of("io.bosun.runtime.oci.cfg", net.ociConfig(),
          "io.bosun.cni.bridge.cfg", net.bridgeConfig()));
      cluster.awaitNodesReady();
      measure(cluster, "oci", image);
    } finally {
      if (cluster != null) {
        cluster.deletePodsAndStop(NS, Duration.ofMinutes(3));
      }
      if (registry != null) {
        registry.close();
      }
      host.cleanUp();
    }
  }

  private static Path work(String name) {
    return Path.of(System.getProperty("bosun.itest.work", "target/e2e-work"))
        .resolve("bench-" + name + "-" + ProcessHandle.current().pid()).toAbsolutePath();
  }

  private static void measure(NodeCluster cluster, String runtime, String image) throws Exception {
    int pods = Integer.getInteger("bosun.bench.pods", 100);
    double qps = Double.parseDouble(System.getProperty("bosun.bench.qps", "10"));
    cluster.kubectl.run("create", "namespace", NS).ok();
    // pull the image beforehand: the SLO excludes pulls
    cluster.kubectl.run(pod("warm-up", image).toString(), Map.of(), "-n", NS, "apply", "-f", "-").ok();
    Await.until(Duration.ofSeconds(120), () -> cluster.kubectl.run("-n", NS, "get", "pod", "warm-up", "-o",
        "jsonpath={.status.phase}").out().equals("Running") ? null : "warm-up pod running");
    cluster.kubectl.run("-n", NS, "delete", "pod", "warm-up", "--grace-period=1").ok();

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Map<String, Long> created = new ConcurrentHashMap<>();
    Map<String, Long> running = new ConcurrentHashMap<>();
    HttpResponse<Stream<String>> watch = http.send(HttpRequest.newBuilder(URI.create(cluster.url + "/api/v1/namespaces/"
        + NS + "/pods?watch=true&labelSelector=bench%3Dstartup")).build(), HttpResponse.BodyHandlers.ofLines());
    Thread watcher = Thread.ofVirtual().name("bench-watch").start(() -> {
      try (Stream<String> lines = watch.body()) {
        lines.forEach(line -> {
          long now = System.nanoTime();
          try {
            JsonNode pod = JSON.readTree(line).path("object");
            if (allRunning(pod)) {
              running.putIfAbsent(pod.path("metadata").path("name").asText(), now);
            }
          } catch (IOException e) {
            // not an event line
          }
        });
      } catch (RuntimeException closed) {
        // the watch was closed
      }
    });
    long intervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) / qps);
    long start = System.nanoTime();
    for (int i = 0; i < pods; i++) {
      long due = start + i * intervalNanos;
      while (System.nanoTime() < due) {
        LockSupport.parkNanos(due - System.nanoTime());
      }
      String name = "p" + i;
      created.put(name, System.nanoTime());
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(cluster.url + "/api/v1/namespaces/" + NS
          + "/pods")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
              pod(name, image).toString())).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }
    long createdAll = System.nanoTime();
    try {
      Await.until(Duration.ofMinutes(10), () -> running.size() >= pods ? null : running.size() + "/" + pods + " running");
    } finally {
      watcher.interrupt();
      http.close();
    }
    long end = running.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    List<Double> seconds = new ArrayList<>();
    for (var e : created.entrySet()) {
      seconds.add((running.get(e.getKey()) - e.getValue()) / 1e9);
    }
    seconds.sort(null);
    System.out.printf(Locale.ROOT, "PodStartupBench runtime=%s pods=%d qps=%.0f cores=%d: create->Running p50=%.2fs "
        + "p90=%.2fs p99=%.2fs max=%.2fs; created in %.1fs, all %d Running %.1fs after the first create "
        + "(upstream SLO: p99 <= 5s)%n", runtime, pods, qps, Runtime.getRuntime().availableProcessors(),
        pct(seconds, 0.50), pct(seconds, 0.90), pct(seconds, 0.99), seconds.getLast(), (createdAll - start) / 1e9, pods,
        (end - start) / 1e9);
  }

  /** Running with every container started, as a watch event shows it. */
  private static boolean allRunning(JsonNode pod) {
    if (!pod.path("status").path("phase").asText().equals("Running")) {
      return false;
    }
    JsonNode statuses = pod.path("status").path("containerStatuses");
    if (statuses.isEmpty()) {
      return false;
    }
    for (JsonNode s : statuses) {
      if (!s.path("state").has("running")) {
        return false;
      }
    }
    return true;
  }

  private static double pct(List<Double> sorted, double p) {
    return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private static JsonNode pod(String name, String image) {
    return JSON.valueToTree(Map.of("apiVersion", "v1", "kind", "Pod",
        "metadata", Map.of("name", name, "labels", Map.of("bench", name.equals("warm-up") ? "warm-up" : "startup")),
        "spec", Map.of("terminationGracePeriodSeconds", 1, "containers", List.of(Map.of("name", "main", "image", image,
            "imagePullPolicy", "IfNotPresent", "command", List.of("sleep", "3600"))))));
  }
}
