package io.bosun.api.codec;

/**
 * A request body could not be decoded: malformed JSON/YAML, a value of the wrong type, or (in
 * strict mode) unknown or duplicate fields. The message follows upstream's wording and becomes
 * the message of a 400 BadRequest {@code Status}.
 */
public class DecodeException extends Exception {

  private static final long serialVersionUID = 1L;

  public DecodeException(String message) {
    super(message);
  }

  public DecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
