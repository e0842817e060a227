package io.bosun.apiserver.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * JSON patch and JSON merge patch checked against upstream: json-patch-kubectl-cases.json holds
 * results and error messages of kubectl's {@code patch --local}, which uses the same
 * evanphx/json-patch v4 library as upstream's API server.
 */
class JsonPatchKubectlTest {

  private static JsonNode cases() throws IOException {
    try (InputStream in = JsonPatchKubectlTest.class.getResourceAsStream("json-patch-kubectl-cases.json")) {
      return Json.MAPPER.readTree(in);
    }
  }

  interface Engine {
    JsonNode apply(JsonNode target, JsonNode patch) throws PatchException;
  }

  @TestFactory
  List<DynamicTest> jsonPatchMatchesUpstream() throws IOException {
    return tests(cases().get("jsonPatch"), JsonPatch::apply);
  }

  @TestFactory
  List<DynamicTest> mergePatchMatchesUpstream() throws IOException {
    return tests(cases().get("mergePatch"), JsonMergePatch::apply);
  }

  private static List<DynamicTest> tests(JsonNode cases, Engine engine) {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
        JsonNode original = c.get("original");
        JsonNode before = original.deepCopy();
        if (c.has("error")) {
          PatchException e = catchThrowableOfType(PatchException.class, () -> engine.apply(original, c.get("patch")));
          assertThat(e).isNotNull();
          assertThat(e.getMessage()).isEqualTo(c.get("error").asText());
        } else {
          JsonNode actual = engine.apply(original, c.get("patch"));
          assertThat(Json.sameValue(actual, c.get("expected")))
              .as("expected %s%nbut got  %s", c.get("expected"), actual).isTrue();
        }
        assertThat(original).as("input untouched").isEqualTo(before);
      }));
    }
    return tests;
  }
}
