package io.bosun.apiserver.patch;

import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.TypeSchema;

/**
 * What managed-fields tracking needs to know about a request's target: the kind's schema, the
 * subresource written through ({@code ""} for the main resource) and the reset fields, which no
 * manager owns through this endpoint and which never conflict (upstream's strategy
 * ResetFields: usually {@code status} for the main resource, and {@code spec} plus some
 * metadata for the status subresource).
 */
public final class FieldScope {

  final Types types;
  final String rootType;
  private final String subresource;
  private final FieldSet resetFields;

  private FieldScope(Types types, String rootType, String subresource, FieldSet resetFields) {
    this.types = types;
    this.rootType = rootType;
    this.subresource = subresource == null ? "" : subresource;
    this.resetFields = resetFields == null ? FieldSet.empty() : resetFields;
  }

  /** The main resource of a kind, with {@code status} reset. A null type means no schema (every field deduced). */
  public static FieldScope of(ApiSchema schema, TypeSchema type) {
    return of(schema, type, "", FieldSet.ofPaths("status"));
  }

  /** A kind written through {@code subresource} (empty for the main resource) with the given reset fields. */
  public static FieldScope of(ApiSchema schema, TypeSchema type, String subresource, FieldSet resetFields) {
    return new FieldScope(Types.of(schema), type == null ? null : type.name(), subresource, resetFields);
  }

  static FieldScope of(Types types, String rootType, String subresource, FieldSet resetFields) {
    return new FieldScope(types, rootType, subresource, resetFields);
  }

  public String subresource() {
    return subresource;
  }

  public FieldSet resetFields() {
    return resetFields;
  }
}
