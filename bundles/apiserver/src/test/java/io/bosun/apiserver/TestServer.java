package io.bosun.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bosun.store.embedded.EmbeddedStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** An API server on a free port over an embedded store in a temporary folder, with a small HTTP client. */
public final class TestServer implements AutoCloseable {

  public final ObjectMapper mapper = new ObjectMapper();
  public final EmbeddedStore store;
  public final ApiServer server;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A response: status, headers and parsed JSON body (null if not JSON). */
  public record Reply(int code, JsonNode json, String body, java.net.http.HttpHeaders headers) {}

  public TestServer(Path dir) throws Exception {
    store = new EmbeddedStore(dir);
    server = new ApiServer(store, new PrometheusRegistry(), ApiServer.Settings.defaults(0)).start();
    Instant deadline = Instant.now().plusSeconds(20);
    while (!server.ready()) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("API server did not become ready");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
    }
  }

  public String base() {
    return "http://127.0.0.1:" + server.port();
  }

  public Reply call(String method, String path, String contentType, String body) throws IOException,
      InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
    HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body);
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    b.method(method, publisher);
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = null;
    try {
      json = r.body().isEmpty() ? null : mapper.readTree(r.body());
    } catch (IOException e) {
      // Not JSON: keep the text.
    }
    return new Reply(r.statusCode(), json, r.body(), r.headers());
  }

  public Reply get(String path) throws IOException, InterruptedException {
    return call("GET", path, null, null);
  }

  public Reply post(String path, String json) throws IOException, InterruptedException {
    return call("POST", path, "application/json", json);
  }

  public Reply put(String path, String json) throws IOException, InterruptedException {
    return call("PUT", path, "application/json", json);
  }

  public Reply patch(String path, String contentType, String json) throws IOException, InterruptedException {
    return call("PATCH", path, contentType, json);
  }

  public Reply delete(String path) throws IOException, InterruptedException {
    return call("DELETE", path, null, null);
  }

  public HttpClient http() {
    return http;
  }

  @Override
  public void close() {
    server.close();
    store.close();
  }
}
