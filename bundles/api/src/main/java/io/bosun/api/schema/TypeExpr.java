package io.bosun.api.schema;

/** The type of a field: a scalar, a named struct type, a list or a string-keyed map. */
public sealed interface TypeExpr {

  /** A scalar such as {@code string}, {@code int32}, {@code Quantity} or {@code JSON}. */
  record Scalar(String name) implements TypeExpr {}

  /** A struct type declared in the model, by name. */
  record Ref(String type) implements TypeExpr {}

  record ListOf(TypeExpr element) implements TypeExpr {}

  record MapOf(TypeExpr value) implements TypeExpr {}
}
