package io.bosun.runtime.oci.image;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An image name normalized as Docker and containerd do: {@code busybox} is
 * {@code docker.io/library/busybox:latest}; the first path component is a registry when it has a
 * dot or a colon or is {@code localhost}.
 *
 * @param registry   {@code docker.io}, {@code 127.0.0.1:5000} ...
 * @param repository the path in the registry, {@code library/busybox}
 * @param tag        the tag; null when only a digest was given
 * @param digest     {@code sha256:...}; null when none was given
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

  public static final String DOCKER_HUB = "docker.io";
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

  public ImageReference {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
  }

  /**
   * Parses and normalizes an image name.
   *
   * @throws IllegalArgumentException if it is not a valid reference
   */
  public static ImageReference parse(String image) {
    if (image == null || image.isBlank()) {
      throw new IllegalArgumentException("empty image name");
    }
    String s = image.trim();
    String digest = null;
    int at = s.indexOf('@');
    if (at >= 0) {
      digest = s.substring(at + 1);
      s = s.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) {
        throw new IllegalArgumentException("unsupported digest in image name " + image + " (sha256 only)");
      }
    }
    String tag = null;
    int slash = s.lastIndexOf('/');
    int colon = s.lastIndexOf(':');
    if (colon > slash) {
      tag = s.substring(colon + 1);
      s = s.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new IllegalArgumentException("invalid tag in image name " + image);
      }
    }
    String registry = DOCKER_HUB;
    String repository = s;
    int first = s.indexOf('/');
    if (first > 0) {
      String head = s.substring(0, first);
      if (head.contains(".") || head.contains(":") || head.equals("localhost")) {
        registry = head.toLowerCase(Locale.ROOT).equals("index.docker.io") ? DOCKER_HUB : head;
        repository = s.substring(first + 1);
      }
    }
    if (registry.equals(DOCKER_HUB) && !repository.contains("/")) {
      repository = "library/" + repository;
    }
    if (!REPOSITORY.matcher(repository).matches()) {
      throw new IllegalArgumentException("invalid repository name in image name " + image);
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageReference(registry, repository, tag, digest);
  }

  /** {@code docker.io/library/busybox}. */
  public String name() {
    return registry + "/" + repository;
  }

  /** {@code docker.io/library/busybox:latest}; null for a digest-only reference. */
  public String tagged() {
    return tag == null ? null : name() + ":" + tag;
  }

  /** {@code docker.io/library/busybox@sha256:...} for a digest. */
  public String digested(String d) {
    return name() + "@" + d;
  }

  /** What to ask the registry's manifest endpoint for: the digest if any, else the tag. */
  public String manifestReference() {
    return digest != null ? digest : tag;
  }

  /** The canonical string: name, tag and digest as given. */
  @Override
  public String toString() {
    return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }

  /** The host to connect to: Docker Hub's API lives on another name than its images'. */
  public String apiHost() {
    return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
  }

  /** Whether the registry is on this machine's loopback: those are reached over plain HTTP. */
  public boolean loopback() {
    String host = registry;
    if (host.startsWith("[")) {
      host = host.substring(1, host.indexOf(']') > 0 ? host.indexOf(']') : host.length());
    } else if (host.indexOf(':') >= 0) {
      host = host.substring(0, host.indexOf(':'));
    }
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }
}
