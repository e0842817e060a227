package io.bosun.apiserver.patch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tree helpers shared by the patch engines: the equalities upstream's Go code uses, and Go-style
 * rendering of values so error messages read like upstream's.
 */
final class Json {

  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {
  }

  /** The fields of an object as a list, so callers may mutate the object while walking it. */
  static List<Map.Entry<String, JsonNode>> fields(JsonNode object) {
    return new ArrayList<>(object.properties());
  }

  static boolean absentOrNull(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode();
  }

  /**
   * Structural equality with numbers compared by value, as structured-merge-diff compares values
   * (an int 1 equals a float 1.0; Jackson's own equals would tell IntNode from LongNode).
   */
  static boolean sameValue(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.isNumber() && b.isNumber()) {
      return compareNumbers(a, b) == 0;
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (Map.Entry<String, JsonNode> e : a.properties()) {
        if (!sameValue(e.getValue(), b.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!sameValue(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.getNodeType() == b.getNodeType() && a.equals(b);
  }

  /**
   * Go's {@code ==} on decoded JSON interface values: same dynamic type and value. Integers
   * (int64 after PreserveInts decoding) never equal floats; containers compare structurally here
   * where Go would panic.
   */
  static boolean goEquals(JsonNode a, JsonNode b) {
    if (a == null || a.isNull() || a.isMissingNode()) {
      return b == null || b.isNull() || b.isMissingNode();
    }
    if (b == null) {
      return false;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.isIntegralNumber() == b.isIntegralNumber() && compareNumbers(a, b) == 0;
    }
    if (a.isContainerNode() || b.isContainerNode()) {
      return a.isObject() == b.isObject() && a.isArray() == b.isArray() && sameValue(a, b);
    }
    return a.getNodeType() == b.getNodeType() && a.equals(b);
  }

  static int compareNumbers(JsonNode a, JsonNode b) {
    if (a.isIntegralNumber() && b.isIntegralNumber()) {
      return a.bigIntegerValue().compareTo(b.bigIntegerValue());
    }
    return a.decimalValue().compareTo(b.decimalValue());
  }

  /** Go's reflect type name of a decoded JSON value, as used in upstream's type errors. */
  static String goType(JsonNode n) {
    if (absentOrNull(n)) {
      return "%!s(<nil>)";
    }
    if (n.isObject()) {
      return "map[string]interface {}";
    }
    if (n.isArray()) {
      return "[]interface {}";
    }
    if (n.isTextual()) {
      return "string";
    }
    if (n.isBoolean()) {
      return "bool";
    }
    return n.isIntegralNumber() ? "int64" : "float64";
  }

  /** Go's {@code %v} of a decoded JSON value: {@code map[a:1 b:[x y]]}, {@code <nil>}, ... */
  static String goFormat(JsonNode n) {
    if (absentOrNull(n)) {
      return "<nil>";
    }
    if (n.isObject()) {
      StringBuilder sb = new StringBuilder("map[");
      TreeMap<String, JsonNode> sorted = new TreeMap<>();
      n.properties().forEach(e -> sorted.put(e.getKey(), e.getValue()));
      boolean first = true;
      for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
        sb.append(first ? "" : " ").append(e.getKey()).append(':').append(goFormat(e.getValue()));
        first = false;
      }
      return sb.append(']').toString();
    }
    if (n.isArray()) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < n.size(); i++) {
        sb.append(i == 0 ? "" : " ").append(goFormat(n.get(i)));
      }
      return sb.append(']').toString();
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isNumber()) {
      return n.isIntegralNumber() ? n.bigIntegerValue().toString() : goFloat(n.decimalValue());
    }
    return n.asText();
  }

  /** Go's {@code %s} of an interface value: strings as they are, anything else flagged. */
  static String goFormatS(JsonNode n) {
    if (n != null && n.isTextual()) {
      return n.textValue();
    }
    if (absentOrNull(n)) {
      return "%!s(<nil>)";
    }
    return "%!s(" + goType(n) + "=" + goFormat(n) + ")";
  }

  /** Go's {@code %v} of a float64: shortest form, exponent outside [1e-4, 1e21). */
  static String goFloat(BigDecimal d) {
    double v = d.doubleValue();
    if (v == 0) {
      return "0";
    }
    BigDecimal exact = new BigDecimal(Double.toString(v)).stripTrailingZeros();
    int exponent = exact.precision() - exact.scale() - 1;
    if (exponent < -4 || exponent >= 21) {
      BigDecimal mantissa = exact.movePointLeft(exponent).stripTrailingZeros();
      String m = mantissa.toPlainString();
      return m + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }
    return exact.toPlainString();
  }

  /** Go's {@code %q} of a string. */
  static String goQuote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '\r' -> sb.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format("\\x%02x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /** Compact JSON text. */
  static String compact(JsonNode n) {
    try {
      return MAPPER.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode parse(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getOriginalMessage(), e);
    }
  }

  /**
   * A copy with numbers normalised (integers as long or big integer, others as double) so that
   * equal values from different parsers compare and hash alike inside field sets.
   */
  static JsonNode canonical(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return NODES.nullNode();
    }
    if (n.isIntegralNumber()) {
      BigInteger v = n.bigIntegerValue();
      return v.bitLength() < 64 ? NODES.numberNode(v.longValue()) : NODES.numberNode(v);
    }
    if (n.isNumber()) {
      return NODES.numberNode(n.doubleValue());
    }
    if (n.isObject()) {
      ObjectNode o = NODES.objectNode();
      new TreeMap<>(toMap(n)).forEach((k, v) -> o.set(k, canonical(v)));
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = NODES.arrayNode();
      n.forEach(v -> a.add(canonical(v)));
      return a;
    }
    return n.deepCopy();
  }

  private static Map<String, JsonNode> toMap(JsonNode n) {
    Map<String, JsonNode> m = new java.util.LinkedHashMap<>();
    n.properties().forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }

  /**
   * structured-merge-diff's ordering of values: numbers, then strings, booleans, lists, maps and
   * null last.
   */
  static int compareValues(JsonNode a, JsonNode b) {
    int ra = rank(a);
    int rb = rank(b);
    if (ra != rb) {
      return Integer.compare(ra, rb);
    }
    switch (ra) {
      case 0:
        return compareNumbers(a, b);
      case 1:
        return a.textValue().compareTo(b.textValue());
      case 2:
        return Boolean.compare(a.booleanValue(), b.booleanValue());
      case 3: {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
          int c = compareValues(a.get(i), b.get(i));
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(a.size(), b.size());
      }
      case 4: {
        Iterator<Map.Entry<String, JsonNode>> ia = new TreeMap<>(toMap(a)).entrySet().iterator();
        Iterator<Map.Entry<String, JsonNode>> ib = new TreeMap<>(toMap(b)).entrySet().iterator();
        while (ia.hasNext() && ib.hasNext()) {
          Map.Entry<String, JsonNode> ea = ia.next();
          Map.Entry<String, JsonNode> eb = ib.next();
          int c = ea.getKey().compareTo(eb.getKey());
          if (c == 0) {
            c = compareValues(ea.getValue(), eb.getValue());
          }
          if (c != 0) {
            return c;
          }
        }
        return Boolean.compare(ia.hasNext(), ib.hasNext());
      }
      default:
        return 0;
    }
  }

  private static int rank(JsonNode n) {
    if (n.isNumber()) {
      return 0;
    }
    if (n.isTextual()) {
      return 1;
    }
    if (n.isBoolean()) {
      return 2;
    }
    if (n.isArray()) {
      return 3;
    }
    if (n.isObject()) {
      return 4;
    }
    return 5;
  }

  /** structured-merge-diff's {@code value.ToString}: strings Go-quoted, others as JSON-ish text. */
  static String smdString(JsonNode v) {
    if (v == null || v.isNull()) {
      return "null";
    }
    if (v.isTextual()) {
      return goQuote(v.textValue());
    }
    if (v.isNumber()) {
      return v.isIntegralNumber() ? v.bigIntegerValue().toString() : goFloat(v.decimalValue());
    }
    if (v.isArray()) {
      List<String> parts = new ArrayList<>();
      v.forEach(e -> parts.add(smdString(e)));
      return "[" + String.join(",", parts) + "]";
    }
    if (v.isObject()) {
      List<String> parts = new ArrayList<>();
      new TreeMap<>(toMap(v)).forEach((k, e) -> parts.add(k + "=" + smdString(e)));
      return "{" + String.join(",", parts) + "}";
    }
    return v.asText();
  }
}
