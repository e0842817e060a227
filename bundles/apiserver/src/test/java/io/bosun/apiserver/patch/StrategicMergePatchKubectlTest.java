package io.bosun.apiserver.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Strategic merge patches checked against upstream: the expected results in
 * smp-kubectl-cases.json were produced by kubectl's {@code patch --local --type strategic}, which
 * runs upstream's strategicpatch package over the same original objects.
 */
class StrategicMergePatchKubectlTest {

  @TestFactory
  List<DynamicTest> matchesUpstream() throws IOException {
    JsonNode file;
    try (InputStream in = getClass().getResourceAsStream("smp-kubectl-cases.json")) {
      file = Json.MAPPER.readTree(in);
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : file.get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
        JsonNode original = c.get("original");
        String kind = original.get("kind").asText();
        if (c.has("error")) {
          assertThatThrownBy(() -> StrategicMergePatch.apply(original, c.get("patch"), FixtureTypes.INSTANCE, kind))
              .isInstanceOf(PatchException.class)
              .satisfies(e -> assertThat(e.getMessage().strip()).isEqualTo(c.get("error").asText()));
        } else {
          JsonNode actual = StrategicMergePatch.apply(original, c.get("patch"), FixtureTypes.INSTANCE, kind);
          assertThat(Json.sameValue(actual, c.get("expected")))
              .as("expected %s%nbut got  %s", c.get("expected"), actual).isTrue();
        }
      }));
    }
    return tests;
  }
}
