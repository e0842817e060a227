package io.bosun.itests.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * Debian's docker-registry on a free loopback port (storage in a test folder), and tiny images built
 * from busybox-static pushed to it over the distribution API, as the oci runtime's own tests do
 * ({@code plugins-runtime/oci} TestImages/LocalRegistry): one gzip layer with /bin/busybox and its
 * applets, /etc/passwd, /etc/group, /tmp and extra files; an OCI manifest; monolithic blob uploads.
 * Node processes pull from it over plain HTTP (loopback registries need no configuration).
 */
final class LoopbackRegistry implements AutoCloseable {

  static final Path BINARY = Path.of("/usr/bin/docker-registry");
  static final Path BUSYBOX = Path.of("/usr/bin/busybox");

  /** A pushed image: its manifest digest (what {@code imageID} reports) and config digest. */
  record Pushed(String name, String manifestDigest, String configDigest) {
  }

  final String address;
  private final Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Process process;

  LoopbackRegistry(Path dir) throws Exception {
    this.dir = Files.createDirectories(dir);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    address = "127.0.0.1:" + port;
    Files.createDirectories(dir.resolve("storage"));
    Path config = dir.resolve("config.yml");
    Files.writeString(config, """
        version: 0.1
        log:
          level: warn
        storage:
          filesystem:
            rootdirectory: %s
          delete:
            enabled: true
        http:
          addr: %s
        """.formatted(dir.resolve("storage"), address));
    process = new ProcessBuilder(BINARY.toString(), "serve", config.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("registry.log").toFile()).start();
    try {
      Await.until(Duration.ofSeconds(20), () -> {
        if (!process.isAlive()) {
          throw new IOException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
        }
        try {
          return http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/v2/")).timeout(Duration.ofSeconds(2))
              .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200 ? null : "registry not ready";
        } catch (IOException notYet) {
          return "registry: " + notYet;
        }
      });
    } catch (Exception | AssertionError e) {
      close();
      throw e;
    }
  }

  /**
   * Builds a busybox-static image with {@code files} (path relative to the root, content) added, and
   * pushes it as {@code repository:tag}.
   */
  Pushed pushBusybox(String repository, String tag, Map<String, String> files) throws Exception {
    byte[] layer = busyboxLayer(files);
    byte[] diff = gunzip(layer);
    String layerDigest = sha256(layer);
    String config = """
        {"architecture":"%s","os":"linux","config":{"Cmd":["sh"],"Env":["PATH=/bin"]},\
        "rootfs":{"type":"layers","diff_ids":["%s"]}}""".formatted(architecture(), sha256(diff));
    byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
    String configDigest = sha256(configBytes);
    String manifest = """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
        "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},\
        "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%d}]}"""
        .formatted(configDigest, configBytes.length, layerDigest, layer.length);
    byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
    Map<String, byte[]> blobs = new LinkedHashMap<>();
    blobs.put(layerDigest, layer);
    blobs.put(configDigest, configBytes);
    URI base = URI.create("http://" + address);
    for (Map.Entry<String, byte[]> b : blobs.entrySet()) {
      HttpResponse<String> start = http.send(HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/blobs/uploads/"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (start.statusCode() != 202) {
        throw new IOException("upload start: " + start.statusCode() + " " + start.body());
      }
      URI put = base.resolve(start.headers().firstValue("Location").orElseThrow());
      String sep = put.toString().contains("?") ? "&" : "?";
      HttpResponse<String> done = http.send(HttpRequest.newBuilder(URI.create(put + sep + "digest=" + b.getKey()))
          .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(b.getValue()))
          .build(), HttpResponse.BodyHandlers.ofString());
      if (done.statusCode() != 201) {
        throw new IOException("upload of " + b.getKey() + ": " + done.statusCode() + " " + done.body());
      }
    }
    HttpResponse<String> m = http.send(HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/manifests/" + tag))
        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifestBytes)).build(), HttpResponse.BodyHandlers.ofString());
    if (m.statusCode() != 201) {
      throw new IOException("manifest put: " + m.statusCode() + " " + m.body());
    }
    return new Pushed(address + "/" + repository + ":" + tag, sha256(manifestBytes), configDigest);
  }

  /** The layer, made with tar(1) from a folder: busybox, a link per applet, users, groups, /tmp, the files. */
  private byte[] busyboxLayer(Map<String, String> files) throws Exception {
    Path root = Files.createTempDirectory(dir, "layer");
    Files.createDirectories(root.resolve("bin"));
    Files.copy(BUSYBOX, root.resolve("bin/busybox"));
    for (String applet : run(List.of(BUSYBOX.toString(), "--list")).lines().map(String::trim)
        .filter(a -> a.matches("[a-z0-9_.-]+") && !a.equals("busybox")).toList()) {
      Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
    }
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n"
        + "nobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n");
    Files.writeString(root.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
    Files.createDirectories(root.resolve("tmp"));
    Files.createDirectories(root.resolve("root"));
    List<String> entries = new ArrayList<>(List.of("bin", "etc", "tmp", "root"));
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path p = root.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue());
      String top = Path.of(f.getKey()).getName(0).toString();
      if (!entries.contains(top)) {
        entries.add(top);
      }
    }
    Path tgz = dir.resolve(root.getFileName() + ".tar.gz");
    List<String> tar = new ArrayList<>(List.of("tar", "--numeric-owner", "--owner=0", "--group=0", "-czf",
        tgz.toString(), "-C", root.toString()));
    tar.addAll(entries);
    run(List.of("chmod", "1777", root.resolve("tmp").toString()));
    run(tar);
    byte[] bytes = Files.readAllBytes(tgz);
    run(List.of("rm", "-rf", root.toString(), tgz.toString()));
    return bytes;
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  private static byte[] gunzip(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String architecture() {
    return switch (System.getProperty("os.arch")) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> System.getProperty("os.arch");
    };
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    http.close();
  }
}
