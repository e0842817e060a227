package io.bosun.api.schema;

import java.util.List;

/**
 * A served kind: its group/version/kind, REST names, scope and subresources.
 *
 * @param verbs the verbs served; empty means the full set
 */
public record KindInfo(String group, String version, String kind, String plural, String singular, boolean namespaced,
    List<String> shortNames, List<String> categories, List<String> subresources, List<String> verbs,
    String typeName, String listTypeName) {

  public KindInfo {
    shortNames = List.copyOf(shortNames);
    categories = List.copyOf(categories);
    subresources = List.copyOf(subresources);
    verbs = List.copyOf(verbs);
  }

  /** {@code v1} for the core group, else {@code group/version}. */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  public boolean hasSubresource(String name) {
    return subresources.contains(name);
  }
}
