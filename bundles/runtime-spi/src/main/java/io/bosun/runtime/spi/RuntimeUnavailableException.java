package io.bosun.runtime.spi;

/**
 * The runtime cannot serve requests now (it is starting, stopping, or its backend is down). The
 * kubelet retries later and reports the node not ready meanwhile.
 */
public class RuntimeUnavailableException extends ContainerRuntimeException {

  private static final long serialVersionUID = 1L;

  public static final String REASON = "RuntimeUnavailable";

  public RuntimeUnavailableException(String message) {
    super(REASON, message);
  }

  public RuntimeUnavailableException(String message, Throwable cause) {
    super(REASON, message, cause);
  }
}
