package io.bosun.api.defaulting;

import io.bosun.api.apps.v1.DaemonSet;
import io.bosun.api.apps.v1.DaemonSetSpec;
import io.bosun.api.apps.v1.DaemonSetUpdateStrategy;
import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.apps.v1.DeploymentSpec;
import io.bosun.api.apps.v1.DeploymentStrategy;
import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.ReplicaSetSpec;
import io.bosun.api.apps.v1.RollingUpdateDaemonSet;
import io.bosun.api.apps.v1.RollingUpdateDeployment;
import io.bosun.api.apps.v1.RollingUpdateStatefulSetStrategy;
import io.bosun.api.apps.v1.StatefulSet;
import io.bosun.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy;
import io.bosun.api.apps.v1.StatefulSetSpec;
import io.bosun.api.apps.v1.StatefulSetUpdateStrategy;
import io.bosun.api.batch.v1.CronJob;
import io.bosun.api.batch.v1.CronJobSpec;
import io.bosun.api.batch.v1.Job;
import io.bosun.api.batch.v1.JobSpec;
import io.bosun.api.batch.v1.JobTemplateSpec;
import io.bosun.api.batch.v1.PodFailurePolicyOnPodConditionsPattern;
import io.bosun.api.batch.v1.PodFailurePolicyRule;
import io.bosun.api.core.v1.AzureDiskVolumeSource;
import io.bosun.api.core.v1.ClientIPConfig;
import io.bosun.api.core.v1.ConfigMapVolumeSource;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerPort;
import io.bosun.api.core.v1.ContainerStatus;
import io.bosun.api.core.v1.DownwardAPIVolumeFile;
import io.bosun.api.core.v1.DownwardAPIVolumeSource;
import io.bosun.api.core.v1.EndpointPort;
import io.bosun.api.core.v1.EndpointSubset;
import io.bosun.api.core.v1.Endpoints;
import io.bosun.api.core.v1.EnvVar;
import io.bosun.api.core.v1.EphemeralContainer;
import io.bosun.api.core.v1.GRPCAction;
import io.bosun.api.core.v1.HTTPGetAction;
import io.bosun.api.core.v1.HostPathVolumeSource;
import io.bosun.api.core.v1.ISCSIPersistentVolumeSource;
import io.bosun.api.core.v1.ISCSIVolumeSource;
import io.bosun.api.core.v1.ImageVolumeSource;
import io.bosun.api.core.v1.Lifecycle;
import io.bosun.api.core.v1.LifecycleHandler;
import io.bosun.api.core.v1.LoadBalancerIngress;
import io.bosun.api.core.v1.Namespace;
import io.bosun.api.core.v1.NamespaceStatus;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeStatus;
import io.bosun.api.core.v1.ObjectFieldSelector;
import io.bosun.api.core.v1.PersistentVolume;
import io.bosun.api.core.v1.PersistentVolumeClaim;
import io.bosun.api.core.v1.PersistentVolumeClaimSpec;
import io.bosun.api.core.v1.PersistentVolumeClaimStatus;
import io.bosun.api.core.v1.PersistentVolumeSpec;
import io.bosun.api.core.v1.PersistentVolumeStatus;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSecurityContext;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodStatus;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.core.v1.Probe;
import io.bosun.api.core.v1.ProjectedVolumeSource;
import io.bosun.api.core.v1.RBDPersistentVolumeSource;
import io.bosun.api.core.v1.RBDVolumeSource;
import io.bosun.api.core.v1.ResourceRequirements;
import io.bosun.api.core.v1.ScaleIOPersistentVolumeSource;
import io.bosun.api.core.v1.ScaleIOVolumeSource;
import io.bosun.api.core.v1.SecretVolumeSource;
import io.bosun.api.core.v1.Secret;
import io.bosun.api.core.v1.Service;
import io.bosun.api.core.v1.ServicePort;
import io.bosun.api.core.v1.ServiceSpec;
import io.bosun.api.core.v1.SessionAffinityConfig;
import io.bosun.api.core.v1.Volume;
import io.bosun.api.core.v1.VolumeProjection;
import io.bosun.api.discovery.v1.EndpointSlice;
import io.bosun.api.discovery.v1.EndpointSlicePort;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.scheduling.v1.PriorityClass;
import io.bosun.api.values.IntOrString;
import io.bosun.api.values.Quantity;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Applies upstream's defaults to API objects, as the generated {@code SetObjectDefaults_*}
 * functions of {@code pkg/apis/<group>/v1} do after decoding a request body: every field the
 * upstream defaulters fill is filled here with the same value and under the same conditions.
 *
 * <p>What is <em>not</em> done here, because upstream does it elsewhere: the pod's
 * {@code priority} (Priority admission), service account injection (ServiceAccount admission),
 * the Namespace {@code kubernetes} finalizer (registry strategy), Service cluster IPs, IP families
 * and node ports (the allocator), and the Job selector and labels (registry strategy; see
 * {@link #generateJobSelector(Job)}).
 *
 * <p>One conversion step is done here too because it happens at the same point upstream: a
 * Secret's {@code stringData} is merged into {@code data} and cleared.
 *
 * <p>Instances hold no state and are safe to share between threads.
 */
public final class Defaulter {

  /** Upstream's {@code v1.DefaultTerminationGracePeriodSeconds}. */
  public static final long DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
  /** Upstream's {@code v1.DefaultSchedulerName}. */
  public static final String DEFAULT_SCHEDULER_NAME = "default-scheduler";
  /** Upstream's {@code v1.TerminationMessagePathDefault}. */
  public static final String TERMINATION_MESSAGE_PATH_DEFAULT = "/dev/termination-log";
  /** 0644, the default file mode of secret, config map, downward API and projected volumes. */
  public static final int DEFAULT_MODE = 0644;
  /** Upstream's {@code v1.DefaultClientIPServiceAffinitySeconds}: three hours. */
  public static final int DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS = 10800;
  /** The label every namespace carries with its own name. */
  public static final String LABEL_METADATA_NAME = "kubernetes.io/metadata.name";

  public Defaulter() {
  }

  /**
   * Fills in the defaults of {@code object} in place. Objects of kinds without upstream defaults
   * (ConfigMap, Event, Lease, ...) are left unchanged.
   */
  public void apply(KubernetesObject object) {
    switch (object) {
      case null -> { }
      case Pod pod -> defaultPod(pod);
      case Service service -> defaultService(service);
      case Namespace namespace -> defaultNamespace(namespace);
      case Secret secret -> defaultSecret(secret);
      case Node node -> defaultNode(node);
      case Endpoints endpoints -> defaultEndpoints(endpoints);
      case PersistentVolumeClaim pvc -> defaultPersistentVolumeClaim(pvc);
      case PersistentVolume pv -> defaultPersistentVolume(pv);
      case Deployment deployment -> defaultDeployment(deployment);
      case ReplicaSet replicaSet -> defaultReplicaSet(replicaSet);
      case DaemonSet daemonSet -> defaultDaemonSet(daemonSet);
      case StatefulSet statefulSet -> defaultStatefulSet(statefulSet);
      case Job job -> defaultJob(job);
      case CronJob cronJob -> defaultCronJob(cronJob);
      case PriorityClass priorityClass -> {
        if (priorityClass.getPreemptionPolicy() == null) {
          priorityClass.setPreemptionPolicy("PreemptLowerPriority");
        }
      }
      case EndpointSlice slice -> defaultEndpointSlice(slice);
      default -> { }
    }
  }

  /**
   * Generates a Job's selector and pod labels as upstream's Job registry strategy does on create
   * when {@code spec.manualSelector} is not true: the selector matches
   * {@code batch.kubernetes.io/controller-uid=<uid>}, and the template gets that label, the legacy
   * {@code controller-uid} label and the {@code job-name} labels (both spellings). Needs
   * {@code metadata.uid}; does nothing without it. Call it before validation.
   */
  public void generateJobSelector(Job job) {
    JobSpec spec = job.getSpec();
    ObjectMeta meta = job.getMetadata();
    if (spec == null || meta == null || isEmpty(meta.getUid()) || Boolean.TRUE.equals(spec.getManualSelector())) {
      return;
    }
    String uid = meta.getUid();
    PodTemplateSpec template = spec.getTemplate();
    if (template == null) {
      template = new PodTemplateSpec();
      spec.setTemplate(template);
    }
    if (template.getMetadata() == null) {
      template.setMetadata(new ObjectMeta());
    }
    Map<String, String> labels = template.getMetadata().getLabels() == null
        ? new LinkedHashMap<>() : new LinkedHashMap<>(template.getMetadata().getLabels());
    labels.putIfAbsent("controller-uid", uid);
    labels.putIfAbsent("batch.kubernetes.io/controller-uid", uid);
    if (!isEmpty(meta.getName())) {
      labels.putIfAbsent("job-name", meta.getName());
      labels.putIfAbsent("batch.kubernetes.io/job-name", meta.getName());
    }
    template.getMetadata().setLabels(labels);
    if (spec.getSelector() == null) {
      Map<String, String> match = new LinkedHashMap<>();
      match.put("batch.kubernetes.io/controller-uid", uid);
      spec.setSelector(new LabelSelector().withMatchLabels(match));
    }
  }

  // ------------------------------------------------------------------ core: pods

  private void defaultPod(Pod pod) {
    PodSpec spec = pod.getSpec();
    if (spec != null) {
      defaultPodSpec(spec);
      // SetDefaults_Pod: only on pods, not on templates, so template hashes stay stable.
      forEach(spec.getContainers(), c -> requestsFromLimits(c.getResources()));
      forEach(spec.getInitContainers(), c -> requestsFromLimits(c.getResources()));
      if (spec.getEnableServiceLinks() == null) {
        spec.setEnableServiceLinks(true);
      }
      if (Boolean.TRUE.equals(spec.getHostNetwork())) {
        forEach(spec.getContainers(), c -> hostNetworkPorts(c.getPorts()));
        forEach(spec.getInitContainers(), c -> hostNetworkPorts(c.getPorts()));
      }
    }
    PodStatus status = pod.getStatus();
    if (status != null) {
      forEach(status.getContainerStatuses(), this::defaultContainerStatus);
      forEach(status.getInitContainerStatuses(), this::defaultContainerStatus);
      forEach(status.getEphemeralContainerStatuses(), this::defaultContainerStatus);
    }
  }

  private void defaultContainerStatus(ContainerStatus status) {
    status.setAllocatedResources(roundUpToMilli(status.getAllocatedResources()));
    defaultResourceRequirements(status.getResources());
  }

  private static void requestsFromLimits(ResourceRequirements resources) {
    if (resources == null || resources.getLimits() == null) {
      return;
    }
    Map<String, Quantity> requests = resources.getRequests() == null
        ? new LinkedHashMap<>() : new LinkedHashMap<>(resources.getRequests());
    resources.getLimits().forEach(requests::putIfAbsent);
    resources.setRequests(requests);
  }

  private static void hostNetworkPorts(List<ContainerPort> ports) {
    forEach(ports, p -> {
      if (p.getHostPort() == null || p.getHostPort() == 0) {
        p.setHostPort(p.getContainerPort());
      }
    });
  }

  /** The template part of a workload: pod spec defaults without the pod-only ones. */
  private void defaultTemplate(PodTemplateSpec template) {
    if (template != null && template.getSpec() != null) {
      defaultPodSpec(template.getSpec());
    }
  }

  private void defaultPodSpec(PodSpec spec) {
    if (isEmpty(spec.getDnsPolicy())) {
      spec.setDnsPolicy("ClusterFirst");
    }
    if (isEmpty(spec.getRestartPolicy())) {
      spec.setRestartPolicy("Always");
    }
    if (spec.getSecurityContext() == null) {
      spec.setSecurityContext(new PodSecurityContext());
    }
    if (spec.getTerminationGracePeriodSeconds() == null) {
      spec.setTerminationGracePeriodSeconds(DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
    }
    if (isEmpty(spec.getSchedulerName())) {
      spec.setSchedulerName(DEFAULT_SCHEDULER_NAME);
    }
    forEach(spec.getVolumes(), this::defaultVolume);
    forEach(spec.getInitContainers(), this::defaultContainer);
    forEach(spec.getContainers(), this::defaultContainer);
    forEach(spec.getEphemeralContainers(), this::defaultEphemeralContainer);
    spec.setOverhead(roundUpToMilli(spec.getOverhead()));
    defaultResourceRequirements(spec.getResources());
  }

  private void defaultContainer(Container c) {
    if (isEmpty(c.getImagePullPolicy())) {
      c.setImagePullPolicy(pullPolicyFor(c.getImage()));
    }
    if (isEmpty(c.getTerminationMessagePath())) {
      c.setTerminationMessagePath(TERMINATION_MESSAGE_PATH_DEFAULT);
    }
    if (isEmpty(c.getTerminationMessagePolicy())) {
      c.setTerminationMessagePolicy("File");
    }
    forEach(c.getPorts(), this::defaultContainerPort);
    forEach(c.getEnv(), this::defaultEnvVar);
    defaultResourceRequirements(c.getResources());
    defaultProbe(c.getLivenessProbe());
    defaultProbe(c.getReadinessProbe());
    defaultProbe(c.getStartupProbe());
    defaultLifecycle(c.getLifecycle());
  }

  private void defaultEphemeralContainer(EphemeralContainer c) {
    if (isEmpty(c.getImagePullPolicy())) {
      c.setImagePullPolicy(pullPolicyFor(c.getImage()));
    }
    if (isEmpty(c.getTerminationMessagePath())) {
      c.setTerminationMessagePath(TERMINATION_MESSAGE_PATH_DEFAULT);
    }
    if (isEmpty(c.getTerminationMessagePolicy())) {
      c.setTerminationMessagePolicy("File");
    }
    forEach(c.getPorts(), this::defaultContainerPort);
    forEach(c.getEnv(), this::defaultEnvVar);
    defaultResourceRequirements(c.getResources());
    defaultProbe(c.getLivenessProbe());
    defaultProbe(c.getReadinessProbe());
    defaultProbe(c.getStartupProbe());
    defaultLifecycle(c.getLifecycle());
  }

  private void defaultContainerPort(ContainerPort p) {
    if (isEmpty(p.getProtocol())) {
      p.setProtocol("TCP");
    }
  }

  private void defaultEnvVar(EnvVar env) {
    if (env.getValueFrom() != null) {
      defaultFieldSelector(env.getValueFrom().getFieldRef());
    }
  }

  private static void defaultFieldSelector(ObjectFieldSelector selector) {
    if (selector != null && isEmpty(selector.getApiVersion())) {
      selector.setApiVersion("v1");
    }
  }

  private void defaultResourceRequirements(ResourceRequirements r) {
    if (r != null) {
      r.setLimits(roundUpToMilli(r.getLimits()));
      r.setRequests(roundUpToMilli(r.getRequests()));
    }
  }

  private void defaultProbe(Probe probe) {
    if (probe == null) {
      return;
    }
    if (probe.getTimeoutSeconds() == null || probe.getTimeoutSeconds() == 0) {
      probe.setTimeoutSeconds(1);
    }
    if (probe.getPeriodSeconds() == null || probe.getPeriodSeconds() == 0) {
      probe.setPeriodSeconds(10);
    }
    if (probe.getSuccessThreshold() == null || probe.getSuccessThreshold() == 0) {
      probe.setSuccessThreshold(1);
    }
    if (probe.getFailureThreshold() == null || probe.getFailureThreshold() == 0) {
      probe.setFailureThreshold(3);
    }
    defaultHttpGet(probe.getHttpGet());
    defaultGrpc(probe.getGrpc());
  }

  private void defaultLifecycle(Lifecycle lifecycle) {
    if (lifecycle != null) {
      defaultHandler(lifecycle.getPostStart());
      defaultHandler(lifecycle.getPreStop());
    }
  }

  private void defaultHandler(LifecycleHandler handler) {
    if (handler != null) {
      defaultHttpGet(handler.getHttpGet());
    }
  }

  private static void defaultHttpGet(HTTPGetAction action) {
    if (action == null) {
      return;
    }
    if (isEmpty(action.getPath())) {
      action.setPath("/");
    }
    if (isEmpty(action.getScheme())) {
      action.setScheme("HTTP");
    }
  }

  private static void defaultGrpc(GRPCAction action) {
    if (action != null && action.getService() == null) {
      action.setService("");
    }
  }

  /**
   * Upstream's pull policy default: {@code Always} for the {@code latest} tag (also implied when
   * an image has neither tag nor digest), {@code IfNotPresent} otherwise, including for image
   * names that do not parse.
   */
  static String pullPolicyFor(String image) {
    return "latest".equals(imageTag(image)) ? "Always" : "IfNotPresent";
  }

  /** The tag of an image reference as upstream's {@code parsers.ParseImageName}; "" if it has none or does not parse. */
  static String imageTag(String image) {
    if (image == null || image.isEmpty() || !image.equals(image.strip())) {
      return "";
    }
    String name = image;
    boolean digest = false;
    int at = name.indexOf('@');
    if (at >= 0) {
      digest = true;
      name = name.substring(0, at);
    }
    String tag = "";
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    if (colon > slash) {
      tag = name.substring(colon + 1);
      name = name.substring(0, colon);
    }
    // A repository path with upper case does not parse ("repository name must be lowercase");
    // the registry host (first component with a dot or port, or localhost) may have any case.
    int firstSlash = name.indexOf('/');
    String path = name;
    if (firstSlash > 0) {
      String first = name.substring(0, firstSlash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        path = name.substring(firstSlash + 1);
      }
    }
    if (path.isEmpty() || !path.equals(path.toLowerCase(java.util.Locale.ROOT))) {
      return "";
    }
    if (tag.isEmpty() && !digest) {
      return "latest";
    }
    return tag;
  }

  // ------------------------------------------------------------------ core: volumes

  private void defaultVolume(Volume v) {
    if (hasNoSource(v)) {
      v.setEmptyDir(new io.bosun.api.core.v1.EmptyDirVolumeSource());
    }
    defaultHostPath(v.getHostPath());
    SecretVolumeSource secret = v.getSecret();
    if (secret != null && secret.getDefaultMode() == null) {
      secret.setDefaultMode(DEFAULT_MODE);
    }
    ConfigMapVolumeSource configMap = v.getConfigMap();
    if (configMap != null && configMap.getDefaultMode() == null) {
      configMap.setDefaultMode(DEFAULT_MODE);
    }
    DownwardAPIVolumeSource downward = v.getDownwardAPI();
    if (downward != null) {
      if (downward.getDefaultMode() == null) {
        downward.setDefaultMode(DEFAULT_MODE);
      }
      defaultDownwardFiles(downward.getItems());
    }
    ProjectedVolumeSource projected = v.getProjected();
    if (projected != null) {
      if (projected.getDefaultMode() == null) {
        projected.setDefaultMode(DEFAULT_MODE);
      }
      forEach(projected.getSources(), this::defaultProjection);
    }
    defaultIscsi(v.getIscsi());
    defaultRbd(v.getRbd());
    defaultAzureDisk(v.getAzureDisk());
    defaultScaleIo(v.getScaleIO());
    if (v.getEphemeral() != null && v.getEphemeral().getVolumeClaimTemplate() != null) {
      defaultPvcSpec(v.getEphemeral().getVolumeClaimTemplate().getSpec());
    }
    ImageVolumeSource image = v.getImage();
    if (image != null && isEmpty(image.getPullPolicy())) {
      image.setPullPolicy(pullPolicyFor(image.getReference()));
    }
  }

  private void defaultProjection(VolumeProjection p) {
    if (p.getDownwardAPI() != null) {
      defaultDownwardFiles(p.getDownwardAPI().getItems());
    }
    if (p.getServiceAccountToken() != null && p.getServiceAccountToken().getExpirationSeconds() == null) {
      p.getServiceAccountToken().setExpirationSeconds(3600L);
    }
  }

  private static void defaultDownwardFiles(List<DownwardAPIVolumeFile> files) {
    forEach(files, f -> defaultFieldSelector(f.getFieldRef()));
  }

  private static boolean hasNoSource(Volume v) {
    return v.getHostPath() == null && v.getEmptyDir() == null && v.getGcePersistentDisk() == null
        && v.getAwsElasticBlockStore() == null && v.getGitRepo() == null && v.getSecret() == null
        && v.getNfs() == null && v.getIscsi() == null && v.getGlusterfs() == null
        && v.getPersistentVolumeClaim() == null && v.getRbd() == null && v.getFlexVolume() == null
        && v.getCinder() == null && v.getCephfs() == null && v.getFlocker() == null && v.getDownwardAPI() == null
        && v.getFc() == null && v.getAzureFile() == null && v.getConfigMap() == null && v.getVsphereVolume() == null
        && v.getQuobyte() == null && v.getAzureDisk() == null && v.getPhotonPersistentDisk() == null
        && v.getProjected() == null && v.getPortworxVolume() == null && v.getScaleIO() == null
        && v.getStorageos() == null && v.getCsi() == null && v.getEphemeral() == null && v.getImage() == null;
  }

  private static void defaultHostPath(HostPathVolumeSource hostPath) {
    if (hostPath != null && hostPath.getType() == null) {
      hostPath.setType("");
    }
  }

  private static void defaultIscsi(ISCSIVolumeSource s) {
    if (s != null && isEmpty(s.getIscsiInterface())) {
      s.setIscsiInterface("default");
    }
  }

  private static void defaultIscsi(ISCSIPersistentVolumeSource s) {
    if (s != null && isEmpty(s.getIscsiInterface())) {
      s.setIscsiInterface("default");
    }
  }

  private static void defaultRbd(RBDVolumeSource s) {
    if (s == null) {
      return;
    }
    if (isEmpty(s.getPool())) {
      s.setPool("rbd");
    }
    if (isEmpty(s.getUser())) {
      s.setUser("admin");
    }
    if (isEmpty(s.getKeyring())) {
      s.setKeyring("/etc/ceph/keyring");
    }
  }

  private static void defaultRbd(RBDPersistentVolumeSource s) {
    if (s == null) {
      return;
    }
    if (isEmpty(s.getPool())) {
      s.setPool("rbd");
    }
    if (isEmpty(s.getUser())) {
      s.setUser("admin");
    }
    if (isEmpty(s.getKeyring())) {
      s.setKeyring("/etc/ceph/keyring");
    }
  }

  private static void defaultAzureDisk(AzureDiskVolumeSource s) {
    if (s == null) {
      return;
    }
    if (s.getCachingMode() == null) {
      s.setCachingMode("ReadWrite");
    }
    if (s.getKind() == null) {
      s.setKind("Shared");
    }
    if (s.getFsType() == null) {
      s.setFsType("ext4");
    }
    if (s.getReadOnly() == null) {
      s.setReadOnly(false);
    }
  }

  private static void defaultScaleIo(ScaleIOVolumeSource s) {
    if (s == null) {
      return;
    }
    if (isEmpty(s.getStorageMode())) {
      s.setStorageMode("ThinProvisioned");
    }
    if (isEmpty(s.getFsType())) {
      s.setFsType("xfs");
    }
  }

  private static void defaultScaleIo(ScaleIOPersistentVolumeSource s) {
    if (s == null) {
      return;
    }
    if (isEmpty(s.getStorageMode())) {
      s.setStorageMode("ThinProvisioned");
    }
    if (isEmpty(s.getFsType())) {
      s.setFsType("xfs");
    }
  }

  /**
   * Upstream's {@code SetDefaults_ResourceList}: values finer than a thousandth are rounded up to
   * thousandths. Returns a new map only when something changed.
   */
  static Map<String, Quantity> roundUpToMilli(Map<String, Quantity> list) {
    if (list == null) {
      return null;
    }
    boolean changed = false;
    Map<String, Quantity> out = new LinkedHashMap<>();
    for (var e : list.entrySet()) {
      Quantity q = e.getValue();
      if (q != null && q.value().scale() > 3) {
        q = Quantity.of(q.value().setScale(3, RoundingMode.CEILING), q.format());
        changed = true;
      }
      out.put(e.getKey(), q);
    }
    return changed ? out : list;
  }

  // ------------------------------------------------------------------ core: other kinds

  private void defaultService(Service service) {
    ServiceSpec spec = service.getSpec();
    if (spec == null) {
      spec = new ServiceSpec();
      service.setSpec(spec);
    }
    if (isEmpty(spec.getSessionAffinity())) {
      spec.setSessionAffinity("None");
    }
    if ("None".equals(spec.getSessionAffinity())) {
      spec.setSessionAffinityConfig(null);
    }
    if ("ClientIP".equals(spec.getSessionAffinity())) {
      SessionAffinityConfig config = spec.getSessionAffinityConfig();
      if (config == null || config.getClientIP() == null || config.getClientIP().getTimeoutSeconds() == null) {
        spec.setSessionAffinityConfig(new SessionAffinityConfig()
            .withClientIP(new ClientIPConfig().withTimeoutSeconds(DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS)));
      }
    }
    if (isEmpty(spec.getType())) {
      spec.setType("ClusterIP");
    }
    String type = spec.getType();
    for (ServicePort port : nonNull(spec.getPorts())) {
      if (isEmpty(port.getProtocol())) {
        port.setProtocol("TCP");
      }
      IntOrString target = port.getTargetPort();
      if (target == null || (target.isInt() && target.intValue() == 0) || (!target.isInt() && target.stringValue().isEmpty())) {
        port.setTargetPort(IntOrString.of(port.getPort() == null ? 0 : port.getPort()));
      }
    }
    boolean externallyAccessible = "LoadBalancer".equals(type) || "NodePort".equals(type)
        || ("ClusterIP".equals(type) && spec.getExternalIPs() != null && !spec.getExternalIPs().isEmpty());
    if (externallyAccessible && isEmpty(spec.getExternalTrafficPolicy())) {
      spec.setExternalTrafficPolicy("Cluster");
    }
    if (spec.getInternalTrafficPolicy() == null
        && ("NodePort".equals(type) || "LoadBalancer".equals(type) || "ClusterIP".equals(type))) {
      spec.setInternalTrafficPolicy("Cluster");
    }
    if ("LoadBalancer".equals(type) && spec.getAllocateLoadBalancerNodePorts() == null) {
      spec.setAllocateLoadBalancerNodePorts(true);
    }
    // ipFamilyPolicy is upstream's allocator's default (registry initIPFamilyFields); it is
    // done here because it needs no allocation: headless selector-less services ask for both
    // families, everything else but ExternalName gets one.
    if (spec.getIpFamilyPolicy() == null && !"ExternalName".equals(type)) {
      boolean headless = "None".equals(spec.getClusterIP());
      boolean selectorless = spec.getSelector() == null || spec.getSelector().isEmpty();
      spec.setIpFamilyPolicy(headless && selectorless ? "RequireDualStack" : "SingleStack");
    }
    if ("LoadBalancer".equals(type) && service.getStatus() != null && service.getStatus().getLoadBalancer() != null) {
      for (LoadBalancerIngress ingress : nonNull(service.getStatus().getLoadBalancer().getIngress())) {
        if (!isEmpty(ingress.getIp()) && ingress.getIpMode() == null) {
          ingress.setIpMode("VIP");
        }
      }
    }
  }

  /**
   * Upstream folds {@code stringData} into {@code data} when converting a request to its internal
   * form, so stringData is never stored or returned; done here as this runs at the same point.
   */
  private void defaultSecret(Secret secret) {
    if (secret.getStringData() != null && !secret.getStringData().isEmpty()) {
      Map<String, String> data = secret.getData() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(secret.getData());
      secret.getStringData().forEach((k, v) -> data.put(k, java.util.Base64.getEncoder()
          .encodeToString((v == null ? "" : v).getBytes(java.nio.charset.StandardCharsets.UTF_8))));
      secret.setData(data);
    }
    secret.setStringData(null);
    if (isEmpty(secret.getType())) {
      secret.setType("Opaque");
    }
  }

  private void defaultNamespace(Namespace namespace) {
    ObjectMeta meta = namespace.getMetadata();
    if (meta != null && !isEmpty(meta.getName())) {
      Map<String, String> labels = meta.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(meta.getLabels());
      labels.put(LABEL_METADATA_NAME, meta.getName());
      meta.setLabels(labels);
    }
    NamespaceStatus status = namespace.getStatus();
    if (status == null) {
      status = new NamespaceStatus();
      namespace.setStatus(status);
    }
    if (isEmpty(status.getPhase())) {
      status.setPhase("Active");
    }
  }

  private void defaultNode(Node node) {
    NodeStatus status = node.getStatus();
    if (status == null) {
      return;
    }
    status.setCapacity(roundUpToMilli(status.getCapacity()));
    status.setAllocatable(roundUpToMilli(status.getAllocatable()));
    if (status.getAllocatable() == null && status.getCapacity() != null) {
      status.setAllocatable(new LinkedHashMap<>(status.getCapacity()));
    }
  }

  private void defaultEndpoints(Endpoints endpoints) {
    for (EndpointSubset subset : nonNull(endpoints.getSubsets())) {
      for (EndpointPort port : nonNull(subset.getPorts())) {
        if (isEmpty(port.getProtocol())) {
          port.setProtocol("TCP");
        }
      }
    }
  }

  private void defaultPersistentVolumeClaim(PersistentVolumeClaim pvc) {
    if (pvc.getSpec() != null) {
      defaultPvcSpec(pvc.getSpec());
    }
    PersistentVolumeClaimStatus status = pvc.getStatus();
    if (status == null) {
      status = new PersistentVolumeClaimStatus();
      pvc.setStatus(status);
    }
    if (isEmpty(status.getPhase())) {
      status.setPhase("Pending");
    }
    status.setCapacity(roundUpToMilli(status.getCapacity()));
    status.setAllocatedResources(roundUpToMilli(status.getAllocatedResources()));
  }

  private void defaultPvcSpec(PersistentVolumeClaimSpec spec) {
    if (spec == null) {
      return;
    }
    if (spec.getVolumeMode() == null) {
      spec.setVolumeMode("Filesystem");
    }
    if (spec.getResources() != null) {
      spec.getResources().setLimits(roundUpToMilli(spec.getResources().getLimits()));
      spec.getResources().setRequests(roundUpToMilli(spec.getResources().getRequests()));
    }
  }

  private void defaultPersistentVolume(PersistentVolume pv) {
    PersistentVolumeStatus status = pv.getStatus();
    if (status == null) {
      status = new PersistentVolumeStatus();
      pv.setStatus(status);
    }
    if (isEmpty(status.getPhase())) {
      status.setPhase("Pending");
    }
    PersistentVolumeSpec spec = pv.getSpec();
    if (spec == null) {
      spec = new PersistentVolumeSpec();
      pv.setSpec(spec);
    }
    if (isEmpty(spec.getPersistentVolumeReclaimPolicy())) {
      spec.setPersistentVolumeReclaimPolicy("Retain");
    }
    if (spec.getVolumeMode() == null) {
      spec.setVolumeMode("Filesystem");
    }
    spec.setCapacity(roundUpToMilli(spec.getCapacity()));
    defaultHostPath(spec.getHostPath());
    defaultIscsi(spec.getIscsi());
    defaultRbd(spec.getRbd());
    defaultAzureDisk(spec.getAzureDisk());
    defaultScaleIo(spec.getScaleIO());
  }

  // ------------------------------------------------------------------ apps

  private void defaultDeployment(Deployment deployment) {
    DeploymentSpec spec = deployment.getSpec();
    if (spec == null) {
      spec = new DeploymentSpec();
      deployment.setSpec(spec);
    }
    if (spec.getReplicas() == null) {
      spec.setReplicas(1);
    }
    DeploymentStrategy strategy = spec.getStrategy();
    if (strategy == null) {
      strategy = new DeploymentStrategy();
      spec.setStrategy(strategy);
    }
    if (isEmpty(strategy.getType())) {
      strategy.setType("RollingUpdate");
    }
    if ("RollingUpdate".equals(strategy.getType())) {
      if (strategy.getRollingUpdate() == null) {
        strategy.setRollingUpdate(new RollingUpdateDeployment());
      }
      if (strategy.getRollingUpdate().getMaxUnavailable() == null) {
        strategy.getRollingUpdate().setMaxUnavailable(IntOrString.of("25%"));
      }
      if (strategy.getRollingUpdate().getMaxSurge() == null) {
        strategy.getRollingUpdate().setMaxSurge(IntOrString.of("25%"));
      }
    }
    if (spec.getRevisionHistoryLimit() == null) {
      spec.setRevisionHistoryLimit(10);
    }
    if (spec.getProgressDeadlineSeconds() == null) {
      spec.setProgressDeadlineSeconds(600);
    }
    defaultTemplate(spec.getTemplate());
  }

  private void defaultReplicaSet(ReplicaSet replicaSet) {
    ReplicaSetSpec spec = replicaSet.getSpec();
    if (spec == null) {
      spec = new ReplicaSetSpec();
      replicaSet.setSpec(spec);
    }
    if (spec.getReplicas() == null) {
      spec.setReplicas(1);
    }
    defaultTemplate(spec.getTemplate());
  }

  private void defaultDaemonSet(DaemonSet daemonSet) {
    DaemonSetSpec spec = daemonSet.getSpec();
    if (spec == null) {
      spec = new DaemonSetSpec();
      daemonSet.setSpec(spec);
    }
    DaemonSetUpdateStrategy strategy = spec.getUpdateStrategy();
    if (strategy == null) {
      strategy = new DaemonSetUpdateStrategy();
      spec.setUpdateStrategy(strategy);
    }
    if (isEmpty(strategy.getType())) {
      strategy.setType("RollingUpdate");
    }
    if ("RollingUpdate".equals(strategy.getType())) {
      if (strategy.getRollingUpdate() == null) {
        strategy.setRollingUpdate(new RollingUpdateDaemonSet());
      }
      if (strategy.getRollingUpdate().getMaxUnavailable() == null) {
        strategy.getRollingUpdate().setMaxUnavailable(IntOrString.of(1));
      }
      if (strategy.getRollingUpdate().getMaxSurge() == null) {
        strategy.getRollingUpdate().setMaxSurge(IntOrString.of(0));
      }
    }
    if (spec.getRevisionHistoryLimit() == null) {
      spec.setRevisionHistoryLimit(10);
    }
    defaultTemplate(spec.getTemplate());
  }

  private void defaultStatefulSet(StatefulSet statefulSet) {
    StatefulSetSpec spec = statefulSet.getSpec();
    if (spec == null) {
      spec = new StatefulSetSpec();
      statefulSet.setSpec(spec);
    }
    if (isEmpty(spec.getPodManagementPolicy())) {
      spec.setPodManagementPolicy("OrderedReady");
    }
    StatefulSetUpdateStrategy strategy = spec.getUpdateStrategy();
    if (strategy == null) {
      strategy = new StatefulSetUpdateStrategy();
      spec.setUpdateStrategy(strategy);
    }
    if (isEmpty(strategy.getType())) {
      strategy.setType("RollingUpdate");
      if (strategy.getRollingUpdate() == null) {
        strategy.setRollingUpdate(new RollingUpdateStatefulSetStrategy());
      }
    }
    // As upstream: an explicit RollingUpdate without parameters keeps rollingUpdate unset.
    if ("RollingUpdate".equals(strategy.getType()) && strategy.getRollingUpdate() != null
        && strategy.getRollingUpdate().getPartition() == null) {
      strategy.getRollingUpdate().setPartition(0);
    }
    StatefulSetPersistentVolumeClaimRetentionPolicy retention = spec.getPersistentVolumeClaimRetentionPolicy();
    if (retention == null) {
      retention = new StatefulSetPersistentVolumeClaimRetentionPolicy();
      spec.setPersistentVolumeClaimRetentionPolicy(retention);
    }
    if (isEmpty(retention.getWhenDeleted())) {
      retention.setWhenDeleted("Retain");
    }
    if (isEmpty(retention.getWhenScaled())) {
      retention.setWhenScaled("Retain");
    }
    if (spec.getReplicas() == null) {
      spec.setReplicas(1);
    }
    if (spec.getRevisionHistoryLimit() == null) {
      spec.setRevisionHistoryLimit(10);
    }
    defaultTemplate(spec.getTemplate());
    for (PersistentVolumeClaim claim : nonNull(spec.getVolumeClaimTemplates())) {
      defaultPersistentVolumeClaim(claim);
    }
  }

  // ------------------------------------------------------------------ batch

  private void defaultJob(Job job) {
    JobSpec spec = job.getSpec();
    if (spec == null) {
      spec = new JobSpec();
      job.setSpec(spec);
    }
    if (spec.getCompletions() == null && spec.getParallelism() == null) {
      spec.setCompletions(1);
      spec.setParallelism(1);
    }
    if (spec.getParallelism() == null) {
      spec.setParallelism(1);
    }
    if (spec.getBackoffLimit() == null) {
      spec.setBackoffLimit(spec.getBackoffLimitPerIndex() != null ? Integer.MAX_VALUE : 6);
    }
    // Upstream copies the template's labels to a Job that has none.
    Map<String, String> templateLabels = spec.getTemplate() == null || spec.getTemplate().getMetadata() == null
        ? null : spec.getTemplate().getMetadata().getLabels();
    if (templateLabels != null) {
      if (job.getMetadata() == null) {
        job.setMetadata(new ObjectMeta());
      }
      if (job.getMetadata().getLabels() == null || job.getMetadata().getLabels().isEmpty()) {
        job.getMetadata().setLabels(new LinkedHashMap<>(templateLabels));
      }
    }
    if (spec.getCompletionMode() == null) {
      spec.setCompletionMode("NonIndexed");
    }
    if (spec.getSuspend() == null) {
      spec.setSuspend(false);
    }
    if (spec.getPodFailurePolicy() != null) {
      for (PodFailurePolicyRule rule : nonNull(spec.getPodFailurePolicy().getRules())) {
        for (PodFailurePolicyOnPodConditionsPattern pattern : nonNull(rule.getOnPodConditions())) {
          if (isEmpty(pattern.getStatus())) {
            pattern.setStatus("True");
          }
        }
      }
    }
    if (spec.getPodReplacementPolicy() == null) {
      spec.setPodReplacementPolicy(spec.getPodFailurePolicy() != null ? "Failed" : "TerminatingOrFailed");
    }
    defaultTemplate(spec.getTemplate());
  }

  private void defaultCronJob(CronJob cronJob) {
    CronJobSpec spec = cronJob.getSpec();
    if (spec == null) {
      spec = new CronJobSpec();
      cronJob.setSpec(spec);
    }
    if (isEmpty(spec.getConcurrencyPolicy())) {
      spec.setConcurrencyPolicy("Allow");
    }
    if (spec.getSuspend() == null) {
      spec.setSuspend(false);
    }
    if (spec.getSuccessfulJobsHistoryLimit() == null) {
      spec.setSuccessfulJobsHistoryLimit(3);
    }
    if (spec.getFailedJobsHistoryLimit() == null) {
      spec.setFailedJobsHistoryLimit(1);
    }
    // Upstream defaults only the pod template inside the job template, not the JobSpec itself.
    JobTemplateSpec jobTemplate = spec.getJobTemplate();
    if (jobTemplate != null && jobTemplate.getSpec() != null) {
      defaultTemplate(jobTemplate.getSpec().getTemplate());
    }
  }

  // ------------------------------------------------------------------ discovery

  private void defaultEndpointSlice(EndpointSlice slice) {
    for (EndpointSlicePort port : nonNull(slice.getPorts())) {
      if (port.getName() == null) {
        port.setName("");
      }
      if (port.getProtocol() == null) {
        port.setProtocol("TCP");
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static <T> void forEach(List<T> list, Consumer<T> action) {
    if (list != null) {
      for (T item : new ArrayList<>(list)) {
        if (item != null) {
          action.accept(item);
        }
      }
    }
  }
}
