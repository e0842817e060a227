package io.bosun.apiserver.patch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PatchTypeTest {

  @Test
  void recognisesContentTypesIgnoringParameters() {
    assertThat(PatchType.fromContentType("application/json-patch+json")).isEqualTo(PatchType.JSON_PATCH);
    assertThat(PatchType.fromContentType("application/merge-patch+json; charset=utf-8")).isEqualTo(PatchType.MERGE_PATCH);
    assertThat(PatchType.fromContentType("application/strategic-merge-patch+json"))
        .isEqualTo(PatchType.STRATEGIC_MERGE_PATCH);
    assertThat(PatchType.fromContentType("Application/Apply-Patch+YAML")).isEqualTo(PatchType.APPLY_YAML);
    assertThat(PatchType.fromContentType("application/apply-patch+cbor").supported()).isFalse();
    assertThat(PatchType.fromContentType("application/json")).isNull();
    assertThat(PatchType.fromContentType(null)).isNull();
  }

  @Test
  void unsupportedMediaTypeMessageMatchesUpstream() {
    assertThat(PatchType.unsupportedMediaTypeMessage(false)).isEqualTo("the body of the request was in an unknown "
        + "format - accepted media types include: application/json-patch+json, application/merge-patch+json, "
        + "application/apply-patch+yaml");
    assertThat(PatchType.acceptedMediaTypes(true)).containsExactly("application/json-patch+json",
        "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml");
  }
}
