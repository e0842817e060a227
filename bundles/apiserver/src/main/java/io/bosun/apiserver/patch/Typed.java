package io.bosun.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.FieldSchema;
import io.bosun.api.schema.TypeExpr;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * structured-merge-diff's typed operations on JSON trees, guided by the schema: field sets of an
 * object, comparison of two objects, the apply merge, removal of items, and the pruning of fields
 * an applier stopped applying.
 */
final class Typed {

  /** What a position in an object is, for server-side apply. */
  sealed interface Shape {}

  /** A scalar or an atomic value (free-form JSON, atomic lists, structs and maps): one leaf. */
  record Leaf() implements Shape {}

  record Struct(String type) implements Shape {}

  /** A map with string keys whose entries are owned separately. */
  record MapShape(Shape value) implements Shape {}

  /** A list of items owned separately: by key fields ({@code map}) or by value ({@code set}). */
  record ListShape(boolean set, List<String> keys, Shape element) implements Shape {}

  /** Unknown to the schema: objects are maps of deduced values, lists are atomic. */
  record Deduced() implements Shape {}

  private static final Shape LEAF = new Leaf();
  private static final Shape DEDUCED = new Deduced();

  /**
   * Struct types upstream marks {@code +structType=atomic} and map fields marked
   * {@code +mapType=atomic}. The model does not carry these markers (yet), so they live here.
   */
  private static final Set<String> ATOMIC_STRUCTS = Set.of("LabelSelector", "ObjectReference", "LocalObjectReference",
      "TypedLocalObjectReference", "TypedObjectReference", "SecretReference", "ConfigMapKeySelector",
      "SecretKeySelector", "ObjectFieldSelector", "ResourceFieldSelector", "NodeSelector", "NodeSelectorTerm",
      "TopologySelectorTerm");
  private static final Set<String> ATOMIC_MAP_FIELDS = Set.of("ServiceSpec.selector",
      "ReplicationControllerSpec.selector", "PodSpec.nodeSelector");

  /**
   * Defaults upstream's OpenAPI declares for list-map key fields; structured-merge-diff fills
   * them in when an item omits the key (a container port without a protocol is the TCP one).
   */
  private static final Map<String, JsonNode> KEY_DEFAULTS = Map.of("protocol", Json.NODES.textNode("TCP"));

  /** A value does not fit its list's keys (missing or duplicated keys). */
  static final class TypedError extends Exception {
    private static final long serialVersionUID = 1L;

    TypedError(List<String> errors) {
      super(errors.size() == 1 ? errors.get(0) : "errors:\n  " + String.join("\n  ", errors), null, false, false);
    }
  }

  private final Types types;

  Typed(Types types) {
    this.types = types;
  }

  Shape root(String typeName) {
    return typeName != null && types.has(typeName) ? new Struct(typeName) : DEDUCED;
  }

  /** The shape of field or map key {@code key} inside a value of shape {@code parent}. */
  Shape field(Shape parent, String key) {
    return switch (parent) {
      case Struct s -> {
        FieldSchema f = types.field(s.type(), key);
        yield f == null ? DEDUCED : of(f.type(), f, s.type());
      }
      case MapShape m -> m.value();
      case Deduced d -> key.equals("metadata") && types.has("ObjectMeta") ? new Struct("ObjectMeta") : DEDUCED;
      default -> DEDUCED;
    };
  }

  /** Whether {@code key} is a declared field of a struct (not a map entry). */
  boolean declared(Shape parent, String key) {
    return parent instanceof Struct s && types.field(s.type(), key) != null;
  }

  private Shape child(Shape parent, PathElement pe) {
    if (pe instanceof PathElement.Field f) {
      return field(parent, f.name());
    }
    return parent instanceof ListShape l ? l.element() : DEDUCED;
  }

  private Shape of(TypeExpr t, FieldSchema f, String owner) {
    return switch (t) {
      case TypeExpr.Scalar s -> LEAF;
      case TypeExpr.Ref r -> ATOMIC_STRUCTS.contains(r.type()) ? LEAF
          : types.has(r.type()) ? new Struct(r.type()) : DEDUCED;
      case TypeExpr.MapOf m -> f != null && ATOMIC_MAP_FIELDS.contains(owner + "." + f.name()) ? LEAF
          : new MapShape(of(m.value(), null, null));
      case TypeExpr.ListOf l -> list(l, f);
    };
  }

