package io.bosun.controllers.core.job;

import io.bosun.api.batch.v1.Job;
import io.bosun.api.batch.v1.JobCondition;
import io.bosun.api.batch.v1.JobSpec;
import io.bosun.api.batch.v1.PodFailurePolicy;
import io.bosun.api.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.bosun.api.batch.v1.PodFailurePolicyOnPodConditionsPattern;
import io.bosun.api.batch.v1.PodFailurePolicyRule;
import io.bosun.api.batch.v1.SuccessPolicy;
import io.bosun.api.batch.v1.SuccessPolicyRule;
import io.bosun.api.core.v1.ContainerStatus;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.controller.Pods;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the Job controller reads from Jobs and their pods (upstream's {@code job/utils.go},
 * {@code indexed_job_utils.go}, {@code pod_failure_policy.go}, {@code success_policy.go},
 * {@code backoff_utils.go}). Pure functions.
 */
final class JobPods {

  /** The finalizer that keeps a finished pod until the Job has counted it. */
  static final String TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
  /** Annotation (and label) with an Indexed Job pod's completion index. */
  static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
  /** The environment variable an Indexed Job's containers read their index from. */
  static final String COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX";
  /** Upstream's own {@code spec.managedBy} value. */
  static final String MANAGED_BY_JOB_CONTROLLER = "kubernetes.io/job-controller";

  static final int UNKNOWN_INDEX = -1;

  private JobPods() {
  }

  static boolean hasTrackingFinalizer(Pod pod) {
    List<String> f = pod.getMetadata().getFinalizers();
    return f != null && f.contains(TRACKING_FINALIZER);
  }

  static boolean isIndexed(Job job) {
    return "Indexed".equals(job.getSpec().getCompletionMode());
  }

  static boolean suspended(Job job) {
    return Boolean.TRUE.equals(job.getSpec().getSuspend());
  }

  /** Another controller manages the Job ({@code spec.managedBy} set to something else). */
  static boolean managedByOther(Job job) {
    String by = job.getSpec() == null ? null : job.getSpec().getManagedBy();
    return by != null && !by.equals(MANAGED_BY_JOB_CONTROLLER);
  }

  /** Only pods that failed are replaced (not terminating ones): podReplacementPolicy Failed, or a pod failure policy. */
  static boolean onlyReplaceFailedPods(Job job) {
    JobSpec spec = job.getSpec();
    return "Failed".equals(spec.getPodReplacementPolicy()) || spec.getPodFailurePolicy() != null;
  }

  static int completions(Job job) {
    Integer c = job.getSpec().getCompletions();
    return c == null ? 0 : c;
  }

  /** The completion index annotation; {@link #UNKNOWN_INDEX} when absent or not a non-negative int. */
  static int completionIndex(Pod pod) {
    Map<String, String> a = pod.getMetadata().getAnnotations();
    String v = a == null ? null : a.get(COMPLETION_INDEX);
    if (v == null) {
      return UNKNOWN_INDEX;
    }
    try {
      int i = Integer.parseInt(v);
      return i < 0 ? UNKNOWN_INDEX : i;
    } catch (NumberFormatException e) {
      return UNKNOWN_INDEX;
    }
  }

  /**
   * Failed, or (unless only failed pods are replaced) deleted before it succeeded: upstream
   * counts a deleted pod as a failure, since an orphaned pod may never reach a phase.
   */
  static boolean isPodFailed(Pod pod, Job job) {
    String phase = Pods.phase(pod);
    if (phase.equals("Failed")) {
      return true;
    }
    if (onlyReplaceFailedPods(job)) {
      return false;
    }
    return pod.getMetadata().getDeletionTimestamp() != null && !phase.equals("Succeeded");
  }

  /** Being deleted and not yet finished (upstream's {@code CountTerminatingPods}). */
  static boolean isTerminating(Pod pod) {
    String phase = Pods.phase(pod);
    return pod.getMetadata().getDeletionTimestamp() != null && !phase.equals("Succeeded") && !phase.equals("Failed");
  }

  static JobCondition findCondition(Job job, String type) {
    List<JobCondition> list = job.getStatus() == null ? null : job.getStatus().getConditions();
    if (list != null) {
      for (JobCondition c : list) {
        if (type.equals(c.getType())) {
          return c;
        }
      }
    }
    return null;
  }

