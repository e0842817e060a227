package io.bosun.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.cli.CliException;

/** The API server answered with an error {@code Status}; the message is the server's, as kubectl prints it. */
public final class ApiError extends CliException {

  private static final long serialVersionUID = 1L;
  private final int code;
  private final String reason;
  private final transient JsonNode status;

  public ApiError(int code, String reason, String message, JsonNode status) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.status = status;
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  public JsonNode status() {
    return status;
  }

  public boolean notFound() {
    return code == 404;
  }

  public boolean conflict() {
    return code == 409;
  }
}
