package io.bosun.runtime.spi;

import java.util.Map;

/**
 * Which sandboxes to list (CRI {@code PodSandboxFilter}); every set part must match.
 *
 * @param id     a sandbox id; null for any
 * @param state  a state; null for any
 * @param labels labels every listed sandbox has with these values; empty for any
 */
public record SandboxFilter(String id, SandboxState state, Map<String, String> labels) {

  /** Every sandbox. */
  public static final SandboxFilter ALL = new SandboxFilter(null, null, Map.of());

  public SandboxFilter {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** The sandboxes of one pod ({@link Labels#POD_UID}). */
  public static SandboxFilter ofPod(String podUid) {
    return new SandboxFilter(null, null, Map.of(Labels.POD_UID, podUid));
  }

  /** Whether {@code sandbox} matches. */
  public boolean matches(SandboxStatus sandbox) {
    return (id == null || id.equals(sandbox.id())) && (state == null || state == sandbox.state())
        && Labels.matches(labels, sandbox.labels());
  }
}
