package io.bosun.apiserver.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small accessors for object trees. */
public final class JsonNodes {

  private JsonNodes() {
  }

  /** Compares scalars by value, so an int node and a long node holding 30 are the same. */
  private static final java.util.Comparator<JsonNode> BY_VALUE = (a, b) -> {
    if (a.isNumber() && b.isNumber()) {
      return a.isIntegralNumber() && b.isIntegralNumber() && a.canConvertToLong() && b.canConvertToLong()
          ? Long.compare(a.longValue(), b.longValue()) : a.decimalValue().compareTo(b.decimalValue());
    }
    return a.equals(b) ? 0 : 1;
  };

  /**
   * Whether two trees hold the same JSON. Unlike {@code equals}, the kind of number node does not
   * matter: trees built from model objects and trees parsed from stored bytes use different ones.
   */
  public static boolean same(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.equals(BY_VALUE, b);
  }

  /** The object's {@code metadata}, created if missing. */
  public static ObjectNode metadata(ObjectNode obj) {
    JsonNode meta = obj.get("metadata");
    if (meta instanceof ObjectNode o) {
      return o;
    }
    return obj.putObject("metadata");
  }

  public static String name(JsonNode obj) {
    return obj.path("metadata").path("name").asText("");
  }

  public static String namespace(JsonNode obj) {
    return obj.path("metadata").path("namespace").asText("");
  }

  /** The labels of an object as a map (empty when none). */
  public static Map<String, String> labels(JsonNode obj) {
    JsonNode labels = obj.path("metadata").path("labels");
    Map<String, String> out = new LinkedHashMap<>();
    if (labels.isObject()) {
      labels.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }
}
