package io.bosun.api.values;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Deep-copy helpers used by the generated model classes. */
public final class Copies {

  private Copies() {
  }

  /** A new insertion-ordered map whose values are copied by {@code copy}. */
  public static <V> Map<String, V> mapValues(Map<String, V> source, UnaryOperator<V> copy) {
    Map<String, V> result = new LinkedHashMap<>(source.size() * 2);
    source.forEach((k, v) -> result.put(k, v == null ? null : copy.apply(v)));
    return result;
  }
}
