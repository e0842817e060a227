package io.bosun.api.labels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A parsed field selector such as {@code metadata.name=web,status.phase!=Running}: equality
 * terms over fields a resource publishes (upstream supports {@code =}, {@code ==} and {@code !=}).
 * Backslash escapes a literal {@code ,}, {@code =} or {@code !} in a value, as upstream.
 */
public final class FieldSelector {

  /** One term. */
  public record Term(String field, boolean equals, String value) {}

  private final List<Term> terms;

  private FieldSelector(List<Term> terms) {
    this.terms = List.copyOf(terms);
  }

  public static FieldSelector everything() {
    return new FieldSelector(List.of());
  }

  public List<Term> terms() {
    return terms;
  }

  public boolean isEverything() {
    return terms.isEmpty();
  }

  /** The value an exact-match term requires for {@code field}, or null. */
  public String requiredValue(String field) {
    for (Term t : terms) {
      if (t.equals && t.field.equals(field)) {
        return t.value;
      }
    }
    return null;
  }

  /** Whether an object with these field values passes; a missing field reads as "". */
  public boolean matches(Map<String, String> fields) {
    for (Term t : terms) {
      String actual = fields.getOrDefault(t.field, "");
      if (t.equals != actual.equals(t.value)) {
        return false;
      }
    }
    return true;
  }

  public static FieldSelector parse(String text) throws SelectorException {
    if (text == null || text.isBlank()) {
      return everything();
    }
    List<Term> terms = new ArrayList<>();
    for (String part : splitUnescaped(text, ',')) {
      if (part.isBlank()) {
        continue;
      }
      int op = indexOfOperator(part);
      if (op < 0) {
        throw new SelectorException("invalid selector: '" + text + "'; can't understand '" + part + "'");
      }
      String field = part.substring(0, op).strip();
      boolean equals;
      int valueStart;
      if (part.startsWith("!=", op)) {
        equals = false;
        valueStart = op + 2;
      } else if (part.startsWith("==", op)) {
        equals = true;
        valueStart = op + 2;
      } else {
        equals = true;
        valueStart = op + 1;
      }
      terms.add(new Term(field, equals, unescape(part.substring(valueStart))));
    }
    return new FieldSelector(terms);
  }

  private static int indexOfOperator(String part) {
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '=' || (c == '!' && i + 1 < part.length() && part.charAt(i + 1) == '=')) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> splitUnescaped(String text, char separator) {
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        cur.append(c).append(text.charAt(++i));
      } else if (c == separator) {
        parts.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    parts.add(cur.toString());
    return parts;
  }

  private static String unescape(String value) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        b.append(value.charAt(++i));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return String.join(",", terms.stream().map(t -> t.field + (t.equals ? "=" : "!=") + t.value).toList());
  }
}
