package io.bosun.itests.pax;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.osgi.framework.BundleContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A plain HTTP/1.1 client of the API server under test, on the port the runtime was given
 * (framework property {@code bosun.apiserver.port}). Inside the framework only.
 */
final class ApiClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Every request but a watch: long enough for any single request, short enough to notice a stuck one. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final URI base;
    private final HttpClient http;

    ApiClient(BundleContext context) {
        String port = context.getProperty("bosun.apiserver.port");
        if (port == null || port.isBlank()) {
            throw new AssertionError("framework property bosun.apiserver.port is not set");
        }
        base = URI.create("http://127.0.0.1:" + port.trim());
        http = newHttpClient();
    }

    /** HTTP/1.1 as kubectl speaks it on plain http (the JDK's default would try an h2c upgrade). */
    static HttpClient newHttpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    URI uri(String pathAndQuery) {
        return base.resolve(pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(REQUEST_TIMEOUT).GET()
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Any request with a JSON (or, for PATCH, merge-patch) body; {@code body} null sends none.
     * For tests that write objects other than by POST.
     */
    HttpResponse<String> send(String method, String pathAndQuery, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Null once GET /readyz answers 200, else what it answered: for {@link Await}. */
    String notReady() {
        try {
            HttpResponse<String> response = get("/readyz");
            return response.statusCode() == 200 ? null
                    : "GET /readyz: " + response.statusCode() + " " + response.body().strip();
        } catch (IOException e) {
            return "GET /readyz: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** GET as JSON; throws AssertionError on anything but 200. */
    JsonNode getJson(String pathAndQuery) {
        try {
            HttpResponse<String> response = get(pathAndQuery);
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + pathAndQuery + ": " + response.statusCode() + " " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("GET " + pathAndQuery + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static JsonNode parse(String json) throws IOException {
        return JSON.readTree(json);
    }

    static long resourceVersion(JsonNode object) {
        return Long.parseLong(object.path("metadata").path("resourceVersion").asText());
    }

    @Override
    public void close() {
        http.shutdownNow();
    }
}
