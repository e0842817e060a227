package io.bosun.runtime.spi;

/** The sandbox, container or image named does not exist (CRI {@code NotFound}). */
public class NotFoundException extends ContainerRuntimeException {

  private static final long serialVersionUID = 1L;

  public static final String REASON = "NotFound";

  public NotFoundException(String message) {
    super(REASON, message);
  }
}
