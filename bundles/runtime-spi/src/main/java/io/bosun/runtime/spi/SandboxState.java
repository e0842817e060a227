package io.bosun.runtime.spi;

/** A sandbox's state (CRI {@code PodSandboxState}). */
public enum SandboxState {
  /** Running: containers can be created and run in it. */
  READY,
  /** Stopped, or broken (its network or shared namespaces are gone): the pod needs a new sandbox. */
  NOT_READY
}
