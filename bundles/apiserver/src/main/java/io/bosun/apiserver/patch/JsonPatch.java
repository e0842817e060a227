package io.bosun.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON patch (RFC 6902) with the behaviour and messages of evanphx/json-patch v4, the library
 * upstream's API server uses: {@code add}, {@code remove}, {@code replace}, {@code move},
 * {@code copy} and {@code test}, JSON pointers with {@code ~0}/{@code ~1} escapes, {@code -} to
 * append, and evanphx's extensions (negative indices count from the end; {@code replace} of the
 * root path swaps the whole document).
 */
public final class JsonPatch {

  /** Upstream's cap on operations in one JSON patch. */
  public static final int MAX_OPERATIONS = 10_000;

  /** Upstream's cap on the bytes all {@code copy} operations of one patch may add. */
  static final long MAX_COPY_BYTES = 3L * 1024 * 1024;

  private JsonNode root;
  private long copied;

  private JsonPatch(JsonNode root) {
    this.root = root;
  }

  /**
   * Applies the operations of {@code patch} in order to a copy of {@code target} and returns
   * the result; neither input is modified.
   *
   * @throws PatchException 400 when the patch is not a JSON array of objects, 413 above
   *     {@link #MAX_OPERATIONS} operations, 422 (with upstream's generic message; the evanphx
   *     message as {@link PatchException#getMessage()}) when an operation does not apply or a
   *     {@code test} fails
   */
  public static JsonNode apply(JsonNode target, JsonNode patch) throws PatchException {
    List<JsonNode> ops = decode(patch);
    if (ops.size() > MAX_OPERATIONS) {
      throw PatchException.tooLarge("The allowed maximum operations in a JSON patch is " + MAX_OPERATIONS + ", got "
          + ops.size());
    }
    if (target == null || !target.isContainerNode()) {
      throw PatchException.invalid("json: cannot unmarshal " + goJsonKind(target)
          + " into Go value of type jsonpatch.partialDoc");
    }
    JsonPatch p = new JsonPatch(target.deepCopy());
    for (JsonNode op : ops) {
      try {
        p.apply(op);
      } catch (Failure f) {
        throw PatchException.invalid(f.getMessage());
      }
    }
    return p.root;
  }

  private static List<JsonNode> decode(JsonNode patch) throws PatchException {
    List<JsonNode> ops = new ArrayList<>();
    if (patch == null || patch.isNull() || patch.isMissingNode()) {
      return ops;
    }
    if (!patch.isArray()) {
      throw PatchException.badRequest("json: cannot unmarshal " + goJsonKind(patch)
          + " into Go value of type jsonpatch.Patch");
    }
    for (JsonNode op : patch) {
      if (!op.isObject() && !op.isNull()) {
        throw PatchException.badRequest("json: cannot unmarshal " + goJsonKind(op)
            + " into Go value of type jsonpatch.Operation");
      }
      ops.add(op.isNull() ? Json.NODES.objectNode() : op);
    }
    return ops;
  }

