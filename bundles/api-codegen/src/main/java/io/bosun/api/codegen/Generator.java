package io.bosun.api.codegen;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.bosun.api.codegen.ModelDefinition.FieldDefinition;
import io.bosun.api.codegen.ModelDefinition.KindDefinition;
import io.bosun.api.codegen.ModelDefinition.TypeDefinition;
import io.bosun.api.codegen.TypeRef.ListOf;
import io.bosun.api.codegen.TypeRef.MapOf;
import io.bosun.api.codegen.TypeRef.Named;
import io.bosun.api.codegen.TypeRef.Scalar;
import io.bosun.api.codegen.TypeRef.ScalarType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Generates the API model: one Java class per type (plus a list class per kind) and one schema
 * document that the API server reads for OpenAPI, strategic merge patch, discovery and the
 * protobuf encoding (each field's upstream field number). The model files are the single source of
 * truth, so the Java classes and the published schema cannot disagree.
 *
 * <p>Usage: {@code Generator <model dir> <java output dir> <schema output file>}.
 */
public final class Generator {

  private static final Set<String> JAVA_KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte",
      "case", "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum",
      "extends", "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
      "interface", "long", "native", "new", "package", "private", "protected", "public", "return", "short",
      "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
      "void", "volatile", "while", "record", "var", "yield");

  private static final String META_PACKAGE = "io.bosun.api.meta.v1";

  /** A type together with the file that declares it. */
  record Declared(String name, TypeDefinition type, ModelDefinition model) {
    String javaName() {
      return model.javaPackage + "." + name;
    }

    String openapiName() {
      return model.openapiPrefix + "." + name;
    }
  }

  private final Map<String, Declared> types = new TreeMap<>();
  private final List<ModelDefinition> models = new ArrayList<>();

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: Generator <model dir> <java output dir> <schema output file>");
    }
    Generator generator = new Generator();
    generator.load(Path.of(args[0]));
    generator.writeJava(Path.of(args[1]));
    generator.writeSchema(Path.of(args[2]));
  }

  void load(Path modelDir) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    List<Path> files;
    try (Stream<Path> s = Files.list(modelDir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    for (Path file : files) {
      ModelDefinition model = yaml.readValue(file.toFile(), ModelDefinition.class);
      if (model.javaPackage == null || model.version == null || model.openapiPrefix == null) {
        throw new IllegalArgumentException(file + ": package, version and openapiPrefix are required");
      }
      models.add(model);
      for (var e : model.types.entrySet()) {
        Declared previous = types.put(e.getKey(), new Declared(e.getKey(), e.getValue(), model));
        if (previous != null) {
          throw new IllegalArgumentException(file + ": type " + e.getKey() + " is declared twice");
        }
        if (e.getValue().kind != null) {
          addListType(e.getKey(), model);
        }
      }
    }
    checkReferences();
    checkProtobuf();
  }

  /** Every kind gets {@code <Kind>List} with list metadata and items, as upstream. */
  private void addListType(String kind, ModelDefinition model) {
    TypeDefinition list = new TypeDefinition();
    list.doc = kind + "List is a list of " + kind + " objects.";
    FieldDefinition metadata = new FieldDefinition();
    metadata.type = "ListMeta";
    metadata.doc = "Standard list metadata.";
    metadata.proto = List.of(1);
    FieldDefinition items = new FieldDefinition();
    items.type = "[]" + kind;
    items.required = true;
    items.always = true;
    items.doc = "The list of " + kind + " objects.";
    items.proto = List.of(2);
    list.fields.put("metadata", metadata);
    list.fields.put("items", items);
    types.put(kind + "List", new Declared(kind + "List", list, model));
  }

  private void checkReferences() {
    for (Declared d : types.values()) {
      for (var f : d.type.fields.entrySet()) {
        TypeRef ref = TypeRef.parse(f.getValue().type);
        String missing = firstUnknown(ref);
        if (missing != null) {
          throw new IllegalArgumentException(d.name + "." + f.getKey() + ": unknown type " + missing);
        }
        if (f.getValue().patchMergeKey != null && !(ref instanceof ListOf)) {
          throw new IllegalArgumentException(d.name + "." + f.getKey() + ": patchMergeKey on a non-list");
        }
      }
    }
  }

  /**
   * Every field of every type with a protobuf form must say where it sits in upstream's message,
   * so a field added to the model cannot silently vanish from protobuf requests. The only fields
   * without numbers are {@code apiVersion} and {@code kind} of top-level objects, which this
   * generator adds and which protobuf carries in the {@code runtime.Unknown} envelope instead,
   * and the fields of types upstream declares {@code +protobuf=false} ({@code protobuf: false}).
   */
  private void checkProtobuf() {
    List<String> errors = new ArrayList<>();
    for (Declared d : types.values()) {
      Map<Integer, String> direct = new TreeMap<>();
      Map<Integer, String> inlineOuter = new TreeMap<>();
      Map<List<Integer>, String> paths = new LinkedHashMap<>();
      for (var f : d.type.fields.entrySet()) {
        String where = d.name + "." + f.getKey();
        FieldDefinition def = f.getValue();
        TypeRef ref = TypeRef.parse(def.type);
        if (def.keepZero && !(ref instanceof Scalar s && isPlainScalar(s.scalar()))) {
          errors.add(where + ": keepZero applies to string, bytes, boolean and number fields only");
        }
        if (!d.type.protobuf) {
          if (def.proto != null) {
            errors.add(where + ": a type with protobuf: false has no field numbers");
          }
          continue;
        }
        if (def.proto == null) {
          errors.add(where + ": missing protobuf field number (proto: N, from upstream's generated.proto)");
          continue;
        }
        String named = namedIn(ref);
        if (named != null && !types.get(named).type.protobuf) {
          errors.add(where + ": refers to " + named + ", which has no protobuf form");
        }
        String previous = paths.put(def.proto, f.getKey());
        if (previous != null) {
          errors.add(where + ": protobuf path " + def.proto + " is also used by " + previous);
        }
        int outer = def.proto.get(0);
        if (def.proto.size() == 1) {
          previous = direct.put(outer, f.getKey());
          if (previous != null) {
            errors.add(where + ": protobuf field " + outer + " is also used by " + previous);
          }
        } else {
          inlineOuter.putIfAbsent(outer, f.getKey());
        }
      }
      for (var e : inlineOuter.entrySet()) {
        if (direct.containsKey(e.getKey())) {
          errors.add(d.name + ": protobuf field " + e.getKey() + " is both " + direct.get(e.getKey())
              + " and the inlined message holding " + e.getValue());
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("protobuf field numbers:\n  " + String.join("\n  ", errors));
    }
  }

  private static boolean isPlainScalar(ScalarType s) {
    return switch (s) {
      case STRING, BYTES, BOOLEAN, INT32, INT64, DOUBLE -> true;
      default -> false;
    };
  }

  private static String namedIn(TypeRef ref) {
    return switch (ref) {
      case Scalar s -> null;
      case Named n -> n.name();
      case ListOf l -> namedIn(l.element());
      case MapOf m -> namedIn(m.value());
    };
  }

  private String firstUnknown(TypeRef ref) {
    return switch (ref) {
      case Scalar s -> null;
      case Named n -> types.containsKey(n.name()) ? null : n.name();
      case ListOf l -> firstUnknown(l.element());
      case MapOf m -> firstUnknown(m.value());
    };
  }

  // ---------------------------------------------------------------- Java

  void writeJava(Path outDir) throws IOException {
    // Start clean so a type removed from the model does not linger as a stale class.
    if (Files.exists(outDir)) {
      try (Stream<Path> s = Files.walk(outDir)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    for (Declared d : types.values()) {
      Path file = outDir.resolve(d.model.javaPackage.replace('.', '/')).resolve(d.name + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, javaSource(d), StandardCharsets.UTF_8);
    }
  }

  private boolean isKind(Declared d) {
    return d.type.kind != null;
  }

  private boolean isList(Declared d) {
    return d.name.endsWith("List") && types.containsKey(d.name.substring(0, d.name.length() - 4))
        && isKind(types.get(d.name.substring(0, d.name.length() - 4)));
  }

  String javaSource(Declared d) {
    StringBuilder b = new StringBuilder();
    b.append("// Generated by bosun-api-codegen from the API model files. Do not edit.\n");
    b.append("package ").append(d.model.javaPackage).append(";\n\n");
    b.append("import com.fasterxml.jackson.annotation.JsonInclude;\n");
    b.append("import com.fasterxml.jackson.annotation.JsonProperty;\n");
    b.append("import com.fasterxml.jackson.annotation.JsonPropertyOrder;\n\n");

    boolean kind = isKind(d);
    boolean list = isList(d);
    boolean typeMeta = hasTypeMeta(d);
    Map<String, FieldDefinition> fields = allFields(d);

    javadoc(b, "", d.type.doc);
    b.append("@JsonInclude(JsonInclude.Include.NON_NULL)\n");
    b.append("@JsonPropertyOrder({");
    b.append(String.join(", ", fields.keySet().stream().map(n -> "\"" + n + "\"").toList()));
    b.append("})\n");
    b.append("public class ").append(d.name);
    if (kind) {
      b.append(" implements ").append(META_PACKAGE).append(".KubernetesObject");
    } else if (list) {
      String item = d.name.substring(0, d.name.length() - 4);
      b.append(" implements ").append(META_PACKAGE).append(".KubernetesList<").append(item).append(">");
    }
    b.append(" {\n\n");
    if (typeMeta) {
      b.append("  /** The {@code apiVersion} of this type. */\n");
      b.append("  public static final String API_VERSION = \"").append(typeMetaVersion(d)).append("\";\n");
      b.append("  /** The {@code kind} of this type. */\n");
      b.append("  public static final String KIND = \"").append(d.name).append("\";\n\n");
    }
    for (var f : fields.entrySet()) {
      String javaType = javaType(TypeRef.parse(f.getValue().type));
      b.append("  private ").append(javaType).append(' ').append(fieldName(f.getKey()));
      if (typeMeta && f.getKey().equals("apiVersion")) {
        b.append(" = API_VERSION");
      } else if (typeMeta && f.getKey().equals("kind")) {
        b.append(" = KIND");
      } else if (list && f.getKey().equals("items")) {
        b.append(" = new java.util.ArrayList<>()");
      }
      b.append(";\n");
    }
    b.append('\n');
    b.append("  public ").append(d.name).append("() {\n  }\n\n");

    for (var f : fields.entrySet()) {
      accessors(b, d, f.getKey(), f.getValue());
    }
    deepCopy(b, d, fields);
    equalsHashCode(b, d, fields);
    b.append("  @Override\n  public String toString() {\n");
    b.append("    return \"").append(d.name).append("{\"");
    boolean first = true;
    for (String name : fields.keySet()) {
      b.append(" + \"").append(first ? "" : ", ").append(name).append("=\" + ").append(fieldName(name));
      first = false;
    }
    b.append(" + \"}\";\n  }\n}\n");
    return b.toString();
  }

  private boolean hasTypeMeta(Declared d) {
    return isKind(d) || isList(d) || d.type.typeMeta != null;
  }

  private String typeMetaVersion(Declared d) {
    return d.type.typeMeta != null ? d.type.typeMeta : d.model.apiVersion();
  }

  /** The fields as serialized: {@code apiVersion} and {@code kind} first where the type has them. */
  private Map<String, FieldDefinition> allFields(Declared d) {
    Map<String, FieldDefinition> all = new LinkedHashMap<>();
    if (hasTypeMeta(d)) {
      all.put("apiVersion", typeMetaField("APIVersion defines the versioned schema of this representation of an object."));
      all.put("kind", typeMetaField("Kind is a string value representing the REST resource this object represents."));
    }
    all.putAll(d.type.fields);
    return all;
  }

  private static FieldDefinition typeMetaField(String doc) {
    FieldDefinition f = new FieldDefinition();
    f.type = "string";
    f.doc = doc;
    return f;
  }

  private void accessors(StringBuilder b, Declared d, String name, FieldDefinition f) {
    TypeRef ref = TypeRef.parse(f.type);
    String javaType = javaType(ref);
    String field = fieldName(name);
    String cap = Character.toUpperCase(name.charAt(0)) + name.substring(1);
    javadoc(b, "  ", f.doc);
    b.append("  @JsonProperty(\"").append(name).append("\")\n");
    if (f.always) {
      b.append("  @JsonInclude(JsonInclude.Include.ALWAYS)\n");
    } else if (ref instanceof ListOf || ref instanceof MapOf) {
      // Go's omitempty drops empty slices and maps; so do we, so round trips match upstream.
      b.append("  @JsonInclude(JsonInclude.Include.NON_EMPTY)\n");
    }
    timeAnnotations(b, ref);
    b.append("  public ").append(javaType).append(" get").append(cap).append("() {\n");
    b.append("    return ").append(field).append(";\n  }\n\n");
    timeAnnotations(b, ref);
    b.append("  public void set").append(cap).append('(').append(javaType).append(' ').append(field).append(") {\n");
    b.append("    this.").append(field).append(" = ").append(field).append(";\n  }\n\n");
    b.append("  /** Sets {@code ").append(name).append("} and returns this object. */\n");
    b.append("  public ").append(d.name).append(" with").append(cap).append('(').append(javaType).append(' ')
        .append(field).append(") {\n");
    b.append("    this.").append(field).append(" = ").append(field).append(";\n    return this;\n  }\n\n");
  }

  private static void timeAnnotations(StringBuilder b, TypeRef ref) {
    if (ref instanceof Scalar s && (s.scalar() == ScalarType.TIME || s.scalar() == ScalarType.MICRO_TIME)) {
      String codec = s.scalar() == ScalarType.TIME ? "Seconds" : "Micros";
      b.append("  @com.fasterxml.jackson.databind.annotation.JsonSerialize(using = io.bosun.api.values.Times.")
          .append(codec).append("Serializer.class)\n");
      b.append("  @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = io.bosun.api.values.Times.")
          .append(codec).append("Deserializer.class)\n");
    }
  }

  private void deepCopy(StringBuilder b, Declared d, Map<String, FieldDefinition> fields) {
    b.append("  /** A copy that shares no mutable state with this object. */\n");
    b.append("  public ").append(d.name).append(" deepCopy() {\n");
    b.append("    ").append(d.name).append(" copy = new ").append(d.name).append("();\n");
    for (var f : fields.entrySet()) {
      String field = fieldName(f.getKey());
      b.append("    copy.").append(field).append(" = ").append(copyExpression(TypeRef.parse(f.getValue().type), field, 0))
          .append(";\n");
    }
    b.append("    return copy;\n  }\n\n");
  }

  private String copyExpression(TypeRef ref, String expr, int depth) {
    return switch (ref) {
      case Scalar s -> s.scalar() == ScalarType.JSON
          ? "(" + expr + " == null ? null : (com.fasterxml.jackson.databind.JsonNode) " + expr + ".deepCopy())"
          : expr;
      case Named n -> "(" + expr + " == null ? null : " + expr + ".deepCopy())";
      case ListOf l -> {
        String v = "v" + depth;
        String inner = copyExpression(l.element(), v, depth + 1);
        yield inner.equals(v)
            ? "(" + expr + " == null ? null : new java.util.ArrayList<>(" + expr + "))"
            : "(" + expr + " == null ? null : " + expr + ".stream().map(" + v + " -> " + inner
                + ").collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new)))";
      }
      case MapOf m -> {
        String v = "v" + depth;
        String inner = copyExpression(m.value(), v, depth + 1);
        yield inner.equals(v)
            ? "(" + expr + " == null ? null : new java.util.LinkedHashMap<>(" + expr + "))"
            : "(" + expr + " == null ? null : io.bosun.api.values.Copies.mapValues(" + expr + ", " + v + " -> " + inner
                + "))";
      }
    };
  }

  private void equalsHashCode(StringBuilder b, Declared d, Map<String, FieldDefinition> fields) {
    b.append("  @Override\n  public boolean equals(Object o) {\n");
    b.append("    if (this == o) {\n      return true;\n    }\n");
    b.append("    if (!(o instanceof ").append(d.name).append(" other)) {\n      return false;\n    }\n");
    b.append("    return ");
    List<String> parts = new ArrayList<>();
    for (String name : fields.keySet()) {
      parts.add("java.util.Objects.equals(" + fieldName(name) + ", other." + fieldName(name) + ")");
    }
    b.append(parts.isEmpty() ? "true" : String.join("\n        && ", parts)).append(";\n  }\n\n");
    b.append("  @Override\n  public int hashCode() {\n");
    b.append("    return java.util.Objects.hash(")
        .append(String.join(", ", fields.keySet().stream().map(Generator::fieldName).toList())).append(");\n  }\n\n");
  }

  private String javaType(TypeRef ref) {
    return switch (ref) {
      case Scalar s -> s.scalar().javaType;
      case Named n -> types.get(n.name()).javaName();
      case ListOf l -> "java.util.List<" + javaType(l.element()) + ">";
      case MapOf m -> "java.util.Map<String, " + javaType(m.value()) + ">";
    };
  }

  static String fieldName(String jsonName) {
    String name = jsonName.replace('-', '_').replace('$', '_');
    return JAVA_KEYWORDS.contains(name) ? name + "_" : name;
  }

  private static void javadoc(StringBuilder b, String indent, String doc) {
    if (doc == null || doc.isBlank()) {
      return;
    }
    String escaped = doc.strip().replace("*/", "*&#47;").replace("@", "&#64;").replace("<", "&lt;").replace(">", "&gt;");
    b.append(indent).append("/**\n");
    for (String line : wrap(escaped, 96 - indent.length())) {
      b.append(indent).append(" * ").append(line).append('\n');
    }
    b.append(indent).append(" */\n");
  }

  private static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    for (String paragraph : text.split("\n")) {
      StringBuilder line = new StringBuilder();
      for (String word : paragraph.split(" ")) {
        if (line.length() > 0 && line.length() + word.length() + 1 > width) {
          lines.add(line.toString());
          line.setLength(0);
        }
        if (line.length() > 0) {
          line.append(' ');
        }
        line.append(word);
      }
      lines.add(line.toString());
    }
    return lines;
  }

  // ---------------------------------------------------------------- schema document

  /**
   * Writes the schema document: every type with its fields (type, patch metadata, docs) and every
   * kind with how it is served.
   */
  void writeSchema(Path file) throws IOException {
    JsonNodeFactory nf = JsonNodeFactory.instance;
    ObjectNode root = nf.objectNode();
    ObjectNode typesNode = root.putObject("types");
    for (Declared d : types.values()) {
      ObjectNode t = typesNode.putObject(d.name);
      t.put("openapiName", d.openapiName());
      t.put("javaClass", d.javaName());
      t.put("group", d.model.group);
      t.put("version", d.model.version);
      t.put("doc", d.type.doc);
      if (hasTypeMeta(d)) {
        t.put("typeMeta", typeMetaVersion(d));
      }
      if (!d.type.protobuf) {
        t.put("protobuf", false);
      }
      ArrayNode fields = t.putArray("fields");
      for (var e : allFields(d).entrySet()) {
        FieldDefinition f = e.getValue();
        ObjectNode fn = fields.addObject();
        fn.put("name", e.getKey());
        fn.set("type", typeNode(TypeRef.parse(f.type)));
        if (!f.doc.isEmpty()) {
          fn.put("doc", f.doc);
        }
        if (f.required) {
          fn.put("required", true);
        }
        if (f.patchMergeKey != null) {
          fn.put("patchMergeKey", f.patchMergeKey);
        }
        if (f.patchStrategy != null) {
          fn.put("patchStrategy", f.patchStrategy);
        }
        if (f.listType != null) {
          fn.put("listType", f.listType);
        }
        if (!f.listMapKeys.isEmpty()) {
          ArrayNode keys = fn.putArray("listMapKeys");
          f.listMapKeys.forEach(keys::add);
        }
        if (!f.enumValues.isEmpty()) {
          ArrayNode values = fn.putArray("enum");
          f.enumValues.forEach(values::add);
        }
        if (f.format != null) {
          fn.put("format", f.format);
        }
        if (f.proto != null) {
          fn.put("proto", f.proto.get(f.proto.size() - 1));
          if (f.proto.size() > 1) {
            ArrayNode inline = fn.putArray("protoInline");
            f.proto.subList(0, f.proto.size() - 1).forEach(inline::add);
          }
        }
        if (f.keepZero) {
          fn.put("keepZero", true);
        }
      }
    }
    ObjectNode scalars = root.putObject("scalars");
    for (ScalarType s : ScalarType.values()) {
      ObjectNode sn = scalars.putObject(s.modelName);
      sn.put("javaType", s.javaType);
      if (s.openapiType != null) {
        sn.put("openapiType", s.openapiType);
      }
      if (s.openapiFormat != null) {
        sn.put("openapiFormat", s.openapiFormat);
      }
      if (s.openapiRef != null) {
        sn.put("openapiRef", s.openapiRef);
      }
    }
    ArrayNode kinds = root.putArray("kinds");
    for (ModelDefinition model : models) {
      for (var e : model.types.entrySet()) {
        KindDefinition k = e.getValue().kind;
        if (k == null) {
          continue;
        }
        ObjectNode kn = kinds.addObject();
        kn.put("group", model.group);
        kn.put("version", model.version);
        kn.put("kind", e.getKey());
        kn.put("plural", k.plural != null ? k.plural : e.getKey().toLowerCase(Locale.ROOT) + "s");
        kn.put("singular", e.getKey().toLowerCase(Locale.ROOT));
        kn.put("namespaced", k.namespaced);
        kn.put("type", e.getKey());
        kn.put("listType", e.getKey() + "List");
        ArrayNode sn = kn.putArray("shortNames");
        k.shortNames.forEach(sn::add);
        ArrayNode cat = kn.putArray("categories");
        k.categories.forEach(cat::add);
        ArrayNode sub = kn.putArray("subresources");
        k.subresources.forEach(sub::add);
        ArrayNode verbs = kn.putArray("verbs");
        k.verbs.forEach(verbs::add);
      }
    }
    Files.createDirectories(file.getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }

  private ObjectNode typeNode(TypeRef ref) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    switch (ref) {
      case Scalar s -> n.put("scalar", s.scalar().modelName);
      case Named named -> n.put("ref", named.name());
      case ListOf l -> n.set("list", typeNode(l.element()));
      case MapOf m -> n.set("map", typeNode(m.value()));
    }
    return n;
  }
}
