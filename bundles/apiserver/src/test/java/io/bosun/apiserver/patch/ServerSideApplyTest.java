package io.bosun.apiserver.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerSideApplyTest {

  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final Instant T1 = Instant.parse("2024-05-01T11:00:00Z");
  private static final Instant T2 = Instant.parse("2024-05-01T12:00:00Z");
  private static final FieldScope DEPLOYMENTS = FieldScope.of(FixtureTypes.INSTANCE, "Deployment", "",
      FieldSet.ofPaths("status"));

  static JsonNode json(String s) {
    return Json.parse(s.replace('\'', '"'));
  }

  static JsonNode apply(JsonNode live, String config, String manager, boolean force, Instant now)
      throws ConflictException, PatchException {
    return ServerSideApply.apply(live, json(config), manager, force, DEPLOYMENTS, now);
  }

  static JsonNode entry(JsonNode obj, String manager, String operation) {
    for (JsonNode e : obj.path("metadata").path("managedFields")) {
      if (e.path("manager").asText().equals(manager) && e.path("operation").asText().equals(operation)) {
        return e;
      }
    }
    return null;
  }

  static List<String> owned(JsonNode obj, String manager, String operation) {
    JsonNode e = entry(obj, manager, operation);
    return e == null ? List.of() : FieldSet.fromFieldsV1(e.get("fieldsV1")).paths();
  }

  static final String NGINX = """
      {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':'default','labels':{'app':'web','tier':'fe'}},
       'spec':{'replicas':2,'selector':{'matchLabels':{'app':'web'}},
        'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[
          {'name':'nginx','image':'nginx:1.25','ports':[{'containerPort':80}]}]}}}}""";

  @Test
  void createViaApplyOwnsEveryAppliedField() throws Exception {
    JsonNode created = apply(null, NGINX, "mgr", false, T0);

    JsonNode expected = json(NGINX);
    ManagedFields.strip(created.deepCopy());
    assertThat(Json.sameValue(ManagedFields.strip(created.deepCopy()), expected)).isTrue();
    JsonNode mf = created.at("/metadata/managedFields");
    assertThat(mf).hasSize(1);
    assertThat(mf.get(0)).isEqualTo(json("""
        {'manager':'mgr','operation':'Apply','apiVersion':'apps/v1','time':'2024-05-01T10:00:00Z','fieldsType':'FieldsV1',
         'fieldsV1':{'f:metadata':{'f:labels':{'f:app':{},'f:tier':{}}},
          'f:spec':{'f:replicas':{},'f:selector':{},'f:template':{'f:metadata':{'f:labels':{'f:app':{}}},
           'f:spec':{'f:containers':{'k:{\\'name\\':\\'nginx\\'}':{'.':{},'f:image':{},'f:name':{},
            'f:ports':{'k:{\\'containerPort\\':80,\\'protocol\\':\\'TCP\\'}':{'.':{},'f:containerPort':{}}}}}}}}}}"""
        .replace("\\'", "\\\"")));
  }

  @Test
  void reapplyWithoutAFieldRemovesIt() throws Exception {
    JsonNode live = apply(null, NGINX, "mgr", false, T0);
    JsonNode next = apply(live, NGINX.replace(",'tier':'fe'", "").replace("'replicas':2,", ""), "mgr", false, T1);

    assertThat(next.at("/metadata/labels").has("tier")).isFalse();
    assertThat(next.at("/spec").has("replicas")).isFalse();
    assertThat(next.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("nginx:1.25");
    assertThat(owned(next, "mgr", "Apply")).doesNotContain(".spec.replicas", ".metadata.labels.tier");
    assertThat(entry(next, "mgr", "Apply").get("time").asText()).isEqualTo("2024-05-01T11:00:00Z");
  }

  @Test
  void droppedFieldStaysWhenAnotherManagerOwnsIt() throws Exception {
    JsonNode live = apply(null, NGINX, "mgr", false, T0);
    JsonNode scaled = live.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) scaled.get("spec")).put("replicas", 5);
    scaled = ManagedFields.update(live, scaled, "kubectl-scale", DEPLOYMENTS, T1);
    assertThat(owned(scaled, "kubectl-scale", "Update")).containsExactly(".spec.replicas");
    assertThat(owned(scaled, "mgr", "Apply")).doesNotContain(".spec.replicas");

    JsonNode next = apply(scaled, NGINX.replace("'replicas':2,", ""), "mgr", false, T2);
    assertThat(next.at("/spec/replicas").asInt()).isEqualTo(5);
  }

  @Test
  void twoAppliersSettingDifferentValuesConflict() throws Exception {
    JsonNode live = apply(null, NGINX, "a", false, T0);
    ConflictException e = catchThrowableOfType(ConflictException.class,
        () -> apply(live, NGINX.replace("'replicas':2", "'replicas':3"), "b", false, T1));

    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo(409);
    assertThat(e.getMessage()).isEqualTo("Apply failed with 1 conflict: conflict with \"a\": .spec.replicas");
    assertThat(e.conflicts()).containsExactly(new ConflictException.Conflict("a", "Apply", "", "", ".spec.replicas",
        "conflict with \"a\""));
  }

  @Test
  void sameValueIsSharedOwnershipNotAConflict() throws Exception {
    JsonNode live = apply(null, NGINX, "a", false, T0);
    JsonNode next = apply(live, NGINX, "b", false, T1);

    assertThat(owned(next, "a", "Apply")).contains(".spec.replicas");
    assertThat(owned(next, "b", "Apply")).contains(".spec.replicas");
  }

  @Test
  void forceTransfersOwnership() throws Exception {
    JsonNode live = apply(null, NGINX, "a", false, T0);
    JsonNode next = apply(live, NGINX.replace("'replicas':2", "'replicas':3"), "b", true, T1);

    assertThat(next.at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(owned(next, "a", "Apply")).doesNotContain(".spec.replicas").contains(".metadata.labels.app");
    assertThat(owned(next, "b", "Apply")).contains(".spec.replicas");
  }

  @Test
  void clientSideUpdateStealsOwnershipAndThenConflicts() throws Exception {
    JsonNode live = apply(null, NGINX, "a", false, T0);
    JsonNode edited = Json.parse(live.toString().replace("nginx:1.25", "nginx:1.26"));
    edited = ManagedFields.update(live, edited, "kubectl-edit", DEPLOYMENTS, T1);

    assertThat(owned(edited, "kubectl-edit", "Update"))
        .containsExactly(".spec.template.spec.containers[name=\"nginx\"].image");
    assertThat(owned(edited, "a", "Apply")).doesNotContain(".spec.template.spec.containers[name=\"nginx\"].image");

    JsonNode current = edited;
    ConflictException e = catchThrowableOfType(ConflictException.class,
        () -> apply(current, NGINX, "a", false, T2));
    assertThat(e.getMessage()).isEqualTo("Apply failed with 1 conflict: conflict with \"kubectl-edit\" using apps/v1: "
        + ".spec.template.spec.containers[name=\"nginx\"].image");
    assertThat(e.conflicts().get(0).message()).isEqualTo("conflict with \"kubectl-edit\" using apps/v1");
  }

  @Test
  void conflictsWithClientSideApplyUseUpstreamWording() throws Exception {
    JsonNode created = ManagedFields.update(null, json(NGINX), "kubectl-client-side-apply", DEPLOYMENTS, T0);
    ConflictException e = catchThrowableOfType(ConflictException.class,
        () -> apply(created, NGINX.replace("'replicas':2", "'replicas':4"), "my-controller", false, T1));

    assertThat(e.getMessage()).isEqualTo(
        "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas");
  }

  @Test
  void severalConflictsAreGroupedByManager() throws Exception {
    JsonNode live = apply(null, NGINX, "a", false, T0);
    ConflictException e = catchThrowableOfType(ConflictException.class, () -> apply(live,
        NGINX.replace("'replicas':2", "'replicas':3").replace("nginx:1.25", "nginx:2"), "b", false, T1));

    assertThat(e.getMessage()).isEqualTo("Apply failed with 2 conflicts: conflicts with \"a\":\n"
        + "- .spec.replicas\n- .spec.template.spec.containers[name=\"nginx\"].image");
    assertThat(e.conflicts()).extracting(ConflictException.Conflict::field)
        .containsExactly(".spec.replicas", ".spec.template.spec.containers[name=\"nginx\"].image");
  }

  @Test
  void listItemsAreOwnedByKey() throws Exception {
    JsonNode live = apply(null, NGINX, "a", false, T0);
    String sidecar = """
        {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':'default'},
         'spec':{'template':{'spec':{'containers':[{'name':'sidecar','image':'busybox'}]}}}}""";
    JsonNode both = apply(live, sidecar, "b", false, T1);

    assertThat(both.at("/spec/template/spec/containers")).extracting(c -> c.get("name").asText())
        .containsExactly("nginx", "sidecar");
    assertThat(owned(both, "b", "Apply")).containsExactly(
        ".spec.template.spec.containers[name=\"sidecar\"]",
        ".spec.template.spec.containers[name=\"sidecar\"].image",
        ".spec.template.spec.containers[name=\"sidecar\"].name");

    // b stops applying its container: only b owned it, so it goes; a's container stays.
    String nothing = """
        {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':'default','labels':{'team':'b'}}}""";
    JsonNode after = apply(both, nothing, "b", false, T2);
    assertThat(after.at("/spec/template/spec/containers")).extracting(c -> c.get("name").asText())
        .containsExactly("nginx");
    assertThat(owned(after, "b", "Apply")).containsExactly(".metadata.labels.team");
  }

  @Test
  void setsMergeAsUnionsAndShrinkPerApplier() throws Exception {
    String base = "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','finalizers':%s}}";
    JsonNode live = apply(null, base.formatted("['example.com/a']"), "a", false, T0);
    JsonNode both = apply(live, base.formatted("['example.com/b']"), "b", false, T1);
    assertThat(both.at("/metadata/finalizers")).extracting(JsonNode::asText)
        .containsExactly("example.com/a", "example.com/b");
    assertThat(entry(both, "b", "Apply").at("/fieldsV1")).isEqualTo(
        json("{'f:metadata':{'f:finalizers':{'v:\\'example.com/b\\'':{}}}}".replace("\\'", "\\\"")));

    JsonNode after = apply(both, base.formatted("[]"), "a", false, T2);
    assertThat(after.at("/metadata/finalizers")).extracting(JsonNode::asText).containsExactly("example.com/b");
  }

  @Test
  void retainedOrderFollowsUpstreamListMerge() throws Exception {
    String two = """
        {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},
         'spec':{'template':{'spec':{'containers':[{'name':'a','image':'1'},{'name':'b','image':'1'}]}}}}""";
    JsonNode live = apply(null, two, "m", false, T0);
    String reordered = two.replace("{'name':'a','image':'1'},{'name':'b','image':'1'}",
        "{'name':'c','image':'1'},{'name':'b','image':'1'},{'name':'a','image':'1'}");
    JsonNode next = apply(live, reordered, "m", false, T1);
    assertThat(next.at("/spec/template/spec/containers")).extracting(c -> c.get("name").asText())
        .containsExactly("c", "b", "a");
  }

  @Test
  void noOpApplyKeepsManagedFieldsAsTheyWere() throws Exception {
    JsonNode live = apply(null, NGINX, "mgr", false, T0);
    JsonNode again = apply(live, NGINX, "mgr", false, T1);
    assertThat(again).isEqualTo(live);
  }

  @Test
  void statusIsNotOwnedThroughTheMainResource() throws Exception {
    JsonNode live = apply(null, NGINX.replace("'spec':{'replicas'", "'status':{'replicas':1},'spec':{'replicas'"), "mgr",
        false, T0);
    assertThat(owned(live, "mgr", "Apply")).noneMatch(p -> p.startsWith(".status"));
  }

  @Test
  void applyThroughStatusSubresourceOwnsOnlyStatus() throws Exception {
    FieldScope status = FieldScope.of(FixtureTypes.INSTANCE, "Deployment", "status", FieldSet.ofPaths("spec", "metadata"));
    JsonNode live = apply(null, NGINX, "mgr", false, T0);
    JsonNode next = ServerSideApply.apply(live, json("""
        {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},
         'status':{'replicas':2,'conditions':[{'type':'Available','status':'True'}]}}"""), "controller", false, status, T1);

    JsonNode e = entry(next, "controller", "Apply");
    assertThat(e.get("subresource").asText()).isEqualTo("status");
    assertThat(FieldSet.fromFieldsV1(e.get("fieldsV1")).paths()).containsExactly(".status.replicas",
        ".status.conditions[type=\"Available\"]", ".status.conditions[type=\"Available\"].status",
        ".status.conditions[type=\"Available\"].type");
  }

  @Test
  void liveObjectWithoutManagedFieldsIsOwnedByBeforeFirstApply() throws Exception {
    ConflictException e = catchThrowableOfType(ConflictException.class,
        () -> apply(json(NGINX), NGINX.replace("'replicas':2", "'replicas':3"), "mgr", false, T1));
    assertThat(e.getMessage()).isEqualTo(
        "Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas");
  }

  @Test
  void kubectlTakesOverFieldsItAppliedClientSide() throws Exception {
    String lastApplied = Json.compact(json(NGINX));
    JsonNode csa = json(NGINX);
    ((com.fasterxml.jackson.databind.node.ObjectNode) csa.get("metadata")).putObject("annotations")
        .put(ServerSideApply.LAST_APPLIED, lastApplied);
    JsonNode live = ManagedFields.update(null, csa, "kubectl-client-side-apply", DEPLOYMENTS, T0);

    JsonNode next = apply(live, NGINX.replace("'replicas':2", "'replicas':3"), "kubectl", false, T1);
    assertThat(next.at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(owned(next, "kubectl", "Apply")).contains(".spec.replicas");
    assertThat(next.at("/metadata/annotations").get(ServerSideApply.LAST_APPLIED).asText())
        .contains("\"replicas\":3").endsWith("\n");

    // Another manager gets no such allowance.
    catchThrowableOfType(ConflictException.class,
        () -> apply(live, NGINX.replace("'replicas':2", "'replicas':3"), "helm", false, T1));
  }

  @Test
  void configurationWithManagedFieldsIsRejected() {
    PatchException e = catchThrowableOfType(PatchException.class, () -> apply(null,
        "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'x','managedFields':[]}}", "m", false, T0));
    assertThat(e.code()).isEqualTo(400);
    assertThat(e.statusMessage()).isEqualTo("metadata.managedFields must be nil");
  }

  @Test
  void repeatedKeysInTheConfigurationFailLikeUpstream() {
    PatchException e = catchThrowableOfType(PatchException.class, () -> apply(null, NGINX.replace(
        "'ports':[{'containerPort':80}]", "'env':[{'name':'A','value':'1'},{'name':'A','value':'2'}]"), "m", false, T0));
    assertThat(e.code()).isEqualTo(500);
    assertThat(e.getMessage()).isEqualTo("failed to create typed patch object (default/web; apps/v1, Kind=Deployment): "
        + ".spec.template.spec.containers[name=\"nginx\"].env: duplicate entries for key [name=\"A\"]");
  }

  @Test
  void itemWithoutItsKeyFailsLikeUpstream() {
    PatchException e = catchThrowableOfType(PatchException.class, () -> apply(null,
        NGINX.replace("{'name':'nginx',", "{"), "m", false, T0));
    assertThat(e.getMessage()).isEqualTo("failed to create typed patch object (default/web; apps/v1, Kind=Deployment): "
        + ".spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "
        + "\"name\" (and doesn't have default value)");
  }

  @Test
  void nullInTheConfigurationRemovesTheFieldButKeepsOwnership() throws Exception {
    JsonNode live = apply(null, NGINX, "mgr", false, T0);
    JsonNode next = apply(live, NGINX.replace("'replicas':2", "'replicas':null"), "mgr", false, T1);
    assertThat(next.at("/spec").has("replicas")).isFalse();
    assertThat(owned(next, "mgr", "Apply")).contains(".spec.replicas");
  }

  @Test
  void atomicSelectorIsReplacedWhole() throws Exception {
    JsonNode live = apply(null, NGINX, "mgr", false, T0);
    JsonNode next = apply(live, NGINX.replace("'matchLabels':{'app':'web'}", "'matchLabels':{'run':'web'}"), "mgr",
        false, T1);
    assertThat(next.at("/spec/selector")).isEqualTo(json("{'matchLabels':{'run':'web'}}"));
  }

  @Test
  void inputsAreNotModified() throws Exception {
    JsonNode live = apply(null, NGINX, "a", false, T0);
    JsonNode before = live.deepCopy();
    JsonNode config = json(NGINX.replace("'replicas':2", "'replicas':7"));
    JsonNode configBefore = config.deepCopy();
    ServerSideApply.apply(live, config, "b", true, DEPLOYMENTS, T1);
    assertThat(live).isEqualTo(before);
    assertThat(config).isEqualTo(configBefore);
  }
}
