package io.bosun.apiserver.spi;

/**
 * An expected failure of a {@link RouteHandler}: the API server answers with a Kubernetes
 * {@code Status} (kind Status, status Failure) carrying this code, reason and message, as for
 * its own errors, so clients need only one way to read errors.
 */
public class RouteException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int code;
  private final String reason;

  /**
   * @param code    the HTTP code, 4xx or 5xx
   * @param reason  upstream's reason for it, such as {@code BadRequest}, {@code NotFound},
   *                {@code AlreadyExists}, {@code Invalid}
   * @param message what went wrong and, where it helps, what to do
   */
  public RouteException(int code, String reason, String message) {
    super(message);
    this.code = code;
    this.reason = reason;
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }
}
