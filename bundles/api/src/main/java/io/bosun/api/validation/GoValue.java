package io.bosun.api.validation;

import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Bad values rendered the way upstream's {@code field.Error} prints Go values with {@code %#v}, so
 * that messages such as {@code Invalid value: map[string]string{"app":"web"}: ...} match.
 */
final class GoValue {

  private final String text;

  private GoValue(String text) {
    this.text = text;
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GoValue g && g.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /** A value printed verbatim. */
  static GoValue raw(String text) {
    return new GoValue(text);
  }

  static GoValue stringMap(Map<String, String> map) {
    return new GoValue(mapText(map));
  }

  static GoValue strings(List<String> list) {
    return new GoValue(stringsText(list));
  }

  static GoValue selector(LabelSelector s) {
    if (s == null) {
      return new GoValue("null");
    }
    StringBuilder b = new StringBuilder("v1.LabelSelector{MatchLabels:").append(mapText(s.getMatchLabels()))
        .append(", MatchExpressions:");
    List<LabelSelectorRequirement> exprs = s.getMatchExpressions();
    if (exprs == null) {
      b.append("[]v1.LabelSelectorRequirement(nil)");
    } else {
      b.append("[]v1.LabelSelectorRequirement{");
      for (int i = 0; i < exprs.size(); i++) {
        LabelSelectorRequirement r = exprs.get(i);
        if (i > 0) {
          b.append(", ");
        }
        b.append("v1.LabelSelectorRequirement{Key:").append(quote(r.getKey())).append(", Operator:")
            .append(quote(r.getOperator())).append(", Values:").append(stringsText(r.getValues())).append('}');
      }
      b.append('}');
    }
    return new GoValue(b.append('}').toString());
  }

  private static String mapText(Map<String, String> map) {
    if (map == null) {
      return "map[string]string(nil)";
    }
    StringBuilder b = new StringBuilder("map[string]string{");
    boolean first = true;
    for (var e : new TreeMap<>(map).entrySet()) {
      if (!first) {
        b.append(", ");
      }
      first = false;
      b.append(quote(e.getKey())).append(':').append(quote(e.getValue()));
    }
    return b.append('}').toString();
  }

  private static String stringsText(List<String> list) {
    if (list == null) {
      return "[]string(nil)";
    }
    StringBuilder b = new StringBuilder("[]string{");
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(quote(list.get(i)));
    }
    return b.append('}').toString();
  }

  static String quote(String s) {
    return s == null ? "\"\"" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
