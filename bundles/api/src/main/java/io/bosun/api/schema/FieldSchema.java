package io.bosun.api.schema;

import java.util.List;

/**
 * One field of a model type, with the patch metadata upstream keeps in struct tags.
 *
 * @param name          the JSON name
 * @param patchMergeKey for lists merged by key in strategic merge patch, the key field
 * @param patchStrategy {@code merge}, {@code replace}, {@code retainKeys} or {@code merge,retainKeys}; null for default
 * @param listType      {@code atomic}, {@code set} or {@code map} (server-side apply), or null
 * @param listMapKeys   the keys identifying items of a {@code map} list
 */
public record FieldSchema(String name, TypeExpr type, String doc, boolean required, String patchMergeKey,
    String patchStrategy, String listType, List<String> listMapKeys, List<String> enumValues, String format) {

  public FieldSchema {
    listMapKeys = List.copyOf(listMapKeys);
    enumValues = List.copyOf(enumValues);
  }

  /** Whether strategic merge patch merges this list by {@link #patchMergeKey()} or as a set. */
  public boolean mergesList() {
    return patchStrategy != null && patchStrategy.contains("merge");
  }

  /** Whether strategic merge patch honours {@code $retainKeys} on this field. */
  public boolean retainsKeys() {
    return patchStrategy != null && patchStrategy.contains("retainKeys");
  }
}
