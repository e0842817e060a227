package io.bosun.api.validation;

import static io.bosun.api.validation.Common.immutable;
import static io.bosun.api.validation.Common.intOrPercentValue;
import static io.bosun.api.validation.Common.intval;
import static io.bosun.api.validation.Common.isEmpty;
import static io.bosun.api.validation.Common.isTrue;
import static io.bosun.api.validation.Common.list;
import static io.bosun.api.validation.Common.longval;
import static io.bosun.api.validation.Common.nonNegative;
import static io.bosun.api.validation.Common.notMoreThan100Percent;
import static io.bosun.api.validation.Common.positiveIntOrPercent;
import static io.bosun.api.validation.Common.str;
import static io.bosun.api.validation.Paths.child;
import static io.bosun.api.validation.Paths.index;
import static io.bosun.api.validation.Paths.key;

import io.bosun.api.apps.v1.ControllerRevision;
import io.bosun.api.apps.v1.DaemonSet;
import io.bosun.api.apps.v1.DaemonSetSpec;
import io.bosun.api.apps.v1.DaemonSetStatus;
import io.bosun.api.apps.v1.DaemonSetUpdateStrategy;
import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.apps.v1.DeploymentSpec;
import io.bosun.api.apps.v1.DeploymentStatus;
import io.bosun.api.apps.v1.DeploymentStrategy;
import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.ReplicaSetSpec;
import io.bosun.api.apps.v1.ReplicaSetStatus;
import io.bosun.api.apps.v1.StatefulSet;
import io.bosun.api.apps.v1.StatefulSetSpec;
import io.bosun.api.apps.v1.StatefulSetStatus;
import io.bosun.api.autoscaling.v1.Scale;
import io.bosun.api.batch.v1.CronJob;
import io.bosun.api.batch.v1.CronJobSpec;
import io.bosun.api.batch.v1.Job;
import io.bosun.api.batch.v1.JobSpec;
import io.bosun.api.batch.v1.JobStatus;
import io.bosun.api.batch.v1.JobTemplateSpec;
import io.bosun.api.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.bosun.api.batch.v1.PodFailurePolicyRule;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.values.IntOrString;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** apps/v1, batch/v1 and autoscaling/v1 validation, after upstream's {@code pkg/apis/{apps,batch}/validation}. */
final class WorkloadValidation {

  private static final String SELECTOR_MISMATCH = "`selector` does not match template `labels`";
  private static final Pattern TIME_ZONE_PART = Pattern.compile("[A-Za-z.\\-_0-9+]{1,14}");

  private WorkloadValidation() {
  }

  private static ObjectMeta meta(ObjectMeta m) {
    return m == null ? new ObjectMeta() : m;
  }

  private static Map<String, String> templateLabels(PodTemplateSpec t) {
    return t == null || t.getMetadata() == null ? null : t.getMetadata().getLabels();
  }

  private static PodSpec templateSpec(PodTemplateSpec t) {
    return t == null || t.getSpec() == null ? new PodSpec() : t.getSpec();
  }

  /** Selector checks shared by deployments, replica sets and stateful sets. */
  private static void requiredSelector(List<FieldError> errs, LabelSelector selector, String path, String kind) {
    if (selector == null) {
      errs.add(FieldError.required(path, ""));
      return;
    }
    Common.labelSelector(errs, selector, path);
    if (Common.selectorIsEmpty(selector)) {
      errs.add(FieldError.invalid(path, GoValue.selector(selector), "empty selector is invalid for " + kind));
    }
  }

  /** upstream's {@code ValidatePodTemplateSpecForReplicaSet}. */
  private static void templateForReplicaSet(List<FieldError> errs, PodTemplateSpec template, LabelSelector selector,
      String path, String kind) {
    if (selector != null && !Common.selectorIsEmpty(selector) && Common.selectorParses(selector)
        && !Common.selectorMatches(selector, templateLabels(template))) {
      errs.add(FieldError.invalid(child(path, "metadata", "labels"), GoValue.stringMap(templateLabels(template)),
          SELECTOR_MISMATCH));
    }
    PodValidation.podTemplateSpec(errs, template, path);
    PodSpec spec = templateSpec(template);
    if (!"Always".equals(spec.getRestartPolicy())) {
      errs.add(FieldError.notSupported(child(path, "spec", "restartPolicy"), str(spec.getRestartPolicy()),
          List.of("Always")));
    }
    if (spec.getActiveDeadlineSeconds() != null) {
      errs.add(FieldError.forbidden(child(path, "spec", "activeDeadlineSeconds"),
          "activeDeadlineSeconds in " + kind + " is not Supported"));
    }
  }

  // ------------------------------------------------------------------ Deployment