  /** listType when given, else what upstream derives from the strategic merge patch tags. */
  private Shape list(TypeExpr.ListOf l, FieldSchema f) {
    String kind = f == null ? "atomic" : f.listType();
    if (kind == null) {
      kind = f.mergesList() ? (f.patchMergeKey() != null ? "map" : "set") : "atomic";
    }
    Shape element = of(l.element(), null, null);
    return switch (kind) {
      case "map" -> new ListShape(false, f.listMapKeys().isEmpty() && f.patchMergeKey() != null
          ? List.of(f.patchMergeKey()) : f.listMapKeys(), element);
      case "set" -> new ListShape(true, List.of(), element);
      default -> LEAF;
    };
  }

  /** Whether a pair of values at a position is compared and merged as one leaf. */
  private static boolean leaf(Shape s, JsonNode l, JsonNode r) {
    return switch (s) {
      case Leaf x -> true;
      case ListShape x -> !arrayOrNull(l) || !arrayOrNull(r);
      default -> !objectOrNull(l) || !objectOrNull(r);
    };
  }

  private static boolean arrayOrNull(JsonNode n) {
    return n == null || n.isNull() || n.isArray();
  }

  private static boolean objectOrNull(JsonNode n) {
    return n == null || n.isNull() || n.isObject();
  }

  // ---- list items ---------------------------------------------------------------------------

  /** The path element of a list item, or a message saying why it has none. */
  private static PathElement item(JsonNode item, ListShape l, int index, List<String> errors, String path) {
    if (l.set()) {
      return new PathElement.Value(item);
    }
    if (!item.isObject()) {
      errors.add(path + ": element " + index + ": expected map, got " + JsonPatch.goJsonKind(item));
      return null;
    }
    if (l.keys().isEmpty()) {
      errors.add(path + ": element " + index + ": associative list without keys has an element that's a map type");
      return null;
    }
    List<PathElement.KeyField> fields = new ArrayList<>();
    for (String key : l.keys()) {
      JsonNode v = item.get(key);
      if (Json.absentOrNull(v)) {
        v = KEY_DEFAULTS.get(key);
        if (v == null) {
          errors.add(path + ": element " + index + ": associative list with keys has an element that omits key field "
              + Json.goQuote(key) + " (and doesn't have default value)");
          return null;
        }
      }
      fields.add(new PathElement.KeyField(key, v));
    }
    return new PathElement.Key(fields);
  }

