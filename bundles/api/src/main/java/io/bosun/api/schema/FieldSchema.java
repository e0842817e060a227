package io.bosun.api.schema;

import java.util.List;

/**
 * One field of a model type, with the patch metadata upstream keeps in struct tags.
 *
 * @param name          the JSON name
 * @param patchMergeKey for lists merged by key in strategic merge patch, the key field
 * @param patchStrategy {@code merge}, {@code replace}, {@code retainKeys} or {@code merge,retainKeys}; null for default
 * @param listType      {@code atomic}, {@code set} or {@code map} (server-side apply), or null
 * @param listMapKeys   the keys identifying items of a {@code map} list
 * @param protoNumber   the field's number in upstream's protobuf message ({@code generated.proto});
 *                      0 when it has none: {@code apiVersion}/{@code kind} of top-level objects
 *                      (protobuf carries them in the envelope) and types without a protobuf form
 * @param protoInline   the numbers of the messages enclosing the field on the protobuf wire,
 *                      outermost first, for fields of Go structs that upstream inlines in JSON
 *                      but nests in protobuf (e.g. {@code [2]} for {@code Volume.configMap}, which
 *                      is field 19 of the {@code VolumeSource} message at field 2); usually empty
 * @param keepZero      for scalars: a zero value is meaningful (upstream's field is a pointer or
 *                      has no {@code omitempty}); other zero scalars on the protobuf wire mean unset
 */
public record FieldSchema(String name, TypeExpr type, String doc, boolean required, String patchMergeKey,
    String patchStrategy, String listType, List<String> listMapKeys, List<String> enumValues, String format,
    int protoNumber, List<Integer> protoInline, boolean keepZero) {

  public FieldSchema {
    listMapKeys = List.copyOf(listMapKeys);
    enumValues = List.copyOf(enumValues);
    protoInline = List.copyOf(protoInline);
  }

  /** A field without protobuf information (tests and hand-built schemas). */
  public FieldSchema(String name, TypeExpr type, String doc, boolean required, String patchMergeKey,
      String patchStrategy, String listType, List<String> listMapKeys, List<String> enumValues, String format) {
    this(name, type, doc, required, patchMergeKey, patchStrategy, listType, listMapKeys, enumValues, format, 0,
        List.of(), false);
  }

  /** Whether the field has a place in upstream's protobuf encoding. */
  public boolean hasProto() {
    return protoNumber > 0;
  }

  /** Whether strategic merge patch merges this list by {@link #patchMergeKey()} or as a set. */
  public boolean mergesList() {
    return patchStrategy != null && patchStrategy.contains("merge");
  }

  /** Whether strategic merge patch honours {@code $retainKeys} on this field. */
  public boolean retainsKeys() {
    return patchStrategy != null && patchStrategy.contains("retainKeys");
  }
}
