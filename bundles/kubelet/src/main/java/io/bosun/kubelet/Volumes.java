package io.bosun.kubelet;

import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.DownwardAPIVolumeFile;
import io.bosun.api.core.v1.HostPathVolumeSource;
import io.bosun.api.core.v1.KeyToPath;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Secret;
import io.bosun.api.core.v1.Volume;
import io.bosun.api.core.v1.VolumeMount;
import io.bosun.api.core.v1.VolumeProjection;
import io.bosun.runtime.spi.Mount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Prepares a pod's volumes on the node, under {@code <rootDir>/pods/<uid>/volumes/<plugin>/<name>}
 * as upstream lays them out: {@code emptyDir} (a folder; {@code medium: Memory} is a folder too),
 * {@code hostPath} (with upstream's type checks), and {@code configMap}, {@code secret},
 * {@code downwardAPI} and {@code projected} (files written atomically, rewritten when the source
 * changes, on every sync). Other volume types fail the pod's start with a clear message until
 * the storage plugins arrive.
 */
final class Volumes {

  /** A volume cannot be set up (upstream's {@code FailedMount}); the pod waits and retries. */
  static final class VolumeException extends Exception {
    private static final long serialVersionUID = 1L;

    VolumeException(String message) {
      super(message);
    }
  }

  private static final int DEFAULT_MODE = 0644;

  private final Path podsDir;
  private final ObjectLookup lookup;

  Volumes(Path rootDir, ObjectLookup lookup) {
    this.podsDir = rootDir.resolve("pods");
    this.lookup = lookup;
  }

  /** The pod's folder. */
  Path podDir(String uid) {
    return podsDir.resolve(uid);
  }

  /**
   * Sets up (or refreshes) every volume of the pod. Idempotent.
   *
   * @return each volume's folder or file on the node, by volume name
   */
  Map<String, Path> setup(Pod pod, EnvResolver.Context ctx) throws VolumeException {
    Map<String, Path> out = new LinkedHashMap<>();
    String uid = pod.getMetadata().getUid();
    Path volumes = podDir(uid).resolve("volumes");
    List<Volume> specs = pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
    for (Volume v : specs) {
      String name = v.getName();
      try {
        if (v.getEmptyDir() != null) {
          Path dir = volumes.resolve("kubernetes.io~empty-dir").resolve(name);
          Files.createDirectories(dir);
          out.put(name, dir);
        } else if (v.getHostPath() != null) {
          out.put(name, hostPath(name, v.getHostPath()));
        } else if (v.getConfigMap() != null) {
          Path dir = volumes.resolve("kubernetes.io~configmap").resolve(name);
          AtomicWriter.write(dir, configMapPayload(pod, v.getConfigMap().getName(), v.getConfigMap().getItems(),
              v.getConfigMap().getDefaultMode(), Boolean.TRUE.equals(v.getConfigMap().getOptional())));
          out.put(name, dir);
        } else if (v.getSecret() != null) {
          Path dir = volumes.resolve("kubernetes.io~secret").resolve(name);
          AtomicWriter.write(dir, secretPayload(pod, v.getSecret().getSecretName(), v.getSecret().getItems(),
              v.getSecret().getDefaultMode(), Boolean.TRUE.equals(v.getSecret().getOptional())));
          out.put(name, dir);
        } else if (v.getDownwardAPI() != null) {
          Path dir = volumes.resolve("kubernetes.io~downward-api").resolve(name);
          AtomicWriter.write(dir, downwardPayload(pod, v.getDownwardAPI().getItems(),
              v.getDownwardAPI().getDefaultMode(), ctx));
          out.put(name, dir);
        } else if (v.getProjected() != null) {
          Path dir = volumes.resolve("kubernetes.io~projected").resolve(name);
          Map<String, AtomicWriter.FileProjection> payload = new LinkedHashMap<>();
          Integer mode = v.getProjected().getDefaultMode();
          for (VolumeProjection src : v.getProjected().getSources() == null ? List.<VolumeProjection>of()
              : v.getProjected().getSources()) {
            if (src.getConfigMap() != null) {
              payload.putAll(configMapPayload(pod, src.getConfigMap().getName(), src.getConfigMap().getItems(), mode,
                  Boolean.TRUE.equals(src.getConfigMap().getOptional())));
            } else if (src.getSecret() != null) {
              payload.putAll(secretPayload(pod, src.getSecret().getName(), src.getSecret().getItems(), mode,
                  Boolean.TRUE.equals(src.getSecret().getOptional())));
            } else if (src.getDownwardAPI() != null) {
              payload.putAll(downwardPayload(pod, src.getDownwardAPI().getItems(), mode, ctx));
            }
            // serviceAccountToken and clusterTrustBundle sources need token issuance: not yet (left out)
          }
          AtomicWriter.write(dir, payload);
          out.put(name, dir);
        } else {
          throw new VolumeException("volume \"" + name + "\": this volume type is not supported by the kubelet yet "
              + "(emptyDir, hostPath, configMap, secret, downwardAPI and projected are)");
        }
      } catch (IOException e) {
        throw new VolumeException("MountVolume.SetUp failed for volume \"" + name + "\" : " + e.getMessage());
      } catch (ConfigException e) {
        throw new VolumeException("MountVolume.SetUp failed for volume \"" + name + "\" : " + e.getMessage());
      }
    }
    return out;
  }

  private static Path hostPath(String name, HostPathVolumeSource src) throws VolumeException, IOException {
    Path p = Path.of(src.getPath());
    String type = src.getType() == null ? "" : src.getType();
    String prefix = "MountVolume.SetUp failed for volume \"" + name + "\" : hostPath type check failed: " + p;
    switch (type) {
      case "", "Unset" -> { }
      case "DirectoryOrCreate" -> {
        if (!Files.exists(p)) {
          Files.createDirectories(p);
          Files.setPosixFilePermissions(p, AtomicWriter.perms(0755));
        } else if (!Files.isDirectory(p)) {
          throw new VolumeException(prefix + " is not a directory");
        }
      }
      case "Directory" -> {
        if (!Files.isDirectory(p)) {
          throw new VolumeException(prefix + " is not a directory");
        }
      }
      case "FileOrCreate" -> {
        if (!Files.exists(p)) {
          if (p.getParent() != null && !Files.isDirectory(p.getParent())) {
            throw new VolumeException(prefix + ": its directory does not exist");
          }
          Files.createFile(p);
          Files.setPosixFilePermissions(p, AtomicWriter.perms(0644));
        } else if (!Files.isRegularFile(p)) {
          throw new VolumeException(prefix + " is not a file");
        }
      }
      case "File" -> {
        if (!Files.isRegularFile(p)) {
          throw new VolumeException(prefix + " is not a file");
        }
      }
      case "Socket", "CharDevice", "BlockDevice" -> {
        if (!Files.exists(p) || Files.isRegularFile(p) || Files.isDirectory(p)) {
          throw new VolumeException(prefix + " is not a " + type);
        }
      }
      default -> throw new VolumeException(prefix + ": unknown hostPath type " + type);
    }
    return p;
  }

  private Map<String, AtomicWriter.FileProjection> configMapPayload(Pod pod, String cmName, List<KeyToPath> items,
      Integer defaultMode, boolean optional) throws ConfigException {
    String ns = pod.getMetadata().getNamespace();
    Optional<ConfigMap> cm = lookup.configMap(ns, cmName);
    if (cm.isEmpty()) {
      if (optional) {
        return Map.of();
      }
      throw new ConfigException("configmap \"" + cmName + "\" not found");
    }
    Map<String, byte[]> data = new LinkedHashMap<>();
    if (cm.get().getData() != null) {
      cm.get().getData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
    }
    if (cm.get().getBinaryData() != null) {
      cm.get().getBinaryData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    }
    return project(data, items, defaultMode, optional, "configmap references non-existent config key: ");
  }

  private Map<String, AtomicWriter.FileProjection> secretPayload(Pod pod, String secretName, List<KeyToPath> items,
      Integer defaultMode, boolean optional) throws ConfigException {
    String ns = pod.getMetadata().getNamespace();
    Optional<Secret> s = lookup.secret(ns, secretName);
    if (s.isEmpty()) {
      if (optional) {
        return Map.of();
      }
      throw new ConfigException("secret \"" + secretName + "\" not found");
    }
    Map<String, byte[]> data = new LinkedHashMap<>();
    if (s.get().getData() != null) {
      s.get().getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    }
    return project(data, items, defaultMode, optional, "references non-existent secret key: ");
  }

  private static Map<String, AtomicWriter.FileProjection> project(Map<String, byte[]> data, List<KeyToPath> items,
      Integer defaultMode, boolean optional, String missingMessage) throws ConfigException {
    int mode = defaultMode == null ? DEFAULT_MODE : defaultMode;
    Map<String, AtomicWriter.FileProjection> out = new LinkedHashMap<>();
    if (items == null || items.isEmpty()) {
      data.forEach((k, v) -> out.put(k, new AtomicWriter.FileProjection(v, mode)));
      return out;
    }
    for (KeyToPath item : items) {
      byte[] v = data.get(item.getKey());
      if (v == null) {
        if (optional) {
          continue;
        }
        throw new ConfigException(missingMessage + item.getKey());
      }
      out.put(item.getPath(), new AtomicWriter.FileProjection(v, item.getMode() == null ? mode : item.getMode()));
    }
    return out;
  }

  private static Map<String, AtomicWriter.FileProjection> downwardPayload(Pod pod, List<DownwardAPIVolumeFile> items,
      Integer defaultMode, EnvResolver.Context ctx) throws ConfigException {
    int mode = defaultMode == null ? DEFAULT_MODE : defaultMode;
    Map<String, AtomicWriter.FileProjection> out = new LinkedHashMap<>();
    if (items == null) {
      return out;
    }
    for (DownwardAPIVolumeFile f : items) {
      String value;
      if (f.getFieldRef() != null) {
        value = EnvResolver.fieldValue(pod, f.getFieldRef(), ctx);
      } else if (f.getResourceFieldRef() != null) {
        Container c = EnvResolver.findContainer(pod, f.getResourceFieldRef().getContainerName() == null ? ""
            : f.getResourceFieldRef().getContainerName());
        if (c == null) {
          throw new ConfigException("downwardAPI " + f.getPath() + ": no such container "
              + f.getResourceFieldRef().getContainerName());
        }
        value = EnvResolver.resourceValue(pod, c, f.getResourceFieldRef(), ctx.allocatable());
      } else {
        continue;
      }
      out.put(f.getPath(), new AtomicWriter.FileProjection(value.getBytes(StandardCharsets.UTF_8),
          f.getMode() == null ? mode : f.getMode()));
    }
    return out;
  }

  /**
   * The container's mounts: each {@code volumeMount}'s volume (or its {@code subPath} inside it,
   * created for folders the pod owns) at its mount path.
   */
  static List<Mount> mounts(Container c, Map<String, Path> volumes) throws VolumeException {
    List<Mount> out = new java.util.ArrayList<>();
    if (c.getVolumeMounts() == null) {
      return out;
    }
    for (VolumeMount m : c.getVolumeMounts()) {
      Path source = volumes.get(m.getName());
      if (source == null) {
        throw new VolumeException("container " + c.getName() + " mounts volume \"" + m.getName()
            + "\", which the pod does not have");
      }
      String sub = m.getSubPath() == null ? "" : m.getSubPath();
      if (!sub.isEmpty()) {
        Path p = source.resolve(sub).normalize();
        if (!p.startsWith(source) || sub.startsWith("/")) {
          throw new VolumeException("subPath " + sub + " of volume " + m.getName() + " leaves the volume");
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
          try {
            Files.createDirectories(p);
          } catch (IOException e) {
            throw new VolumeException("cannot create subPath " + sub + " of volume " + m.getName() + ": " + e);
          }
        }
        source = p;
      }
      Mount.Propagation propagation = switch (m.getMountPropagation() == null ? "" : m.getMountPropagation()) {
        case "HostToContainer" -> Mount.Propagation.HOST_TO_CONTAINER;
        case "Bidirectional" -> Mount.Propagation.BIDIRECTIONAL;
        default -> Mount.Propagation.PRIVATE;
      };
      out.add(new Mount(source, m.getMountPath(), Boolean.TRUE.equals(m.getReadOnly()), propagation));
    }
    return out;
  }

  /** Removes the pod's folder (volumes' contents included; never what a hostPath points to). */
  void teardown(String uid) {
    try {
      AtomicWriter.deleteTree(podDir(uid));
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(Volumes.class).warn("Cannot remove pod folder {}: {}", podDir(uid), e.toString());
    }
  }
}
