package io.bosun.client;

import io.bosun.api.meta.v1.Status;
import io.bosun.api.meta.v1.StatusDetails;

/**
 * The server answered with an error {@code Status} (client-go's {@code StatusError}). Answers
 * that carry no Status body get one made from the HTTP code, as client-go does.
 */
public final class ClientStatusException extends ClientException {

  private static final long serialVersionUID = 1L;

  private final transient Status status;

  /** @param status the server's Status; its code and message should be set */
  public ClientStatusException(Status status) {
    super(status.getMessage(), null);
    this.status = status;
  }

  /** The server's Status: code, reason, message and details (name, kind, causes, retryAfterSeconds). */
  public Status status() {
    return status;
  }

  /** The HTTP code, such as 404. */
  public int code() {
    return status.getCode() == null ? 0 : status.getCode();
  }

  /** The machine-readable reason, such as {@code NotFound} or {@code AlreadyExists}; may be null. */
  public String reason() {
    return status.getReason();
  }

  /** The details (name, group, kind, causes), or null. */
  public StatusDetails details() {
    return status.getDetails();
  }

  /** 404: the object (or the path) does not exist. */
  public boolean isNotFound() {
    return is("NotFound", 404);
  }

  /** 409 AlreadyExists: a create named an existing object. */
  public boolean isAlreadyExists() {
    return "AlreadyExists".equals(reason());
  }

  /** 409 Conflict: a stale resourceVersion or a failed precondition; re-read and retry. */
  public boolean isConflict() {
    return "Conflict".equals(reason()) || (code() == 409 && reason() == null);
  }

  /** 410 Gone / Expired: the resourceVersion or continue token is too old; relist. */
  public boolean isGone() {
    return code() == 410 || "Expired".equals(reason()) || "Gone".equals(reason());
  }

  /** 422 Invalid: the object failed validation; see {@link #details()} for the causes. */
  public boolean isInvalid() {
    return is("Invalid", 422);
  }

  /** 429: too many requests, or an eviction a disruption budget forbids now. */
  public boolean isTooManyRequests() {
    return is("TooManyRequests", 429);
  }

  private boolean is(String reason, int code) {
    return reason.equals(reason()) || (code() == code && (reason() == null || reason().isEmpty()));
  }

  /** {@code <code> <reason>: <message>}, such as {@code 404 NotFound: pods "x" not found}. */
  @Override
  public String getMessage() {
    return code() + " " + (reason() == null ? "" : reason() + ": ") + status.getMessage();
  }
}
