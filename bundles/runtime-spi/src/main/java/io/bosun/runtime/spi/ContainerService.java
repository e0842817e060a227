package io.bosun.runtime.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Containers (CRI {@code CreateContainer}, {@code StartContainer}, ...). A container belongs to
 * one sandbox, is {@link ContainerState#CREATED} by {@link #create}, {@link ContainerState#RUNNING}
 * after {@link #start} and {@link ContainerState#EXITED} once its process ended; it is never
 * started twice: the kubelet restarts a container by creating a new one with the next
 * {@link ContainerConfig#attempt()}. Exited containers stay listed, with their exit code, until
 * {@link #remove}d.
 */
@ConsumerType
public interface ContainerService {

  /**
   * Creates a container in a ready sandbox without starting it. The image must be present
   * (the kubelet pulls first).
   *
   * @param sandboxConfig the config the sandbox was made with (CRI passes it again; runtimes may
   *                      use it instead of keeping their own copy)
   * @return the new container's id
   * @throws NotFoundException        if the sandbox does not exist
   * @throws CreateContainerException when the container cannot be created (bad config, missing image)
   */
  String create(String sandboxId, ContainerConfig config, SandboxConfig sandboxConfig);

  /**
   * Starts a created container; returns once its process runs (or has already ended).
   *
   * @throws NotFoundException        if the container does not exist
   * @throws StartContainerException  when its process cannot be started (no such executable,
   *                                  permission denied); the container is then {@link ContainerState#EXITED}
   *                                  or still {@link ContainerState#CREATED}
   */
  void start(String containerId);

  /**
   * Stops a running container: the stop signal (SIGTERM) to all its processes, then after
   * {@code timeout} SIGKILL. Blocks until the container has exited, so its exit code is known.
   * Idempotent: an exited or created container is left as it is.
   *
   * @param timeout the grace period; zero kills at once
   * @throws NotFoundException if the container does not exist
   */
  void stop(String containerId, Duration timeout);

  /**
   * Removes a container and what the runtime keeps of it (not its log file: logs belong to the
   * kubelet). A running container is killed first. Idempotent; an unknown id is not an error.
   */
  void remove(String containerId);

  /** One container's status; empty if the runtime does not know it. */
  Optional<ContainerStatus> status(String containerId);

  /** The containers matching {@code filter} ({@link ContainerFilter#ALL} for all), in no particular order. */
  List<ContainerStatus> list(ContainerFilter filter);

  /**
   * Makes the runtime write to a fresh file at the container's log path (CRI
   * {@code ReopenContainerLog}): the kubelet has just renamed the old file away to rotate it.
   * Runtimes that notice the rename on their own may do nothing. Unknown or exited containers
   * are not an error.
   */
  void reopenLog(String containerId);

  /**
   * Delivers container state changes as they happen, when {@link RuntimeCapabilities#events()}
   * is set (CRI {@code GetContainerEvents}). The listener is called from a runtime thread and
   * must not block. Events may be lost (a listener added late, a runtime restart): the kubelet
   * also relists, so events are a hint, never the only source of truth.
   *
   * @return closes the subscription; idempotent
   */
  default Registration subscribe(ContainerEventListener listener) {
    return () -> { };
  }

  /** A subscription; closing it stops the deliveries. */
  @FunctionalInterface
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }
}
