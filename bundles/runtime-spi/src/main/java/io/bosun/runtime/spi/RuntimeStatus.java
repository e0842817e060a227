package io.bosun.runtime.spi;

/**
 * The runtime's health (CRI {@code RuntimeStatus} with its RuntimeReady and NetworkReady
 * conditions). The node is Ready only while its default runtime reports both.
 *
 * @param runtimeReady whether containers can be created and started
 * @param networkReady whether pod networking is set up
 * @param message      why not, when either is false; "" otherwise
 */
public record RuntimeStatus(boolean runtimeReady, boolean networkReady, String message) {

  public RuntimeStatus {
    message = message == null ? "" : message;
  }

  /** Ready on both counts. */
  public static RuntimeStatus ready() {
    return new RuntimeStatus(true, true, "");
  }

  /** Whether both conditions hold. */
  public boolean isReady() {
    return runtimeReady && networkReady;
  }
}