  /** Complete or Failed with status True. */
  static boolean isFinished(Job job) {
    List<JobCondition> list = job.getStatus() == null ? null : job.getStatus().getConditions();
    if (list != null) {
      for (JobCondition c : list) {
        if (("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus())) {
          return true;
        }
      }
    }
    return false;
  }

  /** The True Complete or Failed condition, or null. */
  static JobCondition finishedCondition(Job job) {
    List<JobCondition> list = job.getStatus() == null ? null : job.getStatus().getConditions();
    if (list != null) {
      for (JobCondition c : list) {
        if (("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus())) {
          return c;
        }
      }
    }
    return null;
  }

  /**
   * When a pod finished: its containers' latest finish, else when Ready turned False, else its
   * deletion time less the grace period, else its creation (upstream's {@code getFinishedTime}).
   */
  static Instant finishedTime(Pod pod) {
    Instant fromContainers = null;
    List<ContainerStatus> statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
    if (statuses != null && !statuses.isEmpty()) {
      for (ContainerStatus s : statuses) {
        if (s.getState() == null || s.getState().getTerminated() == null
            || s.getState().getTerminated().getFinishedAt() == null) {
          fromContainers = null;
          break;
        }
        Instant f = s.getState().getTerminated().getFinishedAt();
        if (fromContainers == null || fromContainers.isBefore(f)) {
          fromContainers = f;
        }
      }
      if (fromContainers != null) {
        return fromContainers;
      }
    }
    PodCondition ready = Pods.readyCondition(pod).orElse(null);
    if (ready != null && "False".equals(ready.getStatus()) && ready.getLastTransitionTime() != null) {
      return ready.getLastTransitionTime();
    }
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
      return pod.getMetadata().getDeletionTimestamp().minusSeconds(grace == null ? 0 : grace);
    }
    Instant created = pod.getMetadata().getCreationTimestamp();
    return created == null ? Instant.EPOCH : created;
  }

  /**
   * The outcome of a pod failure policy for a failed pod (upstream's {@code matchPodFailurePolicy}).
   *
   * @param failJobMessage set when a FailJob rule matched
   * @param countFailed    whether the failure counts against backoffLimit (false for Ignore)
   * @param action         the matched rule's action, or null when none matched
   */
  record PolicyMatch(String failJobMessage, boolean countFailed, String action) {
    static final PolicyMatch NONE = new PolicyMatch(null, true, null);
  }

  static PolicyMatch matchPodFailurePolicy(PodFailurePolicy policy, Pod pod) {
    if (policy == null || policy.getRules() == null) {
      return PolicyMatch.NONE;
    }
    List<PodFailurePolicyRule> rules = policy.getRules();
    for (int index = 0; index < rules.size(); index++) {
      PodFailurePolicyRule rule = rules.get(index);
      String action = rule.getAction();
      if (rule.getOnExitCodes() != null) {
        ContainerStatus matched = matchOnExitCodes(pod, rule.getOnExitCodes());
        if (matched != null) {
          switch (String.valueOf(action)) {
            case "Ignore" -> {
              return new PolicyMatch(null, false, action);
            }
            case "FailIndex", "Count" -> {
              return new PolicyMatch(null, true, action);
            }
            case "FailJob" -> {
              return new PolicyMatch(String.format("Container %s for pod %s/%s failed with exit code %d matching %s rule at index %d",
                  matched.getName(), pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                  matched.getState().getTerminated().getExitCode(), action, index), true, action);
            }
            default -> { }
          }
        }
      } else if (rule.getOnPodConditions() != null) {
        PodCondition matched = matchOnPodConditions(pod, rule.getOnPodConditions());
        if (matched != null) {
          switch (String.valueOf(action)) {
            case "Ignore" -> {
              return new PolicyMatch(null, false, action);
            }
            case "FailIndex", "Count" -> {
              return new PolicyMatch(null, true, action);
            }
            case "FailJob" -> {
              return new PolicyMatch(String.format("Pod %s/%s has condition %s matching %s rule at index %d",
                  pod.getMetadata().getNamespace(), pod.getMetadata().getName(), matched.getType(), action, index),
                  true, action);
            }
            default -> { }
          }
        }
      }
    }
    return PolicyMatch.NONE;
  }

  private static ContainerStatus matchOnExitCodes(Pod pod, PodFailurePolicyOnExitCodesRequirement req) {
    if (pod.getStatus() == null) {
      return null;
    }
    ContainerStatus s = matchingContainer(pod.getStatus().getContainerStatuses(), req);
    return s != null ? s : matchingContainer(pod.getStatus().getInitContainerStatuses(), req);
  }

  private static ContainerStatus matchingContainer(List<ContainerStatus> statuses, PodFailurePolicyOnExitCodesRequirement req) {
    if (statuses == null) {
      return null;
    }
    for (ContainerStatus s : statuses) {
      if (s.getState() == null || s.getState().getTerminated() == null) {
        continue;
      }
      if (req.getContainerName() == null || req.getContainerName().equals(s.getName())) {
        Integer code = s.getState().getTerminated().getExitCode();
        if (code != null && code != 0) {
          boolean in = req.getValues() != null && req.getValues().contains(code);
          if ("In".equals(req.getOperator()) ? in : "NotIn".equals(req.getOperator()) && !in) {
            return s;
          }
        }
      }
    }
    return null;
  }

  private static PodCondition matchOnPodConditions(Pod pod, List<PodFailurePolicyOnPodConditionsPattern> patterns) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return null;
    }
    for (PodCondition c : pod.getStatus().getConditions()) {
      for (PodFailurePolicyOnPodConditionsPattern p : patterns) {
        if (String.valueOf(c.getType()).equals(p.getType())
            && String.valueOf(c.getStatus()).equals(p.getStatus() == null ? "True" : p.getStatus())) {
          return c;
        }
      }
    }
    return null;
  }

  /** The message of the first rule of {@code policy} met by {@code succeeded}, or null (upstream's {@code matchSuccessPolicy}). */
  static String matchSuccessPolicy(SuccessPolicy policy, int completions, Intervals succeeded) {
    if (policy == null || policy.getRules() == null || succeeded.isEmpty()) {
      return null;
    }
    List<SuccessPolicyRule> rules = policy.getRules();
    for (int index = 0; index < rules.size(); index++) {
      SuccessPolicyRule rule = rules.get(index);
      if (rule.getSucceededIndexes() != null) {
        Intervals required = Intervals.parse(rule.getSucceededIndexes(), completions);
        if (required.isEmpty()) {
          continue;
        }
        if (matchSucceededIndexes(required, succeeded, rule.getSucceededCount())) {
          return "Matched rules at index " + index;
        }
      } else if (rule.getSucceededCount() != null && succeeded.total() >= rule.getSucceededCount()) {
        return "Matched rules at index " + index;
      }
    }
    return null;
  }

  private static boolean matchSucceededIndexes(Intervals rule, Intervals succeeded, Integer succeededCount) {
    int contains = 0;
    int s = 0;
    int r = 0;
    List<Intervals.Interval> rl = rule.list();
    List<Intervals.Interval> sl = succeeded.list();
    while (r < rl.size() && s < sl.size()) {
      int overlap = Math.min(rl.get(r).last(), sl.get(s).last()) - Math.max(rl.get(r).first(), sl.get(s).first()) + 1;
      if (overlap > 0) {
        contains += overlap;
      }
      if (sl.get(s).last() < rl.get(r).last()) {
        s++;
      } else {
        r++;
      }
    }
    return contains == rule.total() || (succeededCount != null && contains >= succeededCount);
  }

  /**
   * With restartPolicy OnFailure, whether the restarts of the running and pending pods' containers
   * reach backoffLimit (upstream's {@code pastBackoffLimitOnFailure}).
   */
  static boolean pastBackoffLimitOnFailure(Job job, List<Pod> pods) {
    if (job.getSpec().getTemplate() == null || job.getSpec().getTemplate().getSpec() == null
        || !"OnFailure".equals(job.getSpec().getTemplate().getSpec().getRestartPolicy())) {
      return false;
    }
    int restarts = 0;
    for (Pod p : pods) {
      String phase = Pods.phase(p);
      if ((phase.equals("Running") || phase.equals("Pending")) && p.getStatus() != null) {
        restarts += sumRestarts(p.getStatus().getInitContainerStatuses()) + sumRestarts(p.getStatus().getContainerStatuses());
      }
    }
    int limit = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
    return limit == 0 ? restarts > 0 : restarts >= limit;
  }

  private static int sumRestarts(List<ContainerStatus> statuses) {
    int n = 0;
    if (statuses != null) {
      for (ContainerStatus s : statuses) {
        n += s.getRestartCount() == null ? 0 : s.getRestartCount();
      }
    }
    return n;
  }

  /**
   * The generateName of an Indexed Job's pod: {@code <job>-<index>-}, the job name cut so that the
   * random suffix still fits a 63-character name (upstream's {@code podGenerateNameWithIndex}).
   */
  static String generateNameWithIndex(String jobName, int index) {
    String append = "-" + index + "-";
    String prefix = jobName + append;
    int max = 63 - 5;
    if (prefix.length() > max) {
      prefix = prefix.substring(0, max - append.length()) + append;
    }
    return prefix;
  }

  static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}
