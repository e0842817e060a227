package io.bosun.apiserver.spi;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a {@link RouteHandler} answers.
 *
 * @param code        the HTTP status code
 * @param contentType the {@code Content-Type} of the body
 * @param body        the complete body
 */
public record RouteResponse(int code, String contentType, byte[] body) {

  public RouteResponse {
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
  }

  /** A JSON response. */
  public static RouteResponse json(int code, byte[] json) {
    return new RouteResponse(code, "application/json", json);
  }

  /** A JSON response from a string. */
  public static RouteResponse json(int code, String json) {
    return json(code, json.getBytes(StandardCharsets.UTF_8));
  }
}
