package io.bosun.runtime.oci.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's image store, content-addressed:
 * <pre>
 * root/blobs/sha256/HEX          manifests, configs and (compressed) layers, verified on arrival
 * root/images/HEX/image.json     one image, by its config digest: names, manifest, layers, size
 * root/images/HEX/rootfs/        its layers applied in order (whiteouts resolved): the read-only
 *                                lower half of its containers' root filesystems
 * </pre>
 * Images come from registries ({@link #pull}) or OCI image layout archives ({@link #importArchive}).
 * A tag names one image at a time: pulling a moved tag takes it from the old image.
 *
 * <p>Thread-safe: names change under one lock; a pull downloads and unpacks outside it, and
 * concurrent pulls of the same image share one unpack.
 */
public final class ImageStore {

  private static final Logger LOG = LoggerFactory.getLogger(ImageStore.class);

  /**
   * An image on the node.
   *
   * @param id             {@code sha256:<config digest>}
   * @param manifestDigest the platform manifest it was installed from
   * @param repoTags       {@code docker.io/library/busybox:1.36} ...
   * @param repoDigests    {@code docker.io/library/busybox@sha256:...} (the digest a tag pointed to)
   * @param size           config + compressed layers, bytes
   * @param layers         layer digests, lowest first
   * @param config         how to run it
   */
  public record Image(String id, String manifestDigest, List<String> repoTags, List<String> repoDigests, long size,
      List<String> layers, ImageConfig config) {
    public Image {
      repoTags = List.copyOf(repoTags);
      repoDigests = List.copyOf(repoDigests);
      layers = List.copyOf(layers);
    }
  }

  /** Fetches a blob into a file (a registry download, or a copy out of an archive). */
  @FunctionalInterface
  private interface BlobSource {
    void fetch(Manifests.Descriptor d, Path target) throws IOException;
  }

  private final Path root;
  private final Path blobs;
  private final Path images;
  private final Path tmp;
  private final ObjectMapper json;
  private final boolean chown;
  private final Object lock = new Object();
  private final Map<String, Image> byId = new ConcurrentHashMap<>();
  private final Map<String, Object> unpackLocks = new ConcurrentHashMap<>();

  /**
   * Opens (or creates) a store and loads its images.
   *
   * @param chown keep layer files' owners (root only)
   */
  public ImageStore(Path root, ObjectMapper json, boolean chown) throws IOException {
    this.root = root.toAbsolutePath();
    this.blobs = this.root.resolve("blobs/sha256");
    this.images = this.root.resolve("images");
    this.tmp = this.root.resolve("tmp");
    this.json = json;
    this.chown = chown;
    Files.createDirectories(blobs);
    Files.createDirectories(images);
    LayerUnpacker.deleteTree(tmp); // half-done pulls of a previous life
    Files.createDirectories(tmp);
    load();
  }

  private void load() throws IOException {
    try (Stream<Path> dirs = Files.list(images)) {
      for (Path d : dirs.toList()) {
        Path meta = d.resolve("image.json");
        if (!Files.exists(meta) || !Files.exists(d.resolve("rootfs"))) {
          LayerUnpacker.deleteTree(d); // an unpack that never finished
          continue;
        }
        try {
          Image image = readMeta(json.readTree(meta.toFile()));
          byId.put(image.id(), image);
        } catch (IOException | RuntimeException e) {
          LOG.warn("Ignoring unreadable image record {}: {}", meta, e.toString());
        }
      }
    }
  }

  // ------------------------------------------------------------------ queries

  /** An image by id ({@code sha256:...} or its hex), tag or digest reference; empty if absent. */
  public Optional<Image> find(String name) {
    String n = name.trim();
    String idForm = n.startsWith("sha256:") ? n : "sha256:" + n;
    Image direct = byId.get(idForm);
    if (direct != null) {
      return Optional.of(direct);
    }
    ImageReference ref;
    try {
      ref = ImageReference.parse(n);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    for (Image i : byId.values()) {
      if (ref.digest() != null) {
        if (i.repoDigests().contains(ref.digested(ref.digest())) || (i.manifestDigest().equals(ref.digest())
            && i.repoDigests().stream().anyMatch(d -> d.startsWith(ref.name() + "@")))) {
          return Optional.of(i);
        }
      } else if (i.repoTags().contains(ref.tagged())) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  public List<Image> list() {
    return byId.values().stream().sorted(Comparator.comparing(Image::id)).toList();
  }

  /** The unpacked root filesystem of an image: shared by its containers, never to be written. */
  public Path rootfs(Image image) {
    return images.resolve(Digests.hex(image.id())).resolve("rootfs");
  }

  // ------------------------------------------------------------------ pull

  /** Pulls an image from its registry, installing what is missing. */
  public Image pull(RegistryClient client, String name, RegistryClient.Credentials creds) throws IOException {
    ImageReference ref = ImageReference.parse(name);
    RegistryClient.Resolved r = client.resolve(ref, creds);
    BlobSource source = (d, target) -> client.blob(ref, d.digest(), d.size(), target, creds);
    return install(ref, r.topDigest(), r.manifestDigest(), r.manifest(), r.parsed(), source);
  }

  private Image install(ImageReference ref, String topDigest, String manifestDigest, byte[] manifest,
      Manifests.Parsed parsed, BlobSource source) throws IOException {
    storeBytes(manifestDigest, manifest);
    Manifests.Descriptor cd = parsed.config();
    ensureBlob(cd, source);
    JsonNode configDoc = json.readTree(blobs.resolve(Digests.hex(cd.digest())).toFile());
    String id = cd.digest();
    String hex = Digests.hex(id);
    synchronized (unpackLocks.computeIfAbsent(id, k -> new Object())) {
      if (!byId.containsKey(id)) {
        for (Manifests.Descriptor l : parsed.layers()) {
          ensureBlob(l, source);
        }
        Path work = tmp.resolve(hex + "-" + UUID.randomUUID());
        try {
          LayerUnpacker unpacker = new LayerUnpacker(work.resolve("rootfs"), chown);
          for (Manifests.Descriptor l : parsed.layers()) {
            try (InputStream in = Files.newInputStream(blobs.resolve(Digests.hex(l.digest())))) {
              unpacker.apply(in);
            } catch (IOException e) {
              throw new IOException("cannot unpack layer " + l.digest() + ": " + e.getMessage(), e);
            }
          }
          long size = cd.size() + parsed.layers().stream().mapToLong(Manifests.Descriptor::size).sum();
          Image image = new Image(id, manifestDigest, List.of(), List.of(), size,
              parsed.layers().stream().map(Manifests.Descriptor::digest).toList(), ImageConfig.of(configDoc));
          Path dir = images.resolve(hex);
          LayerUnpacker.deleteTree(dir);
          writeMeta(work, image);
          move(work, dir);
          byId.put(id, image);
        } finally {
          LayerUnpacker.deleteTree(work);
        }
      }
    }
    if (ref != null) {
      name(id, ref, topDigest);
    }
    return byId.get(id);
  }

  /** Gives {@code ref}'s tag (taken from any other image) and digest reference to image {@code id}. */
  private void name(String id, ImageReference ref, String topDigest) throws IOException {
    synchronized (lock) {
      String tag = ref.tagged();
      if (tag != null) {
        for (Image other : List.copyOf(byId.values())) {
          if (!other.id().equals(id) && other.repoTags().contains(tag)) {
            List<String> tags = new ArrayList<>(other.repoTags());
            tags.remove(tag);
            update(new Image(other.id(), other.manifestDigest(), tags, other.repoDigests(), other.size(),
                other.layers(), other.config()));
          }
        }
      }
      Image i = byId.get(id);
      Set<String> tags = new LinkedHashSet<>(i.repoTags());
      if (tag != null) {
        tags.add(tag);
      }
      Set<String> digests = new LinkedHashSet<>(i.repoDigests());
      if (topDigest != null) {
        digests.add(ref.digested(topDigest));
      }
      update(new Image(i.id(), i.manifestDigest(), List.copyOf(tags), List.copyOf(digests), i.size(), i.layers(),
          i.config()));
    }
  }

  private void update(Image image) throws IOException {
    Path dir = images.resolve(Digests.hex(image.id()));
    writeMeta(dir, image);
    byId.put(image.id(), image);
  }

  // ------------------------------------------------------------------ archives

  /**
   * Imports every image of an OCI image layout archive (a tar of {@code oci-layout},
   * {@code index.json} and {@code blobs/}). An image is named by its index annotation
   * ({@code io.containerd.image.name}, else {@code org.opencontainers.image.ref.name}: a full
   * name, or a tag appended to {@code defaultName}); unnamed images are reachable by id only.
   *
   * @param defaultName the repository for images annotated with a tag only; null for none
   * @return the images imported
   */
  public List<Image> importArchive(Path archive, String defaultName) throws IOException {
    Path work = tmp.resolve("import-" + UUID.randomUUID());
    Files.createDirectories(work);
    try {
      Map<String, Path> archiveBlobs = new HashMap<>();
      byte[] indexBytes = null;
      try (TarReader tar = new TarReader(Files.newInputStream(archive))) {
        for (TarReader.Entry e; (e = tar.next()) != null; ) {
          String name = LayerUnpacker.clean(e.name());
          if (name == null || e.type() != TarReader.Type.FILE) {
            continue;
          }
          if (name.equals("index.json")) {
            indexBytes = tar.content().readAllBytes();
          } else if (name.startsWith("blobs/sha256/")) {
            String digest = "sha256:" + name.substring("blobs/sha256/".length());
            Path f = work.resolve(Digests.hex(digest));
            MessageDigest md = Digests.sha256();
            try (OutputStream out = Files.newOutputStream(f)) {
              byte[] buf = new byte[65536];
              InputStream in = tar.content();
              for (int k; (k = in.read(buf)) >= 0; ) {
                md.update(buf, 0, k);
                out.write(buf, 0, k);
              }
            }
            if (!Digests.of(md).equals(digest)) {
              throw new IOException("archive blob " + digest + " does not match its digest");
            }
            archiveBlobs.put(digest, f);
          }
        }
      }
      if (indexBytes == null) {
        throw new IOException("not an OCI image layout archive: no index.json");
      }
      BlobSource source = (d, target) -> {
        Path f = archiveBlobs.get(d.digest());
        if (f == null) {
          throw new IOException("archive lacks blob " + d.digest());
        }
        Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
      };
      List<Image> out = new ArrayList<>();
      Manifests.Parsed index = Manifests.parse(json, indexBytes, Manifests.OCI_INDEX);
      for (Manifests.Descriptor d : index.manifests()) {
        byte[] bytes = Files.readAllBytes(required(archiveBlobs, d.digest()));
        Manifests.Parsed p = Manifests.parse(json, bytes, d.mediaType());
        String manifestDigest = d.digest();
        if (p.index()) {
          Manifests.Descriptor m = Manifests.pick(p, "linux", Manifests.hostArchitecture());
          manifestDigest = m.digest();
          bytes = Files.readAllBytes(required(archiveBlobs, m.digest()));
          p = Manifests.parse(json, bytes, m.mediaType());
        }
        ImageReference ref = archiveName(d.refName(), defaultName);
        out.add(install(ref, ref == null ? null : d.digest(), manifestDigest, bytes, p, source));
      }
      return out;
    } finally {
      LayerUnpacker.deleteTree(work);
    }
  }

  private static Path required(Map<String, Path> blobs, String digest) throws IOException {
    Path f = blobs.get(digest);
    if (f == null) {
      throw new IOException("archive lacks blob " + digest);
    }
    return f;
  }

  static ImageReference archiveName(String refName, String defaultName) {
    try {
      if (refName == null || refName.isEmpty()) {
        return defaultName == null ? null : ImageReference.parse(defaultName);
      }
      if (refName.contains("/") || refName.contains(":") || defaultName == null) {
        // a full name; a bare word is a tag only when a default name is given
        return ImageReference.parse(refName.contains("/") || refName.contains(":") ? refName : refName + ":latest");
      }
      ImageReference base = ImageReference.parse(defaultName);
      return ImageReference.parse(base.name() + ":" + refName);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ removal

  /**
   * Removes an image with all its names, and the blobs no other image uses. Absent: nothing to do.
   *
   * @param inUse whether an image id is still used by a container
   * @throws IllegalStateException if the image is in use
   */
  public void remove(String name, Predicate<String> inUse) throws IOException {
    Optional<Image> found = find(name);
    if (found.isEmpty()) {
      return;
    }
    Image image = found.get();
    synchronized (unpackLocks.computeIfAbsent(image.id(), k -> new Object())) {
      synchronized (lock) {
        if (inUse.test(image.id())) {
          throw new IllegalStateException("image " + name + " (" + image.id() + ") is in use by a container");
        }
        byId.remove(image.id());
      }
      Path dir = images.resolve(Digests.hex(image.id()));
      // Renamed first so that a crash mid-delete leaves no half image behind.
      Path doomed = tmp.resolve("remove-" + UUID.randomUUID());
      move(dir, doomed);
      LayerUnpacker.deleteTree(doomed);
      Set<String> keep = new HashSet<>();
      for (Image other : byId.values()) {
        keep.add(other.id());
        keep.add(other.manifestDigest());
        keep.addAll(other.layers());
      }
      for (String d : concat(image.id(), image.manifestDigest(), image.layers())) {
        if (!keep.contains(d)) {
          Files.deleteIfExists(blobs.resolve(Digests.hex(d)));
        }
      }
    }
  }

  private static List<String> concat(String a, String b, List<String> rest) {
    List<String> out = new ArrayList<>(List.of(a, b));
    out.addAll(rest);
    return out;
  }

  // ------------------------------------------------------------------ files

  private void ensureBlob(Manifests.Descriptor d, BlobSource source) throws IOException {
    Path f = blobs.resolve(Digests.hex(d.digest()));
    if (Files.exists(f) && (d.size() <= 0 || Files.size(f) == d.size())) {
      return; // verified when it arrived
    }
    Path part = tmp.resolve(Digests.hex(d.digest()) + "-" + UUID.randomUUID());
    try {
      source.fetch(d, part);
      verify(part, d.digest());
      move(part, f);
    } finally {
      Files.deleteIfExists(part);
    }
  }

  private void storeBytes(String digest, byte[] bytes) throws IOException {
    if (!Digests.of(bytes).equals(digest)) {
      throw new IOException("content does not match digest " + digest);
    }
    Path f = blobs.resolve(Digests.hex(digest));
    if (!Files.exists(f)) {
      Path part = tmp.resolve(Digests.hex(digest) + "-" + UUID.randomUUID());
      Files.write(part, bytes);
      move(part, f);
    }
  }

  private static void verify(Path file, String digest) throws IOException {
    MessageDigest md = Digests.sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[65536];
      for (int k; (k = in.read(buf)) >= 0; ) {
        md.update(buf, 0, k);
      }
    }
    if (!Digests.of(md).equals(digest)) {
      throw new IOException("blob does not match its digest " + digest);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void writeMeta(Path dir, Image i) throws IOException {
    ObjectNode n = json.createObjectNode();
    n.put("id", i.id());
    n.put("manifestDigest", i.manifestDigest());
    i.repoTags().forEach(n.putArray("repoTags")::add);
    i.repoDigests().forEach(n.putArray("repoDigests")::add);
    n.put("size", i.size());
    i.layers().forEach(n.putArray("layers")::add);
    ObjectNode c = n.putObject("config");
    i.config().entrypoint().forEach(c.putArray("Entrypoint")::add);
    i.config().cmd().forEach(c.putArray("Cmd")::add);
    i.config().env().forEach(c.putArray("Env")::add);
    c.put("WorkingDir", i.config().workingDir());
    c.put("User", i.config().user());
    c.put("StopSignal", i.config().stopSignal());
    Files.createDirectories(dir);
    Path part = dir.resolve("image.json.tmp");
    json.writeValue(part.toFile(), n);
    move(part, dir.resolve("image.json"));
  }

  private static Image readMeta(JsonNode n) {
    return new Image(n.path("id").asText(), n.path("manifestDigest").asText(), strings(n.path("repoTags")),
        strings(n.path("repoDigests")), n.path("size").asLong(), strings(n.path("layers")), ImageConfig.of(n));
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    if (a instanceof ArrayNode arr) {
      arr.forEach(e -> out.add(e.asText()));
    }
    return out;
  }
}
