package io.bosun.controllers.apps.deployment;

import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.apps.v1.DeploymentCondition;
import io.bosun.api.apps.v1.DeploymentStatus;
import io.bosun.api.apps.v1.DeploymentStrategy;
import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.ReplicaSetCondition;
import io.bosun.api.values.IntOrString;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Upstream's {@code pkg/controller/deployment/util}: annotations, fenceposts, proportions,
 * conditions and orderings of a Deployment's ReplicaSets. Pure functions; the {@code set...}
 * methods modify only the object passed to them.
 */
final class DeploymentUtil {

  static final String REVISION = "deployment.kubernetes.io/revision";
  static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
  static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
  static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
  static final String POD_TEMPLATE_HASH = "pod-template-hash";
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
  static final String DEPRECATED_ROLLBACK_TO = "deprecated.deployment.rollback.to";
  /** Upstream's maxRevHistoryLengthInChars. */
  static final int MAX_REV_HISTORY_CHARS = 2000;

  // Condition types and reasons, as upstream.
  static final String PROGRESSING = "Progressing";
  static final String AVAILABLE = "Available";
  static final String REPLICA_FAILURE = "ReplicaFailure";
  static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
  static final String RS_UPDATED = "ReplicaSetUpdated";
  static final String TIMED_OUT = "ProgressDeadlineExceeded";
  static final String FOUND_NEW_RS = "FoundNewReplicaSet";
  static final String NEW_RS_CREATED = "NewReplicaSetCreated";
  static final String FAILED_RS_CREATE = "ReplicaSetCreateError";
  static final String PAUSED = "DeploymentPaused";
  static final String RESUMED = "DeploymentResumed";
  static final String MIN_AVAILABLE = "MinimumReplicasAvailable";
  static final String MIN_UNAVAILABLE = "MinimumReplicasUnavailable";

  private static final Set<String> SKIP_COPY = Set.of(LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS,
      MAX_REPLICAS, DEPRECATED_ROLLBACK_TO);

  private DeploymentUtil() {
  }

