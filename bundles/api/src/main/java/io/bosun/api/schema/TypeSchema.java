package io.bosun.api.schema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A struct type of the model and its fields in serialization order. */
public final class TypeSchema {

  private final String name;
  private final String openapiName;
  private final String javaClass;
  private final String group;
  private final String version;
  private final String doc;
  private final Map<String, FieldSchema> fields = new LinkedHashMap<>();

  TypeSchema(String name, String openapiName, String javaClass, String group, String version, String doc,
      List<FieldSchema> fields) {
    this.name = name;
    this.openapiName = openapiName;
    this.javaClass = javaClass;
    this.group = group;
    this.version = version;
    this.doc = doc;
    fields.forEach(f -> this.fields.put(f.name(), f));
  }

  public String name() {
    return name;
  }

  /** The upstream OpenAPI definition name, e.g. {@code io.k8s.api.core.v1.PodSpec}. */
  public String openapiName() {
    return openapiName;
  }

  public String javaClass() {
    return javaClass;
  }

  public String group() {
    return group;
  }

  public String version() {
    return version;
  }

  public String doc() {
    return doc;
  }

  /** The field called {@code name}, or null. */
  public FieldSchema field(String name) {
    return fields.get(name);
  }

  public List<FieldSchema> fields() {
    return List.copyOf(fields.values());
  }
}
