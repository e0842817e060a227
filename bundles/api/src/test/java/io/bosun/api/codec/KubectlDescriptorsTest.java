package io.bosun.api.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.FieldSchema;
import io.bosun.api.schema.TypeExpr;
import io.bosun.api.schema.TypeSchema;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the model's protobuf field numbers against kubectl's own: the Go protobuf code linked
 * into kubectl registers each {@code generated.proto} as a gzipped {@code FileDescriptorProto},
 * so the binary on the PATH carries the exact messages, field names, numbers and types upstream
 * uses. Every model field must sit where upstream puts it, with a compatible type. Skipped when
 * kubectl is not on the PATH.
 */
class KubectlDescriptorsTest {

  private static final ApiSchema SCHEMA = ApiSchema.load();
  /** Model type names that differ from upstream's message names. */
  private static final Map<String, String> RENAMED = Map.of("EndpointSlicePort", "EndpointPort");

  private static final int LABEL_REPEATED = 3;
  private static final int TYPE_DOUBLE = 1;
  private static final int TYPE_INT64 = 3;
  private static final int TYPE_INT32 = 5;
  private static final int TYPE_BOOL = 8;
  private static final int TYPE_STRING = 9;
  private static final int TYPE_MESSAGE = 11;
  private static final int TYPE_BYTES = 12;

  record Field(String name, int number, int label, int type, String typeName) {}

  record Message(String fullName, Map<Integer, Field> fields, boolean mapEntry) {}

  private static final Map<String, Message> messages = new HashMap<>();

