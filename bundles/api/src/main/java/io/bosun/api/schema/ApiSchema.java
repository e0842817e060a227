package io.bosun.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model as data: every type with its fields and patch metadata, and every served kind. It is
 * generated from the same model files as the Java classes, so the two always agree. The API
 * server uses it for discovery, OpenAPI, strategic merge patch and server-side apply.
 */
public final class ApiSchema {

  private final Map<String, TypeSchema> types = new HashMap<>();
  private final Map<String, TypeSchema> typesByClass = new HashMap<>();
  private final Map<String, ScalarInfo> scalars = new HashMap<>();
  private final List<KindInfo> kinds = new ArrayList<>();

  private ApiSchema(JsonNode root) {
    root.get("types").fields().forEachRemaining(e -> {
      JsonNode t = e.getValue();
      List<FieldSchema> fields = new ArrayList<>();
      for (JsonNode f : t.get("fields")) {
        fields.add(new FieldSchema(f.get("name").asText(), typeExpr(f.get("type")), text(f, "doc"),
            f.path("required").asBoolean(false), text(f, "patchMergeKey"), text(f, "patchStrategy"),
            text(f, "listType"), strings(f.get("listMapKeys")), strings(f.get("enum")), text(f, "format"),
            f.path("proto").asInt(0), ints(f.get("protoInline")), f.path("keepZero").asBoolean(false)));
      }
      TypeSchema type = new TypeSchema(e.getKey(), t.get("openapiName").asText(), t.get("javaClass").asText(),
          t.get("group").asText(), t.get("version").asText(), t.path("doc").asText(""), text(t, "typeMeta"),
          t.path("protobuf").asBoolean(true), fields);
      types.put(type.name(), type);
      typesByClass.put(type.javaClass(), type);
    });
    root.get("scalars").fields().forEachRemaining(e -> {
      JsonNode s = e.getValue();
      scalars.put(e.getKey(), new ScalarInfo(e.getKey(), s.get("javaType").asText(), text(s, "openapiType"),
          text(s, "openapiFormat"), text(s, "openapiRef")));
    });
    for (JsonNode k : root.get("kinds")) {
      kinds.add(new KindInfo(k.get("group").asText(), k.get("version").asText(), k.get("kind").asText(),
          k.get("plural").asText(), k.get("singular").asText(), k.get("namespaced").asBoolean(),
          strings(k.get("shortNames")), strings(k.get("categories")), strings(k.get("subresources")),
          strings(k.get("verbs")), k.get("type").asText(), k.get("listType").asText()));
    }
  }

  /** Reads the schema generated into this bundle. */
  public static ApiSchema load() {
    try (InputStream in = ApiSchema.class.getResourceAsStream("model.json")) {
      if (in == null) {
        throw new IllegalStateException("model.json is missing from the API bundle");
      }
      return new ApiSchema(new ObjectMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The type called {@code name} (such as {@code PodSpec}), or null. */
  public TypeSchema type(String name) {
    return types.get(name);
  }

  /** The type generated as {@code javaClass}. */
  public Optional<TypeSchema> typeOf(Class<?> javaClass) {
    return Optional.ofNullable(typesByClass.get(javaClass.getName()));
  }

  public List<TypeSchema> types() {
    return List.copyOf(types.values());
  }

  public ScalarInfo scalar(String name) {
    return scalars.get(name);
  }

  /** Every served kind, in model order. */
  public List<KindInfo> kinds() {
    return List.copyOf(kinds);
  }

  /**
   * The type of objects written with {@code apiVersion} and {@code kind}: a served kind, its list
   * type, or a type that carries type metadata without being served ({@code Status},
   * {@code Eviction}, {@code Scale}, {@code Binding}, {@code DeleteOptions}, ...). Types of the
   * {@code meta.k8s.io} group such as {@code DeleteOptions} or {@code Status} are found under any
   * {@code apiVersion}, as upstream registers them in every group version.
   */
  public Optional<TypeSchema> typeForKind(String apiVersion, String kind) {
    if (apiVersion == null || kind == null || kind.isEmpty()) {
      return Optional.empty();
    }
    for (KindInfo k : kinds) {
      if (k.apiVersion().equals(apiVersion)) {
        if (k.kind().equals(kind)) {
          return Optional.ofNullable(types.get(k.typeName()));
        }
        if (k.listTypeName().equals(kind)) {
          return Optional.ofNullable(types.get(k.listTypeName()));
        }
      }
    }
    TypeSchema t = types.get(kind);
    if (t != null && t.typeMeta() != null
        && (t.typeMeta().equals(apiVersion) || t.group().equals("meta.k8s.io"))) {
      return Optional.of(t);
    }
    return Optional.empty();
  }

  /** Loads the Java class of a model type with the API bundle's class loader. */
  public Class<?> javaClass(TypeSchema type) {
    try {
      return Class.forName(type.javaClass(), false, ApiSchema.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("model class missing: " + type.javaClass(), e);
    }
  }

  private static TypeExpr typeExpr(JsonNode n) {
    if (n.has("scalar")) {
      return new TypeExpr.Scalar(n.get("scalar").asText());
    }
    if (n.has("ref")) {
      return new TypeExpr.Ref(n.get("ref").asText());
    }
    if (n.has("list")) {
      return new TypeExpr.ListOf(typeExpr(n.get("list")));
    }
    return new TypeExpr.MapOf(typeExpr(n.get("map")));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static List<Integer> ints(JsonNode n) {
    List<Integer> out = new ArrayList<>();
    if (n != null) {
      n.forEach(v -> out.add(v.asInt()));
    }
    return out;
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n != null) {
      n.forEach(v -> out.add(v.asText()));
    }
    return out;
  }
}
