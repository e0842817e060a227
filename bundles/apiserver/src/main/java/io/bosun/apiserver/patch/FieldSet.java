package io.bosun.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.TypeSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable set of field paths, as server-side apply tracks ownership (structured-merge-diff's
 * {@code fieldpath.Set}), with upstream's {@code fieldsV1} encoding:
 * {@code {"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{}}}}}}}.
 * {@code f:} names a field or map key, {@code k:} a list item by its keys, {@code v:} a set item
 * by value, {@code i:} an item by index, and {@code .} the node itself when it has children too.
 */
public final class FieldSet {

  private static final FieldSet EMPTY = new FieldSet(false, Collections.emptySortedMap());

  private final boolean member;
  private final SortedMap<PathElement, FieldSet> children;

  private FieldSet(boolean member, SortedMap<PathElement, FieldSet> children) {
    this.member = member;
    this.children = children;
  }

  public static FieldSet empty() {
    return EMPTY;
  }

  /**
   * Parses upstream's fieldsV1 encoding.
   *
   * @throws IllegalArgumentException when the value is not an object of well-formed path elements
   */
  public static FieldSet fromFieldsV1(JsonNode fieldsV1) {
    if (Json.absentOrNull(fieldsV1)) {
      return EMPTY;
    }
    Builder b = new Builder();
    read(fieldsV1, b);
    return b.build();
  }

  private static void read(JsonNode node, Builder b) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("expected an object in fieldsV1, got " + JsonPatch.goJsonKind(node));
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (e.getKey().equals(".")) {
        b.member = true;
        continue;
      }
      Builder child = b.child(PathElement.parse(e.getKey()));
      if (e.getValue().isObject() && e.getValue().isEmpty()) {
        child.member = true;
      } else {
        read(e.getValue(), child);
      }
    }
  }

  /** The fieldsV1 encoding, path elements in upstream's order with {@code .} first. */
  public ObjectNode toFieldsV1() {
    ObjectNode out = Json.NODES.objectNode();
    write(out);
    return out;
  }

  private void write(ObjectNode out) {
    children.forEach((pe, child) -> {
      ObjectNode o = out.putObject(pe.serialize());
      if (child.member && !child.children.isEmpty()) {
        o.putObject(".");
      }
      child.write(o);
    });
  }

  /**
   * A set of field paths written with dots ({@code "status"}, {@code "metadata.labels"}); meant
   * for reset fields, whose names never contain dots themselves.
   */
  public static FieldSet ofPaths(String... dottedPaths) {
    Builder b = new Builder();
    for (String path : dottedPaths) {
      Builder at = b;
      for (String name : path.split("\\.")) {
        at = at.child(new PathElement.Field(name));
      }
      at.member = true;
    }
    return b.build();
  }

  /**
   * The fields set in {@code object} as server-side apply counts them for an applied
   * configuration: leaves, list items of {@code map} and {@code set} lists, map entries, and
   * atomic values as one leaf.
   *
   * @throws IllegalArgumentException when a list item lacks its key fields or a key repeats
   */
  public static FieldSet fromObject(JsonNode object, TypeSchema type, ApiSchema schema) {
    Typed typed = new Typed(Types.of(schema));
    try {
      return typed.toFieldSet(object, typed.root(type == null ? null : type.name()), true);
    } catch (Typed.TypedError e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  public boolean isEmpty() {
    return !member && children.isEmpty();
  }

  public FieldSet union(FieldSet other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    TreeMap<PathElement, FieldSet> out = new TreeMap<>(children);
    other.children.forEach((pe, c) -> out.merge(pe, c, FieldSet::union));
    return of(member || other.member, out);
  }

  /** The paths of this set that {@code other} does not hold (exact paths, not subtrees). */
  public FieldSet difference(FieldSet other) {
    if (isEmpty() || other.isEmpty()) {
      return this;
    }
    TreeMap<PathElement, FieldSet> out = new TreeMap<>();
    children.forEach((pe, c) -> {
      FieldSet o = other.children.get(pe);
      FieldSet d = o == null ? c : c.difference(o);
      if (!d.isEmpty()) {
        out.put(pe, d);
      }
    });
    return of(member && !other.member, out);
  }

  public FieldSet intersection(FieldSet other) {
    TreeMap<PathElement, FieldSet> out = new TreeMap<>();
    children.forEach((pe, c) -> {
      FieldSet o = other.children.get(pe);
      if (o != null) {
        FieldSet i = c.intersection(o);
        if (!i.isEmpty()) {
          out.put(pe, i);
        }
      }
    });
    return of(member && other.member, out);
  }

  /** The paths of this set that are neither in {@code other} nor below one of its paths. */
  FieldSet recursiveDifference(FieldSet other) {
    if (isEmpty() || other.isEmpty()) {
      return this;
    }
    TreeMap<PathElement, FieldSet> out = new TreeMap<>();
    children.forEach((pe, c) -> {
      FieldSet o = other.children.get(pe);
      if (o == null) {
        out.put(pe, c);
      } else if (!o.member) {
        FieldSet d = c.recursiveDifference(o);
        if (!d.isEmpty()) {
          out.put(pe, d);
        }
      }
    });
    return of(member && !other.member, out);
  }

  /**
   * The member paths as upstream prints them ({@code .spec.containers[name="nginx"].image}), in
   * upstream's iteration order: a node's members first, then its children's paths.
   */
  public List<String> paths() {
    List<String> out = new ArrayList<>();
    iterate("", out);
    return out;
  }

  private void iterate(String prefix, List<String> out) {
    children.forEach((pe, c) -> {
      if (c.member) {
        out.add(prefix + pe.display());
      }
    });
    children.forEach((pe, c) -> {
      if (!c.children.isEmpty()) {
        c.iterate(prefix + pe.display(), out);
      }
    });
  }

  boolean member() {
    return member;
  }

  FieldSet child(PathElement pe) {
    return children.get(pe);
  }

  SortedMap<PathElement, FieldSet> children() {
    return children;
  }

  FieldSet withMember(boolean m) {
    return m == member ? this : of(m, new TreeMap<>(children));
  }

  private static FieldSet of(boolean member, TreeMap<PathElement, FieldSet> children) {
    if (!member && children.isEmpty()) {
      return EMPTY;
    }
    return new FieldSet(member, Collections.unmodifiableSortedMap(children));
  }

  static FieldSet ofChildren(boolean member, SortedMap<PathElement, FieldSet> children) {
    return of(member, new TreeMap<>(children));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldSet s && s.member == member && s.children.equals(children);
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(member) * 31 + children.hashCode();
  }

  /** The compact fieldsV1 JSON. */
  @Override
  public String toString() {
    return Json.compact(toFieldsV1());
  }

  /** A mutable tree that builds a set; nodes left empty disappear. */
  static final class Builder {
    boolean member;
    private final TreeMap<PathElement, Builder> children = new TreeMap<>();

    Builder child(PathElement pe) {
      return children.computeIfAbsent(pe, k -> new Builder());
    }

    FieldSet build() {
      TreeMap<PathElement, FieldSet> out = new TreeMap<>();
      children.forEach((pe, b) -> {
        FieldSet c = b.build();
        if (!c.isEmpty()) {
          out.put(pe, c);
        }
      });
      return of(member, out);
    }
  }
}
