package io.bosun.runtime.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.runtime.oci.image.ImageReference;
import io.bosun.runtime.oci.image.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images from a folder of OCI layout archives ({@code *.tar}): each new or changed archive is
 * imported when a pull asks, and the names it provides are served from there (a node without a
 * registry, or air-gapped). The archive's file name without {@code .tar} is the repository for
 * images annotated with a tag only. What was imported (file, size, time) is remembered.
 */
final class ArchiveImports {

  private static final Logger LOG = LoggerFactory.getLogger(ArchiveImports.class);

  private final ImageStore store;
  private final Path dir;
  private final ObjectMapper json;
  private final Path record;
  private final Map<String, String> imported = new HashMap<>(); // file name -> "size mtime"
  private final Map<String, String> names = new HashMap<>();    // normalized name -> image id

  ArchiveImports(ImageStore store, Path dir, ObjectMapper json, Path record) throws IOException {
    this.store = store;
    this.dir = dir;
    this.json = json;
    this.record = record;
    if (Files.exists(record)) {
      JsonNode n = json.readTree(record.toFile());
      n.path("files").fields().forEachRemaining(e -> imported.put(e.getKey(), e.getValue().asText()));
      n.path("names").fields().forEachRemaining(e -> names.put(e.getKey(), e.getValue().asText()));
    }
  }

  /** The image an archive provides for {@code name}, importing new archives first; empty if none does. */
  synchronized Optional<ImageStore.Image> lookup(String name) throws IOException {
    if (dir == null || !Files.isDirectory(dir)) {
      return Optional.empty();
    }
    scan();
    String key = key(name);
    String id = key == null ? null : names.get(key);
    return id == null ? Optional.empty() : store.find(id);
  }

  private void scan() throws IOException {
    boolean changed = false;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".tar")).sorted().toList()) {
        String file = f.getFileName().toString();
        String stamp = Files.size(f) + " " + Files.getLastModifiedTime(f).toMillis();
        if (stamp.equals(imported.get(file))) {
          continue;
        }
        String repo = file.substring(0, file.length() - 4);
        try {
          for (ImageStore.Image i : store.importArchive(f, validRepo(repo) ? repo : null)) {
            for (String tag : i.repoTags()) {
              names.put(tag, i.id());
            }
            for (String digest : i.repoDigests()) {
              names.put(digest, i.id());
            }
          }
          LOG.info("Imported image archive {}", f);
        } catch (IOException | RuntimeException e) {
          LOG.warn("Cannot import image archive {}: {}", f, e.toString());
        }
        imported.put(file, stamp);
        changed = true;
      }
    }
    if (changed) {
      ObjectNode n = json.createObjectNode();
      n.set("files", json.valueToTree(imported));
      n.set("names", json.valueToTree(names));
      json.writeValue(record.toFile(), n);
    }
  }

  private static boolean validRepo(String repo) {
    try {
      ImageReference.parse(repo);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String key(String name) {
    try {
      ImageReference r = ImageReference.parse(name);
      return r.digest() != null ? r.digested(r.digest()) : r.tagged();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
