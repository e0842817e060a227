package io.bosun.apiserver.registry;

import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.KindInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every resource this server serves, found by group/version/plural or by kind. Built once from
 * the model's kinds and the kind strategies; immutable afterwards.
 */
public final class ResourceRegistry {

  private final Map<String, ResourceType> byPath = new HashMap<>();
  private final Map<String, ResourceType> byKind = new HashMap<>();
  private final Map<String, List<ResourceType>> byGroupVersion = new LinkedHashMap<>();

  public ResourceRegistry(ApiSchema schema, Map<String, KindStrategy> strategies) {
    KindStrategy generic = new KindStrategy() { };
    for (KindInfo info : schema.kinds()) {
      Class<?> javaClass = schema.javaClass(schema.type(info.typeName()));
      ResourceType type = new ResourceType(info, javaClass, strategies.getOrDefault(info.kind(), generic));
      byPath.put(pathKey(info.group(), info.version(), info.plural()), type);
      byKind.put(kindKey(info.group(), info.kind()), type);
      byGroupVersion.computeIfAbsent(info.apiVersion(), k -> new ArrayList<>()).add(type);
    }
  }

  /** The resource at {@code /api(s)/group/version/plural}, or null. */
  public ResourceType find(String group, String version, String plural) {
    return byPath.get(pathKey(group, version, plural));
  }

  /** The resource of a kind in a group, or null. */
  public ResourceType byKind(String group, String kind) {
    return byKind.get(kindKey(group, kind));
  }

  /** Served group versions ({@code v1}, {@code apps/v1}, ...) in model order. */
  public List<String> groupVersions() {
    return List.copyOf(byGroupVersion.keySet());
  }

  /** The resources of one group version. */
  public List<ResourceType> resources(String apiVersion) {
    return Collections.unmodifiableList(byGroupVersion.getOrDefault(apiVersion, List.of()));
  }

  public List<ResourceType> all() {
    return byGroupVersion.values().stream().flatMap(List::stream).toList();
  }

  private static String pathKey(String group, String version, String plural) {
    return group + "/" + version + "/" + plural;
  }

  private static String kindKey(String group, String kind) {
    return group + "/" + kind;
  }
}
