package io.bosun.runtime.spi;

/**
 * A created container's process could not be started: no such executable, permission denied
 * (upstream {@code RunContainerError}; the container then counts as failed and is restarted with
 * back-off).
 */
public class StartContainerException extends ContainerRuntimeException {

  private static final long serialVersionUID = 1L;

  public static final String REASON = "RunContainerError";

  public StartContainerException(String message) {
    super(REASON, message);
  }

  public StartContainerException(String message, Throwable cause) {
    super(REASON, message, cause);
  }
}
