package io.bosun.runtime.spi;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Pod sandboxes (CRI {@code RunPodSandbox}, {@code StopPodSandbox}, ...): what a pod's containers
 * share — network, IPC, the pod's log folder. One ready sandbox per pod at a time; the kubelet
 * makes a new one (with a higher {@link SandboxConfig#attempt()}) when the old one is no longer
 * ready.
 */
@ConsumerType
public interface SandboxService {

  /**
   * Creates and starts a sandbox; when this returns it is {@link SandboxState#READY}. Not
   * idempotent: each call makes a new sandbox.
   *
   * @return the new sandbox's id
   * @throws ContainerRuntimeException with reason {@value ContainerRuntimeException#CREATE_SANDBOX_ERROR}
   *                                   (or a more specific sentinel) when it cannot be made
   */
  String run(SandboxConfig config);

  /**
   * Stops a sandbox: kills every container still running in it (no grace period: the kubelet
   * stops containers gracefully first) and releases its network. Idempotent; an unknown id is
   * not an error (the resources are gone already).
   */
  void stop(String sandboxId);

  /**
   * Removes a sandbox and every container in it, stopping them first if needed. Idempotent; an
   * unknown id is not an error.
   */
  void remove(String sandboxId);

  /** One sandbox's status; empty if the runtime does not know it. */
  Optional<SandboxStatus> status(String sandboxId);

  /** The sandboxes matching {@code filter} ({@link SandboxFilter#ALL} for all), in no particular order. */
  List<SandboxStatus> list(SandboxFilter filter);
}
