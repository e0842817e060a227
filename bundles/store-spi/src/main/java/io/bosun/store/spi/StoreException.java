package io.bosun.store.spi;

/** The store could not serve a request: it is closed, unavailable, or failed to persist. */
public class StoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
