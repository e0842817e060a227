package io.bosun.api.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.FieldSchema;
import io.bosun.api.schema.TypeExpr;
import io.bosun.api.schema.TypeSchema;
import io.bosun.api.values.Quantity;
import io.bosun.api.values.Times;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kubernetes' protobuf wire format ({@code application/vnd.kubernetes.protobuf}), driven by the
 * model's field numbers. A body is the four bytes {@code k8s\0} followed by a
 * {@code runtime.Unknown} message: {@code typeMeta} (1: {@code apiVersion} 1, {@code kind} 2),
 * {@code raw} (2: the object's own message), {@code contentEncoding} (3) and
 * {@code contentType} (4).
 *
 * <p>{@link #decode} turns a body into the JSON tree the JSON decoder would have produced for the
 * same object, so the rest of the request pipeline does not care which format the client used:
 * JSON field names, {@code apiVersion}/{@code kind} from the envelope, quantities as canonical
 * strings, times as RFC 3339 strings, int-or-strings as numbers or strings, bytes as base64 and
 * embedded objects ({@code RawExtension}, {@code FieldsV1}) as JSON. Zero scalars that upstream's
 * encoder writes for every non-pointer field are dropped unless the model marks the field
 * {@link FieldSchema#keepZero() keepZero}, matching what upstream's JSON encoder would omit.
 * Field numbers the model does not know are skipped and reported.
 *
 * <p>{@link #encode} is the reverse. Instances are thread-safe and hold no global state; a cache
 * of per-type field layouts lives in the instance.
 */
public final class ProtobufCodec {

  /** The media type of the protobuf encoding. */
  public static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

  private static final byte[] MAGIC = {'k', '8', 's', 0};
  private static final int MAX_DEPTH = 100;
  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LENGTH_DELIMITED = 2;
  private static final int START_GROUP = 3;
  private static final int END_GROUP = 4;
  private static final int FIXED32 = 5;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ObjectMapper json = JsonMapper.builder().build();
  private final Map<TypeSchema, Layout> layouts = new ConcurrentHashMap<>();

  public ProtobufCodec() {
  }

  /** Whether {@code body} starts with the protobuf envelope's magic bytes {@code k8s\0}. */
  public static boolean hasEnvelope(byte[] body) {
    return body != null && body.length >= MAGIC.length && Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
  }

  /**
   * Decodes an enveloped object into its JSON tree.
   *
   * @throws DecodeException for a body that is not a well-formed envelope of a known kind
   */
  public JsonNode decode(byte[] body, ApiSchema schema) throws DecodeException {
    return decodeReporting(body, schema).value();
  }

  /**
   * Decodes an enveloped object into its JSON tree, also returning the protobuf fields the model
   * does not know (skipped), as paths such as {@code spec.template.#42}: the JSON path of the
   * enclosing object and {@code #} with the field number.
   *
   * @throws DecodeException for a body that is not a well-formed envelope of a known kind
   */
  public Decoded<JsonNode> decodeReporting(byte[] body, ApiSchema schema) throws DecodeException {
    List<String> unknown = new ArrayList<>();
    JsonNode tree = decodeEnvelope(body, schema, "", unknown, 0);
    return new Decoded<>(tree, unknown);
  }

  /**
   * Encodes an object (a JSON tree with {@code apiVersion} and {@code kind}) in the envelope.
   *
   * @throws IllegalArgumentException when the tree's kind is unknown or a value does not fit its
   *     field's type
   */
  public byte[] encode(JsonNode obj, ApiSchema schema) {
    if (obj == null || !obj.isObject()) {
      throw new IllegalArgumentException("protobuf: only objects can be encoded");
    }
    String apiVersion = obj.path("apiVersion").asText("");
    String kind = obj.path("kind").asText("");
    TypeSchema type = schema.typeForKind(apiVersion, kind).orElseThrow(() ->
        new IllegalArgumentException("protobuf: no kind \"" + kind + "\" is registered for version \"" + apiVersion + "\""));
    if (!type.protobuf()) {
      throw new IllegalArgumentException("protobuf: " + kind + " has no protobuf encoding");
    }
    Writer raw = new Writer();
    encodeMessage(raw, (ObjectNode) obj, type, schema, "");
    Writer typeMeta = new Writer();
    typeMeta.writeString(1, apiVersion);
    typeMeta.writeString(2, kind);
    Writer unknown = new Writer();
    unknown.writeBytes(1, typeMeta.toByteArray());
    unknown.writeBytes(2, raw.toByteArray());
    unknown.writeString(3, "");
    unknown.writeString(4, "");
    byte[] message = unknown.toByteArray();
    byte[] body = new byte[MAGIC.length + message.length];
    System.arraycopy(MAGIC, 0, body, 0, MAGIC.length);
    System.arraycopy(message, 0, body, MAGIC.length, message.length);
    return body;
  }

  // ---------------------------------------------------------------- decoding

  private JsonNode decodeEnvelope(byte[] body, ApiSchema schema, String path, List<String> unknown, int depth)
      throws DecodeException {
    if (depth > MAX_DEPTH) {
      throw new DecodeException("protobuf: objects nested deeper than " + MAX_DEPTH + " levels at " + display(path));
    }
    if (!hasEnvelope(body)) {
      throw new DecodeException("provided data does not appear to be a protobuf message, expected prefix "
          + "[107 56 115 0]");
    }
    String apiVersion = "";
    String kind = "";
    byte[] raw = new byte[0];
    String contentEncoding = "";
    String contentType = "";
    Reader in = new Reader(body, MAGIC.length, body.length);
    while (in.more()) {
      int tag = in.tag();
      int number = tag >>> 3;
      int wireType = tag & 7;
      switch (number) {
        case 1 -> {
          Reader meta = in.message(wireType, "typeMeta");
          while (meta.more()) {
            int t = meta.tag();
            switch (t >>> 3) {
              case 1 -> apiVersion = meta.string(t & 7, "typeMeta.apiVersion");
              case 2 -> kind = meta.string(t & 7, "typeMeta.kind");
              default -> meta.skip(t & 7);
            }
          }
        }
        case 2 -> raw = in.bytes(wireType, "raw");
        case 3 -> contentEncoding = in.string(wireType, "contentEncoding");
        case 4 -> contentType = in.string(wireType, "contentType");
        default -> in.skip(wireType);
      }
    }
    if (!contentEncoding.isEmpty()) {
      throw new DecodeException("protobuf: unsupported content encoding \"" + contentEncoding + "\"");
    }
    if (kind.isEmpty()) {
      throw new DecodeException("Object 'Kind' is missing in protobuf envelope");
    }
    TypeSchema type = schema.typeForKind(apiVersion, kind).orElse(null);
    if (type == null) {
      throw new DecodeException("no kind \"" + kind + "\" is registered for version \"" + apiVersion + "\"");
    }
    ObjectNode tree = NODES.objectNode();
    tree.put("apiVersion", apiVersion);
    tree.put("kind", kind);
    if (!contentType.isEmpty() && !contentType.equals(MEDIA_TYPE)) {
      if (!contentType.startsWith("application/json")) {
        throw new DecodeException("protobuf: unsupported content type \"" + contentType + "\" in envelope");
      }
      JsonNode object = parseJson(raw, path.isEmpty() ? "raw" : path);
      if (!object.isObject()) {
        throw new DecodeException("protobuf: embedded JSON of " + kind + " is not an object");
      }
      object.fields().forEachRemaining(e -> {
        if (!e.getKey().equals("apiVersion") && !e.getKey().equals("kind")) {
          tree.set(e.getKey(), e.getValue());
        }
      });
      return tree;
    }
    if (!type.protobuf()) {
      throw new DecodeException("protobuf: " + kind + " has no protobuf encoding");
    }
    new Decoding(schema, unknown).message(new Reader(raw, 0, raw.length), type, tree, path, depth);
    return tree;
  }

  /** One decode call: the schema and the unknown fields found so far. */
  private final class Decoding {
    private final ApiSchema schema;
    private final List<String> unknown;

    Decoding(ApiSchema schema, List<String> unknown) {
      this.schema = schema;
      this.unknown = unknown;
    }

    void message(Reader in, TypeSchema type, ObjectNode target, String path, int depth) throws DecodeException {
      fields(in, layout(type), target, path, depth);
    }

    private void fields(Reader in, Layout layout, ObjectNode target, String path, int depth) throws DecodeException {
      if (depth > MAX_DEPTH) {
        throw new DecodeException("protobuf: objects nested deeper than " + MAX_DEPTH + " levels at " + display(path));
      }
      while (in.more()) {
        int tag = in.tag();
        int number = tag >>> 3;
        int wireType = tag & 7;
        Object slot = layout.slots.get(number);
        if (slot == null) {
          unknown.add(join(path, "#" + number));
          in.skip(wireType);
        } else if (slot instanceof Layout inline) {
          // A Go struct inlined in JSON: its fields belong to this JSON object.
          fields(in.message(wireType, join(path, "#" + number)), inline, target, path, depth + 1);
        } else {
          field(in, wireType, (FieldSchema) slot, target, path, depth);
        }
      }
    }

    private void field(Reader in, int wireType, FieldSchema f, ObjectNode target, String path, int depth)
        throws DecodeException {
      String where = join(path, f.name());
      switch (f.type()) {
        case TypeExpr.ListOf list -> {
          JsonNode existing = target.get(f.name());
          ArrayNode array = existing instanceof ArrayNode a ? a : target.putArray(f.name());
          if (wireType == LENGTH_DELIMITED && packable(list.element())) {
            Reader packed = in.message(wireType, where);
            while (packed.more()) {
              array.add(scalar(packed, scalarWireType(list.element()), (TypeExpr.Scalar) list.element(), f,
                  where + "[" + array.size() + "]", depth));
            }
          } else {
            array.add(value(in, wireType, list.element(), f, where + "[" + array.size() + "]", depth));
          }
        }
        case TypeExpr.MapOf map -> {
          JsonNode existing = target.get(f.name());
          ObjectNode object = existing instanceof ObjectNode o ? o : target.putObject(f.name());
          Reader entry = in.message(wireType, where);
          String key = "";
          JsonNode value = null;
          while (entry.more()) {
            int tag = entry.tag();
            switch (tag >>> 3) {
              case 1 -> key = entry.string(tag & 7, where);
              case 2 -> value = value(entry, tag & 7, map.value(), f, where + "[" + key + "]", depth + 1);
              default -> entry.skip(tag & 7);
            }
          }
          object.set(key, value != null ? value : zeroValue(map.value(), f));
        }
        case TypeExpr.Ref ref -> {
          // Repeated occurrences of a message field merge, as in protobuf.
          JsonNode existing = target.get(f.name());
          ObjectNode object = existing instanceof ObjectNode o ? o : target.putObject(f.name());
          message(in.message(wireType, where), type(ref.type(), where), object, where, depth + 1);
        }
        case TypeExpr.Scalar s -> {
          JsonNode value = value(in, wireType, s, f, where, depth);
          if (isZero(value, s) && !f.keepZero()) {
            // Upstream writes every non-pointer field; a zero there means "not set".
            target.remove(f.name());
          } else {
            target.set(f.name(), value);
          }
        }
      }
    }

    private JsonNode value(Reader in, int wireType, TypeExpr type, FieldSchema f, String where, int depth)
        throws DecodeException {
      return switch (type) {
        case TypeExpr.Ref ref -> {
          ObjectNode object = NODES.objectNode();
          message(in.message(wireType, where), type(ref.type(), where), object, where, depth + 1);
          yield object;
        }
        case TypeExpr.Scalar s -> scalar(in, wireType, s, f, where, depth);
        case TypeExpr.ListOf l -> throw new DecodeException("protobuf: " + display(where) + ": nested lists are not supported");
        case TypeExpr.MapOf m -> throw new DecodeException("protobuf: " + display(where) + ": nested maps are not supported");
      };
    }

    private JsonNode scalar(Reader in, int wireType, TypeExpr.Scalar s, FieldSchema f, String where, int depth)
        throws DecodeException {
      switch (s.name()) {
        case "string" -> {
          if ("date-time".equals(f.format())) {
            // Modelled as an RFC 3339 string; upstream's field is a metav1.Time message.
            return time(in.message(wireType, where), false, where);
          }
          return NODES.textNode(in.string(wireType, where));
        }
        case "bytes" -> {
          return NODES.textNode(Base64.getEncoder().encodeToString(in.bytes(wireType, where)));
        }
        case "boolean" -> {
          return NODES.booleanNode(in.varint(wireType, where) != 0);
        }
        case "int32" -> {
          return NODES.numberNode((int) in.varint(wireType, where));
        }
        case "int64" -> {
          long v = in.varint(wireType, where);
          // As a JSON parser would produce it: small numbers are ints.
          return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
        }
        case "double" -> {
          if (wireType == FIXED32) {
            return NODES.numberNode((double) Float.intBitsToFloat(in.fixed32()));
          }
          in.expect(wireType, FIXED64, where);
          return NODES.numberNode(Double.longBitsToDouble(in.fixed64()));
        }
        case "Quantity" -> {
          Reader q = in.message(wireType, where);
          String text = null;
          while (q.more()) {
            int tag = q.tag();
            if (tag >>> 3 == 1) {
              text = q.string(tag & 7, where);
            } else {
              q.skip(tag & 7);
            }
          }
          if (text == null) {
            return NODES.textNode("0");
          }
          try {
            return NODES.textNode(Quantity.parse(text).toString());
          } catch (IllegalArgumentException e) {
            throw new DecodeException("protobuf: " + display(where) + ": " + e.getMessage(), e);
          }
        }
        case "IntOrString" -> {
          Reader v = in.message(wireType, where);
          long kind = 0;
          long intVal = 0;
          String strVal = "";
          while (v.more()) {
            int tag = v.tag();
            switch (tag >>> 3) {
              case 1 -> kind = v.varint(tag & 7, where);
              case 2 -> intVal = v.varint(tag & 7, where);
              case 3 -> strVal = v.string(tag & 7, where);
              default -> v.skip(tag & 7);
            }
          }
          return kind == 1 ? NODES.textNode(strVal) : NODES.numberNode((int) intVal);
        }
        case "Time" -> {
          return time(in.message(wireType, where), false, where);
        }
        case "MicroTime" -> {
          return time(in.message(wireType, where), true, where);
        }
        case "Duration" -> {
          Reader d = in.message(wireType, where);
          long nanos = 0;
          while (d.more()) {
            int tag = d.tag();
            if (tag >>> 3 == 1) {
              nanos = d.varint(tag & 7, where);
            } else {
              d.skip(tag & 7);
            }
          }
          return NODES.textNode(GoDuration.format(nanos));
        }
        case "JSON" -> {
          Reader r = in.message(wireType, where);
          byte[] raw = new byte[0];
          while (r.more()) {
            int tag = r.tag();
            if (tag >>> 3 == 1) {
              raw = r.bytes(tag & 7, where);
            } else {
              r.skip(tag & 7);
            }
          }
          if (raw.length == 0) {
            return NODES.nullNode();
          }
          if (hasEnvelope(raw)) {
            // An object embedded in protobuf form (as in a protobuf watch event).
            return decodeEnvelope(raw, schema, where, unknown, depth + 1);
          }
          return parseJson(raw, where);
        }
        default -> throw new DecodeException("protobuf: " + display(where) + ": unsupported scalar " + s.name());
      }
    }

    private TypeSchema type(String name, String where) throws DecodeException {
      TypeSchema t = schema.type(name);
      if (t == null) {
        throw new DecodeException("protobuf: " + display(where) + ": unknown model type " + name);
      }
      return t;
    }
  }

  /** {@code metav1.Time}/{@code MicroTime}: an empty message is the zero time, JSON null. */
  private static JsonNode time(Reader in, boolean micros, String where) throws DecodeException {
    if (!in.more()) {
      return NODES.nullNode();
    }
    long seconds = 0;
    long nanos = 0;
    while (in.more()) {
      int tag = in.tag();
      switch (tag >>> 3) {
        case 1 -> seconds = in.varint(tag & 7, where);
        case 2 -> nanos = (int) in.varint(tag & 7, where);
        default -> in.skip(tag & 7);
      }
    }
    try {
      if (micros) {
        if (nanos < 0 || nanos > 999_999_999) {
          throw new DecodeException("protobuf: " + display(where) + ": nanos out of range: " + nanos);
        }
        return NODES.textNode(Times.formatMicros(Instant.ofEpochSecond(seconds, nanos)));
      }
      // Upstream keeps only the seconds of a Time.
      return NODES.textNode(Times.formatSeconds(Instant.ofEpochSecond(seconds)));
    } catch (DateTimeException | ArithmeticException e) {
      throw new DecodeException("protobuf: " + display(where) + ": time out of range: " + seconds + "s", e);
    }
  }

  private JsonNode parseJson(byte[] raw, String where) throws DecodeException {
    try {
      JsonNode node = json.readTree(raw);
      return node == null || node.isMissingNode() ? NODES.nullNode() : node;
    } catch (IOException e) {
      throw new DecodeException("protobuf: " + display(where) + ": embedded object is neither JSON nor protobuf: "
          + firstLine(e.getMessage()), e);
    }
  }

  private static boolean isZero(JsonNode value, TypeExpr.Scalar s) {
    return switch (s.name()) {
      case "string", "bytes" -> value.isTextual() && value.textValue().isEmpty();
      case "boolean" -> value.isBoolean() && !value.booleanValue();
      case "int32", "int64", "double" -> value.isNumber() && value.asDouble() == 0;
      default -> false;
    };
  }

  /** The value of a map entry without a value field. */
  private static JsonNode zeroValue(TypeExpr type, FieldSchema f) {
    if (type instanceof TypeExpr.Scalar s) {
      return switch (s.name()) {
        case "string" -> "date-time".equals(f.format()) ? NODES.nullNode() : NODES.textNode("");
        case "bytes" -> NODES.textNode("");
        case "boolean" -> NODES.booleanNode(false);
        case "int32", "int64" -> NODES.numberNode(0);
        case "double" -> NODES.numberNode(0.0);
        case "Quantity" -> NODES.textNode("0");
        case "IntOrString" -> NODES.numberNode(0);
        case "Duration" -> NODES.textNode("0s");
        default -> NODES.nullNode();
      };
    }
    return type instanceof TypeExpr.Ref ? NODES.objectNode() : NODES.nullNode();
  }

  private static boolean packable(TypeExpr element) {
    return element instanceof TypeExpr.Scalar s
        && switch (s.name()) {
          case "boolean", "int32", "int64", "double" -> true;
          default -> false;
        };
  }

  private static int scalarWireType(TypeExpr element) {
    return ((TypeExpr.Scalar) element).name().equals("double") ? FIXED64 : VARINT;
  }

  // ---------------------------------------------------------------- encoding

  private void encodeMessage(Writer out, ObjectNode obj, TypeSchema type, ApiSchema schema, String path) {
    encodeFields(out, obj, layout(type), schema, path);
  }

  private void encodeFields(Writer out, ObjectNode obj, Layout layout, ApiSchema schema, String path) {
    for (Map.Entry<Integer, Object> e : layout.slots.entrySet()) {
      int number = e.getKey();
      if (e.getValue() instanceof Layout inline) {
        Writer inner = new Writer();
        encodeFields(inner, obj, inline, schema, path);
        if (inner.size() > 0) {
          out.writeBytes(number, inner.toByteArray());
        }
        continue;
      }
      FieldSchema f = (FieldSchema) e.getValue();
      JsonNode value = obj.get(f.name());
      if (value == null) {
        continue;
      }
      String where = join(path, f.name());
      switch (f.type()) {
        case TypeExpr.ListOf list -> {
          if (value.isNull()) {
            continue;
          }
          if (!value.isArray()) {
            throw mismatch(where, "a list", value);
          }
          int i = 0;
          for (JsonNode item : value) {
            encodeValue(out, number, list.element(), f, item, schema, where + "[" + i++ + "]");
          }
        }
        case TypeExpr.MapOf map -> {
          if (value.isNull()) {
            continue;
          }
          if (!value.isObject()) {
            throw mismatch(where, "a map", value);
          }
          // Sorted keys, as upstream, so equal objects encode to equal bytes.
          List<String> keys = new ArrayList<>();
          value.fieldNames().forEachRemaining(keys::add);
          keys.sort(null);
          for (String key : keys) {
            Writer entry = new Writer();
            entry.writeString(1, key);
            JsonNode v = value.get(key);
            if (!v.isNull()) {
              encodeValue(entry, 2, map.value(), f, v, schema, where + "[" + key + "]");
            }
            out.writeBytes(number, entry.toByteArray());
          }
        }
        case TypeExpr.Scalar s -> {
          if (value.isNull()) {
            if (s.name().equals("Time") || s.name().equals("MicroTime")) {
              out.writeBytes(number, new byte[0]);
            }
            continue;
          }
          if (!f.keepZero() && isZero(value, s)) {
            continue;
          }
          encodeValue(out, number, s, f, value, schema, where);
        }
        case TypeExpr.Ref ref -> {
          if (!value.isNull()) {
            encodeValue(out, number, ref, f, value, schema, where);
          }
        }
      }
    }
  }

  private void encodeValue(Writer out, int number, TypeExpr type, FieldSchema f, JsonNode value, ApiSchema schema,
      String where) {
    switch (type) {
      case TypeExpr.Ref ref -> {
        if (!value.isObject()) {
          throw mismatch(where, "an object", value);
        }
        TypeSchema t = schema.type(ref.type());
        if (t == null) {
          throw new IllegalArgumentException("protobuf: " + display(where) + ": unknown model type " + ref.type());
        }
        Writer inner = new Writer();
        encodeMessage(inner, (ObjectNode) value, t, schema, where);
        out.writeBytes(number, inner.toByteArray());
      }
      case TypeExpr.Scalar s -> encodeScalar(out, number, s, f, value, where);
      default -> throw new IllegalArgumentException("protobuf: " + display(where) + ": nested collections are not supported");
    }
  }

  private void encodeScalar(Writer out, int number, TypeExpr.Scalar s, FieldSchema f, JsonNode value, String where) {
    switch (s.name()) {
      case "string" -> {
        if (!value.isTextual()) {
          throw mismatch(where, "a string", value);
        }
        if ("date-time".equals(f.format())) {
          out.writeBytes(number, timeMessage(value.textValue(), false, where));
        } else {
          out.writeString(number, value.textValue());
        }
      }
      case "bytes" -> {
        if (!value.isTextual()) {
          throw mismatch(where, "a base64 string", value);
        }
        try {
          out.writeBytes(number, Base64.getDecoder().decode(value.textValue()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("protobuf: " + display(where) + ": illegal base64 data", e);
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          throw mismatch(where, "a boolean", value);
        }
        out.writeVarint(number, value.booleanValue() ? 1 : 0);
      }
      case "int32", "int64" -> {
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
          throw mismatch(where, "an integer", value);
        }
        long v = value.longValue();
        if (s.name().equals("int32") && v != (int) v) {
          throw new IllegalArgumentException("protobuf: " + display(where) + ": " + v + " does not fit an int32");
        }
        out.writeVarint(number, v);
      }
      case "double" -> {
        if (!value.isNumber()) {
          throw mismatch(where, "a number", value);
        }
        out.writeFixed64(number, Double.doubleToLongBits(value.doubleValue()));
      }
      case "Quantity" -> {
        String text;
        if (value.isTextual()) {
          text = value.textValue();
        } else if (value.isNumber()) {
          text = value.decimalValue().toPlainString();
        } else {
          throw mismatch(where, "a quantity", value);
        }
        Writer q = new Writer();
        try {
          q.writeString(1, Quantity.parse(text).toString());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("protobuf: " + display(where) + ": " + e.getMessage(), e);
        }
        out.writeBytes(number, q.toByteArray());
      }
      case "IntOrString" -> {
        // All three fields, as upstream writes them.
        Writer v = new Writer();
        if (value.isIntegralNumber()) {
          v.writeVarint(1, 0);
          v.writeVarint(2, value.intValue());
          v.writeString(3, "");
        } else if (value.isTextual()) {
          v.writeVarint(1, 1);
          v.writeVarint(2, 0);
          v.writeString(3, value.textValue());
        } else {
          throw mismatch(where, "an integer or a string", value);
        }
        out.writeBytes(number, v.toByteArray());
      }
      case "Time", "MicroTime" -> {
        if (!value.isTextual()) {
          throw mismatch(where, "an RFC 3339 time", value);
        }
        out.writeBytes(number, timeMessage(value.textValue(), s.name().equals("MicroTime"), where));
      }
      case "Duration" -> {
        if (!value.isTextual()) {
          throw mismatch(where, "a duration", value);
        }
        Writer d = new Writer();
        d.writeVarint(1, GoDuration.parse(value.textValue(), where));
        out.writeBytes(number, d.toByteArray());
      }
      case "JSON" -> {
        Writer r = new Writer();
        try {
          r.writeBytes(1, json.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException("protobuf: " + display(where) + ": " + e.getOriginalMessage(), e);
        }
        out.writeBytes(number, r.toByteArray());
      }
      default -> throw new IllegalArgumentException("protobuf: " + display(where) + ": unsupported scalar " + s.name());
    }
  }

  private static byte[] timeMessage(String text, boolean micros, String where) {
    Instant t;
    try {
      t = Times.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("protobuf: " + display(where) + ": not an RFC 3339 time: " + text, e);
    }
    Writer w = new Writer();
    w.writeVarint(1, t.getEpochSecond());
    // Upstream drops the fraction of a Time; a MicroTime keeps microseconds.
    w.writeVarint(2, micros ? (t.getNano() / 1000) * 1000 : 0);
    return w.toByteArray();
  }

  private static IllegalArgumentException mismatch(String where, String expected, JsonNode value) {
    return new IllegalArgumentException("protobuf: " + display(where) + ": expected " + expected + ", got "
        + value.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
  }

  // ---------------------------------------------------------------- layouts

  /**
   * A message's fields by number: a {@link FieldSchema}, or a nested {@code Layout} for a Go
   * struct that JSON inlines but protobuf keeps as a message of its own.
   */
  private static final class Layout {
    final TreeMap<Integer, Object> slots = new TreeMap<>();
  }

  private Layout layout(TypeSchema type) {
    Layout cached = layouts.get(type);
    if (cached != null) {
      return cached;
    }
    Layout root = new Layout();
    for (FieldSchema f : type.fields()) {
      if (!f.hasProto()) {
        continue;
      }
      Layout at = root;
      for (int outer : f.protoInline()) {
        Object slot = at.slots.computeIfAbsent(outer, n -> new Layout());
        if (!(slot instanceof Layout nested)) {
          throw new IllegalStateException(type.name() + ": protobuf field " + outer + " is both a field and inlined");
        }
        at = nested;
      }
      Object previous = at.slots.put(f.protoNumber(), f);
      if (previous != null) {
        throw new IllegalStateException(type.name() + ": protobuf field " + f.protoNumber() + " is used twice");
      }
    }
    Layout raced = layouts.putIfAbsent(type, root);
    return raced != null ? raced : root;
  }

  // ---------------------------------------------------------------- wire format

  /** Reads protobuf wire format from a slice of a byte array. */
  private static final class Reader {
    private final byte[] buf;
    private int pos;
    private final int limit;

    Reader(byte[] buf, int pos, int limit) {
      this.buf = buf;
      this.pos = pos;
      this.limit = limit;
    }

    boolean more() {
      return pos < limit;
    }

    int tag() throws DecodeException {
      long key = rawVarint();
      if (key >>> 3 == 0 || key >>> 3 > 536_870_911) {
        throw new DecodeException("protobuf: illegal field number " + (key >>> 3));
      }
      return (int) key;
    }

    private long rawVarint() throws DecodeException {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= limit) {
          throw new DecodeException("protobuf: unexpected end of data in a varint");
        }
        byte b = buf[pos++];
        result |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return result;
        }
      }
      throw new DecodeException("protobuf: varint longer than 10 bytes");
    }

    void expect(int wireType, int wanted, String where) throws DecodeException {
      if (wireType != wanted) {
        throw new DecodeException("protobuf: " + display(where) + ": wire type " + wireType + ", want " + wanted);
      }
    }

    long varint(int wireType, String where) throws DecodeException {
      expect(wireType, VARINT, where);
      return rawVarint();
    }

    int fixed32() throws DecodeException {
      need(4);
      int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
      pos += 4;
      return v;
    }

    long fixed64() throws DecodeException {
      long lo = fixed32() & 0xffffffffL;
      long hi = fixed32() & 0xffffffffL;
      return lo | hi << 32;
    }

    private void need(int n) throws DecodeException {
      if (n < 0 || limit - pos < n) {
        throw new DecodeException("protobuf: unexpected end of data");
      }
    }

    private int length(int wireType, String where) throws DecodeException {
      expect(wireType, LENGTH_DELIMITED, where);
      long n = rawVarint();
      if (n < 0 || n > limit - pos) {
        throw new DecodeException("protobuf: " + display(where) + ": length " + n + " exceeds the remaining "
            + (limit - pos) + " bytes");
      }
      return (int) n;
    }

    Reader message(int wireType, String where) throws DecodeException {
      int n = length(wireType, where);
      Reader r = new Reader(buf, pos, pos + n);
      pos += n;
      return r;
    }

    byte[] bytes(int wireType, String where) throws DecodeException {
      int n = length(wireType, where);
      byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return out;
    }

    String string(int wireType, String where) throws DecodeException {
      int n = length(wireType, where);
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    void skip(int wireType) throws DecodeException {
      switch (wireType) {
        case VARINT -> rawVarint();
        case FIXED64 -> {
          need(8);
          pos += 8;
        }
        case LENGTH_DELIMITED -> {
          long n = rawVarint();
          if (n < 0 || n > limit - pos) {
            throw new DecodeException("protobuf: unexpected end of data");
          }
          pos += (int) n;
        }
        case START_GROUP -> {
          while (true) {
            if (!more()) {
              throw new DecodeException("protobuf: unterminated group");
            }
            int tag = tag();
            if ((tag & 7) == END_GROUP) {
              return;
            }
            skip(tag & 7);
          }
        }
        case FIXED32 -> {
          need(4);
          pos += 4;
        }
        default -> throw new DecodeException("protobuf: illegal wire type " + wireType);
      }
    }
  }

  /** Writes protobuf wire format into a growing array. */
  private static final class Writer {
    private byte[] buf = new byte[64];
    private int size;

    int size() {
      return size;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }

    private void ensure(int n) {
      if (size + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
      }
    }

    private void rawVarint(long v) {
      ensure(10);
      while ((v & ~0x7fL) != 0) {
        buf[size++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    private void tag(int number, int wireType) {
      rawVarint((long) number << 3 | wireType);
    }

    void writeVarint(int number, long v) {
      tag(number, VARINT);
      rawVarint(v);
    }

    void writeFixed64(int number, long v) {
      tag(number, FIXED64);
      ensure(8);
      for (int i = 0; i < 8; i++) {
        buf[size++] = (byte) (v >>> (8 * i));
      }
    }

    void writeBytes(int number, byte[] bytes) {
      tag(number, LENGTH_DELIMITED);
      rawVarint(bytes.length);
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, size, bytes.length);
      size += bytes.length;
    }

    void writeString(int number, String s) {
      writeBytes(number, s.getBytes(StandardCharsets.UTF_8));
    }
  }

  // ---------------------------------------------------------------- helpers

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static String display(String path) {
    return path.isEmpty() ? "(root)" : path;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
