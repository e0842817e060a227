package io.bosun.scheduler.plugins.noderesourcesfit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Upstream's {@code NodeResourcesFitArgs} ({@code kubescheduler.config.k8s.io/v1}), with its defaults
 * and validation:
 *
 * <pre>{@code
 * ignoredResources: []          # extended resources the filter does not check
 * ignoredResourceGroups: []     # extended resource name prefixes (before "/") it does not check
 * scoringStrategy:
 *   type: LeastAllocated        # or MostAllocated, RequestedToCapacityRatio
 *   resources:                  # default cpu and memory, weight 1 each; weights 1..100
 *   - {name: cpu, weight: 1}
 *   - {name: memory, weight: 1}
 *   requestedToCapacityRatio:   # RequestedToCapacityRatio only
 *     shape:                    # utilization 0..100 increasing, score 0..10
 *     - {utilization: 0, score: 0}
 *     - {utilization: 100, score: 10}
 * }</pre>
 *
 * Immutable.
 */
record NodeResourcesFitArgs(Set<String> ignoredResources, Set<String> ignoredResourceGroups, StrategyType type,
    List<ResourceSpec> resources, List<ShapePoint> shape) {

  /** The scoring strategies. */
  enum StrategyType { LeastAllocated, MostAllocated, RequestedToCapacityRatio }

  /** A resource to score and its weight. */
  record ResourceSpec(String name, long weight) {
  }

  /** A point of the RequestedToCapacityRatio function: utilization 0..100 to score 0..10. */
  record ShapePoint(long utilization, long score) {
  }

  /** Upstream's maximum score of a shape point (scaled to 0..100 when scoring). */
  static final long MAX_CUSTOM_PRIORITY_SCORE = 10;
  static final long MAX_UTILIZATION = 100;

  NodeResourcesFitArgs {
    ignoredResources = Set.copyOf(ignoredResources);
    ignoredResourceGroups = Set.copyOf(ignoredResourceGroups);
    resources = List.copyOf(resources);
    shape = List.copyOf(shape);
  }

  static List<ResourceSpec> defaultResources() {
    return List.of(new ResourceSpec("cpu", 1), new ResourceSpec("memory", 1));
  }

  /**
   * Parses and validates {@code args}; absent fields take upstream's defaults.
   *
   * @throws IllegalArgumentException naming the invalid field
   */
  static NodeResourcesFitArgs parse(JsonNode args) {
    ArgsReader r = new ArgsReader(NodeResourcesFit.NAME);
    JsonNode root = r.object("", args, "ignoredResources", "ignoredResourceGroups", "scoringStrategy");
    Set<String> ignored = new HashSet<>(r.strings(root, "", "ignoredResources"));
    Set<String> groups = new HashSet<>();
    for (String g : r.strings(root, "", "ignoredResourceGroups")) {
      if (g.contains("/")) {
        throw r.error("ignoredResourceGroups", "resource group name can't contain '/': " + g);
      }
      groups.add(g);
    }
    JsonNode strategy = r.object("scoringStrategy", ArgsReader.field(root, "scoringStrategy"),
        "type", "resources", "requestedToCapacityRatio");
    String typeName = r.string(strategy, "scoringStrategy", "type", StrategyType.LeastAllocated.name());
    StrategyType type;
    try {
      type = StrategyType.valueOf(typeName);
    } catch (IllegalArgumentException e) {
      throw r.error("scoringStrategy.type", "Unsupported value: \"" + typeName
          + "\": supported values: \"LeastAllocated\", \"MostAllocated\", \"RequestedToCapacityRatio\"");
    }
    List<ResourceSpec> resources = parseResources(r, strategy);
    List<ShapePoint> shape = List.of();
    JsonNode rtcr = ArgsReader.field(strategy, "requestedToCapacityRatio");
    if (type == StrategyType.RequestedToCapacityRatio) {
      if (rtcr == null) {
        throw r.error("scoringStrategy.requestedToCapacityRatio", "Required value");
      }
      shape = parseShape(r, r.object("scoringStrategy.requestedToCapacityRatio", rtcr, "shape"));
    } else if (rtcr != null) {
      throw r.error("scoringStrategy.requestedToCapacityRatio", "only allowed with type RequestedToCapacityRatio");
    }
    return new NodeResourcesFitArgs(ignored, groups, type, resources, shape);
  }

  private static List<ResourceSpec> parseResources(ArgsReader r, JsonNode strategy) {
    List<JsonNode> items = r.array(strategy, "scoringStrategy", "resources");
    if (items.isEmpty()) {
      return defaultResources();
    }
    List<ResourceSpec> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String path = "scoringStrategy.resources[" + i + "]";
      JsonNode item = r.object(path, items.get(i), "name", "weight");
      String name = r.string(item, path, "name", "");
      if (name.isEmpty()) {
        throw r.error(path + ".name", "Required value");
      }
      if (!seen.add(name)) {
        throw r.error(path + ".name", "Duplicate value: \"" + name + "\"");
      }
      // v1 defaulting turns an unset (0) weight into 1.
      long weight = r.integer(item, path, "weight", 0);
      weight = weight == 0 ? 1 : weight;
      if (weight < 1 || weight > 100) {
        throw r.error(path + ".weight", "resource weight of " + name + " not in valid range (0, 100]");
      }
      out.add(new ResourceSpec(name, weight));
    }
    return out;
  }

  private static List<ShapePoint> parseShape(ArgsReader r, JsonNode rtcr) {
    List<JsonNode> items = r.array(rtcr, "scoringStrategy.requestedToCapacityRatio", "shape");
    if (items.isEmpty()) {
      throw r.error("scoringStrategy.requestedToCapacityRatio.shape", "Required value: at least one point must be specified");
    }
    List<ShapePoint> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String path = "scoringStrategy.requestedToCapacityRatio.shape[" + i + "]";
      JsonNode item = r.object(path, items.get(i), "utilization", "score");
      long u = r.integer(item, path, "utilization", 0);
      long s = r.integer(item, path, "score", 0);
      if (u < 0 || u > MAX_UTILIZATION) {
        throw r.error(path + ".utilization", "not in valid range [0, 100]");
      }
      if (s < 0 || s > MAX_CUSTOM_PRIORITY_SCORE) {
        throw r.error(path + ".score", "not in valid range [0, 10]");
      }
      if (!out.isEmpty() && u <= out.get(out.size() - 1).utilization()) {
        throw r.error(path + ".utilization", "utilization values must be sorted in increasing order");
      }
      out.add(new ShapePoint(u, s));
    }
    return out;
  }
}
