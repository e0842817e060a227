package io.bosun.runtime.spi;

/** A container's state (CRI {@code ContainerState}). */
public enum ContainerState {
  /** Created, never started. */
  CREATED,
  /** Its process runs. */
  RUNNING,
  /** Its process has ended; {@link ContainerStatus#exitCode()} says how. */
  EXITED,
  /** The runtime lost track of it (its state could not be read). */
  UNKNOWN
}
