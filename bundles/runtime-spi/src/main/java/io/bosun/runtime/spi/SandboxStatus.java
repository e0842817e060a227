package io.bosun.runtime.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A sandbox as the runtime reports it (CRI {@code PodSandboxStatus}).
 *
 * @param id             the runtime's id
 * @param name           the pod's name, from {@link SandboxConfig#name()}
 * @param namespace      the pod's namespace
 * @param uid            the pod's uid
 * @param attempt        from {@link SandboxConfig#attempt()}
 * @param state          ready or not
 * @param createdAt      when it was created
 * @param ip             the pod's IP; "" when the sandbox shares the node's network (the kubelet
 *                       then reports the node's IP)
 * @param additionalIps  further pod IPs (dual stack)
 * @param labels         as given in {@link SandboxConfig#labels()}
 * @param annotations    as given in {@link SandboxConfig#annotations()}
 * @param runtimeHandler as given in {@link SandboxConfig#runtimeHandler()}
 */
public record SandboxStatus(String id, String name, String namespace, String uid, int attempt, SandboxState state,
    Instant createdAt, String ip, List<String> additionalIps, Map<String, String> labels,
    Map<String, String> annotations, String runtimeHandler) {

  public SandboxStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    ip = ip == null ? "" : ip;
    additionalIps = additionalIps == null ? List.of() : List.copyOf(additionalIps);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    runtimeHandler = runtimeHandler == null ? "" : runtimeHandler;
  }
}
