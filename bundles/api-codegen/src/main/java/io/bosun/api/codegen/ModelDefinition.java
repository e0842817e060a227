package io.bosun.api.codegen;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * One model file: the types of one API group version, as written by hand in
 * {@code src/main/model/*.yaml}. Field order in the file is the JSON field order.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public final class ModelDefinition {

  /** API group; empty for the core group. */
  public String group = "";
  public String version;
  /** Java package of the generated classes. */
  @JsonProperty("package")
  public String javaPackage;
  /** Prefix of the upstream OpenAPI definition names, e.g. {@code io.k8s.api.core.v1}. */
  public String openapiPrefix;
  public LinkedHashMap<String, TypeDefinition> types = new LinkedHashMap<>();

  /** The group/version string as it appears in {@code apiVersion}. */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** A struct type; {@link #kind} set means it is a top-level resource with a list type. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class TypeDefinition {
    public String doc = "";
    public KindDefinition kind;
    /**
     * For types that carry {@code apiVersion} and {@code kind} without being served resources
     * (Status, Table, ...): the {@code apiVersion} they are written with.
     */
    public String typeMeta;
    /**
     * False for the few types upstream marks {@code +protobuf=false} (Table and its parts): they
     * have no protobuf form, so their fields carry no field numbers.
     */
    public boolean protobuf = true;
    public LinkedHashMap<String, FieldDefinition> fields = new LinkedHashMap<>();
  }

  /** Where and how a kind is served. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class KindDefinition {
    public String plural;
    public boolean namespaced = true;
    public List<String> shortNames = new ArrayList<>();
    public List<String> categories = new ArrayList<>();
    /** Subresources such as {@code status} or {@code scale}. */
    public List<String> subresources = new ArrayList<>();
    /** Verbs served; the full set when empty. */
    public List<String> verbs = new ArrayList<>();
    /** Whether the kind has a list type; true for every served kind. */
    public boolean list = true;
  }

  /** A field; written either as a bare type expression or as a mapping. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  @JsonDeserialize(using = FieldDefinition.Reader.class)
  public static final class FieldDefinition {
    public String type;
    public String doc = "";
    public boolean required;
    public String patchMergeKey;
    public String patchStrategy;
    public String listType;
    public List<String> listMapKeys = new ArrayList<>();
    public List<String> enumValues = new ArrayList<>();
    /** Written even when null, like upstream fields without {@code omitempty}. */
    public boolean always;
    public String format;
    /**
     * Where the field sits in upstream's protobuf message ({@code generated.proto}): its field
     * number, or for a field of a Go struct upstream inlines in JSON ({@code json:",inline"}) but
     * nests in protobuf, the path of numbers from the outer message down, e.g. {@code [2, 19]} for
     * {@code Volume.configMap} (field 19 of the {@code VolumeSource} message at field 2). Null when
     * not given.
     */
    public List<Integer> proto;
    /**
     * For scalars: a zero value ({@code ""}, {@code 0}, {@code false}) is meaningful, because
     * upstream's Go field is a pointer (set versus unset) or is serialized without
     * {@code omitempty}. Upstream's protobuf encoder writes every non-pointer field, so for other
     * scalars a zero on the wire only means "unset" and the decoder drops it, as upstream's JSON
     * encoder does.
     */
    public boolean keepZero;

    static final class Reader extends JsonDeserializer<FieldDefinition> {
      @Override
      public FieldDefinition deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonNode node = p.getCodec().readTree(p);
        FieldDefinition f = new FieldDefinition();
        if (node.isTextual()) {
          f.type = node.asText();
          return f;
        }
        var it = node.fields();
        while (it.hasNext()) {
          var e = it.next();
          JsonNode v = e.getValue();
          switch (e.getKey()) {
            case "type" -> f.type = v.asText();
            case "doc" -> f.doc = v.asText();
            case "required" -> f.required = v.asBoolean();
            case "patchMergeKey" -> f.patchMergeKey = v.asText();
            case "patchStrategy" -> f.patchStrategy = v.asText();
            case "listType" -> f.listType = v.asText();
            case "listMapKeys" -> v.forEach(k -> f.listMapKeys.add(k.asText()));
            case "enum" -> v.forEach(k -> f.enumValues.add(k.asText()));
            case "always" -> f.always = v.asBoolean();
            case "format" -> f.format = v.asText();
            case "proto" -> f.proto = protoPath(v, ctxt);
            case "keepZero" -> f.keepZero = v.asBoolean();
            default -> throw ctxt.weirdKeyException(FieldDefinition.class, e.getKey(), "unknown field option");
          }
        }
        if (f.type == null) {
          throw ctxt.weirdStringException("", FieldDefinition.class, "field needs a type");
        }
        return f;
      }

      /** {@code proto: 3} or {@code proto: [2, 19]}; numbers must be valid protobuf field numbers. */
      private static List<Integer> protoPath(JsonNode v, DeserializationContext ctxt) throws IOException {
        List<Integer> path = new ArrayList<>();
        if (v.isInt()) {
          path.add(v.asInt());
        } else if (v.isArray() && !v.isEmpty()) {
          for (JsonNode n : v) {
            if (!n.isInt()) {
              throw ctxt.weirdStringException(v.toString(), FieldDefinition.class, "proto path must hold numbers");
            }
            path.add(n.asInt());
          }
        } else {
          throw ctxt.weirdStringException(v.toString(), FieldDefinition.class,
              "proto must be a field number or a list of field numbers");
        }
        for (int n : path) {
          if (n < 1 || n > 536_870_911 || (n >= 19_000 && n <= 19_999)) {
            throw ctxt.weirdStringException(v.toString(), FieldDefinition.class, "invalid protobuf field number " + n);
          }
        }
        return List.copyOf(path);
      }
    }
  }
}
