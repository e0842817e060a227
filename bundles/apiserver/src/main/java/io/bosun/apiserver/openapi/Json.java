package io.bosun.apiserver.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Tree helpers for building documents. */
final class Json {

  static final JsonNodeFactory NF = JsonNodeFactory.instance;
  static final String SCHEMAS = "#/components/schemas/";

  private Json() {
  }

  static ObjectNode obj() {
    return NF.objectNode();
  }

  static ObjectNode ref(String definition) {
    return obj().put("$ref", SCHEMAS + definition);
  }

  static ArrayNode strings(List<String> values) {
    ArrayNode a = NF.arrayNode();
    values.forEach(a::add);
    return a;
  }

  static ObjectNode gvk(String group, String version, String kind) {
    return obj().put("group", group).put("kind", kind).put("version", version);
  }

  /**
   * A copy with the keys of every object sorted, as upstream's documents are written (Go maps
   * marshal sorted); array order is kept.
   */
  static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      ObjectNode out = obj();
      for (String n : names) {
        out.set(n, sorted(node.get(n)));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = NF.arrayNode();
      node.forEach(e -> out.add(sorted(e)));
      return out;
    }
    return node;
  }

  /** Every {@code $ref} target (definition name) in {@code node}. */
  static void refs(JsonNode node, java.util.Set<String> out) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("$ref") && e.getValue().isTextual() && e.getValue().asText().startsWith(SCHEMAS)) {
          out.add(e.getValue().asText().substring(SCHEMAS.length()));
        } else {
          refs(e.getValue(), out);
        }
      }
    } else if (node.isArray()) {
      node.forEach(e -> refs(e, out));
    }
  }
}
