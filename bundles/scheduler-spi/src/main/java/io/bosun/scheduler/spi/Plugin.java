package io.bosun.scheduler.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The root of every scheduler plugin. A plugin also implements one or more of the extension-point
 * interfaces of this package ({@link ExtensionPoint}).
 *
 * <p>An instance belongs to one profile and lives from its {@link PluginFactory#create creation}
 * until {@link #close()}; it is shared by every scheduling and binding cycle of that profile, so
 * it must be thread-safe and keep per-pod data in the {@link CycleState}.
 */
@ConsumerType
public interface Plugin {

  /**
   * The plugin's name, as written in profiles ({@code NodeResourcesFit}); equal to the
   * {@value PluginFactory#PLUGIN_NAME} property of its factory. Constant for the instance's life.
   */
  String name();

  /**
   * Releases what the instance holds (threads, caches). Called once by the framework, after the
   * last cycle that uses this instance has finished: when its profile is replaced by a new
   * configuration, when its factory service goes away, or when the scheduler stops. Must not block
   * for long and must not throw. The default does nothing.
   */
  default void close() {
  }
}
