package io.bosun.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bosun.cli.CliException;
import io.bosun.cli.config.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * The CLI's REST transport: JSON trees in and out over {@code java.net.http}, with the
 * kubeconfig's TLS and credentials, Table requests, and streams for watches and logs. Works on
 * trees rather than model classes because a CLI handles any kind a file names.
 */
public final class Api implements AutoCloseable {

  /** kubectl's Accept for {@code get}: a server-side Table, else plain JSON. */
  public static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
  public static final String JSON = "application/json";

  private final Connection connection;
  private final Duration timeout;
  private final String userAgent;
  private final ObjectMapper mapper;
  private final ExecutorService executor;
  private final HttpClient http;

  public Api(Connection connection, Duration timeout, String userAgent, ObjectMapper mapper) {
    this.connection = connection;
    this.timeout = timeout;
    this.userAgent = userAgent;
    this.mapper = mapper;
    // daemon threads: a CLI must exit even while a watch stream is open
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "bosun-cli-http");
      t.setDaemon(true);
      return t;
    });
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).executor(executor);
    SSLContext ssl = Tls.context(connection);
    if (ssl != null) {
      b.sslContext(ssl);
    }
    this.http = b.build();
  }

  public Connection connection() {
    return connection;
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /** {@code ?a=1&b=2} from pairs, skipping null and empty values. */
  public static String query(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      if (pairs[i + 1] != null && !pairs[i + 1].isEmpty()) {
        m.put(pairs[i], pairs[i + 1]);
      }
    }
    if (m.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("?");
    m.forEach((k, v) -> sb.append(sb.length() > 1 ? "&" : "").append(k).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return sb.toString();
  }

  public JsonNode get(String path) {
    return send("GET", path, null, null, JSON);
  }

  /** A GET that returns empty on 404. */
  public Optional<JsonNode> find(String path) {
    try {
      return Optional.of(get(path));
    } catch (ApiError e) {
      if (e.notFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** A list or object as a server-side Table. */
  public JsonNode table(String path) {
    return send("GET", path, null, null, TABLE);
  }

  public JsonNode send(String method, String path, String contentType, byte[] body) {
    return send(method, path, contentType, body, JSON);
  }

  public JsonNode send(String method, String path, String contentType, byte[] body, String accept) {
    byte[] reply = bytes(method, path, contentType, body, accept);
    try {
      return reply.length == 0 ? mapper.createObjectNode() : mapper.readTree(reply);
    } catch (IOException e) {
      throw new CliException("the server's answer to " + method + " " + path + " is not JSON: " + e.getMessage(), e);
    }
  }

  /** Sends a request and returns the body of a 2xx answer. */
  public byte[] bytes(String method, String path, String contentType, byte[] body, String accept) {
    HttpRequest.Builder b = request(path, timeout).header("Accept", accept)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    HttpResponse<byte[]> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    if (r.statusCode() / 100 != 2) {
      throw error(r.statusCode(), r.body());
    }
    return r.body();
  }

  /**
   * Opens a streaming GET (a watch, followed logs) with no overall timeout; the caller closes the stream.
   */
  public InputStream stream(String path, String accept) {
    HttpRequest req = request(path, null).header("Accept", accept).GET().build();
    HttpResponse<InputStream> r;
    try {
      r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    if (r.statusCode() / 100 != 2) {
      byte[] body;
      try (InputStream in = r.body()) {
        body = in.readAllBytes();
      } catch (IOException e) {
        body = new byte[0];
      }
      throw error(r.statusCode(), body);
    }
    return r.body();
  }

  private HttpRequest.Builder request(String path, Duration t) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).header("User-Agent", userAgent);
    if (t != null) {
      b.timeout(t);
    }
    if (connection.token() != null) {
      b.header("Authorization", "Bearer " + connection.token());
    } else if (connection.username() != null) {
      String basic = connection.username() + ":" + (connection.password() == null ? "" : connection.password());
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
    }
    return b;
  }

  private String base() {
    String s = connection.server();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private ApiError error(int code, byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    try {
      JsonNode tree = text.isEmpty() ? null : mapper.readTree(text);
      if (tree != null && "Status".equals(tree.path("kind").asText())) {
        return new ApiError(code, tree.path("reason").asText(""), tree.path("message").asText("HTTP " + code), tree);
      }
    } catch (IOException e) {
      // not JSON: use the text
    }
    String message = switch (code) {
      case 401 -> "you must be logged in to the server (Unauthorized): check the user of " + connection.source();
      case 403 -> "forbidden: " + text;
      case 404 -> "the server could not find the requested resource";
      default -> text.isEmpty() ? "the server answered HTTP " + code : text;
    };
    return new ApiError(code, "", message, null);
  }

  private CliException unreachable(IOException e) {
    String why;
    if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
      why = "connection refused";
    } else if (e instanceof HttpConnectTimeoutException) {
      why = "connection timed out";
    } else if (e instanceof HttpTimeoutException) {
      return new CliException("the API server at " + connection.server() + " did not answer within "
          + timeout.toSeconds() + "s (--request-timeout)", e);
    } else if (e instanceof SSLException) {
      return new CliException("TLS with " + connection.server() + " failed: " + e.getMessage()
          + " (check the certificate-authority of " + connection.source() + ")", e);
    } else {
      why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return new CliException("cannot reach the API server at " + connection.server() + " (" + why + "): is `./bosun up`"
        + " running? (server from " + connection.source() + "; choose another with --context or --server)", e);
  }

  @Override
  public void close() {
    http.shutdownNow();
    executor.shutdownNow();
  }
}
