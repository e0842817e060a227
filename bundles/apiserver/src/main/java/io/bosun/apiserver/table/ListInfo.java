package io.bosun.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The list metadata a Table carries over from the list it renders.
 *
 * @param resourceVersion    the list's (or, for one object, the object's) resourceVersion; null to omit
 * @param continueToken      {@code metadata.continue}; null to omit
 * @param remainingItemCount null to omit
 */
public record ListInfo(String resourceVersion, String continueToken, Long remainingItemCount) {

  public static final ListInfo EMPTY = new ListInfo(null, null, null);

  /** Reads a {@code ListMeta} tree; a missing or null node gives {@link #EMPTY}. */
  public static ListInfo of(JsonNode listMeta) {
    if (listMeta == null || !listMeta.isObject()) {
      return EMPTY;
    }
    JsonNode rv = listMeta.get("resourceVersion");
    JsonNode cont = listMeta.get("continue");
    JsonNode remaining = listMeta.get("remainingItemCount");
    return new ListInfo(rv != null && rv.isTextual() ? rv.asText() : null,
        cont != null && cont.isTextual() ? cont.asText() : null,
        remaining != null && remaining.isNumber() ? remaining.asLong() : null);
  }

  /** For a single object: its {@code metadata.resourceVersion}, as upstream's Table then carries. */
  public static ListInfo ofObject(JsonNode object) {
    JsonNode rv = object == null ? null : object.path("metadata").get("resourceVersion");
    return new ListInfo(rv != null && rv.isTextual() ? rv.asText() : null, null, null);
  }
}
