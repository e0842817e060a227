package io.bosun.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.bosun.api.values.Times;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Null-safe reads of object trees, with Go's zero values for what is absent. */
final class Nodes {

  // Go's zero time.Time (0001-01-01T00:00:00Z) counts as unset, like an absent field.
  private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

  private Nodes() {
  }

  static JsonNode at(JsonNode node, String... path) {
    JsonNode n = node == null ? MissingNode.getInstance() : node;
    for (String p : path) {
      n = n.path(p);
    }
    return n;
  }

  /** Whether the field exists and is not null: a non-nil pointer in Go terms. */
  static boolean present(JsonNode node) {
    return node != null && !node.isMissingNode() && !node.isNull();
  }

  static String text(JsonNode node, String... path) {
    JsonNode n = at(node, path);
    return n.isValueNode() && !n.isNull() ? n.asText() : "";
  }

  static long integer(JsonNode node, String... path) {
    return at(node, path).asLong(0);
  }

  static boolean bool(JsonNode node, String... path) {
    return at(node, path).asBoolean(false);
  }

  /** The number of elements of an array or entries of a map; 0 when absent. */
  static int size(JsonNode node, String... path) {
    JsonNode n = at(node, path);
    return n.isContainerNode() ? n.size() : 0;
  }

  /** A timestamp, or null when absent, unparsable or Go's zero time. */
  static Instant time(JsonNode node, String... path) {
    String s = text(node, path);
    if (s.isEmpty()) {
      return null;
    }
    try {
      Instant t = Times.parse(s);
      return t.equals(GO_ZERO_TIME) ? null : t;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
