package io.bosun.runtime.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the kubelet asks of a new pod sandbox (CRI {@code PodSandboxConfig}).
 *
 * @param name           the pod's name
 * @param namespace      the pod's namespace
 * @param uid            the pod's uid
 * @param attempt        0 for the pod's first sandbox, then 1, 2, ... when one is replaced
 * @param hostname       the pod's hostname ({@code spec.hostname}, else its name)
 * @param logDirectory   the folder for the pod's container logs; each container's
 *                       {@link ContainerConfig#logPath()} lies under it. The kubelet creates it.
 * @param labels         identifying labels ({@link Labels}: pod name, namespace, uid, plus the pod's own)
 * @param annotations    the pod's annotations, for runtimes that read hints from them
 * @param runtimeHandler the RuntimeClass handler the pod asked for; "" for the runtime's default
 * @param hostNetwork    the pod uses the node's network ({@code spec.hostNetwork})
 * @param portMappings   container ports with a {@code hostPort}
 * @param dns            resolver settings for the pod; null for the runtime's default (the host's)
 * @param cgroupParent   the cgroup the sandbox's containers go under; "" for the runtime's choice
 */
public record SandboxConfig(String name, String namespace, String uid, int attempt, String hostname,
    Path logDirectory, Map<String, String> labels, Map<String, String> annotations, String runtimeHandler,
    boolean hostNetwork, List<PortMapping> portMappings, DnsConfig dns, String cgroupParent) {

  public SandboxConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(logDirectory, "logDirectory");
    hostname = hostname == null || hostname.isEmpty() ? name : hostname;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    runtimeHandler = runtimeHandler == null ? "" : runtimeHandler;
    portMappings = portMappings == null ? List.of() : List.copyOf(portMappings);
    cgroupParent = cgroupParent == null ? "" : cgroupParent;
  }

  /**
   * A container port published on the node.
   *
   * @param protocol      {@code TCP}, {@code UDP} or {@code SCTP}
   * @param containerPort the port inside the sandbox
   * @param hostPort      the port on the node
   * @param hostIp        the node address to bind; "" for all
   */
  public record PortMapping(String protocol, int containerPort, int hostPort, String hostIp) {
    public PortMapping {
      protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
      hostIp = hostIp == null ? "" : hostIp;
    }
  }

  /**
   * Resolver settings ({@code resolv.conf}) of a pod.
   *
   * @param servers  name server addresses
   * @param searches search domains
   * @param options  resolver options such as {@code ndots:5}
   */
  public record DnsConfig(List<String> servers, List<String> searches, List<String> options) {
    public DnsConfig {
      servers = servers == null ? List.of() : List.copyOf(servers);
      searches = searches == null ? List.of() : List.copyOf(searches);
      options = options == null ? List.of() : List.copyOf(options);
    }
  }
}
