package io.bosun.apiserver.registry.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.apiserver.registry.KindStrategy;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Reads the field-selector values a strategy publishes, by dotted path. */
final class Fields {

  private Fields() {
  }

  static Map<String, String> of(JsonNode obj, Set<String> paths) {
    Map<String, String> out = new HashMap<>();
    for (String path : paths) {
      out.put(path, KindStrategy.text(obj, path));
    }
    return out;
  }
}
