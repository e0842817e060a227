package io.bosun.kubelet;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes a projected volume's files so readers never see a half-updated set, as upstream's
 * {@code AtomicWriter}: the files go into a fresh hidden folder ({@code ..2024_01_02_03_04_05.N}),
 * the {@code ..data} link is switched to it by one rename, and each visible top-level name is a
 * link through {@code ..data}. A payload equal to what is there already writes nothing.
 */
final class AtomicWriter {

  private static final String DATA = "..data";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss.");

  /** One file of a payload: content and permission bits (such as 0644). */
  record FileProjection(byte[] data, int mode) {
    @Override
    public boolean equals(Object o) {
      return o instanceof FileProjection f && f.mode == mode && Arrays.equals(f.data, data);
    }

    @Override
    public int hashCode() {
      return Objects.hash(mode, Arrays.hashCode(data));
    }
  }

  private AtomicWriter() {
  }

  /**
   * Makes {@code dir} hold exactly {@code payload} (relative paths such as {@code key} or
   * {@code sub/key}).
   *
   * @return whether anything changed
   */
  static boolean write(Path dir, Map<String, FileProjection> payload) throws IOException {
    for (String p : payload.keySet()) {
      if (p.isEmpty() || p.startsWith("/") || p.startsWith("..") || Path.of(p).normalize().startsWith("..")) {
        throw new IOException("invalid path in volume payload: " + p);
      }
    }
    Files.createDirectories(dir);
    Path dataLink = dir.resolve(DATA);
    if (Files.isSymbolicLink(dataLink) && current(dir.resolve(Files.readSymbolicLink(dataLink))).equals(payload)) {
      return false;
    }
    Path ts = Files.createTempDirectory(dir, ".." + LocalDateTime.now().format(STAMP));
    Files.setPosixFilePermissions(ts, perms(0755));
    for (Map.Entry<String, FileProjection> e : new TreeMap<>(payload).entrySet()) {
      Path f = ts.resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.write(f, e.getValue().data());
      Files.setPosixFilePermissions(f, perms(e.getValue().mode()));
    }
    Path old = Files.isSymbolicLink(dataLink) ? dir.resolve(Files.readSymbolicLink(dataLink)) : null;
    Path tmpLink = dir.resolve("..data_tmp");
    Files.deleteIfExists(tmpLink);
    Files.createSymbolicLink(tmpLink, ts.getFileName());
    try {
      Files.move(tmpLink, dataLink, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmpLink, dataLink, StandardCopyOption.REPLACE_EXISTING);
    }
    Set<String> top = new HashSet<>();
    for (String p : payload.keySet()) {
      top.add(Path.of(p).getName(0).toString());
    }
    for (String name : top) {
      Path link = dir.resolve(name);
      if (!Files.isSymbolicLink(link)) {
        deleteTree(link);
        Files.createSymbolicLink(link, Path.of(DATA, name));
      }
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        String name = p.getFileName().toString();
        if (!name.startsWith("..") && !top.contains(name)) {
          deleteTree(p); // a key that left the payload
        }
      }
    }
    if (old != null && !old.equals(ts)) {
      deleteTree(old);
    }
    return true;
  }

  private static Map<String, FileProjection> current(Path dataDir) throws IOException {
    Map<String, FileProjection> out = new TreeMap<>();
    if (!Files.isDirectory(dataDir)) {
      return out;
    }
    try (Stream<Path> walk = Files.walk(dataDir)) {
      for (Path f : walk.filter(Files::isRegularFile).toList()) {
        out.put(dataDir.relativize(f).toString(), new FileProjection(Files.readAllBytes(f), mode(f)));
      }
    }
    return out;
  }

  private static int mode(Path f) throws IOException {
    int m = 0;
    for (PosixFilePermission p : Files.getPosixFilePermissions(f)) {
      m |= 1 << (8 - p.ordinal());
    }
    return m;
  }

  static Set<PosixFilePermission> perms(int mode) {
    Set<PosixFilePermission> s = new HashSet<>();
    PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE = bits 8..0
    for (int i = 0; i < 9; i++) {
      if ((mode & (1 << (8 - i))) != 0) {
        s.add(all[i]);
      }
    }
    return s;
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isSymbolicLink(p) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(p);
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }
}
