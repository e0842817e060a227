package io.bosun.scheduler.plugins.defaultbinder;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.BindPlugin;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Status;
import java.util.Objects;

/**
 * Upstream's {@code DefaultBinder}: binds the pod by writing the {@code pods/{name}/binding}
 * subresource through {@link Handle#bind} (the pod's UID is the precondition, so a deleted and
 * recreated pod is never bound by mistake). Blocks for one API round trip; thread-safe.
 */
public final class DefaultBinder implements BindPlugin {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "DefaultBinder";

  private final Handle handle;

  DefaultBinder(Handle handle) {
    this.handle = Objects.requireNonNull(handle, "handle");
  }

  @Override
  public String name() {
    return NAME;
  }

  /** @return success once bound; the handle's error status (e.g. already bound, pod gone) otherwise */
  @Override
  public Status bind(CycleState state, Pod pod, String nodeName) {
    return handle.bind(pod, nodeName);
  }
}
