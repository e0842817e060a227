package io.bosun.apiserver.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.apiserver.registry.ResourceRegistry;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.status.ApiException;
import io.bosun.apiserver.storage.ObjectStorage;
import io.bosun.apiserver.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET pods/{name}/log}: finds the pod's node and streams the container's log from that
 * node's kubelet ({@code GET /containerLogs/{namespace}/{pod}/{container}} on the port in the
 * Node's {@code status.daemonEndpoints.kubeletEndpoint}), as upstream's log REST storage does.
 * The response is {@code text/plain}, chunked and flushed as the kubelet sends it, so
 * {@code kubectl logs -f} follows; closing the client's connection closes the kubelet's.
 *
 * <p>The kubelet is reached at the Node's {@value #KUBELET_ADDRESS} annotation when set (a
 * kubelet serving on loopback says so there), else its first InternalIP, else its Hostname
 * address. Plain HTTP, no authentication yet.
 */
final class PodLogs {

  /** Node annotation: the address the kubelet's HTTP server listens on, when it is not the node's IP. */
  static final String KUBELET_ADDRESS = "kubelet.bosun.io/address";

  /** Query parameters passed on to the kubelet. */
  private static final List<String> PASSED = List.of("follow", "previous", "timestamps", "tailLines", "sinceSeconds",
      "sinceTime", "limitBytes");

  private final ObjectStorage storage;
  private final ResourceRegistry registry;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1).build();

  PodLogs(ObjectStorage storage, ResourceRegistry registry) {
    this.storage = storage;
    this.registry = registry;
  }

  /** Serves one log request; blocks (on the request's virtual thread) until the stream ends. */
  void serve(Call call) {
    if (!call.info().verb().equals("get")) {
      throw ApiException.methodNotSupported(call.type().resourceName(), call.info().verb());
    }
    StoredObject stored = storage.get(call.type(), call.namespace(), call.name());
    if (stored == null) {
      throw ApiException.notFound(call.type().resourceName(), call.name());
    }
    JsonNode pod = stored.object();
    String container = container(call, pod);
    for (String p : List.of("tailLines", "sinceSeconds", "limitBytes")) {
      String v = call.exchange().param(p);
      if (v != null && !v.isEmpty() && !v.matches("-?\\d+")) {
        throw ApiException.badRequest(p + ": invalid value \"" + v + "\"");
      }
    }
    String nodeName = pod.path("spec").path("nodeName").asText("");
    if (nodeName.isEmpty()) {
      throw ApiException.badRequest("pod " + call.name() + " does not have a host assigned");
    }
    URI uri = URI.create(kubelet(nodeName) + "/containerLogs/" + enc(call.namespace()) + "/" + enc(call.name()) + "/"
        + enc(container) + query(call));
    HttpResponse<InputStream> response;
    try {
      response = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException | HttpTimeoutException e) {
      throw ApiException.internal("Get \"" + uri + "\": cannot reach the kubelet: " + e);
    } catch (IOException e) {
      throw ApiException.internal("Get \"" + uri + "\": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted");
    }
    try (InputStream in = response.body()) {
      if (response.statusCode() != 200) {
        String message = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).trim();
        throw switch (response.statusCode()) {
          case 400 -> ApiException.badRequest(message);
          case 404 -> ApiException.notFound(call.type().resourceName(), call.name());
          default -> ApiException.internal("the kubelet answered " + response.statusCode() + ": " + message);
        };
      }
      copy(in, call.exchange().stream(200, "text/plain"));
    } catch (IOException e) {
      // The client went away (or the kubelet did): the response is already under way, nothing to report.
      call.exchange().abort(e);
    }
  }

  /** The container asked for; the only one, or the default-container annotation's, when none is named. */
  private static String container(Call call, JsonNode pod) {
    List<String> names = new ArrayList<>();
    for (String list : List.of("containers", "initContainers", "ephemeralContainers")) {
      pod.path("spec").path(list).forEach(c -> names.add(c.path("name").asText()));
    }
    String asked = call.exchange().param("container");
    if (asked != null && !asked.isEmpty()) {
      if (!names.contains(asked)) {
        throw ApiException.badRequest("container " + asked + " is not valid for pod " + call.name());
      }
      return asked;
    }
    String annotated = pod.path("metadata").path("annotations").path("kubectl.kubernetes.io/default-container")
        .asText("");
    if (!annotated.isEmpty() && names.contains(annotated)) {
      return annotated;
    }
    JsonNode containers = pod.path("spec").path("containers");
    if (containers.size() == 1) {
      return containers.get(0).path("name").asText();
    }
    List<String> regular = new ArrayList<>();
    containers.forEach(c -> regular.add(c.path("name").asText()));
    throw ApiException.badRequest("a container name must be specified for pod " + call.name() + ", choose one of: "
        + regular);
  }

  private String kubelet(String nodeName) {
    ResourceType nodes = registry.find("", "v1", "nodes");
    StoredObject node = nodes == null ? null : storage.get(nodes, "", nodeName);
    if (node == null) {
      throw ApiException.badRequest("node " + nodeName + " of the pod is not registered");
    }
    JsonNode n = node.object();
    int port = n.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
    if (port <= 0) {
      throw ApiException.unavailable("node " + nodeName + " reports no kubelet endpoint");
    }
    String address = n.path("metadata").path("annotations").path(KUBELET_ADDRESS).asText("");
    if (address.isEmpty()) {
      address = address(n, "InternalIP");
    }
    if (address.isEmpty()) {
      address = address(n, "Hostname");
    }
    if (address.isEmpty()) {
      throw ApiException.unavailable("node " + nodeName + " has no address to reach its kubelet at");
    }
    return "http://" + (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
  }

  private static String address(JsonNode node, String type) {
    for (JsonNode a : node.path("status").path("addresses")) {
      if (a.path("type").asText().equals(type)) {
        return a.path("address").asText("");
      }
    }
    return "";
  }

  private static String query(Call call) {
    StringBuilder q = new StringBuilder();
    for (String p : PASSED) {
      String v = call.exchange().param(p);
      if (v != null && !v.isEmpty()) {
        q.append(q.length() == 0 ? '?' : '&').append(p).append('=').append(enc(v));
      }
    }
    return q.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Copies as the bytes arrive, flushing each read so a followed log reaches the client at once. */
  private static void copy(InputStream in, OutputStream out) throws IOException {
    try (out) {
      byte[] buf = new byte[16 * 1024];
      for (int n; (n = in.read(buf)) >= 0; ) {
        if (n > 0) {
          out.write(buf, 0, n);
          out.flush();
        }
      }
    }
  }
}
