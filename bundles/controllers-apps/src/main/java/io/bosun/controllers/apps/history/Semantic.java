package io.bosun.controllers.apps.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.core.v1.PodTemplateSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Semantic equality of model objects, as upstream's {@code apiequality.Semantic.DeepEqual}: an
 * absent field, a null, an empty list and an empty map are all equal, so a template that went
 * through a client that drops empty fields (kubectl's rollback patch) still equals the stored
 * one. Compares the objects' JSON trees. Thread-safe.
 */
public final class Semantic {

  private final ObjectMapper json = new ApiCodec().mapper();

  /** The object as a JSON tree with nulls and empty lists and maps removed (recursively). */
  public JsonNode normalized(Object value) {
    JsonNode tree;
    try {
      // Through bytes: a fresh tree (never the caller's), with numbers typed as a parser types them
      // (a Long field and a parsed int must compare equal).
      tree = json.readTree(json.writeValueAsBytes(value));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
    }
    JsonNode pruned = prune(tree);
    return pruned == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : pruned;
  }

  public boolean equal(Object a, Object b) {
    return normalized(a).equals(normalized(b));
  }

  /**
   * Upstream's {@code EqualIgnoreHash}: two pod templates are equal once the label {@code label}
   * (such as {@code pod-template-hash}) is removed from both.
   */
  public boolean equalIgnoringLabel(PodTemplateSpec a, PodTemplateSpec b, String label) {
    return without(a, label).equals(without(b, label));
  }

  private JsonNode without(PodTemplateSpec t, String label) {
    JsonNode pruned = prune(withoutLabel(normalized(t), label));
    return pruned == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : pruned;
  }

  private static JsonNode withoutLabel(JsonNode template, String label) {
    if (template instanceof ObjectNode o && o.get("metadata") instanceof ObjectNode meta
        && meta.get("labels") instanceof ObjectNode labels) {
      labels.remove(label);
      if (labels.isEmpty()) {
        meta.remove("labels");
      }
      if (meta.isEmpty()) {
        o.remove("metadata");
      }
    }
    return template;
  }

  private static JsonNode prune(JsonNode node) {
    if (node instanceof ObjectNode o) {
      List<String> drop = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = prune(e.getValue());
        if (v == null) {
          drop.add(e.getKey());
        } else {
          o.set(e.getKey(), v);
        }
      }
      o.remove(drop);
      return o.isEmpty() ? null : o;
    }
    if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        JsonNode v = prune(a.get(i));
        // Inside lists, keep positions: an empty element is still an element.
        a.set(i, v == null ? json().objectNode() : v);
      }
      return a.isEmpty() ? null : a;
    }
    return node == null || node.isNull() ? null : node;
  }

  private static com.fasterxml.jackson.databind.node.JsonNodeFactory json() {
    return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
  }
}
