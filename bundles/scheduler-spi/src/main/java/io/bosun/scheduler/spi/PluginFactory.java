package io.bosun.scheduler.spi;

import com.fasterxml.jackson.databind.JsonNode;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The service a plugin bundle registers to make a plugin available, as an entry of upstream's
 * in-tree registry ({@code name -> PluginFactory}) that can come and go at run time.
 *
 * <p>Register it as a Declarative Services component with the service property
 * {@value #PLUGIN_NAME} set to the plugin's name:
 *
 * <pre>{@code
 * @Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + NodeResourcesFit.NAME)
 * public final class NodeResourcesFitFactory implements PluginFactory {
 *   public Plugin create(JsonNode args, Handle handle) {
 *     return new NodeResourcesFit(NodeResourcesFitArgs.parse(args), handle);
 *   }
 * }
 * }</pre>
 *
 * <p>The scheduler picks factories by name (the highest service ranking wins if two register the
 * same name). When a factory appears, disappears or is replaced (a bundle update), profiles naming
 * it are rebuilt for the next scheduling cycle; cycles in progress finish with the old instances,
 * which are then {@link Plugin#close() closed}. A profile naming a plugin with no factory keeps
 * its pods waiting (with a {@code FailedScheduling} event saying so) until the factory arrives.
 */
@ConsumerType
public interface PluginFactory {

  /**
   * Service property: the plugin's name, as written in profiles (e.g.
   * {@code bosun.scheduler.plugin=NodeResourcesFit}). Required; factories without it are ignored.
   */
  String PLUGIN_NAME = "bosun.scheduler.plugin";

  /**
   * Creates the plugin for one profile. Called once per profile that enables the plugin, each time
   * the profile is (re)built (configuration changes, plugin arrivals and departures), on a
   * scheduler thread, possibly while cycles still run with the previous instances. Must return
   * quickly and must not block on I/O; the snapshot is not usable yet (use {@code handle} later,
   * from the extension points).
   *
   * @param args   the profile's {@code pluginConfig} arguments for this plugin: a JSON object, empty
   *               ({@code {}}) when none are configured, never null
   * @param handle the profile's handle; keep it for later use
   * @return a new instance whose {@link Plugin#name()} equals this factory's {@value #PLUGIN_NAME}
   * @throws IllegalArgumentException if {@code args} are invalid; the message is reported (the
   *                                  profile's pods then wait, as for a missing plugin)
   */
  Plugin create(JsonNode args, Handle handle);
}
