package io.bosun.apiserver.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.TypeSchema;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The public entry points over the real model: upstream's strategic merge patch results (the
 * kubectl-generated cases) must come out the same with the schema generated from
 * bundles/api/src/main/model, which also checks that the model carries upstream's patch tags.
 */
class RealSchemaTest {

  private static final ApiSchema SCHEMA = ApiSchema.load();

  @TestFactory
  List<DynamicTest> strategicMergePatchWithTheRealModel() throws IOException {
    JsonNode file;
    try (InputStream in = getClass().getResourceAsStream("smp-kubectl-cases.json")) {
      file = Json.MAPPER.readTree(in);
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : file.get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
        JsonNode original = c.get("original");
        TypeSchema type = SCHEMA.type(original.get("kind").asText());
        assertThat(type).isNotNull();
        if (c.has("error")) {
          assertThatThrownBy(() -> StrategicMergePatch.apply(original, c.get("patch"), type, SCHEMA))
              .isInstanceOf(PatchException.class)
              .satisfies(e -> assertThat(e.getMessage().strip()).isEqualTo(c.get("error").asText()));
        } else {
          JsonNode actual = StrategicMergePatch.apply(original, c.get("patch"), type, SCHEMA);
          assertThat(Json.sameValue(actual, c.get("expected")))
              .as("expected %s%nbut got  %s", c.get("expected"), actual).isTrue();
        }
      }));
    }
    return tests;
  }

  @Test
  void serverSideApplyAndUpdatesWithTheRealModel() throws Exception {
    TypeSchema deployment = SCHEMA.type("Deployment");
    JsonNode config = ServerSideApplyTest.json(ServerSideApplyTest.NGINX);
    JsonNode created = ServerSideApply.apply(null, config, "mgr", false, deployment, SCHEMA,
        Instant.parse("2024-05-01T10:00:00Z"));
    assertThat(FieldSet.fromFieldsV1(created.at("/metadata/managedFields/0/fieldsV1")))
        .isEqualTo(FieldSet.fromObject(config, deployment, SCHEMA).difference(Managed.STRIPPED));

    JsonNode edited = Json.parse(created.toString().replace("nginx:1.25", "nginx:1.26"));
    edited = ManagedFields.update(created, edited, "kubectl-edit", FieldScope.of(SCHEMA, deployment),
        Instant.parse("2024-05-01T11:00:00Z"));
    assertThat(edited.at("/metadata/managedFields")).hasSize(2);
    JsonNode stale = edited;
    assertThatThrownBy(() -> ServerSideApply.apply(stale, config, "mgr", false, deployment, SCHEMA, Instant.now()))
        .isInstanceOf(ConflictException.class)
        .hasMessage("Apply failed with 1 conflict: conflict with \"kubectl-edit\" using apps/v1: "
            + ".spec.template.spec.containers[name=\"nginx\"].image");
  }
}
