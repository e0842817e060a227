package io.bosun.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One profile, or one named policy, as written in the configuration: upstream's
 * {@code KubeSchedulerProfile} plus Bosun's {@code policy} (the named plugin set this one is
 * applied over). Immutable.
 *
 * @param schedulerName            the {@code spec.schedulerName} of the pods this profile schedules;
 *                                 null in a policy
 * @param policy                   the base policy; null: {@code default} for a profile, none for a policy
 * @param percentageOfNodesToScore 0-100, null when not set
 * @param plugins                  plugin sets by extension point key ({@code multiPoint},
 *                                 {@code filter}, {@code score} ...)
 * @param pluginConfig             plugin arguments by plugin name (JSON objects)
 */
public record ProfileSpec(String schedulerName, String policy, Integer percentageOfNodesToScore,
    Map<String, PluginSet> plugins, Map<String, JsonNode> pluginConfig) {

  /** The key of the plugin set that applies to every extension point a plugin implements. */
  public static final String MULTI_POINT = "multiPoint";

  public ProfileSpec {
    plugins = Collections.unmodifiableMap(new LinkedHashMap<>(plugins));
    pluginConfig = Collections.unmodifiableMap(new LinkedHashMap<>(pluginConfig));
  }

  /** The plugin set at {@code key}, empty if none. */
  public PluginSet pluginSet(String key) {
    return plugins.getOrDefault(key, PluginSet.EMPTY);
  }
}
