package io.bosun.apiserver.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7386 appendix A, with evanphx's answers where it departs from the RFC (as upstream does). */
class JsonMergePatchTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      {"a":"b"}                         | {"a":"c"}                    | {"a":"c"}
      {"a":"b"}                         | {"b":"c"}                    | {"a":"b","b":"c"}
      {"a":"b"}                         | {"a":null}                   | {}
      {"a":"b","b":"c"}                 | {"a":null}                   | {"b":"c"}
      {"a":["b"]}                       | {"a":"c"}                    | {"a":"c"}
      {"a":"c"}                         | {"a":["b"]}                  | {"a":["b"]}
      {"a":{"b":"c"}}                   | {"a":{"b":"d","c":null}}     | {"a":{"b":"d"}}
      {"a":[{"b":"c"}]}                 | {"a":[1]}                    | {"a":[1]}
      ["a","b"]                         | ["c","d"]                    | ["c","d"]
      {"a":"b"}                         | ["c"]                        | ["c"]
      {"e":null}                        | {"a":1}                      | {"e":null,"a":1}
      [1,2]                             | {"a":"b","c":null}           | {"a":"b"}
      {}                                | {"a":{"bb":{"ccc":null}}}    | {"a":{"bb":{}}}
      """)
  void rfc7386Examples(String target, String patch, String expected) throws Exception {
    JsonNode t = Json.parse(target);
    JsonNode before = t.deepCopy();
    assertThat(JsonMergePatch.apply(t, Json.parse(patch))).isEqualTo(Json.parse(expected));
    assertThat(t).isEqualTo(before);
  }

  @ParameterizedTest
  @CsvSource({"null", "\"bar\"", "5"})
  void nullAndScalarPatchesAreBadRequests(String patch) {
    PatchException e = catchThrowableOfType(PatchException.class,
        () -> JsonMergePatch.apply(Json.parse("{\"a\":\"foo\"}"), Json.parse(patch)));
    assertThat(e.code()).isEqualTo(400);
    assertThat(e.statusMessage()).isEqualTo("Invalid JSON Patch");
  }
}
