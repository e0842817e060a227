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
  private final String typeMeta;
  private final boolean protobuf;
  private final Map<String, FieldSchema> fields = new LinkedHashMap<>();

  TypeSchema(String name, String openapiName, String javaClass, String group, String version, String doc,
      List<FieldSchema> fields) {
    this(name, openapiName, javaClass, group, version, doc, null, true, fields);
  }

  TypeSchema(String name, String openapiName, String javaClass, String group, String version, String doc,
      String typeMeta, boolean protobuf, List<FieldSchema> fields) {
    this.typeMeta = typeMeta;
    this.protobuf = protobuf;
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

  /**
   * The {@code apiVersion} objects of this type are written with, for types that carry
   * {@code apiVersion} and {@code kind} (served kinds, their lists, and types such as
   * {@code Status}, {@code Eviction} or {@code Scale}); null for other types.
   */
  public String typeMeta() {
    return typeMeta;
  }

  /** False for types upstream gives no protobuf form ({@code Table} and its parts). */
  public boolean protobuf() {
    return protobuf;
  }

  /** The field called {@code name}, or null. */
  public FieldSchema field(String name) {
    return fields.get(name);
  }

  public List<FieldSchema> fields() {
    return List.copyOf(fields.values());
  }
}
