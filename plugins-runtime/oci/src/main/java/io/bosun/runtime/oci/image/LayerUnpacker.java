package io.bosun.runtime.oci.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies image layers (tar, optionally gzip-compressed) on top of each other into one root
 * filesystem, with OCI whiteouts: {@code .wh.NAME} deletes NAME of the layers below,
 * {@code .wh..wh..opq} empties its folder of what the layers below put there.
 *
 * <p>Paths are resolved inside the root the way the container will see them: a symlink in a
 * lower layer ({@code etc -> /etc}) is followed within the root, never to the host's files.
 * Ownership and modes (incl. setuid) are kept: runs as root. Not kept: extended attributes (file
 * capabilities), device nodes (runc provides /dev).
 */
public final class LayerUnpacker {

  private static final Logger LOG = LoggerFactory.getLogger(LayerUnpacker.class);
  private static final String WHITEOUT = ".wh.";
  private static final String OPAQUE = ".wh..wh..opq";
  private static final int MAX_LINK_HOPS = 255;

  private final Path root;
  private final boolean chown;

  /**
   * @param root  the root filesystem to build; created if missing
   * @param chown set owners from the archive (false when not root, for tests)
   */
  public LayerUnpacker(Path root, boolean chown) {
    this.root = root.toAbsolutePath().normalize();
    this.chown = chown;
  }

