package io.bosun.network.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a runtime asks a network to attach or detach.
 *
 * @param sandboxId    the runtime's sandbox id (CNI's container id): the key of the attachment
 * @param netns        the network namespace, a path such as {@code /run/netns/NAME}
 * @param podNamespace the pod's namespace
 * @param podName      the pod's name
 * @param podUid       the pod's uid
 * @param portMappings host ports to publish (containers' {@code hostPort})
 * @param annotations  the pod's annotations, for plugins that read hints from them
 */
public record AttachRequest(String sandboxId, Path netns, String podNamespace, String podName, String podUid,
    List<PortMapping> portMappings, Map<String, String> annotations) {

  public AttachRequest {
    Objects.requireNonNull(sandboxId, "sandboxId");
    Objects.requireNonNull(netns, "netns");
    podNamespace = podNamespace == null ? "" : podNamespace;
    podName = podName == null ? "" : podName;
    podUid = podUid == null ? "" : podUid;
    portMappings = portMappings == null ? List.of() : List.copyOf(portMappings);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  /**
   * A port published on the node.
   *
   * @param protocol      {@code TCP}, {@code UDP} or {@code SCTP}
   * @param containerPort the port inside the pod
   * @param hostPort      the port on the node
   * @param hostIp        the node address to bind; "" for all
   */
  public record PortMapping(String protocol, int containerPort, int hostPort, String hostIp) {
    public PortMapping {
      protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
      hostIp = hostIp == null ? "" : hostIp;
    }
  }
}
