package io.bosun.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * JSON merge patch (RFC 7386) as upstream applies it with evanphx/json-patch: members of the
 * patch replace members of the target, objects merge recursively, {@code null} deletes, and null
 * members are pruned from values the patch brings in (also inside arrays, as evanphx does).
 */
public final class JsonMergePatch {

  private JsonMergePatch() {
  }

  /**
   * Applies {@code patch} to {@code target} and returns a new tree; neither input is modified.
   * An array patch yields the array itself (null members of its objects pruned); a patch onto a non-object target
   * yields the patch with nulls pruned.
   *
   * @throws PatchException 400 {@code Invalid JSON Patch} when the patch is null or a scalar,
   *     500 {@code Invalid JSON Document} when the target is null
   */
  public static JsonNode apply(JsonNode target, JsonNode patch) throws PatchException {
    if (patch == null || patch.isNull() || patch.isMissingNode() || patch.isValueNode()) {
      throw PatchException.badRequest("Invalid JSON Patch");
    }
    if (patch.isArray()) {
      return pruneNulls(patch.deepCopy());
    }
    if (Json.absentOrNull(target)) {
      throw PatchException.internal("Invalid JSON Document");
    }
    if (!target.isObject()) {
      return pruneNulls(patch.deepCopy());
    }
    ObjectNode doc = target.deepCopy();
    mergeDocs(doc, (ObjectNode) patch);
    return doc;
  }

  private static void mergeDocs(ObjectNode doc, ObjectNode patch) {
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      JsonNode value = e.getValue();
      if (value.isNull()) {
        doc.remove(e.getKey());
        continue;
      }
      JsonNode current = doc.get(e.getKey());
      doc.set(e.getKey(), Json.absentOrNull(current) ? pruneNulls(value.deepCopy()) : merge(current, value));
    }
  }

  private static JsonNode merge(JsonNode current, JsonNode patch) {
    if (!current.isObject()) {
      return pruneNulls(patch.deepCopy());
    }
    if (!patch.isObject()) {
      // evanphx hands back the patch value untouched here, nulls and all.
      return patch.deepCopy();
    }
    mergeDocs((ObjectNode) current, (ObjectNode) patch);
    return current;
  }

  static JsonNode pruneNulls(JsonNode n) {
    if (n.isObject()) {
      ObjectNode o = (ObjectNode) n;
      for (Map.Entry<String, JsonNode> e : Json.fields(o)) {
        if (e.getValue().isNull()) {
          o.remove(e.getKey());
        } else {
          pruneNulls(e.getValue());
        }
      }
    } else if (n.isArray()) {
      ArrayNode a = (ArrayNode) n;
      // evanphx v4.12 keeps null array elements and prunes only inside them.
      a.forEach(JsonMergePatch::pruneNulls);
    }
    return n;
  }
}
