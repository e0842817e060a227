package io.bosun.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.FieldSchema;
import io.bosun.api.schema.TypeExpr;
import io.bosun.api.schema.TypeSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Strategic merge patch as upstream applies it ({@code k8s.io/apimachinery/pkg/util/strategicpatch},
 * the apply half, ported step by step): objects merge recursively; lists whose field has
 * {@code patchStrategy: merge} merge by {@code patchMergeKey} (lists of objects) or as sets
 * (lists of scalars); other lists and fields with {@code patchStrategy: replace} are replaced;
 * {@code null} deletes; the directives {@code $patch} (replace, delete, and on list items),
 * {@code $retainKeys}, {@code $setElementOrder/<field>} and
 * {@code $deleteFromPrimitiveList/<field>} are honoured.
 *
 * <p>Fields the schema does not know merge like a JSON merge patch (upstream would fail; custom
 * resources never get strategic merge patches upstream). Fields of the free-form {@code JSON}
 * scalar type are replaced. Where upstream leaves directive keys or nulls in the merged map for
 * the typed decoder to drop, this implementation drops them itself, since Bosun stores trees.
 */
public final class StrategicMergePatch {

  static final String DIRECTIVE = "$patch";
  static final String RETAIN_KEYS = "$retainKeys";
  static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
  static final String SET_ELEMENT_ORDER = "$setElementOrder";

  private final Types types;

  private StrategicMergePatch(Types types) {
    this.types = types;
  }

  /**
   * Applies a strategic merge patch to {@code original} guided by the schema of {@code type} (the
   * kind's type, such as {@code Deployment}); returns a new tree and leaves the inputs alone. A
   * null original counts as an empty object; a {@code null} patch changes nothing.
   *
   * @throws PatchException with upstream's code: 400 when the patch is not a JSON object or a
   *     directive is malformed, 422 for lists of lists, 500 (empty reason) for the errors upstream
   *     passes through, such as a list item without its merge key
   */
  public static JsonNode apply(JsonNode original, JsonNode patch, TypeSchema type, ApiSchema schema)
      throws PatchException {
    return apply(original, patch, Types.of(schema), type == null ? null : type.name());
  }

  static JsonNode apply(JsonNode original, JsonNode patch, Types types, String rootType) throws PatchException {
    ObjectNode base = original == null || !original.isObject() ? Json.NODES.objectNode() : original.deepCopy();
    if (Json.absentOrNull(patch)) {
      return base;
    }
    if (!patch.isObject()) {
      throw PatchException.badRequest("json: cannot unmarshal " + JsonPatch.goJsonKind(patch)
          + " into Go value of type map[string]interface {}");
    }
    TypeExpr root = rootType != null && types.has(rootType) ? new TypeExpr.Ref(rootType) : null;
    return new StrategicMergePatch(types).mergeMap(base, (ObjectNode) patch.deepCopy(), root);
  }

  /** Patch metadata of one field: its type (null when unknown), strategy and merge key. */
  private record Meta(TypeExpr type, String strategy, String mergeKey, boolean declared) {
    static final Meta UNKNOWN = new Meta(null, null, null, false);
  }

  private Meta lookup(TypeExpr context, String key) {
    if (context instanceof TypeExpr.Ref ref && types.has(ref.type())) {
      FieldSchema f = types.field(ref.type(), key);
      return f == null ? Meta.UNKNOWN : new Meta(f.type(), f.patchStrategy(), f.patchMergeKey(), true);
    }
    if (context instanceof TypeExpr.MapOf map) {
      return new Meta(map.value(), null, null, true);
    }
    return Meta.UNKNOWN;
  }

  private static boolean isStruct(TypeExpr t) {
    return t == null || t instanceof TypeExpr.Ref;
  }

  private static boolean isFreeForm(TypeExpr t) {
    return t instanceof TypeExpr.Scalar s && s.name().equals("JSON");
  }

  private static TypeExpr element(TypeExpr t) {
    return t instanceof TypeExpr.ListOf l ? l.element() : null;
  }

