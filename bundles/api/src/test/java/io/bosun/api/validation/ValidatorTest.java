package io.bosun.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.apps.v1.DaemonSet;
import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.StatefulSet;
import io.bosun.api.batch.v1.CronJob;
import io.bosun.api.batch.v1.Job;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.coordination.v1.Lease;
import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.Endpoints;
import io.bosun.api.core.v1.Event;
import io.bosun.api.core.v1.Namespace;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.PersistentVolumeClaim;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Secret;
import io.bosun.api.core.v1.Service;
import io.bosun.api.defaulting.Defaulter;
import io.bosun.api.discovery.v1.EndpointSlice;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.node.v1.RuntimeClass;
import io.bosun.api.policy.v1.PodDisruptionBudget;
import io.bosun.api.scheduling.v1.PriorityClass;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidatorTest {

  private final ApiCodec codec = new ApiCodec();
  private final Defaulter defaulter = new Defaulter();
  private final Validator validator = new Validator();

  private <T extends KubernetesObject> T read(String json, Class<T> type) {
    T object = codec.read(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8), type);
    defaulter.apply(object);
    return object;
  }

  private static List<String> messages(List<FieldError> errors) {
    return errors.stream().map(FieldError::toString).toList();
  }

  private List<String> create(String json, Class<? extends KubernetesObject> type) {
    return messages(validator.validateCreate(read(json, type)));
  }

  private static final String POD = "{'metadata':{'name':'web','namespace':'default'},'spec':{'containers':"
      + "[{'name':'app','image':'nginx:1.27'}]}}";

  @Test
  void validPodHasNoErrors() {
    assertThat(create(POD, Pod.class)).isEmpty();
  }

  @Test
  void invalidNames() {
    assertThat(create(POD.replace("'web'", "'Web_1'"), Pod.class)).containsExactly(
        "metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
            + "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    assertThat(create("{'metadata':{'name':'my.svc','namespace':'default'},'spec':{'ports':[{'port':80}]}}",
        Service.class)).containsExactly("metadata.name: Invalid value: \"my.svc\": a DNS-1035 label must consist of "
            + "lower case alphanumeric characters or '-', start with an alphabetic character, and end with an "
            + "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
            + "'[a-z]([-a-z0-9]*[a-z0-9])?')");
    assertThat(create("{'metadata':{'name':'a.b'}}", Namespace.class))
        .containsExactly("metadata.name: Invalid value: \"a.b\": must not contain dots");
    assertThat(create("{'metadata':{'namespace':'default'},'spec':{'containers':[{'name':'a','image':'b'}]}}",
        Pod.class)).containsExactly("metadata.name: Required value: name or generateName is required");
    assertThat(create("{'metadata':{'generateName':'web-','namespace':'default'},'spec':{'containers':"
        + "[{'name':'a','image':'b'}]}}", Pod.class)).containsExactly(
            "metadata.name: Required value: name or generateName is required");
    assertThat(validator.validateObjectMetaName("PersistentVolume", "a/b")).extracting(FieldError::toString)
        .containsExactly("metadata.name: Invalid value: \"a/b\": may not contain '/'");
  }

  @Test
  void labelsAndAnnotations() {
    String pod = "{'metadata':{'name':'p','namespace':'d','labels':{'app':'-bad','a/b/c':'x'},"
        + "'annotations':{'big':'" + "x".repeat(262145) + "'}},'spec':{'containers':[{'name':'a','image':'b'}]}}";
    assertThat(create(pod, Pod.class)).containsExactly(
        "metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, "
            + "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
            + "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
            + "subdomain prefix and '/' (e.g. 'example.com/MyName')",
        "metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric "
            + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
            + "'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        "metadata.annotations: Too long: may not be more than 262144 bytes");
  }

  @Test
  void podSpecRules() {
    String pod = """
        {'metadata':{'name':'p','namespace':'d'},'spec':{'restartPolicy':'Sometimes','volumes':[{'name':'data',
          'emptyDir':{},'hostPath':{'path':'/x'}}],
          'containers':[{'name':'app','image':'i','ports':[{'containerPort':70000,'protocol':'HTTP'}],
            'volumeMounts':[{'name':'data','mountPath':'/d'},{'name':'missing','mountPath':'/m'}],
            'resources':{'requests':{'cpu':'2'},'limits':{'cpu':'1'}},
            'livenessProbe':{'exec':{'command':['true']},'httpGet':{'port':80}}},
            {'name':'app','image':''}]}}
        """;
    assertThat(create(pod, Pod.class)).containsExactly(
        "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type",
        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
        "spec.containers[0].volumeMounts[0].name: Not found: \"data\"",
        "spec.containers[0].volumeMounts[1].name: Not found: \"missing\"",
        "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1",
        "spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type",
        "spec.containers[1].image: Required value",
        "spec.containers[1].name: Duplicate value: \"app\"",
        "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"");
  }

  @Test
  void podUpdatesMayOnlyChangeImages() {
    Pod old = read(POD, Pod.class);
    old.getMetadata().setResourceVersion("1");
    Pod changed = old.deepCopy();
    changed.getSpec().getContainers().get(0).setImage("nginx:1.28");
    assertThat(validator.validateUpdate(changed, old)).isEmpty();
    changed.getSpec().setRestartPolicy("Never");
    assertThat(messages(validator.validateUpdate(changed, old))).singleElement().asString()
        .startsWith("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
            + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
            + "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
            + "previously negative)\n")
        .contains("restartPolicy");
    Pod renamed = old.deepCopy();
    renamed.getMetadata().setName("other");
    assertThat(messages(validator.validateUpdate(renamed, old)))
        .containsExactly("metadata.name: Invalid value: \"other\": field is immutable");
    Pod noVersion = old.deepCopy();
    noVersion.getMetadata().setResourceVersion(null);
    assertThat(messages(validator.validateUpdate(noVersion, old)))
        .containsExactly("metadata.resourceVersion: Invalid value: \"\": must be specified for an update");
  }

  private static final String DEPLOYMENT = "{'metadata':{'name':'web','namespace':'d'},'spec':{'selector':"
      + "{'matchLabels':{'app':'web'}},'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':"
      + "[{'name':'app','image':'nginx'}]}}}}";

  @Test
  void workloads() {
    assertThat(create(DEPLOYMENT, Deployment.class)).isEmpty();
    assertThat(create(DEPLOYMENT.replace("{'labels':{'app':'web'}}", "{'labels':{'app':'api'}}"), Deployment.class))
        .containsExactly("spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"api\"}: "
            + "`selector` does not match template `labels`");
    assertThat(create(DEPLOYMENT.replace("'spec':{'selector'", "'spec':{'replicas':-1,'selector'"), Deployment.class))
        .containsExactly("spec.replicas: Invalid value: -1: must be greater than or equal to 0");
    assertThat(create(DEPLOYMENT, ReplicaSet.class)).isEmpty();
    assertThat(create(DEPLOYMENT, DaemonSet.class)).isEmpty();
    assertThat(create(DEPLOYMENT, StatefulSet.class)).isEmpty();

    Deployment old = read(DEPLOYMENT, Deployment.class);
    old.getMetadata().setResourceVersion("5");
    Deployment changed = old.deepCopy();
    changed.getSpec().getSelector().getMatchLabels().put("tier", "x");
    changed.getSpec().getTemplate().getMetadata().getLabels().put("tier", "x");
    assertThat(messages(validator.validateUpdate(changed, old))).containsExactly(
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"x\"}, "
            + "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");

    StatefulSet sts = read(DEPLOYMENT, StatefulSet.class);
    sts.getMetadata().setResourceVersion("1");
    StatefulSet stsChanged = sts.deepCopy().withSpec(sts.getSpec().deepCopy().withServiceName("other"));
    assertThat(messages(validator.validateUpdate(stsChanged, sts))).containsExactly(
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
            + "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
            + "'minReadySeconds' are forbidden");
  }

  @Test
  void jobs() {
    String job = "{'metadata':{'name':'pi','namespace':'d','uid':'u1'},'spec':{'template':{'spec':{'containers':"
        + "[{'name':'pi','image':'perl'}]}}}}";
    Job j = read(job, Job.class);
    defaulter.generateJobSelector(j);
    assertThat(messages(validator.validateCreate(j))).containsExactly(
        "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"");
    Job ok = read(job.replace("'spec':{'containers'", "'spec':{'restartPolicy':'Never','containers'"), Job.class);
    defaulter.generateJobSelector(ok);
    assertThat(validator.validateCreate(ok)).isEmpty();
    ok.getMetadata().setResourceVersion("1");
    Job changed = ok.deepCopy();
    changed.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("perl:5");
    assertThat(messages(validator.validateUpdate(changed, ok)))
        .containsExactly("spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable");
    Job parallel = ok.deepCopy();
    parallel.getSpec().setParallelism(5);
    assertThat(validator.validateUpdate(parallel, ok)).isEmpty();

    String cron = "{'metadata':{'name':'c','namespace':'d'},'spec':{'schedule':'%s','jobTemplate':{'spec':{'template':"
        + "{'spec':{'restartPolicy':'OnFailure','containers':[{'name':'c','image':'busybox'}]}}}}}}";
    assertThat(create(cron.formatted("*/5 * * * *"), CronJob.class)).isEmpty();
    assertThat(create(cron.formatted("@hourly"), CronJob.class)).isEmpty();
    assertThat(create(cron.formatted("* * * *"), CronJob.class)).containsExactly(
        "spec.schedule: Invalid value: \"* * * *\": expected exactly 5 fields, found 4: [* * * *]");
    assertThat(create(cron.formatted("61 * * * *"), CronJob.class)).containsExactly(
        "spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61");
    assertThat(create(cron.formatted("@fortnightly"), CronJob.class)).containsExactly(
        "spec.schedule: Invalid value: \"@fortnightly\": unrecognized descriptor: @fortnightly");
    assertThat(create(cron.formatted("0 0 * * *").replace("'schedule'", "'timeZone':'Mars/Olympus','schedule'"),
        CronJob.class)).containsExactly("spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus");
    assertThat(create(cron.formatted("0 0 * * *").replace("'schedule'", "'timeZone':'Europe/Berlin','schedule'"),
        CronJob.class)).isEmpty();
  }

  @Test
  void services() {
    assertThat(create("{'metadata':{'name':'s','namespace':'d'},'spec':{'selector':{'app':'x'}}}", Service.class))
        .containsExactly("spec.ports: Required value");
    assertThat(create("{'metadata':{'name':'s','namespace':'d'},'spec':{'clusterIP':'None'}}", Service.class)).isEmpty();
    assertThat(create("{'metadata':{'name':'s','namespace':'d'},'spec':{'type':'Magic','ports':[{'port':80}]}}",
        Service.class)).contains("spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", "
            + "\"ExternalName\", \"LoadBalancer\", \"NodePort\"");
    assertThat(create("{'metadata':{'name':'s','namespace':'d'},'spec':{'ports':[{'port':80},{'port':81}]}}",
        Service.class)).containsExactly("spec.ports[0].name: Required value", "spec.ports[1].name: Required value");
    Service old = read("{'metadata':{'name':'s','namespace':'d','resourceVersion':'1'},'spec':{'clusterIP':"
        + "'10.96.0.10','ports':[{'port':53}]}}", Service.class);
    Service changed = old.deepCopy();
    changed.getSpec().setClusterIP("10.96.0.11");
    assertThat(messages(validator.validateUpdate(changed, old))).containsExactly(
        "spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.11\"}: may not change once set");
  }

  @Test
  void configMapsAndSecrets() {
    ConfigMap cm = read("{'metadata':{'name':'c','namespace':'d','resourceVersion':'1'},'immutable':true,"
        + "'data':{'a':'1','bad key':'x'}}", ConfigMap.class);
    assertThat(messages(validator.validateCreate(cm))).containsExactly(
        "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, "
            + "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
            + "'[-._a-zA-Z0-9]+')");
    cm.getData().remove("bad key");
    ConfigMap changed = cm.deepCopy();
    changed.getData().put("a", "2");
    assertThat(messages(validator.validateUpdate(changed, cm)))
        .containsExactly("data: Forbidden: field is immutable when `immutable` is set");

    Secret tls = read("{'metadata':{'name':'t','namespace':'d','resourceVersion':'1'},'type':'kubernetes.io/tls',"
        + "'stringData':{'tls.crt':'x'}}", Secret.class);
    assertThat(tls.getStringData()).isNull();
    assertThat(messages(validator.validateCreate(tls))).containsExactly("data[tls.key]: Required value");
    Secret retyped = tls.deepCopy().withType("Opaque");
    assertThat(messages(validator.validateUpdate(retyped, tls)))
        .contains("type: Invalid value: \"Opaque\": field is immutable");
  }

  @Test
  void otherKinds() {
    assertThat(create("{'metadata':{'name':'n'},'spec':{'taints':[{'key':'k','effect':'Sometimes'}]}}", Node.class))
        .containsExactly("metadata.taints[0].effect: Unsupported value: \"Sometimes\": supported values: "
            + "\"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"");
    assertThat(create("{'metadata':{'name':'e','namespace':'d'},'subsets':[{'addresses':[{'ip':'127.0.0.1'},"
        + "{'ip':'nope'}],'ports':[{'port':80}]}]}", Endpoints.class)).containsExactly(
            "subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be in the loopback range "
                + "(127.0.0.0/8, ::1/128)",
            "subsets[0].addresses[1].ip: Invalid value: \"nope\": must be a valid IP address, (e.g. 10.9.8.7 or "
                + "2001:db8::ffff)",
            "subsets[0].addresses[1].ip: Invalid value: \"nope\": must be a valid IP address");
    assertThat(create("{'metadata':{'name':'e','namespace':'d'},'involvedObject':{'kind':'Pod','name':'p',"
        + "'namespace':'other'}}", Event.class)).containsExactly(
            "involvedObject.namespace: Invalid value: \"other\": does not match event.namespace");
    assertThat(create("{'metadata':{'name':'high'},'value':2000000000}", PriorityClass.class))
        .containsExactly("value: Forbidden: maximum allowed value of a user defined priority is 1000000000");
    assertThat(create("{'metadata':{'name':'system-mine'},'value':1}", PriorityClass.class)).containsExactly(
        "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. "
            + "error: system-mine is not a known system priority class");
    assertThat(create("{'metadata':{'name':'l','namespace':'d'},'spec':{'leaseDurationSeconds':0}}", Lease.class))
        .containsExactly("spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0");
    assertThat(create("{'metadata':{'name':'c','namespace':'d'},'spec':{'accessModes':['ReadWriteOnce'],"
        + "'resources':{'requests':{'storage':'1Gi'}}}}", PersistentVolumeClaim.class)).isEmpty();
    assertThat(create("{'metadata':{'name':'c','namespace':'d'},'spec':{}}", PersistentVolumeClaim.class))
        .containsExactly("spec.accessModes: Required value: at least 1 access mode is required",
            "spec.resources[storage]: Required value");
    assertThat(create("{'metadata':{'name':'p','namespace':'d'},'spec':{'minAvailable':1,'maxUnavailable':1}}",
        PodDisruptionBudget.class)).containsExactly(
            "spec: Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set");
    assertThat(create("{'metadata':{'name':'s','namespace':'d'},'addressType':'IPv4','endpoints':"
        + "[{'addresses':['10.0.0.1']}],'ports':[{'port':80}]}", EndpointSlice.class)).isEmpty();
    assertThat(create("{'metadata':{'name':'r'},'handler':'Run_C'}", RuntimeClass.class)).hasSize(1);
  }

  @Test
  void cronParser() {
    assertThat(CronSchedule.check("0 0 1 jan mon-fri")).isNull();
    assertThat(CronSchedule.check("*/15 0-6,18-23 * * *")).isNull();
    assertThat(CronSchedule.check("@every 1h30m")).isNull();
    assertThat(CronSchedule.check("x * * * *"))
        .isEqualTo("failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax");
    assertThat(CronSchedule.check("* * * * 7")).isEqualTo("end of range (7) above maximum (6): 7");
  }

  @Test
  void ipParsing() {
    assertThat(Ips.parse("10.0.0.1")).hasSize(4);
    assertThat(Ips.parse("2001:db8::ffff")).hasSize(16);
    assertThat(Ips.parse("::1")).hasSize(16);
    assertThat(Ips.parse("::ffff:1.2.3.4")).hasSize(16);
    assertThat(Ips.parse("1:2:3:4:5:6:7:8")).hasSize(16);
    assertThat(Ips.parse("1::")).hasSize(16);
    assertThat(Ips.parse("1:::2")).isNull();
    assertThat(Ips.parse(":1")).isNull();
    assertThat(Ips.parse("1:2:3:4:5:6:7:8:9")).isNull();
    assertThat(Ips.parse("256.0.0.1")).isNull();
    assertThat(Ips.parse("example.com")).isNull();
    assertThat(Ips.isCidr("10.0.0.0/8")).isTrue();
    assertThat(Ips.isCidr("2001:db8::/129")).isFalse();
    assertThat(Ips.isLoopback(Ips.parse("::1"))).isTrue();
    assertThat(Ips.isLinkLocalUnicast(Ips.parse("fe80::1"))).isTrue();
  }
}
