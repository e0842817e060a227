package io.bosun.controllers.core.internal;

import io.bosun.api.codec.ApiCodec;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientConfig;
import io.bosun.client.ClientTransportException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Requests the typed client cannot make (it has no {@code namespaces/{name}/finalize}), sent with
 * the client's server, user agent and timeouts.
 */
public final class RawRequests {

  private static final ApiCodec CODEC = new ApiCodec();

  private RawRequests() {
  }

  /**
   * PUTs {@code body} as JSON to {@code path} on the client's server.
   *
   * @return the HTTP status code
   * @throws ClientTransportException if there was no answer
   */
  public static int put(ApiClient client, String path, Object body) throws InterruptedException {
    ClientConfig c = client.config();
    HttpRequest request = HttpRequest.newBuilder(URI.create(c.server() + path))
        .timeout(c.requestTimeout())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header("User-Agent", c.userAgent())
        .PUT(HttpRequest.BodyPublishers.ofByteArray(CODEC.writeJson(body)))
        .build();
    // One short-lived HTTP client per call: finalize requests are rare.
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(c.connectTimeout())
        .version(HttpClient.Version.HTTP_1_1).build()) {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new ClientTransportException("PUT " + path + ": " + e.getMessage(), e);
    }
  }
}
