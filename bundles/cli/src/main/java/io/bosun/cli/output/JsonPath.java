package io.bosun.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.bosun.cli.CliException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * kubectl's JSONPath templates, the subset people use: text with {@code {expression}} parts,
 * {@code .a.b}, {@code ['a.b']}, {@code [n]}, {@code [start:end]}, {@code [*]}, {@code ..name},
 * filters {@code [?(@.type=="Ready")]} (==, !=, <, >, <=, >=, or existence), {@code @}/{@code $},
 * string literals {@code {"\n"}}, and {@code {range EXPR}...{end}}. Several results of one
 * expression print separated by spaces; strings print bare, other values as JSON.
 */
public final class JsonPath {

  private sealed interface Part permits Text, Expr, Range {}

  private record Text(String text) implements Part {}

  private record Expr(String path) implements Part {}

  private record Range(String path, List<Part> body) implements Part {}

  private final List<Part> parts;

  private JsonPath(List<Part> parts) {
    this.parts = parts;
  }

  /**
   * Parses a template; a bare expression without braces ({@code .metadata.name}) is taken as one
   * expression, as kubectl does.
   *
   * @throws CliException on a syntax error
   */
  public static JsonPath parse(String template) {
    String t = template;
    if (!t.contains("{") && (t.startsWith(".") || t.startsWith("$"))) {
      t = "{" + t + "}";
    }
    List<List<Part>> stack = new ArrayList<>();
    List<String> ranges = new ArrayList<>();
    List<Part> current = new ArrayList<>();
    int i = 0;
    while (i < t.length()) {
      int open = t.indexOf('{', i);
      if (open < 0) {
        current.add(new Text(t.substring(i)));
        break;
      }
      if (open > i) {
        current.add(new Text(t.substring(i, open)));
      }
      int close = closing(t, open);
      String action = t.substring(open + 1, close).trim();
      i = close + 1;
      if (action.startsWith("range ") || action.equals("range")) {
        stack.add(current);
        ranges.add(action.substring(5).trim());
        current = new ArrayList<>();
      } else if (action.equals("end")) {
        if (stack.isEmpty()) {
          throw new CliException("error parsing jsonpath " + template + ": {end} without {range}");
        }
        List<Part> body = current;
        current = stack.remove(stack.size() - 1);
        current.add(new Range(ranges.remove(ranges.size() - 1), body));
      } else if (action.startsWith("\"") && action.endsWith("\"") && action.length() >= 2) {
        current.add(new Text(unquote(action.substring(1, action.length() - 1))));
      } else {
        for (String expr : splitExpressions(action)) {
          // Evaluating against nothing checks the syntax now rather than at the first object.
          eval(expr, com.fasterxml.jackson.databind.node.MissingNode.getInstance(),
              com.fasterxml.jackson.databind.node.MissingNode.getInstance());
          current.add(new Expr(expr));
        }
      }
    }
    if (!stack.isEmpty()) {
      throw new CliException("error parsing jsonpath " + template + ": {range} without {end}");
    }
    return new JsonPath(current);
  }

  /** Renders the template against {@code root}. */
  public String render(JsonNode root) {
    StringBuilder sb = new StringBuilder();
    render(parts, root, root, sb);
    return sb.toString();
  }

  /** The values an expression (such as {@code .status.phase}) selects. */
  public static List<JsonNode> select(String expr, JsonNode root) {
    return eval(expr.trim(), root, root);
  }

