package io.bosun.network.spi;

/** A network operation failed; the message says what the plugin (or the CNI plugin it ran) reported. */
public class NetworkException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public NetworkException(String message) {
    super(message);
  }

  public NetworkException(String message, Throwable cause) {
    super(message, cause);
  }
}
