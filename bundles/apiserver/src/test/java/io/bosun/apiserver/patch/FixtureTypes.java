package io.bosun.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.bosun.api.schema.FieldSchema;
import io.bosun.api.schema.TypeExpr;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The test fixture model (fixture-model.yaml) as {@link Types}. */
final class FixtureTypes implements Types {

  private static final Set<String> SCALARS = Set.of("string", "bytes", "boolean", "int32", "int64", "double",
      "Quantity", "IntOrString", "Time", "MicroTime", "Duration", "JSON");

  static final FixtureTypes INSTANCE = load();

  private final Map<String, Map<String, FieldSchema>> types = new HashMap<>();

  private static FixtureTypes load() {
    try (InputStream in = FixtureTypes.class.getResourceAsStream("fixture-model.yaml")) {
      JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
      FixtureTypes t = new FixtureTypes();
      root.get("types").properties().forEach(type -> {
        Map<String, FieldSchema> fields = new HashMap<>();
        type.getValue().get("fields").properties().forEach(f -> {
          JsonNode d = f.getValue();
          fields.put(f.getKey(), new FieldSchema(f.getKey(), parse(d.get("type").asText()), null, false,
              text(d, "patchMergeKey"), text(d, "patchStrategy"), text(d, "listType"), strings(d.get("listMapKeys")),
              List.of(), null));
        });
        t.types.put(type.getKey(), fields);
      });
      return t;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static TypeExpr parse(String e) {
    if (e.startsWith("[]")) {
      return new TypeExpr.ListOf(parse(e.substring(2)));
    }
    if (e.startsWith("map[string]")) {
      return new TypeExpr.MapOf(parse(e.substring("map[string]".length())));
    }
    return SCALARS.contains(e) ? new TypeExpr.Scalar(e) : new TypeExpr.Ref(e);
  }

  private static String text(JsonNode n, String field) {
    return n.has(field) ? n.get(field).asText() : null;
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n != null) {
      n.forEach(v -> out.add(v.asText()));
    }
    return out;
  }

  @Override
  public boolean has(String type) {
    return types.containsKey(type);
  }

  @Override
  public FieldSchema field(String type, String field) {
    Map<String, FieldSchema> fields = types.get(type);
    return fields == null ? null : fields.get(field);
  }
}
