package io.bosun.runtime.spi;

import java.util.Objects;

/**
 * What a runtime can do, as data (Nomad's driver capabilities): the kubelet adapts to these flags
 * instead of trying an operation and interpreting the failure.
 *
 * @param processIsolation       containers run in their own PID/IPC/UTS namespaces; false: host processes
 * @param filesystemIsolation    containers see their image's root filesystem; false: they see the host's
 * @param mountsAtContainerPath  volume {@link Mount}s appear at their {@link Mount#containerPath()};
 *                               false: the runtime documents where it puts them instead
 * @param resourceLimitsEnforced CPU and memory limits of {@link ContainerResources} are enforced (cgroups)
 * @param exec                   {@link ContainerRuntime#exec()} is present (exec probes, preStop exec hooks)
 * @param images                 images are really pulled and unpacked; false: image names are only recorded
 * @param networking             how pods are networked
 * @param logs                   containers' output is written to {@link ContainerConfig#logPath()} in
 *                               the CRI log format ({@link CriLog})
 * @param events                 {@link ContainerService#subscribe} delivers state changes; false: the kubelet
 *                               only relists (it relists anyway, so events only speed things up)
 * @param survivesRestart        sandboxes and containers, running or exited, outlive a restart of the
 *                               runtime's own component and of the node process, and are listed again
 *                               afterwards; false: they live only as long as the runtime instance (the
 *                               kubelet may still restart around it)
 */
public record RuntimeCapabilities(boolean processIsolation, boolean filesystemIsolation,
    boolean mountsAtContainerPath, boolean resourceLimitsEnforced, boolean exec, boolean images,
    Networking networking, boolean logs, boolean events, boolean survivesRestart) {

  /** How a runtime networks pods. */
  public enum Networking {
    /**
     * Every sandbox shares the node's network: the pod's IP is the node's IP and container ports
     * are host ports. {@link SandboxStatus#ip()} is empty.
     */
    HOST,
    /** Each sandbox gets its own network namespace and IP ({@link SandboxStatus#ip()}); hostNetwork pods excepted. */
    POD
  }

  public RuntimeCapabilities {
    Objects.requireNonNull(networking, "networking");
  }
}
