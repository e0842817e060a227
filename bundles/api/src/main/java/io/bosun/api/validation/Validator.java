package io.bosun.api.validation;

import io.bosun.api.apps.v1.ControllerRevision;
import io.bosun.api.apps.v1.DaemonSet;
import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.StatefulSet;
import io.bosun.api.autoscaling.v1.Scale;
import io.bosun.api.batch.v1.CronJob;
import io.bosun.api.batch.v1.Job;
import io.bosun.api.coordination.v1.Lease;
import io.bosun.api.core.v1.Binding;
import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.Endpoints;
import io.bosun.api.core.v1.Event;
import io.bosun.api.core.v1.Namespace;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.PersistentVolume;
import io.bosun.api.core.v1.PersistentVolumeClaim;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Secret;
import io.bosun.api.core.v1.Service;
import io.bosun.api.core.v1.ServiceAccount;
import io.bosun.api.discovery.v1.EndpointSlice;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.node.v1.RuntimeClass;
import io.bosun.api.policy.v1.PodDisruptionBudget;
import io.bosun.api.scheduling.v1.PriorityClass;
import java.util.ArrayList;
import java.util.List;

/**
 * Validates API objects as upstream's {@code pkg/apis/<group>/validation} and the registry
 * strategies do, with upstream's field paths and messages. The objects are expected to be
 * defaulted already ({@link io.bosun.api.defaulting.Defaulter}), as upstream validates after
 * defaulting: a missing {@code restartPolicy}, for example, is reported as required.
 *
 * <p>What the API server must do before calling, as upstream's strategies do: set
 * {@code metadata.resourceVersion} on unconditional updates; carry allocated values (Service
 * cluster IPs, node ports) from the old object when the new one omits them; generate a Job's
 * selector and labels ({@link io.bosun.api.defaulting.Defaulter#generateJobSelector}).
 *
 * <p>Objects of kinds this class does not know are checked for their metadata only, with the
 * generic path segment name rule. Instances hold no state and are safe to share.
 */
public final class Validator {

  public Validator() {
  }

