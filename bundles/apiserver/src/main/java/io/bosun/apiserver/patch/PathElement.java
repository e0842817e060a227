package io.bosun.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One step of a field path, as structured-merge-diff names them: a field or map key
 * ({@code f:}), a list item by its keys ({@code k:}), a set item by value ({@code v:}) or a list
 * item by index ({@code i:}). Values are kept canonical so equal values compare equal.
 */
sealed interface PathElement extends Comparable<PathElement> {

  record Field(String name) implements PathElement {}

  /** The key fields of a list item, sorted by name. */
  record Key(List<KeyField> fields) implements PathElement {
    public Key {
      fields = fields.stream().sorted(Comparator.comparing(KeyField::name)).toList();
    }
  }

  record KeyField(String name, JsonNode value) {
    public KeyField {
      value = Json.canonical(value);
    }
  }

  record Value(JsonNode value) implements PathElement {
    public Value {
      value = Json.canonical(value);
    }
  }

  record Index(int index) implements PathElement {}

  private int rank() {
    return switch (this) {
      case Field f -> 0;
      case Key k -> 1;
      case Value v -> 2;
      case Index i -> 3;
    };
  }

  /** structured-merge-diff's order: fields, then keys, values and indices. */
  @Override
  default int compareTo(PathElement o) {
    int c = Integer.compare(rank(), o.rank());
    if (c != 0) {
      return c;
    }
    return switch (this) {
      case Field f -> f.name().compareTo(((Field) o).name());
      case Key k -> compareKeys(k.fields(), ((Key) o).fields());
      case Value v -> Json.compareValues(v.value(), ((Value) o).value());
      case Index i -> Integer.compare(i.index(), ((Index) o).index());
    };
  }

  private static int compareKeys(List<KeyField> a, List<KeyField> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).name().compareTo(b.get(i).name());
      if (c == 0) {
        c = Json.compareValues(a.get(i).value(), b.get(i).value());
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  /** The fieldsV1 key: {@code f:name}, {@code k:{"name":"x"}}, {@code v:"x"}, {@code i:0}. */
  default String serialize() {
    return switch (this) {
      case Field f -> "f:" + f.name();
      case Key k -> {
        ObjectNode o = Json.NODES.objectNode();
        k.fields().forEach(kf -> o.set(kf.name(), kf.value()));
        yield "k:" + Json.compact(o);
      }
      case Value v -> "v:" + Json.compact(v.value());
      case Index i -> "i:" + i.index();
    };
  }

  /** Parses a fieldsV1 key other than {@code "."}. */
  static PathElement parse(String s) {
    if (s.length() < 2 || s.charAt(1) != ':') {
      throw new IllegalArgumentException("unknown path element " + Json.goQuote(s));
    }
    String rest = s.substring(2);
    switch (s.charAt(0)) {
      case 'f':
        return new Field(rest);
      case 'k': {
        JsonNode o = Json.parse(rest);
        if (!o.isObject()) {
          throw new IllegalArgumentException("key path element is not an object: " + s);
        }
        List<KeyField> fields = new ArrayList<>();
        o.properties().forEach(e -> fields.add(new KeyField(e.getKey(), e.getValue())));
        return new Key(fields);
      }
      case 'v':
        return new Value(Json.parse(rest));
      case 'i':
        try {
          return new Index(Integer.parseInt(rest));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("bad index path element " + Json.goQuote(s));
        }
      default:
        throw new IllegalArgumentException("unknown path element " + Json.goQuote(s));
    }
  }

  /** structured-merge-diff's rendering in paths: {@code .name}, {@code [name="x"]}, {@code [="x"]}, {@code [0]}. */
  default String display() {
    return switch (this) {
      case Field f -> "." + f.name();
      case Key k -> {
        List<String> parts = new ArrayList<>();
        k.fields().forEach(kf -> parts.add(kf.name() + "=" + Json.smdString(kf.value())));
        yield "[" + String.join(",", parts) + "]";
      }
      case Value v -> "[=" + Json.smdString(v.value()) + "]";
      case Index i -> "[" + i.index() + "]";
    };
  }
}
