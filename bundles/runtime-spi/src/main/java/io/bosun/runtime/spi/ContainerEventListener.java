package io.bosun.runtime.spi;

import org.osgi.annotation.versioning.ConsumerType;

/** Hears about container state changes ({@link ContainerService#subscribe}). */
@ConsumerType
@FunctionalInterface
public interface ContainerEventListener {

  /** A container changed; called on a runtime thread, must return quickly. */
  void onEvent(ContainerEvent event);
}
