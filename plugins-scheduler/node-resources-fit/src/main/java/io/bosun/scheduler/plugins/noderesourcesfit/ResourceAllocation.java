package io.bosun.scheduler.plugins.noderesourcesfit;

import io.bosun.scheduler.plugins.noderesourcesfit.NodeResourcesFitArgs.ResourceSpec;
import io.bosun.scheduler.plugins.noderesourcesfit.NodeResourcesFitArgs.ShapePoint;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.Resource;
import io.bosun.scheduler.spi.ScorePlugin;
import java.util.List;

/**
 * Upstream's {@code resourceAllocationScorer} for NodeResourcesFit: per configured resource, the
 * node's allocatable amount and what would be requested with the pod on it, fed to the strategy's
 * scoring function. CPU and memory use the non-zero requests (a container without a request counts
 * 100m CPU / 200 MiB), so best-effort pods still spread. Immutable and thread-safe.
 */
final class ResourceAllocation {

  /** Scores the requested/allocatable vectors of one node; entries with allocatable 0 are skipped. */
  @FunctionalInterface
  interface Scorer {
    long score(long[] requested, long[] allocatable);
  }

  private final List<ResourceSpec> resources;
  private final Scorer scorer;

  ResourceAllocation(NodeResourcesFitArgs args) {
    this.resources = args.resources();
    this.scorer = switch (args.type()) {
      case LeastAllocated -> least(resources);
      case MostAllocated -> most(resources);
      case RequestedToCapacityRatio -> requestedToCapacityRatio(resources, args.shape());
    };
  }

  /** The pod's request of each configured resource, in configuration order. */
  long[] podRequests(PodInfo pod) {
    long[] out = new long[resources.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = podRequest(pod, resources.get(i).name());
    }
    return out;
  }

  /** The node's score for a pod with {@code podRequests} (from {@link #podRequests}). */
  long score(NodeInfo node, long[] podRequests) {
    long[] requested = new long[resources.size()];
    long[] allocatable = new long[resources.size()];
    for (int i = 0; i < requested.length; i++) {
      String name = resources.get(i).name();
      long alloc = allocatable(node, name, podRequests[i]);
      if (alloc == 0) {
        continue;
      }
      allocatable[i] = alloc;
      requested[i] = requestedWith(node, name, podRequests[i]);
    }
    return scorer.score(requested, allocatable);
  }

  static long podRequest(PodInfo pod, String name) {
    return switch (name) {
      case Resource.CPU -> pod.nonZeroRequests().milliCpu();
      case Resource.MEMORY -> pod.nonZeroRequests().memory();
      case Resource.PODS -> 0;
      default -> pod.requests().get(name);
    };
  }

  /** 0 means "skip this resource": not on the node, or an extended resource the pod does not request. */
  private static long allocatable(NodeInfo node, String name, long podRequest) {
    Resource alloc = node.allocatable();
    return switch (name) {
      case Resource.CPU, Resource.MEMORY, Resource.EPHEMERAL_STORAGE -> alloc.get(name);
      case Resource.PODS -> 0;
      default -> podRequest == 0 || !alloc.scalar().containsKey(name) ? 0 : alloc.get(name);
    };
  }

  private static long requestedWith(NodeInfo node, String name, long podRequest) {
    return switch (name) {
      case Resource.CPU -> node.nonZeroRequested().milliCpu() + podRequest;
      case Resource.MEMORY -> node.nonZeroRequested().memory() + podRequest;
      default -> node.requested().get(name) + podRequest;
    };
  }

  // ---- strategies ------------------------------------------------------------------------------

  /** LeastAllocated: {@code (allocatable - requested) * 100 / allocatable}, weighted mean. */
  static Scorer least(List<ResourceSpec> resources) {
    return (requested, allocatable) -> weightedMean(resources, requested, allocatable, (req, cap) ->
        req > cap ? 0 : (cap - req) * ScorePlugin.MAX_NODE_SCORE / cap);
  }

  /** MostAllocated: {@code min(requested, allocatable) * 100 / allocatable}, weighted mean. */
  static Scorer most(List<ResourceSpec> resources) {
    return (requested, allocatable) -> weightedMean(resources, requested, allocatable, (req, cap) ->
        Math.min(req, cap) * ScorePlugin.MAX_NODE_SCORE / cap);
  }

  private interface PerResource {
    long score(long requested, long capacity);
  }

  private static long weightedMean(List<ResourceSpec> resources, long[] requested, long[] allocatable, PerResource f) {
    long nodeScore = 0;
    long weightSum = 0;
    for (int i = 0; i < requested.length; i++) {
      if (allocatable[i] == 0) {
        continue;
      }
      long w = resources.get(i).weight();
      nodeScore += f.score(requested[i], allocatable[i]) * w;
      weightSum += w;
    }
    return weightSum == 0 ? 0 : nodeScore / weightSum;
  }

  /**
   * RequestedToCapacityRatio: the shape (scores 0..10 scaled to 0..100) applied to each resource's
   * utilization in percent; resources scoring 0 are left out of the weighted mean, which is rounded.
   */
  static Scorer requestedToCapacityRatio(List<ResourceSpec> resources, List<ShapePoint> shape) {
    long scale = ScorePlugin.MAX_NODE_SCORE / NodeResourcesFitArgs.MAX_CUSTOM_PRIORITY_SCORE;
    long[] utilization = shape.stream().mapToLong(ShapePoint::utilization).toArray();
    long[] scores = shape.stream().mapToLong(p -> p.score() * scale).toArray();
    return (requested, allocatable) -> {
      long nodeScore = 0;
      long weightSum = 0;
      for (int i = 0; i < requested.length; i++) {
        if (allocatable[i] == 0) {
          continue;
        }
        long req = requested[i];
        long cap = allocatable[i];
        long u = req > cap ? NodeResourcesFitArgs.MAX_UTILIZATION : req * NodeResourcesFitArgs.MAX_UTILIZATION / cap;
        long s = brokenLinear(utilization, scores, u);
        if (s > 0) {
          long w = resources.get(i).weight();
          nodeScore += s * w;
          weightSum += w;
        }
      }
      return weightSum == 0 ? 0 : Math.round((double) nodeScore / weightSum);
    };
  }

  /** Upstream's {@code BuildBrokenLinearFunction}: linear between shape points, flat outside. */
  static long brokenLinear(long[] utilization, long[] scores, long p) {
    for (int i = 0; i < utilization.length; i++) {
      if (p <= utilization[i]) {
        if (i == 0) {
          return scores[0];
        }
        return scores[i - 1] + (scores[i] - scores[i - 1]) * (p - utilization[i - 1]) / (utilization[i] - utilization[i - 1]);
      }
    }
    return scores[scores.length - 1];
  }
}