  /** Applies one layer; {@code in} may be gzip-compressed (detected by its magic bytes). */
  public void apply(InputStream in) throws IOException {
    Files.createDirectories(root);
    BufferedInputStream buffered = new BufferedInputStream(in, 65536);
    buffered.mark(4);
    int b1 = buffered.read();
    int b2 = buffered.read();
    buffered.reset();
    InputStream tar = b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(buffered, 65536) : buffered;
    if (b1 == 0x28 && b2 == 0xb5) {
      throw new IOException("zstd-compressed layers are not supported");
    }
    Set<Path> created = new HashSet<>(); // this layer's own paths: its whiteouts must spare them
    List<Object[]> dirTimes = new ArrayList<>();
    TarReader reader = new TarReader(tar);
    for (TarReader.Entry e; (e = reader.next()) != null; ) {
      String rel = clean(e.name());
      if (rel == null) {
        continue; // the root itself
      }
      int slash = rel.lastIndexOf('/');
      String parentRel = slash < 0 ? "" : rel.substring(0, slash);
      String base = rel.substring(slash + 1);
      Path parent = resolve(parentRel, true);
      if (base.equals(OPAQUE)) {
        emptyExcept(parent, created);
        continue;
      }
      if (base.startsWith(WHITEOUT)) {
        Path victim = parent.resolve(base.substring(WHITEOUT.length()));
        if (!created.contains(victim)) {
          deleteTree(victim);
        }
        continue;
      }
      Path target = parent.resolve(base);
      created.add(target);
      switch (e.type()) {
        case DIRECTORY -> {
          if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(target);
            Files.createDirectory(target);
          }
          attributes(target, e, false);
          dirTimes.add(new Object[] {target, e.mtime()});
        }
        case FILE -> {
          replace(target);
          try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE)) {
            reader.content().transferTo(out);
          }
          attributes(target, e, true);
        }
        case SYMLINK -> {
          replace(target);
          Files.createSymbolicLink(target, Path.of(e.linkName()));
          if (chown) {
            owner(target, e);
          }
        }
        case HARDLINK -> {
          String linkRel = clean(e.linkName());
          if (linkRel == null) {
            throw new IOException("hard link to the root in layer: " + e.name());
          }
          Path existing = resolve(linkRel, false);
          replace(target);
          Files.createLink(target, existing);
        }
        case FIFO -> {
          replace(target);
          run(List.of("mkfifo", "-m", Integer.toOctalString(e.mode() & 0777), target.toString()));
          attributes(target, e, false);
        }
        case CHAR_DEVICE, BLOCK_DEVICE -> LOG.debug("Skipping device node {} in an image layer", e.name());
        case OTHER -> LOG.debug("Skipping unsupported tar entry {}", e.name());
      }
    }
    // Folder times last: creating entries inside changed them.
    for (Object[] dt : dirTimes) {
      try {
        Files.setLastModifiedTime((Path) dt[0], FileTime.from((Long) dt[1], TimeUnit.SECONDS));
      } catch (IOException ignored) {
        // cosmetic
      }
    }
  }

  /**
   * The host path of {@code path} inside {@code root}, symlinks followed as the container would
   * (never out of the root). The last component may be missing.
   */
  public static Path resolveInRoot(Path root, String path) throws IOException {
    String rel = clean(path);
    return rel == null ? root.toAbsolutePath().normalize() : new LayerUnpacker(root, false).resolve(rel, false);
  }

  /** A layer path without "./", "/" and trailing slashes; null for the root. Rejects "..". */
  static String clean(String name) throws IOException {
    List<String> parts = new ArrayList<>();
    for (String p : name.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        throw new IOException("layer entry escapes the root: " + name);
      }
      parts.add(p);
    }
    return parts.isEmpty() ? null : String.join("/", parts);
  }

  /**
   * The host path of {@code rel} inside the root, following symlinks as the container would (an
   * absolute target restarts at the root, ".." stops at it). With {@code createDirs}, missing
   * folders are created; the result is then a folder.
   */
  Path resolve(String rel, boolean createDirs) throws IOException {
    Deque<String> todo = new ArrayDeque<>();
    if (!rel.isEmpty()) {
      for (String p : rel.split("/")) {
        todo.addLast(p);
      }
    }
    Path current = root;
    int hops = 0;
    while (!todo.isEmpty()) {
      String part = todo.removeFirst();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        current = current.equals(root) ? root : current.getParent();
        continue;
      }
      Path next = current.resolve(part);
      if (Files.isSymbolicLink(next)) {
        if (++hops > MAX_LINK_HOPS) {
          throw new IOException("too many symbolic links resolving " + rel);
        }
        String target = Files.readSymbolicLink(next).toString();
        String[] tparts = target.split("/");
        for (int i = tparts.length - 1; i >= 0; i--) {
          todo.addFirst(tparts[i]);
        }
        if (target.startsWith("/")) {
          current = root;
        }
        continue;
      }
      if (createDirs && !Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(next);
      } else if (createDirs && !Files.isDirectory(next, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("not a folder in the image: " + root.relativize(next));
      }
      current = next;
    }
    return current;
  }

  private void emptyExcept(Path dir, Set<Path> keep) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> children = Files.list(dir)) {
      for (Path c : children.toList()) {
        if (!keep.contains(c)) {
          deleteTree(c);
        }
      }
    }
  }

  /** Makes room for a new non-folder entry. */
  private static void replace(Path target) throws IOException {
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      deleteTree(target);
    } else {
      Files.deleteIfExists(target);
    }
  }

  private void attributes(Path p, TarReader.Entry e, boolean file) throws IOException {
    if (chown) {
      owner(p, e);
    }
    // unix:mode keeps setuid/setgid/sticky, which PosixFilePermissions cannot express; after
    // chown, which clears them.
    Files.setAttribute(p, "unix:mode", e.mode(), LinkOption.NOFOLLOW_LINKS);
    if (file) {
      Files.setLastModifiedTime(p, FileTime.from(e.mtime(), TimeUnit.SECONDS));
    }
  }

  private static void owner(Path p, TarReader.Entry e) throws IOException {
    Files.setAttribute(p, "unix:uid", e.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", e.gid(), LinkOption.NOFOLLOW_LINKS);
  }

  /** Deletes a file or a folder with everything in it; links are deleted, never followed. */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      Files.deleteIfExists(p);
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(q);
        } catch (DirectoryNotEmptyException | NoSuchFileException ignored) {
          // raced with another deletion
        }
      }
    }
  }

  private static void run(List<String> cmd) throws IOException {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
