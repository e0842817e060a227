package io.bosun.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.meta.v1.ListMeta;
import io.bosun.api.meta.v1.Status;
import io.bosun.api.meta.v1.StatusDetails;
import io.bosun.client.ClientConfig;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ClientTransportException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP client and the request/response rules every call shares: headers, Retry-After
 * retries, and turning error answers into {@link ClientStatusException}. Thread-safe.
 */
final class Transport implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Transport.class);
  static final String JSON = "application/json";
  /** The longest Retry-After honoured, so a confused server cannot park a caller for hours. */
  private static final long MAX_RETRY_AFTER_SECONDS = 60;

  private final ClientConfig config;
  private final ApiCodec codec;
  private final ExecutorService executor;
  private final HttpClient http;

  /** @param threadPrefix names the HTTP client's threads ({@code <prefix>-<n>}) */
  Transport(ClientConfig config, ApiCodec codec, String threadPrefix) {
    this.config = config;
    this.codec = codec;
    AtomicInteger n = new AtomicInteger();
    // Our own executor, so close() can account for every thread the HTTP client uses.
    executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, threadPrefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    http = HttpClient.newBuilder()
        // The API server speaks HTTP/1.1 in the clear; skip the h2c upgrade dance.
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor)
        .build();
  }

  ApiCodec codec() {
    return codec;
  }

  /** A successful answer: its code and body. */
  record Reply(int code, byte[] body) {}

  /**
   * Sends a request and returns a 2xx answer; retries 429/5xx answers that carry Retry-After.
   *
   * @throws ClientStatusException    for any other answer
   * @throws ClientTransportException when no answer arrived
   */
  Reply send(String method, String pathAndQuery, String contentType, byte[] body) {
    HttpRequest.Builder builder = request(pathAndQuery, config.requestTimeout())
        .header("Accept", JSON)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    HttpRequest request = builder.build();
    for (int attempt = 0; ; attempt++) {
      HttpResponse<byte[]> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        throw new ClientTransportException(method + " " + request.uri() + ": " + describe(e), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ClientTransportException(method + " " + request.uri() + ": interrupted", e);
      }
      int code = response.statusCode();
      if (code >= 200 && code < 300) {
        return new Reply(code, response.body());
      }
      Optional<Long> retryAfter = retryAfter(response);
      if (retryAfter.isPresent() && attempt < config.maxRetries()) {
        LOG.debug("{} {} answered {}; retrying in {}s", method, request.uri(), code, retryAfter.get());
        sleep(Duration.ofSeconds(retryAfter.get()), method + " " + request.uri());
        continue;
      }
      throw new ClientStatusException(status(code, response.body()));
    }
  }

  /**
   * Opens a streaming GET (a watch) and returns it once the headers arrived with 200.
   *
   * @throws ClientStatusException    for any other answer (its body is read first)
   * @throws ClientTransportException when no answer arrived
   */
  HttpResponse<InputStream> stream(String pathAndQuery) {
    HttpRequest request = request(pathAndQuery, config.requestTimeout()).header("Accept", JSON).GET().build();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new ClientTransportException("GET " + request.uri() + ": " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientTransportException("GET " + request.uri() + ": interrupted", e);
    }
    if (response.statusCode() == 200) {
      return response;
    }
    byte[] body;
    try (InputStream in = response.body()) {
      body = in.readAllBytes();
    } catch (IOException e) {
      body = new byte[0];
    }
    throw new ClientStatusException(status(response.statusCode(), body));
  }

  private HttpRequest.Builder request(String pathAndQuery, Duration timeout) {
    return HttpRequest.newBuilder(URI.create(config.server() + pathAndQuery))
        .timeout(timeout)
        .header("User-Agent", config.userAgent());
  }

  /** The Status of an error answer: its body if it is one, else one made from the code, as client-go. */
  Status status(int code, byte[] body) {
    if (body != null && body.length > 0) {
      try {
        JsonNode tree = codec.mapper().readTree(body);
        if (tree != null && "Status".equals(tree.path("kind").asText())) {
          Status s = codec.fromTree(tree, Status.class);
          if (s.getCode() == null || s.getCode() == 0) {
            s.setCode(code);
          }
          return s;
        }
      } catch (IOException | IllegalArgumentException e) {
        // Not a Status: fall through to a generic one.
      }
    }
    String text = body == null ? "" : new String(body, StandardCharsets.UTF_8).strip();
    if (text.length() > 512) {
      text = text.substring(0, 512) + "...";
    }
    return statusFor(code, text.isEmpty() ? "the server responded with HTTP " + code : text);
  }

  /** A failure Status for {@code code} with upstream's generic reason for it. */
  static Status statusFor(int code, String message) {
    String reason = switch (code) {
      case 400 -> "BadRequest";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 405 -> "MethodNotAllowed";
      case 406 -> "NotAcceptable";
      case 409 -> "Conflict";
      case 410 -> "Expired";
      case 413 -> "RequestEntityTooLarge";
      case 415 -> "UnsupportedMediaType";
      case 422 -> "Invalid";
      case 429 -> "TooManyRequests";
      case 500 -> "InternalError";
      case 503 -> "ServiceUnavailable";
      case 504 -> "Timeout";
      default -> code >= 500 ? "InternalError" : "Unknown";
    };
    return new Status().withMetadata(new ListMeta()).withStatus("Failure").withCode(code).withReason(reason)
        .withMessage(message).withDetails(new StatusDetails());
  }

  private static Optional<Long> retryAfter(HttpResponse<?> response) {
    int code = response.statusCode();
    if (code != 429 && code < 500) {
      return Optional.empty();
    }
    return response.headers().firstValue("Retry-After").flatMap(v -> {
      try {
        long s = Long.parseLong(v.trim());
        return s > 0 ? Optional.of(Math.min(s, MAX_RETRY_AFTER_SECONDS)) : Optional.empty();
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    });
  }

  private static void sleep(Duration d, String what) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientTransportException(what + ": interrupted while waiting to retry", e);
    }
  }

  static String describe(IOException e) {
    String m = e.getMessage();
    if (e instanceof java.net.ConnectException) {
      return "connection refused" + (m == null || m.isEmpty() ? "" : " (" + m + ")");
    }
    return m == null || m.isEmpty() ? e.getClass().getSimpleName() : m;
  }

  /** Aborts what is in flight and stops the HTTP client's threads. */
  @Override
  public void close() {
    http.shutdownNow();
    executor.shutdownNow();
    try {
      if (!http.awaitTermination(Duration.ofSeconds(5)) || !executor.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("HTTP client threads still running 5s after close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
