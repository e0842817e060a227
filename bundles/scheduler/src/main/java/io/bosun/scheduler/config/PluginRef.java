package io.bosun.scheduler.config;

import java.util.Objects;

/**
 * A plugin named in a profile's {@code plugins} section, as upstream's {@code config.Plugin}.
 *
 * @param name   the plugin's name
 * @param weight the score weight; 0 when not given (then the multiPoint weight, or 1, applies)
 */
public record PluginRef(String name, int weight) {

  public PluginRef {
    Objects.requireNonNull(name, "name");
  }
}
