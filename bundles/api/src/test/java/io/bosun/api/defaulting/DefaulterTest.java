package io.bosun.api.defaulting;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.apps.v1.DaemonSet;
import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.StatefulSet;
import io.bosun.api.apps.v1.StatefulSetUpdateStrategy;
import io.bosun.api.batch.v1.CronJob;
import io.bosun.api.batch.v1.Job;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.core.v1.Namespace;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.PersistentVolumeClaim;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Secret;
import io.bosun.api.core.v1.Service;
import io.bosun.api.discovery.v1.EndpointSlice;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.scheduling.v1.PriorityClass;
import io.bosun.api.values.IntOrString;
import io.bosun.api.values.Quantity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DefaulterTest {

  private final ApiCodec codec = new ApiCodec();
  private final Defaulter defaulter = new Defaulter();

  private <T extends KubernetesObject> T read(String json, Class<T> type) {
    T object = codec.read(json.replace('\'', '"').getBytes(java.nio.charset.StandardCharsets.UTF_8), type);
    defaulter.apply(object);
    return object;
  }

  @Test
  void podDefaults() {
    Pod pod = read("""
        {'apiVersion':'v1','kind':'Pod','metadata':{'name':'p'},'spec':{
          'containers':[{'name':'c','image':'nginx',
            'ports':[{'containerPort':80}],
            'env':[{'name':'N','valueFrom':{'fieldRef':{'fieldPath':'metadata.name'}}}],
            'resources':{'limits':{'cpu':'500m','memory':'128Mi'},'requests':{'cpu':'100m'}},
            'livenessProbe':{'httpGet':{'port':8080}},
            'readinessProbe':{'grpc':{'port':9000}},
            'lifecycle':{'preStop':{'httpGet':{'port':'http'}}}}],
          'volumes':[{'name':'a'},{'name':'b','configMap':{'name':'x'}},{'name':'c','secret':{'secretName':'s'}},
            {'name':'d','hostPath':{'path':'/tmp'}},
            {'name':'e','projected':{'sources':[{'serviceAccountToken':{'path':'token'}},
              {'downwardAPI':{'items':[{'path':'labels','fieldRef':{'fieldPath':'metadata.labels'}}]}}]}}]}}
        """, Pod.class);
    var spec = pod.getSpec();
    assertThat(spec.getRestartPolicy()).isEqualTo("Always");
    assertThat(spec.getTerminationGracePeriodSeconds()).isEqualTo(30L);
    assertThat(spec.getDnsPolicy()).isEqualTo("ClusterFirst");
    assertThat(spec.getSchedulerName()).isEqualTo("default-scheduler");
    assertThat(spec.getSecurityContext()).isNotNull();
    assertThat(spec.getEnableServiceLinks()).isTrue();
    var c = spec.getContainers().get(0);
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
    assertThat(c.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
    assertThat(c.getTerminationMessagePolicy()).isEqualTo("File");
    assertThat(c.getPorts().get(0).getProtocol()).isEqualTo("TCP");
    assertThat(c.getEnv().get(0).getValueFrom().getFieldRef().getApiVersion()).isEqualTo("v1");
    assertThat(c.getResources().getRequests()).containsEntry("cpu", Quantity.parse("100m"))
        .containsEntry("memory", Quantity.parse("128Mi"));
    var liveness = c.getLivenessProbe();
    assertThat(liveness.getTimeoutSeconds()).isEqualTo(1);
    assertThat(liveness.getPeriodSeconds()).isEqualTo(10);
    assertThat(liveness.getSuccessThreshold()).isEqualTo(1);
    assertThat(liveness.getFailureThreshold()).isEqualTo(3);
    assertThat(liveness.getHttpGet().getScheme()).isEqualTo("HTTP");
    assertThat(liveness.getHttpGet().getPath()).isEqualTo("/");
    assertThat(c.getReadinessProbe().getGrpc().getService()).isEmpty();
    assertThat(c.getLifecycle().getPreStop().getHttpGet().getScheme()).isEqualTo("HTTP");
    var volumes = spec.getVolumes();
    assertThat(volumes.get(0).getEmptyDir()).isNotNull();
    assertThat(volumes.get(1).getConfigMap().getDefaultMode()).isEqualTo(420);
    assertThat(volumes.get(2).getSecret().getDefaultMode()).isEqualTo(420);
    assertThat(volumes.get(3).getHostPath().getType()).isEmpty();
    var projected = volumes.get(4).getProjected();
    assertThat(projected.getDefaultMode()).isEqualTo(420);
    assertThat(projected.getSources().get(0).getServiceAccountToken().getExpirationSeconds()).isEqualTo(3600L);
    assertThat(projected.getSources().get(1).getDownwardAPI().getItems().get(0).getFieldRef().getApiVersion())
        .isEqualTo("v1");
    // Upstream leaves priority to admission and tolerations alone.
    assertThat(spec.getPriority()).isNull();
    assertThat(spec.getTolerations()).isNull();
  }

  @ParameterizedTest
  @CsvSource({"nginx, Always", "nginx:latest, Always", "nginx:1.27, IfNotPresent",
      "registry.example.com:5000/team/app, Always", "registry.example.com:5000/team/app:v2, IfNotPresent",
      "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, IfNotPresent",
      "nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef, Always",
      "localhost/app, Always", "Invalid/Upper, IfNotPresent", "'', IfNotPresent"})
  void imagePullPolicyFollowsTheTag(String image, String expected) {
    assertThat(Defaulter.pullPolicyFor(image)).isEqualTo(expected);
  }

  @Test
  void hostNetworkPodsGetHostPorts() {
    Pod pod = read("{'spec':{'hostNetwork':true,'containers':[{'name':'c','image':'i:1','ports':[{'containerPort':53}]}]}}",
        Pod.class);
    assertThat(pod.getSpec().getContainers().get(0).getPorts().get(0).getHostPort()).isEqualTo(53);
  }

  @Test
  void resourceQuantitiesAreRoundedUpToMilli() {
    Pod pod = read("{'spec':{'containers':[{'name':'c','image':'i:1','resources':{'requests':{'cpu':'0.0001'}}}]}}",
        Pod.class);
    assertThat(pod.getSpec().getContainers().get(0).getResources().getRequests().get("cpu").toString()).isEqualTo("1m");
  }

  @Test
  void templatesDoNotGetPodOnlyDefaults() {
    Deployment d = read("""
        {'spec':{'selector':{'matchLabels':{'a':'b'}},'template':{'metadata':{'labels':{'a':'b'}},
          'spec':{'containers':[{'name':'c','image':'nginx:1','resources':{'limits':{'cpu':'1'}}}]}}}}
        """, Deployment.class);
    var spec = d.getSpec();
    assertThat(spec.getReplicas()).isEqualTo(1);
    assertThat(spec.getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(spec.getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(IntOrString.of("25%"));
    assertThat(spec.getStrategy().getRollingUpdate().getMaxSurge()).isEqualTo(IntOrString.of("25%"));
    assertThat(spec.getRevisionHistoryLimit()).isEqualTo(10);
    assertThat(spec.getProgressDeadlineSeconds()).isEqualTo(600);
    var podSpec = spec.getTemplate().getSpec();
    assertThat(podSpec.getRestartPolicy()).isEqualTo("Always");
    assertThat(podSpec.getContainers().get(0).getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(podSpec.getEnableServiceLinks()).isNull();
    assertThat(podSpec.getContainers().get(0).getResources().getRequests()).isNull();
  }

  @Test
  void recreateDeploymentHasNoRollingUpdate() {
    Deployment d = read("{'spec':{'strategy':{'type':'Recreate'}}}", Deployment.class);
    assertThat(d.getSpec().getStrategy().getRollingUpdate()).isNull();
  }

  @Test
  void replicaSetDaemonSetStatefulSet() {
    assertThat(read("{'spec':{}}", ReplicaSet.class).getSpec().getReplicas()).isEqualTo(1);
    DaemonSet ds = read("{'spec':{}}", DaemonSet.class);
    assertThat(ds.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(IntOrString.of(1));
    assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxSurge()).isEqualTo(IntOrString.of(0));
    assertThat(ds.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
    StatefulSet sts = read("{'spec':{'volumeClaimTemplates':[{'metadata':{'name':'data'},'spec':{}}]}}",
        StatefulSet.class);
    assertThat(sts.getSpec().getReplicas()).isEqualTo(1);
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("OrderedReady");
    StatefulSetUpdateStrategy strategy = sts.getSpec().getUpdateStrategy();
    assertThat(strategy.getType()).isEqualTo("RollingUpdate");
    assertThat(strategy.getRollingUpdate().getPartition()).isZero();
    assertThat(sts.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Retain");
    assertThat(sts.getSpec().getMinReadySeconds()).isNull();
    assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getVolumeMode()).isEqualTo("Filesystem");
  }

  @Test
  void serviceDefaults() {
    Service svc = read("{'spec':{'selector':{'app':'x'},'ports':[{'port':80},{'port':443,'targetPort':'https'}]}}",
        Service.class);
    var spec = svc.getSpec();
    assertThat(spec.getType()).isEqualTo("ClusterIP");
    assertThat(spec.getSessionAffinity()).isEqualTo("None");
    assertThat(spec.getPorts().get(0).getProtocol()).isEqualTo("TCP");
    assertThat(spec.getPorts().get(0).getTargetPort()).isEqualTo(IntOrString.of(80));
    assertThat(spec.getPorts().get(1).getTargetPort()).isEqualTo(IntOrString.of("https"));
    assertThat(spec.getInternalTrafficPolicy()).isEqualTo("Cluster");
    assertThat(spec.getExternalTrafficPolicy()).isNull();
    assertThat(spec.getIpFamilyPolicy()).isEqualTo("SingleStack");
    assertThat(spec.getClusterIP()).isNull();

    Service lb = read("{'spec':{'type':'LoadBalancer','sessionAffinity':'ClientIP','ports':[{'port':80}]},"
        + "'status':{'loadBalancer':{'ingress':[{'ip':'192.0.2.1'}]}}}", Service.class);
    assertThat(lb.getSpec().getExternalTrafficPolicy()).isEqualTo("Cluster");
    assertThat(lb.getSpec().getAllocateLoadBalancerNodePorts()).isTrue();
    assertThat(lb.getSpec().getSessionAffinityConfig().getClientIP().getTimeoutSeconds()).isEqualTo(10800);
    assertThat(lb.getStatus().getLoadBalancer().getIngress().get(0).getIpMode()).isEqualTo("VIP");

    Service external = read("{'spec':{'type':'ExternalName','externalName':'example.com'}}", Service.class);
    assertThat(external.getSpec().getInternalTrafficPolicy()).isNull();
    assertThat(external.getSpec().getIpFamilyPolicy()).isNull();
  }

  @Test
  void jobAndCronJob() {
    Job job = read("{'spec':{'template':{'metadata':{'labels':{'app':'x'}},'spec':{'containers':[{'name':'c','image':'busybox'}]}}}}",
        Job.class);
    var spec = job.getSpec();
    assertThat(spec.getParallelism()).isEqualTo(1);
    assertThat(spec.getCompletions()).isEqualTo(1);
    assertThat(spec.getBackoffLimit()).isEqualTo(6);
    assertThat(spec.getCompletionMode()).isEqualTo("NonIndexed");
    assertThat(spec.getSuspend()).isFalse();
    assertThat(spec.getPodReplacementPolicy()).isEqualTo("TerminatingOrFailed");
    assertThat(spec.getManualSelector()).isNull();
    assertThat(job.getMetadata().getLabels()).containsEntry("app", "x");
    // restartPolicy is defaulted like any pod template; validation then rejects Always for jobs.
    assertThat(spec.getTemplate().getSpec().getRestartPolicy()).isEqualTo("Always");

    Job parallel = read("{'spec':{'parallelism':3}}", Job.class);
    assertThat(parallel.getSpec().getCompletions()).isNull();
    Job perIndex = read("{'spec':{'completions':2,'backoffLimitPerIndex':1,'podFailurePolicy':{'rules':"
        + "[{'action':'Ignore','onPodConditions':[{'type':'DisruptionTarget'}]}]}}}", Job.class);
    assertThat(perIndex.getSpec().getParallelism()).isEqualTo(1);
    assertThat(perIndex.getSpec().getBackoffLimit()).isEqualTo(Integer.MAX_VALUE);
    assertThat(perIndex.getSpec().getPodReplacementPolicy()).isEqualTo("Failed");
    assertThat(perIndex.getSpec().getPodFailurePolicy().getRules().get(0).getOnPodConditions().get(0).getStatus())
        .isEqualTo("True");

    CronJob cj = read("{'spec':{'schedule':'* * * * *','jobTemplate':{'spec':{'template':{'spec':"
        + "{'containers':[{'name':'c','image':'busybox'}]}}}}}}", CronJob.class);
    assertThat(cj.getSpec().getConcurrencyPolicy()).isEqualTo("Allow");
    assertThat(cj.getSpec().getSuspend()).isFalse();
    assertThat(cj.getSpec().getSuccessfulJobsHistoryLimit()).isEqualTo(3);
    assertThat(cj.getSpec().getFailedJobsHistoryLimit()).isEqualTo(1);
    assertThat(cj.getSpec().getJobTemplate().getSpec().getBackoffLimit()).isNull();
    assertThat(cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getDnsPolicy()).isEqualTo("ClusterFirst");
  }

  @Test
  void generatedJobSelector() {
    Job job = read("{'metadata':{'name':'pi','uid':'1234'},'spec':{'template':{'spec':{}}}}", Job.class);
    defaulter.generateJobSelector(job);
    assertThat(job.getSpec().getSelector().getMatchLabels()).containsEntry("batch.kubernetes.io/controller-uid", "1234");
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("batch.kubernetes.io/controller-uid", "1234").containsEntry("controller-uid", "1234")
        .containsEntry("job-name", "pi").containsEntry("batch.kubernetes.io/job-name", "pi");
  }

  @Test
  void otherKinds() {
    Namespace ns = read("{'metadata':{'name':'team-a'}}", Namespace.class);
    assertThat(ns.getStatus().getPhase()).isEqualTo("Active");
    assertThat(ns.getMetadata().getLabels()).containsEntry("kubernetes.io/metadata.name", "team-a");
    assertThat(read("{}", Secret.class).getType()).isEqualTo("Opaque");
    assertThat(read("{'type':'kubernetes.io/tls'}", Secret.class).getType()).isEqualTo("kubernetes.io/tls");
    PersistentVolumeClaim pvc = read("{'spec':{'accessModes':['ReadWriteOnce']}}", PersistentVolumeClaim.class);
    assertThat(pvc.getSpec().getVolumeMode()).isEqualTo("Filesystem");
    assertThat(pvc.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(read("{'value':1000}", PriorityClass.class).getPreemptionPolicy()).isEqualTo("PreemptLowerPriority");
    EndpointSlice slice = read("{'addressType':'IPv4','endpoints':[],'ports':[{'port':80}]}", EndpointSlice.class);
    assertThat(slice.getPorts().get(0).getProtocol()).isEqualTo("TCP");
    assertThat(slice.getPorts().get(0).getName()).isEmpty();
    Node node = read("{'status':{'capacity':{'cpu':'4','memory':'8Gi'}}}", Node.class);
    assertThat(node.getStatus().getAllocatable()).isEqualTo(node.getStatus().getCapacity());
  }

  @Test
  void defaultingIsIdempotent() {
    Pod pod = read("{'spec':{'containers':[{'name':'c','image':'nginx','resources':{'limits':{'cpu':'1'}}}]}}", Pod.class);
    Pod again = pod.deepCopy();
    defaulter.apply(again);
    assertThat(again).isEqualTo(pod);
  }
}
