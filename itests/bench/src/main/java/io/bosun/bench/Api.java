package io.bosun.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** The few REST calls the benchmark makes, over one keep-alive HTTP/1.1 client. */
final class Api {

  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final String base;
  private final Pods pods;
  private final HttpClient http;

  Api(String base, Pods pods) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.pods = pods;
    this.http = client();
  }

  /**
   * HTTP/1.1 as kubectl and client-go speak it to a plain-http server (HTTP/2 would try an h2c
   * upgrade first); the pool keeps one connection per concurrent caller alive between requests.
   */
  static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  String base() {
    return base;
  }

  String podsPath() {
    return "/api/v1/namespaces/" + pods.namespace() + "/pods";
  }

  HttpRequest createRequest(String name) {
    // The stamp is taken here, immediately before the request is handed to the client.
    byte[] body = pods.manifest(name, System.nanoTime());
    return HttpRequest.newBuilder(URI.create(base + podsPath())).timeout(TIMEOUT)
        .header("Content-Type", "application/json").header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  /** Creates a pod and fails unless the server answers 201 Created. */
  void create(String name) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = http.send(createRequest(name), HttpResponse.BodyHandlers.ofByteArray());
    expect(r, 201, "create pod " + name);
  }

  CompletableFuture<HttpResponse<byte[]>> createAsync(String name) {
    return http.sendAsync(createRequest(name), HttpResponse.BodyHandlers.ofByteArray());
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    expect(r, 200, "GET " + path);
    return MAPPER.readTree(r.body());
  }

  /** Waits for /readyz; an in-process server needs a moment to write its bootstrap objects. */
  void awaitReady(Duration within) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(within);
    while (true) {
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).GET().build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        if (Instant.now().isAfter(deadline)) {
          throw e;
        }
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IOException(base + "/readyz not ready within " + within);
      }
      Thread.sleep(50);
    }
  }

  /** Creates the benchmark namespace unless it exists (a shared server may have it from an earlier run). */
  void ensureNamespace() throws IOException, InterruptedException {
    String ns = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + pods.namespace() + "\"}}";
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces")).timeout(TIMEOUT)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(ns)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 201 && r.statusCode() != 409) {
      expect(r, 201, "create namespace " + pods.namespace());
    }
  }

  /** The pods collection's current resourceVersion: where a watch starts to see only what follows. */
  String currentResourceVersion() throws IOException, InterruptedException {
    return get(podsPath() + "?limit=1").path("metadata").path("resourceVersion").asText();
  }

  /**
   * What the server stores for a pod, read back over REST: the object without resourceVersion,
   * compact JSON, exactly as its storage layer encodes it (used when the store is not in this JVM).
   */
  byte[] storedForm(String name) throws IOException, InterruptedException {
    ObjectNode pod = (ObjectNode) get(podsPath() + "/" + name);
    ((ObjectNode) pod.path("metadata")).remove("resourceVersion");
    return MAPPER.writeValueAsBytes(pod);
  }

  /** Deletes this run's pods (a shared server keeps them otherwise); returns the HTTP status. */
  int deleteRunPods() throws IOException, InterruptedException {
    String selector = URLEncoder.encode(Pods.RUN_LABEL + "=" + pods.run(), StandardCharsets.UTF_8);
    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + podsPath() + "?labelSelector=" + selector))
        .timeout(Duration.ofMinutes(5)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
    return r.statusCode();
  }

  static void expect(HttpResponse<byte[]> r, int code, String what) throws IOException {
    if (r.statusCode() != code) {
      String body = new String(r.body(), StandardCharsets.UTF_8);
      throw new IOException(what + ": HTTP " + r.statusCode() + " " + body.substring(0, Math.min(300, body.length())));
    }
  }
}
