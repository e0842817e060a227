package io.bosun.api.validation;

import static io.bosun.api.validation.Common.FILE_MODE;
import static io.bosun.api.validation.Common.IS_NOT_POSITIVE;
import static io.bosun.api.validation.Common.PORT_PROTOCOLS;
import static io.bosun.api.validation.Common.dns1123Label;
import static io.bosun.api.validation.Common.dns1123Subdomain;
import static io.bosun.api.validation.Common.intval;
import static io.bosun.api.validation.Common.isEmpty;
import static io.bosun.api.validation.Common.isTrue;
import static io.bosun.api.validation.Common.labels;
import static io.bosun.api.validation.Common.list;
import static io.bosun.api.validation.Common.name;
import static io.bosun.api.validation.Common.nonNegative;
import static io.bosun.api.validation.Common.qualifiedName;
import static io.bosun.api.validation.Common.requiredOneOf;
import static io.bosun.api.validation.Common.str;
import static io.bosun.api.validation.Paths.child;
import static io.bosun.api.validation.Paths.index;
import static io.bosun.api.validation.Paths.key;

import io.bosun.api.core.v1.Affinity;
import io.bosun.api.core.v1.ConfigMapKeySelector;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerPort;
import io.bosun.api.core.v1.ContainerResizePolicy;
import io.bosun.api.core.v1.ContainerStatus;
import io.bosun.api.core.v1.DownwardAPIVolumeFile;
import io.bosun.api.core.v1.EnvFromSource;
import io.bosun.api.core.v1.EnvVar;
import io.bosun.api.core.v1.EnvVarSource;
import io.bosun.api.core.v1.EphemeralContainer;
import io.bosun.api.core.v1.HTTPGetAction;
import io.bosun.api.core.v1.HTTPHeader;
import io.bosun.api.core.v1.HostAlias;
import io.bosun.api.core.v1.KeyToPath;
import io.bosun.api.core.v1.Lifecycle;
import io.bosun.api.core.v1.LifecycleHandler;
import io.bosun.api.core.v1.NodeSelector;
import io.bosun.api.core.v1.NodeSelectorRequirement;
import io.bosun.api.core.v1.NodeSelectorTerm;
import io.bosun.api.core.v1.ObjectFieldSelector;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodAffinityTerm;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.core.v1.PodDNSConfig;
import io.bosun.api.core.v1.PodDNSConfigOption;
import io.bosun.api.core.v1.PodIP;
import io.bosun.api.core.v1.PodResourceClaim;
import io.bosun.api.core.v1.PodSchedulingGate;
import io.bosun.api.core.v1.PodSecurityContext;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.core.v1.PreferredSchedulingTerm;
import io.bosun.api.core.v1.Probe;
import io.bosun.api.core.v1.ProjectedVolumeSource;
import io.bosun.api.core.v1.ResourceClaim;
import io.bosun.api.core.v1.ResourceFieldSelector;
import io.bosun.api.core.v1.ResourceRequirements;
import io.bosun.api.core.v1.SeccompProfile;
import io.bosun.api.core.v1.SecretKeySelector;
import io.bosun.api.core.v1.SecurityContext;
import io.bosun.api.core.v1.Sysctl;
import io.bosun.api.core.v1.Toleration;
import io.bosun.api.core.v1.TopologySpreadConstraint;
import io.bosun.api.core.v1.Volume;
import io.bosun.api.core.v1.VolumeDevice;
import io.bosun.api.core.v1.VolumeMount;
import io.bosun.api.core.v1.VolumeProjection;
import io.bosun.api.core.v1.WeightedPodAffinityTerm;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.values.Quantity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Pod and pod template validation, after upstream's {@code pkg/apis/core/validation}. */
final class PodValidation {

