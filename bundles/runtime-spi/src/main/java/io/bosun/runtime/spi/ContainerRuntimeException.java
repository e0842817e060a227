package io.bosun.runtime.spi;

import java.util.Objects;

/**
 * A runtime operation failed. The subclasses are sentinels for the well-known failures; the
 * {@link #reason()} is what the kubelet reports in the container's waiting state or in events,
 * using upstream's names.
 */
public class ContainerRuntimeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A pod sandbox could not be made (upstream event {@code FailedCreatePodSandBox}). */
  public static final String CREATE_SANDBOX_ERROR = "CreatePodSandboxError";
  /** Anything else. */
  public static final String RUNTIME_ERROR = "RuntimeError";

  private final String reason;

  /**
   * @param reason a short CamelCase reason; null for {@value #RUNTIME_ERROR}
   */
  public ContainerRuntimeException(String reason, String message) {
    this(reason, message, null);
  }

  public ContainerRuntimeException(String reason, String message, Throwable cause) {
    super(Objects.requireNonNullElse(message, ""), cause);
    this.reason = reason == null || reason.isEmpty() ? RUNTIME_ERROR : reason;
  }

  /** The reason to report, such as {@code ErrImagePull}. */
  public String reason() {
    return reason;
  }
}
