package io.bosun.itests.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/** Plain HTTP to one API server: JSON in and out, and watch streams read line by line. */
final class Api {

  static final ObjectMapper JSON = new ObjectMapper();

  /** A status code and the parsed body (null if empty or not JSON). */
  record Reply(int code, JsonNode body, String text) {
  }

  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  Api(String base) {
    this.base = base;
  }

  String base() {
    return base;
  }

  Reply get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  Reply post(String path, String json) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  Reply put(String path, String json) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  Reply delete(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode body = null;
    try {
      body = r.body().isBlank() ? null : JSON.readTree(r.body());
    } catch (IOException notJson) {
      // keep the text
    }
    return new Reply(r.statusCode(), body, r.body());
  }

  /**
   * Streams a watch, handing each event line (parsed) to {@code events} until the server ends the
   * stream, the connection breaks (IOException) or the thread is interrupted.
   *
   * @return the HTTP status of the watch request
   */
  int watch(String path, Consumer<JsonNode> events) throws IOException, InterruptedException {
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      if (r.statusCode() != 200) {
        return r.statusCode();
      }
      String line;
      while ((line = lines.readLine()) != null) {
        if (!line.isBlank()) {
          events.accept(JSON.readTree(line));
        }
      }
    }
    return 200;
  }
}
