package io.bosun.apiserver.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.codec.DecodeException;
import io.bosun.api.codec.Decoded;
import io.bosun.api.codec.ProtobufCodec;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.defaulting.Defaulter;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.validation.FieldError;
import io.bosun.api.validation.Validator;
import io.bosun.apiserver.http.MediaTypes;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.status.ApiException;
import java.util.List;

/**
 * The steps every write shares: parse the body, check its type, decode it into the model
 * (reporting unknown fields per {@code fieldValidation}), apply defaults, and validate. Objects
 * travel as JSON trees between steps; decoding through the model class drops unknown fields and
 * canonicalizes values exactly as upstream's typed decoding does.
 */
final class ObjectPipeline {

  private final ApiCodec codec;
  private final ProtobufCodec protobuf = new ProtobufCodec();
  private final ApiSchema schema;
  private final Defaulter defaulter;
  private final Validator validator;

  ObjectPipeline(ApiCodec codec, ApiSchema schema, Defaulter defaulter, Validator validator) {
    this.codec = codec;
    this.schema = schema;
    this.defaulter = defaulter;
    this.validator = validator;
  }

  ApiCodec codec() {
    return codec;
  }

  /** Reads the request body as a JSON object tree. */
  ObjectNode readBody(Call call) {
    String contentType = call.exchange().contentType();
    if (!MediaTypes.isReadable(contentType)) {
      throw ApiException.unsupportedMediaType("the body of the request was in an unknown format - accepted media "
          + "types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");
    }
    byte[] body = call.exchange().body();
    JsonNode tree;
    try {
      if (MediaTypes.isProtobuf(contentType)) {
        // kubectl's generator commands (create deployment, run, ...) send protobuf bodies.
        Decoded<JsonNode> decoded = protobuf.decodeReporting(body, schema);
        // Upstream drops unknown protobuf fields even under strict validation: warn only.
        decoded.unknownFields().forEach(f -> call.exchange().warn("unknown field \"" + f + "\""));
        tree = decoded.value();
      } else {
        tree = codec.parse(body, MediaTypes.isYaml(contentType),
            call.fieldValidation() == Call.FieldValidation.STRICT);
      }
    } catch (DecodeException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (!(tree instanceof ObjectNode obj)) {
      throw ApiException.badRequest("Object 'Kind' is missing in '" + tree + "'");
    }
    return obj;
  }

  /** Parses a small body (DeleteOptions) in any of the accepted encodings. */
  JsonNode parseOptions(byte[] body, String contentType) throws DecodeException {
    if (MediaTypes.isProtobuf(contentType)) {
      return protobuf.decode(body, schema);
    }
    return codec.parse(body, MediaTypes.isYaml(contentType), false);
  }

  /**
   * Checks {@code apiVersion} and {@code kind} of a body against the endpoint, filling them in
   * when absent as upstream's decoder does with its default group-version-kind.
   */
  void checkTypeMeta(ObjectNode obj, String expectedApiVersion, String expectedKind) {
    JsonNode kind = obj.get("kind");
    JsonNode apiVersion = obj.get("apiVersion");
    if (kind != null && !kind.isTextual() || apiVersion != null && !apiVersion.isTextual()) {
      throw ApiException.badRequest("Object 'Kind' is missing in '" + abbreviate(obj.toString()) + "'");
    }
    if (kind != null && !kind.asText().isEmpty() && !kind.asText().equals(expectedKind)) {
      throw ApiException.badRequest("the object provided is unrecognized (must be of type " + expectedKind + "): "
          + "kind " + kind.asText() + " does not match the expected kind " + expectedKind);
    }
    if (apiVersion != null && !apiVersion.asText().isEmpty() && !apiVersion.asText().equals(expectedApiVersion)) {
      throw ApiException.badRequest("the API version in the data (" + apiVersion.asText()
          + ") does not match the expected API version (" + expectedApiVersion + ")");
    }
    obj.put("apiVersion", expectedApiVersion);
    obj.put("kind", expectedKind);
  }

  /**
   * Decodes a tree through the model and applies defaults, returning the canonical tree.
   * Unknown fields become warnings, or a 400 under strict field validation.
   */
  ObjectNode decodeAndDefault(Call call, ResourceType type, ObjectNode tree) {
    KubernetesObject typed = decode(call, type, tree);
    defaulter.apply(typed);
    return (ObjectNode) codec.toTree(typed);
  }

  /**
   * Kind-specific create steps that need the typed object and the new uid: a Job gets its
   * controller-uid selector and template labels, as upstream's Job strategy does.
   */
  ObjectNode completeCreate(ResourceType type, ObjectNode obj) {
    if (type.group().equals("batch") && type.kind().equals("Job")) {
      io.bosun.api.batch.v1.Job job = codec.fromTree(obj, io.bosun.api.batch.v1.Job.class);
      defaulter.generateJobSelector(job);
      return (ObjectNode) codec.toTree(job);
    }
    return obj;
  }

  /** Decodes without defaulting (for objects that are already stored). */
  KubernetesObject decode(Call call, ResourceType type, ObjectNode tree) {
    Decoded<?> decoded;
    try {
      decoded = codec.convert(tree, type.javaClass());
    } catch (DecodeException e) {
      throw ApiException.badRequest(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
          + type.kind() + ": " + e.getMessage());
    }
    reportUnknown(call, type, decoded.unknownFields());
    return (KubernetesObject) decoded.value();
  }

  /** Unknown fields become warnings, or a 400 under strict field validation, as upstream. */
  private static void reportUnknown(Call call, ResourceType type, List<String> unknown) {
    if (!unknown.isEmpty() && call != null) {
      switch (call.fieldValidation()) {
        case STRICT -> throw ApiException.badRequest(type.kind() + " in version \"" + type.version()
            + "\" cannot be handled as a " + type.kind() + ": strict decoding error: "
            + String.join(", ", unknown.stream().map(f -> "unknown field \"" + f + "\"").toList()));
        case WARN -> unknown.forEach(f -> call.exchange().warn("unknown field \"" + f + "\""));
        case IGNORE -> { }
      }
    }
  }

  /** Validates a new object; 422 when invalid. */
  void validateCreate(ResourceType type, ObjectNode obj) {
    report(type, obj, validator.validateCreate(typed(type, obj)));
  }

  /** Validates an update; 422 when invalid. */
  void validateUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    report(type, obj, validator.validateUpdate(typed(type, obj), typed(type, old)));
  }

  /** Validates a status update; 422 when invalid. */
  void validateStatusUpdate(ResourceType type, ObjectNode obj, ObjectNode old) {
    report(type, obj, validator.validateStatusUpdate(typed(type, obj), typed(type, old)));
  }

  private KubernetesObject typed(ResourceType type, ObjectNode obj) {
    return (KubernetesObject) codec.fromTree(obj, type.javaClass());
  }

  private static void report(ResourceType type, ObjectNode obj, List<FieldError> errors) {
    if (!errors.isEmpty()) {
      throw ApiException.invalid(type.kind(), type.group(), obj.path("metadata").path("name").asText(""), errors);
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
