package io.bosun.scheduler.plugins.balancedallocation;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.PreScorePlugin;
import io.bosun.scheduler.spi.Resource;
import io.bosun.scheduler.spi.ScorePlugin;
import io.bosun.scheduler.spi.StateData;
import io.bosun.scheduler.spi.Status;
import java.util.List;

/**
 * Upstream's {@code NodeResourcesBalancedAllocation} score plugin (default weight 1): favours nodes
 * where, with the pod placed, the utilisation fractions (requested / allocatable, capped at 1) of the
 * configured resources are close to each other. Score = {@code (1 - std) * 100}, where std is the
 * standard deviation of the fractions (for two resources {@code |f1 - f2| / 2}).
 *
 * <p>Uses the actual requests, not the non-zero defaults; a best-effort pod (no request of any
 * configured resource) is not scored (PreScore returns Skip), as upstream since 1.32, so such pods
 * do not pile onto one node. An extended resource the pod does not request, or the node does not
 * have, is left out.
 *
 * <p>Immutable; per-pod data lives in the cycle state; never blocks.
 */
public final class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "NodeResourcesBalancedAllocation";

  static final CycleState.Key<PodRequests> KEY = CycleState.Key.of("PreScore" + NAME, PodRequests.class);

  /** The pod's requests of the configured resources, in argument order; never modified. */
  record PodRequests(long[] requests) implements StateData {
    @Override
    public StateData copy() {
      return this;
    }
  }

  private final List<String> resources;

  NodeResourcesBalancedAllocation(List<String> resources) {
    this.resources = List.copyOf(resources);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Status preScore(CycleState state, Pod pod, List<NodeInfo> nodes) {
    long[] requests = podRequests(PodInfo.of(pod));
    if (isBestEffort(requests)) {
      return Status.skip();
    }
    state.write(KEY, new PodRequests(requests));
    return null;
  }

  @Override
  public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
    PodRequests s = state.read(KEY);
    long[] requests = s != null ? s.requests() : podRequests(PodInfo.of(pod));
    if (s == null && isBestEffort(requests)) {
      return 0;
    }
    double[] fractions = new double[requests.length];
    int n = 0;
    for (int i = 0; i < requests.length; i++) {
      String name = resources.get(i);
      long alloc = allocatable(nodeInfo, name, requests[i]);
      if (alloc == 0) {
        continue;
      }
      double f = (double) (nodeInfo.requested().get(name) + requests[i]) / alloc;
      fractions[n++] = Math.min(f, 1);
    }
    return balancedScore(fractions, n);
  }

  /** {@code (1 - std) * MAX_NODE_SCORE} over the first {@code n} fractions, truncated. */
  static long balancedScore(double[] fractions, int n) {
    double std = 0;
    if (n == 2) {
      std = Math.abs((fractions[0] - fractions[1]) / 2);
    } else if (n > 2) {
      double mean = 0;
      for (int i = 0; i < n; i++) {
        mean += fractions[i];
      }
      mean /= n;
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += (fractions[i] - mean) * (fractions[i] - mean);
      }
      std = Math.sqrt(sum / n);
    }
    return (long) ((1 - std) * MAX_NODE_SCORE);
  }

  private long[] podRequests(PodInfo pod) {
    long[] out = new long[resources.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Resource.PODS.equals(resources.get(i)) ? 0 : pod.requests().get(resources.get(i));
    }
    return out;
  }

  private static boolean isBestEffort(long[] requests) {
    for (long r : requests) {
      if (r != 0) {
        return false;
      }
    }
    return true;
  }

  /** 0 means "leave out": not on the node, or an extended resource the pod does not request. */
  private static long allocatable(NodeInfo node, String name, long podRequest) {
    Resource alloc = node.allocatable();
    return switch (name) {
      case Resource.CPU, Resource.MEMORY, Resource.EPHEMERAL_STORAGE -> alloc.get(name);
      case Resource.PODS -> 0;
      default -> podRequest == 0 || !alloc.scalar().containsKey(name) ? 0 : alloc.get(name);
    };
  }
}
