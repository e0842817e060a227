package io.bosun.runtime.spi;

import java.util.Map;
import java.util.Objects;

/**
 * An image reference (CRI {@code ImageSpec}).
 *
 * @param image       as written in the pod, such as {@code busybox:1.36} or a digest reference
 * @param annotations hints for the runtime; empty usually
 */
public record ImageSpec(String image, Map<String, String> annotations) {

  public ImageSpec {
    Objects.requireNonNull(image, "image");
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  public static ImageSpec of(String image) {
    return new ImageSpec(image, Map.of());
  }

  /**
   * The repository name without registry, tag or digest ({@code docker.io/library/busybox:1.36}
   * gives {@code busybox}), for runtimes that map names to something local.
   */
  public String repositoryName() {
    String s = image;
    int at = s.indexOf('@');
    if (at >= 0) {
      s = s.substring(0, at);
    }
    int slash = s.lastIndexOf('/');
    int colon = s.lastIndexOf(':');
    if (colon > slash) {
      s = s.substring(0, colon);
    }
    return slash >= 0 ? s.substring(s.lastIndexOf('/') + 1) : s;
  }
}