  // ---- maps ---------------------------------------------------------------------------------

  private ObjectNode mergeMap(ObjectNode original, ObjectNode patch, TypeExpr context) throws PatchException {
    if (patch.has(DIRECTIVE)) {
      return directiveInMap(patch.get(DIRECTIVE), patch, context);
    }
    applyRetainKeys(original, patch);
    mergePatchIntoOriginal(original, patch, context);
    for (Map.Entry<String, JsonNode> e : Json.fields(patch)) {
      String key = e.getKey();
      JsonNode patchValue = e.getValue();
      boolean deleteList = false;
      if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        key = extractKey(key, DELETE_FROM_PRIMITIVE_LIST);
        deleteList = true;
      }
      if (patchValue.isNull()) {
        original.remove(key);
        continue;
      }
      Meta meta = lookup(context, key);
      if (!meta.declared() && isStruct(context) && isDirectiveKey(key)) {
        // A directive where none is understood: the typed decoder would drop it.
        continue;
      }
      JsonNode originalValue = original.get(key);
      if (originalValue == null || goKind(originalValue) != goKind(patchValue)) {
        if (!deleteList) {
          putCleaned(original, key, removeDirectives(patchValue), meta.type());
        }
        continue;
      }
      if (isFreeForm(meta.type())) {
        original.set(key, patchValue);
        continue;
      }
      String strategy = strategy(meta.strategy());
      switch (goKind(originalValue)) {
        case MAP -> original.set(key, strategy.equals("replace") ? decodeClean(patchValue, meta.type())
            : mergeMap((ObjectNode) originalValue, (ObjectNode) patchValue, meta.type()));
        case SLICE -> original.set(key, mergeSliceHandler((ArrayNode) originalValue, (ArrayNode) patchValue, meta,
            strategy, deleteList));
        default -> putCleaned(original, key, removeDirectives(patchValue), meta.type());
      }
    }
    return original;
  }

  private void putCleaned(ObjectNode target, String key, JsonNode value, TypeExpr type) {
    if (value == null) {
      target.remove(key);
    } else {
      target.set(key, decodeClean(value, type));
    }
  }

  private ObjectNode directiveInMap(JsonNode directive, ObjectNode patch, TypeExpr context) throws PatchException {
    if (directive.isTextual() && directive.textValue().equals("replace")) {
      patch.remove(DIRECTIVE);
      return (ObjectNode) decodeClean(patch, context);
    }
    if (directive.isTextual() && directive.textValue().equals("delete")) {
      return Json.NODES.objectNode();
    }
    throw unknownPatchType(directive, patch);
  }

  private static PatchException unknownPatchType(JsonNode directive, JsonNode map) {
    return PatchException.internal("unknown patch type: " + Json.goFormatS(directive) + " in map: " + Json.goFormat(map));
  }

  private static boolean isDirectiveKey(String key) {
    return key.equals(DIRECTIVE) || key.equals(RETAIN_KEYS) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST)
        || key.startsWith(SET_ELEMENT_ORDER);
  }

  private static void applyRetainKeys(ObjectNode original, ObjectNode patch) throws PatchException {
    JsonNode retain = patch.remove(RETAIN_KEYS);
    if (retain == null) {
      return;
    }
    if (!retain.isArray()) {
      throw PatchException.badRequest("invalid patch format of retainKeys");
    }
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      String k = e.getKey();
      if (e.getValue().isNull() || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) {
        continue;
      }
      if (!retained(retain, k)) {
        throw PatchException.badRequest("invalid patch format of retainKeys");
      }
    }
    for (Map.Entry<String, JsonNode> e : Json.fields(original)) {
      if (!retained(retain, e.getKey())) {
        original.remove(e.getKey());
      }
    }
  }

  private static boolean retained(JsonNode retainKeys, String key) {
    for (JsonNode k : retainKeys) {
      if (k.isTextual() && k.textValue().equals(key)) {
        return true;
      }
    }
    return false;
  }

  /** Applies {@code $setElementOrder/<field>} together with the field's list in the patch. */
  private void mergePatchIntoOriginal(ObjectNode original, ObjectNode patch, TypeExpr context) throws PatchException {
    for (Map.Entry<String, JsonNode> e : Json.fields(patch)) {
      String key = e.getKey();
      if (!key.startsWith(SET_ELEMENT_ORDER)) {
        continue;
      }
      patch.remove(key);
      JsonNode order = e.getValue();
      if (!order.isArray()) {
        throw badArgType("[]interface {}", order);
      }
      String listKey = extractKey(key, SET_ELEMENT_ORDER);
      JsonNode originalList = original.get(listKey);
      JsonNode patchList = patch.get(listKey);
      if (originalList != null && !originalList.isArray()) {
        throw badArgType("[]interface {}", originalList);
      }
      if (patchList != null && !patchList.isArray()) {
        throw badArgType("[]interface {}", patchList);
      }
      Meta meta = lookup(context, listKey);
      String strategy = strategy(meta.strategy());
      String mergeKey = meta.mergeKey() == null ? "" : meta.mergeKey();
      List<JsonNode> patchItems = patchList == null ? List.of() : items(patchList);
      validatePatchWithSetOrderList(patchItems, items(order), mergeKey);
      ArrayNode merged;
      if (originalList != null && patchList == null) {
        merged = (ArrayNode) originalList;
      } else if (originalList == null && patchList != null) {
        merged = (ArrayNode) decodeClean(removeDirectives(patchList), meta.type());
      } else if (originalList != null) {
        merged = mergeSliceHandler((ArrayNode) originalList, (ArrayNode) patchList, meta, strategy, false);
      } else {
        continue;
      }
      List<JsonNode> mergedItems = items(merged);
      List<List<JsonNode>> parts = mergeKey.isEmpty() ? partitionPrimitives(mergedItems, items(order))
          : partitionMaps(mergedItems, items(order), mergeKey);
      List<JsonNode> originalItems = originalList == null ? List.of() : items(originalList);
      Kind kind = sliceElementType(originalItems, patchItems);
      List<JsonNode> both = normalizeElementOrder(parts.get(0), parts.get(1), items(order), originalItems, mergeKey, kind);
      original.set(listKey, array(both));
      patch.remove(listKey);
    }
  }

  private static void validatePatchWithSetOrderList(List<JsonNode> patchList, List<JsonNode> order, String mergeKey)
      throws PatchException {
    if (order.isEmpty() || patchList.isEmpty()) {
      return;
    }
    List<JsonNode> nonDelete = mergeKey.isEmpty() ? patchList : extractToDeleteItems(patchList).get(0);
    int p = 0;
    int s = 0;
    while (p < nonDelete.size() && s < order.size()) {
      if (nonDelete.get(p).isObject() && nonDelete.get(p).has(DIRECTIVE)) {
        p++;
        continue;
      }
      if (mergeKeyValueEqual(nonDelete.get(p), order.get(s), mergeKey)) {
        p++;
      }
      s++;
    }
    if (p < nonDelete.size() && s >= order.size()) {
      throw PatchException.internal("The order in patch list:\n" + Json.goFormat(array(patchList)) + "\n doesn't match "
          + SET_ELEMENT_ORDER + " list:\n" + Json.goFormat(array(order)) + "\n");
    }
  }

  private static boolean mergeKeyValueEqual(JsonNode left, JsonNode right, String mergeKey) throws PatchException {
    if (mergeKey.isEmpty()) {
      return Json.goEquals(left, right);
    }
    if (!left.isObject()) {
      throw badArgType("map[string]interface {}", left);
    }
    if (!right.isObject()) {
      throw badArgType("map[string]interface {}", right);
    }
    if (!left.has(mergeKey)) {
      throw noMergeKey(left, mergeKey);
    }
    if (!right.has(mergeKey)) {
      throw noMergeKey(right, mergeKey);
    }
    return Json.goEquals(left.get(mergeKey), right.get(mergeKey));
  }

  // ---- lists --------------------------------------------------------------------------------

  private ArrayNode mergeSliceHandler(ArrayNode original, ArrayNode patch, Meta meta, String strategy,
      boolean deleteList) throws PatchException {
    // Deletion lists work whatever the field's strategy, as upstream.
    if (strategy.equals("merge") || deleteList) {
      return array(mergeSlice(items(original), items(patch), element(meta.type()),
          meta.mergeKey() == null ? "" : meta.mergeKey(), deleteList));
    }
    return (ArrayNode) decodeClean(patch, meta.type());
  }

  private List<JsonNode> mergeSlice(List<JsonNode> original, List<JsonNode> patch, TypeExpr elementType,
      String mergeKey, boolean deleteList) throws PatchException {
    if (original.isEmpty() && patch.isEmpty()) {
      return original;
    }
    Kind kind = sliceElementType(original, patch);
    List<JsonNode> merged;
    List<JsonNode> patchOrder = patch;
    List<JsonNode> serverOrder = original;
    if (kind != Kind.MAP) {
      if (deleteList) {
        List<JsonNode> kept = new ArrayList<>();
        for (JsonNode v : original) {
          if (patch.stream().noneMatch(d -> Json.goEquals(d, v))) {
            kept.add(v);
          }
        }
        return kept;
      }
      List<JsonNode> both = new ArrayList<>(original);
      both.addAll(patch);
      merged = deduplicateScalars(both);
    } else {
      if (mergeKey.isEmpty()) {
        throw PatchException.internal("cannot merge lists without merge key for " + typeName(elementType));
      }
      List<List<JsonNode>> special = mergeSliceWithSpecialElements(original, patch, mergeKey, elementType);
      serverOrder = special.get(0);
      patchOrder = special.get(1);
      merged = mergeSliceWithoutSpecialElements(new ArrayList<>(serverOrder), patchOrder, mergeKey, elementType);
    }
    List<List<JsonNode>> parts = mergeKey.isEmpty() ? partitionPrimitives(merged, patchOrder)
        : partitionMaps(merged, patchOrder, mergeKey);
    return normalizeElementOrder(parts.get(0), parts.get(1), patchOrder, serverOrder, mergeKey, kind);
  }

  private static String typeName(TypeExpr t) {
    return t instanceof TypeExpr.Ref r ? r.type() : "map";
  }

  /** Handles {@code $patch} items: returns the original after deletions and the remaining patch. */
  private List<List<JsonNode>> mergeSliceWithSpecialElements(List<JsonNode> original, List<JsonNode> patch,
      String mergeKey, TypeExpr elementType) throws PatchException {
    List<JsonNode> without = new ArrayList<>();
    List<JsonNode> current = new ArrayList<>(original);
    boolean replace = false;
    for (JsonNode v : patch) {
      JsonNode directive = v.get(DIRECTIVE);
      if (directive == null) {
        without.add(v);
        continue;
      }
      String d = directive.isTextual() ? directive.textValue() : null;
      if ("delete".equals(d)) {
        JsonNode keyValue = v.get(mergeKey);
        if (keyValue == null) {
          throw noMergeKey(v, mergeKey);
        }
        current.removeIf(item -> item.isObject() && item.has(mergeKey) && Json.goEquals(item.get(mergeKey), keyValue));
      } else if ("replace".equals(d)) {
        replace = true;
      } else if ("merge".equals(d)) {
        throw PatchException.internal("merging lists cannot yet be specified in the patch");
      } else {
        throw unknownPatchType(directive, v);
      }
    }
    if (replace) {
      List<JsonNode> cleaned = new ArrayList<>();
      for (JsonNode v : without) {
        cleaned.add(decodeClean(v, elementType));
      }
      return List.of(cleaned, List.of());
    }
    return List.of(current, without);
  }

  private List<JsonNode> mergeSliceWithoutSpecialElements(List<JsonNode> original, List<JsonNode> patch,
      String mergeKey, TypeExpr elementType) throws PatchException {
    for (JsonNode v : patch) {
      JsonNode keyValue = v.get(mergeKey);
      if (keyValue == null) {
        throw noMergeKey(v, mergeKey);
      }
      int found = -1;
      for (int i = 0; i < original.size(); i++) {
        JsonNode item = original.get(i);
        if (!item.isObject()) {
          throw PatchException.internal("value for key " + i + " is not a map");
        }
        if (item.has(mergeKey) && Json.goEquals(item.get(mergeKey), keyValue)) {
          found = i;
          break;
        }
      }
      if (found >= 0) {
        original.set(found, mergeMap((ObjectNode) original.get(found), (ObjectNode) v, elementType));
      } else {
        original.add(decodeClean(v, elementType));
      }
    }
    return original;
  }

  /** Go's "clever" in-place deduplication, which reorders; the order is normalised afterwards. */
  private static List<JsonNode> deduplicateScalars(List<JsonNode> s) {
    List<JsonNode> list = new ArrayList<>(s);
    int length = list.size() - 1;
    for (int i = 0; i < length; i++) {
      for (int j = i + 1; j <= length; j++) {
        if (Json.goEquals(list.get(i), list.get(j))) {
          list.set(j, list.get(length));
          list.remove(length);
          length--;
          j--;
        }
      }
    }
    return list;
  }

  private static List<List<JsonNode>> partitionPrimitives(List<JsonNode> original, List<JsonNode> by) {
    List<JsonNode> inPatch = new ArrayList<>();
    List<JsonNode> serverOnly = new ArrayList<>();
    for (JsonNode v : original) {
      (by.stream().anyMatch(b -> Json.goEquals(b, v)) ? inPatch : serverOnly).add(v);
    }
    return List.of(inPatch, serverOnly);
  }

  private static List<List<JsonNode>> partitionMaps(List<JsonNode> original, List<JsonNode> by, String mergeKey)
      throws PatchException {
    List<JsonNode> inPatch = new ArrayList<>();
    List<JsonNode> serverOnly = new ArrayList<>();
    for (JsonNode v : original) {
      if (!v.isObject()) {
        throw badArgType("map[string]interface {}", v);
      }
      JsonNode keyValue = v.get(mergeKey);
      if (keyValue == null) {
        throw noMergeKey(v, mergeKey);
      }
      boolean found = false;
      for (int i = 0; i < by.size(); i++) {
        if (!by.get(i).isObject()) {
          throw PatchException.internal("value for key " + i + " is not a map");
        }
        if (by.get(i).has(mergeKey) && Json.goEquals(by.get(i).get(mergeKey), keyValue)) {
          found = true;
          break;
        }
      }
      (found ? inPatch : serverOnly).add(v);
    }
    return List.of(inPatch, serverOnly);
  }

  /**
   * Orders patch items by the patch (or {@code $setElementOrder}) order and server-only items by
   * the server order, then interleaves them as upstream does.
   */
  private static List<JsonNode> normalizeElementOrder(List<JsonNode> patch, List<JsonNode> serverOnly,
      List<JsonNode> patchOrder, List<JsonNode> serverOrder, String mergeKey, Kind kind) throws PatchException {
    List<JsonNode> p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
    List<JsonNode> s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
    return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
  }

  private static List<JsonNode> normalizeSliceOrder(List<JsonNode> toSort, List<JsonNode> order, String mergeKey,
      Kind kind) throws PatchException {
    List<JsonNode> sorted = new ArrayList<>(toSort);
    List<JsonNode> toDelete = List.of();
    if (kind == Kind.MAP) {
      validateMergeKeyInLists(mergeKey, toSort, order);
      List<List<JsonNode>> split = extractToDeleteItems(toSort);
      sorted = new ArrayList<>(split.get(0));
      toDelete = split.get(1);
    }
    // Go's sort.SliceStable is an insertion sort for short lists; its comparator treats items
    // missing from the order as smaller, which only a faithful insertion sort reproduces.
    for (int i = 1; i < sorted.size(); i++) {
      for (int j = i; j > 0 && orderLess(sorted.get(j), sorted.get(j - 1), order, mergeKey, kind); j--) {
        JsonNode t = sorted.get(j);
        sorted.set(j, sorted.get(j - 1));
        sorted.set(j - 1, t);
      }
    }
    sorted.addAll(toDelete);
    return sorted;
  }

  private static boolean orderLess(JsonNode a, JsonNode b, List<JsonNode> order, String mergeKey, Kind kind) {
    int ia = index(order, a, mergeKey, kind);
    if (ia >= 0) {
      int ib = index(order, b, mergeKey, kind);
      if (ib >= 0) {
        return ia < ib;
      }
    }
    return true;
  }

  private static List<JsonNode> mergeSortedSlice(List<JsonNode> left, List<JsonNode> right, List<JsonNode> serverOrder,
      String mergeKey, Kind kind) {
    List<JsonNode> out = new ArrayList<>(left.size() + right.size());
    int i = 0;
    int j = 0;
    while (i < left.size() || j < right.size()) {
      if (i >= left.size()) {
        out.add(right.get(j++));
      } else if (j >= right.size()) {
        out.add(left.get(i++));
      } else {
        int li = index(serverOrder, left.get(i), mergeKey, kind);
        int ri = index(serverOrder, right.get(j), mergeKey, kind);
        if (li >= 0 && ri >= 0 && li < ri) {
          out.add(left.get(i++));
        } else {
          out.add(right.get(j++));
        }
      }
    }
    return out;
  }

  private static int index(List<JsonNode> list, JsonNode value, String mergeKey, Kind kind) {
    JsonNode wanted = kind == Kind.MAP ? (value.isObject() ? value.get(mergeKey) : null) : value;
    for (int i = 0; i < list.size(); i++) {
      JsonNode v = list.get(i);
      JsonNode candidate = kind == Kind.MAP ? (v.isObject() ? v.get(mergeKey) : null) : v;
      if (Json.goEquals(wanted, candidate)) {
        return i;
      }
    }
    return -1;
  }

  private static void validateMergeKeyInLists(String mergeKey, List<JsonNode> a, List<JsonNode> b)
      throws PatchException {
    for (List<JsonNode> list : List.of(a, b)) {
      for (JsonNode item : list) {
        if (!item.isObject()) {
          throw badArgType("map[string]interface {}", item);
        }
        if (!item.has(mergeKey)) {
          throw noMergeKey(item, mergeKey);
        }
      }
    }
  }

  private static List<List<JsonNode>> extractToDeleteItems(List<JsonNode> list) throws PatchException {
    List<JsonNode> keep = new ArrayList<>();
    List<JsonNode> delete = new ArrayList<>();
    for (JsonNode v : list) {
      if (!v.isObject()) {
        throw badArgType("map[string]interface {}", v);
      }
      JsonNode d = v.get(DIRECTIVE);
      (d != null && d.isTextual() && d.textValue().equals("delete") ? delete : keep).add(v);
    }
    return List.of(keep, delete);
  }

  /** The kinds of Go values a decoded JSON list can hold. */
  enum Kind { MAP, SLICE, STRING, INT, FLOAT, BOOL, NIL }

  static Kind goKind(JsonNode n) {
    if (n.isObject()) {
      return Kind.MAP;
    }
    if (n.isArray()) {
      return Kind.SLICE;
    }
    if (n.isTextual()) {
      return Kind.STRING;
    }
    if (n.isBoolean()) {
      return Kind.BOOL;
    }
    if (n.isNumber()) {
      return n.isIntegralNumber() ? Kind.INT : Kind.FLOAT;
    }
    return Kind.NIL;
  }

  private static Kind sliceElementType(List<JsonNode> a, List<JsonNode> b) throws PatchException {
    Kind previous = null;
    for (List<JsonNode> list : List.of(a, b)) {
      for (JsonNode v : list) {
        Kind k = goKind(v);
        if (previous == null) {
          previous = k;
          if (k == Kind.SLICE) {
            throw new PatchException(422, "Invalid", PatchException.REJECTED, "lists of lists are not supported");
          }
        } else if (previous != k) {
          throw PatchException.internal("list element types are not identical: [" + Json.goFormat(array(a)) + " "
              + Json.goFormat(array(b)) + "]");
        }
      }
    }
    if (previous == null) {
      throw PatchException.internal("no elements in any of the given slices");
    }
    return previous;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static String strategy(String patchStrategy) throws PatchException {
    if (patchStrategy == null || patchStrategy.isEmpty()) {
      return "";
    }
    String[] parts = patchStrategy.split(",");
    if (parts.length == 1) {
      return parts[0].equals("retainKeys") ? "" : parts[0];
    }
    if (parts.length == 2 && parts[0].equals("retainKeys")) {
      return parts[1];
    }
    if (parts.length == 2 && parts[1].equals("retainKeys")) {
      return parts[0];
    }
    throw PatchException.internal("unexpected patch strategy: [" + String.join(" ", parts) + "]");
  }

  private static String extractKey(String key, String prefix) throws PatchException {
    int slash = key.indexOf('/');
    if (slash < 0 || !key.substring(0, slash).equals(prefix)) {
      throw PatchException.badRequest(prefix.equals(DELETE_FROM_PRIMITIVE_LIST)
          ? "invalid patch format of primitive list" : "invalid patch format of setElementOrder list");
    }
    return key.substring(slash + 1);
  }

  private static PatchException noMergeKey(JsonNode map, String key) {
    return PatchException.internal("map: " + Json.goFormat(map) + " does not contain declared merge key: " + key);
  }

  private static PatchException badArgType(String expected, JsonNode actual) {
    return PatchException.internal("expected a " + expected + ", but received a " + Json.goType(actual));
  }

  private static List<JsonNode> items(JsonNode array) {
    List<JsonNode> out = new ArrayList<>(array.size());
    array.forEach(out::add);
    return out;
  }

  private static ArrayNode array(List<JsonNode> items) {
    ArrayNode a = Json.NODES.arrayNode(items.size());
    items.forEach(a::add);
    return a;
  }

  /**
   * Upstream's removeDirectives: drops every object carrying {@code $patch} (null when the value
   * itself is one), recursively.
   */
  static JsonNode removeDirectives(JsonNode v) {
    if (v.isObject()) {
      if (v.has(DIRECTIVE)) {
        return null;
      }
      ObjectNode o = (ObjectNode) v;
      for (Map.Entry<String, JsonNode> e : Json.fields(o)) {
        JsonNode kept = removeDirectives(e.getValue());
        if (kept == null) {
          o.remove(e.getKey());
        } else {
          o.set(e.getKey(), kept);
        }
      }
      return o;
    }
    if (v.isArray()) {
      ArrayNode out = Json.NODES.arrayNode();
      for (JsonNode item : v) {
        JsonNode kept = removeDirectives(item);
        if (kept != null) {
          out.add(kept);
        }
      }
      return out;
    }
    return v;
  }

  /**
   * What decoding into upstream's typed objects does to a value a patch brought in verbatim:
   * directive keys vanish from structs, null members vanish. Free-form JSON stays as it is.
   */
  private JsonNode decodeClean(JsonNode v, TypeExpr type) {
    if (isFreeForm(type)) {
      return v;
    }
    if (v.isObject()) {
      ObjectNode o = (ObjectNode) v;
      for (Map.Entry<String, JsonNode> e : Json.fields(o)) {
        Meta meta = lookup(type, e.getKey());
        if (e.getValue().isNull() || (isStruct(type) && !meta.declared() && isDirectiveKey(e.getKey()))) {
          o.remove(e.getKey());
        } else {
          o.set(e.getKey(), decodeClean(e.getValue(), meta.type()));
        }
      }
      return o;
    }
    if (v.isArray()) {
      ArrayNode a = (ArrayNode) v;
      TypeExpr elementType = element(type);
      for (int i = 0; i < a.size(); i++) {
        a.set(i, decodeClean(a.get(i), elementType));
      }
      return a;
    }
    return v;
  }
}