  static void deployment(List<FieldError> errs, Deployment d) {
    MetaValidation.objectMeta(errs, d.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
    deploymentSpec(errs, d.getSpec() == null ? new DeploymentSpec() : d.getSpec());
  }

  private static void deploymentSpec(List<FieldError> errs, DeploymentSpec spec) {
    nonNegative(errs, intval(spec.getReplicas()), "spec.replicas");
    requiredSelector(errs, spec.getSelector(), "spec.selector", "deployment");
    if (spec.getSelector() != null && !Common.selectorParses(spec.getSelector())) {
      errs.add(FieldError.invalid("spec.selector", GoValue.selector(spec.getSelector()), "invalid label selector"));
    } else {
      templateForReplicaSet(errs, spec.getTemplate(), spec.getSelector(), "spec.template", "ReplicaSet");
    }
    DeploymentStrategy strategy = spec.getStrategy() == null ? new DeploymentStrategy() : spec.getStrategy();
    switch (str(strategy.getType())) {
      case "Recreate" -> {
        if (strategy.getRollingUpdate() != null) {
          errs.add(FieldError.forbidden("spec.strategy.rollingUpdate",
              "may not be specified when strategy `type` is 'Recreate'"));
        }
      }
      case "RollingUpdate" -> {
        if (strategy.getRollingUpdate() == null) {
          errs.add(FieldError.required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"));
        } else {
          IntOrString maxUnavailable = strategy.getRollingUpdate().getMaxUnavailable();
          IntOrString maxSurge = strategy.getRollingUpdate().getMaxSurge();
          positiveIntOrPercent(errs, maxUnavailable, "spec.strategy.rollingUpdate.maxUnavailable");
          positiveIntOrPercent(errs, maxSurge, "spec.strategy.rollingUpdate.maxSurge");
          if (intOrPercentValue(maxUnavailable) == 0 && intOrPercentValue(maxSurge) == 0) {
            errs.add(FieldError.invalid("spec.strategy.rollingUpdate.maxUnavailable",
                maxUnavailable == null ? IntOrString.of(0) : maxUnavailable, "may not be 0 when `maxSurge` is 0"));
          }
          notMoreThan100Percent(errs, maxUnavailable, "spec.strategy.rollingUpdate.maxUnavailable");
        }
      }
      default -> errs.add(FieldError.notSupported("spec.strategy", GoValue.raw("apps.DeploymentStrategy{Type:"
          + GoValue.quote(strategy.getType()) + ", RollingUpdate:...}"), List.of("Recreate", "RollingUpdate")));
    }
    nonNegative(errs, intval(spec.getMinReadySeconds()), "spec.minReadySeconds");
    if (spec.getRevisionHistoryLimit() != null) {
      nonNegative(errs, spec.getRevisionHistoryLimit(), "spec.revisionHistoryLimit");
    }
    if (spec.getProgressDeadlineSeconds() != null) {
      nonNegative(errs, spec.getProgressDeadlineSeconds(), "spec.progressDeadlineSeconds");
      if (spec.getProgressDeadlineSeconds() <= intval(spec.getMinReadySeconds())) {
        errs.add(FieldError.invalid("spec.progressDeadlineSeconds", spec.getProgressDeadlineSeconds(),
            "must be greater than minReadySeconds"));
      }
    }
  }

  static void deploymentUpdate(List<FieldError> errs, Deployment d, Deployment old) {
    MetaValidation.objectMetaUpdate(errs, d.getMetadata(), old.getMetadata(), "metadata");
    deploymentSpec(errs, d.getSpec() == null ? new DeploymentSpec() : d.getSpec());
    selectorImmutable(errs, d.getSpec() == null ? null : d.getSpec().getSelector(),
        old.getSpec() == null ? null : old.getSpec().getSelector());
  }

  private static void selectorImmutable(List<FieldError> errs, LabelSelector selector, LabelSelector old) {
    if (!PodValidation.semanticEquals(selector, old)) {
      errs.add(FieldError.invalid("spec.selector", GoValue.selector(selector), Common.IMMUTABLE));
    }
  }

  static void deploymentStatusUpdate(List<FieldError> errs, Deployment d, Deployment old) {
    MetaValidation.objectMetaUpdate(errs, d.getMetadata(), old.getMetadata(), "metadata");
    DeploymentStatus s = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
    nonNegative(errs, longval(s.getObservedGeneration()), "status.observedGeneration");
    nonNegative(errs, intval(s.getReplicas()), "status.replicas");
    nonNegative(errs, intval(s.getUpdatedReplicas()), "status.updatedReplicas");
    nonNegative(errs, intval(s.getReadyReplicas()), "status.readyReplicas");
    nonNegative(errs, intval(s.getAvailableReplicas()), "status.availableReplicas");
    nonNegative(errs, intval(s.getUnavailableReplicas()), "status.unavailableReplicas");
    if (s.getCollisionCount() != null) {
      nonNegative(errs, s.getCollisionCount(), "status.collisionCount");
    }
    notAbove(errs, s.getUpdatedReplicas(), s.getReplicas(), "status.updatedReplicas", "status.replicas");
    notAbove(errs, s.getReadyReplicas(), s.getReplicas(), "status.readyReplicas", "status.replicas");
    notAbove(errs, s.getAvailableReplicas(), s.getReplicas(), "status.availableReplicas", "status.replicas");
    notAbove(errs, s.getAvailableReplicas(), s.getReadyReplicas(), "status.availableReplicas", "readyReplicas");
    collisionCount(errs, s.getCollisionCount(), old.getStatus() == null ? null : old.getStatus().getCollisionCount());
  }

  private static void notAbove(List<FieldError> errs, Integer value, Integer limit, String path, String limitName) {
    if (intval(value) > intval(limit)) {
      errs.add(FieldError.invalid(path, intval(value), "cannot be greater than " + limitName));
    }
  }

  private static void collisionCount(List<FieldError> errs, Integer count, Integer old) {
    if (old != null && (count == null || count < old)) {
      errs.add(FieldError.invalid("status.collisionCount", intval(count), "cannot be decremented"));
    }
  }

  // ------------------------------------------------------------------ ReplicaSet

  static void replicaSet(List<FieldError> errs, ReplicaSet rs) {
    MetaValidation.objectMeta(errs, rs.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
    replicaSetSpec(errs, rs.getSpec() == null ? new ReplicaSetSpec() : rs.getSpec());
  }

  private static void replicaSetSpec(List<FieldError> errs, ReplicaSetSpec spec) {
    nonNegative(errs, intval(spec.getReplicas()), "spec.replicas");
    nonNegative(errs, intval(spec.getMinReadySeconds()), "spec.minReadySeconds");
    // Upstream's message says "deployment" for replica sets too.
    requiredSelector(errs, spec.getSelector(), "spec.selector", "deployment");
    if (spec.getSelector() != null && !Common.selectorParses(spec.getSelector())) {
      errs.add(FieldError.invalid("spec.selector", GoValue.selector(spec.getSelector()), "invalid label selector"));
    } else {
      templateForReplicaSet(errs, spec.getTemplate(), spec.getSelector(), "spec.template", "ReplicaSet");
    }
  }

  static void replicaSetUpdate(List<FieldError> errs, ReplicaSet rs, ReplicaSet old) {
    MetaValidation.objectMetaUpdate(errs, rs.getMetadata(), old.getMetadata(), "metadata");
    replicaSetSpec(errs, rs.getSpec() == null ? new ReplicaSetSpec() : rs.getSpec());
    selectorImmutable(errs, rs.getSpec() == null ? null : rs.getSpec().getSelector(),
        old.getSpec() == null ? null : old.getSpec().getSelector());
  }

  static void replicaSetStatusUpdate(List<FieldError> errs, ReplicaSet rs, ReplicaSet old) {
    MetaValidation.objectMetaUpdate(errs, rs.getMetadata(), old.getMetadata(), "metadata");
    ReplicaSetStatus s = rs.getStatus() == null ? new ReplicaSetStatus() : rs.getStatus();
    nonNegative(errs, intval(s.getReplicas()), "status.replicas");
    nonNegative(errs, intval(s.getFullyLabeledReplicas()), "status.fullyLabeledReplicas");
    nonNegative(errs, intval(s.getReadyReplicas()), "status.readyReplicas");
    nonNegative(errs, intval(s.getAvailableReplicas()), "status.availableReplicas");
    nonNegative(errs, longval(s.getObservedGeneration()), "status.observedGeneration");
    notAbove(errs, s.getFullyLabeledReplicas(), s.getReplicas(), "status.fullyLabeledReplicas", "status.replicas");
    notAbove(errs, s.getReadyReplicas(), s.getReplicas(), "status.readyReplicas", "status.replicas");
    notAbove(errs, s.getAvailableReplicas(), s.getReplicas(), "status.availableReplicas", "status.replicas");
    notAbove(errs, s.getAvailableReplicas(), s.getReadyReplicas(), "status.availableReplicas", "readyReplicas");
  }

  // ------------------------------------------------------------------ DaemonSet

  static void daemonSet(List<FieldError> errs, DaemonSet ds) {
    MetaValidation.objectMeta(errs, ds.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
    daemonSetSpec(errs, ds.getSpec() == null ? new DaemonSetSpec() : ds.getSpec());
  }

  private static void daemonSetSpec(List<FieldError> errs, DaemonSetSpec spec) {
    Common.labelSelector(errs, spec.getSelector(), "spec.selector");
    // A missing selector selects nothing, so it cannot match the template either.
    if (Common.selectorParses(spec.getSelector())
        && !Common.selectorMatches(spec.getSelector(), templateLabels(spec.getTemplate()))) {
      errs.add(FieldError.invalid("spec.template.metadata.labels", GoValue.stringMap(templateLabels(spec.getTemplate())),
          SELECTOR_MISMATCH));
    }
    if (spec.getSelector() != null && Common.selectorIsEmpty(spec.getSelector())) {
      errs.add(FieldError.invalid("spec.selector", GoValue.selector(spec.getSelector()),
          "empty selector is invalid for daemonset"));
    }
    PodValidation.podTemplateSpec(errs, spec.getTemplate(), "spec.template");
    PodSpec podSpec = templateSpec(spec.getTemplate());
    if (!"Always".equals(podSpec.getRestartPolicy())) {
      errs.add(FieldError.notSupported("spec.template.spec.restartPolicy", str(podSpec.getRestartPolicy()),
          List.of("Always")));
    }
    if (podSpec.getActiveDeadlineSeconds() != null) {
      errs.add(FieldError.forbidden("spec.template.spec.activeDeadlineSeconds",
          "activeDeadlineSeconds in DaemonSet is not Supported"));
    }
    nonNegative(errs, intval(spec.getMinReadySeconds()), "spec.minReadySeconds");
    DaemonSetUpdateStrategy strategy = spec.getUpdateStrategy() == null ? new DaemonSetUpdateStrategy()
        : spec.getUpdateStrategy();
    switch (str(strategy.getType())) {
      case "OnDelete" -> { }
      case "RollingUpdate" -> {
        if (strategy.getRollingUpdate() == null) {
          errs.add(FieldError.required("spec.updateStrategy.rollingUpdate", ""));
        } else {
          String p = "spec.updateStrategy.rollingUpdate";
          IntOrString maxUnavailable = strategy.getRollingUpdate().getMaxUnavailable();
          IntOrString maxSurge = strategy.getRollingUpdate().getMaxSurge();
          positiveIntOrPercent(errs, maxUnavailable, child(p, "maxUnavailable"));
          positiveIntOrPercent(errs, maxSurge, child(p, "maxSurge"));
          notMoreThan100Percent(errs, maxUnavailable, child(p, "maxUnavailable"));
          notMoreThan100Percent(errs, maxSurge, child(p, "maxSurge"));
          boolean hasUnavailable = intOrPercentValue(maxUnavailable) != 0;
          boolean hasSurge = intOrPercentValue(maxSurge) != 0;
          if (hasUnavailable && hasSurge) {
            errs.add(FieldError.invalid(child(p, "maxSurge"), maxSurge, "may not be set when maxUnavailable is non-zero"));
          } else if (!hasUnavailable && !hasSurge) {
            errs.add(FieldError.required(child(p, "maxUnavailable"), "cannot be 0 when maxSurge is 0"));
          }
        }
      }
      default -> errs.add(FieldError.notSupported("spec.updateStrategy", GoValue.raw("apps.DaemonSetUpdateStrategy{Type:"
          + GoValue.quote(strategy.getType()) + ", RollingUpdate:...}"), List.of("RollingUpdate", "OnDelete")));
    }
    if (spec.getRevisionHistoryLimit() != null) {
      nonNegative(errs, spec.getRevisionHistoryLimit(), "spec.revisionHistoryLimit");
    }
  }

  static void daemonSetUpdate(List<FieldError> errs, DaemonSet ds, DaemonSet old) {
    MetaValidation.objectMetaUpdate(errs, ds.getMetadata(), old.getMetadata(), "metadata");
    daemonSetSpec(errs, ds.getSpec() == null ? new DaemonSetSpec() : ds.getSpec());
    selectorImmutable(errs, ds.getSpec() == null ? null : ds.getSpec().getSelector(),
        old.getSpec() == null ? null : old.getSpec().getSelector());
  }

  static void daemonSetStatusUpdate(List<FieldError> errs, DaemonSet ds, DaemonSet old) {
    MetaValidation.objectMetaUpdate(errs, ds.getMetadata(), old.getMetadata(), "metadata");
    DaemonSetStatus s = ds.getStatus() == null ? new DaemonSetStatus() : ds.getStatus();
    nonNegative(errs, intval(s.getCurrentNumberScheduled()), "status.currentNumberScheduled");
    nonNegative(errs, intval(s.getNumberMisscheduled()), "status.numberMisscheduled");
    nonNegative(errs, intval(s.getDesiredNumberScheduled()), "status.desiredNumberScheduled");
    nonNegative(errs, intval(s.getNumberReady()), "status.numberReady");
    nonNegative(errs, longval(s.getObservedGeneration()), "status.observedGeneration");
    nonNegative(errs, intval(s.getUpdatedNumberScheduled()), "status.updatedNumberScheduled");
    nonNegative(errs, intval(s.getNumberAvailable()), "status.numberAvailable");
    nonNegative(errs, intval(s.getNumberUnavailable()), "status.numberUnavailable");
    if (s.getCollisionCount() != null) {
      nonNegative(errs, s.getCollisionCount(), "status.collisionCount");
    }
    collisionCount(errs, s.getCollisionCount(), old.getStatus() == null ? null : old.getStatus().getCollisionCount());
  }

  // ------------------------------------------------------------------ StatefulSet

  static void statefulSet(List<FieldError> errs, StatefulSet sts) {
    MetaValidation.objectMeta(errs, sts.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
    statefulSetSpec(errs, sts.getSpec() == null ? new StatefulSetSpec() : sts.getSpec());
  }

  private static void statefulSetSpec(List<FieldError> errs, StatefulSetSpec spec) {
    switch (str(spec.getPodManagementPolicy())) {
      case "" -> errs.add(FieldError.required("spec.podManagementPolicy", ""));
      case "OrderedReady", "Parallel" -> { }
      default -> errs.add(FieldError.invalid("spec.podManagementPolicy", spec.getPodManagementPolicy(),
          "must be 'OrderedReady' or 'Parallel'"));
    }
    var strategy = spec.getUpdateStrategy();
    String type = strategy == null ? "" : str(strategy.getType());
    switch (type) {
      case "" -> errs.add(FieldError.required("spec.updateStrategy", ""));
      case "OnDelete" -> {
        if (strategy.getRollingUpdate() != null) {
          errs.add(FieldError.invalid("spec.updateStrategy.rollingUpdate",
              GoValue.raw("&apps.RollingUpdateStatefulSetStrategy{...}"), "only allowed for updateStrategy 'RollingUpdate'"));
        }
      }
      case "RollingUpdate" -> {
        var ru = strategy.getRollingUpdate();
        if (ru != null) {
          nonNegative(errs, intval(ru.getPartition()), "spec.updateStrategy.rollingUpdate.partition");
          if (ru.getMaxUnavailable() != null) {
            String p = "spec.updateStrategy.rollingUpdate.maxUnavailable";
            positiveIntOrPercent(errs, ru.getMaxUnavailable(), p);
            if (intOrPercentValue(ru.getMaxUnavailable()) == 0) {
              errs.add(FieldError.invalid(p, ru.getMaxUnavailable(), "cannot be 0"));
            }
            notMoreThan100Percent(errs, ru.getMaxUnavailable(), p);
          }
        }
      }
      default -> errs.add(FieldError.invalid("spec.updateStrategy", GoValue.raw("apps.StatefulSetUpdateStrategy{Type:"
          + GoValue.quote(type) + ", RollingUpdate:...}"), "must be 'RollingUpdate' or 'OnDelete'"));
    }
    var retention = spec.getPersistentVolumeClaimRetentionPolicy();
    if (retention != null) {
      List<String> valid = List.of("Retain", "Delete");
      Common.notSupported(errs, str(retention.getWhenDeleted()),
          "spec.persistentVolumeClaimRetentionPolicy.whenDeleted", valid);
      Common.notSupported(errs, str(retention.getWhenScaled()),
          "spec.persistentVolumeClaimRetentionPolicy.whenScaled", valid);
    }
    nonNegative(errs, intval(spec.getReplicas()), "spec.replicas");
    nonNegative(errs, intval(spec.getMinReadySeconds()), "spec.minReadySeconds");
    if (spec.getOrdinals() != null) {
      nonNegative(errs, intval(spec.getOrdinals().getStart()), "spec.ordinals.start");
    }
    requiredSelector(errs, spec.getSelector(), "spec.selector", "statefulset");
    if (spec.getSelector() != null && !Common.selectorParses(spec.getSelector())) {
      errs.add(FieldError.invalid("spec.selector", GoValue.selector(spec.getSelector()), ""));
    } else {
      // Upstream validates a stateful set's template only shallowly: labels, annotations, selector match.
      PodTemplateSpec template = spec.getTemplate();
      if (spec.getSelector() != null && !Common.selectorIsEmpty(spec.getSelector())
          && !Common.selectorMatches(spec.getSelector(), templateLabels(template))) {
        errs.add(FieldError.invalid("spec.template.metadata.labels", GoValue.stringMap(templateLabels(template)),
            SELECTOR_MISMATCH));
      }
      ObjectMeta tm = template == null || template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
      Common.labels(errs, tm.getLabels(), "spec.template.labels");
      MetaValidation.annotations(errs, tm.getAnnotations(), "spec.template.annotations");
    }
    PodSpec podSpec = templateSpec(spec.getTemplate());
    if (!"Always".equals(podSpec.getRestartPolicy())) {
      errs.add(FieldError.notSupported("spec.template.spec.restartPolicy", str(podSpec.getRestartPolicy()),
          List.of("Always")));
    }
    if (podSpec.getActiveDeadlineSeconds() != null) {
      errs.add(FieldError.forbidden("spec.template.spec.activeDeadlineSeconds",
          "activeDeadlineSeconds in StatefulSet is not Supported"));
    }
  }

  static void statefulSetUpdate(List<FieldError> errs, StatefulSet sts, StatefulSet old) {
    MetaValidation.objectMetaUpdate(errs, sts.getMetadata(), old.getMetadata(), "metadata");
    StatefulSetSpec spec = sts.getSpec() == null ? new StatefulSetSpec() : sts.getSpec();
    StatefulSetSpec oldSpec = old.getSpec() == null ? new StatefulSetSpec() : old.getSpec();
    statefulSetSpec(errs, spec);
    StatefulSetSpec clone = spec.deepCopy();
    clone.setReplicas(oldSpec.getReplicas());
    clone.setTemplate(oldSpec.getTemplate());
    clone.setUpdateStrategy(oldSpec.getUpdateStrategy());
    clone.setMinReadySeconds(oldSpec.getMinReadySeconds());
    clone.setOrdinals(oldSpec.getOrdinals());
    clone.setRevisionHistoryLimit(oldSpec.getRevisionHistoryLimit());
    clone.setPersistentVolumeClaimRetentionPolicy(oldSpec.getPersistentVolumeClaimRetentionPolicy());
    if (!PodValidation.semanticEquals(clone, oldSpec)) {
      errs.add(FieldError.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', "
          + "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' "
          + "and 'minReadySeconds' are forbidden"));
    }
  }

  static void statefulSetStatusUpdate(List<FieldError> errs, StatefulSet sts, StatefulSet old) {
    MetaValidation.objectMetaUpdate(errs, sts.getMetadata(), old.getMetadata(), "metadata");
    StatefulSetStatus s = sts.getStatus() == null ? new StatefulSetStatus() : sts.getStatus();
    nonNegative(errs, intval(s.getReplicas()), "status.replicas");
    nonNegative(errs, intval(s.getReadyReplicas()), "status.readyReplicas");
    nonNegative(errs, intval(s.getCurrentReplicas()), "status.currentReplicas");
    nonNegative(errs, intval(s.getUpdatedReplicas()), "status.updatedReplicas");
    nonNegative(errs, intval(s.getAvailableReplicas()), "status.availableReplicas");
    nonNegative(errs, longval(s.getObservedGeneration()), "status.observedGeneration");
    if (s.getCollisionCount() != null) {
      nonNegative(errs, s.getCollisionCount(), "status.collisionCount");
    }
    notAbove(errs, s.getReadyReplicas(), s.getReplicas(), "status.readyReplicas", "status.replicas");
    notAbove(errs, s.getCurrentReplicas(), s.getReplicas(), "status.currentReplicas", "status.replicas");
    notAbove(errs, s.getUpdatedReplicas(), s.getReplicas(), "status.updatedReplicas", "status.replicas");
    notAbove(errs, s.getAvailableReplicas(), s.getReplicas(), "status.availableReplicas", "status.replicas");
    // Unlike deployments and replica sets, upstream says "status.readyReplicas" here.
    notAbove(errs, s.getAvailableReplicas(), s.getReadyReplicas(), "status.availableReplicas", "status.readyReplicas");
    collisionCount(errs, s.getCollisionCount(), old.getStatus() == null ? null : old.getStatus().getCollisionCount());
  }

  // ------------------------------------------------------------------ ControllerRevision, Scale

  static void controllerRevision(List<FieldError> errs, ControllerRevision rev) {
    MetaValidation.objectMeta(errs, rev.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
    if (rev.getData() == null || rev.getData().isNull()) {
      errs.add(FieldError.required("data", "data is mandatory"));
    }
    nonNegative(errs, longval(rev.getRevision()), "revision");
  }

  static void controllerRevisionUpdate(List<FieldError> errs, ControllerRevision rev, ControllerRevision old) {
    MetaValidation.objectMetaUpdate(errs, rev.getMetadata(), old.getMetadata(), "metadata");
    controllerRevision(errs, rev);
    if (!Objects.equals(rev.getData(), old.getData())) {
      errs.add(FieldError.invalid("data", GoValue.raw("runtime.RawExtension{...}"), Common.IMMUTABLE));
    }
  }

  static void scale(List<FieldError> errs, Scale scale) {
    MetaValidation.objectMeta(errs, scale.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
    int replicas = scale.getSpec() == null ? 0 : intval(scale.getSpec().getReplicas());
    if (replicas < 0) {
      errs.add(FieldError.invalid("spec.replicas", replicas, "must be greater than or equal to 0"));
    }
  }

  // ------------------------------------------------------------------ Job

  static void job(List<FieldError> errs, Job job) {
    ObjectMeta meta = meta(job.getMetadata());
    MetaValidation.objectMeta(errs, meta, true, NameRules.DNS_SUBDOMAIN, "metadata");
    JobSpec spec = job.getSpec() == null ? new JobSpec() : job.getSpec();
    generatedSelector(errs, job);
    jobSpecWithSelector(errs, spec, "spec");
    if ("Indexed".equals(spec.getCompletionMode()) && intval(spec.getCompletions()) > 0) {
      String hostname = str(meta.getName()) + "-" + (spec.getCompletions() - 1);
      if (!NameRules.isDns1123Label(hostname).isEmpty()) {
        errs.add(FieldError.invalid("metadata.name", str(meta.getName()),
            "will not able to create pod with invalid DNS label: " + hostname));
      }
    }
  }

  private static void generatedSelector(List<FieldError> errs, Job job) {
    JobSpec spec = job.getSpec() == null ? new JobSpec() : job.getSpec();
    if (isTrue(spec.getManualSelector()) || spec.getSelector() == null) {
      return;
    }
    ObjectMeta meta = meta(job.getMetadata());
    if (isEmpty(meta.getUid())) {
      errs.add(FieldError.required("metadata.uid", ""));
    }
    ObjectMeta templateMeta = spec.getTemplate() == null || spec.getTemplate().getMetadata() == null ? new ObjectMeta()
        : spec.getTemplate().getMetadata();
    hasLabel(errs, templateMeta, "spec.template.metadata", "controller-uid", str(meta.getUid()));
    hasLabel(errs, templateMeta, "spec.template.metadata", "job-name", str(meta.getName()));
    hasLabel(errs, templateMeta, "spec.template.metadata", "batch.kubernetes.io/controller-uid", str(meta.getUid()));
    hasLabel(errs, templateMeta, "spec.template.metadata", "batch.kubernetes.io/job-name", str(meta.getName()));
    if (!Common.selectorMatches(spec.getSelector(), Map.of("batch.kubernetes.io/controller-uid", str(meta.getUid())))) {
      errs.add(FieldError.invalid("spec.selector", GoValue.selector(spec.getSelector()), "`selector` not auto-generated"));
    }
  }

  private static void hasLabel(List<FieldError> errs, ObjectMeta meta, String path, String label, String expected) {
    Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
    String p = key(child(path, "labels"), label);
    if (!labels.containsKey(label)) {
      errs.add(FieldError.required(p, expected));
    } else if (!labels.get(label).equals(expected)) {
      errs.add(FieldError.invalid(p, GoValue.stringMap(labels), "must be '" + expected + "'"));
    }
  }

  private static void jobSpecWithSelector(List<FieldError> errs, JobSpec spec, String path) {
    jobSpec(errs, spec, path);
    if (spec.getSelector() == null) {
      errs.add(FieldError.required(child(path, "selector"), ""));
    } else {
      Common.labelSelector(errs, spec.getSelector(), child(path, "selector"));
    }
    if (Common.selectorParses(spec.getSelector())
        && !Common.selectorMatches(spec.getSelector(), templateLabels(spec.getTemplate()))) {
      errs.add(FieldError.invalid(child(path, "template", "metadata", "labels"),
          GoValue.stringMap(templateLabels(spec.getTemplate())), SELECTOR_MISMATCH));
    }
  }

  private static void jobSpec(List<FieldError> errs, JobSpec spec, String path) {
    if (spec.getParallelism() != null) {
      nonNegative(errs, spec.getParallelism(), child(path, "parallelism"));
    }
    if (spec.getCompletions() != null) {
      nonNegative(errs, spec.getCompletions(), child(path, "completions"));
    }
    if (spec.getActiveDeadlineSeconds() != null) {
      nonNegative(errs, spec.getActiveDeadlineSeconds(), child(path, "activeDeadlineSeconds"));
    }
    if (spec.getBackoffLimit() != null) {
      nonNegative(errs, spec.getBackoffLimit(), child(path, "backoffLimit"));
    }
    if (spec.getTtlSecondsAfterFinished() != null) {
      nonNegative(errs, spec.getTtlSecondsAfterFinished(), child(path, "ttlSecondsAfterFinished"));
    }
    if (spec.getBackoffLimitPerIndex() != null) {
      nonNegative(errs, spec.getBackoffLimitPerIndex(), child(path, "backoffLimitPerIndex"));
    }
    if (spec.getMaxFailedIndexes() != null) {
      nonNegative(errs, spec.getMaxFailedIndexes(), child(path, "maxFailedIndexes"));
      if (spec.getBackoffLimitPerIndex() == null) {
        errs.add(FieldError.required(child(path, "backoffLimitPerIndex"), "when maxFailedIndexes is specified"));
      }
    }
    if (spec.getManagedBy() != null) {
      String managedBy = spec.getManagedBy();
      String[] segments = managedBy.split("/", 2);
      if (managedBy.isEmpty()) {
        errs.add(FieldError.required(child(path, "managedBy"), ""));
      } else if (segments.length != 2 || segments[0].isEmpty() || segments[1].isEmpty()) {
        errs.add(FieldError.invalid(child(path, "managedBy"), managedBy,
            "must be a domain-prefixed path (such as \"acme.io/foo\")"));
      } else {
        Common.dns1123Subdomain(errs, segments[0], child(path, "managedBy"));
      }
      if (managedBy.length() > 63) {
        errs.add(FieldError.tooLong(child(path, "managedBy"), managedBy, 63));
      }
    }
    String mode = spec.getCompletionMode();
    if (mode != null) {
      if (!mode.equals("NonIndexed") && !mode.equals("Indexed")) {
        errs.add(FieldError.notSupported(child(path, "completionMode"), mode, List.of("NonIndexed", "Indexed")));
      }
      if (mode.equals("Indexed")) {
        if (spec.getCompletions() == null) {
          errs.add(FieldError.required(child(path, "completions"), "when completion mode is Indexed"));
        }
        if (spec.getParallelism() != null && spec.getParallelism() > 100000) {
          errs.add(FieldError.invalid(child(path, "parallelism"), spec.getParallelism(),
              "must be less than or equal to 100000 when completion mode is Indexed"));
        }
        if (spec.getCompletions() != null && spec.getMaxFailedIndexes() != null
            && spec.getMaxFailedIndexes() > spec.getCompletions()) {
          errs.add(FieldError.invalid(child(path, "maxFailedIndexes"), spec.getMaxFailedIndexes(),
              "must be less than or equal to completions"));
        }
        if (spec.getMaxFailedIndexes() != null && spec.getMaxFailedIndexes() > 100000) {
          errs.add(FieldError.invalid(child(path, "maxFailedIndexes"), spec.getMaxFailedIndexes(),
              "must be less than or equal to 100000"));
        }
      }
    }
    if (mode == null || mode.equals("NonIndexed")) {
      if (spec.getBackoffLimitPerIndex() != null) {
        errs.add(FieldError.invalid(child(path, "backoffLimitPerIndex"), spec.getBackoffLimitPerIndex(),
            "requires indexed completion mode"));
      }
      if (spec.getMaxFailedIndexes() != null) {
        errs.add(FieldError.invalid(child(path, "maxFailedIndexes"), spec.getMaxFailedIndexes(),
            "requires indexed completion mode"));
      }
    }
    if (spec.getPodFailurePolicy() != null) {
      podFailurePolicy(errs, spec, child(path, "podFailurePolicy"));
    }
    if (spec.getSuccessPolicy() != null) {
      successPolicy(errs, spec, child(path, "successPolicy"));
    }
    if (spec.getPodReplacementPolicy() != null) {
      String prp = spec.getPodReplacementPolicy();
      if (spec.getPodFailurePolicy() != null) {
        if (!prp.equals("Failed")) {
          errs.add(FieldError.notSupported(child(path, "podReplacementPolicy"), prp, List.of("Failed")));
        }
      } else if (!prp.equals("Failed") && !prp.equals("TerminatingOrFailed")) {
        errs.add(FieldError.notSupported(child(path, "podReplacementPolicy"), prp,
            List.of("Failed", "TerminatingOrFailed")));
      }
    }
    PodValidation.podTemplateSpec(errs, spec.getTemplate(), child(path, "template"));
    String restart = str(templateSpec(spec.getTemplate()).getRestartPolicy());
    String restartPath = child(path, "template", "spec", "restartPolicy");
    if (restart.equals("Always") || restart.isEmpty()) {
      errs.add(FieldError.required(restartPath, "valid values: \"OnFailure\", \"Never\""));
    } else if (!restart.equals("OnFailure") && !restart.equals("Never")) {
      errs.add(FieldError.notSupported(restartPath, restart, List.of("OnFailure", "Never")));
    } else if (spec.getPodFailurePolicy() != null && !restart.equals("Never")) {
      errs.add(FieldError.invalid(restartPath, restart, "only \"Never\" is supported when podFailurePolicy is specified"));
    }
  }

  private static void podFailurePolicy(List<FieldError> errs, JobSpec spec, String path) {
    List<PodFailurePolicyRule> rules = list(spec.getPodFailurePolicy().getRules());
    if (rules.size() > 20) {
      errs.add(FieldError.tooMany(child(path, "rules"), rules.size(), 20));
    }
    List<String> actions = List.of("Count", "FailIndex", "FailJob", "Ignore");
    for (int i = 0; i < rules.size(); i++) {
      PodFailurePolicyRule rule = rules.get(i);
      String p = index(child(path, "rules"), i);
      String action = str(rule.getAction());
      if (!actions.contains(action)) {
        errs.add(FieldError.notSupported(child(p, "action"), action, actions));
      } else if (action.equals("FailIndex") && spec.getBackoffLimitPerIndex() == null) {
        errs.add(FieldError.invalid(child(p, "action"), action,
            "requires the backoffLimitPerIndex to be set"));
      }
      boolean exitCodes = rule.getOnExitCodes() != null;
      boolean conditions = !list(rule.getOnPodConditions()).isEmpty();
      if (exitCodes && conditions) {
        errs.add(FieldError.invalid(p, GoValue.raw("batch.PodFailurePolicyRule{...}"),
            "specifying both OnExitCodes and OnPodConditions is not supported"));
      } else if (!exitCodes && !conditions) {
        errs.add(FieldError.invalid(p, GoValue.raw("batch.PodFailurePolicyRule{...}"),
            "specifying one of OnExitCodes and OnPodConditions is required"));
      }
      if (exitCodes) {
        exitCodes(errs, rule.getOnExitCodes(), spec, child(p, "onExitCodes"));
      }
      var patterns = list(rule.getOnPodConditions());
      for (int j = 0; j < patterns.size(); j++) {
        String pp = index(child(p, "onPodConditions"), j);
        String status = str(patterns.get(j).getStatus());
        if (!List.of("True", "False", "Unknown").contains(status)) {
          errs.add(FieldError.notSupported(child(pp, "status"), status, List.of("True", "False", "Unknown")));
        }
        Common.qualifiedName(errs, str(patterns.get(j).getType()), child(pp, "type"));
      }
    }
  }

  private static void exitCodes(List<FieldError> errs, PodFailurePolicyOnExitCodesRequirement r, JobSpec spec,
      String path) {
    String op = str(r.getOperator());
    if (!op.equals("In") && !op.equals("NotIn")) {
      errs.add(FieldError.notSupported(child(path, "operator"), op, List.of("In", "NotIn")));
    }
    List<Integer> values = list(r.getValues());
    if (values.isEmpty()) {
      errs.add(FieldError.required(child(path, "values"), "at least one value is required"));
    } else if (values.size() > 255) {
      errs.add(FieldError.tooMany(child(path, "values"), values.size(), 255));
    }
    Integer previous = null;
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < values.size(); i++) {
      int v = intval(values.get(i));
      String p = index(child(path, "values"), i);
      if (op.equals("In") && v == 0) {
        errs.add(FieldError.invalid(p, v, "must not be 0 for the In operator"));
      }
      if (!seen.add(v)) {
        errs.add(FieldError.duplicate(p, v));
      }
      if (previous != null && previous > v) {
        errs.add(FieldError.invalid(p, v, "must be ordered"));
      }
      previous = v;
    }
    if (r.getContainerName() != null) {
      Set<String> names = new HashSet<>();
      PodSpec podSpec = templateSpec(spec.getTemplate());
      list(podSpec.getContainers()).forEach(c -> names.add(str(c.getName())));
      list(podSpec.getInitContainers()).forEach(c -> names.add(str(c.getName())));
      if (!names.contains(r.getContainerName())) {
        errs.add(FieldError.invalid(child(path, "containerName"), r.getContainerName(),
            "must be one of the container or initContainer names in the pod template"));
      }
    }
  }

  private static void successPolicy(List<FieldError> errs, JobSpec spec, String path) {
    var rules = list(spec.getSuccessPolicy().getRules());
    if (!"Indexed".equals(spec.getCompletionMode())) {
      errs.add(FieldError.invalid(child(path), GoValue.raw("&batch.SuccessPolicy{...}"),
          "requires indexed completion mode"));
      return;
    }
    if (rules.isEmpty()) {
      errs.add(FieldError.required(child(path, "rules"), "at least one rules must be specified when the successPolicy is specified"));
    }
    if (rules.size() > 20) {
      errs.add(FieldError.tooMany(child(path, "rules"), rules.size(), 20));
    }
    for (int i = 0; i < rules.size(); i++) {
      var rule = rules.get(i);
      String p = index(child(path, "rules"), i);
      if (rule.getSucceededIndexes() == null && rule.getSucceededCount() == null) {
        errs.add(FieldError.required(p, "at least one of succeededCount or succeededIndexes must be specified"));
      }
      if (rule.getSucceededCount() != null) {
        int count = rule.getSucceededCount();
        if (count < 0) {
          errs.add(FieldError.invalid(child(p, "succeededCount"), count, "must be greater than or equal to 0"));
        } else if (count > intval(spec.getCompletions())) {
          errs.add(FieldError.invalid(child(p, "succeededCount"), count,
              "must be less than or equal to " + intval(spec.getCompletions()) + " (the number of specified completions)"));
        }
      }
    }
  }

  static void jobUpdate(List<FieldError> errs, Job job, Job old) {
    MetaValidation.objectMetaUpdate(errs, job.getMetadata(), old.getMetadata(), "metadata");
    JobSpec spec = job.getSpec() == null ? new JobSpec() : job.getSpec();
    JobSpec oldSpec = old.getSpec() == null ? new JobSpec() : old.getSpec();
    generatedSelector(errs, job);
    jobSpecWithSelector(errs, spec, "spec");
    // Completions of indexed jobs may change together with parallelism (elastic indexed jobs).
    boolean indexed = "Indexed".equals(spec.getCompletionMode());
    if (!indexed) {
      immutable(errs, spec.getCompletions(), oldSpec.getCompletions(), "spec.completions");
    } else if (!Objects.equals(spec.getCompletions(), oldSpec.getCompletions()) && spec.getCompletions() != null
        && !Objects.equals(spec.getCompletions(), spec.getParallelism())) {
      errs.add(FieldError.invalid("spec.completions", spec.getCompletions(),
          "can only be modified in tandem with spec.parallelism"));
    }
    if (!PodValidation.semanticEquals(spec.getSelector(), oldSpec.getSelector())) {
      errs.add(FieldError.invalid("spec.selector", GoValue.selector(spec.getSelector()), Common.IMMUTABLE));
    }
    jobTemplateUpdate(errs, spec, oldSpec, old);
    immutable(errs, spec.getCompletionMode(), oldSpec.getCompletionMode(), "spec.completionMode");
    if (!PodValidation.semanticEquals(spec.getPodFailurePolicy(), oldSpec.getPodFailurePolicy())) {
      errs.add(FieldError.invalid("spec.podFailurePolicy", GoValue.raw("&batch.PodFailurePolicy{...}"),
          Common.IMMUTABLE));
    }
    immutable(errs, spec.getBackoffLimitPerIndex(), oldSpec.getBackoffLimitPerIndex(), "spec.backoffLimitPerIndex");
    immutable(errs, spec.getManagedBy(), oldSpec.getManagedBy(), "spec.managedBy");
  }

  /** The template is immutable, except scheduling directives of a suspended job that never started. */
  private static void jobTemplateUpdate(List<FieldError> errs, JobSpec spec, JobSpec oldSpec, Job old) {
    PodTemplateSpec template = spec.getTemplate() == null ? new PodTemplateSpec() : spec.getTemplate();
    PodTemplateSpec oldTemplate = oldSpec.getTemplate() == null ? new PodTemplateSpec() : oldSpec.getTemplate().deepCopy();
    boolean mutableScheduling = isTrue(oldSpec.getSuspend()) && (old.getStatus() == null
        || old.getStatus().getStartTime() == null);
    if (mutableScheduling) {
      PodSpec ts = templateSpec(template);
      if (oldTemplate.getSpec() == null) {
        oldTemplate.setSpec(new PodSpec());
      }
      PodSpec os = oldTemplate.getSpec();
      if (ts.getAffinity() == null && os.getAffinity() != null) {
        os.getAffinity().setNodeAffinity(null);
        if (os.getAffinity().getPodAffinity() == null && os.getAffinity().getPodAntiAffinity() == null) {
          os.setAffinity(null);
        }
      } else if (ts.getAffinity() != null && os.getAffinity() == null) {
        os.setAffinity(new io.bosun.api.core.v1.Affinity().withNodeAffinity(ts.getAffinity().getNodeAffinity()));
      } else if (ts.getAffinity() != null) {
        os.getAffinity().setNodeAffinity(ts.getAffinity().getNodeAffinity());
      }
      os.setNodeSelector(ts.getNodeSelector());
      os.setTolerations(ts.getTolerations());
      os.setSchedulingGates(ts.getSchedulingGates());
      if (oldTemplate.getMetadata() == null) {
        oldTemplate.setMetadata(new ObjectMeta());
      }
      ObjectMeta tm = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
      oldTemplate.getMetadata().setAnnotations(tm.getAnnotations());
      oldTemplate.getMetadata().setLabels(tm.getLabels());
    }
    if (!PodValidation.semanticEquals(template, oldTemplate)) {
      errs.add(FieldError.invalid("spec.template", GoValue.raw("core.PodTemplateSpec{...}"), Common.IMMUTABLE));
    }
  }

  static void jobStatusUpdate(List<FieldError> errs, Job job, Job old) {
    MetaValidation.objectMetaUpdate(errs, job.getMetadata(), old.getMetadata(), "metadata");
    JobStatus s = job.getStatus() == null ? new JobStatus() : job.getStatus();
    nonNegative(errs, intval(s.getActive()), "status.active");
    nonNegative(errs, intval(s.getSucceeded()), "status.succeeded");
    nonNegative(errs, intval(s.getFailed()), "status.failed");
    if (s.getReady() != null) {
      nonNegative(errs, s.getReady(), "status.ready");
    }
    if (s.getTerminating() != null) {
      nonNegative(errs, s.getTerminating(), "status.terminating");
    }
    if (s.getUncountedTerminatedPods() != null) {
      var u = s.getUncountedTerminatedPods();
      Set<String> seen = new HashSet<>();
      for (var entry : List.of(Map.entry("succeeded", list(u.getSucceeded())), Map.entry("failed", list(u.getFailed())))) {
        for (int i = 0; i < entry.getValue().size(); i++) {
          String uid = str(entry.getValue().get(i));
          String p = index(child("status.uncountedTerminatedPods", entry.getKey()), i);
          if (uid.isEmpty()) {
            errs.add(FieldError.invalid(p, uid, "must not be empty"));
          } else if (!seen.add(uid)) {
            errs.add(FieldError.duplicate(p, uid));
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ CronJob

  static void cronJob(List<FieldError> errs, CronJob cj) {
    ObjectMeta meta = meta(cj.getMetadata());
    MetaValidation.objectMeta(errs, meta, true, NameRules.DNS_SUBDOMAIN, "metadata");
    cronJobSpec(errs, cj.getSpec() == null ? new CronJobSpec() : cj.getSpec(), null);
    if (NameRules.len(str(meta.getName())) > 52) {
      errs.add(FieldError.invalid("metadata.name", meta.getName(), "must be no more than 52 characters"));
    }
  }

  private static void cronJobSpec(List<FieldError> errs, CronJobSpec spec, CronJobSpec old) {
    String schedule = str(spec.getSchedule());
    if (schedule.isEmpty()) {
      errs.add(FieldError.required("spec.schedule", ""));
    } else {
      boolean allowTz = old != null && str(old.getSchedule()).contains("TZ");
      String err = CronSchedule.check(schedule);
      if (err != null) {
        errs.add(FieldError.invalid("spec.schedule", schedule, err));
      }
      if (allowTz && schedule.contains("TZ") && spec.getTimeZone() != null) {
        errs.add(FieldError.invalid("spec.schedule", schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
      } else if (!allowTz && schedule.contains("TZ")) {
        errs.add(FieldError.invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
      }
    }
    if (spec.getStartingDeadlineSeconds() != null) {
      nonNegative(errs, spec.getStartingDeadlineSeconds(), "spec.startingDeadlineSeconds");
    }
    if (old == null || !Objects.equals(old.getTimeZone(), spec.getTimeZone())) {
      timeZone(errs, spec.getTimeZone(), "spec.timeZone");
    }
    Common.requiredOneOf(errs, spec.getConcurrencyPolicy(), "spec.concurrencyPolicy", List.of("Allow", "Forbid", "Replace"));
    jobTemplate(errs, spec.getJobTemplate(), "spec.jobTemplate");
    if (spec.getSuccessfulJobsHistoryLimit() != null) {
      nonNegative(errs, spec.getSuccessfulJobsHistoryLimit(), "spec.successfulJobsHistoryLimit");
    }
    if (spec.getFailedJobsHistoryLimit() != null) {
      nonNegative(errs, spec.getFailedJobsHistoryLimit(), "spec.failedJobsHistoryLimit");
    }
  }

  private static void timeZone(List<FieldError> errs, String tz, String path) {
    if (tz == null) {
      return;
    }
    if (tz.isEmpty()) {
      errs.add(FieldError.invalid(path, tz, "timeZone must be nil or non-empty string"));
      return;
    }
    for (String part : tz.split("/", -1)) {
      if (part.equals(".") || part.equals("..") || part.startsWith("-") || !TIME_ZONE_PART.matcher(part).matches()) {
        errs.add(FieldError.invalid(path, tz, "unknown time zone " + tz));
        return;
      }
    }
    if (tz.equalsIgnoreCase("Local")) {
      errs.add(FieldError.invalid(path, tz, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
    }
    try {
      if (!tz.equals("UTC") && !ZoneId.getAvailableZoneIds().contains(tz)) {
        throw new DateTimeException(tz);
      }
    } catch (DateTimeException e) {
      errs.add(FieldError.invalid(path, tz, "unknown time zone " + tz));
    }
  }

  private static void jobTemplate(List<FieldError> errs, JobTemplateSpec template, String path) {
    JobSpec spec = template == null || template.getSpec() == null ? new JobSpec() : template.getSpec();
    jobSpec(errs, spec, child(path, "spec"));
    if (spec.getSelector() != null) {
      errs.add(FieldError.invalid(child(path, "spec", "selector"), GoValue.selector(spec.getSelector()),
          "`selector` will be auto-generated"));
    }
    if (isTrue(spec.getManualSelector())) {
      errs.add(FieldError.notSupported(child(path, "spec", "manualSelector"), true, List.of("nil", "false")));
    }
  }

  static void cronJobUpdate(List<FieldError> errs, CronJob cj, CronJob old) {
    MetaValidation.objectMetaUpdate(errs, cj.getMetadata(), old.getMetadata(), "metadata");
    cronJobSpec(errs, cj.getSpec() == null ? new CronJobSpec() : cj.getSpec(),
        old.getSpec() == null ? new CronJobSpec() : old.getSpec());
  }

  static void cronJobStatusUpdate(List<FieldError> errs, CronJob cj, CronJob old) {
    MetaValidation.objectMetaUpdate(errs, cj.getMetadata(), old.getMetadata(), "metadata");
  }

  /** The subset of the errors that are unique; some paths are reached twice in upstream too. */
  static List<FieldError> distinct(List<FieldError> errs) {
    return new ArrayList<>(new java.util.LinkedHashSet<>(errs));
  }
}
