package io.bosun.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bosun.cli.CliException;
import org.junit.jupiter.api.Test;

class JsonPathTest {

  static final JsonNode LIST = parse("""
      {"kind":"List","items":[
        {"metadata":{"name":"a","labels":{"app.kubernetes.io/name":"x"}},"status":{"phase":"Running",
          "conditions":[{"type":"Ready","status":"True"},{"type":"PodScheduled","status":"True"}]},
          "spec":{"containers":[{"name":"c1","image":"i1"},{"name":"c2","image":"i2"}]}},
        {"metadata":{"name":"b"},"status":{"phase":"Pending","conditions":[{"type":"Ready","status":"False"}]},
          "spec":{"containers":[{"name":"c3","image":"i3"}]}}]}
      """);

  static JsonNode parse(String s) {
    try {
      return new ObjectMapper().readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String render(String template) {
    return JsonPath.parse(template).render(LIST);
  }

  @Test
  void fieldsWildcardsAndIndexes() {
    assertThat(render("{.items[0].metadata.name}")).isEqualTo("a");
    assertThat(render("{.items[*].metadata.name}")).isEqualTo("a b");
    assertThat(render("{.items[-1].metadata.name}")).isEqualTo("b");
    assertThat(render("{.items[0:1].metadata.name}")).isEqualTo("a");
    assertThat(render("{.items[*].spec.containers[*].image}")).isEqualTo("i1 i2 i3");
    assertThat(render("{..image}")).isEqualTo("i1 i2 i3");
    assertThat(render(".items[1].status.phase")).isEqualTo("Pending");
    assertThat(render("{.items[0].metadata.labels['app.kubernetes.io/name']}")).isEqualTo("x");
    assertThat(render("{$.kind}")).isEqualTo("List");
    assertThat(render("{.items[0].missing}")).isEmpty();
    assertThat(render("{.items[0].spec.containers[0]}")).isEqualTo("{\"name\":\"c1\",\"image\":\"i1\"}");
  }

  @Test
  void filters() {
    assertThat(render("{.items[?(@.status.phase==\"Running\")].metadata.name}")).isEqualTo("a");
    assertThat(render("{.items[0].status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("True");
    assertThat(render("{.items[?(@.status.phase!='Running')].metadata.name}")).isEqualTo("b");
    assertThat(render("{.items[?(@.metadata.labels)].metadata.name}")).isEqualTo("a");
  }

  @Test
  void rangeAndLiterals() {
    assertThat(render("{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}"))
        .isEqualTo("a\tRunning\nb\tPending\n");
    assertThat(render("{range .items[*]}[{range .spec.containers[*]}{.name},{end}]{end}"))
        .isEqualTo("[c1,c2,][c3,]");
    assertThat(render("names: {.items[*].metadata.name}!")).isEqualTo("names: a b!");
  }

  @Test
  void syntaxErrorsAreReported() {
    assertThatThrownBy(() -> JsonPath.parse("{range .items[*]}{.x}")).isInstanceOf(CliException.class)
        .hasMessageContaining("without {end}");
    assertThatThrownBy(() -> JsonPath.parse("{.items[0}")).isInstanceOf(CliException.class);
    assertThatThrownBy(() -> render("{.items[5].x}")).hasMessageContaining("out of bounds");
  }
}