  private static void render(List<Part> parts, JsonNode cur, JsonNode root, StringBuilder sb) {
    for (Part p : parts) {
      switch (p) {
        case Text t -> sb.append(t.text());
        case Expr e -> {
          List<JsonNode> values = eval(e.path(), cur, root);
          for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
              sb.append(' ');
            }
            sb.append(print(values.get(i)));
          }
        }
        case Range r -> {
          for (JsonNode v : eval(r.path(), cur, root)) {
            // {range .items} iterates the array; {range .items[*]} already selected its elements
            if (v.isArray() && !r.path().endsWith("]")) {
              for (JsonNode item : v) {
                render(r.body(), item, root, sb);
              }
            } else {
              render(r.body(), v, root, sb);
            }
          }
        }
      }
    }
  }

  static String print(JsonNode v) {
    if (v == null || v.isMissingNode() || v.isNull()) {
      return "";
    }
    return v.isTextual() ? v.asText() : v.toString();
  }

  private static List<JsonNode> eval(String expr, JsonNode cur, JsonNode root) {
    List<JsonNode> nodes = new ArrayList<>();
    int i = 0;
    if (expr.startsWith("$")) {
      nodes.add(root);
      i = 1;
    } else {
      nodes.add(cur);
      if (expr.startsWith("@")) {
        i = 1;
      }
    }
    while (i < expr.length()) {
      char c = expr.charAt(i);
      if (c == '.' && i + 1 < expr.length() && expr.charAt(i + 1) == '.') {
        int end = nameEnd(expr, i + 2);
        String name = expr.substring(i + 2, end);
        List<JsonNode> next = new ArrayList<>();
        for (JsonNode n : nodes) {
          descend(n, name, next);
        }
        nodes = next;
        i = end;
      } else if (c == '.') {
        int end = nameEnd(expr, i + 1);
        String name = expr.substring(i + 1, end);
        if (!name.isEmpty()) {
          nodes = field(nodes, name);
        }
        i = end;
      } else if (c == '[') {
        int close = bracketEnd(expr, i);
        nodes = bracket(expr.substring(i + 1, close).trim(), nodes, root);
        i = close + 1;
      } else if (Character.isLetter(c) || c == '_') {
        // kubectl accepts a leading name without a dot: {items[0]}
        int end = nameEnd(expr, i);
        nodes = field(nodes, expr.substring(i, end));
        i = end;
      } else {
        throw new CliException("error parsing jsonpath {" + expr + "}: unexpected '" + c + "'");
      }
    }
    return nodes;
  }

  private static List<JsonNode> field(List<JsonNode> nodes, String name) {
    List<JsonNode> next = new ArrayList<>();
    for (JsonNode n : nodes) {
      if (name.equals("*")) {
        n.elements().forEachRemaining(next::add);
      } else if (n.isObject() && n.has(name)) {
        next.add(n.get(name));
      }
    }
    return next;
  }

  private static void descend(JsonNode n, String name, List<JsonNode> out) {
    if (n.isObject()) {
      if (n.has(name)) {
        out.add(n.get(name));
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        descend(it.next().getValue(), name, out);
      }
    } else if (n.isArray()) {
      for (JsonNode e : n) {
        descend(e, name, out);
      }
    }
  }

  private static List<JsonNode> bracket(String inside, List<JsonNode> nodes, JsonNode root) {
    List<JsonNode> next = new ArrayList<>();
    if (inside.startsWith("?(") && inside.endsWith(")")) {
      String cond = inside.substring(2, inside.length() - 1).trim();
      for (JsonNode n : nodes) {
        if (n.isArray()) {
          for (JsonNode e : n) {
            if (test(cond, e, root)) {
              next.add(e);
            }
          }
        } else if (test(cond, n, root)) {
          next.add(n);
        }
      }
      return next;
    }
    if ((inside.startsWith("'") && inside.endsWith("'")) || (inside.startsWith("\"") && inside.endsWith("\""))) {
      return field(nodes, inside.substring(1, inside.length() - 1));
    }
    for (JsonNode n : nodes) {
      if (inside.equals("*")) {
        n.elements().forEachRemaining(next::add);
      } else if (n.isArray()) {
        int size = n.size();
        if (inside.contains(":")) {
          String[] se = inside.split(":", -1);
          int start = se[0].isBlank() ? 0 : index(Integer.parseInt(se[0].trim()), size);
          int end = se[1].isBlank() ? size : index(Integer.parseInt(se[1].trim()), size);
          for (int k = Math.max(0, start); k < Math.min(end, size); k++) {
            next.add(n.get(k));
          }
        } else {
          int k;
          try {
            k = index(Integer.parseInt(inside), size);
          } catch (NumberFormatException e) {
            throw new CliException("error parsing jsonpath: bad index [" + inside + "]");
          }
          if (k < 0 || k >= size) {
            throw new CliException("array index out of bounds: index " + inside + ", length " + size);
          }
          next.add(n.get(k));
        }
      }
    }
    return next;
  }

  private static int index(int i, int size) {
    return i < 0 ? size + i : i;
  }

  private static boolean test(String cond, JsonNode item, JsonNode root) {
    for (String op : new String[] {"==", "!=", "<=", ">=", "<", ">", "=~"}) {
      int at = indexOutsideQuotes(cond, op);
      if (at > 0) {
        List<JsonNode> left = eval(cond.substring(0, at).trim(), item, root);
        String rhs = cond.substring(at + op.length()).trim();
        JsonNode right = literal(rhs, item, root);
        if (left.isEmpty()) {
          return false;
        }
        return compare(left.get(0), right, op);
      }
    }
    return !eval(cond, item, root).isEmpty();
  }

  private static JsonNode literal(String rhs, JsonNode item, JsonNode root) {
    if ((rhs.startsWith("\"") && rhs.endsWith("\"")) || (rhs.startsWith("'") && rhs.endsWith("'"))) {
      return TextNode.valueOf(rhs.substring(1, rhs.length() - 1));
    }
    if (rhs.startsWith("@") || rhs.startsWith("$")) {
      List<JsonNode> v = eval(rhs, item, root);
      return v.isEmpty() ? null : v.get(0);
    }
    return TextNode.valueOf(rhs);
  }

  private static boolean compare(JsonNode l, JsonNode r, String op) {
    if (r == null) {
      return false;
    }
    String ls = print(l);
    String rs = print(r);
    Double ln = number(ls);
    Double rn = number(rs);
    int cmp = ln != null && rn != null ? Double.compare(ln, rn) : ls.compareTo(rs);
    return switch (op) {
      case "==" -> cmp == 0;
      case "!=" -> cmp != 0;
      case "<" -> cmp < 0;
      case ">" -> cmp > 0;
      case "<=" -> cmp <= 0;
      case ">=" -> cmp >= 0;
      case "=~" -> ls.matches(rs);
      default -> false;
    };
  }

  private static Double number(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static int indexOutsideQuotes(String s, String op) {
    boolean quoted = false;
    char q = 0;
    for (int i = 0; i + op.length() <= s.length(); i++) {
      char c = s.charAt(i);
      if (quoted) {
        if (c == q) {
          quoted = false;
        }
      } else if (c == '"' || c == '\'') {
        quoted = true;
        q = c;
      } else if (s.startsWith(op, i)) {
        return i;
      }
    }
    return -1;
  }

  private static int nameEnd(String expr, int from) {
    int i = from;
    while (i < expr.length() && expr.charAt(i) != '.' && expr.charAt(i) != '[') {
      i++;
    }
    return i;
  }

  private static int bracketEnd(String expr, int open) {
    int depth = 0;
    boolean quoted = false;
    char q = 0;
    for (int i = open; i < expr.length(); i++) {
      char c = expr.charAt(i);
      if (quoted) {
        if (c == q) {
          quoted = false;
        }
      } else if (c == '"' || c == '\'') {
        quoted = true;
        q = c;
      } else if (c == '[') {
        depth++;
      } else if (c == ']' && --depth == 0) {
        return i;
      }
    }
    throw new CliException("error parsing jsonpath {" + expr + "}: unclosed [");
  }

  private static int closing(String t, int open) {
    boolean quoted = false;
    for (int i = open + 1; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '"' && t.charAt(i - 1) != '\\') {
        quoted = !quoted;
      } else if (c == '}' && !quoted) {
        return i;
      }
    }
    throw new CliException("error parsing jsonpath " + t + ": unclosed action");
  }

  /** Expressions separated by spaces outside brackets and quotes: {@code {.a .b}}. */
  private static List<String> splitExpressions(String action) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    StringBuilder sb = new StringBuilder();
    for (char c : action.toCharArray()) {
      if (c == '"' || c == '\'') {
        quoted = !quoted;
      } else if (!quoted && c == '[') {
        depth++;
      } else if (!quoted && c == ']') {
        depth--;
      }
      if (c == ' ' && depth == 0 && !quoted) {
        if (!sb.isEmpty()) {
          out.add(sb.toString());
          sb.setLength(0);
        }
      } else {
        sb.append(c);
      }
    }
    if (!sb.isEmpty()) {
      out.add(sb.toString());
    }
    return out;
  }

  private static String unquote(String s) {
    return s.replace("\\n", "\n").replace("\\t", "\t").replace("\\\"", "\"").replace("\\\\", "\\");
  }
}
