package io.bosun.apiserver.table;

/** Upstream's {@code includeObject} table option: what each row's {@code object} carries. */
public enum IncludeObject {
  /** {@code "object": null}. */
  NONE("None"),
  /** A {@code PartialObjectMetadata} with the object's metadata; the default. */
  METADATA("Metadata"),
  /** The whole object. */
  OBJECT("Object");

  private final String wireName;

  IncludeObject(String wireName) {
    this.wireName = wireName;
  }

  /** The value as written in the {@code includeObject} query parameter. */
  public String wireName() {
    return wireName;
  }

  /**
   * Parses the {@code includeObject} parameter; null or empty means {@link #METADATA}.
   *
   * @throws IllegalArgumentException for any other value (upstream answers 400 with
   *     {@code unrecognized includeObject value: "x"})
   */
  public static IncludeObject parse(String value) {
    if (value == null || value.isEmpty()) {
      return METADATA;
    }
    for (IncludeObject v : values()) {
      if (v.wireName.equals(value)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unrecognized includeObject value: \"" + value + "\"");
  }
}
