package io.bosun.runtime.spi;

/** A container could not be created from its config (upstream {@code CreateContainerError}). */
public class CreateContainerException extends ContainerRuntimeException {

  private static final long serialVersionUID = 1L;

  public static final String REASON = "CreateContainerError";

  public CreateContainerException(String message) {
    super(REASON, message);
  }

  public CreateContainerException(String message, Throwable cause) {
    super(REASON, message, cause);
  }
}
