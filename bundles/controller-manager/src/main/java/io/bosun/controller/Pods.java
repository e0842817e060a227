package io.bosun.controller;

import io.bosun.api.core.v1.ContainerStatus;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.meta.v1.ObjectMeta;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * Pod state as upstream's controllers read it ({@code podutil} and {@code controller_utils.go}).
 * Pure functions of their arguments.
 */
public final class Pods {

  /** The annotation that makes a pod cheaper or dearer to delete on scale-down (int32, default 0). */
  public static final String DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";

  private Pods() {
  }

  /** Not finished (Succeeded or Failed) and not being deleted: upstream's {@code IsPodActive}. */
  public static boolean isActive(Pod pod) {
    String phase = phase(pod);
    return !"Succeeded".equals(phase) && !"Failed".equals(phase) && deletionTimestamp(pod) == null;
  }

  /** Being deleted (it has a deletion timestamp). */
  public static boolean isTerminating(Pod pod) {
    return deletionTimestamp(pod) != null;
  }

  /** The pod's phase; "" when it has none yet. */
  public static String phase(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "" : pod.getStatus().getPhase();
  }

  /** The {@code Ready} condition, if present. */
  public static Optional<PodCondition> readyCondition(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
  }

  /** Whether the {@code Ready} condition is True: upstream's {@code IsPodReady}. */
  public static boolean isReady(Pod pod) {
    return readyCondition(pod).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  /**
   * Whether the pod has been ready for at least {@code minReadySeconds} at {@code now}:
   * upstream's {@code IsPodAvailable}. With {@code minReadySeconds == 0} every ready pod is
   * available.
   */
  public static boolean isAvailable(Pod pod, int minReadySeconds, Instant now) {
    if (!isReady(pod)) {
      return false;
    }
    if (minReadySeconds <= 0) {
      return true;
    }
    Instant since = readyCondition(pod).map(PodCondition::getLastTransitionTime).orElse(null);
    return since != null && since.plusSeconds(minReadySeconds).isBefore(now);
  }

  /**
   * How long until a ready pod becomes available, for requeueing; empty if it is not ready or
   * already available.
   */
  public static Optional<Duration> untilAvailable(Pod pod, int minReadySeconds, Instant now) {
    if (!isReady(pod) || isAvailable(pod, minReadySeconds, now)) {
      return Optional.empty();
    }
    Instant since = readyCondition(pod).map(PodCondition::getLastTransitionTime).orElse(now);
    Duration left = Duration.between(now, since.plusSeconds(minReadySeconds));
    return Optional.of(left.isNegative() ? Duration.ZERO : left.plusMillis(1));
  }

  /** When the pod last became ready; null if it is not ready. */
  public static Instant readyTime(Pod pod) {
    return isReady(pod) ? readyCondition(pod).map(PodCondition::getLastTransitionTime).orElse(null) : null;
  }

  /** The highest restart count of the pod's containers. */
  public static int maxContainerRestarts(Pod pod) {
    int max = 0;
    if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
      for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
        max = Math.max(max, s.getRestartCount() == null ? 0 : s.getRestartCount());
      }
    }
    return max;
  }

  /** The pod's {@value #DELETION_COST_ANNOTATION}; 0 when absent or not an int32. */
  public static int deletionCost(Pod pod) {
    Map<String, String> a = pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
    String v = a == null ? null : a.get(DELETION_COST_ANNOTATION);
    if (v == null) {
      return 0;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Upstream's {@code ActivePodsWithRanks} order, with the logarithmic scale-down of 1.22+: pods
   * to delete first come first.
   * <ol>
   *   <li>unassigned before assigned;</li>
   *   <li>Pending before Unknown before Running;</li>
   *   <li>not ready before ready;</li>
   *   <li>lower {@value #DELETION_COST_ANNOTATION} first;</li>
   *   <li>higher rank first (upstream: more related pods on the same node);</li>
   *   <li>if both ready: ready for less time first (in powers of two of the time since, ties by
   *       uid, so that equally young pods are picked pseudo-randomly);</li>
   *   <li>more container restarts first;</li>
   *   <li>newer first (again in powers of two, ties by uid).</li>
   * </ol>
   *
   * @param rank a rank per pod (null for none)
   * @param now  the reference time of the logarithmic comparisons; null compares plain times
   */
  public static Comparator<Pod> deletionOrder(ToIntFunction<Pod> rank, Instant now) {
    ToIntFunction<Pod> ranks = rank == null ? p -> 0 : rank;
    return (a, b) -> {
      String na = nodeName(a);
      String nb = nodeName(b);
      if (!na.equals(nb) && (na.isEmpty() || nb.isEmpty())) {
        return na.isEmpty() ? -1 : 1;
      }
      int pa = phaseOrdinal(a);
      int pb = phaseOrdinal(b);
      if (pa != pb) {
        return Integer.compare(pa, pb);
      }
      boolean ra = isReady(a);
      boolean rb = isReady(b);
      if (ra != rb) {
        return ra ? 1 : -1;
      }
      int ca = deletionCost(a);
      int cb = deletionCost(b);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      int rka = ranks.applyAsInt(a);
      int rkb = ranks.applyAsInt(b);
      if (rka != rkb) {
        return Integer.compare(rkb, rka);
      }
      if (ra) {
        int c = newerFirst(readyTime(a), readyTime(b), now, a, b);
        if (c != 0) {
          return c;
        }
      }
      int ma = maxContainerRestarts(a);
      int mb = maxContainerRestarts(b);
      if (ma != mb) {
        return Integer.compare(mb, ma);
      }
      return newerFirst(creation(a), creation(b), now, a, b);
    };
  }

  /** Zero (absent) times first, then newer before older; logarithmic buckets when {@code now} is set. */
  private static int newerFirst(Instant ta, Instant tb, Instant now, Pod a, Pod b) {
    if (Objects.equals(ta, tb)) {
      return 0;
    }
    if (ta == null || tb == null) {
      return ta == null ? -1 : 1;
    }
    if (now == null) {
      return tb.compareTo(ta);
    }
    long rankDiff = logRank(now, ta) - logRank(now, tb);
    if (rankDiff == 0) {
      return uid(a).compareTo(uid(b));
    }
    return rankDiff < 0 ? -1 : 1;
  }

  /** floor(log2(nanoseconds since t)), -1 for none: upstream's logarithmicRankDiff buckets. */
  private static long logRank(Instant now, Instant t) {
    long d;
    try {
      d = Duration.between(t, now).toNanos();
    } catch (ArithmeticException e) {
      d = Long.MAX_VALUE;
    }
    return d > 0 ? 63 - Long.numberOfLeadingZeros(d) : -1;
  }

  private static int phaseOrdinal(Pod pod) {
    return switch (phase(pod)) {
      case "Unknown" -> 1;
      case "Running" -> 2;
      default -> 0;
    };
  }

  private static String nodeName(Pod pod) {
    return pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
  }

  private static Instant creation(Pod pod) {
    return pod.getMetadata() == null ? null : pod.getMetadata().getCreationTimestamp();
  }

  private static String uid(Pod pod) {
    ObjectMeta m = pod.getMetadata();
    return m == null || m.getUid() == null ? "" : m.getUid();
  }

  private static Instant deletionTimestamp(Pod pod) {
    return pod.getMetadata() == null ? null : pod.getMetadata().getDeletionTimestamp();
  }
}