  /** Path elements of all items; fails on items without keys (and, when strict, on repeats). */
  private static List<PathElement> items(JsonNode list, ListShape l, boolean strict, String path) throws TypedError {
    List<String> errors = new ArrayList<>();
    List<PathElement> out = new ArrayList<>();
    Set<PathElement> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      PathElement pe = item(list.get(i), l, i, errors, path);
      if (pe != null && !seen.add(pe) && strict) {
        errors.add(path + ": duplicate entries for key " + pe.display());
      }
      out.add(pe);
    }
    if (!errors.isEmpty()) {
      throw new TypedError(errors);
    }
    return out;
  }

  // ---- field sets ---------------------------------------------------------------------------

  /**
   * The fields set in {@code v}, as upstream's ToFieldSet: leaves, items of keyed and set lists,
   * map entries, empty objects and nulls. {@code strict} rejects repeated keys, as upstream does
   * for applied configurations.
   */
  FieldSet toFieldSet(JsonNode v, Shape s, boolean strict) throws TypedError {
    FieldSet.Builder b = new FieldSet.Builder();
    List<String> errors = new ArrayList<>();
    walk(v, s, b, "", strict, errors);
    if (!errors.isEmpty()) {
      throw new TypedError(errors);
    }
    return b.build();
  }

  private void walk(JsonNode v, Shape s, FieldSet.Builder b, String path, boolean strict, List<String> errors) {
    if (v == null) {
      return;
    }
    if (s instanceof Leaf) {
      b.member = true;
      return;
    }
    if (s instanceof ListShape l) {
      if (!v.isArray()) {
        b.member |= !v.isNull();
        return;
      }
      List<PathElement> pes;
      try {
        pes = items(v, l, strict, path);
      } catch (TypedError e) {
        errors.add(e.getMessage());
        return;
      }
      for (int i = 0; i < v.size(); i++) {
        FieldSet.Builder c = b.child(pes.get(i));
        walk(v.get(i), l.element(), c, path + pes.get(i).display(), strict, errors);
        c.member = true;
      }
      return;
    }
    if (!v.isObject()) {
      b.member |= !v.isNull();
      return;
    }
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      JsonNode val = e.getValue();
      FieldSet.Builder c = b.child(new PathElement.Field(e.getKey()));
      walk(val, field(s, e.getKey()), c, path + "." + e.getKey(), strict, errors);
      if (val.isNull() || (val.isObject() && val.isEmpty()) || !declared(s, e.getKey())) {
        c.member = true;
      }
    }
  }

  // ---- comparison ---------------------------------------------------------------------------

  /** What changed between two objects, as paths. */
  record Comparison(FieldSet added, FieldSet modified, FieldSet removed) {

    Comparison excluding(FieldSet ignored) {
      return new Comparison(added.recursiveDifference(ignored), modified.recursiveDifference(ignored),
          removed.recursiveDifference(ignored));
    }

    FieldSet addedOrModified() {
      return added.union(modified);
    }
  }

  /**
   * Upstream's Compare: leaves added, modified or removed; objects and list items that appear or
   * disappear as a whole are listed themselves too. Struct-typed fields are not, since upstream's
   * typed objects always carry their non-pointer structs.
   */
  Comparison compare(JsonNode l, JsonNode r, Shape s) throws TypedError {
    FieldSet.Builder a = new FieldSet.Builder();
    FieldSet.Builder m = new FieldSet.Builder();
    FieldSet.Builder d = new FieldSet.Builder();
    compare(l, r, s, a, m, d, true, "");
    return new Comparison(a.build(), m.build(), d.build());
  }

  private void compare(JsonNode l, JsonNode r, Shape s, FieldSet.Builder a, FieldSet.Builder m, FieldSet.Builder d,
      boolean structField, String path) throws TypedError {
    if (l == null && r == null) {
      return;
    }
    if (leaf(s, l, r) || (empty(l) && empty(r))) {
      if (l == null) {
        a.member = true;
      } else if (r == null) {
        d.member = true;
      } else if (!Json.sameValue(l, r)) {
        m.member = true;
      }
      return;
    }
    if (s instanceof ListShape ls) {
      Map<PathElement, List<JsonNode>> left = index(l, ls, path);
      Map<PathElement, List<JsonNode>> right = index(r, ls, path);
      Set<PathElement> all = new java.util.LinkedHashSet<>(left.keySet());
      all.addAll(right.keySet());
      for (PathElement pe : all) {
        List<JsonNode> li = left.getOrDefault(pe, List.of());
        List<JsonNode> ri = right.getOrDefault(pe, List.of());
        if (li.size() >= 2 || ri.size() >= 2) {
          // Repeated keys: the items count as one leaf.
          if (li.size() == ri.size()) {
            for (int i = 0; i < li.size(); i++) {
              if (!Json.sameValue(li.get(i), ri.get(i))) {
                m.child(pe).member = true;
                break;
              }
            }
          } else if (li.isEmpty()) {
            a.child(pe).member = true;
          } else if (ri.isEmpty()) {
            d.child(pe).member = true;
          } else {
            m.child(pe).member = true;
          }
          continue;
        }
        compare(li.isEmpty() ? null : li.get(0), ri.isEmpty() ? null : ri.get(0), ls.element(), a.child(pe),
            m.child(pe), d.child(pe), false, path + pe.display());
      }
    } else {
      Set<String> keys = new java.util.LinkedHashSet<>();
      if (l != null && l.isObject()) {
        l.properties().forEach(e -> keys.add(e.getKey()));
      }
      if (r != null && r.isObject()) {
        r.properties().forEach(e -> keys.add(e.getKey()));
      }
      for (String k : keys) {
        Shape cs = field(s, k);
        PathElement pe = new PathElement.Field(k);
        compare(l == null ? null : l.get(k), r == null ? null : r.get(k), cs, a.child(pe), m.child(pe), d.child(pe),
            declared(s, k) && cs instanceof Struct, path + "." + k);
      }
    }
    if (!structField) {
      if (l == null) {
        a.member = true;
      } else if (r == null) {
        d.member = true;
      }
    }
  }

  private static boolean empty(JsonNode n) {
    return n == null || n.isNull() || (n.isContainerNode() && n.isEmpty());
  }

  private static Map<PathElement, List<JsonNode>> index(JsonNode list, ListShape l, String path) throws TypedError {
    Map<PathElement, List<JsonNode>> out = new LinkedHashMap<>();
    if (list == null || !list.isArray()) {
      return out;
    }
    List<PathElement> pes = items(list, l, false, path);
    for (int i = 0; i < list.size(); i++) {
      out.computeIfAbsent(pes.get(i), k -> new ArrayList<>()).add(list.get(i));
    }
    return out;
  }

  // ---- merge --------------------------------------------------------------------------------

  /**
   * Merges an applied configuration {@code r} into the live object {@code l}: objects merge,
   * keyed and set lists merge by item (upstream's ordering), anything atomic is replaced; a null
   * in the configuration removes the field (upstream leaves the null for the typed decoder to
   * drop).
   */
  JsonNode merge(JsonNode l, JsonNode r, Shape s) throws TypedError {
    if (r == null) {
      return l;
    }
    if (Json.absentOrNull(l)) {
      return dropNulls(r.deepCopy(), s);
    }
    if (leaf(s, l, r) || r.isNull()) {
      return r.deepCopy();
    }
    if (s instanceof ListShape ls) {
      return mergeList(l, r, ls);
    }
    ObjectNode out = l.deepCopy();
    for (Map.Entry<String, JsonNode> e : r.properties()) {
      if (e.getValue().isNull()) {
        out.remove(e.getKey());
      } else {
        out.set(e.getKey(), merge(l.get(e.getKey()), e.getValue(), field(s, e.getKey())));
      }
    }
    return out;
  }

  private JsonNode dropNulls(JsonNode v, Shape s) {
    if (s instanceof Leaf) {
      return v;
    }
    if (v.isObject()) {
      ObjectNode o = (ObjectNode) v;
      for (Map.Entry<String, JsonNode> e : Json.fields(o)) {
        if (e.getValue().isNull()) {
          o.remove(e.getKey());
        } else {
          o.set(e.getKey(), dropNulls(e.getValue(), field(s, e.getKey())));
        }
      }
    } else if (v.isArray() && s instanceof ListShape l) {
      ArrayNode a = (ArrayNode) v;
      for (int i = 0; i < a.size(); i++) {
        a.set(i, dropNulls(a.get(i), l.element()));
      }
    }
    return v;
  }

  /** structured-merge-diff's list merge: live-only items keep their place, shared items follow the configuration's order. */
  private JsonNode mergeList(JsonNode l, JsonNode r, ListShape ls) throws TypedError {
    List<PathElement> rPes = items(r, ls, true, "");
    List<PathElement> lPes = items(l, ls, false, "");
    Map<PathElement, JsonNode> observedR = new LinkedHashMap<>();
    for (int i = 0; i < r.size(); i++) {
      observedR.put(rPes.get(i), r.get(i));
    }
    Map<PathElement, JsonNode> observedL = new LinkedHashMap<>();
    for (int i = 0; i < l.size(); i++) {
      // A repeated live key is not merged with the configuration: it is replaced.
      observedL.put(lPes.get(i), observedL.containsKey(lPes.get(i)) ? Json.NODES.nullNode() : l.get(i));
    }
    Deque<PathElement> shared = new ArrayDeque<>();
    for (PathElement pe : rPes) {
      if (observedL.containsKey(pe)) {
        shared.add(pe);
      }
    }
    PathElement nextShared = shared.poll();
    Set<PathElement> mergedR = new HashSet<>();
    ArrayNode out = Json.NODES.arrayNode();
    int li = 0;
    int ri = 0;
    while (li < lPes.size() || ri < rPes.size()) {
      if (li < lPes.size() && ri < rPes.size()) {
        PathElement pe = lPes.get(li);
        if (pe.equals(rPes.get(ri))) {
          mergedR.add(pe);
          out.add(merge(observedL.get(pe), observedR.get(pe), ls.element()));
          li++;
          ri++;
          nextShared = shared.poll();
          continue;
        }
        if (observedR.containsKey(pe) && nextShared != null && !nextShared.equals(pe)) {
          li++;
          continue;
        }
      }
      if (li < lPes.size()) {
        PathElement pe = lPes.get(li);
        if (!observedR.containsKey(pe)) {
          out.add(l.get(li).deepCopy());
          li++;
          continue;
        } else if (mergedR.contains(pe)) {
          li++;
          continue;
        }
      }
      if (ri < rPes.size()) {
        PathElement pe = rPes.get(ri);
        mergedR.add(pe);
        out.add(merge(observedL.get(pe), observedR.get(pe), ls.element()));
        ri++;
        if (nextShared != null && nextShared.equals(pe)) {
          nextShared = shared.poll();
        }
      }
    }
    return out;
  }

  // ---- removal and pruning ------------------------------------------------------------------

  /** {@code v} without the member paths of {@code set} (a member takes its whole subtree along). */
  JsonNode removeItems(JsonNode v, FieldSet set, Shape s) {
    if (set == null || set.isEmpty() || v == null) {
      return v;
    }
    if (s instanceof ListShape ls && v.isArray()) {
      List<PathElement> pes = itemsOrNull(v, ls);
      ArrayNode out = Json.NODES.arrayNode();
      for (int i = 0; i < v.size(); i++) {
        FieldSet c = pes == null ? null : set.child(pes.get(i));
        if (c == null) {
          out.add(v.get(i));
        } else if (!c.member()) {
          out.add(removeItems(v.get(i), c, ls.element()));
        }
      }
      return out;
    }
    if (v.isObject() && !(s instanceof Leaf)) {
      ObjectNode out = Json.NODES.objectNode();
      for (Map.Entry<String, JsonNode> e : v.properties()) {
        FieldSet c = set.child(new PathElement.Field(e.getKey()));
        if (c == null) {
          out.set(e.getKey(), e.getValue());
        } else if (!c.member()) {
          out.set(e.getKey(), removeItems(e.getValue(), c, field(s, e.getKey())));
        }
      }
      return out;
    }
    return v;
  }

  private static List<PathElement> itemsOrNull(JsonNode v, ListShape ls) {
    try {
      return items(v, ls, false, "");
    } catch (TypedError e) {
      return null;
    }
  }

  /** Upstream's EnsureNamedFieldsAreMembers: struct fields with owned children count as owned. */
  FieldSet ensureNamedFieldsAreMembers(FieldSet set, Shape s) {
    java.util.TreeMap<PathElement, FieldSet> out = new java.util.TreeMap<>();
    set.children().forEach((pe, c) -> {
      FieldSet ensured = ensureNamedFieldsAreMembers(c, child(s, pe));
      if (pe instanceof PathElement.Field f && declared(s, f.name())) {
        ensured = ensured.withMember(true);
      }
      out.put(pe, ensured);
    });
    return FieldSet.ofChildren(set.member(), out);
  }

  /**
   * Upstream's prune for an applier: removes what it applied last time ({@code last}) that no
   * manager, itself included, owns now ({@code owned}); both with named fields made members.
   * Removing a path removes its subtree, but fields below it that were never in {@code last} are
   * put back, as upstream's two add-back passes do.
   */
  JsonNode prune(JsonNode v, Shape s, FieldSet last, FieldSet owned, boolean underRemoved) {
    if (v == null) {
      return null;
    }
    if (s instanceof ListShape ls && v.isArray()) {
      List<PathElement> pes = itemsOrNull(v, ls);
      if (pes == null) {
        return v;
      }
      ArrayNode out = Json.NODES.arrayNode();
      for (int i = 0; i < v.size(); i++) {
        JsonNode kept = pruneChild(v.get(i), ls.element(), pes.get(i), last, owned, underRemoved);
        if (kept != null) {
          out.add(kept);
        }
      }
      return out;
    }
    if (v.isObject() && !(s instanceof Leaf)) {
      ObjectNode out = Json.NODES.objectNode();
      for (Map.Entry<String, JsonNode> e : v.properties()) {
        JsonNode kept = pruneChild(e.getValue(), field(s, e.getKey()), new PathElement.Field(e.getKey()), last, owned,
            underRemoved);
        if (kept != null) {
          out.set(e.getKey(), kept);
        }
      }
      return out;
    }
    return v;
  }

  private JsonNode pruneChild(JsonNode v, Shape s, PathElement pe, FieldSet last, FieldSet owned,
      boolean underRemoved) {
    FieldSet lc = last == null ? null : last.child(pe);
    FieldSet oc = owned == null ? null : owned.child(pe);
    boolean removed = underRemoved || (lc != null && lc.member());
    boolean isOwned = oc != null && oc.member();
    if (removed && !isOwned) {
      if (lc != null && lc.member()) {
        return null;
      }
      return lc == null ? v : removeItems(v, lc, s);
    }
    if (lc != null || removed) {
      return prune(v, s, lc, oc, removed);
    }
    return v;
  }
}
