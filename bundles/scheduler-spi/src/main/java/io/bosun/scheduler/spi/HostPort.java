package io.bosun.scheduler.spi;

import java.util.Objects;

/**
 * One host port a pod uses: IP ({@value #ANY_IP} when unset), protocol ({@code TCP} when unset) and
 * port. Immutable.
 */
public record HostPort(String ip, String protocol, int port) {

  /** The wildcard IP. */
  public static final String ANY_IP = "0.0.0.0";

  public HostPort {
    ip = ip == null || ip.isEmpty() ? ANY_IP : ip;
    protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
    Objects.requireNonNull(ip);
  }
}
