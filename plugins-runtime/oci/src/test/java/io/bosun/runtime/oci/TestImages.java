package io.bosun.runtime.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.runtime.oci.image.Digests;
import io.bosun.runtime.oci.image.Manifests;
import io.bosun.runtime.oci.image.TarWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Tiny OCI images built in tests: layers, config, manifest; as an OCI layout archive or pushed to a registry. */
public final class TestImages {

  public static final Path BUSYBOX = Path.of("/usr/bin/busybox");
  static final ObjectMapper JSON = new ObjectMapper();

  /** A built image: blobs by digest, the manifest and its digest. */
  public record Image(Map<String, byte[]> blobs, byte[] config, String configDigest, byte[] manifest,
      String manifestDigest) {
  }

  /** Writes one layer. */
  @FunctionalInterface
  public interface LayerContent {
    void write(TarWriter tar) throws IOException;
  }

  private TestImages() {
  }

  public static byte[] layer(LayerContent content, boolean gzip) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OutputStream out = gzip ? new GZIPOutputStream(bytes) : bytes;
    try (TarWriter tar = new TarWriter(out)) {
      content.write(tar);
    }
    out.close();
    return bytes.toByteArray();
  }

  /** A busybox-static root filesystem: /bin/busybox with its applets linked, /etc/passwd, /etc/group, /tmp. */
  public static byte[] busyboxLayer() throws IOException {
    byte[] busybox = Files.readAllBytes(BUSYBOX);
    List<String> applets = applets();
    return layer(tar -> {
      tar.directory("bin", 0755);
      tar.file("bin/busybox", 0755, busybox);
      for (String a : applets) {
        if (!a.equals("busybox")) {
          tar.symlink("bin/" + a, "busybox");
        }
      }
      tar.directory("etc", 0755);
      tar.file("etc/passwd", 0644, ("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n"
          + "app:x:1000:1000:app:/home/app:/bin/sh\n").getBytes(StandardCharsets.UTF_8));
      tar.file("etc/group", 0644, "root:x:0:\nnogroup:x:65534:\napp:x:1000:\nwheel:x:10:app\n"
          .getBytes(StandardCharsets.UTF_8));
      tar.directory("tmp", 01777);
      tar.directory("root", 0700);
      tar.directory("www", 0755);
      tar.file("www/index.html", 0644, "hello from bosun\n".getBytes(StandardCharsets.UTF_8));
    }, true);
  }

  private static List<String> applets() throws IOException {
    try {
      Process p = new ProcessBuilder(BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return out.lines().map(String::trim).filter(s -> s.matches("[a-z0-9_.\\[-]+") && !s.contains("[")).toList();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /**
   * An image of these layers with this process config.
   *
   * @param configExtra Entrypoint, Cmd, Env, WorkingDir, User, StopSignal as in an image config
   */
  public static Image image(List<byte[]> layers, Map<String, Object> configExtra) throws IOException {
    Map<String, byte[]> blobs = new LinkedHashMap<>();
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", Manifests.hostArchitecture());
    config.put("os", "linux");
    config.set("config", JSON.valueToTree(configExtra));
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", Manifests.OCI_MANIFEST);
    ArrayNode ls = manifest.putArray("layers");
    for (byte[] l : layers) {
      String d = Digests.of(l);
      blobs.put(d, l);
      diffIds.add(d); // not the uncompressed digest, but nothing here checks diff_ids
      ls.addObject().put("mediaType", Manifests.OCI_LAYER_GZIP).put("digest", d).put("size", l.length);
    }
    byte[] configBytes = JSON.writeValueAsBytes(config);
    String configDigest = Digests.of(configBytes);
    blobs.put(configDigest, configBytes);
    manifest.putObject("config").put("mediaType", Manifests.OCI_CONFIG).put("digest", configDigest)
        .put("size", configBytes.length);
    byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
    return new Image(blobs, configBytes, configDigest, manifestBytes, Digests.of(manifestBytes));
  }

  /** The same image described by a Docker v2 schema 2 manifest (Docker media types). */
  public static Image asDocker(Image image) throws IOException {
    ObjectNode m = (ObjectNode) JSON.readTree(image.manifest());
    m.put("mediaType", Manifests.DOCKER_MANIFEST);
    ((ObjectNode) m.path("config")).put("mediaType", "application/vnd.docker.container.image.v1+json");
    for (var l : m.path("layers")) {
      ((ObjectNode) l).put("mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip");
    }
    byte[] bytes = JSON.writeValueAsBytes(m);
    return new Image(image.blobs(), image.config(), image.configDigest(), bytes, Digests.of(bytes));
  }

  /** The busybox image running {@code sh} by default. */
  public static Image busybox() throws IOException {
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("Cmd", List.of("sh"));
    cfg.put("Env", List.of("PATH=/bin", "IMAGE_VAR=from-image"));
    return image(List.of(busyboxLayer()), cfg);
  }

  /** An OCI image layout archive holding {@code image}, annotated with {@code refName}. */
  public static void writeLayout(Image image, String refName, Path archive) throws IOException {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", Manifests.OCI_INDEX);
    ObjectNode d = index.putArray("manifests").addObject();
    d.put("mediaType", Manifests.OCI_MANIFEST).put("digest", image.manifestDigest()).put("size",
        image.manifest().length);
    if (refName != null) {
      d.putObject("annotations").put("org.opencontainers.image.ref.name", refName);
    }
    try (OutputStream out = Files.newOutputStream(archive); TarWriter tar = new TarWriter(out)) {
      tar.file("oci-layout", 0644, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
      tar.file("index.json", 0644, JSON.writeValueAsBytes(index));
      tar.directory("blobs", 0755);
      tar.directory("blobs/sha256", 0755);
      for (Map.Entry<String, byte[]> b : image.blobs().entrySet()) {
        tar.file("blobs/sha256/" + b.getKey().substring(7), 0644, b.getValue());
      }
      tar.file("blobs/sha256/" + image.manifestDigest().substring(7), 0644, image.manifest());
    }
  }

  /** Pushes an image to a registry: monolithic blob uploads (POST, then PUT with the digest), then the manifest. */
  public static void push(HttpClient http, String registry, String repository, String tag, Image image)
      throws IOException, InterruptedException {
    URI base = URI.create("http://" + registry);
    for (Map.Entry<String, byte[]> b : image.blobs().entrySet()) {
      HttpResponse<String> start = http.send(HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/blobs/uploads/"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (start.statusCode() != 202) {
        throw new IOException("upload start: " + start.statusCode() + " " + start.body());
      }
      String location = start.headers().firstValue("Location").orElseThrow();
      URI put = base.resolve(location);
      String sep = put.toString().contains("?") ? "&" : "?";
      HttpResponse<String> done = http.send(HttpRequest.newBuilder(URI.create(put + sep + "digest=" + b.getKey()))
          .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(b.getValue()))
          .build(), HttpResponse.BodyHandlers.ofString());
      if (done.statusCode() != 201) {
        throw new IOException("upload of " + b.getKey() + ": " + done.statusCode() + " " + done.body());
      }
    }
    String type = JSON.readTree(image.manifest()).path("mediaType").asText(Manifests.OCI_MANIFEST);
    HttpResponse<String> m = http.send(HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/manifests/" + tag))
        .header("Content-Type", type).PUT(HttpRequest.BodyPublishers.ofByteArray(image.manifest()))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (m.statusCode() != 201) {
      throw new IOException("manifest put: " + m.statusCode() + " " + m.body());
    }
  }

  static List<String> list(String... s) {
    return new ArrayList<>(List.of(s));
  }
}
