package io.bosun.scheduler.plugins.imagelocality;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.ImageStateSummary;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.ScorePlugin;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Upstream's {@code ImageLocality} score plugin (default weight 1): favours nodes that already have
 * the images of the pod's containers and init containers. Each image present on the node counts its
 * size times the fraction of the cluster's nodes that have it (so an image on one node out of many
 * counts little: this avoids piling pods onto the few nodes that pulled it). The sum is clamped to
 * [23 MiB, 1000 MiB × number of containers] and mapped linearly to 0..100.
 *
 * <p>Image names are compared as the node reports them; a name without a tag or digest gets
 * {@code :latest}. Stateless; never blocks.
 */
public final class ImageLocality implements ScorePlugin {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "ImageLocality";

  static final long MB = 1024L * 1024;
  /** Below this (spread-scaled) sum a node scores 0: about a small image's pull time. */
  static final long MIN_THRESHOLD = 23 * MB;
  /** Per container, the sum at which a node scores 100. */
  static final long MAX_CONTAINER_THRESHOLD = 1000 * MB;

  private final Handle handle;

  ImageLocality(Handle handle) {
    this.handle = Objects.requireNonNull(handle, "handle");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
    int totalNodes = handle.snapshotLister().nodeInfos().size();
    List<Container> init = pod.getSpec() == null || pod.getSpec().getInitContainers() == null
        ? List.of() : pod.getSpec().getInitContainers();
    List<Container> containers = pod.getSpec() == null || pod.getSpec().getContainers() == null
        ? List.of() : pod.getSpec().getContainers();
    long sum = sumImageScores(nodeInfo.imageStates(), init, totalNodes) + sumImageScores(nodeInfo.imageStates(), containers, totalNodes);
    return calculatePriority(sum, init.size() + containers.size());
  }

  static long sumImageScores(Map<String, ImageStateSummary> images, List<Container> containers, int totalNodes) {
    long sum = 0;
    for (Container c : containers) {
      if (c.getImage() == null) {
        continue;
      }
      ImageStateSummary s = images.get(normalizedImageName(c.getImage()));
      if (s != null && totalNodes > 0) {
        sum += (long) (s.size() * ((double) s.numNodes() / totalNodes));
      }
    }
    return sum;
  }

  static long calculatePriority(long sumScores, int numContainers) {
    long maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
    long s = Math.max(MIN_THRESHOLD, Math.min(sumScores, maxThreshold));
    if (maxThreshold <= MIN_THRESHOLD) {
      return MIN_NODE_SCORE;
    }
    return MAX_NODE_SCORE * (s - MIN_THRESHOLD) / (maxThreshold - MIN_THRESHOLD);
  }

  /** Appends {@code :latest} to a name without a tag (a ':' after the last '/') or digest. */
  static String normalizedImageName(String name) {
    return name.lastIndexOf(':') <= name.lastIndexOf('/') ? name + ":latest" : name;
  }
}