  private static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
  private static final List<String> DNS_POLICIES = List.of("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
  private static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
  private static final List<String> TERMINATION_MESSAGE_POLICIES = List.of("File", "FallbackToLogsOnError");
  private static final List<String> ENV_FIELD_PATHS = List.of("metadata.name", "metadata.namespace", "metadata.uid",
      "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs");
  private static final List<String> VOLUME_FIELD_PATHS = List.of("metadata.annotations", "metadata.labels",
      "metadata.name", "metadata.namespace", "metadata.uid");
  private static final List<String> RESOURCE_FIELD_PATHS = List.of("limits.cpu", "limits.ephemeral-storage",
      "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory");
  private static final List<String> HOST_PATH_TYPES = List.of("", "BlockDevice", "CharDevice", "Directory",
      "DirectoryOrCreate", "File", "FileOrCreate", "Socket");
  private static final List<String> TAINT_EFFECTS = List.of("NoSchedule", "PreferNoSchedule", "NoExecute");
  private static final Set<String> STANDARD_CONTAINER_RESOURCES = Set.of("cpu", "memory", "ephemeral-storage");
  private static final Pattern SYSCTL = Pattern.compile(
      "([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?");
  private static final String SYSCTL_FMT = "([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?";
  private static final Set<String> EPHEMERAL_ALLOWED = Set.of("name", "image", "command", "args", "workingDir",
      "envFrom", "env", "volumeMounts", "volumeDevices", "terminationMessagePath", "terminationMessagePolicy",
      "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty", "targetContainerName");

  private PodValidation() {
  }

  // ------------------------------------------------------------------ pods and templates

  static void podCreate(List<FieldError> errs, Pod pod) {
    podMetadataAndSpec(errs, pod);
    PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
    if (!list(spec.getEphemeralContainers()).isEmpty()) {
      errs.add(FieldError.forbidden("spec.ephemeralContainers", "cannot be set on create"));
    }
  }

  static void podMetadataAndSpec(List<FieldError> errs, Pod pod) {
    MetaValidation.objectMeta(errs, pod.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
    podSpec(errs, pod.getSpec() == null ? new PodSpec() : pod.getSpec(), pod.getMetadata(), "spec");
  }

  static void podTemplateSpec(List<FieldError> errs, PodTemplateSpec template, String path) {
    if (template == null) {
      template = new PodTemplateSpec();
    }
    ObjectMeta meta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
    // Upstream reports template label errors at <template>.labels, without "metadata".
    labels(errs, meta.getLabels(), child(path, "labels"));
    MetaValidation.annotations(errs, meta.getAnnotations(), child(path, "annotations"));
    PodSpec spec = template.getSpec() == null ? new PodSpec() : template.getSpec();
    podSpec(errs, spec, null, child(path, "spec"));
    if (!list(spec.getEphemeralContainers()).isEmpty()) {
      errs.add(FieldError.forbidden(child(path, "spec", "ephemeralContainers"),
          "ephemeral containers not allowed in pod template"));
    }
  }

  static void podSpec(List<FieldError> errs, PodSpec spec, ObjectMeta podMeta, String path) {
    Long gracePeriod = spec.getTerminationGracePeriodSeconds();
    Map<String, Volume> volumes = volumes(errs, list(spec.getVolumes()), podMeta, child(path, "volumes"));
    Set<String> claimNames = new HashSet<>();
    resourceClaims(errs, list(spec.getResourceClaims()), claimNames, child(path, "resourceClaims"));
    containers(errs, list(spec.getContainers()), volumes, claimNames, gracePeriod, child(path, "containers"));
    initContainers(errs, list(spec.getInitContainers()), list(spec.getContainers()), volumes, claimNames, gracePeriod,
        child(path, "initContainers"));
    ephemeralContainers(errs, list(spec.getEphemeralContainers()), list(spec.getContainers()),
        list(spec.getInitContainers()), volumes, claimNames, child(path, "ephemeralContainers"));
    requiredOneOf(errs, spec.getRestartPolicy(), child(path, "restartPolicy"), RESTART_POLICIES);
    requiredOneOf(errs, spec.getDnsPolicy(), child(path, "dnsPolicy"), DNS_POLICIES);
    labels(errs, spec.getNodeSelector(), child(path, "nodeSelector"));
    podSecurityContext(errs, spec.getSecurityContext(), child(path, "securityContext"));
    affinity(errs, spec.getAffinity(), child(path, "affinity"));
    dnsConfig(errs, spec.getDnsConfig(), spec.getDnsPolicy(), child(path, "dnsConfig"));
    var gates = list(spec.getReadinessGates());
    for (int i = 0; i < gates.size(); i++) {
      qualifiedName(errs, str(gates.get(i).getConditionType()), child(index(child(path, "readinessGates"), i),
          "conditionType"));
    }
    schedulingGates(errs, list(spec.getSchedulingGates()), child(path, "schedulingGates"));
    topologySpreadConstraints(errs, list(spec.getTopologySpreadConstraints()), child(path, "topologySpreadConstraints"));
    if (!isEmpty(spec.getServiceAccountName())) {
      name(errs, NameRules.DNS_SUBDOMAIN, spec.getServiceAccountName(), child(path, "serviceAccountName"));
    }
    if (!isEmpty(spec.getNodeName())) {
      name(errs, NameRules.DNS_SUBDOMAIN, spec.getNodeName(), child(path, "nodeName"));
    }
    if (spec.getActiveDeadlineSeconds() != null) {
      long v = spec.getActiveDeadlineSeconds();
      if (v < 1 || v > Integer.MAX_VALUE) {
        errs.add(FieldError.invalid(child(path, "activeDeadlineSeconds"), v,
            NameRules.inclusiveRangeError(1, Integer.MAX_VALUE)));
      }
    }
    if (!isEmpty(spec.getHostname())) {
      dns1123Label(errs, spec.getHostname(), child(path, "hostname"));
    }
    if (!isEmpty(spec.getSubdomain())) {
      dns1123Label(errs, spec.getSubdomain(), child(path, "subdomain"));
    }
    tolerations(errs, list(spec.getTolerations()), child(path, "tolerations"));
    hostAliases(errs, list(spec.getHostAliases()), child(path, "hostAliases"));
    if (!isEmpty(spec.getPriorityClassName())) {
      name(errs, NameRules.DNS_SUBDOMAIN, spec.getPriorityClassName(), child(path, "priorityClassName"));
    }
    if (spec.getRuntimeClassName() != null) {
      name(errs, NameRules.DNS_SUBDOMAIN, spec.getRuntimeClassName(), child(path, "runtimeClassName"));
    }
    if (spec.getPreemptionPolicy() != null) {
      preemptionPolicy(errs, spec.getPreemptionPolicy(), child(path, "preemptionPolicy"));
    }
    if (spec.getOverhead() != null) {
      resourceRequirements(errs, new ResourceRequirements().withLimits(spec.getOverhead()), Set.of(),
          child(path, "overhead"));
    }
    if (spec.getOs() != null) {
      String os = str(spec.getOs().getName());
      if (os.isEmpty()) {
        errs.add(FieldError.required(child(path, "os", "name"), ""));
      } else if (!os.equals("linux") && !os.equals("windows")) {
        errs.add(FieldError.notSupported(child(path, "os", "name"), os, List.of("linux", "windows")));
      }
    }
    if (spec.getHostNetwork() != null && spec.getHostNetwork()) {
      // Host network pods must use the same port inside and outside.
      for (var group : List.of(Map.entry("containers", list(spec.getContainers())),
          Map.entry("initContainers", list(spec.getInitContainers())))) {
        for (int i = 0; i < group.getValue().size(); i++) {
          var ports = list(group.getValue().get(i).getPorts());
          for (int j = 0; j < ports.size(); j++) {
            ContainerPort p = ports.get(j);
            // Templates may leave hostPort unset: it is defaulted on the pods they create.
            if (intval(p.getHostPort()) != intval(p.getContainerPort())
                && (podMeta != null || intval(p.getHostPort()) != 0)) {
              errs.add(FieldError.invalid(child(index(child(index(child(path, group.getKey()), i), "ports"), j),
                  "containerPort"), intval(p.getContainerPort()), "must match `hostPort` when `hostNetwork` is true"));
            }
          }
        }
      }
    }
  }

  static void preemptionPolicy(List<FieldError> errs, String policy, String path) {
    if (policy.isEmpty()) {
      errs.add(FieldError.required(path, ""));
    } else if (!policy.equals("PreemptLowerPriority") && !policy.equals("Never")) {
      errs.add(FieldError.notSupported(path, policy, List.of("PreemptLowerPriority", "Never")));
    }
  }

  // ------------------------------------------------------------------ containers

  private static void containers(List<FieldError> errs, List<Container> containers, Map<String, Volume> volumes,
      Set<String> claimNames, Long gracePeriod, String path) {
    if (containers.isEmpty()) {
      errs.add(FieldError.required(path, ""));
      return;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < containers.size(); i++) {
      Container c = containers.get(i);
      String p = index(path, i);
      containerCommon(errs, c, volumes, claimNames, p);
      if (!names.add(str(c.getName()))) {
        errs.add(FieldError.duplicate(child(p, "name"), str(c.getName())));
      }
      if (c.getLifecycle() != null) {
        lifecycle(errs, c.getLifecycle(), gracePeriod, child(p, "lifecycle"));
      }
      livenessProbe(errs, c.getLivenessProbe(), gracePeriod, child(p, "livenessProbe"));
      readinessProbe(errs, c.getReadinessProbe(), gracePeriod, child(p, "readinessProbe"));
      startupProbe(errs, c.getStartupProbe(), gracePeriod, child(p, "startupProbe"));
      if (c.getRestartPolicy() != null) {
        errs.add(FieldError.forbidden(child(p, "restartPolicy"), "may not be set for non-init containers"));
      }
    }
    hostPortConflicts(errs, containers, path);
  }

  private static void initContainers(List<FieldError> errs, List<Container> containers, List<Container> regular,
      Map<String, Volume> volumes, Set<String> claimNames, Long gracePeriod, String path) {
    Set<String> names = new HashSet<>();
    regular.forEach(c -> names.add(str(c.getName())));
    for (int i = 0; i < containers.size(); i++) {
      Container c = containers.get(i);
      String p = index(path, i);
      containerCommon(errs, c, volumes, claimNames, p);
      boolean restartAlways = false;
      if (c.getRestartPolicy() != null) {
        if (!"Always".equals(c.getRestartPolicy())) {
          errs.add(FieldError.notSupported(child(p, "restartPolicy"), c.getRestartPolicy(), List.of("Always")));
        }
        restartAlways = "Always".equals(c.getRestartPolicy());
      }
      if (names.contains(str(c.getName()))) {
        errs.add(FieldError.duplicate(child(p, "name"), str(c.getName())));
      } else if (!isEmpty(c.getName())) {
        names.add(c.getName());
      }
      // Init containers run one by one, so only conflicts within one container count.
      hostPortConflicts(errs, List.of(c), path);
      if (restartAlways) {
        if (c.getLifecycle() != null) {
          lifecycle(errs, c.getLifecycle(), gracePeriod, child(p, "lifecycle"));
        }
        livenessProbe(errs, c.getLivenessProbe(), gracePeriod, child(p, "livenessProbe"));
        readinessProbe(errs, c.getReadinessProbe(), gracePeriod, child(p, "readinessProbe"));
        startupProbe(errs, c.getStartupProbe(), gracePeriod, child(p, "startupProbe"));
      } else {
        String msg = "may not be set for init containers without restartPolicy=Always";
        if (c.getLifecycle() != null) {
          errs.add(FieldError.forbidden(child(p, "lifecycle"), msg));
        }
        if (c.getLivenessProbe() != null) {
          errs.add(FieldError.forbidden(child(p, "livenessProbe"), msg));
        }
        if (c.getReadinessProbe() != null) {
          errs.add(FieldError.forbidden(child(p, "readinessProbe"), msg));
        }
        if (c.getStartupProbe() != null) {
          errs.add(FieldError.forbidden(child(p, "startupProbe"), msg));
        }
      }
      if (!list(c.getResizePolicy()).isEmpty()) {
        errs.add(FieldError.invalid(child(p, "resizePolicy"), GoValue.raw("[]core.ContainerResizePolicy{...}"),
            "must not be set for init containers"));
      }
    }
  }

  private static void ephemeralContainers(List<FieldError> errs, List<EphemeralContainer> containers,
      List<Container> regular, List<Container> init, Map<String, Volume> volumes, Set<String> claimNames,
      String path) {
    Set<String> otherNames = new HashSet<>();
    regular.forEach(c -> otherNames.add(str(c.getName())));
    init.forEach(c -> otherNames.add(str(c.getName())));
    Set<String> names = new HashSet<>();
    for (int i = 0; i < containers.size(); i++) {
      EphemeralContainer ec = containers.get(i);
      String p = index(path, i);
      if (otherNames.contains(str(ec.getName())) || !names.add(str(ec.getName()))) {
        errs.add(FieldError.duplicate(child(p, "name"), str(ec.getName())));
      }
      containerCommon(errs, asContainer(ec), volumes, claimNames, p);
      for (var field : setFields(ec).entrySet()) {
        if (!EPHEMERAL_ALLOWED.contains(field.getKey())) {
          errs.add(FieldError.forbidden(child(p, field.getKey()), "cannot be set for an Ephemeral Container"));
        }
      }
      var mounts = list(ec.getVolumeMounts());
      for (int j = 0; j < mounts.size(); j++) {
        if (!isEmpty(mounts.get(j).getSubPath())) {
          errs.add(FieldError.forbidden(child(index(child(p, "volumeMounts"), j), "subPath"),
              "cannot be set for an Ephemeral Container"));
        }
        if (!isEmpty(mounts.get(j).getSubPathExpr())) {
          errs.add(FieldError.forbidden(child(index(child(p, "volumeMounts"), j), "subPathExpr"),
              "cannot be set for an Ephemeral Container"));
        }
      }
      if (!isEmpty(ec.getTargetContainerName()) && !otherNames.contains(ec.getTargetContainerName())) {
        errs.add(FieldError.notFound(child(p, "targetContainerName"), ec.getTargetContainerName()));
      }
    }
  }

  private static Map<String, Object> setFields(EphemeralContainer ec) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ports", nonEmpty(ec.getPorts()));
    m.put("resources", ec.getResources() == null || (Common.normalize(ec.getResources().getLimits()) == null
        && Common.normalize(ec.getResources().getRequests()) == null
        && Common.normalize(ec.getResources().getClaims()) == null) ? null : ec.getResources());
    m.put("resizePolicy", nonEmpty(ec.getResizePolicy()));
    m.put("restartPolicy", ec.getRestartPolicy());
    m.put("livenessProbe", ec.getLivenessProbe());
    m.put("readinessProbe", ec.getReadinessProbe());
    m.put("startupProbe", ec.getStartupProbe());
    m.put("lifecycle", ec.getLifecycle());
    m.values().removeIf(Objects::isNull);
    return m;
  }

  private static Object nonEmpty(List<?> l) {
    return l == null || l.isEmpty() ? null : l;
  }

  static Container asContainer(EphemeralContainer ec) {
    return new Container().withName(ec.getName()).withImage(ec.getImage()).withCommand(ec.getCommand())
        .withArgs(ec.getArgs()).withWorkingDir(ec.getWorkingDir()).withEnvFrom(ec.getEnvFrom()).withEnv(ec.getEnv())
        .withVolumeMounts(ec.getVolumeMounts()).withVolumeDevices(ec.getVolumeDevices())
        .withTerminationMessagePath(ec.getTerminationMessagePath())
        .withTerminationMessagePolicy(ec.getTerminationMessagePolicy()).withImagePullPolicy(ec.getImagePullPolicy())
        .withSecurityContext(ec.getSecurityContext());
  }

  private static void containerCommon(List<FieldError> errs, Container c, Map<String, Volume> volumes,
      Set<String> claimNames, String path) {
    if (isEmpty(c.getName())) {
      errs.add(FieldError.required(child(path, "name"), ""));
    } else {
      dns1123Label(errs, c.getName(), child(path, "name"));
    }
    if (isEmpty(c.getImage())) {
      errs.add(FieldError.required(child(path, "image"), ""));
    }
    String tmp = c.getTerminationMessagePolicy();
    if (isEmpty(tmp)) {
      errs.add(FieldError.required(child(path, "terminationMessagePolicy"), ""));
    } else if (!TERMINATION_MESSAGE_POLICIES.contains(tmp)) {
      errs.add(FieldError.notSupported(child(path, "terminationMessagePolicy"), tmp, TERMINATION_MESSAGE_POLICIES));
    }
    Map<String, String> devices = new HashMap<>();
    list(c.getVolumeDevices()).forEach(d -> devices.put(str(d.getName()), str(d.getDevicePath())));
    Map<String, String> mounts = new HashMap<>();
    list(c.getVolumeMounts()).forEach(m -> mounts.put(str(m.getName()), str(m.getMountPath())));
    containerPorts(errs, list(c.getPorts()), child(path, "ports"));
    env(errs, list(c.getEnv()), child(path, "env"));
    envFrom(errs, list(c.getEnvFrom()), child(path, "envFrom"));
    volumeMounts(errs, list(c.getVolumeMounts()), devices, volumes, child(path, "volumeMounts"));
    volumeDevices(errs, list(c.getVolumeDevices()), mounts, volumes, child(path, "volumeDevices"));
    requiredOneOf(errs, c.getImagePullPolicy(), child(path, "imagePullPolicy"), PULL_POLICIES);
    resourceRequirements(errs, c.getResources(), claimNames, child(path, "resources"));
    resizePolicy(errs, list(c.getResizePolicy()), child(path, "resizePolicy"));
    securityContext(errs, c.getSecurityContext(), child(path, "securityContext"));
  }

  private static void containerPorts(List<FieldError> errs, List<ContainerPort> ports, String path) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      ContainerPort port = ports.get(i);
      String p = index(path, i);
      if (!isEmpty(port.getName())) {
        List<String> msgs = NameRules.isValidPortName(port.getName());
        if (!msgs.isEmpty()) {
          msgs.forEach(m -> errs.add(FieldError.invalid(child(p, "name"), port.getName(), m)));
        } else if (!names.add(port.getName())) {
          errs.add(FieldError.duplicate(child(p, "name"), port.getName()));
        }
      }
      if (intval(port.getContainerPort()) == 0) {
        errs.add(FieldError.required(child(p, "containerPort"), ""));
      } else {
        for (String m : NameRules.isValidPortNum(port.getContainerPort())) {
          errs.add(FieldError.invalid(child(p, "containerPort"), port.getContainerPort(), m));
        }
      }
      if (intval(port.getHostPort()) != 0) {
        for (String m : NameRules.isValidPortNum(port.getHostPort())) {
          errs.add(FieldError.invalid(child(p, "hostPort"), port.getHostPort(), m));
        }
      }
      requiredOneOf(errs, port.getProtocol(), child(p, "protocol"), PORT_PROTOCOLS);
    }
  }

  private static void hostPortConflicts(List<FieldError> errs, List<Container> containers, String path) {
    Set<String> seen = new HashSet<>();
    for (int ci = 0; ci < containers.size(); ci++) {
      var ports = list(containers.get(ci).getPorts());
      for (int pi = 0; pi < ports.size(); pi++) {
        ContainerPort port = ports.get(pi);
        if (intval(port.getHostPort()) == 0) {
          continue;
        }
        String key = str(port.getHostIP()) + "/" + str(port.getProtocol()) + "/" + port.getHostPort();
        if (!seen.add(key)) {
          errs.add(FieldError.duplicate(child(index(child(index(path, ci), "ports"), pi), "hostPort"), key));
        }
      }
    }
  }

  private static void env(List<FieldError> errs, List<EnvVar> vars, String path) {
    for (int i = 0; i < vars.size(); i++) {
      EnvVar ev = vars.get(i);
      String p = index(path, i);
      if (isEmpty(ev.getName())) {
        errs.add(FieldError.required(child(p, "name"), ""));
      }
      for (String m : NameRules.isRelaxedEnvVarName(str(ev.getName()))) {
        errs.add(FieldError.invalid(child(p, "name"), str(ev.getName()), m));
      }
      envValueFrom(errs, ev, child(p, "valueFrom"));
    }
  }

  private static void envValueFrom(List<FieldError> errs, EnvVar ev, String path) {
    EnvVarSource from = ev.getValueFrom();
    if (from == null) {
      return;
    }
    int sources = 0;
    if (from.getFieldRef() != null) {
      sources++;
      objectFieldSelector(errs, from.getFieldRef(), ENV_FIELD_PATHS, child(path, "fieldRef"));
    }
    if (from.getResourceFieldRef() != null) {
      sources++;
      resourceFieldSelector(errs, from.getResourceFieldRef(), child(path, "resourceFieldRef"), false);
    }
    if (from.getConfigMapKeyRef() != null) {
      sources++;
      ConfigMapKeySelector s = from.getConfigMapKeyRef();
      keySelector(errs, s.getName(), s.getKey(), child(path, "configMapKeyRef"));
    }
    if (from.getSecretKeyRef() != null) {
      sources++;
      SecretKeySelector s = from.getSecretKeyRef();
      keySelector(errs, s.getName(), s.getKey(), child(path, "secretKeyRef"));
    }
    if (sources == 0) {
      errs.add(FieldError.invalid(path, "",
          "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
    } else if (!isEmpty(ev.getValue())) {
      errs.add(FieldError.invalid(path, "", "may not be specified when `value` is not empty"));
    } else if (sources > 1) {
      errs.add(FieldError.invalid(path, "", "may not have more than one field specified at a time"));
    }
  }

  private static void keySelector(List<FieldError> errs, String name, String key, String path) {
    for (String m : NameRules.isDns1123Subdomain(str(name))) {
      errs.add(FieldError.invalid(child(path, "name"), str(name), m));
    }
    if (isEmpty(key)) {
      errs.add(FieldError.required(child(path, "key"), ""));
    } else {
      for (String m : NameRules.isConfigMapKey(key)) {
        errs.add(FieldError.invalid(child(path, "key"), key, m));
      }
    }
  }

  private static void objectFieldSelector(List<FieldError> errs, ObjectFieldSelector fs, List<String> allowed,
      String path) {
    if (isEmpty(fs.getApiVersion())) {
      errs.add(FieldError.required(child(path, "apiVersion"), ""));
      return;
    }
    if (isEmpty(fs.getFieldPath())) {
      errs.add(FieldError.required(child(path, "fieldPath"), ""));
      return;
    }
    if (!fs.getApiVersion().equals("v1")) {
      errs.add(FieldError.invalid(child(path, "fieldPath"), fs.getFieldPath(),
          "error converting fieldPath: unsupported pod version: " + fs.getApiVersion()));
      return;
    }
    String fieldPath = fs.getFieldPath();
    int bracket = fieldPath.indexOf('[');
    if (bracket > 0 && fieldPath.endsWith("]")) {
      String base = fieldPath.substring(0, bracket);
      String subscript = fieldPath.substring(bracket + 1, fieldPath.length() - 1);
      if (subscript.startsWith("'") && subscript.endsWith("'") && subscript.length() >= 2) {
        subscript = subscript.substring(1, subscript.length() - 1);
      }
      switch (base) {
        case "metadata.annotations" -> qualifiedName(errs, subscript.toLowerCase(java.util.Locale.ROOT), path);
        case "metadata.labels" -> qualifiedName(errs, subscript, path);
        default -> errs.add(FieldError.invalid(path, base, "does not support subscript"));
      }
    } else if (!allowed.contains(fieldPath)) {
      errs.add(FieldError.notSupported(child(path, "fieldPath"), fieldPath, allowed));
    }
  }

  private static void resourceFieldSelector(List<FieldError> errs, ResourceFieldSelector fs, String path,
      boolean volume) {
    if (volume && isEmpty(fs.getContainerName())) {
      errs.add(FieldError.required(child(path, "containerName"), ""));
    } else if (isEmpty(fs.getResource())) {
      errs.add(FieldError.required(child(path, "resource"), ""));
    } else if (!RESOURCE_FIELD_PATHS.contains(fs.getResource()) && !fs.getResource().startsWith("limits.hugepages-")
        && !fs.getResource().startsWith("requests.hugepages-")) {
      errs.add(FieldError.notSupported(child(path, "resource"), fs.getResource(), RESOURCE_FIELD_PATHS));
    }
    if (fs.getDivisor() != null && !fs.getDivisor().isZero()) {
      // Upstream accepts only 1 and the standard powers for CPU and memory divisors.
      String r = str(fs.getResource());
      List<String> valid = r.endsWith("cpu") ? List.of("1m", "1")
          : List.of("1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei");
      boolean ok = valid.stream().map(Quantity::parse).anyMatch(q -> q.compareTo(fs.getDivisor()) == 0);
      if (!ok && (r.endsWith("cpu") || r.endsWith("memory") || r.endsWith("ephemeral-storage"))) {
        errs.add(FieldError.invalid(child(path, "divisor"), fs.getDivisor().toString(),
            r.endsWith("cpu") ? "only divisor's values 1m and 1 are supported with the cpu resource"
                : "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the "
                    + (r.endsWith("memory") ? "memory" : "local ephemeral storage") + " resource"));
      }
    }
  }

  private static void envFrom(List<FieldError> errs, List<EnvFromSource> sources, String path) {
    for (int i = 0; i < sources.size(); i++) {
      EnvFromSource ev = sources.get(i);
      String p = index(path, i);
      if (!isEmpty(ev.getPrefix())) {
        for (String m : NameRules.isRelaxedEnvVarName(ev.getPrefix())) {
          errs.add(FieldError.invalid(child(p, "prefix"), ev.getPrefix(), m));
        }
      }
      int n = 0;
      if (ev.getConfigMapRef() != null) {
        n++;
        refName(errs, ev.getConfigMapRef().getName(), child(p, "configMapRef", "name"));
      }
      if (ev.getSecretRef() != null) {
        n++;
        refName(errs, ev.getSecretRef().getName(), child(p, "secretRef", "name"));
      }
      if (n == 0) {
        errs.add(FieldError.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"));
      } else if (n > 1) {
        errs.add(FieldError.invalid(path, "", "may not have more than one field specified at a time"));
      }
    }
  }

  private static void refName(List<FieldError> errs, String name, String path) {
    if (isEmpty(name)) {
      errs.add(FieldError.required(path, ""));
    } else {
      Common.name(errs, NameRules.DNS_SUBDOMAIN, name, path);
    }
  }

  private static void volumeMounts(List<FieldError> errs, List<VolumeMount> mounts, Map<String, String> devices,
      Map<String, Volume> volumes, String path) {
    Set<String> mountPoints = new HashSet<>();
    for (int i = 0; i < mounts.size(); i++) {
      VolumeMount m = mounts.get(i);
      String p = index(path, i);
      if (isEmpty(m.getName())) {
        errs.add(FieldError.required(child(p, "name"), ""));
      }
      if (!volumes.containsKey(str(m.getName()))) {
        errs.add(FieldError.notFound(child(p, "name"), str(m.getName())));
      }
      if (isEmpty(m.getMountPath())) {
        errs.add(FieldError.required(child(p, "mountPath"), ""));
      }
      if (!mountPoints.add(str(m.getMountPath()))) {
        errs.add(FieldError.invalid(child(p, "mountPath"), str(m.getMountPath()), "must be unique"));
      }
      if (devices.containsKey(str(m.getName()))) {
        errs.add(FieldError.invalid(child(p, "name"), str(m.getName()), "must not already exist in volumeDevices"));
      }
      if (devices.containsValue(str(m.getMountPath()))) {
        errs.add(FieldError.invalid(child(p, "mountPath"), str(m.getMountPath()),
            "must not already exist as a path in volumeDevices"));
      }
      // Upstream reports sub path errors at volumeMounts.subPath, without the index.
      if (!isEmpty(m.getSubPath())) {
        localDescendingPath(errs, m.getSubPath(), child(path, "subPath"));
      }
      if (!isEmpty(m.getSubPathExpr())) {
        if (!isEmpty(m.getSubPath())) {
          errs.add(FieldError.invalid(child(p, "subPathExpr"), m.getSubPathExpr(),
              "subPathExpr and subPath are mutually exclusive"));
        }
        localDescendingPath(errs, m.getSubPathExpr(), child(path, "subPathExpr"));
      }
      if (m.getMountPropagation() != null) {
        List<String> modes = List.of("Bidirectional", "HostToContainer", "None");
        if (!modes.contains(m.getMountPropagation())) {
          errs.add(FieldError.notSupported(child(path, "mountPropagation"), m.getMountPropagation(), modes));
        }
      }
      if (m.getRecursiveReadOnly() != null) {
        String rro = m.getRecursiveReadOnly();
        List<String> modes = List.of("Disabled", "Enabled", "IfPossible");
        if (!modes.contains(rro)) {
          errs.add(FieldError.notSupported(child(path, "recursiveReadOnly"), rro, modes));
        } else if (!rro.equals("Disabled")) {
          if (!isTrue(m.getReadOnly())) {
            errs.add(FieldError.forbidden(child(path, "recursiveReadOnly"), "may only be specified when readOnly is true"));
          }
          if (m.getMountPropagation() != null && !m.getMountPropagation().equals("None")) {
            errs.add(FieldError.forbidden(child(path, "recursiveReadOnly"),
                "may only be specified when mountPropagation is None or not specified"));
          }
        }
      }
    }
  }

  private static void volumeDevices(List<FieldError> errs, List<VolumeDevice> devices, Map<String, String> mounts,
      Map<String, Volume> volumes, String path) {
    Set<String> paths = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < devices.size(); i++) {
      VolumeDevice d = devices.get(i);
      String p = index(path, i);
      String devName = str(d.getName());
      if (devName.isEmpty()) {
        errs.add(FieldError.required(child(p, "name"), ""));
      }
      if (!names.add(devName)) {
        errs.add(FieldError.invalid(child(p, "name"), devName, "must be unique"));
      }
      Volume v = volumes.get(devName);
      if (!devName.isEmpty() && (v == null || (v.getPersistentVolumeClaim() == null && v.getEphemeral() == null))) {
        errs.add(FieldError.invalid(child(p, "name"), devName,
            "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode"));
      }
      if (isEmpty(d.getDevicePath())) {
        errs.add(FieldError.required(child(p, "devicePath"), ""));
      }
      if (!paths.add(str(d.getDevicePath()))) {
        errs.add(FieldError.invalid(child(p, "devicePath"), str(d.getDevicePath()), "must be unique"));
      }
      if (!isEmpty(d.getDevicePath()) && d.getDevicePath().split("/").length > 0
          && List.of(d.getDevicePath().split("/")).contains("..")) {
        errs.add(FieldError.invalid(child(p, "devicePath"), d.getDevicePath(), "can not contain '..'"));
      }
      if (mounts.containsKey(devName)) {
        errs.add(FieldError.invalid(child(p, "name"), devName, "must not already exist in volumeMounts"));
      }
      if (mounts.containsValue(str(d.getDevicePath()))) {
        errs.add(FieldError.invalid(child(p, "devicePath"), str(d.getDevicePath()),
            "must not already exist as a path in volumeMounts"));
      }
    }
  }

  private static void resizePolicy(List<FieldError> errs, List<ContainerResizePolicy> policies, String path) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < policies.size(); i++) {
      ContainerResizePolicy p = policies.get(i);
      String ip = index(path, i);
      String name = str(p.getResourceName());
      if (name.isEmpty()) {
        errs.add(FieldError.required(child(ip, "resourceName"), ""));
      } else if (!name.equals("cpu") && !name.equals("memory")) {
        errs.add(FieldError.notSupported(child(ip, "resourceName"), name, List.of("cpu", "memory")));
      }
      if (!seen.add(name)) {
        errs.add(FieldError.duplicate(ip, name));
      }
      requiredOneOf(errs, p.getRestartPolicy(), child(ip, "restartPolicy"), List.of("NotRequired", "RestartContainer"));
    }
  }

  // ------------------------------------------------------------------ resources

  static void resourceRequirements(List<FieldError> errs, ResourceRequirements r, Set<String> claimNames,
      String path) {
    if (r == null) {
      return;
    }
    String limPath = child(path, "limits");
    String reqPath = child(path, "requests");
    boolean cpuOrMemory = false;
    boolean hugePages = false;
    Map<String, Quantity> limits = r.getLimits() == null ? Map.of() : r.getLimits();
    for (var e : Common.sorted(limits).entrySet()) {
      String p = key(limPath, e.getKey());
      containerResourceName(errs, e.getKey(), p);
      resourceQuantityValue(errs, e.getKey(), e.getValue(), p);
      hugePages |= e.getKey().startsWith("hugepages-");
      cpuOrMemory |= e.getKey().equals("cpu") || e.getKey().equals("memory");
    }
    for (var e : Common.sorted(r.getRequests()).entrySet()) {
      String name = e.getKey();
      Quantity q = e.getValue();
      String p = key(reqPath, name);
      containerResourceName(errs, name, p);
      resourceQuantityValue(errs, name, q, p);
      Quantity limit = limits.get(name);
      if (limit != null && q != null) {
        if (q.compareTo(limit) != 0 && !overcommitAllowed(name)) {
          errs.add(FieldError.invalid(reqPath, q.toString(), "must be equal to " + name + " limit of " + limit));
        } else if (q.compareTo(limit) > 0) {
          errs.add(FieldError.invalid(reqPath, q.toString(),
              "must be less than or equal to " + name + " limit of " + limit));
        }
      } else if (!overcommitAllowed(name)) {
        errs.add(FieldError.required(limPath, "Limit must be set for non overcommitable resources"));
      }
      hugePages |= name.startsWith("hugepages-");
      cpuOrMemory |= name.equals("cpu") || name.equals("memory");
    }
    if (!cpuOrMemory && hugePages) {
      errs.add(FieldError.forbidden(path, "HugePages require cpu or memory"));
    }
    List<ResourceClaim> claims = list(r.getClaims());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < claims.size(); i++) {
      ResourceClaim c = claims.get(i);
      String p = index(child(path, "claims"), i);
      String n = str(c.getName());
      if (n.isEmpty()) {
        errs.add(FieldError.required(p, ""));
      } else {
        String id = n + "/" + str(c.getRequest());
        if (!seen.add(id)) {
          errs.add(FieldError.duplicate(p, n));
        }
        if (!claimNames.contains(n)) {
          errs.add(FieldError.notFound(p, n));
        }
      }
    }
  }

  /** Native resources (no domain or a kubernetes.io domain) other than huge pages may be overcommitted. */
  private static boolean overcommitAllowed(String name) {
    return isNativeResource(name) && !name.startsWith("hugepages-");
  }

  private static boolean isNativeResource(String name) {
    return !name.contains("/") || name.contains("kubernetes.io/");
  }

  private static boolean isExtendedResource(String name) {
    return !isNativeResource(name) && !name.startsWith("requests.")
        && NameRules.isQualifiedName("requests." + name).isEmpty();
  }

  private static void containerResourceName(List<FieldError> errs, String name, String path) {
    List<String> msgs = NameRules.isQualifiedName(name);
    if (!msgs.isEmpty()) {
      msgs.forEach(m -> errs.add(FieldError.invalid(path, name, m)));
      return;
    }
    if (!name.contains("/")) {
      if (!STANDARD_CONTAINER_RESOURCES.contains(name) && !name.startsWith("hugepages-")) {
        errs.add(FieldError.invalid(path, name, "must be a standard resource for containers"));
      }
    } else if (!isNativeResource(name) && !isExtendedResource(name)) {
      errs.add(FieldError.invalid(path, name, "doesn't follow extended resource name standard"));
    }
  }

  static void resourceQuantityValue(List<FieldError> errs, String name, Quantity q, String path) {
    Common.nonNegativeQuantity(errs, q, path);
    if (q != null && isExtendedResource(name) && q.value().remainder(BigDecimal.ONE).signum() != 0) {
      errs.add(FieldError.invalid(path, q.toString(), "must be an integer"));
    }
  }

  private static void resourceClaims(List<FieldError> errs, List<PodResourceClaim> claims, Set<String> names,
      String path) {
    for (int i = 0; i < claims.size(); i++) {
      PodResourceClaim c = claims.get(i);
      String p = index(path, i);
      if (!names.add(str(c.getName()))) {
        errs.add(FieldError.duplicate(p, str(c.getName())));
      } else {
        dns1123Label(errs, str(c.getName()), child(p, "name"));
      }
      boolean hasClaim = !isEmpty(c.getResourceClaimName());
      boolean hasTemplate = !isEmpty(c.getResourceClaimTemplateName());
      if (hasClaim && hasTemplate) {
        errs.add(FieldError.invalid(p, GoValue.raw("core.PodResourceClaim{...}"),
            "at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified"));
      } else if (!hasClaim && !hasTemplate) {
        errs.add(FieldError.invalid(p, GoValue.raw("core.PodResourceClaim{...}"),
            "must specify one of: `resourceClaimName`, `resourceClaimTemplateName`"));
      } else {
        String n = hasClaim ? c.getResourceClaimName() : c.getResourceClaimTemplateName();
        name(errs, NameRules.DNS_SUBDOMAIN, n, child(p, hasClaim ? "resourceClaimName" : "resourceClaimTemplateName"));
      }
    }
  }

  // ------------------------------------------------------------------ probes and handlers

  private static void livenessProbe(List<FieldError> errs, Probe probe, Long gracePeriod, String path) {
    if (probe == null) {
      return;
    }
    probe(errs, probe, gracePeriod, path);
    if (intval(probe.getSuccessThreshold()) != 1) {
      errs.add(FieldError.invalid(child(path, "successThreshold"), intval(probe.getSuccessThreshold()), "must be 1"));
    }
  }

  private static void readinessProbe(List<FieldError> errs, Probe probe, Long gracePeriod, String path) {
    if (probe == null) {
      return;
    }
    probe(errs, probe, gracePeriod, path);
    if (probe.getTerminationGracePeriodSeconds() != null) {
      errs.add(FieldError.invalid(child(path, "terminationGracePeriodSeconds"), probe.getTerminationGracePeriodSeconds(),
          "must not be set for readinessProbes"));
    }
  }

  private static void startupProbe(List<FieldError> errs, Probe probe, Long gracePeriod, String path) {
    if (probe == null) {
      return;
    }
    probe(errs, probe, gracePeriod, path);
    if (intval(probe.getSuccessThreshold()) != 1) {
      errs.add(FieldError.invalid(child(path, "successThreshold"), intval(probe.getSuccessThreshold()), "must be 1"));
    }
  }

  private static void probe(List<FieldError> errs, Probe probe, Long gracePeriod, String path) {
    handler(errs, new LifecycleHandler().withExec(probe.getExec()).withHttpGet(probe.getHttpGet())
        .withTcpSocket(probe.getTcpSocket()), probe.getGrpc() != null, probe, gracePeriod, path);
    nonNegative(errs, intval(probe.getInitialDelaySeconds()), child(path, "initialDelaySeconds"));
    nonNegative(errs, intval(probe.getTimeoutSeconds()), child(path, "timeoutSeconds"));
    nonNegative(errs, intval(probe.getPeriodSeconds()), child(path, "periodSeconds"));
    nonNegative(errs, intval(probe.getSuccessThreshold()), child(path, "successThreshold"));
    nonNegative(errs, intval(probe.getFailureThreshold()), child(path, "failureThreshold"));
    if (probe.getTerminationGracePeriodSeconds() != null && probe.getTerminationGracePeriodSeconds() <= 0) {
      errs.add(FieldError.invalid(child(path, "terminationGracePeriodSeconds"), probe.getTerminationGracePeriodSeconds(),
          "must be greater than 0"));
    }
  }

  private static void lifecycle(List<FieldError> errs, Lifecycle lifecycle, Long gracePeriod, String path) {
    if (lifecycle.getPostStart() != null) {
      handler(errs, lifecycle.getPostStart(), false, null, gracePeriod, child(path, "postStart"));
    }
    if (lifecycle.getPreStop() != null) {
      handler(errs, lifecycle.getPreStop(), false, null, gracePeriod, child(path, "preStop"));
    }
  }

  /** upstream's {@code validateHandler}: exactly one handler type, in upstream's order of checks. */
  private static void handler(List<FieldError> errs, LifecycleHandler h, boolean hasGrpc, Probe probe,
      Long gracePeriod, String path) {
    int n = 0;
    String more = "may not specify more than 1 handler type";
    if (h.getExec() != null) {
      n++;
      if (list(h.getExec().getCommand()).isEmpty()) {
        errs.add(FieldError.required(child(path, "exec", "command"), ""));
      }
    }
    if (h.getHttpGet() != null) {
      if (n++ > 0) {
        errs.add(FieldError.forbidden(child(path, "httpGet"), more));
      } else {
        httpGet(errs, h.getHttpGet(), child(path, "httpGet"));
      }
    }
    if (h.getTcpSocket() != null) {
      if (n++ > 0) {
        errs.add(FieldError.forbidden(child(path, "tcpSocket"), more));
      } else {
        Common.portNumOrName(errs, h.getTcpSocket().getPort(), child(path, "tcpSocket", "port"));
      }
    }
    if (hasGrpc) {
      if (n++ > 0) {
        errs.add(FieldError.forbidden(child(path, "grpc"), more));
      } else {
        int port = intval(probe.getGrpc().getPort());
        for (String m : NameRules.isValidPortNum(port)) {
          errs.add(FieldError.invalid(child(path, "grpc", "port"), port, m));
        }
      }
    }
    if (h.getSleep() != null) {
      if (n++ > 0) {
        errs.add(FieldError.forbidden(child(path, "sleep"), more));
      } else {
        long seconds = Common.longval(h.getSleep().getSeconds());
        long grace = gracePeriod == null ? 30 : gracePeriod;
        if (seconds <= 0 || seconds > grace) {
          errs.add(FieldError.invalid(child(path, "sleep"), seconds,
              "must be greater than 0 and less than terminationGracePeriodSeconds (" + grace + ")"));
        }
      }
    }
    if (n == 0) {
      errs.add(FieldError.required(path, "must specify a handler type"));
    }
  }

  private static void httpGet(List<FieldError> errs, HTTPGetAction a, String path) {
    if (isEmpty(a.getPath())) {
      errs.add(FieldError.required(child(path, "path"), ""));
    }
    Common.portNumOrName(errs, a.getPort(), child(path, "port"));
    if (!List.of("HTTP", "HTTPS").contains(str(a.getScheme()))) {
      errs.add(FieldError.notSupported(child(path, "scheme"), str(a.getScheme()), List.of("HTTP", "HTTPS")));
    }
    for (HTTPHeader h : list(a.getHttpHeaders())) {
      for (String m : NameRules.isHttpHeaderName(str(h.getName()))) {
        errs.add(FieldError.invalid(child(path, "httpHeaders"), str(h.getName()), m));
      }
    }
  }

  // ------------------------------------------------------------------ security

  static void securityContext(List<FieldError> errs, SecurityContext sc, String path) {
    if (sc == null) {
      return;
    }
    if (sc.getRunAsUser() != null) {
      for (String m : NameRules.isValidUserId(sc.getRunAsUser())) {
        errs.add(FieldError.invalid(child(path, "runAsUser"), sc.getRunAsUser(), m));
      }
    }
    if (sc.getRunAsGroup() != null) {
      for (String m : NameRules.isValidGroupId(sc.getRunAsGroup())) {
        errs.add(FieldError.invalid(child(path, "runAsGroup"), sc.getRunAsGroup(), m));
      }
    }
    if (sc.getProcMount() != null && !List.of("Default", "Unmasked").contains(sc.getProcMount())) {
      errs.add(FieldError.notSupported(child(path, "procMount"), sc.getProcMount(), List.of("Default", "Unmasked")));
    }
    seccompProfile(errs, sc.getSeccompProfile(), child(path, "seccompProfile"));
    if (sc.getAllowPrivilegeEscalation() != null && !sc.getAllowPrivilegeEscalation()) {
      if (isTrue(sc.getPrivileged())) {
        errs.add(FieldError.invalid(path, GoValue.raw("core.SecurityContext{...}"),
            "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
      }
      if (sc.getCapabilities() != null && list(sc.getCapabilities().getAdd()).contains("CAP_SYS_ADMIN")) {
        errs.add(FieldError.invalid(path, GoValue.raw("core.SecurityContext{...}"),
            "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"));
      }
    }
    if (sc.getAppArmorProfile() != null) {
      appArmorProfile(errs, sc.getAppArmorProfile(), child(path, "appArmorProfile"));
    }
  }

  private static void podSecurityContext(List<FieldError> errs, PodSecurityContext sc, String path) {
    if (sc == null) {
      return;
    }
    if (sc.getFsGroup() != null) {
      for (String m : NameRules.isValidGroupId(sc.getFsGroup())) {
        errs.add(FieldError.invalid(child(path, "fsGroup"), sc.getFsGroup(), m));
      }
    }
    if (sc.getRunAsUser() != null) {
      for (String m : NameRules.isValidUserId(sc.getRunAsUser())) {
        errs.add(FieldError.invalid(child(path, "runAsUser"), sc.getRunAsUser(), m));
      }
    }
    if (sc.getRunAsGroup() != null) {
      for (String m : NameRules.isValidGroupId(sc.getRunAsGroup())) {
        errs.add(FieldError.invalid(child(path, "runAsGroup"), sc.getRunAsGroup(), m));
      }
    }
    var groups = list(sc.getSupplementalGroups());
    for (int i = 0; i < groups.size(); i++) {
      for (String m : NameRules.isValidGroupId(groups.get(i))) {
        errs.add(FieldError.invalid(index(child(path, "supplementalGroups"), i), groups.get(i), m));
      }
    }
    if (sc.getSupplementalGroupsPolicy() != null
        && !List.of("Merge", "Strict").contains(sc.getSupplementalGroupsPolicy())) {
      errs.add(FieldError.notSupported(child(path, "supplementalGroupsPolicy"), sc.getSupplementalGroupsPolicy(),
          List.of("Merge", "Strict")));
    }
    if (sc.getFsGroupChangePolicy() != null
        && !List.of("OnRootMismatch", "Always").contains(sc.getFsGroupChangePolicy())) {
      errs.add(FieldError.notSupported(child(path, "fsGroupChangePolicy"), sc.getFsGroupChangePolicy(),
          List.of("OnRootMismatch", "Always")));
    }
    if (sc.getSeLinuxChangePolicy() != null
        && !List.of("MountOption", "Recursive").contains(sc.getSeLinuxChangePolicy())) {
      errs.add(FieldError.notSupported(child(path, "seLinuxChangePolicy"), sc.getSeLinuxChangePolicy(),
          List.of("MountOption", "Recursive")));
    }
    sysctls(errs, list(sc.getSysctls()), child(path, "sysctls"));
    seccompProfile(errs, sc.getSeccompProfile(), child(path, "seccompProfile"));
    if (sc.getAppArmorProfile() != null) {
      appArmorProfile(errs, sc.getAppArmorProfile(), child(path, "appArmorProfile"));
    }
  }

  private static void sysctls(List<FieldError> errs, List<Sysctl> sysctls, String path) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < sysctls.size(); i++) {
      Sysctl s = sysctls.get(i);
      String p = index(path, i);
      String n = str(s.getName());
      if (n.isEmpty()) {
        errs.add(FieldError.required(child(p, "name"), ""));
      } else if (n.length() > 253 || !SYSCTL.matcher(n).matches()) {
        errs.add(FieldError.invalid(child(p, "name"), n,
            "must have at most 253 characters and match regex " + SYSCTL_FMT));
      } else if (!names.add(n.replace('/', '.'))) {
        errs.add(FieldError.duplicate(child(p, "name"), n));
      }
    }
  }

  private static void seccompProfile(List<FieldError> errs, SeccompProfile sp, String path) {
    if (sp == null) {
      return;
    }
    String type = str(sp.getType());
    List<String> types = List.of("Localhost", "RuntimeDefault", "Unconfined");
    if (type.isEmpty()) {
      errs.add(FieldError.required(child(path, "type"), "type is required when seccompProfile is set"));
      return;
    }
    if (!types.contains(type)) {
      errs.add(FieldError.notSupported(child(path, "type"), type, types));
      return;
    }
    if (type.equals("Localhost")) {
      if (isEmpty(sp.getLocalhostProfile())) {
        errs.add(FieldError.required(child(path, "localhostProfile"), "must be set when seccomp type is Localhost"));
      } else {
        localDescendingPath(errs, sp.getLocalhostProfile(), child(path, "localhostProfile"));
      }
    } else if (sp.getLocalhostProfile() != null) {
      errs.add(FieldError.invalid(child(path, "localhostProfile"), GoValue.raw("core.SeccompProfile{...}"),
          "can only be set when seccomp type is Localhost"));
    }
  }

  private static void appArmorProfile(List<FieldError> errs, io.bosun.api.core.v1.AppArmorProfile p, String path) {
    String type = str(p.getType());
    List<String> types = List.of("Localhost", "RuntimeDefault", "Unconfined");
    if (type.isEmpty()) {
      errs.add(FieldError.required(child(path, "type"), "type is required when appArmorProfile is set"));
    } else if (!types.contains(type)) {
      errs.add(FieldError.notSupported(child(path, "type"), type, types));
    } else if (type.equals("Localhost")) {
      if (isEmpty(p.getLocalhostProfile()) || p.getLocalhostProfile().isBlank()) {
        errs.add(FieldError.required(child(path, "localhostProfile"), "must be set when AppArmor type is Localhost"));
      }
    } else if (p.getLocalhostProfile() != null) {
      errs.add(FieldError.invalid(child(path, "localhostProfile"), p.getLocalhostProfile(),
          "can only be set when AppArmor type is Localhost"));
    }
  }

  // ------------------------------------------------------------------ scheduling

  private static void affinity(List<FieldError> errs, Affinity a, String path) {
    if (a == null) {
      return;
    }
    if (a.getNodeAffinity() != null) {
      String np = child(path, "nodeAffinity");
      NodeSelector required = a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
      if (required != null) {
        nodeSelector(errs, required, child(np, "requiredDuringSchedulingIgnoredDuringExecution"));
      }
      var preferred = list(a.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution());
      for (int i = 0; i < preferred.size(); i++) {
        PreferredSchedulingTerm t = preferred.get(i);
        String p = index(child(np, "preferredDuringSchedulingIgnoredDuringExecution"), i);
        if (intval(t.getWeight()) <= 0 || intval(t.getWeight()) > 100) {
          errs.add(FieldError.invalid(child(p, "weight"), intval(t.getWeight()), "must be in the range 1-100"));
        }
        nodeSelectorTerm(errs, t.getPreference() == null ? new NodeSelectorTerm() : t.getPreference(),
            child(p, "preference"));
      }
    }
    if (a.getPodAffinity() != null) {
      podAffinityTerms(errs, list(a.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()),
          list(a.getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()), child(path, "podAffinity"));
    }
    if (a.getPodAntiAffinity() != null) {
      podAffinityTerms(errs, list(a.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()),
          list(a.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()),
          child(path, "podAntiAffinity"));
    }
  }

  static void nodeSelector(List<FieldError> errs, NodeSelector s, String path) {
    var terms = list(s.getNodeSelectorTerms());
    if (terms.isEmpty()) {
      errs.add(FieldError.required(child(path, "nodeSelectorTerms"), "must have at least one node selector term"));
    }
    for (int i = 0; i < terms.size(); i++) {
      nodeSelectorTerm(errs, terms.get(i), index(child(path, "nodeSelectorTerms"), i));
    }
  }

  private static void nodeSelectorTerm(List<FieldError> errs, NodeSelectorTerm term, String path) {
    var exprs = list(term.getMatchExpressions());
    for (int i = 0; i < exprs.size(); i++) {
      nodeSelectorRequirement(errs, exprs.get(i), index(child(path, "matchExpressions"), i), false);
    }
    var fields = list(term.getMatchFields());
    for (int i = 0; i < fields.size(); i++) {
      nodeSelectorRequirement(errs, fields.get(i), index(child(path, "matchFields"), i), true);
    }
  }

  private static void nodeSelectorRequirement(List<FieldError> errs, NodeSelectorRequirement r, String path,
      boolean field) {
    var values = list(r.getValues());
    switch (str(r.getOperator())) {
      case "In", "NotIn" -> {
        if (values.isEmpty()) {
          errs.add(FieldError.required(child(path, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
        }
      }
      case "Exists", "DoesNotExist" -> {
        if (!values.isEmpty()) {
          errs.add(FieldError.forbidden(child(path, "values"),
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
      }
      case "Gt", "Lt" -> {
        if (values.size() != 1) {
          errs.add(FieldError.required(child(path, "values"),
              "must be specified single value when `operator` is 'Lt' or 'Gt'"));
        }
      }
      default -> errs.add(FieldError.invalid(child(path, "operator"), str(r.getOperator()),
          "not a valid selector operator"));
    }
    if (field) {
      if (!"metadata.name".equals(r.getKey())) {
        errs.add(FieldError.invalid(child(path, "key"), str(r.getKey()), "not a valid field selector key"));
      } else if (!List.of("In", "NotIn").contains(str(r.getOperator())) || values.size() != 1) {
        errs.add(FieldError.invalid(child(path, "values"), GoValue.strings(r.getValues()),
            "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
      }
    } else {
      qualifiedName(errs, str(r.getKey()), child(path, "key"));
    }
  }

  private static void podAffinityTerms(List<FieldError> errs, List<PodAffinityTerm> required,
      List<WeightedPodAffinityTerm> preferred, String path) {
    for (int i = 0; i < required.size(); i++) {
      podAffinityTerm(errs, required.get(i), index(child(path, "requiredDuringSchedulingIgnoredDuringExecution"), i));
    }
    for (int i = 0; i < preferred.size(); i++) {
      WeightedPodAffinityTerm w = preferred.get(i);
      String p = index(child(path, "preferredDuringSchedulingIgnoredDuringExecution"), i);
      if (intval(w.getWeight()) <= 0 || intval(w.getWeight()) > 100) {
        errs.add(FieldError.invalid(child(p, "weight"), intval(w.getWeight()), "must be in the range 1-100"));
      }
      podAffinityTerm(errs, w.getPodAffinityTerm() == null ? new PodAffinityTerm() : w.getPodAffinityTerm(),
          child(p, "podAffinityTerm"));
    }
  }

  private static void podAffinityTerm(List<FieldError> errs, PodAffinityTerm t, String path) {
    Common.labelSelector(errs, t.getLabelSelector(), child(path, "labelSelector"));
    Common.labelSelector(errs, t.getNamespaceSelector(), child(path, "namespaceSelector"));
    for (String ns : list(t.getNamespaces())) {
      for (String m : NameRules.isDns1123Label(str(ns))) {
        errs.add(FieldError.invalid(child(path, "namespace"), ns, m));
      }
    }
    if (isEmpty(t.getTopologyKey())) {
      errs.add(FieldError.required(child(path, "topologyKey"), "can not be empty"));
    } else {
      qualifiedName(errs, t.getTopologyKey(), child(path, "topologyKey"));
    }
  }

  static void tolerations(List<FieldError> errs, List<Toleration> tolerations, String path) {
    for (int i = 0; i < tolerations.size(); i++) {
      Toleration t = tolerations.get(i);
      String p = index(path, i);
      if (!isEmpty(t.getKey())) {
        qualifiedName(errs, t.getKey(), child(p, "key"));
      }
      if (isEmpty(t.getKey()) && !"Exists".equals(t.getOperator())) {
        errs.add(FieldError.invalid(child(p, "operator"), str(t.getOperator()),
            "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
      }
      if (t.getTolerationSeconds() != null && !"NoExecute".equals(t.getEffect())) {
        errs.add(FieldError.invalid(child(p, "effect"), str(t.getEffect()),
            "effect must be 'NoExecute' when `tolerationSeconds` is set"));
      }
      switch (str(t.getOperator())) {
        case "Equal", "" -> {
          List<String> msgs = NameRules.isValidLabelValue(str(t.getValue()));
          if (!msgs.isEmpty()) {
            errs.add(FieldError.invalid(child(p, "operator"), str(t.getValue()), String.join(";", msgs)));
          }
        }
        case "Exists" -> {
          if (!isEmpty(t.getValue())) {
            errs.add(FieldError.invalid(child(p, "operator"), GoValue.raw("core.Toleration{...}"),
                "value must be empty when `operator` is 'Exists'"));
          }
        }
        default -> errs.add(FieldError.notSupported(child(p, "operator"), t.getOperator(), List.of("Equal", "Exists")));
      }
      if (!isEmpty(t.getEffect())) {
        taintEffect(errs, t.getEffect(), true, child(p, "effect"));
      }
    }
  }

  static void taintEffect(List<FieldError> errs, String effect, boolean allowEmpty, String path) {
    if (!allowEmpty && isEmpty(effect)) {
      errs.add(FieldError.required(path, ""));
      return;
    }
    if (!TAINT_EFFECTS.contains(str(effect))) {
      errs.add(FieldError.notSupported(path, str(effect), TAINT_EFFECTS));
    }
  }

  private static void topologySpreadConstraints(List<FieldError> errs, List<TopologySpreadConstraint> constraints,
      String path) {
    for (int i = 0; i < constraints.size(); i++) {
      TopologySpreadConstraint c = constraints.get(i);
      String p = index(path, i);
      if (intval(c.getMaxSkew()) <= 0) {
        errs.add(FieldError.invalid(child(p, "maxSkew"), intval(c.getMaxSkew()), IS_NOT_POSITIVE));
      }
      if (isEmpty(c.getTopologyKey())) {
        errs.add(FieldError.required(child(p, "topologyKey"), "can not be empty"));
      }
      notSupportedOrEmpty(errs, c.getWhenUnsatisfiable(), child(p, "whenUnsatisfiable"),
          List.of("DoNotSchedule", "ScheduleAnyway"));
      for (int j = i + 1; j < constraints.size(); j++) {
        TopologySpreadConstraint o = constraints.get(j);
        if (Objects.equals(c.getTopologyKey(), o.getTopologyKey())
            && Objects.equals(c.getWhenUnsatisfiable(), o.getWhenUnsatisfiable())) {
          errs.add(FieldError.duplicate(child(p, "{topologyKey, whenUnsatisfiable}"),
              "{" + str(c.getTopologyKey()) + ", " + str(c.getWhenUnsatisfiable()) + "}"));
          break;
        }
      }
      if (c.getMinDomains() != null) {
        if (c.getMinDomains() <= 0) {
          errs.add(FieldError.invalid(child(p, "minDomains"), c.getMinDomains(), IS_NOT_POSITIVE));
        }
        if (!"DoNotSchedule".equals(c.getWhenUnsatisfiable())) {
          errs.add(FieldError.invalid(child(p, "minDomains"), c.getMinDomains(),
              "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not " + str(c.getWhenUnsatisfiable())));
        }
      }
      for (String policyField : List.of("nodeAffinityPolicy", "nodeTaintsPolicy")) {
        String v = policyField.equals("nodeAffinityPolicy") ? c.getNodeAffinityPolicy() : c.getNodeTaintsPolicy();
        if (v != null && !List.of("Honor", "Ignore").contains(v)) {
          errs.add(FieldError.notSupported(child(p, policyField), v, List.of("Honor", "Ignore")));
        }
      }
      Common.labelSelector(errs, c.getLabelSelector(), child(p, "labelSelector"));
    }
  }

  private static void notSupportedOrEmpty(List<FieldError> errs, String value, String path, List<String> supported) {
    if (!supported.contains(str(value))) {
      errs.add(FieldError.notSupported(path, str(value), supported));
    }
  }

  private static void schedulingGates(List<FieldError> errs, List<PodSchedulingGate> gates, String path) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < gates.size(); i++) {
      String n = str(gates.get(i).getName());
      qualifiedName(errs, n, index(path, i));
      if (!seen.add(n)) {
        errs.add(FieldError.duplicate(index(path, i), n));
      }
    }
  }

  private static void hostAliases(List<FieldError> errs, List<HostAlias> aliases, String path) {
    for (int i = 0; i < aliases.size(); i++) {
      HostAlias a = aliases.get(i);
      Common.ip(errs, a.getIp(), child(index(path, i), "ip"));
      var hostnames = list(a.getHostnames());
      for (int j = 0; j < hostnames.size(); j++) {
        dns1123Subdomain(errs, str(hostnames.get(j)), index(child(index(path, i), "hostnames"), j));
      }
    }
  }

  private static void dnsConfig(List<FieldError> errs, PodDNSConfig config, String dnsPolicy, String path) {
    if ("None".equals(dnsPolicy) && config == null) {
      errs.add(FieldError.required(path, "must provide `dnsConfig` when `dnsPolicy` is None"));
    }
    if (config == null) {
      return;
    }
    var servers = list(config.getNameservers());
    if ("None".equals(dnsPolicy) && servers.isEmpty()) {
      errs.add(FieldError.required(child(path, "nameservers"),
          "must provide at least one DNS nameserver when `dnsPolicy` is None"));
    }
    if (servers.size() > 3) {
      errs.add(FieldError.invalid(child(path, "nameservers"), GoValue.strings(servers),
          "must not have more than 3 nameservers"));
    }
    for (int i = 0; i < servers.size(); i++) {
      Common.ip(errs, servers.get(i), index(child(path, "nameservers"), i));
    }
    var searches = list(config.getSearches());
    if (searches.size() > 32) {
      errs.add(FieldError.invalid(child(path, "searches"), GoValue.strings(searches),
          "must not have more than 32 search paths"));
    }
    int total = searches.stream().mapToInt(String::length).sum() + Math.max(0, searches.size() - 1);
    if (total > 2048) {
      errs.add(FieldError.invalid(child(path, "searches"), GoValue.strings(searches),
          "must not have more than 2048 characters (including spaces) in the search list"));
    }
    for (int i = 0; i < searches.size(); i++) {
      String s = str(searches.get(i));
      String domain = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
      dns1123Subdomain(errs, domain, index(child(path, "searches"), i));
    }
    List<PodDNSConfigOption> options = list(config.getOptions());
    for (int i = 0; i < options.size(); i++) {
      if (isEmpty(options.get(i).getName())) {
        errs.add(FieldError.required(child(index(child(path, "options"), i), "name"), "must not be empty"));
      }
    }
  }

  // ------------------------------------------------------------------ volumes

  /** Validates the volumes; returns the valid ones by name (mounts of invalid ones are reported as not found). */
  static Map<String, Volume> volumes(List<FieldError> errs, List<Volume> volumes, ObjectMeta podMeta, String path) {
    Set<String> names = new HashSet<>();
    Set<String> createdClaims = new HashSet<>();
    if (podMeta != null && !isEmpty(podMeta.getName())) {
      for (Volume v : volumes) {
        if (v.getEphemeral() != null) {
          createdClaims.add(podMeta.getName() + "-" + v.getName());
        }
      }
    }
    Map<String, Volume> valid = new HashMap<>();
    for (int i = 0; i < volumes.size(); i++) {
      Volume v = volumes.get(i);
      String p = index(path, i);
      List<FieldError> el = new ArrayList<>();
      volumeSource(el, v, podMeta, p);
      if (isEmpty(v.getName())) {
        el.add(FieldError.required(child(p, "name"), ""));
      } else {
        dns1123Label(el, v.getName(), child(p, "name"));
      }
      if (names.contains(str(v.getName()))) {
        el.add(FieldError.duplicate(child(p, "name"), str(v.getName())));
      }
      if (el.isEmpty()) {
        names.add(str(v.getName()));
        valid.put(str(v.getName()), v);
      } else {
        errs.addAll(el);
      }
      if (v.getPersistentVolumeClaim() != null && createdClaims.contains(v.getPersistentVolumeClaim().getClaimName())) {
        errs.add(FieldError.invalid(child(p, "persistentVolumeClaim", "claimName"),
            v.getPersistentVolumeClaim().getClaimName(),
            "must not reference a PVC that gets created for an ephemeral volume"));
      }
    }
    return valid;
  }

  /** One volume source type: its JSON name, accessor and checks. */
  private record Source(String name, Function<Volume, Object> get, SourceCheck check) {}

  @FunctionalInterface
  private interface SourceCheck {
    void check(List<FieldError> errs, Object source, Volume volume, ObjectMeta podMeta, String path);
  }

  private static final List<Source> SOURCES = List.of(
      new Source("emptyDir", Volume::getEmptyDir, (e, s, v, m, p) -> {
        Quantity limit = v.getEmptyDir().getSizeLimit();
        if (limit != null && limit.value().signum() < 0) {
          e.add(FieldError.forbidden(child(p, "sizeLimit"), "SizeLimit field must be a valid resource quantity"));
        }
      }),
      new Source("hostPath", Volume::getHostPath, (e, s, v, m, p) -> hostPath(e, v.getHostPath(), p)),
      new Source("gitRepo", Volume::getGitRepo, (e, s, v, m, p) -> {
        required(e, v.getGitRepo().getRepository(), child(p, "repository"));
        String dir = v.getGitRepo().getDirectory();
        if (!isEmpty(dir)) {
          localDescendingPath(e, dir, child(p, "directory"));
        }
      }),
      new Source("gcePersistentDisk", Volume::getGcePersistentDisk,
          (e, s, v, m, p) -> required(e, v.getGcePersistentDisk().getPdName(), child(p, "pdName"))),
      new Source("awsElasticBlockStore", Volume::getAwsElasticBlockStore,
          (e, s, v, m, p) -> required(e, v.getAwsElasticBlockStore().getVolumeID(), child(p, "volumeID"))),
      new Source("secret", Volume::getSecret, (e, s, v, m, p) -> {
        var sec = v.getSecret();
        required(e, sec.getSecretName(), child(p, "secretName"));
        fileMode(e, sec.getDefaultMode(), child(p, "defaultMode"));
        keyToPaths(e, list(sec.getItems()), child(p, "items"));
      }),
      new Source("nfs", Volume::getNfs, (e, s, v, m, p) -> {
        required(e, v.getNfs().getServer(), child(p, "server"));
        if (isEmpty(v.getNfs().getPath())) {
          e.add(FieldError.required(child(p, "path"), ""));
        } else if (!v.getNfs().getPath().startsWith("/")) {
          e.add(FieldError.invalid(child(p, "path"), v.getNfs().getPath(), "must be an absolute path"));
        }
      }),
      new Source("iscsi", Volume::getIscsi, (e, s, v, m, p) -> {
        var is = v.getIscsi();
        required(e, is.getTargetPortal(), child(p, "targetPortal"));
        required(e, is.getIqn(), child(p, "iqn"));
        if (intval(is.getLun()) < 0 || intval(is.getLun()) > 255) {
          e.add(FieldError.invalid(child(p, "lun"), intval(is.getLun()), NameRules.inclusiveRangeError(0, 255)));
        }
      }),
      new Source("glusterfs", Volume::getGlusterfs, (e, s, v, m, p) -> {
        required(e, v.getGlusterfs().getEndpoints(), child(p, "endpoints"));
        required(e, v.getGlusterfs().getPath(), child(p, "path"));
      }),
      new Source("flocker", Volume::getFlocker, (e, s, v, m, p) -> {
        boolean name = !isEmpty(v.getFlocker().getDatasetName());
        boolean uuid = !isEmpty(v.getFlocker().getDatasetUUID());
        if (name == uuid) {
          e.add(FieldError.required(p, "one of datasetName and datasetUUID is required"));
        }
      }),
      new Source("persistentVolumeClaim", Volume::getPersistentVolumeClaim,
          (e, s, v, m, p) -> required(e, v.getPersistentVolumeClaim().getClaimName(), child(p, "claimName"))),
      new Source("rbd", Volume::getRbd, (e, s, v, m, p) -> {
        if (list(v.getRbd().getMonitors()).isEmpty()) {
          e.add(FieldError.required(child(p, "monitors"), ""));
        }
        required(e, v.getRbd().getImage(), child(p, "image"));
      }),
      new Source("cinder", Volume::getCinder,
          (e, s, v, m, p) -> required(e, v.getCinder().getVolumeID(), child(p, "volumeID"))),
      new Source("cephfs", Volume::getCephfs, (e, s, v, m, p) -> {
        if (list(v.getCephfs().getMonitors()).isEmpty()) {
          e.add(FieldError.required(child(p, "monitors"), ""));
        }
      }),
      new Source("quobyte", Volume::getQuobyte, (e, s, v, m, p) -> {
        required(e, v.getQuobyte().getRegistry(), child(p, "registry"));
        required(e, v.getQuobyte().getVolume(), child(p, "volume"));
      }),
      new Source("downwardAPI", Volume::getDownwardAPI, (e, s, v, m, p) -> {
        fileMode(e, v.getDownwardAPI().getDefaultMode(), child(p, "defaultMode"));
        var items = list(v.getDownwardAPI().getItems());
        for (int i = 0; i < items.size(); i++) {
          downwardApiFile(e, items.get(i), index(child(p, "items"), i));
        }
      }),
      new Source("fc", Volume::getFc, (e, s, v, m, p) -> {
        boolean wwns = !list(v.getFc().getTargetWWNs()).isEmpty();
        boolean wwids = !list(v.getFc().getWwids()).isEmpty();
        if (!wwns && !wwids) {
          e.add(FieldError.required(child(p, "targetWWNs"), "must specify either targetWWNs or wwids, but not both"));
        } else if (wwns && wwids) {
          e.add(FieldError.invalid(child(p, "targetWWNs"), GoValue.strings(v.getFc().getTargetWWNs()),
              "targetWWNs and wwids can not be specified simultaneously"));
        } else if (wwns && v.getFc().getLun() == null) {
          e.add(FieldError.required(child(p, "lun"), "lun is required if targetWWNs is specified"));
        }
      }),
      new Source("flexVolume", Volume::getFlexVolume,
          (e, s, v, m, p) -> required(e, v.getFlexVolume().getDriver(), child(p, "driver"))),
      new Source("configMap", Volume::getConfigMap, (e, s, v, m, p) -> {
        var cm = v.getConfigMap();
        required(e, cm.getName(), child(p, "name"));
        fileMode(e, cm.getDefaultMode(), child(p, "defaultMode"));
        keyToPaths(e, list(cm.getItems()), child(p, "items"));
      }),
      new Source("azureFile", Volume::getAzureFile, (e, s, v, m, p) -> {
        required(e, v.getAzureFile().getSecretName(), child(p, "secretName"));
        required(e, v.getAzureFile().getShareName(), child(p, "shareName"));
      }),
      new Source("vsphereVolume", Volume::getVsphereVolume,
          (e, s, v, m, p) -> required(e, v.getVsphereVolume().getVolumePath(), child(p, "volumePath"))),
      new Source("photonPersistentDisk", Volume::getPhotonPersistentDisk,
          (e, s, v, m, p) -> required(e, v.getPhotonPersistentDisk().getPdID(), child(p, "pdID"))),
      new Source("portworxVolume", Volume::getPortworxVolume,
          (e, s, v, m, p) -> required(e, v.getPortworxVolume().getVolumeID(), child(p, "volumeID"))),
      new Source("azureDisk", Volume::getAzureDisk, (e, s, v, m, p) -> {
        required(e, v.getAzureDisk().getDiskName(), child(p, "diskName"));
        required(e, v.getAzureDisk().getDiskURI(), child(p, "diskURI"));
      }),
      new Source("storageos", Volume::getStorageos, (e, s, v, m, p) -> {
        required(e, v.getStorageos().getVolumeName(), child(p, "volumeName"));
        String vn = v.getStorageos().getVolumeName();
        if (!isEmpty(vn)) {
          dns1123Label(e, vn, child(p, "volumeName"));
        }
      }),
      new Source("projected", Volume::getProjected, (e, s, v, m, p) -> projected(e, v.getProjected(), p)),
      new Source("scaleIO", Volume::getScaleIO, (e, s, v, m, p) -> {
        required(e, v.getScaleIO().getGateway(), child(p, "gateway"));
        required(e, v.getScaleIO().getSystem(), child(p, "system"));
        required(e, v.getScaleIO().getVolumeName(), child(p, "volumeName"));
      }),
      new Source("csi", Volume::getCsi, (e, s, v, m, p) -> {
        csiDriverName(e, v.getCsi().getDriver(), child(p, "driver"));
        if (v.getCsi().getNodePublishSecretRef() != null && isEmpty(v.getCsi().getNodePublishSecretRef().getName())) {
          e.add(FieldError.required(child(p, "nodePublishSecretRef", "name"), ""));
        }
      }),
      new Source("ephemeral", Volume::getEphemeral, (e, s, v, m, p) -> {
        var template = v.getEphemeral().getVolumeClaimTemplate();
        if (template == null) {
          e.add(FieldError.required(child(p, "volumeClaimTemplate"), ""));
          return;
        }
        if (m != null && !isEmpty(m.getName())) {
          String claim = m.getName() + "-" + v.getName();
          for (String msg : NameRules.isDns1123Subdomain(claim)) {
            e.add(FieldError.invalid(child(p, "name"), v.getName(), "PVC name \"" + claim + "\": " + msg));
          }
        }
        ObjectMeta tm = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        labels(e, tm.getLabels(), child(p, "volumeClaimTemplate", "metadata", "labels"));
        MetaValidation.annotations(e, tm.getAnnotations(), child(p, "volumeClaimTemplate", "metadata", "annotations"));
        if (!isEmpty(tm.getName()) || !isEmpty(tm.getNamespace()) || !isEmpty(tm.getGenerateName())) {
          e.add(FieldError.forbidden(child(p, "volumeClaimTemplate", "metadata"),
              "name, namespace, generateName and other metadata fields except labels and annotations are not allowed"));
        }
        StorageValidation.claimSpec(e, template.getSpec(), child(p, "volumeClaimTemplate", "spec"));
      }),
      new Source("image", Volume::getImage, (e, s, v, m, p) -> {
        if (isEmpty(v.getImage().getReference())) {
          e.add(FieldError.required(child(p, "reference"), ""));
        }
        if (v.getImage().getPullPolicy() != null && !PULL_POLICIES.contains(v.getImage().getPullPolicy())) {
          e.add(FieldError.notSupported(child(p, "pullPolicy"), v.getImage().getPullPolicy(), PULL_POLICIES));
        }
      }));

  private static void volumeSource(List<FieldError> errs, Volume v, ObjectMeta podMeta, String path) {
    int n = 0;
    for (Source s : SOURCES) {
      Object value = s.get().apply(v);
      if (value == null) {
        continue;
      }
      String p = child(path, s.name());
      if (n > 0) {
        errs.add(FieldError.forbidden(p, "may not specify more than 1 volume type"));
      } else {
        n++;
        s.check().check(errs, value, v, podMeta, p);
      }
    }
    if (n == 0) {
      errs.add(FieldError.required(path, "must specify a volume type"));
    }
  }

  static void required(List<FieldError> errs, String value, String path) {
    if (isEmpty(value)) {
      errs.add(FieldError.required(path, ""));
    }
  }

  static void hostPath(List<FieldError> errs, io.bosun.api.core.v1.HostPathVolumeSource hp, String path) {
    if (isEmpty(hp.getPath())) {
      errs.add(FieldError.required(child(path, "path"), ""));
      return;
    }
    noBacksteps(errs, hp.getPath(), child(path, "path"));
    if (hp.getType() != null && !HOST_PATH_TYPES.contains(hp.getType())) {
      errs.add(FieldError.notSupported(child(path, "type"), hp.getType(), HOST_PATH_TYPES));
    }
  }

  static void csiDriverName(List<FieldError> errs, String driver, String path) {
    if (isEmpty(driver)) {
      errs.add(FieldError.required(path, ""));
      return;
    }
    if (driver.length() > 63) {
      errs.add(FieldError.tooLong(path, driver, 63));
    }
    for (String m : NameRules.isDns1123Subdomain(driver.toLowerCase(java.util.Locale.ROOT))) {
      errs.add(FieldError.invalid(path, driver, m));
    }
  }

  private static void fileMode(List<FieldError> errs, Integer mode, String path) {
    if (mode != null && (mode > 0777 || mode < 0)) {
      errs.add(FieldError.invalid(path, mode, FILE_MODE));
    }
  }

  private static void keyToPaths(List<FieldError> errs, List<KeyToPath> items, String path) {
    for (int i = 0; i < items.size(); i++) {
      keyToPath(errs, items.get(i), index(path, i));
    }
  }

  private static void keyToPath(List<FieldError> errs, KeyToPath kp, String path) {
    if (isEmpty(kp.getKey())) {
      errs.add(FieldError.required(child(path, "key"), ""));
    }
    if (isEmpty(kp.getPath())) {
      errs.add(FieldError.required(child(path, "path"), ""));
    }
    localNonReservedPath(errs, str(kp.getPath()), child(path, "path"));
    fileMode(errs, kp.getMode(), child(path, "mode"));
  }

  private static void downwardApiFile(List<FieldError> errs, DownwardAPIVolumeFile f, String path) {
    if (isEmpty(f.getPath())) {
      errs.add(FieldError.required(child(path, "path"), ""));
    }
    localNonReservedPath(errs, str(f.getPath()), child(path, "path"));
    if (f.getFieldRef() != null) {
      objectFieldSelector(errs, f.getFieldRef(), VOLUME_FIELD_PATHS, child(path, "fieldRef"));
      if (f.getResourceFieldRef() != null) {
        errs.add(FieldError.invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
      }
    } else if (f.getResourceFieldRef() != null) {
      resourceFieldSelector(errs, f.getResourceFieldRef(), child(path, "resourceFieldRef"), true);
    } else {
      errs.add(FieldError.required(path, "one of fieldRef and resourceFieldRef is required"));
    }
    fileMode(errs, f.getMode(), child(path, "mode"));
  }

  private static void projected(List<FieldError> errs, ProjectedVolumeSource projected, String path) {
    fileMode(errs, projected.getDefaultMode(), child(path, "defaultMode"));
    Set<String> paths = new HashSet<>();
    var sources = list(projected.getSources());
    for (int i = 0; i < sources.size(); i++) {
      VolumeProjection s = sources.get(i);
      String sp = index(child(path, "sources"), i);
      int n = 0;
      if (s.getSecret() != null) {
        n++;
        required(errs, s.getSecret().getName(), child(sp, "secret", "name"));
        var items = list(s.getSecret().getItems());
        for (int j = 0; j < items.size(); j++) {
          keyToPath(errs, items.get(j), index(child(sp, "secret", "items"), j));
          if (!isEmpty(items.get(j).getPath()) && !paths.add(items.get(j).getPath())) {
            errs.add(FieldError.invalid(path, str(s.getSecret().getName()), "conflicting duplicate paths"));
          }
        }
      }
      if (s.getConfigMap() != null) {
        n++;
        required(errs, s.getConfigMap().getName(), child(sp, "configMap", "name"));
        var items = list(s.getConfigMap().getItems());
        for (int j = 0; j < items.size(); j++) {
          keyToPath(errs, items.get(j), index(child(sp, "configMap", "items"), j));
          if (!isEmpty(items.get(j).getPath()) && !paths.add(items.get(j).getPath())) {
            errs.add(FieldError.invalid(path, str(s.getConfigMap().getName()), "conflicting duplicate paths"));
          }
        }
      }
      if (s.getDownwardAPI() != null) {
        n++;
        for (DownwardAPIVolumeFile f : list(s.getDownwardAPI().getItems())) {
          downwardApiFile(errs, f, child(sp, "downwardAPI"));
          if (!isEmpty(f.getPath()) && !paths.add(f.getPath())) {
            errs.add(FieldError.invalid(path, f.getPath(), "conflicting duplicate paths"));
          }
        }
      }
      if (s.getServiceAccountToken() != null) {
        n++;
        long exp = s.getServiceAccountToken().getExpirationSeconds() == null ? 3600
            : s.getServiceAccountToken().getExpirationSeconds();
        String tp = child(sp, "serviceAccountToken");
        if (exp < 600) {
          errs.add(FieldError.invalid(child(tp, "expirationSeconds"), exp, "may not specify a duration less than 10 minutes"));
        }
        if (exp > (1L << 32)) {
          errs.add(FieldError.invalid(child(tp, "expirationSeconds"), exp,
              "may not specify a duration larger than 2^32 seconds"));
        }
        if (isEmpty(s.getServiceAccountToken().getPath())) {
          errs.add(FieldError.required(child(path, "path"), ""));
        }
      }
      if (s.getClusterTrustBundle() != null) {
        n++;
        var ctb = s.getClusterTrustBundle();
        String cp = child(sp, "clusterTrustBundle");
        if (isEmpty(ctb.getPath())) {
          errs.add(FieldError.required(child(cp, "path"), ""));
        } else if (!paths.add(ctb.getPath())) {
          errs.add(FieldError.invalid(child(cp, "path"), ctb.getPath(), "conflicting duplicate paths"));
        }
        boolean byName = !isEmpty(ctb.getName());
        boolean bySigner = !isEmpty(ctb.getSignerName());
        if (byName && bySigner) {
          errs.add(FieldError.invalid(cp, GoValue.raw("core.ClusterTrustBundleProjection{...}"),
              "only one of name and signerName may be used"));
        } else if (!byName && !bySigner) {
          errs.add(FieldError.required(cp, "either name or signerName must be specified"));
        }
        if (byName && ctb.getLabelSelector() != null) {
          errs.add(FieldError.invalid(child(cp, "labelSelector"), GoValue.selector(ctb.getLabelSelector()),
              "labelSelector must be unset if name is specified"));
        }
      }
      if (n > 1) {
        errs.add(FieldError.forbidden(sp, "may not specify more than 1 volume type per source"));
      }
    }
  }

  static void localDescendingPath(List<FieldError> errs, String target, String path) {
    if (target.startsWith("/")) {
      errs.add(FieldError.invalid(path, target, "must be a relative path"));
    }
    noBacksteps(errs, target, path);
  }

  private static void noBacksteps(List<FieldError> errs, String target, String path) {
    for (String part : target.replace('\\', '/').split("/", -1)) {
      if (part.equals("..")) {
        errs.add(FieldError.invalid(path, target, "must not contain '..'"));
        break;
      }
    }
  }

  private static void localNonReservedPath(List<FieldError> errs, String target, String path) {
    localDescendingPath(errs, target, path);
    if (target.startsWith("..") && !target.startsWith("../")) {
      errs.add(FieldError.invalid(path, target, "must not start with '..'"));
    }
  }

  // ------------------------------------------------------------------ updates

  static final String POD_UPDATE_FORBIDDEN = "pod updates may not change fields other than "
      + "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
      + "`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
      + "(allow it to be set to 1 if it was previously negative)";

  static void podUpdate(List<FieldError> errs, Pod pod, Pod old) {
    MetaValidation.objectMetaUpdate(errs, pod.getMetadata(), old.getMetadata(), "metadata");
    podMetadataAndSpec(errs, pod);
    PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
    PodSpec oldSpec = old.getSpec() == null ? new PodSpec() : old.getSpec();
    if (containerUpdates(errs, list(spec.getContainers()), list(oldSpec.getContainers()), "spec.containers")
        || containerUpdates(errs, list(spec.getInitContainers()), list(oldSpec.getInitContainers()),
            "spec.initContainers")) {
      return;
    }
    Long deadline = spec.getActiveDeadlineSeconds();
    if (deadline != null) {
      if (deadline < 0 || deadline > Integer.MAX_VALUE) {
        errs.add(FieldError.invalid("spec.activeDeadlineSeconds", deadline,
            NameRules.inclusiveRangeError(0, Integer.MAX_VALUE)));
        return;
      }
      if (oldSpec.getActiveDeadlineSeconds() != null && oldSpec.getActiveDeadlineSeconds() < deadline) {
        errs.add(FieldError.invalid("spec.activeDeadlineSeconds", deadline, "must be less than or equal to previous value"));
        return;
      }
    } else if (oldSpec.getActiveDeadlineSeconds() != null) {
      errs.add(FieldError.invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
    }
    onlyAddedTolerations(errs, list(spec.getTolerations()), list(oldSpec.getTolerations()), "spec.tolerations");
    onlyDeletedSchedulingGates(errs, list(spec.getSchedulingGates()), list(oldSpec.getSchedulingGates()),
        "spec.schedulingGates");
    if (spec.equals(oldSpec)) {
      return;
    }
    // Munge the updatable fields, then anything else that differs is forbidden.
    PodSpec munged = spec.deepCopy();
    for (int i = 0; i < list(munged.getContainers()).size(); i++) {
      munged.getContainers().get(i).setImage(oldSpec.getContainers().get(i).getImage());
    }
    for (int i = 0; i < list(munged.getInitContainers()).size(); i++) {
      munged.getInitContainers().get(i).setImage(oldSpec.getInitContainers().get(i).getImage());
    }
    munged.setActiveDeadlineSeconds(oldSpec.getActiveDeadlineSeconds());
    munged.setSchedulingGates(oldSpec.getSchedulingGates());
    munged.setTolerations(oldSpec.getTolerations());
    if (oldSpec.getTerminationGracePeriodSeconds() != null && oldSpec.getTerminationGracePeriodSeconds() < 0
        && munged.getTerminationGracePeriodSeconds() != null && munged.getTerminationGracePeriodSeconds() == 1) {
      munged.setTerminationGracePeriodSeconds(oldSpec.getTerminationGracePeriodSeconds());
    }
    if (!list(oldSpec.getSchedulingGates()).isEmpty()) {
      // Gated pods may gain node selector entries (no removals or changes).
      Map<String, String> oldSelector = oldSpec.getNodeSelector() == null ? Map.of() : oldSpec.getNodeSelector();
      Map<String, String> newSelector = munged.getNodeSelector() == null ? Map.of() : munged.getNodeSelector();
      if (newSelector.entrySet().containsAll(oldSelector.entrySet())) {
        munged.setNodeSelector(oldSpec.getNodeSelector());
      }
    }
    if (!semanticEquals(munged, oldSpec)) {
      errs.add(FieldError.forbidden("spec", POD_UPDATE_FORBIDDEN + "\n" + SpecDiff.diff(oldSpec, munged)));
    }
  }

  /** Equality that treats absent and empty lists and maps alike, as upstream's semantic equality. */
  static boolean semanticEquals(Object a, Object b) {
    var codec = SpecDiff.MAPPER;
    return codec.valueToTree(a).equals(codec.valueToTree(b));
  }

  private static boolean containerUpdates(List<FieldError> errs, List<Container> containers, List<Container> old,
      String path) {
    if (containers.size() != old.size()) {
      errs.add(FieldError.forbidden(path, "pod updates may not add or remove containers"));
      return true;
    }
    for (int i = 0; i < containers.size(); i++) {
      String image = containers.get(i).getImage();
      if (isEmpty(image)) {
        errs.add(FieldError.required(child(index(path, i), "image"), ""));
      } else if (!image.strip().equals(image)) {
        errs.add(FieldError.invalid(child(index(path, i), "image"), image, "must not have leading or trailing whitespace"));
      }
    }
    return false;
  }

  private static void onlyAddedTolerations(List<FieldError> errs, List<Toleration> tolerations, List<Toleration> old,
      String path) {
    for (Toleration o : old) {
      boolean found = false;
      for (Toleration n : tolerations) {
        Toleration clone = o.deepCopy().withTolerationSeconds(n.getTolerationSeconds());
        if (clone.equals(n)) {
          found = true;
          break;
        }
      }
      if (!found) {
        errs.add(FieldError.forbidden(path, "existing toleration can not be modified except its tolerationSeconds"));
        return;
      }
    }
    tolerations(errs, tolerations, path);
  }

  private static void onlyDeletedSchedulingGates(List<FieldError> errs, List<PodSchedulingGate> gates,
      List<PodSchedulingGate> old, String path) {
    Set<String> oldNames = new HashSet<>();
    old.forEach(g -> oldNames.add(str(g.getName())));
    for (int i = 0; i < gates.size(); i++) {
      String n = str(gates.get(i).getName());
      if (!oldNames.contains(n)) {
        errs.add(FieldError.forbidden(child(index(path, i), "name"),
            "only deletion is allowed, but found new scheduling gate '" + n + "'"));
      }
    }
  }

  static void ephemeralContainersUpdate(List<FieldError> errs, Pod pod, Pod old) {
    MetaValidation.objectMetaUpdate(errs, pod.getMetadata(), old.getMetadata(), "metadata");
    podMetadataAndSpec(errs, pod);
    if (old.getMetadata() != null && old.getMetadata().getAnnotations() != null
        && old.getMetadata().getAnnotations().containsKey("kubernetes.io/config.mirror")) {
      errs.clear();
      errs.add(FieldError.forbidden("", "static pods do not support ephemeral containers"));
      return;
    }
    Map<String, EphemeralContainer> byName = new HashMap<>();
    for (EphemeralContainer ec : list(pod.getSpec() == null ? null : pod.getSpec().getEphemeralContainers())) {
      byName.put(str(ec.getName()), ec);
    }
    for (EphemeralContainer o : list(old.getSpec() == null ? null : old.getSpec().getEphemeralContainers())) {
      EphemeralContainer n = byName.get(str(o.getName()));
      if (n == null) {
        errs.add(FieldError.forbidden("spec.ephemeralContainers",
            "existing ephemeral containers \"" + o.getName() + "\" may not be removed\n"));
      } else if (!semanticEquals(o, n)) {
        errs.add(FieldError.forbidden("spec.ephemeralContainers",
            "existing ephemeral containers \"" + o.getName() + "\" may not be changed\n" + SpecDiff.diff(o, n)));
      }
    }
  }

  static void podStatusUpdate(List<FieldError> errs, Pod pod, Pod old) {
    MetaValidation.objectMetaUpdate(errs, pod.getMetadata(), old.getMetadata(), "metadata");
    var status = pod.getStatus() == null ? new io.bosun.api.core.v1.PodStatus() : pod.getStatus();
    var oldStatus = old.getStatus() == null ? new io.bosun.api.core.v1.PodStatus() : old.getStatus();
    // Upstream reports condition type errors under "metadata.conditions".
    List<PodCondition> conditions = list(status.getConditions());
    for (int i = 0; i < conditions.size(); i++) {
      String type = str(conditions.get(i).getType());
      if (!Set.of("PodScheduled", "Ready", "Initialized").contains(type)) {
        qualifiedName(errs, type, child(index("metadata.conditions", i), "Type"));
      }
    }
    String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    String oldNodeName = old.getSpec() == null ? null : old.getSpec().getNodeName();
    if (!Objects.equals(str(nodeName), str(oldNodeName))) {
      errs.add(FieldError.forbidden("status.nodeName", "may not be changed directly"));
    }
    if (!Objects.equals(str(status.getNominatedNodeName()), str(oldStatus.getNominatedNodeName()))
        && !isEmpty(status.getNominatedNodeName())) {
      name(errs, NameRules.DNS_SUBDOMAIN, status.getNominatedNodeName(), "status.nominatedNodeName");
    }
    String restartPolicy = old.getSpec() == null ? "" : str(old.getSpec().getRestartPolicy());
    stateTransitions(errs, list(status.getContainerStatuses()), list(oldStatus.getContainerStatuses()),
        "status.containerStatuses", restartPolicy);
    stateTransitions(errs, list(status.getInitContainerStatuses()), list(oldStatus.getInitContainerStatuses()),
        "status.initContainerStatuses", restartPolicy);
    stateTransitions(errs, list(status.getEphemeralContainerStatuses()),
        list(oldStatus.getEphemeralContainerStatuses()), "status.ephemeralContainerStatuses", "Never");
    List<String> podIps = list(status.getPodIPs()).stream().map(PodIP::getIp).map(Common::str).toList();
    ipList(errs, podIps, "status.podIPs");
    List<String> hostIps = list(status.getHostIPs()).stream().map(h -> str(h.getIp())).toList();
    ipList(errs, hostIps, "status.hostIPs");
  }

  private static void ipList(List<FieldError> errs, List<String> ips, String path) {
    for (int i = 0; i < ips.size(); i++) {
      Common.ip(errs, ips.get(i), index(path, i));
    }
    if (ips.size() > 1) {
      if (!Common.isDualStack(ips) || ips.size() > 2) {
        errs.add(FieldError.invalid(path, GoValue.strings(ips), "may specify no more than one IP for each IP family"));
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < ips.size(); i++) {
        if (!seen.add(ips.get(i))) {
          errs.add(FieldError.duplicate(index(path, i), ips.get(i)));
        }
      }
    }
  }

  private static void stateTransitions(List<FieldError> errs, List<ContainerStatus> statuses,
      List<ContainerStatus> old, String path, String restartPolicy) {
    if (restartPolicy.equals("Always")) {
      return;
    }
    for (int i = 0; i < old.size(); i++) {
      ContainerStatus o = old.get(i);
      if (o.getState() == null || o.getState().getTerminated() == null) {
        continue;
      }
      if (intval(o.getState().getTerminated().getExitCode()) != 0 && restartPolicy.equals("OnFailure")) {
        continue;
      }
      for (ContainerStatus n : statuses) {
        if (Objects.equals(o.getName(), n.getName()) && (n.getState() == null || n.getState().getTerminated() == null)) {
          errs.add(FieldError.forbidden(child(index(path, i), "state"), "may not be transitioned to non-terminated state"));
        }
      }
    }
  }
}