  /** The errors of a new object, empty when it is valid. */
  public List<FieldError> validateCreate(KubernetesObject obj) {
    List<FieldError> errs = new ArrayList<>();
    switch (obj) {
      case Pod pod -> PodValidation.podCreate(errs, pod);
      case Service s -> CoreValidation.service(errs, s);
      case Namespace ns -> CoreValidation.namespace(errs, ns);
      case ConfigMap cm -> CoreValidation.configMap(errs, cm);
      case Secret s -> CoreValidation.secret(errs, s);
      case ServiceAccount sa ->
          MetaValidation.objectMeta(errs, sa.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
      case Endpoints ep -> CoreValidation.endpoints(errs, ep);
      case Event ev -> CoreValidation.event(errs, ev);
      case Node node -> CoreValidation.node(errs, node);
      case PersistentVolumeClaim pvc -> StorageValidation.claim(errs, pvc);
      case PersistentVolume pv -> StorageValidation.volume(errs, pv);
      case Deployment d -> WorkloadValidation.deployment(errs, d);
      case ReplicaSet rs -> WorkloadValidation.replicaSet(errs, rs);
      case DaemonSet ds -> WorkloadValidation.daemonSet(errs, ds);
      case StatefulSet sts -> WorkloadValidation.statefulSet(errs, sts);
      case ControllerRevision rev -> WorkloadValidation.controllerRevision(errs, rev);
      case Job job -> WorkloadValidation.job(errs, job);
      case CronJob cj -> WorkloadValidation.cronJob(errs, cj);
      case Lease lease -> OtherValidation.lease(errs, lease);
      case PriorityClass pc -> OtherValidation.priorityClass(errs, pc);
      case PodDisruptionBudget pdb -> OtherValidation.podDisruptionBudget(errs, pdb);
      case EndpointSlice slice -> OtherValidation.endpointSlice(errs, slice);
      case RuntimeClass rc -> OtherValidation.runtimeClass(errs, rc);
      default -> MetaValidation.objectMeta(errs, obj.getMetadata(), obj.getMetadata() != null
          && obj.getMetadata().getNamespace() != null, NameRules.PATH_SEGMENT, "metadata");
    }
    return distinct(errs);
  }

  /**
   * The errors of an update of {@code old} to {@code obj}: the create rules (where upstream
   * applies them on update), metadata update rules and immutable fields.
   */
  public List<FieldError> validateUpdate(KubernetesObject obj, KubernetesObject old) {
    requireSameType(obj, old);
    List<FieldError> errs = new ArrayList<>();
    switch (obj) {
      case Pod pod -> PodValidation.podUpdate(errs, pod, (Pod) old);
      case Service s -> CoreValidation.serviceUpdate(errs, s, (Service) old);
      case Namespace ns -> {
        MetaValidation.objectMetaUpdate(errs, ns.getMetadata(), old.getMetadata(), "metadata");
        CoreValidation.namespace(errs, ns);
      }
      case ConfigMap cm -> CoreValidation.configMapUpdate(errs, cm, (ConfigMap) old);
      case Secret s -> CoreValidation.secretUpdate(errs, s, (Secret) old);
      case ServiceAccount sa -> {
        MetaValidation.objectMetaUpdate(errs, sa.getMetadata(), old.getMetadata(), "metadata");
        MetaValidation.objectMeta(errs, sa.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
      }
      case Endpoints ep -> {
        MetaValidation.objectMetaUpdate(errs, ep.getMetadata(), old.getMetadata(), "metadata");
        CoreValidation.endpoints(errs, ep);
      }
      case Event ev -> {
        MetaValidation.objectMetaUpdate(errs, ev.getMetadata(), old.getMetadata(), "metadata");
        CoreValidation.event(errs, ev);
      }
      case Node node -> CoreValidation.nodeUpdate(errs, node, (Node) old);
      case PersistentVolumeClaim pvc -> StorageValidation.claimUpdate(errs, pvc, (PersistentVolumeClaim) old);
      case PersistentVolume pv -> StorageValidation.volumeUpdate(errs, pv, (PersistentVolume) old);
      case Deployment d -> WorkloadValidation.deploymentUpdate(errs, d, (Deployment) old);
      case ReplicaSet rs -> WorkloadValidation.replicaSetUpdate(errs, rs, (ReplicaSet) old);
      case DaemonSet ds -> WorkloadValidation.daemonSetUpdate(errs, ds, (DaemonSet) old);
      case StatefulSet sts -> WorkloadValidation.statefulSetUpdate(errs, sts, (StatefulSet) old);
      case ControllerRevision rev -> WorkloadValidation.controllerRevisionUpdate(errs, rev, (ControllerRevision) old);
      case Job job -> WorkloadValidation.jobUpdate(errs, job, (Job) old);
      case CronJob cj -> WorkloadValidation.cronJobUpdate(errs, cj, (CronJob) old);
      case Lease lease -> {
        MetaValidation.objectMetaUpdate(errs, lease.getMetadata(), old.getMetadata(), "metadata");
        OtherValidation.lease(errs, lease);
      }
      case PriorityClass pc -> OtherValidation.priorityClassUpdate(errs, pc, (PriorityClass) old);
      case PodDisruptionBudget pdb -> {
        MetaValidation.objectMetaUpdate(errs, pdb.getMetadata(), old.getMetadata(), "metadata");
        OtherValidation.podDisruptionBudget(errs, pdb);
      }
      case EndpointSlice slice -> OtherValidation.endpointSliceUpdate(errs, slice, (EndpointSlice) old);
      case RuntimeClass rc -> OtherValidation.runtimeClassUpdate(errs, rc, (RuntimeClass) old);
      default -> MetaValidation.objectMetaUpdate(errs, obj.getMetadata(), old.getMetadata(), "metadata");
    }
    return distinct(errs);
  }

  /**
   * The errors of a {@code status} subresource update. Kinds without a status subresource get
   * the metadata update rules only.
   */
  public List<FieldError> validateStatusUpdate(KubernetesObject obj, KubernetesObject old) {
    requireSameType(obj, old);
    List<FieldError> errs = new ArrayList<>();
    switch (obj) {
      case Pod pod -> PodValidation.podStatusUpdate(errs, pod, (Pod) old);
      case Service s -> CoreValidation.serviceStatusUpdate(errs, s, (Service) old);
      case Namespace ns -> CoreValidation.namespaceStatusUpdate(errs, ns, (Namespace) old);
      case Node node -> CoreValidation.nodeUpdate(errs, node, (Node) old);
      case PersistentVolumeClaim pvc -> StorageValidation.claimStatusUpdate(errs, pvc, (PersistentVolumeClaim) old);
      case PersistentVolume pv -> StorageValidation.volumeStatusUpdate(errs, pv, (PersistentVolume) old);
      case Deployment d -> WorkloadValidation.deploymentStatusUpdate(errs, d, (Deployment) old);
      case ReplicaSet rs -> WorkloadValidation.replicaSetStatusUpdate(errs, rs, (ReplicaSet) old);
      case DaemonSet ds -> WorkloadValidation.daemonSetStatusUpdate(errs, ds, (DaemonSet) old);
      case StatefulSet sts -> WorkloadValidation.statefulSetStatusUpdate(errs, sts, (StatefulSet) old);
      case Job job -> WorkloadValidation.jobStatusUpdate(errs, job, (Job) old);
      case CronJob cj -> WorkloadValidation.cronJobStatusUpdate(errs, cj, (CronJob) old);
      case PodDisruptionBudget pdb -> OtherValidation.podDisruptionBudgetStatusUpdate(errs, pdb,
          (PodDisruptionBudget) old);
      default -> MetaValidation.objectMetaUpdate(errs, obj.getMetadata(), old.getMetadata(), "metadata");
    }
    return distinct(errs);
  }

  /** The errors of a {@code pods/ephemeralcontainers} update: only ephemeral containers may be added. */
  public List<FieldError> validateEphemeralContainersUpdate(Pod pod, Pod old) {
    List<FieldError> errs = new ArrayList<>();
    PodValidation.ephemeralContainersUpdate(errs, pod, old);
    return distinct(errs);
  }

  /** The errors of a {@code namespaces/finalize} update. */
  public List<FieldError> validateNamespaceFinalizeUpdate(Namespace ns, Namespace old) {
    List<FieldError> errs = new ArrayList<>();
    CoreValidation.namespaceFinalizeUpdate(errs, ns, old);
    return distinct(errs);
  }

  /** The errors of a {@code pods/binding} body (kind must be Node or empty, name required). */
  public List<FieldError> validateBinding(Binding binding) {
    List<FieldError> errs = new ArrayList<>();
    CoreValidation.binding(errs, binding);
    return errs;
  }

  /** The errors of a {@code scale} subresource body. */
  public List<FieldError> validateScale(Scale scale) {
    List<FieldError> errs = new ArrayList<>();
    WorkloadValidation.scale(errs, scale);
    return errs;
  }

  /**
   * The errors of {@code name} as the {@code metadata.name} of a {@code kind} object, with the
   * rule upstream applies to that kind ({@link NameRules#forKind(String)}). For names in URLs and
   * other checks outside a full validation.
   */
  public List<FieldError> validateObjectMetaName(String kind, String name) {
    List<FieldError> errs = new ArrayList<>();
    if (name == null || name.isEmpty()) {
      errs.add(FieldError.required("metadata.name", "name or generateName is required"));
      return errs;
    }
    for (String msg : NameRules.forKind(kind).validate(name, false)) {
      errs.add(FieldError.invalid("metadata.name", name, msg));
    }
    return errs;
  }

  private static void requireSameType(KubernetesObject obj, KubernetesObject old) {
    if (old == null || obj == null || old.getClass() != obj.getClass()) {
      throw new IllegalArgumentException("an update needs two objects of the same kind, got "
          + (obj == null ? null : obj.getClass().getSimpleName()) + " and "
          + (old == null ? null : old.getClass().getSimpleName()));
    }
  }

  private static List<FieldError> distinct(List<FieldError> errs) {
    return List.copyOf(new java.util.LinkedHashSet<>(errs));
  }
}
