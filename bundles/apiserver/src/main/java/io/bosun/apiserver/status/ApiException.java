package io.bosun.apiserver.status;

import io.bosun.api.meta.v1.Status;
import io.bosun.api.meta.v1.StatusCause;
import io.bosun.api.meta.v1.StatusDetails;
import io.bosun.api.meta.v1.ListMeta;
import io.bosun.api.validation.FieldError;
import java.util.List;

/**
 * A request failed in a way the client should be told about: carries the {@code Status} body
 * upstream would send, with its HTTP code, reason and message. Thrown by request handling and
 * turned into a response at the edge; never logged as a server error.
 */
public final class ApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;
  private final transient Status status;

  public ApiException(Status status) {
    super(status.getMessage(), null, false, false);
    this.status = status;
  }

  public Status status() {
    return status;
  }

  public int code() {
    return status.getCode();
  }

  public String reason() {
    return status.getReason();
  }

  /** A failure {@code Status} with the given code, reason and message. */
  public static Status failure(int code, String reason, String message, StatusDetails details) {
    return new Status().withMetadata(new ListMeta()).withStatus("Failure").withMessage(message).withReason(reason)
        .withDetails(details).withCode(code);
  }

  private static ApiException of(int code, String reason, String message, StatusDetails details) {
    return new ApiException(failure(code, reason, message, details));
  }

  private static StatusDetails details(ResourceName r, String name) {
    return new StatusDetails().withName(name).withGroup(r.group().isEmpty() ? null : r.group()).withKind(r.plural());
  }

  /** 404 {@code pods "x" not found}. */
  public static ApiException notFound(ResourceName r, String name) {
    return of(404, "NotFound", r.qualified() + " \"" + name + "\" not found", details(r, name));
  }

  /** 404 for a path that names nothing served here. */
  public static ApiException pathNotFound() {
    return of(404, "NotFound", "the server could not find the requested resource", new StatusDetails());
  }

  /** 409 {@code pods "x" already exists}. */
  public static ApiException alreadyExists(ResourceName r, String name) {
    return of(409, "AlreadyExists", r.qualified() + " \"" + name + "\" already exists", details(r, name));
  }

  /** 409 for a stale resourceVersion or a failed precondition. */
  public static ApiException conflict(ResourceName r, String name, String why) {
    return of(409, "Conflict", "Operation cannot be fulfilled on " + r.qualified() + " \"" + name + "\": " + why,
        details(r, name));
  }

  /** 409 for the usual optimistic-concurrency failure. */
  public static ApiException staleResourceVersion(ResourceName r, String name) {
    return conflict(r, name,
        "the object has been modified; please apply your changes to the latest version and try again");
  }

  /** 422 {@code Pod "x" is invalid: ...} with one cause per field error. */
  public static ApiException invalid(String kind, String group, String name, List<FieldError> errors) {
    String joined = errors.size() == 1 ? errors.get(0).toString()
        : "[" + String.join(", ", errors.stream().map(FieldError::toString).toList()) + "]";
    List<StatusCause> causes = errors.stream()
        .map(e -> new StatusCause().withReason(e.type().reason()).withMessage(e.message()).withField(e.field()))
        .toList();
    StatusDetails d = new StatusDetails().withName(name).withGroup(group.isEmpty() ? null : group).withKind(kind)
        .withCauses(causes);
    return of(422, "Invalid", kind + " \"" + name + "\" is invalid: " + joined, d);
  }

  /** 400 BadRequest. */
  public static ApiException badRequest(String message) {
    return of(400, "BadRequest", message, null);
  }

  /** 403 Forbidden about one object. */
  public static ApiException forbidden(ResourceName r, String name, String why) {
    String subject = name == null || name.isEmpty() ? r.qualified() : r.qualified() + " \"" + name + "\"";
    return of(403, "Forbidden", subject + " is forbidden: " + why, details(r, name));
  }

  /** 405 for a verb the resource does not support. */
  public static ApiException methodNotSupported(ResourceName r, String verb) {
    return of(405, "MethodNotAllowed", verb + " is not supported on resources of kind \"" + r.qualified() + "\"",
        new StatusDetails().withGroup(r.group().isEmpty() ? null : r.group()).withKind(r.plural()));
  }

  /** 406: none of the accepted media types can be produced. */
  public static ApiException notAcceptable(List<String> supported) {
    return of(406, "NotAcceptable", "only the following media types are accepted: " + String.join(", ", supported),
        null);
  }

  /** 410 Gone, reason Expired. */
  public static ApiException expired(String message) {
    return of(410, "Expired", message, null);
  }

  /** 413 RequestEntityTooLarge. */
  public static ApiException tooLarge(long limit) {
    return of(413, "RequestEntityTooLarge", "Request entity too large: limit is " + limit, null);
  }

  /** 415 UnsupportedMediaType. */
  public static ApiException unsupportedMediaType(String message) {
    return of(415, "UnsupportedMediaType", message, null);
  }

  /** 429 TooManyRequests. */
  public static ApiException tooManyRequests(String message, int retryAfterSeconds) {
    return of(429, "TooManyRequests", message, new StatusDetails().withRetryAfterSeconds(retryAfterSeconds));
  }

  /** 500 InternalError: a server fault, reported without leaking internals. */
  public static ApiException internal(String message) {
    return of(500, "InternalError", "Internal error occurred: " + message,
        new StatusDetails().withCauses(List.of(new StatusCause().withMessage(message))));
  }

  /** 503 ServiceUnavailable. */
  public static ApiException unavailable(String message) {
    return of(503, "ServiceUnavailable", message, null);
  }

  /** 504 Timeout. */
  public static ApiException timeout(String message, int retryAfterSeconds) {
    return of(504, "Timeout", message, new StatusDetails().withRetryAfterSeconds(retryAfterSeconds));
  }
}
