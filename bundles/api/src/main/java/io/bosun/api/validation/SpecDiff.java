package io.bosun.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A readable difference between two objects for "may not change" messages, in place of the
 * {@code cmp.Diff} output upstream appends: one {@code -}/{@code +} line pair per changed field.
 */
final class SpecDiff {

  /** Configured once and only read afterwards; Jackson mappers are thread-safe. */
  static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private SpecDiff() {
  }

  static String diff(Object before, Object after) {
    List<String> lines = new ArrayList<>();
    walk("", MAPPER.valueToTree(before), MAPPER.valueToTree(after), lines);
    String type = before == null ? "object" : "v1." + before.getClass().getSimpleName();
    StringBuilder b = new StringBuilder("  ").append(type).append("{\n");
    lines.forEach(l -> b.append(l).append('\n'));
    return b.append("  }\n").toString();
  }

  private static void walk(String path, JsonNode a, JsonNode b, List<String> out) {
    if (isEmpty(a) && isEmpty(b)) {
      return;
    }
    if (a != null && b != null && a.isObject() && b.isObject()) {
      Set<String> names = new LinkedHashSet<>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        walk(path.isEmpty() ? n : path + "." + n, a.get(n), b.get(n), out);
      }
      return;
    }
    if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()) {
      Iterator<JsonNode> ia = a.elements();
      Iterator<JsonNode> ib = b.elements();
      for (int i = 0; ia.hasNext(); i++) {
        walk(path + "[" + i + "]", ia.next(), ib.next(), out);
      }
      return;
    }
    if (a == null ? b != null : !a.equals(b)) {
      out.add("- \t" + path + ": " + (isEmpty(a) ? "nil" : a));
      out.add("+ \t" + path + ": " + (isEmpty(b) ? "nil" : b));
    }
  }

  private static boolean isEmpty(JsonNode n) {
    return n == null || n.isNull() || (n.isContainerNode() && n.isEmpty());
  }
}
