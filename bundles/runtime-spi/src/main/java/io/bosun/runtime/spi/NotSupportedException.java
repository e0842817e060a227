package io.bosun.runtime.spi;

/**
 * The runtime cannot do what was asked (a config it cannot honour, such as a RuntimeClass handler
 * it does not serve). Never thrown for operations its {@link RuntimeCapabilities} claim.
 */
public class NotSupportedException extends ContainerRuntimeException {

  private static final long serialVersionUID = 1L;

  public static final String REASON = "NotSupported";

  public NotSupportedException(String message) {
    super(REASON, message);
  }
}
