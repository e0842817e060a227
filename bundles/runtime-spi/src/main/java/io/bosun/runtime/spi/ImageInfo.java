package io.bosun.runtime.spi;

import java.util.List;
import java.util.Objects;

/**
 * An image on the node (CRI {@code Image}).
 *
 * @param id          the runtime's id of the image
 * @param repoTags    names it is known by ({@code busybox:1.36})
 * @param repoDigests digest references ({@code busybox@sha256:...})
 * @param sizeBytes   its size on disk; 0 if unknown
 */
public record ImageInfo(String id, List<String> repoTags, List<String> repoDigests, long sizeBytes) {

  public ImageInfo {
    Objects.requireNonNull(id, "id");
    repoTags = repoTags == null ? List.of() : List.copyOf(repoTags);
    repoDigests = repoDigests == null ? List.of() : List.copyOf(repoDigests);
  }
}
