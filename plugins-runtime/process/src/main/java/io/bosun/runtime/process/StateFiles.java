package io.bosun.runtime.process;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Small state files: Java properties written atomically (a temporary file renamed over the old
 * one), readable by the owner only since they hold containers' environments. Lists and maps are
 * flattened into numbered and prefixed keys.
 */
final class StateFiles {

  private StateFiles() {
  }

  static Properties read(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return p;
  }

  static void write(Path file, Properties p) throws IOException {
    StringWriter w = new StringWriter();
    p.store(w, null);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, w.toString(), StandardCharsets.UTF_8);
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static void putList(Properties p, String prefix, List<String> values) {
    p.setProperty(prefix + ".n", Integer.toString(values.size()));
    for (int i = 0; i < values.size(); i++) {
      p.setProperty(prefix + "." + i, values.get(i));
    }
  }

  static List<String> getList(Properties p, String prefix) {
    int n = Integer.parseInt(p.getProperty(prefix + ".n", "0"));
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(p.getProperty(prefix + "." + i, ""));
    }
    return out;
  }

  static void putMap(Properties p, String prefix, Map<String, String> values) {
    new TreeMap<>(values).forEach((k, v) -> p.setProperty(prefix + "." + k, v));
  }

  static Map<String, String> getMap(Properties p, String prefix) {
    Map<String, String> out = new LinkedHashMap<>();
    String start = prefix + ".";
    for (String k : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
      if (k.startsWith(start)) {
        out.put(k.substring(start.length()), p.getProperty(k));
      }
    }
    return out;
  }

  static long getLong(Properties p, String key, long otherwise) {
    String v = p.getProperty(key);
    try {
      return v == null || v.isEmpty() ? otherwise : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }
}
