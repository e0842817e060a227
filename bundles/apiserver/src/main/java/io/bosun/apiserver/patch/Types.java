package io.bosun.apiserver.patch;

import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.FieldSchema;
import io.bosun.api.schema.TypeSchema;

/**
 * Where the engines look up struct types: the API schema in production, small fixtures in
 * tests (TypeSchema cannot be built outside the schema package).
 */
interface Types {

  /** Whether a struct type of this name is known. */
  boolean has(String type);

  /** The field of a known struct type, or null when the type has no such field. */
  FieldSchema field(String type, String field);

  static Types of(ApiSchema schema) {
    return new Types() {
      @Override
      public boolean has(String type) {
        return type != null && schema.type(type) != null;
      }

      @Override
      public FieldSchema field(String type, String field) {
        TypeSchema t = type == null ? null : schema.type(type);
        return t == null ? null : t.field(field);
      }
    };
  }
}
