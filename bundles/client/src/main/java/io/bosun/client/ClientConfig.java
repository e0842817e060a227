package io.bosun.client;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link ApiClient} reaches its API server. Immutable; the {@code with...} methods return
 * changed copies.
 *
 * @param server         base URL of the API server, such as {@code http://127.0.0.1:6443}
 * @param userAgent      sent as {@code User-Agent}; the server takes the part before the first
 *                       {@code /} as the field manager of writes that name none, as upstream
 *                       does, so use one name per component ({@code bosun-scheduler/0.1.0})
 * @param connectTimeout the longest a new connection may take
 * @param requestTimeout the longest any request may wait for its response headers; a watch's
 *                       stream may then last as long as the server keeps it open
 * @param maxRetries     how often a request answered with 429 or 5xx and a {@code Retry-After}
 *                       header is retried after waiting that long (client-go: 10)
 */
public record ClientConfig(URI server, String userAgent, Duration connectTimeout, Duration requestTimeout,
    int maxRetries) {

  /** The user agent of a client that does not name itself. */
  public static final String DEFAULT_USER_AGENT = "bosun-client";

  public ClientConfig {
    Objects.requireNonNull(server, "server");
    if (server.getScheme() == null || !(server.getScheme().equals("http") || server.getScheme().equals("https"))
        || server.getHost() == null) {
      throw new IllegalArgumentException("server must be an http(s) URL with a host: " + server);
    }
    if (userAgent == null || userAgent.isBlank()) {
      userAgent = DEFAULT_USER_AGENT;
    }
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(requestTimeout, "requestTimeout");
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must not be negative: " + maxRetries);
    }
  }

  /**
   * A configuration for {@code server} with the defaults: user agent {@value #DEFAULT_USER_AGENT},
   * 10 s to connect, 60 s per request, 10 retries.
   *
   * @throws IllegalArgumentException if {@code server} is not an http(s) URL
   */
  public static ClientConfig forServer(String server) {
    String s = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    return new ClientConfig(URI.create(s), DEFAULT_USER_AGENT, Duration.ofSeconds(10), Duration.ofSeconds(60), 10);
  }

  /** A copy with {@code userAgent} changed. */
  public ClientConfig withUserAgent(String userAgent) {
    return new ClientConfig(server, userAgent, connectTimeout, requestTimeout, maxRetries);
  }

  /** A copy with {@code connectTimeout} changed. */
  public ClientConfig withConnectTimeout(Duration connectTimeout) {
    return new ClientConfig(server, userAgent, connectTimeout, requestTimeout, maxRetries);
  }

  /** A copy with {@code requestTimeout} changed. */
  public ClientConfig withRequestTimeout(Duration requestTimeout) {
    return new ClientConfig(server, userAgent, connectTimeout, requestTimeout, maxRetries);
  }

  /** A copy with {@code maxRetries} changed. */
  public ClientConfig withMaxRetries(int maxRetries) {
    return new ClientConfig(server, userAgent, connectTimeout, requestTimeout, maxRetries);
  }

  /** The field manager the server derives from the user agent: its part before the first {@code /}. */
  public String fieldManager() {
    int slash = userAgent.indexOf('/');
    return slash < 0 ? userAgent : userAgent.substring(0, slash);
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
