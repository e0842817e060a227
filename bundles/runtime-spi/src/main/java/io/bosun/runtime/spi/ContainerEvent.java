package io.bosun.runtime.spi;

import java.util.Objects;

/**
 * A container state change (CRI {@code ContainerEventResponse}).
 *
 * @param type        what happened
 * @param containerId the container
 * @param sandboxId   its sandbox
 * @param podUid      the pod, from the sandbox's {@link Labels#POD_UID} label ("" if unknown)
 */
public record ContainerEvent(Type type, String containerId, String sandboxId, String podUid) {

  /** The kinds of change. */
  public enum Type { CREATED, STARTED, STOPPED, DELETED }

  public ContainerEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(containerId, "containerId");
    sandboxId = sandboxId == null ? "" : sandboxId;
    podUid = podUid == null ? "" : podUid;
  }
}
