package io.bosun.network.spi;

/**
 * Whether a network can attach pods.
 *
 * @param ready   whether it can
 * @param message why not; "" when ready
 */
public record NetworkStatus(boolean ready, String message) {

  public NetworkStatus {
    message = message == null ? "" : message;
  }

  public static NetworkStatus ok() {
    return new NetworkStatus(true, "");
  }

  public static NetworkStatus notReady(String message) {
    return new NetworkStatus(false, message);
  }
}
