package io.bosun.scheduler.spi;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The host ports in use on a node, as upstream's {@code framework.HostPortInfo}: a multiset of
 * {@link HostPort}s (two pods may declare the same port if they never share a node, so counts are
 * kept). Immutable and thread-safe.
 */
public final class HostPorts {

  /** No ports. */
  public static final HostPorts EMPTY = new HostPorts(Map.of());

  private final Map<HostPort, Integer> counts;

  private HostPorts(Map<HostPort, Integer> counts) {
    this.counts = counts;
  }

  /** These ports plus {@code ports}. */
  public HostPorts plus(Collection<HostPort> ports) {
    if (ports.isEmpty()) {
      return this;
    }
    Map<HostPort, Integer> m = new HashMap<>(counts);
    for (HostPort p : ports) {
      m.merge(p, 1, Integer::sum);
    }
    return new HostPorts(Collections.unmodifiableMap(m));
  }

  /** These ports minus one use of each of {@code ports}. */
  public HostPorts minus(Collection<HostPort> ports) {
    if (ports.isEmpty()) {
      return this;
    }
    Map<HostPort, Integer> m = new HashMap<>(counts);
    for (HostPort p : ports) {
      m.computeIfPresent(p, (k, v) -> v <= 1 ? null : v - 1);
    }
    return new HostPorts(Collections.unmodifiableMap(m));
  }

  /**
   * Whether {@code port} conflicts with a port in use, as upstream's {@code CheckConflict}: the
   * same protocol and port on the same IP, or where either side is {@value HostPort#ANY_IP}.
   */
  public boolean conflicts(HostPort port) {
    if (port.port() <= 0) {
      return false;
    }
    if (HostPort.ANY_IP.equals(port.ip())) {
      for (HostPort used : counts.keySet()) {
        if (used.port() == port.port() && used.protocol().equals(port.protocol())) {
          return true;
        }
      }
      return false;
    }
    return counts.containsKey(port)
        || counts.containsKey(new HostPort(HostPort.ANY_IP, port.protocol(), port.port()));
  }

  /** The distinct ports in use. */
  public Set<HostPort> ports() {
    return Collections.unmodifiableSet(counts.keySet());
  }

  public boolean isEmpty() {
    return counts.isEmpty();
  }

  @Override
  public String toString() {
    return counts.keySet().toString();
  }
}