  static int replicas(Deployment d) {
    return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  static int replicas(ReplicaSet rs) {
    return rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
  }

  static int nz(Integer i) {
    return i == null ? 0 : i;
  }

  static boolean isRollingUpdate(Deployment d) {
    DeploymentStrategy s = d.getSpec().getStrategy();
    return s == null || s.getType() == null || "RollingUpdate".equals(s.getType());
  }

  static boolean isRecreate(Deployment d) {
    DeploymentStrategy s = d.getSpec().getStrategy();
    return s != null && "Recreate".equals(s.getType());
  }

  /** Upstream's ResolveFenceposts: surge rounds up, unavailable down; both zero makes unavailable 1. */
  static int[] resolveFenceposts(IntOrString maxSurge, IntOrString maxUnavailable, int desired) {
    int surge = (maxSurge == null ? IntOrString.of(0) : maxSurge).scaledValue(desired, true);
    int unavailable = (maxUnavailable == null ? IntOrString.of(0) : maxUnavailable).scaledValue(desired, false);
    if (surge == 0 && unavailable == 0) {
      unavailable = 1;
    }
    return new int[] {surge, unavailable};
  }

  static int maxSurge(Deployment d) {
    if (!isRollingUpdate(d)) {
      return 0;
    }
    var ru = d.getSpec().getStrategy() == null ? null : d.getSpec().getStrategy().getRollingUpdate();
    return resolveFenceposts(ru == null ? IntOrString.of("25%") : ru.getMaxSurge(),
        ru == null ? IntOrString.of("25%") : ru.getMaxUnavailable(), replicas(d))[0];
  }

  static int maxUnavailable(Deployment d) {
    if (!isRollingUpdate(d) || replicas(d) == 0) {
      return 0;
    }
    var ru = d.getSpec().getStrategy() == null ? null : d.getSpec().getStrategy().getRollingUpdate();
    int unavailable = resolveFenceposts(ru == null ? IntOrString.of("25%") : ru.getMaxSurge(),
        ru == null ? IntOrString.of("25%") : ru.getMaxUnavailable(), replicas(d))[1];
    return Math.min(unavailable, replicas(d));
  }

  // ------------------------------------------------------------------ counts

  static int specReplicas(List<ReplicaSet> sets) {
    return sets.stream().filter(Objects::nonNull).mapToInt(DeploymentUtil::replicas).sum();
  }

  static int actualReplicas(List<ReplicaSet> sets) {
    return sets.stream().filter(Objects::nonNull).mapToInt(rs -> rs.getStatus() == null ? 0 : nz(rs.getStatus().getReplicas())).sum();
  }

  static int readyReplicas(List<ReplicaSet> sets) {
    return sets.stream().filter(Objects::nonNull).mapToInt(rs -> rs.getStatus() == null ? 0 : nz(rs.getStatus().getReadyReplicas())).sum();
  }

  static int availableReplicas(List<ReplicaSet> sets) {
    return sets.stream().filter(Objects::nonNull).mapToInt(rs -> rs.getStatus() == null ? 0 : nz(rs.getStatus().getAvailableReplicas())).sum();
  }

  static List<ReplicaSet> active(List<ReplicaSet> sets) {
    return sets.stream().filter(rs -> rs != null && replicas(rs) > 0).toList();
  }

  // ------------------------------------------------------------------ orderings

  static final Comparator<ReplicaSet> BY_CREATION = Comparator
      .comparing((ReplicaSet rs) -> rs.getMetadata().getCreationTimestamp(), Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparing(rs -> rs.getMetadata().getName());

  /** Larger first; older first among equals (scaling down). */
  static final Comparator<ReplicaSet> BY_SIZE_OLDER = Comparator
      .comparing((ReplicaSet rs) -> replicas(rs), Comparator.reverseOrder()).thenComparing(BY_CREATION);

  /** Larger first; newer first among equals (scaling up). */
  static final Comparator<ReplicaSet> BY_SIZE_NEWER = Comparator
      .comparing((ReplicaSet rs) -> replicas(rs), Comparator.reverseOrder()).thenComparing(BY_CREATION.reversed());

  static final Comparator<ReplicaSet> BY_REVISION = Comparator.comparing(DeploymentUtil::revision)
      .thenComparing(BY_CREATION);

  // ------------------------------------------------------------------ annotations

  static long revision(ReplicaSet rs) {
    Map<String, String> a = rs.getMetadata().getAnnotations();
    String v = a == null ? null : a.get(REVISION);
    if (v == null || v.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static long maxRevision(List<ReplicaSet> sets) {
    long max = 0;
    for (ReplicaSet rs : sets) {
      max = Math.max(max, revision(rs));
    }
    return max;
  }

  /** Copies the deployment's annotations (but the skipped ones) to the set; whether anything changed. */
  static boolean copyAnnotations(Deployment d, ReplicaSet rs) {
    boolean changed = false;
    Map<String, String> from = d.getMetadata().getAnnotations();
    if (from == null) {
      return false;
    }
    Map<String, String> to = rs.getMetadata().getAnnotations() == null ? new HashMap<>()
        : new HashMap<>(rs.getMetadata().getAnnotations());
    for (var e : from.entrySet()) {
      if (SKIP_COPY.contains(e.getKey()) || Objects.equals(to.get(e.getKey()), e.getValue())) {
        continue;
      }
      to.put(e.getKey(), e.getValue());
      changed = true;
    }
    if (changed) {
      rs.getMetadata().setAnnotations(to);
    }
    return changed;
  }

  /** Upstream's SetNewReplicaSetAnnotations. */
  static boolean setNewReplicaSetAnnotations(Deployment d, ReplicaSet rs, String newRevision, boolean exists) {
    boolean changed = copyAnnotations(d, rs);
    Map<String, String> a = rs.getMetadata().getAnnotations() == null ? new HashMap<>()
        : new HashMap<>(rs.getMetadata().getAnnotations());
    String oldRevision = a.get(REVISION);
    long oldRev;
    try {
      oldRev = oldRevision == null || oldRevision.isEmpty() ? 0 : Long.parseLong(oldRevision);
    } catch (NumberFormatException e) {
      rs.getMetadata().setAnnotations(a);
      return false;
    }
    long newRev = Long.parseLong(newRevision);
    if (oldRev < newRev) {
      a.put(REVISION, newRevision);
      changed = true;
    }
    if (oldRevision != null && oldRev < newRev) {
      // A rollback to this set: keep its former revisions for history.
      String history = a.getOrDefault(REVISION_HISTORY, "");
      if (history.isEmpty()) {
        a.put(REVISION_HISTORY, oldRevision);
      } else {
        List<String> old = new ArrayList<>(List.of(history.split(",")));
        int total = history.length() + oldRevision.length() + 1;
        int start = 0;
        while (total > MAX_REV_HISTORY_CHARS && start < old.size()) {
          total -= old.get(start).length() + 1;
          start++;
        }
        if (total <= MAX_REV_HISTORY_CHARS) {
          List<String> kept = new ArrayList<>(old.subList(start, old.size()));
          kept.add(oldRevision);
          a.put(REVISION_HISTORY, String.join(",", kept));
        }
      }
    }
    rs.getMetadata().setAnnotations(a);
    if (!exists && setReplicasAnnotations(rs, replicas(d), replicas(d) + maxSurge(d))) {
      changed = true;
    }
    return changed;
  }

  static boolean setReplicasAnnotations(ReplicaSet rs, int desired, int max) {
    Map<String, String> a = rs.getMetadata().getAnnotations() == null ? new HashMap<>()
        : new HashMap<>(rs.getMetadata().getAnnotations());
    boolean changed = false;
    if (!Integer.toString(desired).equals(a.get(DESIRED_REPLICAS))) {
      a.put(DESIRED_REPLICAS, Integer.toString(desired));
      changed = true;
    }
    if (!Integer.toString(max).equals(a.get(MAX_REPLICAS))) {
      a.put(MAX_REPLICAS, Integer.toString(max));
      changed = true;
    }
    if (changed) {
      rs.getMetadata().setAnnotations(a);
    }
    return changed;
  }

  static boolean replicasAnnotationsNeedUpdate(ReplicaSet rs, int desired, int max) {
    Map<String, String> a = rs.getMetadata().getAnnotations();
    return a == null || !Integer.toString(desired).equals(a.get(DESIRED_REPLICAS))
        || !Integer.toString(max).equals(a.get(MAX_REPLICAS));
  }

  /** The desired-replicas annotation, or null if absent or not a number. */
  static Integer desiredReplicasAnnotation(ReplicaSet rs) {
    return intAnnotation(rs, DESIRED_REPLICAS);
  }

  static Integer maxReplicasAnnotation(ReplicaSet rs) {
    return intAnnotation(rs, MAX_REPLICAS);
  }

  private static Integer intAnnotation(ReplicaSet rs, String key) {
    Map<String, String> a = rs.getMetadata().getAnnotations();
    String v = a == null ? null : a.get(key);
    if (v == null) {
      return null;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ scaling

  /** Upstream's IsSaturated: the set runs all the deployment's replicas, all available. */
  static boolean isSaturated(Deployment d, ReplicaSet rs) {
    if (rs == null) {
      return false;
    }
    Integer desired = desiredReplicasAnnotation(rs);
    return desired != null && replicas(rs) == replicas(d) && desired == replicas(d)
        && rs.getStatus() != null && nz(rs.getStatus().getAvailableReplicas()) == replicas(d);
  }

  /** Upstream's FindActiveOrLatest. {@code oldSets} is not modified. */
  static ReplicaSet activeOrLatest(ReplicaSet newRS, List<ReplicaSet> oldSets) {
    if (newRS == null && oldSets.isEmpty()) {
      return null;
    }
    List<ReplicaSet> old = new ArrayList<>(oldSets);
    old.sort(BY_CREATION.reversed());
    List<ReplicaSet> all = new ArrayList<>(old);
    all.add(newRS);
    List<ReplicaSet> active = active(all);
    return switch (active.size()) {
      case 0 -> newRS != null ? newRS : old.get(0);
      case 1 -> active.get(0);
      default -> null;
    };
  }

  /** Upstream's GetProportion. */
  static int proportion(ReplicaSet rs, Deployment d, int toAdd, int added) {
    if (rs == null || replicas(rs) == 0 || toAdd == 0 || toAdd == added) {
      return 0;
    }
    int fraction = fraction(rs, d);
    int allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  private static int fraction(ReplicaSet rs, Deployment d) {
    if (replicas(d) == 0) {
      return -replicas(rs);
    }
    int deploymentMax = replicas(d) + maxSurge(d);
    Integer before = maxReplicasAnnotation(rs);
    int beforeScale = before == null || before == 0 ? (d.getStatus() == null ? 0 : nz(d.getStatus().getReplicas())) : before;
    if (beforeScale == 0) {
      return 0;
    }
    double size = (double) replicas(rs) * deploymentMax / beforeScale;
    // Go's math.Round: half away from zero.
    return (int) Math.round(size) - replicas(rs);
  }

  // ------------------------------------------------------------------ conditions

  static DeploymentCondition condition(DeploymentStatus status, String type) {
    if (status == null || status.getConditions() == null) {
      return null;
    }
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  static DeploymentCondition newCondition(String type, String status, String reason, String message, Instant now) {
    return new DeploymentCondition().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastUpdateTime(now).withLastTransitionTime(now);
  }

  /** Upstream's SetDeploymentCondition: same status and reason changes nothing; same status keeps the transition time. */
  static void setCondition(DeploymentStatus status, DeploymentCondition c) {
    DeploymentCondition current = condition(status, c.getType());
    if (current != null && Objects.equals(current.getStatus(), c.getStatus())
        && Objects.equals(current.getReason(), c.getReason())) {
      return;
    }
    if (current != null && Objects.equals(current.getStatus(), c.getStatus())) {
      c.setLastTransitionTime(current.getLastTransitionTime());
    }
    List<DeploymentCondition> list = new ArrayList<>();
    if (status.getConditions() != null) {
      for (DeploymentCondition x : status.getConditions()) {
        if (!c.getType().equals(x.getType())) {
          list.add(x);
        }
      }
    }
    list.add(c);
    status.setConditions(list);
  }

  static void removeCondition(DeploymentStatus status, String type) {
    if (status.getConditions() == null) {
      return;
    }
    List<DeploymentCondition> list = new ArrayList<>(status.getConditions());
    list.removeIf(c -> type.equals(c.getType()));
    status.setConditions(list.isEmpty() ? null : list);
  }

  static DeploymentCondition fromReplicaSetCondition(ReplicaSetCondition c) {
    return new DeploymentCondition().withType(c.getType()).withStatus(c.getStatus())
        .withLastTransitionTime(c.getLastTransitionTime()).withLastUpdateTime(c.getLastTransitionTime())
        .withReason(c.getReason()).withMessage(c.getMessage());
  }

  static boolean hasProgressDeadline(Deployment d) {
    Integer p = d.getSpec().getProgressDeadlineSeconds();
    return p != null && p != Integer.MAX_VALUE;
  }

  static boolean hasRevisionHistoryLimit(Deployment d) {
    Integer l = d.getSpec().getRevisionHistoryLimit();
    return l != null && l != Integer.MAX_VALUE;
  }

  static long generation(Deployment d) {
    return d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
  }

  /** Upstream's DeploymentComplete. */
  static boolean complete(Deployment d, DeploymentStatus s) {
    int r = replicas(d);
    return nz(s.getUpdatedReplicas()) == r && nz(s.getReplicas()) == r && nz(s.getAvailableReplicas()) == r
        && s.getObservedGeneration() != null && s.getObservedGeneration() >= generation(d);
  }

  /** Upstream's DeploymentProgressing: more updated, fewer old, more ready or more available replicas. */
  static boolean progressing(Deployment d, DeploymentStatus s) {
    DeploymentStatus old = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
    int oldOld = nz(old.getReplicas()) - nz(old.getUpdatedReplicas());
    int newOld = nz(s.getReplicas()) - nz(s.getUpdatedReplicas());
    return nz(s.getUpdatedReplicas()) > nz(old.getUpdatedReplicas()) || newOld < oldOld
        || nz(s.getReadyReplicas()) > nz(old.getReadyReplicas())
        || nz(s.getAvailableReplicas()) > nz(old.getAvailableReplicas());
  }

  /** Upstream's DeploymentTimedOut. */
  static boolean timedOut(Deployment d, DeploymentStatus s, Instant now) {
    if (!hasProgressDeadline(d)) {
      return false;
    }
    DeploymentCondition c = condition(s, PROGRESSING);
    if (c == null || NEW_RS_AVAILABLE.equals(c.getReason())) {
      return false;
    }
    if (TIMED_OUT.equals(c.getReason())) {
      return true;
    }
    Instant from = c.getLastUpdateTime();
    return from != null && from.plusSeconds(d.getSpec().getProgressDeadlineSeconds()).isBefore(now);
  }
}
