package io.bosun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Label selectors of objects ({@code spec.selector}) as query strings. */
public final class Selectors {

  private Selectors() {}

  /**
   * {@code app=web,tier in (a,b)} from a LabelSelector ({@code matchLabels}/{@code matchExpressions})
   * or a plain map (a Service's selector).
   */
  public static String of(JsonNode selector) {
    List<String> parts = new ArrayList<>();
    JsonNode labels = selector.has("matchLabels") || selector.has("matchExpressions") ? selector.path("matchLabels")
        : selector;
    labels.fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + e.getValue().asText()));
    for (JsonNode x : selector.path("matchExpressions")) {
      List<String> values = new ArrayList<>();
      x.path("values").forEach(v -> values.add(v.asText()));
      String key = x.path("key").asText();
      switch (x.path("operator").asText()) {
        case "In" -> parts.add(key + " in (" + String.join(",", values) + ")");
        case "NotIn" -> parts.add(key + " notin (" + String.join(",", values) + ")");
        case "Exists" -> parts.add(key);
        case "DoesNotExist" -> parts.add("!" + key);
        default -> { }
      }
    }
    return String.join(",", parts);
  }
}
