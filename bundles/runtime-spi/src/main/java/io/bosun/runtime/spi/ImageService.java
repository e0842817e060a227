package io.bosun.runtime.spi;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Images (CRI {@code ImageService}). The kubelet applies the container's pull policy
 * ({@link PullPolicy}) with {@link #status} and {@link #pull}; runtimes without
 * {@link RuntimeCapabilities#images()} record names only and document what an image name means
 * to them.
 */
@ConsumerType
public interface ImageService {

  /**
   * Pulls an image (again, if present: a tag may have moved). Blocks until done.
   *
   * @param auth    registry credentials from the pod's image pull secrets; null for anonymous
   * @param sandbox the sandbox the image is pulled for; null when pulled for no pod in particular
   * @return the image's reference as the runtime keeps it (an id or digest), for
   *         {@link ContainerStatus#imageRef()}
   * @throws ImagePullException when the image cannot be pulled (unknown, unauthorized,
   *                            registry unreachable); the message says which
   */
  String pull(ImageSpec image, AuthConfig auth, SandboxConfig sandbox);

  /** The image if it is present on the node; empty otherwise. */
  Optional<ImageInfo> status(ImageSpec image);

  /** Every image present on the node. */
  List<ImageInfo> list();

  /** Removes an image from the node. Idempotent; an absent image is not an error. */
  void remove(ImageSpec image);
}
