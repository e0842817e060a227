package io.bosun.runtime.spi;

/**
 * An image could not be pulled: unknown name or tag, no access, registry unreachable. The kubelet
 * reports {@value #REASON}, then {@code ImagePullBackOff} while it waits to try again.
 */
public class ImagePullException extends ContainerRuntimeException {

  private static final long serialVersionUID = 1L;

  public static final String REASON = "ErrImagePull";

  public ImagePullException(String message) {
    super(REASON, message);
  }

  public ImagePullException(String message, Throwable cause) {
    super(REASON, message, cause);
  }
}
