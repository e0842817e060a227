package io.bosun.api.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Encodes and decodes API objects as JSON and YAML, the way upstream's serializers behave:
 * unknown fields are collected (not silently lost), duplicate fields are detected on request,
 * and type mismatches produce messages naming the field. Instances are thread-safe and cheap to
 * share; each component creates its own.
 */
public final class ApiCodec {

  private final ObjectMapper json;
  private final ObjectMapper strictJson;
  private final ObjectMapper yaml;
  private final ObjectMapper strictYaml;

  public ApiCodec() {
    json = JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .build();
    strictJson = json.copy().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    yaml = YAMLMapper.builder(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build())
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build();
    strictYaml = yaml.copy().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
  }

  /** The JSON mapper, configured for the model; unknown fields are ignored by it. */
  public ObjectMapper mapper() {
    return json;
  }

  /**
   * Parses a JSON (or, with {@code yaml}, YAML) document into a tree.
   *
   * @param rejectDuplicates fail on a field given twice in one object (strict field validation)
   */
  public JsonNode parse(byte[] body, boolean yaml, boolean rejectDuplicates) throws DecodeException {
    ObjectMapper mapper = yaml ? (rejectDuplicates ? strictYaml : this.yaml) : (rejectDuplicates ? strictJson : json);
    try {
      JsonNode node = mapper.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw new DecodeException("Object 'Kind' is missing in '" + preview(body) + "'");
      }
      return node;
    } catch (JsonProcessingException e) {
      String message = e.getOriginalMessage();
      if (message != null && message.startsWith("Duplicate field")) {
        throw new DecodeException("strict decoding error: duplicate field " + duplicateName(message), e);
      }
      throw new DecodeException((yaml ? "error converting YAML to JSON: " : "invalid JSON: ")
          + firstLine(message), e);
    } catch (IOException e) {
      throw new DecodeException("unable to read the request body: " + e.getMessage(), e);
    }
  }

  /**
   * Converts a tree into a model object, collecting fields the model does not declare.
   *
   * @throws DecodeException when a value has the wrong type for its field
   */
  public <T> Decoded<T> convert(JsonNode tree, Class<T> type) throws DecodeException {
    UnknownFieldCollector unknown = new UnknownFieldCollector();
    try {
      T value = json.readerFor(type).withHandler(unknown).readValue(json.treeAsTokens(tree));
      return new Decoded<>(value, unknown.fields);
    } catch (MismatchedInputException e) {
      throw new DecodeException("json: cannot unmarshal " + describe(tree, e) + " into Go struct field "
          + path(e) + " of type " + simpleType(e.getTargetType()), e);
    } catch (JsonMappingException e) {
      throw new DecodeException("json: cannot decode field " + path(e) + ": " + firstLine(e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new DecodeException("unable to decode object: " + firstLine(e.getMessage()), e);
    }
  }

  /**
   * Turns a model object into a tree, in the same canonical form as parsing its JSON would give:
   * whole numbers that fit an int become int nodes (a {@code Long} field would otherwise become a
   * long node, and trees compare node types, so an unchanged object would look changed).
   */
  public JsonNode toTree(Object value) {
    return canonical(json.valueToTree(value));
  }

  private static JsonNode canonical(JsonNode node) {
    if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode obj) {
      obj.fields().forEachRemaining(e -> {
        JsonNode c = canonical(e.getValue());
        if (c != e.getValue()) {
          e.setValue(c);
        }
      });
      return obj;
    }
    if (node instanceof com.fasterxml.jackson.databind.node.ArrayNode arr) {
      for (int i = 0; i < arr.size(); i++) {
        JsonNode c = canonical(arr.get(i));
        if (c != arr.get(i)) {
          arr.set(i, c);
        }
      }
      return arr;
    }
    if (node instanceof com.fasterxml.jackson.databind.node.LongNode l && l.canConvertToInt()) {
      return com.fasterxml.jackson.databind.node.IntNode.valueOf(l.intValue());
    }
    return node;
  }

  /** Turns a tree into a model object, ignoring unknown fields; for trees this server built. */
  public <T> T fromTree(JsonNode tree, Class<T> type) {
    try {
      return json.treeToValue(tree, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot convert to " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }

  /** Reads stored or trusted JSON bytes, ignoring unknown fields. */
  public <T> T read(byte[] jsonBytes, Class<T> type) {
    try {
      return json.readValue(jsonBytes, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public byte[] writeJson(Object value) {
    try {
      return json.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public byte[] writeYaml(Object value) {
    try {
      return yaml.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Collects unknown fields instead of failing, skipping their values. */
  private static final class UnknownFieldCollector extends DeserializationProblemHandler {
    final List<String> fields = new ArrayList<>();

    @Override
    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
        Object beanOrClass, String propertyName) throws IOException {
      fields.add(contextPath(p.getParsingContext()));
      p.skipChildren();
      return true;
    }
  }

  /** Upstream's field path notation: {@code spec.containers[0].name}. */
  static String contextPath(JsonStreamContext context) {
    Deque<String> parts = new ArrayDeque<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inArray()) {
        parts.push("[" + Math.max(c.getCurrentIndex(), 0) + "]");
      } else if (c.getCurrentName() != null) {
        parts.push("." + c.getCurrentName());
      }
    }
    String path = String.join("", parts);
    return path.startsWith(".") ? path.substring(1) : path;
  }

  private static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        b.append('.').append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.length() > 0 && b.charAt(0) == '.' ? b.substring(1) : b.toString();
  }

  private static String describe(JsonNode tree, MismatchedInputException e) {
    JsonNode node = tree;
    for (JsonMappingException.Reference r : e.getPath()) {
      if (node == null) {
        break;
      }
      node = r.getFieldName() != null ? node.get(r.getFieldName()) : node.get(r.getIndex());
    }
    if (node == null) {
      return "value";
    }
    JsonNodeType t = node.getNodeType();
    return switch (t) {
      case STRING -> "string";
      case NUMBER -> "number";
      case BOOLEAN -> "bool";
      case ARRAY -> "array";
      case OBJECT -> "object";
      case NULL -> "null";
      default -> "value";
    };
  }

  private static String simpleType(Class<?> type) {
    if (type == null) {
      return "unknown";
    }
    if (type == Integer.class || type == int.class) {
      return "int32";
    }
    if (type == Long.class || type == long.class) {
      return "int64";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "bool";
    }
    if (type == String.class) {
      return "string";
    }
    if (java.util.List.class.isAssignableFrom(type)) {
      return "array";
    }
    if (java.util.Map.class.isAssignableFrom(type)) {
      return "map[string]";
    }
    return type.getSimpleName();
  }

  private static String duplicateName(String message) {
    int start = message.indexOf('\'');
    int end = message.indexOf('\'', start + 1);
    return start >= 0 && end > start ? "\"" + message.substring(start + 1, end) + "\"" : message;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  private static String preview(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 80), java.nio.charset.StandardCharsets.UTF_8);
    return s.strip();
  }
}
