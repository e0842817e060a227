package io.bosun.client;

/**
 * No usable answer: the server could not be reached, the connection broke, the request timed
 * out, or the response could not be decoded. Usually worth retrying with backoff. When the
 * calling thread was interrupted the cause is an {@link InterruptedException} and the thread's
 * interrupt flag is set again.
 */
public final class ClientTransportException extends ClientException {

  private static final long serialVersionUID = 1L;

  /** @param cause the I/O failure, or null */
  public ClientTransportException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether the request failed because the calling thread was interrupted. */
  public boolean isInterrupted() {
    return getCause() instanceof InterruptedException;
  }
}
