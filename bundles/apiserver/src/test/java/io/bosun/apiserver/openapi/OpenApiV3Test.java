package io.bosun.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.KindInfo;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenApiV3Test {

  private static final ApiSchema SCHEMA = ApiSchema.load();
  private static final OpenApiV3 OPENAPI = new OpenApiV3(SCHEMA);

  private static ObjectNode doc(String path) {
    return OPENAPI.document(path).orElseThrow(() -> new AssertionError("no document " + path));
  }

  private static JsonNode schema(ObjectNode doc, String name) {
    JsonNode s = doc.at("/components/schemas").get(name);
    assertThat(s).as(name).isNotNull();
    return s;
  }

  @Test
  void indexListsEveryServedGroupVersionWithContentHash() throws Exception {
    JsonNode paths = OPENAPI.index().get("paths");
    Set<String> listed = new HashSet<>();
    paths.fieldNames().forEachRemaining(listed::add);
    assertThat(listed).contains("api", "api/v1", "apis", "apis/apps", "apis/apps/v1", "apis/batch/v1",
        "apis/coordination.k8s.io/v1");
    assertThat(listed).isEqualTo(OPENAPI.documentPaths());
    for (String path : listed) {
      String url = paths.get(path).get("serverRelativeURL").asText();
      byte[] bytes = OPENAPI.documentJson(path).orElseThrow();
      String sha = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
      assertThat(url).isEqualTo("/openapi/v3/" + path + "?hash=" + sha);
      assertThat(OPENAPI.hash(path)).contains(sha);
    }
    assertThat(OPENAPI.document("apis/nope/v1")).isEmpty();
    // Stable across instances: clients cache documents by hash.
    assertThat(new OpenApiV3(SCHEMA).indexJson()).isEqualTo(OPENAPI.indexJson());
  }

  @Test
  void groupVersionDocumentHasUpstreamShape() {
    ObjectNode apps = doc("apis/apps/v1");
    assertThat(apps.get("openapi").asText()).isEqualTo("3.0.0");
    assertThat(apps.at("/info/title").asText()).isEqualTo("Kubernetes");
    assertThat(apps.at("/paths").has("/apis/apps/v1/")).isTrue();
    assertThat(apps.at("/paths/~1apis~1apps~1v1~1deployments/get/operationId").asText())
        .isEqualTo("listAppsV1DeploymentForAllNamespaces");
    JsonNode collection = apps.at("/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1deployments");
    assertThat(collection.at("/post/operationId").asText()).isEqualTo("createAppsV1NamespacedDeployment");
    assertThat(collection.at("/post/x-kubernetes-action").asText()).isEqualTo("post");
    assertThat(collection.at("/delete/x-kubernetes-action").asText()).isEqualTo("deletecollection");
    assertThat(collection.at("/get/responses/200/content/application~1json/schema/$ref").asText())
        .isEqualTo("#/components/schemas/io.k8s.api.apps.v1.DeploymentList");
    assertThat(paramNames(collection.get("parameters"))).containsExactly("namespace", "pretty");
    assertThat(paramNames(collection.at("/post/parameters")))
        .containsExactly("dryRun", "fieldManager", "fieldValidation");

    JsonNode item = apps.at("/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1deployments~1{name}");
    JsonNode patch = item.get("patch");
    assertThat(patch.get("operationId").asText()).isEqualTo("patchAppsV1NamespacedDeployment");
    assertThat(patch.get("x-kubernetes-action").asText()).isEqualTo("patch");
    assertThat(patch.get("x-kubernetes-group-version-kind").toString())
        .isEqualTo("{\"group\":\"apps\",\"kind\":\"Deployment\",\"version\":\"v1\"}");
    assertThat(paramNames(patch.get("parameters")))
        .containsExactly("dryRun", "fieldManager", "fieldValidation", "force");
    assertThat(patch.at("/parameters/2/in").asText()).isEqualTo("query");
    List<String> patchTypes = new ArrayList<>();
    patch.at("/requestBody/content").fieldNames().forEachRemaining(patchTypes::add);
    assertThat(patchTypes).containsExactly("application/apply-patch+yaml", "application/json-patch+json",
        "application/merge-patch+json", "application/strategic-merge-patch+json");
    assertThat(item.at("/put/operationId").asText()).isEqualTo("replaceAppsV1NamespacedDeployment");
    assertThat(item.at("/get/description").asText()).isEqualTo("read the specified Deployment");
    assertThat(item.at("/delete/description").asText()).isEqualTo("delete a Deployment");
    assertThat(paramNames(item.at("/delete/parameters"))).containsExactly("dryRun", "gracePeriodSeconds",
        "ignoreStoreReadErrorWithClusterBreakingPotential", "orphanDependents", "propagationPolicy");
    assertThat(paramNames(item.get("parameters"))).containsExactly("name", "namespace", "pretty");

    JsonNode status = apps.at("/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1deployments~1{name}~1status");
    assertThat(status.at("/patch/operationId").asText()).isEqualTo("patchAppsV1NamespacedDeploymentStatus");
    JsonNode scale = apps.at("/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1deployments~1{name}~1scale");
    assertThat(scale.at("/patch/x-kubernetes-group-version-kind/kind").asText()).isEqualTo("Scale");
    assertThat(scale.at("/get/responses/200/content/application~1json/schema/$ref").asText())
        .isEqualTo("#/components/schemas/io.k8s.api.autoscaling.v1.Scale");
    assertThat(apps.at("/paths/~1apis~1apps~1v1~1watch~1namespaces~1{namespace}~1deployments~1{name}/get"
        + "/x-kubernetes-action").asText()).isEqualTo("watch");

    JsonNode deployment = schema(apps, "io.k8s.api.apps.v1.Deployment");
    assertThat(deployment.get("x-kubernetes-group-version-kind").toString())
        .isEqualTo("[{\"group\":\"apps\",\"kind\":\"Deployment\",\"version\":\"v1\"}]");
    assertThat(deployment.at("/properties/metadata/allOf/0/$ref").asText())
        .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assertThat(deployment.at("/properties/metadata/default").isObject()).isTrue();
    assertThat(deployment.at("/properties/apiVersion/type").asText()).isEqualTo("string");
  }

  @Test
  void podSpecCarriesPatchAndListMetadata() {
    ObjectNode core = doc("api/v1");
    JsonNode containers = schema(core, "io.k8s.api.core.v1.PodSpec").at("/properties/containers");
    assertThat(containers.get("type").asText()).isEqualTo("array");
    assertThat(containers.get("x-kubernetes-patch-merge-key").asText()).isEqualTo("name");
    assertThat(containers.get("x-kubernetes-patch-strategy").asText()).isEqualTo("merge");
    assertThat(containers.at("/items/allOf/0/$ref").asText())
        .isEqualTo("#/components/schemas/io.k8s.api.core.v1.Container");
    assertThat(containers.at("/items/default").isObject()).isTrue();
    assertThat(schema(core, "io.k8s.api.core.v1.PodSpec").get("required").toString()).contains("\"containers\"");
    assertThat(schema(core, "io.k8s.api.core.v1.Container").at("/properties/name/type").asText())
        .isEqualTo("string");
    JsonNode ownerRefs = schema(core, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").at("/properties/ownerReferences");
    assertThat(ownerRefs.get("x-kubernetes-list-type").asText()).isEqualTo("map");
    assertThat(ownerRefs.get("x-kubernetes-list-map-keys").toString()).isEqualTo("[\"uid\"]");
    assertThat(schema(core, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").at("/properties/labels"
        + "/additionalProperties/type").asText()).isEqualTo("string");
    assertThat(schema(core, "io.k8s.apimachinery.pkg.apis.meta.v1.Time").get("format").asText())
        .isEqualTo("date-time");
    assertThat(schema(core, "io.k8s.apimachinery.pkg.api.resource.Quantity").get("oneOf").toString())
        .isEqualTo("[{\"type\":\"string\"},{\"type\":\"number\"}]");
    assertThat(schema(core, "io.k8s.apimachinery.pkg.util.intstr.IntOrString").get("format").asText())
        .isEqualTo("int-or-string");
    JsonNode deleteOptions = schema(core, "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
    assertThat(deleteOptions.get("x-kubernetes-group-version-kind").toString())
        .contains("{\"group\":\"\",\"kind\":\"DeleteOptions\",\"version\":\"v1\"}")
        .contains("{\"group\":\"apps\",\"kind\":\"DeleteOptions\",\"version\":\"v1\"}");
    assertThat(core.at("/paths/~1api~1v1~1namespaces~1{namespace}~1pods~1{name}/delete/responses/200/content"
        + "/application~1json/schema/$ref").asText()).isEqualTo("#/components/schemas/io.k8s.api.core.v1.Pod");
    assertThat(core.at("/paths/~1api~1v1~1namespaces~1{name}/delete/operationId").asText())
        .isEqualTo("deleteCoreV1Namespace");
    assertThat(core.at("/paths/~1api~1v1~1namespaces~1{namespace}~1endpoints/post/description").asText())
        .isEqualTo("create Endpoints");
    assertThat(core.at("/paths/~1api~1v1~1namespaces~1{namespace}~1events/post/description").asText())
        .isEqualTo("create an Event");
  }

  @Test
  void everyRefResolvesWithinItsDocument() {
    for (String path : OPENAPI.documentPaths()) {
      ObjectNode doc = doc(path);
      Set<String> refs = new HashSet<>();
      collectRefs(doc, refs);
      assertThat(refs).as(path).isNotEmpty();
      for (String ref : refs) {
        assertThat(ref).as(path).startsWith("#/components/schemas/");
        assertThat(doc.at("/components/schemas").has(ref.substring("#/components/schemas/".length())))
            .as(path + " " + ref).isTrue();
      }
    }
  }

  /** kubectl's QueryParamVerifierV3: each kind's PATCH operations must offer fieldValidation. */
  @Test
  void everyServedKindSupportsFieldValidationAsKubectlChecksIt() {
    for (KindInfo k : SCHEMA.kinds()) {
      String path = k.group().isEmpty() ? "api/" + k.version() : "apis/" + k.group() + "/" + k.version();
      ObjectNode doc = doc(path);
      int patchOps = 0;
      for (Map.Entry<String, JsonNode> e : iterable(doc.get("paths"))) {
        JsonNode patch = e.getValue().get("patch");
        JsonNode gvk = patch == null ? null : patch.get("x-kubernetes-group-version-kind");
        if (gvk == null || !gvk.get("kind").asText().equals(k.kind()) || !gvk.get("group").asText().equals(k.group())) {
          continue;
        }
        patchOps++;
        assertThat(paramNames(patch.get("parameters"))).as(e.getKey()).contains("fieldValidation");
      }
      assertThat(patchOps).as(k.kind()).isPositive();
      JsonNode type = schema(doc, SCHEMA.type(k.typeName()).openapiName());
      assertThat(type.get("x-kubernetes-group-version-kind").get(0).get("kind").asText()).isEqualTo(k.kind());
    }
  }

  /**
   * kubectl's client-side apply computes strategic merge patches from these schemas
   * (PatchMetaFromOpenAPIV3): it follows properties, items, allOf[0] and $ref.
   */
  @Test
  void strategicMergeMetadataIsReachableTheWayKubectlWalksIt() {
    ObjectNode apps = doc("apis/apps/v1");
    JsonNode schemas = apps.at("/components/schemas");
    JsonNode s = schemas.get("io.k8s.api.apps.v1.Deployment");
    for (String key : List.of("spec", "template", "spec")) {
      s = resolve(schemas, s.at("/properties").get(key));
    }
    JsonNode containers = s.at("/properties/containers");
    assertThat(containers.get("x-kubernetes-patch-merge-key").asText()).isEqualTo("name");
    JsonNode container = resolve(schemas, containers.get("items"));
    assertThat(container.at("/properties/ports/x-kubernetes-patch-merge-key").asText()).isEqualTo("containerPort");
    assertThat(container.at("/properties/env/x-kubernetes-patch-merge-key").asText()).isEqualTo("name");
  }

  private static JsonNode resolve(JsonNode schemas, JsonNode s) {
    if (s.has("allOf")) {
      s = s.get("allOf").get(0);
    }
    if (s.has("$ref")) {
      s = schemas.get(s.get("$ref").asText().substring("#/components/schemas/".length()));
    }
    assertThat(s).isNotNull();
    return s;
  }

  @Test
  void onlyServedKindsArePublished() {
    List<KindInfo> served = SCHEMA.kinds().stream()
        .filter(k -> k.group().isEmpty() && (k.kind().equals("Pod") || k.kind().equals("Namespace"))).toList();
    OpenApiV3 small = new OpenApiV3(SCHEMA, served);
    assertThat(small.documentPaths()).containsExactlyInAnyOrder("api", "api/v1");
    ObjectNode core = small.document("api/v1").orElseThrow();
    assertThat(core.at("/components/schemas").has("io.k8s.api.core.v1.Pod")).isTrue();
    assertThat(core.at("/components/schemas").has("io.k8s.api.core.v1.Service")).isFalse();
    assertThat(core.at("/paths").has("/api/v1/namespaces/{namespace}/configmaps")).isFalse();
    assertThat(core.at("/paths").has("/api/v1/namespaces/{name}/finalize")).isTrue();
    assertThat(core.at("/paths").has("/api/v1/namespaces/{namespace}/pods/{name}/eviction")).isTrue();
  }

  @Test
  void documentsAreCopies() {
    ObjectNode a = doc("api/v1");
    a.removeAll();
    assertThat(doc("api/v1").has("paths")).isTrue();
  }

  private static List<String> paramNames(JsonNode params) {
    List<String> out = new ArrayList<>();
    params.forEach(p -> out.add(p.get("name").asText()));
    return out;
  }

  private static void collectRefs(JsonNode n, Set<String> out) {
    if (n.isObject()) {
      for (Map.Entry<String, JsonNode> e : iterable(n)) {
        if (e.getKey().equals("$ref")) {
          out.add(e.getValue().asText());
        } else {
          collectRefs(e.getValue(), out);
        }
      }
    } else if (n.isArray()) {
      n.forEach(c -> collectRefs(c, out));
    }
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode n) {
    return n::fields;
  }
}
