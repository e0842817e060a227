package io.bosun.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Cells of one row under construction, typed as upstream's printers type them. */
final class Row {

  private static final JsonNodeFactory NF = JsonNodeFactory.instance;

  final ArrayNode cells = NF.arrayNode();
  ArrayNode conditions;

  Row add(String s) {
    cells.add(s);
    return this;
  }

  /** Upstream's printers write counts as int64. */
  Row add(long n) {
    cells.add(n);
    return this;
  }

  Row add(boolean b) {
    cells.add(b);
    return this;
  }

  Row add(JsonNode n) {
    cells.add(n);
    return this;
  }

  /** A {@code Completed} row condition, as upstream sets for finished pods. */
  Row completed(String reason, String message) {
    conditions = NF.arrayNode();
    ObjectNode c = conditions.addObject();
    c.put("type", "Completed");
    c.put("status", "True");
    c.put("reason", reason);
    c.put("message", message);
    return this;
  }
}
