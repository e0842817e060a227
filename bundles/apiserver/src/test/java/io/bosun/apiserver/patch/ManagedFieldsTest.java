package io.bosun.apiserver.patch;

import static io.bosun.apiserver.patch.ServerSideApplyTest.entry;
import static io.bosun.apiserver.patch.ServerSideApplyTest.json;
import static io.bosun.apiserver.patch.ServerSideApplyTest.owned;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ManagedFieldsTest {

  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final Instant T1 = Instant.parse("2024-05-01T11:00:00Z");
  private static final FieldScope MAIN = FieldScope.of(FixtureTypes.INSTANCE, "Deployment", "",
      FieldSet.ofPaths("status"));
  private static final String WEB = """
      {'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':'default','uid':'u1',
        'resourceVersion':'1','labels':{'app':'web'}},
       'spec':{'replicas':1,'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:1.25'}]}}},
       'status':{'replicas':1}}""";

  private static JsonNode created() {
    return ManagedFields.update(null, json(WEB), "kubectl-create", MAIN, T0);
  }

  private static JsonNode edit(JsonNode obj, String from, String to) {
    return Json.parse(obj.toString().replace(from, to));
  }

  @Test
  void createOwnsEverythingSetButMetadataIdentityAndStatus() {
    JsonNode obj = created();
    JsonNode e = entry(obj, "kubectl-create", "Update");
    assertThat(e.get("apiVersion").asText()).isEqualTo("apps/v1");
    assertThat(e.get("time").asText()).isEqualTo("2024-05-01T10:00:00Z");
    assertThat(e.get("fieldsType").asText()).isEqualTo("FieldsV1");
    assertThat(e.has("subresource")).isFalse();
    assertThat(owned(obj, "kubectl-create", "Update")).containsExactly(".metadata.labels",
        ".metadata.labels.app", ".spec.replicas", ".spec.template.spec.containers",
        ".spec.template.spec.containers[name=\"nginx\"]",
        ".spec.template.spec.containers[name=\"nginx\"].image",
        ".spec.template.spec.containers[name=\"nginx\"].name");
  }

  @Test
  void anUpdateTakesChangedFieldsFromOthers() {
    JsonNode obj = created();
    JsonNode next = ManagedFields.update(obj, edit(obj, "nginx:1.25", "nginx:1.26"), "kubectl-edit", MAIN, T1);

    assertThat(owned(next, "kubectl-edit", "Update"))
        .containsExactly(".spec.template.spec.containers[name=\"nginx\"].image");
    assertThat(owned(next, "kubectl-create", "Update"))
        .doesNotContain(".spec.template.spec.containers[name=\"nginx\"].image")
        .contains(".spec.replicas");
    assertThat(entry(next, "kubectl-create", "Update").get("time").asText()).isEqualTo("2024-05-01T10:00:00Z");
    assertThat(next.at("/metadata/managedFields/1/manager").asText()).isEqualTo("kubectl-edit");
  }

  @Test
  void removedFieldsLeaveEveryEntry() {
    JsonNode obj = created();
    ObjectNode without = (ObjectNode) obj.deepCopy();
    ((ObjectNode) without.at("/metadata")).remove("labels");
    JsonNode next = ManagedFields.update(obj, without, "kubectl-edit", MAIN, T1);

    assertThat(owned(next, "kubectl-create", "Update")).noneMatch(p -> p.startsWith(".metadata.labels"));
    assertThat(entry(next, "kubectl-edit", "Update")).as("removing takes nothing").isNull();
  }

  @Test
  void updatesBySameManagerShareOneEntry() {
    JsonNode obj = created();
    JsonNode a = ManagedFields.update(obj, edit(obj, "nginx:1.25", "nginx:1.26"), "ctl", MAIN, T0);
    JsonNode b = ManagedFields.update(a, edit(a, "\"replicas\":1,", "\"replicas\":3,"), "ctl", MAIN, T1);

    assertThat(b.at("/metadata/managedFields")).hasSize(2);
    assertThat(owned(b, "ctl", "Update")).containsExactly(".spec.replicas",
        ".spec.template.spec.containers[name=\"nginx\"].image");
    assertThat(entry(b, "ctl", "Update").get("time").asText()).isEqualTo("2024-05-01T11:00:00Z");
  }

  @Test
  void statusChangesThroughTheMainResourceAreNotOwned() {
    JsonNode obj = created();
    JsonNode next = ManagedFields.update(obj, edit(obj, "\"status\":{\"replicas\":1}", "\"status\":{\"replicas\":2}"),
        "someone", MAIN, T1);
    assertThat(entry(next, "someone", "Update")).isNull();
  }

  @Test
  void statusSubresourceEntriesAreSeparateAndIgnoreSentManagedFields() {
    FieldScope status = FieldScope.of(FixtureTypes.INSTANCE, "Deployment", "status", FieldSet.ofPaths("spec"));
    JsonNode obj = created();
    ObjectNode changed = (ObjectNode) edit(obj, "\"status\":{\"replicas\":1}", "\"status\":{\"replicas\":2}");
    ((ObjectNode) changed.get("metadata")).putArray("managedFields");
    JsonNode next = ManagedFields.update(obj, changed, "controller", status, T1);

    JsonNode e = entry(next, "controller", "Update");
    assertThat(e.get("subresource").asText()).isEqualTo("status");
    assertThat(owned(next, "controller", "Update")).containsExactly(".status.replicas");
    assertThat(entry(next, "kubectl-create", "Update")).isNotNull();
  }

  @Test
  void sentManagedFieldsReplaceTheLiveOnesAndEmptyListsClearThem() {
    JsonNode obj = created();
    ObjectNode cleared = (ObjectNode) obj.deepCopy();
    ((ObjectNode) cleared.get("metadata")).putArray("managedFields").addObject();
    JsonNode next = ManagedFields.update(obj, cleared, "x", MAIN, T1);
    assertThat(next.at("/metadata").has("managedFields")).isFalse();

    // An object without managed fields stays without on update, as upstream.
    JsonNode after = ManagedFields.update(next, edit(next, "nginx:1.25", "nginx:2"), "x", MAIN, T1);
    assertThat(after.at("/metadata").has("managedFields")).isFalse();

    ObjectNode rewritten = (ObjectNode) obj.deepCopy();
    ((ObjectNode) rewritten.at("/metadata/managedFields/0")).put("manager", "renamed");
    JsonNode kept = ManagedFields.update(obj, rewritten, "x", MAIN, T1);
    assertThat(entry(kept, "renamed", "Update")).isNotNull();
    assertThat(entry(kept, "kubectl-create", "Update")).isNull();
  }

  @Test
  void unchangedObjectKeepsManagedFieldsExactly() {
    JsonNode obj = created();
    assertThat(ManagedFields.update(obj, obj, "other", MAIN, T1)).isEqualTo(obj);
  }

  @Test
  void moreThanTenUpdatersFoldIntoAncientChanges() {
    JsonNode obj = created();
    for (int i = 0; i < 11; i++) {
      ObjectNode next = (ObjectNode) obj.deepCopy();
      ((ObjectNode) next.at("/metadata/labels")).put("l" + i, "v");
      obj = ManagedFields.update(obj, next, "m" + i, MAIN, T0.plusSeconds(60L * (i + 1)));
    }
    JsonNode mf = obj.at("/metadata/managedFields");
    assertThat(mf).hasSize(10);
    assertThat(entry(obj, "kubectl-create", "Update")).isNull();
    assertThat(entry(obj, "m0", "Update")).isNull();
    assertThat(owned(obj, "ancient-changes", "Update")).contains(".spec.replicas", ".metadata.labels.l0");
  }

  @Test
  void untypableObjectLosesItsManagedFields() {
    JsonNode obj = created();
    JsonNode broken = edit(obj, "{\"name\":\"nginx\",", "{");
    assertThat(ManagedFields.update(obj, broken, "x", MAIN, T1).at("/metadata").has("managedFields")).isFalse();
  }

  @Test
  void emptyManagerIsUnknown() {
    JsonNode obj = ManagedFields.update(null, json(WEB), "", MAIN, T0);
    assertThat(entry(obj, "unknown", "Update")).isNotNull();
  }

  @Test
  void inputsAreNotModified() {
    JsonNode obj = created();
    JsonNode copy = obj.deepCopy();
    JsonNode next = edit(obj, "nginx:1.25", "nginx:2");
    JsonNode nextCopy = next.deepCopy();
    ManagedFields.update(obj, next, "x", MAIN, T1);
    assertThat(obj).isEqualTo(copy);
    assertThat(next).isEqualTo(nextCopy);
  }
}
