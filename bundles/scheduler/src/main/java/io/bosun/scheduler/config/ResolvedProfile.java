package io.bosun.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A profile with its policy chain applied: every plugin set and argument is final. What the
 * framework is built from, and what the status reports as the profile's configuration. Immutable.
 *
 * @param schedulerName            the profile's scheduler name
 * @param policy                   the policy it is based on ({@code default} unless named), or null
 * @param percentageOfNodesToScore 0-100, or null to use the scheduler-wide setting
 * @param plugins                  merged plugin sets by extension point key (incl. {@code multiPoint})
 * @param pluginConfig             merged plugin arguments by plugin name
 */
public record ResolvedProfile(String schedulerName, String policy, Integer percentageOfNodesToScore,
    Map<String, PluginSet> plugins, Map<String, JsonNode> pluginConfig) {

  /** The plugin set at {@code key}, empty if none. */
  public PluginSet pluginSet(String key) {
    return plugins.getOrDefault(key, PluginSet.EMPTY);
  }

  /** Every plugin the profile enables anywhere, in first-mention order. */
  public Set<String> neededPlugins() {
    Set<String> out = new LinkedHashSet<>();
    pluginSet(ProfileSpec.MULTI_POINT).enabled().forEach(p -> out.add(p.name()));
    plugins.forEach((k, v) -> v.enabled().forEach(p -> out.add(p.name())));
    return out;
  }

  /** The arguments of {@code plugin}, or null if none are configured. */
  public JsonNode args(String plugin) {
    return pluginConfig.get(plugin);
  }
}
