package io.bosun.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.batch.v1.CronJob;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.codec.Decoded;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Service;
import io.bosun.api.defaulting.Defaulter;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.validation.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Realistic manifests survive decode and encode with every field, in JSON and YAML. */
class RoundTripTest {

  private final ApiCodec codec = new ApiCodec();

  static Stream<Arguments> manifests() {
    return Stream.of(Arguments.of("deployment.json", Deployment.class), Arguments.of("pod.json", Pod.class),
        Arguments.of("service.json", Service.class), Arguments.of("cronjob.json", CronJob.class),
        Arguments.of("node.json", Node.class));
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = RoundTripTest.class.getResourceAsStream("/manifests/" + name)) {
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @MethodSource("manifests")
  void jsonRoundTripKeepsEveryField(String file, Class<? extends KubernetesObject> type) throws Exception {
    JsonNode input = codec.parse(resource(file), false, true);
    Decoded<? extends KubernetesObject> decoded = codec.convert(input, type);
    assertThat(decoded.unknownFields()).as("unknown fields").isEmpty();
    JsonNode output = codec.toTree(decoded.value());
    assertThat(normalize(output)).isEqualTo(normalize(input));
  }

  @ParameterizedTest
  @MethodSource("manifests")
  void yamlRoundTrip(String file, Class<? extends KubernetesObject> type) throws Exception {
    KubernetesObject object = codec.read(resource(file), type);
    byte[] yaml = codec.writeYaml(object);
    KubernetesObject back = codec.convert(codec.parse(yaml, true, true), type).value();
    assertThat(back).isEqualTo(object);
  }

  @ParameterizedTest
  @MethodSource("manifests")
  void manifestsAreValidAndStableUnderDefaulting(String file, Class<? extends KubernetesObject> type) throws Exception {
    KubernetesObject object = codec.read(resource(file), type);
    KubernetesObject defaulted = codec.read(resource(file), type);
    new Defaulter().apply(defaulted);
    if (type != Pod.class && type != Node.class) {
      // These manifests are already defaulted as a server returns them.
      assertThat(codec.toTree(defaulted)).isEqualTo(codec.toTree(object));
    }
    if (type == Deployment.class || type == Service.class || type == Node.class) {
      assertThat(new Validator().validateCreate(defaulted)).isEmpty();
    }
  }

  @Test
  void unknownFieldsAreReportedWithTheirPaths() throws Exception {
    String json = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","colour":"red"},
         "spec":{"containers":[{"name":"a","image":"b"},{"name":"c","image":"d","imagePolicy":"x",
           "ports":[{"containerPort":80,"portName":"y"}]}],
           "volumes":[{"name":"v","emptyDir":{"size":"1Gi"}}]},
         "extra":{"nested":[1,2]}}
        """;
    Decoded<Pod> decoded = codec.convert(codec.parse(json.getBytes(), false, false), Pod.class);
    assertThat(decoded.unknownFields()).containsExactlyInAnyOrder("metadata.colour",
        "spec.containers[1].imagePolicy", "spec.containers[1].ports[0].portName", "spec.volumes[0].emptyDir.size",
        "extra");
    assertThat(decoded.value().getSpec().getContainers().get(1).getPorts().get(0).getContainerPort()).isEqualTo(80);
  }

  /** Drops nulls and empty lists, which Go's omitempty and ours treat alike. */
  static JsonNode normalize(JsonNode node) {
    JsonNode copy = node.deepCopy();
    strip(copy);
    return copy;
  }

  private static void strip(JsonNode node) {
    if (node instanceof ObjectNode o) {
      List<String> remove = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext();) {
        var e = it.next();
        strip(e.getValue());
        // int32 and int64 fields read back as different node types; compare the numbers.
        if (e.getValue().isIntegralNumber()) {
          e.setValue(com.fasterxml.jackson.databind.node.LongNode.valueOf(e.getValue().longValue()));
        }
        if (e.getValue().isNull() || (e.getValue().isArray() && e.getValue().isEmpty())) {
          remove.add(e.getKey());
        }
      }
      o.remove(remove);
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i).isIntegralNumber()) {
          a.set(i, com.fasterxml.jackson.databind.node.LongNode.valueOf(a.get(i).longValue()));
        }
        strip(a.get(i));
      }
    }
  }
}
