package io.bosun.runtime.spi;

import java.util.Map;

/**
 * Which containers to list (CRI {@code ContainerFilter}); every set part must match.
 *
 * @param id        a container id; null for any
 * @param sandboxId a sandbox id; null for any
 * @param state     a state; null for any
 * @param labels    labels every listed container has with these values; empty for any
 */
public record ContainerFilter(String id, String sandboxId, ContainerState state, Map<String, String> labels) {

  /** Every container. */
  public static final ContainerFilter ALL = new ContainerFilter(null, null, null, Map.of());

  public ContainerFilter {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** The containers of one pod ({@link Labels#POD_UID}). */
  public static ContainerFilter ofPod(String podUid) {
    return new ContainerFilter(null, null, null, Map.of(Labels.POD_UID, podUid));
  }

  /** The containers of one sandbox. */
  public static ContainerFilter ofSandbox(String sandboxId) {
    return new ContainerFilter(null, sandboxId, null, Map.of());
  }

  /** Whether {@code container} matches. */
  public boolean matches(ContainerStatus container) {
    return (id == null || id.equals(container.id())) && (sandboxId == null || sandboxId.equals(container.sandboxId()))
        && (state == null || state == container.state()) && Labels.matches(labels, container.labels());
  }
}
