package io.bosun.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Upstream's shared cell formatting: ages, labels, selectors and container lists. */
final class Formats {

  static final String NONE = "<none>";

  private Formats() {
  }

  /** {@code translateTimestampSince}: "&lt;unknown&gt;" for an unset time. */
  static String since(Instant t, Instant now) {
    return t == null ? "<unknown>" : HumanDuration.format(Duration.between(t, now));
  }

  static String age(JsonNode obj, Instant now) {
    return since(Nodes.time(obj, "metadata", "creationTimestamp"), now);
  }

  /** {@code labels.FormatLabels}: sorted {@code k=v} pairs, or "&lt;none&gt;". */
  static String labels(JsonNode map) {
    if (map == null || !map.isObject() || map.isEmpty()) {
      return NONE;
    }
    Map<String, String> sorted = new TreeMap<>();
    map.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
    List<String> parts = new ArrayList<>();
    sorted.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(",", parts);
  }

  /**
   * {@code metav1.LabelSelectorAsSelector(s).String()}: "" for a nil or empty selector, null
   * when the selector is invalid.
   */
  static String selector(JsonNode selector) {
    if (!Nodes.present(selector) || !selector.isObject()) {
      return "";
    }
    // key -> requirement strings; the selector sorts requirements by key.
    TreeMap<String, List<String>> byKey = new TreeMap<>();
    JsonNode matchLabels = selector.path("matchLabels");
    if (matchLabels.isObject()) {
      matchLabels.fields().forEachRemaining(e ->
          byKey.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getKey() + "=" + e.getValue().asText()));
    }
    for (JsonNode expr : selector.path("matchExpressions")) {
      String key = Nodes.text(expr, "key");
      List<String> values = new ArrayList<>();
      expr.path("values").forEach(v -> values.add(v.asText()));
      String req;
      switch (Nodes.text(expr, "operator")) {
        case "In", "NotIn" -> {
          if (values.isEmpty()) {
            return null;
          }
          values.sort(null);
          String op = Nodes.text(expr, "operator").equals("In") ? " in " : " notin ";
          req = key + op + "(" + String.join(",", values) + ")";
        }
        case "Exists" -> {
          if (!values.isEmpty()) {
            return null;
          }
          req = key;
        }
        case "DoesNotExist" -> {
          if (!values.isEmpty()) {
            return null;
          }
          req = "!" + key;
        }
        default -> {
          return null;
        }
      }
      byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(req);
    }
    List<String> all = new ArrayList<>();
    byKey.values().forEach(all::addAll);
    return String.join(",", all);
  }

  /** {@code metav1.FormatLabelSelector}: "&lt;none&gt;" when empty, "&lt;error&gt;" when invalid. */
  static String formatSelector(JsonNode selector) {
    String s = selector(selector);
    if (s == null) {
      return "<error>";
    }
    return s.isEmpty() ? NONE : s;
  }

  /** {@code layoutContainerCells}: comma-joined names and images. */
  static String[] containerCells(JsonNode containers) {
    List<String> names = new ArrayList<>();
    List<String> images = new ArrayList<>();
    for (JsonNode c : containers) {
      names.add(Nodes.text(c, "name"));
      images.add(Nodes.text(c, "image"));
    }
    return new String[] {String.join(",", names), String.join(",", images)};
  }

  /** {@code Quantity.String()}: the canonical form, "0" when unset. */
  static String quantity(JsonNode q) {
    if (!Nodes.present(q)) {
      return "0";
    }
    try {
      return io.bosun.api.values.Quantity.parse(q.asText()).toString();
    } catch (IllegalArgumentException e) {
      return q.asText();
    }
  }

  /** {@code IntOrString.String()}. */
  static String intOrString(JsonNode v) {
    return v.isNumber() ? Long.toString(v.asLong()) : v.asText();
  }
}
