package io.bosun.api.codegen;

/**
 * A parsed type expression from a model file: a scalar, a named struct, {@code []T} or
 * {@code map[string]T}.
 */
sealed interface TypeRef {

  record Scalar(ScalarType scalar) implements TypeRef {}

  record Named(String name) implements TypeRef {}

  record ListOf(TypeRef element) implements TypeRef {}

  record MapOf(TypeRef value) implements TypeRef {}

  static TypeRef parse(String expression) {
    String e = expression.trim();
    if (e.startsWith("[]")) {
      return new ListOf(parse(e.substring(2)));
    }
    if (e.startsWith("map[string]")) {
      return new MapOf(parse(e.substring("map[string]".length())));
    }
    if (e.startsWith("map[") || e.contains(" ") || e.isEmpty()) {
      throw new IllegalArgumentException("unsupported type expression: " + expression);
    }
    ScalarType scalar = ScalarType.byName(e);
    return scalar != null ? new Scalar(scalar) : new Named(e);
  }

  /** The scalar types a model may use, with their Java type and upstream OpenAPI shape. */
  enum ScalarType {
    STRING("string", "String", "string", null, null),
    BYTES("bytes", "String", "string", "byte", null),
    BOOLEAN("boolean", "Boolean", "boolean", null, null),
    INT32("int32", "Integer", "integer", "int32", null),
    INT64("int64", "Long", "integer", "int64", null),
    DOUBLE("double", "Double", "number", "double", null),
    QUANTITY("Quantity", "io.bosun.api.values.Quantity", null, null, "io.k8s.apimachinery.pkg.api.resource.Quantity"),
    INT_OR_STRING("IntOrString", "io.bosun.api.values.IntOrString", null, null, "io.k8s.apimachinery.pkg.util.intstr.IntOrString"),
    TIME("Time", "java.time.Instant", null, null, "io.k8s.apimachinery.pkg.apis.meta.v1.Time"),
    MICRO_TIME("MicroTime", "java.time.Instant", null, null, "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"),
    DURATION("Duration", "String", "string", null, null),
    JSON("JSON", "com.fasterxml.jackson.databind.JsonNode", null, null, null);

    final String modelName;
    final String javaType;
    final String openapiType;
    final String openapiFormat;
    final String openapiRef;

    ScalarType(String modelName, String javaType, String openapiType, String openapiFormat, String openapiRef) {
      this.modelName = modelName;
      this.javaType = javaType;
      this.openapiType = openapiType;
      this.openapiFormat = openapiFormat;
      this.openapiRef = openapiRef;
    }

    static ScalarType byName(String name) {
      for (ScalarType t : values()) {
        if (t.modelName.equals(name)) {
          return t;
        }
      }
      return null;
    }
  }
}
