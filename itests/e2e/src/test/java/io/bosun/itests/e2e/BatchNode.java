package io.bosun.itests.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
 * A fake node for batch pods, over plain HTTP from the test JVM: for pods of the served
 * namespaces naming the scheduler {@value #SCHEDULER} it binds them to itself, marks them Running,
 * then Succeeded (every container exited 0) a round later, renews its Lease in
 * {@code kube-node-lease} and completes graceful deletions. Other pods are left to the runtime's
 * own scheduler and kubelet, so it works whether or not they run.
 */
final class BatchNode implements AutoCloseable {

  static final String SCHEDULER = "e2e-batch-scheduler";

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String node;
  private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean closed;

  BatchNode(String base, String node) throws Exception {
    this.base = base;
    this.node = node;
    ObjectNode n = json.createObjectNode();
    n.put("apiVersion", "v1").put("kind", "Node");
    n.putObject("metadata").put("name", node).putObject("labels").put("kubernetes.io/hostname", node);
    send("POST", "/api/v1/nodes", n);
    JsonNode created = send("GET", "/api/v1/nodes/" + node, null);
    ObjectNode withStatus = created.deepCopy();
    String now = now();
    withStatus.putObject("status").putArray("conditions").addObject().put("type", "Ready").put("status", "True")
        .put("reason", "KubeletReady").put("lastHeartbeatTime", now).put("lastTransitionTime", now);
    send("PUT", "/api/v1/nodes/" + node + "/status", withStatus);
    thread = Thread.ofVirtual().name("e2e-batch-node").start(this::loop);
  }

  /** Drives the pods of {@code namespace} from now on. */
  void serve(String namespace) {
    namespaces.add(namespace);
  }

  private void loop() {
    while (!closed) {
      try {
        renewLease();
      } catch (IOException | RuntimeException e) {
        // Retried at the next round.
      } catch (InterruptedException e) {
        return;
      }
      for (String ns : namespaces) {
        try {
          JsonNode list = send("GET", "/api/v1/namespaces/" + ns + "/pods", null);
          for (JsonNode pod : list.path("items")) {
            step(ns, pod);
          }
        } catch (IOException | RuntimeException e) {
          // Retried at the next round: conflicts, a pod gone meanwhile, a namespace being deleted.
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

  /** As a kubelet does, so the node lifecycle controller keeps the node Ready. */
  private void renewLease() throws IOException, InterruptedException {
    String path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/" + node;
    String now = Instant.now().toString();
    HttpResponse<byte[]> r = raw("GET", path, null);
    if (r.statusCode() == 404) {
      ObjectNode lease = json.createObjectNode().put("apiVersion", "coordination.k8s.io/v1").put("kind", "Lease");
      lease.putObject("metadata").put("name", node).put("namespace", "kube-node-lease");
      lease.putObject("spec").put("holderIdentity", node).put("leaseDurationSeconds", 40).put("renewTime", now);
      send("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", lease);
      return;
    }
    ObjectNode lease = (ObjectNode) json.readTree(r.body());
    lease.withObjectProperty("spec").put("renewTime", now);
    send("PUT", path, lease);
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
    if (!nodeName.equals(node)) {
      return;
    }
    ObjectNode next = pod.deepCopy();
    String now = now();
    boolean running = phase.equals("Running");
    ObjectNode status = next.putObject("status");
    status.put("phase", running ? "Succeeded" : "Running").put("hostIP", "10.0.0.8")
        .put("podIP", "10.244.8." + (name.hashCode() & 0x7f)).put("startTime", now);
    ArrayNode conditions = status.putArray("conditions");
    for (String type : new String[] {"PodScheduled", "Initialized", "ContainersReady", "Ready"}) {
      boolean up = type.equals("PodScheduled") || type.equals("Initialized") || !running;
      conditions.addObject().put("type", type).put("status", up ? "True" : "False").put("lastTransitionTime", now);
    }
    ArrayNode containers = status.putArray("containerStatuses");
    for (JsonNode c : pod.path("spec").path("containers")) {
      ObjectNode cs = containers.addObject().put("name", c.path("name").asText()).put("image", c.path("image").asText())
          .put("imageID", "fake://" + c.path("image").asText()).put("ready", !running).put("started", !running)
          .put("restartCount", 0);
      if (running) {
        cs.putObject("state").putObject("terminated").put("exitCode", 0).put("reason", "Completed")
            .put("startedAt", now).put("finishedAt", now);
      } else {
        cs.putObject("state").putObject("running").put("startedAt", now);
      }
    }
    send("PUT", path + "/status", next);
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private HttpResponse<byte[]> raw(String method, String path, JsonNode body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private JsonNode send(String method, String path, JsonNode body) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = raw(method, path, body);
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
