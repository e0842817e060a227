package io.bosun.api.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SchemaTest {

  private final ApiSchema schema = ApiSchema.load();

  private record Expected(String group, String plural, boolean namespaced, List<String> shortNames,
      List<String> categories, List<String> subresources) {}

  private static final Map<String, Expected> KINDS = Map.ofEntries(
      Map.entry("Pod", new Expected("", "pods", true, List.of("po"), List.of("all"),
          List.of("status", "binding", "eviction", "ephemeralcontainers", "log"))),
      Map.entry("Service", new Expected("", "services", true, List.of("svc"), List.of("all"), List.of("status"))),
      Map.entry("Namespace", new Expected("", "namespaces", false, List.of("ns"), List.of(), List.of("status", "finalize"))),
      Map.entry("Node", new Expected("", "nodes", false, List.of("no"), List.of(), List.of("status"))),
      Map.entry("ConfigMap", new Expected("", "configmaps", true, List.of("cm"), List.of(), List.of())),
      Map.entry("Secret", new Expected("", "secrets", true, List.of(), List.of(), List.of())),
      Map.entry("ServiceAccount", new Expected("", "serviceaccounts", true, List.of("sa"), List.of(), List.of())),
      Map.entry("Event", new Expected("", "events", true, List.of("ev"), List.of(), List.of())),
      Map.entry("Endpoints", new Expected("", "endpoints", true, List.of("ep"), List.of(), List.of())),
      Map.entry("PersistentVolumeClaim", new Expected("", "persistentvolumeclaims", true, List.of("pvc"), List.of(),
          List.of("status"))),
      Map.entry("PersistentVolume", new Expected("", "persistentvolumes", false, List.of("pv"), List.of(),
          List.of("status"))),
      Map.entry("Deployment", new Expected("apps", "deployments", true, List.of("deploy"), List.of("all"),
          List.of("status", "scale"))),
      Map.entry("ReplicaSet", new Expected("apps", "replicasets", true, List.of("rs"), List.of("all"),
          List.of("status", "scale"))),
      Map.entry("DaemonSet", new Expected("apps", "daemonsets", true, List.of("ds"), List.of("all"), List.of("status"))),
      Map.entry("StatefulSet", new Expected("apps", "statefulsets", true, List.of("sts"), List.of("all"),
          List.of("status", "scale"))),
      Map.entry("ControllerRevision", new Expected("apps", "controllerrevisions", true, List.of(), List.of(), List.of())),
      Map.entry("Job", new Expected("batch", "jobs", true, List.of(), List.of("all"), List.of("status"))),
      Map.entry("CronJob", new Expected("batch", "cronjobs", true, List.of("cj"), List.of("all"), List.of("status"))),
      Map.entry("Lease", new Expected("coordination.k8s.io", "leases", true, List.of(), List.of(), List.of())),
      Map.entry("PriorityClass", new Expected("scheduling.k8s.io", "priorityclasses", false, List.of("pc"), List.of(),
          List.of())),
      Map.entry("PodDisruptionBudget", new Expected("policy", "poddisruptionbudgets", true, List.of("pdb"), List.of(),
          List.of("status"))),
      Map.entry("EndpointSlice", new Expected("discovery.k8s.io", "endpointslices", true, List.of(), List.of(),
          List.of())),
      Map.entry("RuntimeClass", new Expected("node.k8s.io", "runtimeclasses", false, List.of(), List.of(), List.of())));

  @Test
  void everyKindIsServedAsUpstream() {
    Map<String, KindInfo> kinds = schema.kinds().stream().collect(Collectors.toMap(KindInfo::kind, k -> k));
    assertThat(kinds.keySet()).containsAll(KINDS.keySet());
    KINDS.forEach((kind, e) -> {
      KindInfo k = kinds.get(kind);
      assertThat(k.group()).as(kind).isEqualTo(e.group());
      assertThat(k.version()).as(kind).isEqualTo("v1");
      assertThat(k.plural()).as(kind).isEqualTo(e.plural());
      assertThat(k.namespaced()).as(kind).isEqualTo(e.namespaced());
      assertThat(k.shortNames()).as(kind).isEqualTo(e.shortNames());
      assertThat(k.categories()).as(kind).isEqualTo(e.categories());
      assertThat(k.subresources()).as(kind).containsExactlyInAnyOrderElementsOf(e.subresources());
      TypeSchema type = schema.type(k.typeName());
      assertThat(type.fields().get(0).name()).isEqualTo("apiVersion");
      assertThat(type.fields().get(1).name()).isEqualTo("kind");
      assertThat(schema.type(k.listTypeName()).field("items")).isNotNull();
      assertThat(schema.javaClass(type)).isNotNull();
    });
  }

  @Test
  void nonServedTypesWithTypeMeta() {
    for (String t : List.of("Binding", "Scale", "Eviction")) {
      assertThat(schema.type(t).field("apiVersion")).as(t).isNotNull();
      assertThat(schema.kinds()).noneMatch(k -> k.kind().equals(t));
    }
    assertThat(schema.type("Scale").group()).isEqualTo("autoscaling");
    assertThat(schema.type("Eviction").openapiName()).isEqualTo("io.k8s.api.policy.v1.Eviction");
  }

  @Test
  void patchMetadata() {
    FieldSchema containers = schema.type("PodSpec").field("containers");
    assertThat(containers.patchMergeKey()).isEqualTo("name");
    assertThat(containers.patchStrategy()).isEqualTo("merge");
    assertThat(containers.listType()).isEqualTo("map");
    assertThat(containers.listMapKeys()).containsExactly("name");
    assertThat(containers.required()).isTrue();
    FieldSchema volumes = schema.type("PodSpec").field("volumes");
    assertThat(volumes.patchStrategy()).isEqualTo("merge,retainKeys");
    assertThat(volumes.retainsKeys()).isTrue();
    FieldSchema ports = schema.type("ServiceSpec").field("ports");
    assertThat(ports.patchMergeKey()).isEqualTo("port");
    assertThat(ports.listMapKeys()).containsExactly("port", "protocol");
    assertThat(schema.type("Container").field("ports").listMapKeys()).containsExactly("containerPort", "protocol");
    assertThat(schema.type("Container").field("env").patchMergeKey()).isEqualTo("name");
    assertThat(schema.type("Container").field("volumeMounts").patchMergeKey()).isEqualTo("mountPath");
    assertThat(schema.type("PodSpec").field("tolerations").listType()).isEqualTo("atomic");
    assertThat(schema.type("PodSpec").field("topologySpreadConstraints").listMapKeys())
        .containsExactly("topologyKey", "whenUnsatisfiable");
    assertThat(schema.type("DeploymentSpec").field("strategy").patchStrategy()).isEqualTo("retainKeys");
    assertThat(schema.type("NodeSpec").field("podCIDRs").listType()).isEqualTo("set");
    assertThat(schema.type("PodStatus").field("conditions").patchMergeKey()).isEqualTo("type");
    assertThat(schema.type("JobStatus").field("conditions").listType()).isEqualTo("atomic");
    assertThat(schema.type("ObjectMeta").field("ownerReferences").patchMergeKey()).isEqualTo("uid");
  }

  @Test
  void typesAndDocs() {
    assertThat(schema.type("PodSpec").openapiName()).isEqualTo("io.k8s.api.core.v1.PodSpec");
    assertThat(schema.type("Deployment").openapiName()).isEqualTo("io.k8s.api.apps.v1.Deployment");
    assertThat(schema.type("Lease").openapiName()).isEqualTo("io.k8s.api.coordination.v1.Lease");
    assertThat(schema.type("ServiceSpec").field("type").enumValues())
        .containsExactly("ClusterIP", "NodePort", "LoadBalancer", "ExternalName");
    for (TypeSchema t : schema.types()) {
      assertThat(t.doc()).as(t.name()).isNotBlank();
      t.fields().forEach(f -> assertThat(f.doc()).as(t.name() + "." + f.name()).isNotBlank());
    }
  }
}
