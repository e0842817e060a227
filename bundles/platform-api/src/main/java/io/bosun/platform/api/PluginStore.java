package io.bosun.platform.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

/**
 * The plugin bundles of an instance: jars in its {@code plugins/} folder, which FileInstall
 * installs, updates and uninstalls. Writes are atomic (a temporary file FileInstall ignores, then
 * a rename), so FileInstall never sees half a jar. Plain Java: no OSGi needed to test it.
 */
final class PluginStore {

  /** A plugin name: what a file name may safely be, without {@code .jar}. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final Path dir;
  private final long maxBytes;

  /** @param maxBytes the largest jar accepted */
  PluginStore(Path dir, long maxBytes) {
    this.dir = dir;
    this.maxBytes = maxBytes;
  }

  Path dir() {
    return dir;
  }

  /** A stored plugin: its name, file, size, modification time, digest and manifest headers. */
  record Plugin(String name, Path file, long size, long modifiedMillis, String sha256, String symbolicName,
      String version) {}

  /** The result of a failed check: an HTTP code, reason and message for the client. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int code;
    final String reason;

    Refused(int code, String reason, String message) {
      super(message, null, false, false);
      this.code = code;
      this.reason = reason;
    }
  }

  /**
   * The plugin name for a requested one: {@code web-filter} and {@code web-filter.jar} both name
   * {@code web-filter}.
   *
   * @throws Refused 400 for names that are not plain file names
   */
  static String normalize(String name) throws Refused {
    if (name == null || name.isBlank()) {
      throw new Refused(400, "BadRequest", "a plugin name is required");
    }
    String n = name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name;
    if (!NAME.matcher(n).matches() || n.contains("..")) {
      throw new Refused(400, "BadRequest", "invalid plugin name \"" + name
          + "\": use letters, digits, '.', '-' and '_' (at most 128), starting with a letter or digit");
    }
    return n;
  }

  List<Plugin> list() throws IOException {
    List<Plugin> plugins = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return plugins;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jar")) {
      for (Path f : files) {
        String n = f.getFileName().toString();
        n = n.substring(0, n.length() - 4);
        if (NAME.matcher(n).matches()) {
          read(n, f).ifPresent(plugins::add);
        }
      }
    }
    plugins.sort((a, b) -> a.name().compareTo(b.name()));
    return plugins;
  }

  Optional<Plugin> get(String name) throws IOException {
    Path f = dir.resolve(name + ".jar");
    return Files.isRegularFile(f) ? read(name, f) : Optional.empty();
  }

  /**
   * Reads and checks an uploaded jar (size, a manifest with {@code Bundle-SymbolicName}).
   *
   * @return the jar's bytes
   * @throws Refused 413 when too large, 400 when it is not a bundle
   */
  byte[] readBundle(InputStream in) throws IOException, Refused {
    byte[] jar = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    if (jar.length > maxBytes) {
      throw new Refused(413, "RequestEntityTooLarge", "the plugin is larger than " + maxBytes + " bytes");
    }
    if (jar.length == 0) {
      throw new Refused(400, "BadRequest", "the request has no body: send the plugin jar");
    }
    Manifest mf = manifest(jar);
    String bsn = mf == null ? null : mf.getMainAttributes().getValue("Bundle-SymbolicName");
    if (bsn == null || bsn.isBlank()) {
      throw new Refused(400, "BadRequest", mf == null
          ? "not a jar with a manifest: a plugin must be an OSGi bundle jar"
          : "not an OSGi bundle: the manifest has no Bundle-SymbolicName");
    }
    return jar;
  }

  /** The symbolic name (without directives) of a checked jar. */
  static String symbolicName(byte[] jar) throws IOException {
    Manifest mf = manifest(jar);
    String bsn = mf == null ? null : mf.getMainAttributes().getValue("Bundle-SymbolicName");
    return bsn == null ? null : bsn.split(";")[0].trim();
  }

  /** Writes a plugin atomically; FileInstall installs it, or updates it if it replaces one. */
  Plugin write(String name, byte[] jar) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve(name + ".jar");
    // Not matched by FileInstall's .*\.jar filter while being written.
    Path tmp = Files.createTempFile(dir, "." + name + "-", ".uploading");
    try {
      Files.write(tmp, jar);
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return read(name, target).orElseThrow();
  }

  /** Deletes a plugin; FileInstall uninstalls it. False if there was none. */
  boolean delete(String name) throws IOException {
    return Files.deleteIfExists(dir.resolve(name + ".jar"));
  }

  private Optional<Plugin> read(String name, Path f) throws IOException {
    byte[] jar;
    try {
      jar = Files.readAllBytes(f);
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    }
    Manifest mf = manifest(jar);
    Attributes main = mf == null ? new Attributes() : mf.getMainAttributes();
    String bsn = main.getValue("Bundle-SymbolicName");
    return Optional.of(new Plugin(name, f, jar.length, Files.getLastModifiedTime(f).toMillis(), sha256(jar),
        bsn == null ? null : bsn.split(";")[0].trim(), main.getValue("Bundle-Version")));
  }

  private static Manifest manifest(byte[] jar) {
    try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
      return in.getManifest();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
