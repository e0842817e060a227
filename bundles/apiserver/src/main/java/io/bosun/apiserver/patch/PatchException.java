package io.bosun.apiserver.patch;

/**
 * A patch could not be applied. Carries what upstream's API server would answer: the HTTP
 * {@link #code()}, the Status {@link #reason()} and the Status message {@link #statusMessage()}.
 * {@link #getMessage()} is the engine's own detail (for JSON patch upstream hides it behind a
 * generic message; it is still worth logging).
 *
 * <p>Codes used: 400 BadRequest for undecodable or malformed patch documents, 413 for JSON
 * patches with too many operations, 422 Invalid for JSON patch operations that do not apply and
 * for lists of lists in strategic merge patches, 500 with an empty reason for the errors upstream
 * passes through unconverted (for example a list item without its merge key).
 */
public final class PatchException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Upstream's message for 422 answers built by {@code NewGenericServerResponse}. */
  public static final String REJECTED = "the server rejected our request due to an error in our request";

  private final int code;
  private final String reason;
  private final String statusMessage;

  PatchException(int code, String reason, String statusMessage, String detail) {
    super(detail);
    this.code = code;
    this.reason = reason;
    this.statusMessage = statusMessage;
  }

  static PatchException badRequest(String message) {
    return new PatchException(400, "BadRequest", message, message);
  }

  static PatchException invalid(String detail) {
    return new PatchException(422, "Invalid", REJECTED, detail);
  }

  static PatchException internal(String message) {
    return new PatchException(500, "", message, message);
  }

  static PatchException tooLarge(String message) {
    return new PatchException(413, "RequestEntityTooLarge", "Request entity too large: " + message, message);
  }

  /** The HTTP status code upstream answers with. */
  public int code() {
    return code;
  }

  /** The Status reason, such as {@code BadRequest}; empty where upstream sends none. */
  public String reason() {
    return reason;
  }

  /** The Status message upstream sends to the client. */
  public String statusMessage() {
    return statusMessage;
  }
}
