package io.bosun.scheduler.plugins.defaultpreemption;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a plugin's JSON arguments (its {@code pluginConfig} entry) strictly, as upstream decodes
 * KubeSchedulerConfiguration: unknown fields and wrong types are errors, reported as
 * {@link IllegalArgumentException}s naming the field path. Stateless.
 */
final class ArgsReader {

  private final String plugin;

  ArgsReader(String plugin) {
    this.plugin = plugin;
  }

  /**
   * Checks that {@code node} is an object with only {@code allowed} fields ({@code apiVersion} and
   * {@code kind} are accepted at the root, as in an args object of a KubeSchedulerConfiguration).
   * A null or JSON-null node reads as an empty object.
   */
  JsonNode object(String path, JsonNode node, String... allowed) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
    if (!node.isObject()) {
      throw error(path, "must be an object");
    }
    Set<String> ok = Set.of(allowed);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      boolean typeMeta = path.isEmpty() && (f.equals("apiVersion") || f.equals("kind"));
      if (!ok.contains(f) && !typeMeta) {
        throw error(join(path, f), "unknown field");
      }
    }
    return node;
  }

  /** The field's node, or null if absent or JSON null. */
  static JsonNode field(JsonNode parent, String name) {
    JsonNode n = parent.get(name);
    return n == null || n.isNull() ? null : n;
  }

  /** An integer field, or {@code dflt} if absent. */
  long integer(JsonNode parent, String path, String name, long dflt) {
    JsonNode n = field(parent, name);
    if (n == null) {
      return dflt;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw error(join(path, name), "must be an integer");
    }
    return n.longValue();
  }

  /** A boolean field, or {@code dflt} if absent. */
  boolean bool(JsonNode parent, String path, String name, boolean dflt) {
    JsonNode n = field(parent, name);
    if (n == null) {
      return dflt;
    }
    if (!n.isBoolean()) {
      throw error(join(path, name), "must be a boolean");
    }
    return n.booleanValue();
  }

  /** A string field, or {@code dflt} if absent. */
  String string(JsonNode parent, String path, String name, String dflt) {
    JsonNode n = field(parent, name);
    if (n == null) {
      return dflt;
    }
    if (!n.isTextual()) {
      throw error(join(path, name), "must be a string");
    }
    return n.textValue();
  }

  /** An array field's elements (empty if absent). */
  List<JsonNode> array(JsonNode parent, String path, String name) {
    JsonNode n = field(parent, name);
    if (n == null) {
      return List.of();
    }
    if (!n.isArray()) {
      throw error(join(path, name), "must be an array");
    }
    List<JsonNode> out = new ArrayList<>();
    n.forEach(out::add);
    return out;
  }

  /** A string array field (empty if absent). */
  List<String> strings(JsonNode parent, String path, String name) {
    List<String> out = new ArrayList<>();
    List<JsonNode> items = array(parent, path, name);
    for (int i = 0; i < items.size(); i++) {
      if (!items.get(i).isTextual()) {
        throw error(join(path, name) + "[" + i + "]", "must be a string");
      }
      out.add(items.get(i).textValue());
    }
    return List.copyOf(out);
  }

  /** An error about {@code path}: {@code "<Plugin> args: <path>: <message>"}. */
  IllegalArgumentException error(String path, String message) {
    return new IllegalArgumentException(plugin + " args: " + (path.isEmpty() ? "" : path + ": ") + message);
  }

  static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
