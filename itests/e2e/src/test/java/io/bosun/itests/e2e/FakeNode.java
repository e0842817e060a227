package io.bosun.itests.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays scheduler and kubelet for the pods of the given namespaces whose {@code schedulerName}
 * is {@value #SCHEDULER}, over plain HTTP from the test JVM: binds them to a fake node, marks them
 * Running and Ready, and completes their graceful deletions. The runtime's own scheduler ignores
 * such pods (another scheduler name) and its kubelet ignores pods bound to another node, so this
 * works whether or not they run.
 */
final class FakeNode implements AutoCloseable {

  static final String SCHEDULER = "e2e-fake-scheduler";

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String node;
  private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean closed;

  FakeNode(String base, String node) throws Exception {
    this.base = base;
    this.node = node;
    ObjectNode n = json.createObjectNode();
    n.put("apiVersion", "v1").put("kind", "Node");
    n.putObject("metadata").put("name", node).putObject("labels").put("kubernetes.io/hostname", node)
        .put("bosun.io/e2e-fake", "true");
    send("POST", "/api/v1/nodes", n);
    JsonNode created = send("GET", "/api/v1/nodes/" + node, null);
    ObjectNode withStatus = created.deepCopy();
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    withStatus.putObject("status").putArray("conditions").addObject().put("type", "Ready").put("status", "True")
        .put("reason", "KubeletReady").put("lastHeartbeatTime", now).put("lastTransitionTime", now);
    send("PUT", "/api/v1/nodes/" + node + "/status", withStatus);
    thread = Thread.ofVirtual().name("e2e-fake-node").start(this::loop);
  }

  /** Drives the pods of {@code namespace} from now on. */
  void serve(String namespace) {
    namespaces.add(namespace);
  }

  private void loop() {
    while (!closed) {
      for (String ns : namespaces) {
        try {
          JsonNode list = send("GET", "/api/v1/namespaces/" + ns + "/pods", null);
          for (JsonNode pod : list.path("items")) {
            step(ns, pod);
          }
        } catch (IOException | RuntimeException e) {
          // Retried at the next round: conflicts, a pod gone meanwhile.
        } catch (InterruptedException e) {
          return;
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void step(String ns, JsonNode pod) throws IOException, InterruptedException {
    JsonNode meta = pod.path("metadata");
    String name = meta.path("name").asText();
    String path = "/api/v1/namespaces/" + ns + "/pods/" + name;
    if (!SCHEDULER.equals(pod.path("spec").path("schedulerName").asText())) {
      return;
    }
    if (meta.hasNonNull("deletionTimestamp")) {
      ObjectNode opts = json.createObjectNode().put("apiVersion", "v1").put("kind", "DeleteOptions")
          .put("gracePeriodSeconds", 0);
      opts.putObject("preconditions").put("uid", meta.path("uid").asText());
      send("DELETE", path, opts);
      return;
    }
    String phase = pod.path("status").path("phase").asText("");
    if (phase.equals("Succeeded") || phase.equals("Failed")) {
      return;
    }
    String nodeName = pod.path("spec").path("nodeName").asText("");
    if (nodeName.isEmpty()) {
      ObjectNode binding = json.createObjectNode().put("apiVersion", "v1").put("kind", "Binding");
      binding.putObject("metadata").put("name", name).put("uid", meta.path("uid").asText());
      binding.putObject("target").put("apiVersion", "v1").put("kind", "Node").put("name", node);
      send("POST", path + "/binding", binding);
      return;
    }
    if (!nodeName.equals(node) || phase.equals("Running")) {
      return;
    }
    ObjectNode next = pod.deepCopy();
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    ObjectNode status = next.putObject("status");
    status.put("phase", "Running").put("hostIP", "10.0.0.9").put("podIP", "10.244.9." + (name.hashCode() & 0x7f))
        .put("startTime", now);
    var conditions = status.putArray("conditions");
    for (String type : new String[] {"PodScheduled", "Initialized", "ContainersReady", "Ready"}) {
      conditions.addObject().put("type", type).put("status", "True").put("lastTransitionTime", now);
    }
    var containers = status.putArray("containerStatuses");
    for (JsonNode c : pod.path("spec").path("containers")) {
      ObjectNode cs = containers.addObject().put("name", c.path("name").asText()).put("image", c.path("image").asText())
          .put("imageID", "fake://" + c.path("image").asText()).put("ready", true).put("started", true)
          .put("restartCount", 0);
      cs.putObject("state").putObject("running").put("startedAt", now);
    }
    send("PUT", path + "/status", next);
  }

  private JsonNode send(String method, String path, JsonNode body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() >= 300 && !(method.equals("POST") && r.statusCode() == 409)) {
      throw new IOException(method + " " + path + ": " + r.statusCode() + " " + new String(r.body()));
    }
    return r.body().length == 0 ? json.createObjectNode() : json.readTree(r.body());
  }

  @Override
  public void close() throws Exception {
    closed = true;
    thread.interrupt();
    thread.join(10_000);
    try {
      send("DELETE", "/api/v1/nodes/" + node, null);
    } catch (IOException e) {
      // Best effort.
    }
  }
}
