package io.bosun.client;

/**
 * A request could not be completed. One of two kinds: {@link ClientStatusException} (the server
 * answered with an error) or {@link ClientTransportException} (no usable answer).
 */
public abstract sealed class ClientException extends RuntimeException
    permits ClientStatusException, ClientTransportException {

  private static final long serialVersionUID = 1L;

  ClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
