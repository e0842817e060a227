package io.bosun.network.spi;

import java.util.List;
import java.util.Objects;

/**
 * A pod's addresses after {@link PodNetwork#attach}.
 *
 * @param ip            the pod's primary IP (no prefix length), such as {@code 10.88.0.5}
 * @param additionalIps further IPs (dual stack)
 * @param gateway       the default gateway; "" if none
 * @param interfaceName the interface in the pod, such as {@code eth0}
 */
public record Attachment(String ip, List<String> additionalIps, String gateway, String interfaceName) {

  public Attachment {
    Objects.requireNonNull(ip, "ip");
    additionalIps = additionalIps == null ? List.of() : List.copyOf(additionalIps);
    gateway = gateway == null ? "" : gateway;
    interfaceName = interfaceName == null ? "" : interfaceName;
  }
}
