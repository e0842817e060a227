package io.bosun.scheduler.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.scheduler.config.PluginRef;
import io.bosun.scheduler.config.PluginSet;
import io.bosun.scheduler.config.ResolvedProfile;
import io.bosun.scheduler.framework.Framework;
import io.bosun.scheduler.framework.ProfileSet;
import io.bosun.scheduler.spi.ExtensionPoint;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The scheduler's status as a JSON document: what the status ConfigMap carries (data key
 * {@value #DATA_KEY}) and what the CLI reads. Shape (stable; fields are only ever added):
 *
 * <pre>{@code
 * {
 *   "leader": "<identity of the instance that wrote this>",
 *   "updated": "<RFC 3339 time>",
 *   "generation": 7,                      // increases with every profile swap
 *   "profilesSource": "configmap|configadmin|built-in",
 *   "configErrors": ["..."],              // a rejected configuration (the last good one stays in use)
 *   "installedPlugins": {"NodeResourcesFit": 1, ...},   // plugin factories present, by name
 *   "profiles": [{
 *     "schedulerName": "default-scheduler",
 *     "policy": "default",
 *     "ready": true,                      // false: its pods wait; see problems
 *     "problems": ["plugin X of profile Y is not installed"],
 *     "percentageOfNodesToScore": null,
 *     "plugins": {                        // active plugins per extension point, in run order (ready profiles)
 *       "queueSort": ["PrioritySort"], "filter": ["NodeUnschedulable", ...],
 *       "score": [{"name": "TaintToleration", "weight": 3}, ...], ...},
 *     "configured": {"multiPoint": {"enabled": [{"name": ..., "weight": ...}], "disabled": []}, ...},
 *     "pluginConfig": {"NodeResourcesFit": {...}, ...}
 *   }]
 * }
 * }</pre>
 */
final class StatusView {

  /** The data key of the status document in the status ConfigMap. */
  static final String DATA_KEY = "status.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusView() {
  }

  static ObjectNode of(ProfileSet set, Map<String, Integer> installed, String leader, Instant now) {
    ObjectNode root = JSON.createObjectNode();
    root.put("leader", leader);
    root.put("updated", now.toString());
    root.put("generation", set == null ? 0 : set.generation());
    root.put("profilesSource", set == null ? "" : set.config().profilesSource());
    ArrayNode errors = root.putArray("configErrors");
    if (set != null) {
      set.configErrors().forEach(errors::add);
    }
    ObjectNode inst = root.putObject("installedPlugins");
    installed.forEach(inst::put);
    ArrayNode profiles = root.putArray("profiles");
    if (set == null) {
      return root;
    }
    for (Framework f : set.frameworks().values()) {
      ResolvedProfile p = f.profile();
      ObjectNode o = profiles.addObject();
      o.put("schedulerName", f.profileName());
      o.put("policy", p.policy());
      boolean ready = set.isReady(f.profileName());
      o.put("ready", ready);
      ArrayNode problems = o.putArray("problems");
      set.problems(f.profileName()).forEach(problems::add);
      if (p.percentageOfNodesToScore() == null) {
        o.putNull("percentageOfNodesToScore");
      } else {
        o.put("percentageOfNodesToScore", p.percentageOfNodesToScore());
      }
      ObjectNode plugins = o.putObject("plugins");
      if (f.isReady()) {
        for (Map.Entry<ExtensionPoint, List<String>> e : f.pluginNames().entrySet()) {
          if (e.getValue().isEmpty()) {
            continue;
          }
          ArrayNode a = plugins.putArray(e.getKey().configKey());
          for (String n : e.getValue()) {
            if (e.getKey() == ExtensionPoint.SCORE) {
              a.addObject().put("name", n).put("weight", f.scoreWeight(n));
            } else {
              a.add(n);
            }
          }
        }
      }
      ObjectNode configured = o.putObject("configured");
      for (Map.Entry<String, PluginSet> e : p.plugins().entrySet()) {
        ObjectNode s = configured.putObject(e.getKey());
        ArrayNode en = s.putArray("enabled");
        for (PluginRef r : e.getValue().enabled()) {
          ObjectNode x = en.addObject().put("name", r.name());
          if (r.weight() != 0) {
            x.put("weight", r.weight());
          }
        }
        ArrayNode dis = s.putArray("disabled");
        e.getValue().disabled().forEach(d -> dis.addObject().put("name", d));
      }
      ObjectNode args = o.putObject("pluginConfig");
      p.pluginConfig().forEach((k, v) -> args.set(k, v.deepCopy()));
    }
    return root;
  }

  static String text(ObjectNode status) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(status);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
