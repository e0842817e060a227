package io.bosun.apiserver.openapi;

import static io.bosun.apiserver.openapi.Json.NF;
import static io.bosun.apiserver.openapi.Json.obj;
import static io.bosun.apiserver.openapi.Json.ref;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.FieldSchema;
import io.bosun.api.schema.KindInfo;
import io.bosun.api.schema.ScalarInfo;
import io.bosun.api.schema.TypeExpr;
import io.bosun.api.schema.TypeSchema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code components.schemas} definitions of every model type under its upstream name, shaped
 * as upstream's kube-openapi writes v3: a {@code $ref} with siblings is wrapped in {@code allOf},
 * non-pointer structs and required scalars carry their Go zero value as {@code default}.
 */
final class Schemas {

  static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
  static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
  static final String INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
  static final String RAW_EXTENSION = "io.k8s.apimachinery.pkg.runtime.RawExtension";
  static final String FIELDS_V1 = META + "FieldsV1";
  static final String TIME = META + "Time";
  static final String MICRO_TIME = META + "MicroTime";
  static final String PATCH = META + "Patch";

  /**
   * Struct fields upstream declares as values, not pointers, by name: the model does not record
   * pointers, and these are the ones whose {@code default: {}} kubectl users see on every kind.
   */
  private static final Set<String> VALUE_STRUCT_FIELDS = Set.of("metadata", "spec", "status", "template",
      "jobTemplate");

  private final ApiSchema schema;
  private final Map<String, ObjectNode> definitions = new HashMap<>();

  Schemas(ApiSchema schema) {
    this.schema = schema;
    Map<String, List<ObjectNode>> gvks = new HashMap<>();
    for (KindInfo k : schema.kinds()) {
      gvks.put(k.typeName(), List.of(Json.gvk(k.group(), k.version(), k.kind())));
      gvks.put(k.listTypeName(), List.of(Json.gvk(k.group(), k.version(), k.listTypeName())));
    }
    for (TypeSchema t : schema.types()) {
      definitions.put(t.openapiName(), typeSchema(t, gvks.get(t.name())));
    }
    builtins().forEach(definitions::put);
  }

  /** The definition called {@code name}, or null; callers must not modify it. */
  ObjectNode definition(String name) {
    return definitions.get(name);
  }

  /** The upstream definition name of model type {@code typeName}. */
  String openapiName(String typeName) {
    TypeSchema t = schema.type(typeName);
    if (t == null) {
      throw new IllegalStateException("model type missing: " + typeName);
    }
    return t.openapiName();
  }

  private ObjectNode typeSchema(TypeSchema t, List<ObjectNode> kindGvk) {
    ObjectNode n = obj();
    if (!t.doc().isEmpty()) {
      n.put("description", t.doc());
    }
    ObjectNode properties = obj();
    ArrayNode required = NF.arrayNode();
    for (FieldSchema f : t.fields()) {
      properties.set(f.name(), fieldSchema(f));
      if (f.required()) {
        required.add(f.name());
      }
    }
    if (!properties.isEmpty()) {
      n.set("properties", properties);
    }
    if (!required.isEmpty()) {
      n.set("required", required);
    }
    n.put("type", "object");
    List<ObjectNode> gvk = kindGvk != null ? kindGvk : typeMetaGvk(t);
    if (gvk != null) {
      ArrayNode a = n.putArray("x-kubernetes-group-version-kind");
      gvk.forEach(a::add);
    }
    return n;
  }

  /** The GVKs of types that carry apiVersion/kind without being served kinds. */
  private static List<ObjectNode> typeMetaGvk(TypeSchema t) {
    String name = t.name();
    if (t.openapiName().startsWith(META)) {
      switch (name) {
        case "DeleteOptions", "WatchEvent" -> {
          return GroupVersions.everyGroupVersion(name);
        }
        case "Status" -> {
          return GroupVersions.status();
        }
        default -> { }
      }
    }
    if (t.field("apiVersion") == null || t.field("kind") == null) {
      return null;
    }
    if (t.openapiName().startsWith(META)) {
      // Discovery types are written as apiVersion v1; Table and friends as meta.k8s.io/v1.
      boolean metaGroup = name.startsWith("Table") || name.startsWith("PartialObjectMetadata");
      return List.of(Json.gvk(metaGroup ? "meta.k8s.io" : "", "v1", name));
    }
    return List.of(Json.gvk(t.group(), t.version(), name));
  }