  static String goJsonKind(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return "null";
    }
    if (n.isObject()) {
      return "object";
    }
    if (n.isArray()) {
      return "array";
    }
    if (n.isTextual()) {
      return "string";
    }
    return n.isBoolean() ? "bool" : "number";
  }

  /** An operation failed; the message is evanphx's. */
  private static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message, null, false, false);
    }
  }

  private static final String MISSING = ": missing value";
  private static final String INVALID_INDEX = ": invalid index referenced";

  /** Where an operation lands: the container holding {@code key}. */
  private record Target(JsonNode container, String key) {}

  private void apply(JsonNode op) throws Failure {
    String kind = op.path("op").isTextual() ? op.get("op").textValue() : "unknown";
    switch (kind) {
      case "add" -> add(op);
      case "remove" -> remove(op);
      case "replace" -> replace(op);
      case "move" -> move(op);
      case "test" -> test(op);
      case "copy" -> copy(op);
      default -> throw new Failure("Unexpected kind: " + kind);
    }
  }

  /** An operation's path or from; null with {@code error} set when it does not decode. */
  private static String pointer(JsonNode op, String field, String[] error) {
    JsonNode v = op.get(field);
    if (Json.absentOrNull(v)) {
      error[0] = field.equals("path") ? "operation missing path field" + MISSING
          : "operation, missing from field" + MISSING;
      return null;
    }
    if (!v.isTextual()) {
      error[0] = "json: cannot unmarshal " + goJsonKind(v) + " into Go value of type string";
      return null;
    }
    return v.textValue();
  }

  private static JsonNode value(JsonNode op) {
    JsonNode v = op.get("value");
    return v == null ? Json.NODES.nullNode() : v.deepCopy();
  }

  private void add(JsonNode op) throws Failure {
    String path = pointer(op, "path", new String[1]);
    if (path == null) {
      throw new Failure("add operation failed to decode path" + MISSING);
    }
    Target t = find(path);
    if (t == null) {
      throw new Failure("add operation does not apply: doc is missing path: \"" + path + "\"" + MISSING);
    }
    try {
      insert(t, value(op));
    } catch (Failure f) {
      throw new Failure("error in add for path: '" + path + "': " + f.getMessage());
    }
  }

  private void remove(JsonNode op) throws Failure {
    String path = pointer(op, "path", new String[1]);
    if (path == null) {
      throw new Failure("remove operation failed to decode path" + MISSING);
    }
    Target t = find(path);
    if (t == null) {
      throw new Failure("remove operation does not apply: doc is missing path: \"" + path + "\"" + MISSING);
    }
    try {
      delete(t);
    } catch (Failure f) {
      throw new Failure("error in remove for path: '" + path + "': " + f.getMessage());
    }
  }

  private void replace(JsonNode op) throws Failure {
    String[] error = new String[1];
    String path = pointer(op, "path", error);
    if (path == null) {
      throw new Failure("replace operation failed to decode path: " + error[0]);
    }
    if (path.isEmpty()) {
      JsonNode v = value(op);
      // evanphx wraps a nil error here, so a scalar root replacement silently does nothing.
      if (v.isContainerNode()) {
        root = v;
      }
      return;
    }
    Target t = find(path);
    if (t == null) {
      throw new Failure("replace operation does not apply: doc is missing path: " + path + MISSING);
    }
    try {
      get(t);
    } catch (Failure f) {
      throw new Failure("replace operation does not apply: doc is missing key: " + path + MISSING);
    }
    set(t, value(op));
  }

  private void move(JsonNode op) throws Failure {
    String[] error = new String[1];
    String from = pointer(op, "from", error);
    if (from == null) {
      throw new Failure("move operation failed to decode from: " + error[0]);
    }
    Target source = find(from);
    if (source == null) {
      throw new Failure("move operation does not apply: doc is missing from path: " + from + MISSING);
    }
    JsonNode val;
    try {
      val = get(source);
      delete(source);
    } catch (Failure f) {
      throw new Failure("error in move for path: '" + source.key() + "': " + f.getMessage());
    }
    String path = pointer(op, "path", error);
    if (path == null) {
      throw new Failure("move operation failed to decode path: " + error[0]);
    }
    Target t = find(path);
    if (t == null) {
      throw new Failure("move operation does not apply: doc is missing destination path: " + path + MISSING);
    }
    try {
      insert(t, val == null ? Json.NODES.nullNode() : val);
    } catch (Failure f) {
      throw new Failure("error in move for path: '" + path + "': " + f.getMessage());
    }
  }

  private void test(JsonNode op) throws Failure {
    String[] error = new String[1];
    String path = pointer(op, "path", error);
    if (path == null) {
      throw new Failure("test operation failed to decode path: " + error[0]);
    }
    JsonNode expected = op.get("value");
    if (path.isEmpty()) {
      if (expected == null || !evanphxEqual(root, expected)) {
        throw new Failure("testing value " + path + " failed: test failed");
      }
      return;
    }
    Target t = find(path);
    if (t == null) {
      throw new Failure("test operation does not apply: is missing path: " + path + MISSING);
    }
    JsonNode actual;
    try {
      actual = get(t);
    } catch (Failure f) {
      throw new Failure("error in test for path: '" + path + "': " + f.getMessage());
    }
    if (Json.absentOrNull(actual)) {
      if (expected == null || expected.isNull()) {
        return;
      }
      throw new Failure("testing value " + path + " failed: test failed");
    }
    if (expected == null || !evanphxEqual(actual, expected)) {
      throw new Failure("testing value " + path + " failed: test failed");
    }
  }

  private void copy(JsonNode op) throws Failure {
    String[] error = new String[1];
    String from = pointer(op, "from", error);
    if (from == null) {
      throw new Failure("copy operation failed to decode from: " + error[0]);
    }
    Target source = find(from);
    if (source == null) {
      throw new Failure("copy operation does not apply: doc is missing from path: " + from + MISSING);
    }
    JsonNode val;
    try {
      val = get(source);
    } catch (Failure f) {
      throw new Failure("error in copy for from: '" + from + "': " + f.getMessage());
    }
    String path = pointer(op, "path", error);
    if (path == null) {
      throw new Failure("copy operation failed to decode path" + MISSING);
    }
    Target t = find(path);
    if (t == null) {
      throw new Failure("copy operation does not apply: doc is missing destination path: " + path + MISSING);
    }
    JsonNode copy = val == null ? Json.NODES.nullNode() : val.deepCopy();
    copied += Json.compact(copy).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (copied > MAX_COPY_BYTES) {
      throw new Failure("Unable to complete the copy, the accumulated size increase of copy is " + copied
          + ", exceeding the limit " + MAX_COPY_BYTES);
    }
    try {
      insert(t, copy);
    } catch (Failure f) {
      throw new Failure("error while adding value during copy: " + f.getMessage());
    }
  }

  /**
   * evanphx's findObject: walks all but the last token; null when an intermediate value is
   * missing, null or a scalar. Like evanphx it does not insist on a leading slash.
   */
  private Target find(String path) {
    String[] split = path.split("/", -1);
    if (split.length < 2) {
      return null;
    }
    JsonNode doc = root;
    for (int i = 1; i < split.length - 1; i++) {
      JsonNode next;
      try {
        next = get(new Target(doc, unescape(split[i])));
      } catch (Failure f) {
        return null;
      }
      if (next == null || !next.isContainerNode()) {
        return null;
      }
      doc = next;
    }
    return new Target(doc, unescape(split[split.length - 1]));
  }

  /** RFC 6901 decoding in one left-to-right pass, so {@code ~01} becomes {@code ~1}. */
  static String unescape(String token) {
    if (token.indexOf('~') < 0) {
      return token;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '~' && i + 1 < token.length() && (token.charAt(i + 1) == '0' || token.charAt(i + 1) == '1')) {
        sb.append(token.charAt(i + 1) == '0' ? '~' : '/');
        i++;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** The value at a target: null for a missing object key, a failure for a bad array index. */
  private static JsonNode get(Target t) throws Failure {
    if (t.container() instanceof ObjectNode o) {
      // evanphx v4 reads a missing key as null: replace then adds, copy copies null.
      return o.get(t.key());
    }
    ArrayNode a = (ArrayNode) t.container();
    int idx = atoi(t.key());
    if (idx < 0) {
      if (idx < -a.size()) {
        throw new Failure("Unable to access invalid index: " + idx + INVALID_INDEX);
      }
      idx += a.size();
    }
    if (idx >= a.size()) {
      throw new Failure("Unable to access invalid index: " + idx + INVALID_INDEX);
    }
    return a.get(idx);
  }

  private static void set(Target t, JsonNode value) throws Failure {
    if (t.container() instanceof ObjectNode o) {
      o.set(t.key(), value);
      return;
    }
    ArrayNode a = (ArrayNode) t.container();
    int idx = atoi(t.key());
    if (idx < 0) {
      idx += a.size();
    }
    a.set(idx, value);
  }

  private static void insert(Target t, JsonNode value) throws Failure {
    if (t.container() instanceof ObjectNode o) {
      o.set(t.key(), value);
      return;
    }
    ArrayNode a = (ArrayNode) t.container();
    if (t.key().equals("-")) {
      a.add(value);
      return;
    }
    int idx;
    try {
      idx = atoi(t.key());
    } catch (Failure f) {
      throw new Failure("value was not a proper array index: '" + t.key() + "': " + f.getMessage());
    }
    int size = a.size() + 1;
    if (idx >= size) {
      throw new Failure("Unable to access invalid index: " + idx + INVALID_INDEX);
    }
    if (idx < 0) {
      if (idx < -size) {
        throw new Failure("Unable to access invalid index: " + idx + INVALID_INDEX);
      }
      idx += size;
    }
    a.insert(idx, value);
  }

  private static void delete(Target t) throws Failure {
    if (t.container() instanceof ObjectNode o) {
      if (!o.has(t.key())) {
        throw new Failure("Unable to remove nonexistent key: " + t.key() + MISSING);
      }
      o.remove(t.key());
      return;
    }
    ArrayNode a = (ArrayNode) t.container();
    int idx = atoi(t.key());
    if (idx >= a.size()) {
      throw new Failure("Unable to access invalid index: " + idx + INVALID_INDEX);
    }
    if (idx < 0) {
      if (idx < -a.size()) {
        throw new Failure("Unable to access invalid index: " + idx + INVALID_INDEX);
      }
      idx += a.size();
    }
    a.remove(idx);
  }

  /** Go's strconv.Atoi, with its error messages. */
  static int atoi(String s) throws Failure {
    String digits = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new Failure("strconv.Atoi: parsing " + Json.goQuote(s) + ": invalid syntax");
    }
    try {
      long v = Long.parseLong(s.startsWith("+") ? digits : s);
      if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
        // Go ints are 64-bit; no real array gets this long, so treat as out of range here.
        throw new Failure("Unable to access invalid index: " + v + INVALID_INDEX);
      }
      return (int) v;
    } catch (NumberFormatException e) {
      throw new Failure("strconv.Atoi: parsing " + Json.goQuote(s) + ": value out of range");
    }
  }

  /**
   * evanphx's lazyNode.equal: objects by keys and members, arrays element-wise, scalars as decoded
   * Go values (numbers as float64, so 2 equals 2.0).
   */
  static boolean evanphxEqual(JsonNode a, JsonNode b) {
    if (a.isObject() || b.isObject()) {
      if (!a.isObject() || !b.isObject() || a.size() != b.size()) {
        return false;
      }
      for (var e : a.properties()) {
        JsonNode other = b.get(e.getKey());
        if (other == null || (e.getValue().isNull() != other.isNull())) {
          return false;
        }
        if (!e.getValue().isNull() && !evanphxEqual(e.getValue(), other)) {
          return false;
        }
      }
      return true;
    }
    if (a.isArray() || b.isArray()) {
      if (!a.isArray() || !b.isArray() || a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!evanphxEqual(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.doubleValue() == b.doubleValue();
    }
    return a.getNodeType() == b.getNodeType() && a.equals(b);
  }
}
