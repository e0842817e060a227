package io.bosun.api.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.FieldSchema;
import io.bosun.api.schema.TypeExpr;
import io.bosun.api.schema.TypeSchema;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the model's {@code keepZero} flags against kubectl's own Go types. A zero scalar on the
 * protobuf wire is meaningful when upstream's Go field is a pointer or is serialized without
 * {@code omitempty}; both facts are in the runtime type information the Go linker keeps in the
 * kubectl binary (struct fields with their types and tags), which this test reads from the ELF
 * file. Skipped when kubectl is not on the PATH or its layout is not one this reader knows
 * (Go 1.21+ on 64-bit ELF).
 */
class KubectlGoTypesTest {

  private static final ApiSchema SCHEMA = ApiSchema.load();
  private static final Map<String, String> RENAMED = Map.of("EndpointSlicePort", "EndpointPort");
  private static final Set<String> PLAIN_SCALARS = Set.of("string", "bytes", "boolean", "int32", "int64", "double");
  private static final Pattern PROTOBUF_NUMBER = Pattern.compile("protobuf:\"[a-z0-9]+,(\\d+),");
  private static final Pattern JSON_TAG = Pattern.compile("json:\"([^\"]*)\"");

  private static final int KIND_POINTER = 22;
  private static final int KIND_STRUCT = 25;

  /** A Go struct field: name, tag, kind of its type, and the address of its type. */
  record GoField(String name, String tag, int kind, long type) {
    Integer protoNumber() {
      Matcher m = PROTOBUF_NUMBER.matcher(tag);
      return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    String jsonName() {
      Matcher m = JSON_TAG.matcher(tag);
      return m.find() ? m.group(1).split(",", -1)[0] : "";
    }

    boolean omitempty() {
      Matcher m = JSON_TAG.matcher(tag);
      return m.find() && m.group(1).contains(",omitempty");
    }
  }

  record GoStruct(String name, List<GoField> fields) {}

  private static ByteBuffer binary;
  private static long rodataAddress;
  private static int rodataOffset;
  private static int rodataSize;
  private static final Map<String, List<GoStruct>> structsByName = new HashMap<>();

  @BeforeAll
  static void readKubectl() throws IOException {
    Path kubectl = findOnPath("kubectl");
    if (kubectl == null) {
      return;
    }
    byte[] bytes = Files.readAllBytes(kubectl.toRealPath());
    if (bytes.length < 64 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[4] != 2 || bytes[5] != 1) {
      return; // not a 64-bit little-endian ELF file
    }
    binary = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (!findRodata()) {
      return;
    }
    // StructField entries {name, typ, offset} whose tags carry protobuf numbers, grouped into arrays.
    TreeMap<Integer, GoField> entries = new TreeMap<>();
    for (int off = rodataOffset; off + 24 <= rodataOffset + rodataSize; off += 8) {
      GoField f = fieldAt(off);
      if (f != null && f.tag().contains("protobuf:\"")) {
        entries.put(off, f);
      }
    }
    Map<Long, Integer> arrayStarts = new HashMap<>();
    Integer previous = null;
    for (int off : entries.keySet()) {
      if (previous == null || off != previous + 24) {
        int start = off;
        // Fields before the first tagged one (such as an inlined TypeMeta) belong to the array too.
        while (start - 24 >= rodataOffset && fieldAt(start - 24) != null
            && binary.getLong(start - 24 + 16) < binary.getLong(start + 16)) {
          start -= 24;
        }
        arrayStarts.put(address(start), start);
      }
      previous = off;
    }
    // The struct types pointing at those arrays: Type (48 bytes), PkgPath, Fields slice.
    for (int off = rodataOffset + 56; off + 24 <= rodataOffset + rodataSize; off += 8) {
      long pointer = binary.getLong(off);
      Integer start = arrayStarts.get(pointer);
      if (start == null) {
        continue;
      }
      long length = binary.getLong(off + 8);
      if (length <= 0 || length > 200 || length != binary.getLong(off + 16)) {
        continue;
      }
      GoStruct s = structAt(address(off - 56));
      if (s != null) {
        structsByName.computeIfAbsent(s.name().substring(s.name().indexOf('.') + 1), n -> new ArrayList<>()).add(s);
      }
    }
  }

  @Test
  void keepZeroMatchesUpstreamsGoFields() {
    assumeTrue(structsByName.size() > 100, "kubectl's Go type information is not readable here: skipping");
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (TypeSchema type : SCHEMA.types()) {
      if (!type.protobuf() || type.fields().stream().noneMatch(FieldSchema::hasProto)) {
        continue;
      }
      GoStruct struct = bestMatch(type);
      if (struct == null) {
        problems.add(type.name() + ": no Go struct in kubectl");
        continue;
      }
      for (FieldSchema f : type.fields()) {
        if (!f.hasProto() || !(f.type() instanceof TypeExpr.Scalar s) || !PLAIN_SCALARS.contains(s.name())) {
          continue;
        }
        GoStruct at = struct;
        for (int outer : f.protoInline()) {
          GoField embedded = byNumber(at, outer);
          at = embedded == null || embedded.kind() != KIND_STRUCT ? null : structAt(embedded.type());
          if (at == null) {
            break;
          }
        }
        GoField field = at == null ? null : byNumber(at, f.protoNumber());
        if (field == null) {
          problems.add(type.name() + "." + f.name() + ": no Go field");
          continue;
        }
        boolean keepZero = field.kind() == KIND_POINTER || !field.omitempty();
        if (keepZero != f.keepZero()) {
          problems.add(type.name() + "." + f.name() + ": keepZero should be " + keepZero + " (Go field " + field.name()
              + (field.kind() == KIND_POINTER ? " is a pointer" : " is a value") + ", tag " + field.tag() + ")");
        }
        checked++;
      }
    }
    assertThat(problems).isEmpty();
    assertThat(checked).isGreaterThan(500);
  }