  private ObjectNode fieldSchema(FieldSchema f) {
    ObjectNode s = exprSchema(f.type(), f.name());
    boolean bareRef = s.size() == 1 && s.has("$ref");
    ObjectNode n;
    if (bareRef) {
      n = obj();
      if (f.doc() != null && !f.doc().isEmpty() || defaultOf(f) != null) {
        n.putArray("allOf").add(s);
      } else {
        n = s;
      }
    } else {
      n = s;
    }
    if (f.doc() != null && !f.doc().isEmpty()) {
      n.put("description", f.doc());
    }
    JsonNode def = defaultOf(f);
    if (def != null) {
      n.set("default", def);
    }
    if (!f.enumValues().isEmpty()) {
      n.set("enum", Json.strings(f.enumValues()));
    }
    if (f.format() != null && !f.format().isEmpty()) {
      n.put("format", f.format());
    }
    if (f.listType() != null) {
      n.put("x-kubernetes-list-type", f.listType());
    }
    if (!f.listMapKeys().isEmpty()) {
      n.set("x-kubernetes-list-map-keys", Json.strings(f.listMapKeys()));
    }
    if (f.patchMergeKey() != null) {
      n.put("x-kubernetes-patch-merge-key", f.patchMergeKey());
    }
    if (f.patchStrategy() != null) {
      n.put("x-kubernetes-patch-strategy", f.patchStrategy());
    }
    return n;
  }

  /** The Go zero value upstream writes as the default of a value (non-pointer) field. */
  private JsonNode defaultOf(FieldSchema f) {
    return switch (f.type()) {
      case TypeExpr.Ref r -> VALUE_STRUCT_FIELDS.contains(f.name()) || f.required() ? obj() : null;
      case TypeExpr.Scalar s -> f.required() ? zero(s.name()) : null;
      default -> null;
    };
  }

  private static JsonNode zero(String scalar) {
    return switch (scalar) {
      case "string", "Duration" -> NF.textNode("");
      case "boolean" -> NF.booleanNode(false);
      case "int32", "int64" -> NF.numberNode(0);
      case "double" -> NF.numberNode(0.0);
      default -> null;
    };
  }

  private ObjectNode exprSchema(TypeExpr e, String fieldName) {
    return switch (e) {
      case TypeExpr.Scalar s -> scalarSchema(s.name(), fieldName);
      case TypeExpr.Ref r -> ref(openapiName(r.type()));
      case TypeExpr.ListOf l -> {
        ObjectNode n = obj();
        n.set("items", elementSchema(l.element(), fieldName));
        n.put("type", "array");
        yield n;
      }
      case TypeExpr.MapOf m -> {
        ObjectNode n = obj();
        n.set("additionalProperties", elementSchema(m.value(), fieldName));
        n.put("type", "object");
        yield n;
      }
    };
  }

  /** Elements of lists and maps are values: structs default to {}, scalars to their zero. */
  private ObjectNode elementSchema(TypeExpr e, String fieldName) {
    ObjectNode s = exprSchema(e, fieldName);
    if (e instanceof TypeExpr.Ref) {
      ObjectNode n = obj();
      n.putArray("allOf").add(s);
      n.set("default", obj());
      return n;
    }
    if (e instanceof TypeExpr.Scalar sc && !s.has("$ref") && !"byte".equals(s.path("format").asText())) {
      JsonNode zero = zero(sc.name());
      if (zero != null) {
        s.set("default", zero);
      }
    }
    return s;
  }

  private ObjectNode scalarSchema(String name, String fieldName) {
    ScalarInfo info = schema.scalar(name);
    if (info == null) {
      throw new IllegalStateException("unknown scalar " + name);
    }
    if (info.openapiRef() != null) {
      return ref(info.openapiRef());
    }
    if (info.openapiType() != null) {
      ObjectNode n = obj();
      if (info.openapiFormat() != null) {
        n.put("format", info.openapiFormat());
      }
      n.put("type", info.openapiType());
      return n;
    }
    // Free-form JSON: managed fields are FieldsV1, everything else a RawExtension, as upstream.
    return ref("fieldsV1".equals(fieldName) ? FIELDS_V1 : RAW_EXTENSION);
  }

  /** Definitions of the types upstream writes by hand rather than from structs. */
  private static Map<String, ObjectNode> builtins() {
    Map<String, ObjectNode> m = new HashMap<>();
    ObjectNode quantity = obj().put("description", Docs.QUANTITY);
    quantity.putArray("oneOf").add(obj().put("type", "string")).add(obj().put("type", "number"));
    m.put(QUANTITY, quantity);
    ObjectNode intOrString = obj().put("description", Docs.INT_OR_STRING).put("format", "int-or-string");
    intOrString.putArray("oneOf").add(obj().put("type", "integer")).add(obj().put("type", "string"));
    m.put(INT_OR_STRING, intOrString);
    m.put(TIME, obj().put("description", Docs.TIME).put("format", "date-time").put("type", "string"));
    m.put(MICRO_TIME, obj().put("description", Docs.MICRO_TIME).put("format", "date-time").put("type", "string"));
    m.put(FIELDS_V1, obj().put("description", Docs.FIELDS_V1).put("type", "object"));
    m.put(RAW_EXTENSION, obj().put("description", Docs.RAW_EXTENSION).put("type", "object"));
    m.put(PATCH, obj().put("description", Docs.PATCH).put("type", "object"));
    return m;
  }
}
