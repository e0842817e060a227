package io.bosun.api.labels;

import io.bosun.api.meta.v1.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A parsed label selector: requirements that must all hold. Parses upstream's string syntax
 * ({@code app=web,tier!=db,env in (a,b),!canary,release}) and converts the
 * {@code matchLabels}/{@code matchExpressions} form used in specs.
 */
public final class LabelSelector {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final LabelSelector EVERYTHING = new LabelSelector(List.of(), false);
  private static final LabelSelector NOTHING = new LabelSelector(List.of(), true);

  private final List<Requirement> requirements;
  private final boolean matchesNothing;

  private LabelSelector(List<Requirement> requirements, boolean matchesNothing) {
    this.requirements = List.copyOf(requirements);
    this.matchesNothing = matchesNothing;
  }

  /** The selector that selects every object. */
  public static LabelSelector everything() {
    return EVERYTHING;
  }

  /** The selector that selects nothing (a null selector in a spec). */
  public static LabelSelector nothing() {
    return NOTHING;
  }

  public static LabelSelector of(List<Requirement> requirements) {
    return new LabelSelector(requirements, false);
  }

  public List<Requirement> requirements() {
    return requirements;
  }

  public boolean isEverything() {
    return !matchesNothing && requirements.isEmpty();
  }

  public boolean matches(Map<String, String> labels) {
    if (matchesNothing) {
      return false;
    }
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Converts a spec's selector as upstream's {@code LabelSelectorAsSelector}: null selects
   * nothing, an empty one everything.
   */
  public static LabelSelector fromSpec(io.bosun.api.meta.v1.LabelSelector spec) throws SelectorException {
    if (spec == null) {
      return NOTHING;
    }
    List<Requirement> out = new ArrayList<>();
    if (spec.getMatchLabels() != null) {
      for (var e : new java.util.TreeMap<>(spec.getMatchLabels()).entrySet()) {
        out.add(requirement(e.getKey(), Requirement.Operator.EQUALS, List.of(e.getValue())));
      }
    }
    if (spec.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : spec.getMatchExpressions()) {
        Requirement.Operator op = switch (r.getOperator() == null ? "" : r.getOperator()) {
          case "In" -> Requirement.Operator.IN;
          case "NotIn" -> Requirement.Operator.NOT_IN;
          case "Exists" -> Requirement.Operator.EXISTS;
          case "DoesNotExist" -> Requirement.Operator.DOES_NOT_EXIST;
          default -> throw new SelectorException("\"" + r.getOperator() + "\" is not a valid label selector operator");
        };
        out.add(requirement(r.getKey(), op, r.getValues() == null ? List.of() : r.getValues()));
      }
    }
    return new LabelSelector(out, false);
  }

  /** Selects objects whose labels include all of {@code labels}. */
  public static LabelSelector fromMap(Map<String, String> labels) {
    List<Requirement> out = new ArrayList<>();
    if (labels != null) {
      new java.util.TreeMap<>(labels).forEach((k, v) -> out.add(new Requirement(k, Requirement.Operator.EQUALS, List.of(v))));
    }
    return new LabelSelector(out, false);
  }

  /** Parses upstream's selector syntax; an empty string selects everything. */
  public static LabelSelector parse(String text) throws SelectorException {
    if (text == null || text.isBlank()) {
      return EVERYTHING;
    }
    return new LabelSelector(new Parser(text).parse(), false);
  }

  static Requirement requirement(String key, Requirement.Operator op, List<String> values) throws SelectorException {
    validateKey(key);
    switch (op) {
      case IN, NOT_IN -> {
        if (values.isEmpty()) {
          throw new SelectorException("for 'in', 'notin' operators, values set can't be empty");
        }
      }
      case EQUALS, NOT_EQUALS -> {
        if (values.size() != 1) {
          throw new SelectorException("exact-match compatibility requires one single value");
        }
      }
      case EXISTS, DOES_NOT_EXIST -> {
        if (!values.isEmpty()) {
          throw new SelectorException("values set must be empty for exists and does not exist");
        }
      }
      case GREATER_THAN, LESS_THAN -> {
        if (values.size() != 1) {
          throw new SelectorException("for 'Gt', 'Lt' operators, exactly one value is required");
        }
        try {
          Long.parseLong(values.get(0));
        } catch (NumberFormatException e) {
          throw new SelectorException("for 'Gt', 'Lt' operators, the value must be an integer");
        }
      }
      default -> { }
    }
    for (String v : values) {
      validateValue(key, v);
    }
    // Sorted values make selectors print and compare deterministically, as upstream does.
    List<String> sorted = op == Requirement.Operator.IN || op == Requirement.Operator.NOT_IN
        ? new ArrayList<>(new TreeSet<>(values)) : values;
    return new Requirement(key, op, sorted);
  }

