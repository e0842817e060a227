package io.bosun.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.codec.DecodeException;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.defaulting.Defaulter;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.values.Times;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static pods from a manifest folder, as upstream's file source: every {@code .yaml}, {@code .yml}
 * and {@code .json} file holding a Pod becomes a pod named {@code <name>-<nodeName>} (namespace
 * {@code default} unless set), with the API's defaults, bound to this node, and a uid hashed from
 * the node, the file and its content, so an edited file is a new pod. The kubelet runs them itself
 * and shows each as a mirror pod in the API.
 */
final class StaticPods {

  private static final Logger LOG = LoggerFactory.getLogger(StaticPods.class);

  private final Path dir;
  private final String nodeName;
  private final PodManager pods;
  private final Clock clock;
  private final ApiCodec codec = new ApiCodec();
  private final Defaulter defaulter = new Defaulter();
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  private final Map<Path, String> reported = new ConcurrentHashMap<>();

  StaticPods(Path dir, String nodeName, PodManager pods, Clock clock) {
    this.dir = dir;
    this.nodeName = nodeName;
    this.pods = pods;
    this.clock = clock;
  }

  /** Reads the folder and hands the pods to the pod manager (a missing folder holds none). */
  void scan() {
    List<Pod> found = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.sorted().toList()) {
          String n = f.getFileName().toString();
          if (n.startsWith(".") || !(n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"))
              || !Files.isRegularFile(f)) {
            continue;
          }
          try {
            found.add(read(f));
            reported.remove(f);
          } catch (IOException | DecodeException | IllegalArgumentException e) {
            String msg = e.getMessage();
            if (!msg.equals(reported.put(f, msg))) {
              LOG.warn("Static pod manifest {} is not usable: {}", f, msg);
            }
          }
        }
      } catch (IOException e) {
        LOG.warn("Cannot read the static pod folder {}: {}", dir, e.toString());
        return; // keep what runs rather than stopping everything on a read error
      }
    }
    pods.setStatic(found);
  }

  Pod read(Path file) throws IOException, DecodeException {
    byte[] content = Files.readAllBytes(file);
    JsonNode tree = codec.parse(content, !file.getFileName().toString().endsWith(".json"), false);
    if (!"Pod".equals(tree.path("kind").asText()) || !"v1".equals(tree.path("apiVersion").asText())) {
      throw new IllegalArgumentException("not a v1 Pod (kind " + tree.path("kind").asText() + ")");
    }
    Pod pod = codec.convert(tree, Pod.class).value();
    ObjectMeta meta = pod.getMetadata() == null ? new ObjectMeta() : pod.getMetadata();
    if (meta.getName() == null || meta.getName().isEmpty()) {
      throw new IllegalArgumentException("the pod has no name");
    }
    pod.setMetadata(meta);
    if (pod.getSpec() == null || pod.getSpec().getContainers() == null || pod.getSpec().getContainers().isEmpty()) {
      throw new IllegalArgumentException("the pod has no containers");
    }
    String hash = hash(file, content);
    meta.setName(meta.getName() + "-" + nodeName.toLowerCase(Locale.ROOT));
    if (meta.getNamespace() == null || meta.getNamespace().isEmpty()) {
      meta.setNamespace("default");
    }
    meta.setUid(hash);
    Map<String, String> annotations = new LinkedHashMap<>(meta.getAnnotations() == null ? Map.of()
        : meta.getAnnotations());
    annotations.put(PodManager.CONFIG_HASH, hash);
    annotations.put(PodManager.CONFIG_SOURCE, "file");
    annotations.put("kubernetes.io/config.seen", seen.computeIfAbsent(hash,
        h -> Times.formatSeconds(clock.instant())));
    meta.setAnnotations(annotations);
    meta.setCreationTimestamp(null);
    meta.setResourceVersion("0");
    pod.getSpec().setNodeName(nodeName);
    defaulter.apply(pod);
    return pod;
  }

  private String hash(Path file, byte[] content) {
    try {
      MessageDigest md = MessageDigest.getInstance("MD5");
      md.update(nodeName.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(file.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(content);
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
