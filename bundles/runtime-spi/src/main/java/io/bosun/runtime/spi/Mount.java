package io.bosun.runtime.spi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A volume mount (CRI {@code Mount}): a file or folder prepared on the node by the kubelet, made
 * visible to the container.
 *
 * @param hostPath      the file or folder on the node
 * @param containerPath where the container sees it (absolute)
 * @param readOnly      the container may not write to it
 * @param propagation   mount propagation between node and container
 */
public record Mount(Path hostPath, String containerPath, boolean readOnly, Propagation propagation) {

  /** Mount propagation ({@code mountPropagation}). */
  public enum Propagation { PRIVATE, HOST_TO_CONTAINER, BIDIRECTIONAL }

  public Mount {
    Objects.requireNonNull(hostPath, "hostPath");
    Objects.requireNonNull(containerPath, "containerPath");
    propagation = propagation == null ? Propagation.PRIVATE : propagation;
  }
}