  static void validateKey(String key) throws SelectorException {
    String name = key;
    int slash = key.indexOf('/');
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      name = key.substring(slash + 1);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
        throw new SelectorException("key: Invalid value: \"" + key + "\": prefix part a lowercase RFC 1123 subdomain "
            + "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
            + "alphanumeric character (e.g. 'example.com', regex used for validation is "
            + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
      }
    }
    if (name.isEmpty() || name.length() > 63 || !NAME.matcher(name).matches()) {
      throw new SelectorException("key: Invalid value: \"" + key + "\": name part must consist of alphanumeric "
          + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  "
          + "or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
    }
  }

  static void validateValue(String key, String value) throws SelectorException {
    if (value.isEmpty()) {
      return;
    }
    if (value.length() > 63 || !NAME.matcher(value).matches()) {
      throw new SelectorException("values[0][" + key + "]: Invalid value: \"" + value + "\": a valid label must be "
          + "an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
          + "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
          + "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
    }
  }

  @Override
  public String toString() {
    return String.join(",", requirements.stream().map(Requirement::toString).toList());
  }

  /** A small recursive-descent parser for the selector grammar. */
  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    List<Requirement> parse() throws SelectorException {
      List<Requirement> out = new ArrayList<>();
      while (true) {
        skipSpaces();
        out.add(requirement());
        skipSpaces();
        if (pos >= s.length()) {
          return out;
        }
        if (s.charAt(pos) != ',') {
          throw error("found '" + s.charAt(pos) + "', expected: ',' or 'end of string'");
        }
        pos++;
      }
    }

    private Requirement requirement() throws SelectorException {
      if (peek() == '!') {
        pos++;
        skipSpaces();
        String key = identifier();
        if (key.isEmpty()) {
          throw error("found '" + found() + "', expected: identifier after '!'");
        }
        return LabelSelector.requirement(key, Requirement.Operator.DOES_NOT_EXIST, List.of());
      }
      String key = identifier();
      if (key.isEmpty()) {
        throw error("found '" + found() + "', expected: !, identifier, or 'end of string'");
      }
      skipSpaces();
      if (pos >= s.length() || peek() == ',') {
        return LabelSelector.requirement(key, Requirement.Operator.EXISTS, List.of());
      }
      if (s.startsWith("==", pos)) {
        pos += 2;
        return LabelSelector.requirement(key, Requirement.Operator.EQUALS, List.of(value()));
      }
      if (s.startsWith("!=", pos)) {
        pos += 2;
        return LabelSelector.requirement(key, Requirement.Operator.NOT_EQUALS, List.of(value()));
      }
      if (peek() == '=') {
        pos++;
        return LabelSelector.requirement(key, Requirement.Operator.EQUALS, List.of(value()));
      }
      if (peek() == '>') {
        pos++;
        return LabelSelector.requirement(key, Requirement.Operator.GREATER_THAN, List.of(value()));
      }
      if (peek() == '<') {
        pos++;
        return LabelSelector.requirement(key, Requirement.Operator.LESS_THAN, List.of(value()));
      }
      String word = identifier();
      if (word.equals("in") || word.equals("notin")) {
        return LabelSelector.requirement(key, word.equals("in") ? Requirement.Operator.IN : Requirement.Operator.NOT_IN,
            valueSet());
      }
      throw error("found '" + (word.isEmpty() ? found() : word) + "', expected: in, notin, =, ==, !=, gt, lt");
    }

    private List<String> valueSet() throws SelectorException {
      skipSpaces();
      if (peek() != '(') {
        throw error("found '" + found() + "', expected: '('");
      }
      pos++;
      List<String> values = new ArrayList<>();
      while (true) {
        skipSpaces();
        String v = identifier();
        values.add(v);
        skipSpaces();
        if (peek() == ',') {
          pos++;
          continue;
        }
        if (peek() == ')') {
          pos++;
          return values;
        }
        throw error("found '" + found() + "', expected: ',', ')' or identifier");
      }
    }

    private String value() throws SelectorException {
      skipSpaces();
      return identifier();
    }

    private String identifier() {
      int start = pos;
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (Character.isWhitespace(c) || c == ',' || c == '=' || c == '!' || c == '(' || c == ')' || c == '<' || c == '>') {
          break;
        }
        pos++;
      }
      return s.substring(start, pos);
    }

    private char peek() {
      return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private String found() {
      return pos < s.length() ? String.valueOf(s.charAt(pos)) : "";
    }

    private void skipSpaces() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    private SelectorException error(String detail) {
      return new SelectorException("unable to parse requirement: " + detail);
    }
  }
}
