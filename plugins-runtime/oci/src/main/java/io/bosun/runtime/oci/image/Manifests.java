package io.bosun.runtime.oci.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** OCI and Docker v2 manifests and indexes: media types, parsing, platform choice. */
public final class Manifests {

  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
  /** What a pull accepts, in the order of preference. */
  public static final String ACCEPT = String.join(", ", OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST);

  private Manifests() {
  }

  /** A content descriptor. {@code os}/{@code architecture}/{@code variant} only in indexes. */
  public record Descriptor(String mediaType, String digest, long size, String os, String architecture,
      String variant, String refName) {
  }

  /**
   * A parsed manifest or index.
   *
   * @param index     whether it is an index (manifest list)
   * @param config    the image config (manifests only)
   * @param layers    the layers, lowest first (manifests only)
   * @param manifests the platform manifests (indexes only)
   */
  public record Parsed(String mediaType, boolean index, Descriptor config, List<Descriptor> layers,
      List<Descriptor> manifests) {
  }

  /**
   * Parses a manifest or an index.
   *
   * @param contentType the media type the registry sent; used when the document names none
   */
  public static Parsed parse(ObjectMapper json, byte[] bytes, String contentType) throws IOException {
    JsonNode n = json.readTree(bytes);
    if (n == null || !n.isObject()) {
      throw new IOException("not a manifest");
    }
    String mt = n.path("mediaType").asText("");
    if (mt.isEmpty() && contentType != null) {
      mt = contentType.split(";")[0].trim();
    }
    if (n.path("schemaVersion").asInt() == 1 || mt.startsWith("application/vnd.docker.distribution.manifest.v1")) {
      throw new IOException("Docker schema 1 manifests are not supported");
    }
    boolean index = n.has("manifests") || mt.equals(OCI_INDEX) || mt.equals(DOCKER_LIST);
    if (index) {
      List<Descriptor> ms = new ArrayList<>();
      for (JsonNode m : n.path("manifests")) {
        ms.add(descriptor(m));
      }
      return new Parsed(mt.isEmpty() ? OCI_INDEX : mt, true, null, List.of(), ms);
    }
    if (!n.has("config")) {
      throw new IOException("manifest without config (media type " + mt + ")");
    }
    List<Descriptor> layers = new ArrayList<>();
    for (JsonNode l : n.path("layers")) {
      layers.add(descriptor(l));
    }
    return new Parsed(mt.isEmpty() ? OCI_MANIFEST : mt, false, descriptor(n.path("config")), layers, List.of());
  }

  private static Descriptor descriptor(JsonNode d) throws IOException {
    String digest = d.path("digest").asText("");
    if (!digest.matches("sha256:[0-9a-f]{64}")) {
      throw new IOException("unsupported or missing digest: " + digest);
    }
    JsonNode p = d.path("platform");
    JsonNode ann = d.path("annotations");
    String ref = ann.path("io.containerd.image.name").asText(ann.path("org.opencontainers.image.ref.name").asText(""));
    return new Descriptor(d.path("mediaType").asText(""), digest, d.path("size").asLong(), p.path("os").asText(""),
        p.path("architecture").asText(""), p.path("variant").asText(""), ref);
  }

  /**
   * The manifest of an index for {@code os}/{@code arch}; an entry without platform counts as a
   * match only when nothing matches exactly (single-platform OCI layouts often omit it).
   */
  public static Descriptor pick(Parsed index, String os, String arch) throws IOException {
    Descriptor fallback = null;
    for (Descriptor d : index.manifests()) {
      if (d.os().equals(os) && d.architecture().equals(arch)) {
        return d;
      }
      if (d.os().isEmpty() && d.architecture().isEmpty() && fallback == null
          && !d.mediaType().equals(OCI_INDEX) && !d.mediaType().equals(DOCKER_LIST)) {
        fallback = d;
      }
    }
    if (fallback != null) {
      return fallback;
    }
    List<String> have = index.manifests().stream().map(d -> d.os() + "/" + d.architecture()).toList();
    throw new IOException("no manifest for " + os + "/" + arch + " (the image has " + have + ")");
  }

  /** The GOARCH name of this JVM's machine (amd64, arm64 ...). */
  public static String hostArchitecture() {
    String a = System.getProperty("os.arch", "amd64");
    return switch (a) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i686" -> "386";
      default -> a;
    };
  }
}