  /** The Go struct of that name whose fields best match the model type's JSON names and numbers. */
  private static GoStruct bestMatch(TypeSchema type) {
    List<GoStruct> candidates = structsByName.getOrDefault(RENAMED.getOrDefault(type.name(), type.name()), List.of());
    GoStruct best = null;
    int bestScore = -1;
    for (GoStruct s : candidates) {
      if (!s.name().startsWith("v1.")) {
        continue;
      }
      int score = 0;
      for (FieldSchema f : type.fields()) {
        if (f.hasProto() && f.protoInline().isEmpty()) {
          GoField g = byNumber(s, f.protoNumber());
          if (g != null && g.jsonName().equals(f.name())) {
            score++;
          }
        }
      }
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    return best;
  }

  private static GoField byNumber(GoStruct s, int number) {
    for (GoField f : s.fields()) {
      if (f != null && Integer.valueOf(number).equals(f.protoNumber())) {
        return f;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- Go runtime types

  /** abi.StructType at {@code typeAddress}: the name from Type.Str, the fields from Fields. */
  private static GoStruct structAt(long typeAddress) {
    Integer off = offset(typeAddress);
    if (off == null || off + 80 > rodataOffset + rodataSize) {
      return null;
    }
    int tflag = binary.get(off + 20) & 0xff;
    int nameOff = binary.getInt(off + 40);
    String name = nameAt(rodataAddress + nameOff, false);
    if (name == null) {
      return null;
    }
    if ((tflag & 2) != 0 && name.startsWith("*")) {
      name = name.substring(1);
    }
    Integer fields = offset(binary.getLong(off + 56));
    long length = binary.getLong(off + 64);
    if (fields == null || length < 0 || length > 200) {
      return null;
    }
    List<GoField> list = new ArrayList<>();
    for (int i = 0; i < length; i++) {
      list.add(fieldAt(fields + 24 * i));
    }
    return new GoStruct(name, list);
  }

  /** abi.StructField at a file offset: Name, Typ, Offset; null unless plausible. */
  private static GoField fieldAt(int off) {
    long name = binary.getLong(off);
    long type = binary.getLong(off + 8);
    long offset = binary.getLong(off + 16);
    if (offset < 0 || offset > 100_000 || offset(name) == null || offset(type) == null) {
      return null;
    }
    int nameOff = offset(name);
    int flags = binary.get(nameOff) & 0xff;
    if (flags > 0xf) {
      return null;
    }
    String fieldName = nameAt(name, false);
    String tag = (flags & 2) != 0 ? nameAt(name, true) : "";
    if (fieldName == null || tag == null) {
      return null;
    }
    int kind = binary.get(offset(type) + 23) & 0x1f;
    return new GoField(fieldName, tag, kind, type);
  }

  /** An abi.Name: a flags byte, a varint length and the bytes; then, with flag 2, the tag likewise. */
  private static String nameAt(long address, boolean tag) {
    Integer off = offset(address);
    if (off == null) {
      return null;
    }
    int flags = binary.get(off) & 0xff;
    if (flags > 0xf) {
      return null;
    }
    int[] pos = {off + 1};
    int length = varint(pos);
    if (length < 0 || length > 4096 || offset(address + (pos[0] - off) + length) == null) {
      return null;
    }
    if (tag) {
      pos[0] += length;
      length = varint(pos);
      if (length < 0 || length > 4096 || pos[0] + length > rodataOffset + rodataSize) {
        return null;
      }
    }
    byte[] b = new byte[length];
    binary.get(pos[0], b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static int varint(int[] pos) {
    int v = 0;
    for (int shift = 0; shift < 28; shift += 7) {
      int b = binary.get(pos[0]++) & 0xff;
      v |= (b & 0x7f) << shift;
      if (b < 0x80) {
        return v;
      }
    }
    return -1;
  }

  private static Integer offset(long address) {
    if (address < rodataAddress || address >= rodataAddress + rodataSize) {
      return null;
    }
    return (int) (address - rodataAddress) + rodataOffset;
  }

  private static long address(int offset) {
    return rodataAddress + (offset - rodataOffset);
  }

  private static boolean findRodata() {
    long sectionHeaders = binary.getLong(0x28);
    int entrySize = binary.getShort(0x3a) & 0xffff;
    int count = binary.getShort(0x3c) & 0xffff;
    int namesIndex = binary.getShort(0x3e) & 0xffff;
    if (sectionHeaders <= 0 || entrySize < 64 || namesIndex >= count) {
      return false;
    }
    long names = binary.getLong((int) (sectionHeaders + (long) namesIndex * entrySize + 24));
    for (int i = 0; i < count; i++) {
      int h = (int) (sectionHeaders + (long) i * entrySize);
      int nameIndex = binary.getInt(h);
      StringBuilder b = new StringBuilder();
      for (int p = (int) names + nameIndex; binary.get(p) != 0; p++) {
        b.append((char) binary.get(p));
      }
      if (b.toString().equals(".rodata")) {
        rodataAddress = binary.getLong(h + 16);
        rodataOffset = (int) binary.getLong(h + 24);
        rodataSize = (int) binary.getLong(h + 32);
        return true;
      }
    }
    return false;
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