  @BeforeAll
  static void readKubectl() throws IOException {
    Path kubectl = findOnPath("kubectl");
    if (kubectl == null) {
      return;
    }
    byte[] binary = Files.readAllBytes(kubectl.toRealPath());
    byte[] gzip = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0};
    for (int i = indexOf(binary, gzip, 0); i >= 0; i = indexOf(binary, gzip, i + 1)) {
      byte[] data = gunzip(binary, i);
      if (data == null || data.length < 3 || data[0] != 0x0a) {
        continue;
      }
      int nameLength = data[1];
      String name = new String(data, 2, Math.min(nameLength, data.length - 2), StandardCharsets.UTF_8);
      if (name.startsWith("k8s.io/") && name.endsWith("/generated.proto")) {
        readFile(new Wire(data, 0, data.length));
      }
    }
  }

  @Test
  void everyModelFieldSitsWhereKubectlPutsIt() {
    assumeTrue(!messages.isEmpty(), "kubectl is not on the PATH (or carries no descriptors): skipping");
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (TypeSchema type : SCHEMA.types()) {
      if (!type.protobuf()) {
        assertThat(messages).as("upstream has no protobuf form of %s", type.name())
            .doesNotContainKey(messageName(type));
        continue;
      }
      Message message = messages.get(messageName(type));
      if (message == null) {
        problems.add(type.name() + ": no message " + messageName(type) + " in kubectl");
        continue;
      }
      for (FieldSchema f : type.fields()) {
        if (!f.hasProto()) {
          continue;
        }
        String problem = check(type, message, f);
        if (problem != null) {
          problems.add(type.name() + "." + f.name() + ": " + problem);
        }
        checked++;
      }
    }
    assertThat(problems).isEmpty();
    assertThat(checked).isGreaterThan(1000);
  }

  @Test
  void theEnvelopeIsRuntimeUnknown() {
    assumeTrue(!messages.isEmpty(), "kubectl is not on the PATH (or carries no descriptors): skipping");
    Message unknown = messages.get("k8s.io.apimachinery.pkg.runtime.Unknown");
    assertThat(unknown.fields().get(1).typeName()).isEqualTo(".k8s.io.apimachinery.pkg.runtime.TypeMeta");
    assertThat(unknown.fields().get(2).name()).isEqualTo("raw");
    assertThat(unknown.fields().get(3).name()).isEqualTo("contentEncoding");
    assertThat(unknown.fields().get(4).name()).isEqualTo("contentType");
    Message typeMeta = messages.get("k8s.io.apimachinery.pkg.runtime.TypeMeta");
    assertThat(typeMeta.fields().get(1).name()).isEqualTo("apiVersion");
    assertThat(typeMeta.fields().get(2).name()).isEqualTo("kind");
  }

  private static String check(TypeSchema type, Message message, FieldSchema f) {
    Message at = message;
    for (int outer : f.protoInline()) {
      Field embedded = at.fields().get(outer);
      if (embedded == null || embedded.type() != TYPE_MESSAGE) {
        return "no embedded message at " + outer + " in " + at.fullName();
      }
      at = messages.get(embedded.typeName().substring(1));
      if (at == null) {
        return "unknown message " + embedded.typeName();
      }
    }
    Field field = at.fields().get(f.protoNumber());
    if (field == null) {
      return "no field " + f.protoNumber() + " in " + at.fullName();
    }
    boolean wrapped = at.fullName().equals("k8s.io.apimachinery.pkg.apis.meta.v1.Verbs");
    if (!wrapped && !field.name().equals(f.name())) {
      return "field " + f.protoNumber() + " of " + at.fullName() + " is " + field.name();
    }
    return switch (f.type()) {
      case TypeExpr.ListOf list -> field.label() != LABEL_REPEATED ? "not repeated upstream"
          : compatible(list.element(), f, field);
      case TypeExpr.MapOf map -> {
        Message entry = field.type() == TYPE_MESSAGE ? messages.get(field.typeName().substring(1)) : null;
        if (field.label() != LABEL_REPEATED || entry == null || !entry.mapEntry()) {
          yield "not a map upstream";
        }
        yield compatible(map.value(), f, entry.fields().get(2));
      }
      default -> field.label() == LABEL_REPEATED ? "repeated upstream" : compatible(f.type(), f, field);
    };
  }

  private static String compatible(TypeExpr expr, FieldSchema f, Field field) {
    String expected;
    int type;
    switch (expr) {
      case TypeExpr.Ref ref -> {
        type = TYPE_MESSAGE;
        expected = "." + messageName(SCHEMA.type(ref.type()));
      }
      case TypeExpr.Scalar s -> {
        expected = null;
        switch (s.name()) {
          case "string" -> {
            boolean time = "date-time".equals(f.format());
            type = time ? TYPE_MESSAGE : TYPE_STRING;
            expected = time ? ".k8s.io.apimachinery.pkg.apis.meta.v1.Time" : null;
          }
          case "bytes" -> type = TYPE_BYTES;
          case "boolean" -> type = TYPE_BOOL;
          case "int32" -> type = TYPE_INT32;
          case "int64" -> type = TYPE_INT64;
          case "double" -> type = TYPE_DOUBLE;
          case "Quantity" -> {
            type = TYPE_MESSAGE;
            expected = ".k8s.io.apimachinery.pkg.api.resource.Quantity";
          }
          case "IntOrString" -> {
            type = TYPE_MESSAGE;
            expected = ".k8s.io.apimachinery.pkg.util.intstr.IntOrString";
          }
          case "Time", "MicroTime", "Duration" -> {
            type = TYPE_MESSAGE;
            expected = ".k8s.io.apimachinery.pkg.apis.meta.v1." + s.name();
          }
          case "JSON" -> {
            if (field.type() == TYPE_MESSAGE && (field.typeName().equals(".k8s.io.apimachinery.pkg.runtime.RawExtension")
                || field.typeName().equals(".k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1"))) {
              return null;
            }
            return "JSON but upstream has " + field.typeName();
          }
          default -> {
            return "unknown scalar " + s.name();
          }
        }
      }
      default -> {
        return "nested collections";
      }
    }
    if (field.type() != type) {
      return "type " + field.type() + " upstream, " + type + " in the model";
    }
    if (expected != null && !expected.equals(field.typeName())) {
      return "message " + field.typeName() + " upstream, " + expected + " in the model";
    }
    return null;
  }

  private static String messageName(TypeSchema type) {
    String name = type.openapiName().replaceFirst("^io\\.k8s\\.", "k8s.io.");
    String simple = RENAMED.get(type.name());
    return simple == null ? name : name.substring(0, name.lastIndexOf('.') + 1) + simple;
  }

  // ---------------------------------------------------------------- descriptors

  private static void readFile(Wire in) {
    String pkg = "";
    List<byte[]> types = new ArrayList<>();
    while (in.more()) {
      int tag = (int) in.varint();
      switch (tag) {
        case (2 << 3) | 2 -> pkg = in.string();
        case (4 << 3) | 2 -> types.add(in.bytes());
        default -> in.skip(tag & 7);
      }
    }
    for (byte[] t : types) {
      readMessage(pkg, new Wire(t, 0, t.length));
    }
  }

  private static void readMessage(String scope, Wire in) {
    String name = "";
    Map<Integer, Field> fields = new HashMap<>();
    List<byte[]> nested = new ArrayList<>();
    boolean mapEntry = false;
    while (in.more()) {
      int tag = (int) in.varint();
      switch (tag) {
        case (1 << 3) | 2 -> name = in.string();
        case (2 << 3) | 2 -> {
          Field f = readField(in.wire());
          fields.put(f.number(), f);
        }
        case (3 << 3) | 2 -> nested.add(in.bytes());
        case (7 << 3) | 2 -> {
          Wire options = in.wire();
          while (options.more()) {
            int t = (int) options.varint();
            if (t == (7 << 3)) {
              mapEntry = options.varint() != 0;
            } else {
              options.skip(t & 7);
            }
          }
        }
        default -> in.skip(tag & 7);
      }
    }
    String fullName = scope + "." + name;
    messages.put(fullName, new Message(fullName, fields, mapEntry));
    for (byte[] n : nested) {
      readMessage(fullName, new Wire(n, 0, n.length));
    }
  }

  private static Field readField(Wire in) {
    String name = "";
    int number = 0;
    int label = 0;
    int type = 0;
    String typeName = "";
    while (in.more()) {
      int tag = (int) in.varint();
      switch (tag) {
        case (1 << 3) | 2 -> name = in.string();
        case 3 << 3 -> number = (int) in.varint();
        case 4 << 3 -> label = (int) in.varint();
        case 5 << 3 -> type = (int) in.varint();
        case (6 << 3) | 2 -> typeName = in.string();
        default -> in.skip(tag & 7);
      }
    }
    return new Field(name, number, label, type, typeName);
  }

  /** Just enough protobuf reading for descriptors. */
  private static final class Wire {
    private final byte[] buf;
    private int pos;
    private final int limit;

    Wire(byte[] buf, int pos, int limit) {
      this.buf = buf;
      this.pos = pos;
      this.limit = limit;
    }

    boolean more() {
      return pos < limit;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; ; shift += 7) {
        byte b = buf[pos++];
        v |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return v;
        }
      }
    }

    byte[] bytes() {
      int n = (int) varint();
      byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return out;
    }

    Wire wire() {
      byte[] b = bytes();
      return new Wire(b, 0, b.length);
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    void skip(int wireType) {
      switch (wireType) {
        case 0 -> varint();
        case 1 -> pos += 8;
        case 2 -> {
          int n = (int) varint();
          pos += n;
        }
        case 5 -> pos += 4;
        default -> throw new IllegalStateException("wire type " + wireType);
      }
    }
  }

  /** One gzip member with a plain 10-byte header (as Go writes it), ignoring what follows. */
  private static byte[] gunzip(byte[] binary, int offset) {
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(binary, offset + 10, Math.min(binary.length - offset - 10, 1 << 20));
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      byte[] chunk = new byte[64 << 10];
      while (!inflater.finished()) {
        int n = inflater.inflate(chunk);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          return null;
        }
        out.write(chunk, 0, n);
        if (out.size() > 4 << 20) {
          return null;
        }
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      return null;
    } finally {
      inflater.end();
    }
  }

  private static int indexOf(byte[] data, byte[] pattern, int from) {
    outer:
    for (int i = from; i <= data.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static Path findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      File f = new File(dir, name);
      if (f.isFile() && f.canExecute()) {
        return f.toPath();
      }
    }
    return null;
  }
}
