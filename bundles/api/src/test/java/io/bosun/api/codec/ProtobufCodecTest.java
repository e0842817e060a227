package io.bosun.api.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.FieldSchema;
import io.bosun.api.schema.TypeSchema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The protobuf codec against hand-built wire bytes, and round trips of rich objects. */
class ProtobufCodecTest {

  private static final ApiSchema SCHEMA = ApiSchema.load();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ProtobufCodec codec = new ProtobufCodec();
  private final ApiCodec apiCodec = new ApiCodec();

  // ---------------------------------------------------------------- round trips

  static Stream<String> manifests() {
    return Stream.of("pod.json", "node.json", "deployment.json", "service.json", "cronjob.json");
  }

  @ParameterizedTest
  @MethodSource("manifests")
  void richObjectsRoundTrip(String file) throws Exception {
    JsonNode input = JSON.readTree(resource(file));
    byte[] wire = codec.encode(input, SCHEMA);
    assertThat(ProtobufCodec.hasEnvelope(wire)).isTrue();
    Decoded<JsonNode> decoded = codec.decodeReporting(wire, SCHEMA);
    assertThat(decoded.unknownFields()).isEmpty();
    assertThat(differences(normalize(decoded.value()), upstreamJson(input), "")).isEmpty();
    // Deterministic: equal objects give equal bytes.
    assertThat(codec.encode(decoded.value(), SCHEMA)).isEqualTo(wire);
  }

  @Test
  void richPodAndNodeRoundTripThroughTheModel() throws Exception {
    for (var e : List.of(new Object[] {"pod.json", Pod.class}, new Object[] {"node.json", Node.class})) {
      @SuppressWarnings("unchecked")
      Class<? extends KubernetesObject> type = (Class<? extends KubernetesObject>) e[1];
      KubernetesObject object = apiCodec.read(resource((String) e[0]), type);
      byte[] wire = codec.encode(apiCodec.toTree(object), SCHEMA);
      Decoded<? extends KubernetesObject> back = apiCodec.convert(codec.decode(wire, SCHEMA), type);
      assertThat(back.unknownFields()).isEmpty();
      assertThat(differences(normalize(apiCodec.toTree(back.value())), upstreamJson(apiCodec.toTree(object)), "")).isEmpty();
    }
  }

  @Test
  void podFieldsLandWhereUpstreamPutsThem() throws Exception {
    JsonNode pod = upstreamJson(JSON.readTree(resource("pod.json")));
    JsonNode back = codec.decode(codec.encode(pod, SCHEMA), SCHEMA);
    // Spot checks of the special encodings on a realistic object.
    assertThat(back.at("/spec/volumes")).isEqualTo(pod.at("/spec/volumes"));
    assertThat(back.at("/spec/containers/0/resources")).isEqualTo(pod.at("/spec/containers/0/resources"));
    assertThat(back.at("/status/conditions")).isEqualTo(pod.at("/status/conditions"));
    assertThat(back.at("/spec/ephemeralContainers")).isEqualTo(pod.at("/spec/ephemeralContainers"));
  }

  @Test
  void concurrentUseIsSafe() throws Exception {
    byte[] pod = codec.encode(JSON.readTree(resource("pod.json")), SCHEMA);
    byte[] node = codec.encode(JSON.readTree(resource("node.json")), SCHEMA);
    ProtobufCodec shared = new ProtobufCodec();
    JsonNode podTree = codec.decode(pod, SCHEMA);
    JsonNode nodeTree = codec.decode(node, SCHEMA);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        boolean even = i % 2 == 0;
        results.add(pool.submit(() -> {
          for (int j = 0; j < 50; j++) {
            JsonNode t = shared.decode(even ? pod : node, SCHEMA);
            if (!t.equals(even ? podTree : nodeTree) || !Arrays.equals(shared.encode(t, SCHEMA), even ? pod : node)) {
              return false;
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- the envelope

  @Test
  void envelopeCarriesTypeMeta() throws Exception {
    byte[] wire = codec.encode(JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"x\"}}"),
        SCHEMA);
    assertThat(Arrays.copyOf(wire, 4)).isEqualTo(new byte[] {'k', '8', 's', 0});
    // runtime.Unknown: typeMeta, raw, contentEncoding, contentType.
    byte[] expected = envelope("v1", "Namespace", msg(bytes(1, msg(str(1, "x")))));
    assertThat(wire).isEqualTo(expected);
  }

  @Test
  void kubectlsNamespaceBytes() throws Exception {
    // What kubectl 1.32 sends for "kubectl create namespace x": every non-pointer field of
    // ObjectMeta is written, empty ones included, and the empty spec and status too.
    byte[] wire = hex("6b3873000a0f0a0276311209 4e616d657370616365 12190a110a0178 12001a0022002a0032003800 4200"
        + "12001a020a00 1a002200");
    JsonNode ns = codec.decode(wire, SCHEMA);
    assertThat(ns).isEqualTo(JSON.readTree("""
        {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x","creationTimestamp":null},
         "spec":{},"status":{}}"""));
  }

  @Test
  void typesResolveFromTheEnvelope() throws Exception {
    JsonNode eviction = codec.decode(envelope("policy/v1", "Eviction",
        msg(bytes(1, msg(str(1, "p"), str(3, "ns"))), bytes(2, msg(varint(1, 30))))), SCHEMA);
    assertThat(eviction).isEqualTo(JSON.readTree("""
        {"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"p","namespace":"ns"},
         "deleteOptions":{"gracePeriodSeconds":30}}"""));
    // DeleteOptions is registered in every group version, as upstream.
    JsonNode options = codec.decode(envelope("apps/v1", "DeleteOptions", msg(str(4, "Foreground"), str(5, "All"))),
        SCHEMA);
    assertThat(options).isEqualTo(JSON.readTree("""
        {"apiVersion":"apps/v1","kind":"DeleteOptions","propagationPolicy":"Foreground","dryRun":["All"]}"""));
    JsonNode scale = codec.decode(envelope("autoscaling/v1", "Scale",
        msg(bytes(1, msg(str(1, "d"))), bytes(2, msg(varint(1, 0))))), SCHEMA);
    // ScaleSpec.replicas is an omitempty int32 upstream (not a pointer): zero is not written in JSON.
    assertThat(scale.path("spec")).isEqualTo(JSON.createObjectNode());
    JsonNode list = codec.decode(envelope("v1", "ConfigMapList",
        msg(bytes(1, msg(str(2, "7"))), bytes(2, msg(bytes(1, msg(str(1, "a"))))))), SCHEMA);
    assertThat(list).isEqualTo(JSON.readTree("""
        {"apiVersion":"v1","kind":"ConfigMapList","metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"a"}}]}"""));
  }

  @Test
  void jsonInsideTheEnvelopeIsAccepted() throws Exception {
    byte[] body = concat(new byte[] {'k', '8', 's', 0}, msg(bytes(1, msg(str(1, "v1"), str(2, "ConfigMap"))),
        bytes(2, "{\"metadata\":{\"name\":\"j\"},\"data\":{\"a\":\"b\"}}".getBytes(StandardCharsets.UTF_8)),
        str(3, ""), str(4, "application/json")));
    assertThat(codec.decode(body, SCHEMA)).isEqualTo(JSON.readTree("""
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j"},"data":{"a":"b"}}"""));
  }

  // ---------------------------------------------------------------- values

  @Test
  void zeroScalarsFollowUpstreamsJson() throws Exception {
    JsonNode deployment = codec.decode(envelope("apps/v1", "Deployment", msg(
        bytes(1, msg(str(1, "d"), str(2, ""), varint(7, 0))),
        bytes(2, msg(varint(1, 0), varint(5, 0), varint(7, 0),
            bytes(3, msg(bytes(2, msg(bytes(2, msg(str(1, ""), str(2, "nginx"), varint(16, 0))))))))))),
        SCHEMA);
    // generateName, generation, minReadySeconds, paused, stdin: omitempty values, so zero means unset.
    // replicas: a pointer, so its zero was set. Container name: no omitempty, printed even when empty.
    assertThat(deployment).isEqualTo(JSON.readTree("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
         "spec":{"replicas":0,"template":{"spec":{"containers":[{"name":"","image":"nginx"}]}}}}"""));
    FieldSchema replicas = SCHEMA.type("DeploymentSpec").field("replicas");
    assertThat(replicas.protoNumber()).isEqualTo(1);
    assertThat(replicas.keepZero()).isTrue();
    assertThat(SCHEMA.type("DeploymentSpec").field("minReadySeconds").keepZero()).isFalse();
  }

  @Test
  void inlinedStructsAreNestedMessages() throws Exception {
    // Volume.configMap is field 19 of the VolumeSource message at field 2; ConfigMapVolumeSource
    // inlines LocalObjectReference (field 1) for its name.
    byte[] volume = msg(str(1, "v"), bytes(2, msg(bytes(19, msg(bytes(1, msg(str(1, "cm"))), varint(3, 420))))));
    JsonNode pod = codec.decode(envelope("v1", "Pod", msg(bytes(2, msg(bytes(1, volume))))), SCHEMA);
    assertThat(pod.at("/spec/volumes/0")).isEqualTo(JSON.readTree(
        "{\"name\":\"v\",\"configMap\":{\"name\":\"cm\",\"defaultMode\":420}}"));
    FieldSchema configMap = SCHEMA.type("Volume").field("configMap");
    assertThat(configMap.protoInline()).containsExactly(2);
    assertThat(configMap.protoNumber()).isEqualTo(19);
    // And back.
    assertThat(codec.encode(pod, SCHEMA)).isEqualTo(envelope("v1", "Pod", msg(bytes(2, msg(bytes(1, volume))))));
  }

  @Test
  void probesAndEphemeralContainersInlineTheirCommonParts() throws Exception {
    ObjectNode pod = (ObjectNode) JSON.readTree("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{
          "containers":[{"name":"c","livenessProbe":{"httpGet":{"path":"/h","port":"http"},"periodSeconds":5}}],
          "ephemeralContainers":[{"name":"dbg","image":"busybox","targetContainerName":"c","stdin":true}]}}""");
    byte[] wire = codec.encode(pod, SCHEMA);
    JsonNode back = codec.decode(wire, SCHEMA);
    assertThat(back).isEqualTo(pod);
    // Probe.httpGet is field 2 of the ProbeHandler message at field 1; the port a string IntOrString.
    byte[] probe = msg(bytes(1, msg(bytes(2, msg(str(1, "/h"), bytes(2, msg(varint(1, 1), varint(2, 0),
        str(3, "http"))))))), varint(4, 5));
    byte[] container = msg(str(1, "c"), bytes(10, probe));
    byte[] ephemeral = msg(bytes(1, msg(str(1, "dbg"), str(2, "busybox"), varint(16, 1))), str(2, "c"));
    assertThat(wire).isEqualTo(envelope("v1", "Pod",
        msg(bytes(1, msg(str(1, "p"))), bytes(2, msg(bytes(2, container), bytes(34, ephemeral))))));
  }

  @Test
  void quantitiesAreCanonical() throws Exception {
    byte[] resources = msg(entry(1, "cpu", msg(str(1, "1000m"))), entry(1, "memory", msg(str(1, "1048576Ki"))),
        entry(2, "cpu", msg()));
    JsonNode pod = codec.decode(envelope("v1", "Pod",
        msg(bytes(2, msg(bytes(2, msg(str(1, "c"), bytes(8, resources))))))), SCHEMA);
    assertThat(pod.at("/spec/containers/0/resources")).isEqualTo(JSON.readTree(
        "{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"},\"requests\":{\"cpu\":\"0\"}}"));
    assertThatThrownBy(() -> codec.decode(envelope("v1", "Pod",
        msg(bytes(2, msg(bytes(2, msg(str(1, "c"), bytes(8, msg(entry(1, "cpu", msg(str(1, "lots"))))))))))), SCHEMA))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("spec.containers[0].resources.limits[cpu]")
        .hasMessageContaining("quantities must match");
  }

  @Test
  void intOrStringTimesAndBytes() throws Exception {
    JsonNode service = codec.decode(envelope("v1", "Service", msg(bytes(2, msg(
        bytes(1, msg(varint(3, 80), bytes(4, msg(varint(1, 0), varint(2, 8080), str(3, ""))))),
        bytes(1, msg(varint(3, 443), bytes(4, msg(varint(1, 1), str(3, "https"))))))))), SCHEMA);
    assertThat(service.at("/spec/ports")).isEqualTo(JSON.readTree(
        "[{\"port\":80,\"targetPort\":8080},{\"port\":443,\"targetPort\":\"https\"}]"));

    // Time keeps seconds only; MicroTime keeps microseconds; an empty Time is null.
    JsonNode lease = codec.decode(envelope("coordination.k8s.io/v1", "Lease", msg(
        bytes(1, msg(str(1, "l"), bytes(8, msg(varint(1, 1_700_000_000L), varint(2, 999))))),
        bytes(2, msg(bytes(3, msg(varint(1, 1_700_000_000L), varint(2, 123_456_789))), bytes(4, msg()))))), SCHEMA);
    assertThat(lease.at("/metadata/creationTimestamp").asText()).isEqualTo("2023-11-14T22:13:20Z");
    assertThat(lease.at("/spec/acquireTime").asText()).isEqualTo("2023-11-14T22:13:20.123456Z");
    assertThat(lease.at("/spec/renewTime").isNull()).isTrue();

    JsonNode secret = codec.decode(envelope("v1", "Secret", msg(
        entry(2, "bin", new byte[] {0, (byte) 0xff, 'a'}), entry(2, "empty", null), entry(4, "s", "t".getBytes()))),
        SCHEMA);
    assertThat(secret).isEqualTo(JSON.readTree("""
        {"apiVersion":"v1","kind":"Secret","data":{"bin":"AP9h","empty":""},"stringData":{"s":"t"}}"""));
    assertThat(codec.decode(codec.encode(secret, SCHEMA), SCHEMA)).isEqualTo(secret);

    // PodDisruptionBudgetStatus.disruptedPods: map<string, Time> upstream, RFC 3339 strings here.
    JsonNode pdb = codec.decode(envelope("policy/v1", "PodDisruptionBudget", msg(bytes(3, msg(
        entry(2, "p1", msg(varint(1, 86_400))), varint(3, 0), varint(5, 2))))), SCHEMA);
    assertThat(pdb.path("status")).isEqualTo(JSON.readTree(
        "{\"disruptedPods\":{\"p1\":\"1970-01-02T00:00:00Z\"},\"disruptionsAllowed\":0,\"desiredHealthy\":2}"));
    assertThat(codec.decode(codec.encode(pdb, SCHEMA), SCHEMA)).isEqualTo(pdb);
  }

  @Test
  void repeatedScalarsMayBePacked() throws Exception {
    byte[] unpacked = msg(bytes(2, msg(bytes(14, msg(varint(4, 1), varint(4, 2), varint(4, 3))))));
    byte[] packed = msg(bytes(2, msg(bytes(14, msg(bytes(4, concat(varintBytes(1), varintBytes(2), varintBytes(3))))))));
    JsonNode a = codec.decode(envelope("v1", "Pod", unpacked), SCHEMA);
    JsonNode b = codec.decode(envelope("v1", "Pod", packed), SCHEMA);
    assertThat(a.at("/spec/securityContext/supplementalGroups")).isEqualTo(JSON.readTree("[1,2,3]"));
    assertThat(b).isEqualTo(a);
  }

  @Test
  void wrappedListsAndEmbeddedObjects() throws Exception {
    // APIResource.verbs is a Verbs message wrapping the strings (field 4, then 1).
    JsonNode resources = codec.decode(envelope("v1", "APIResourceList", msg(str(1, "v1"),
        bytes(2, msg(str(1, "pods"), str(6, "pod"), varint(2, 1), str(3, "Pod"), bytes(4, msg(str(1, "get"), str(1, "list"))))))),
        SCHEMA);
    assertThat(resources.at("/resources/0")).isEqualTo(JSON.readTree(
        "{\"name\":\"pods\",\"singularName\":\"pod\",\"namespaced\":true,\"kind\":\"Pod\",\"verbs\":[\"get\",\"list\"]}"));
    assertThat(codec.decode(codec.encode(resources, SCHEMA), SCHEMA)).isEqualTo(resources);

    // RawExtension holding JSON, and holding an object in protobuf form.
    JsonNode revision = codec.decode(envelope("apps/v1", "ControllerRevision", msg(bytes(1, msg(str(1, "r"))),
        bytes(2, msg(bytes(1, "{\"spec\":{\"x\":1}}".getBytes(StandardCharsets.UTF_8)))), varint(3, 2))), SCHEMA);
    assertThat(revision.path("data")).isEqualTo(JSON.readTree("{\"spec\":{\"x\":1}}"));
    assertThat(revision.path("revision").asInt()).isEqualTo(2);
    byte[] innerPod = envelope("v1", "Pod", msg(bytes(1, msg(str(1, "inner"), bytes(99, msg())))));
    Decoded<JsonNode> nested = codec.decodeReporting(envelope("apps/v1", "ControllerRevision",
        msg(bytes(2, msg(bytes(1, innerPod))))), SCHEMA);
    assertThat(nested.value().path("data")).isEqualTo(JSON.readTree(
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"inner\"}}"));
    assertThat(nested.unknownFields()).containsExactly("data.metadata.#99");

    // managedFields[].fieldsV1 (FieldsV1 {Raw=1}).
    JsonNode cm = codec.decode(envelope("v1", "ConfigMap", msg(bytes(1, msg(bytes(17, msg(str(1, "kubectl"),
        str(2, "Update"), str(3, "v1"), str(6, "FieldsV1"), bytes(7, msg(bytes(1, "{\"f:data\":{}}".getBytes()))))))))),
        SCHEMA);
    assertThat(cm.at("/metadata/managedFields/0")).isEqualTo(JSON.readTree(
        "{\"manager\":\"kubectl\",\"operation\":\"Update\",\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV1\","
            + "\"fieldsV1\":{\"f:data\":{}}}"));
    assertThat(codec.decode(codec.encode(cm, SCHEMA), SCHEMA)).isEqualTo(cm);
  }

  @Test
  void repeatedMessageFieldsMerge() throws Exception {
    JsonNode cm = codec.decode(envelope("v1", "ConfigMap", msg(bytes(1, msg(str(1, "a"))),
        bytes(1, msg(str(3, "ns"))))), SCHEMA);
    assertThat(cm.path("metadata")).isEqualTo(JSON.readTree("{\"name\":\"a\",\"namespace\":\"ns\"}"));
  }

  @Test
  void unknownFieldsAreSkippedAndReported() throws Exception {
    byte[] raw = msg(
        bytes(1, msg(str(1, "x"), varint(200, 5))),
        fixed64(90, 1L), fixed32(91, 2), bytes(92, new byte[] {1, 2, 3}), group(93, varint(1, 1)),
        bytes(2, msg(bytes(2, msg(str(1, "c"), str(99, "?"))))));
    Decoded<JsonNode> decoded = codec.decodeReporting(envelope("v1", "Pod", raw), SCHEMA);
    assertThat(decoded.value()).isEqualTo(JSON.readTree("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"containers":[{"name":"c"}]}}"""));
    assertThat(decoded.unknownFields()).containsExactly("metadata.#200", "#90", "#91", "#92", "#93",
        "spec.containers[0].#99");
  }

  // ---------------------------------------------------------------- malformed input

  @Test
  void malformedInputIsRejectedClearly() {
    assertDecodeError("{\"kind\":\"Pod\"}".getBytes(), "expected prefix [107 56 115 0]");
    assertDecodeError(new byte[] {'k', '8', 's'}, "expected prefix");
    assertDecodeError(envelope("", "", msg()), "Object 'Kind' is missing");
    assertDecodeError(envelope("v1", "Widget", msg()), "no kind \"Widget\" is registered for version \"v1\"");
    assertDecodeError(envelope("meta.k8s.io/v1", "Table", msg()), "Table has no protobuf encoding");
    // A length running past the end.
    assertDecodeError(concat(envelope("v1", "Pod", msg()), new byte[] {0x12, 0x05, 1}), "exceeds the remaining");
    // A truncated varint.
    assertDecodeError(envelope("v1", "Pod", new byte[] {0x08, (byte) 0x80}), "");
    // Wrong wire type: metadata.generation sent as a string.
    assertDecodeError(envelope("v1", "Pod", msg(bytes(1, msg(str(7, "1"))))), "metadata.generation: wire type 2, want 0");
    // Field number 0.
    assertDecodeError(envelope("v1", "Pod", new byte[] {0x00, 0x01}), "illegal field number 0");
    // An illegal wire type.
    assertDecodeError(envelope("v1", "Pod", key(50, 7)), "illegal wire type 7");
    // Embedded data that is neither JSON nor protobuf.
    assertDecodeError(envelope("apps/v1", "ControllerRevision", msg(bytes(2, msg(bytes(1, "{nope".getBytes()))))),
        "data: embedded object is neither JSON nor protobuf");
    assertDecodeError(concat(new byte[] {'k', '8', 's', 0}, msg(bytes(1, msg(str(1, "v1"), str(2, "Pod"))),
        str(3, "gzip"))), "unsupported content encoding \"gzip\"");
  }

  @Test
  void deepNestingIsRefused() {
    // Pod.spec.affinity... is finite; nest envelopes in RawExtensions instead.
    byte[] body = envelope("apps/v1", "ControllerRevision", msg());
    for (int i = 0; i < 150; i++) {
      body = envelope("apps/v1", "ControllerRevision", msg(bytes(2, msg(bytes(1, body)))));
    }
    byte[] deep = body;
    assertThatThrownBy(() -> codec.decode(deep, SCHEMA)).isInstanceOf(DecodeException.class)
        .hasMessageContaining("nested deeper than");
  }

  @Test
  void encodeRejectsTreesThatDoNotFit() {
    assertThatThrownBy(() -> codec.encode(JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Widget\"}"), SCHEMA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no kind \"Widget\"");
    assertThatThrownBy(() -> codec.encode(JSON.readTree(
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"spec\":{\"replicas\":\"three\"}}"), SCHEMA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spec.replicas: expected an integer");
    assertThatThrownBy(() -> codec.encode(JSON.readTree(
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"spec\":{\"replicas\":4294967296}}"), SCHEMA))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit an int32");
  }

  // ---------------------------------------------------------------- the model

  @Test
  void everyFieldOfEveryProtobufTypeHasANumber() {
    for (TypeSchema t : SCHEMA.types()) {
      for (FieldSchema f : t.fields()) {
        boolean typeMetaField = t.typeMeta() != null && (f.name().equals("apiVersion") || f.name().equals("kind"))
            && !f.hasProto();
        if (t.protobuf() && !typeMetaField) {
          assertThat(f.hasProto()).as("%s.%s has a protobuf number", t.name(), f.name()).isTrue();
        }
        if (!t.protobuf()) {
          assertThat(f.hasProto()).as("%s.%s", t.name(), f.name()).isFalse();
        }
      }
    }
    assertThat(SCHEMA.type("Table").protobuf()).isFalse();
    assertThat(SCHEMA.type("Eviction").typeMeta()).isEqualTo("policy/v1");
    assertThat(SCHEMA.typeForKind("policy/v1", "Eviction")).contains(SCHEMA.type("Eviction"));
    assertThat(SCHEMA.typeForKind("v1", "PodList")).contains(SCHEMA.type("PodList"));
    assertThat(SCHEMA.typeForKind("batch/v1", "DeleteOptions")).contains(SCHEMA.type("DeleteOptions"));
    assertThat(SCHEMA.typeForKind("apps/v1", "Pod")).isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  /**
   * A tree as upstream's JSON encoder would write it: without zero scalars in fields that are
   * neither pointers nor free of {@code omitempty} (the manifests were written by hand).
   */
  private static JsonNode upstreamJson(JsonNode tree) throws IOException {
    JsonNode copy = normalize(tree);
    TypeSchema type = SCHEMA.typeForKind(copy.path("apiVersion").asText(), copy.path("kind").asText()).orElseThrow();
    dropZeros(copy, type);
    return copy;
  }

  private static void dropZeros(JsonNode node, TypeSchema type) {
    if (!(node instanceof ObjectNode object)) {
      return;
    }
    for (FieldSchema f : type.fields()) {
      JsonNode v = object.get(f.name());
      if (v == null) {
        continue;
      }
      switch (f.type()) {
        case io.bosun.api.schema.TypeExpr.Scalar s -> {
          boolean zero = (v.isTextual() && v.textValue().isEmpty()) || (v.isBoolean() && !v.booleanValue())
              || (v.isNumber() && v.asDouble() == 0);
          if (zero && !f.keepZero() && List.of("string", "bytes", "boolean", "int32", "int64").contains(s.name())) {
            object.remove(f.name());
          }
        }
        case io.bosun.api.schema.TypeExpr.Ref r -> dropZeros(v, SCHEMA.type(r.type()));
        case io.bosun.api.schema.TypeExpr.ListOf l -> {
          if (l.element() instanceof io.bosun.api.schema.TypeExpr.Ref r) {
            v.forEach(item -> dropZeros(item, SCHEMA.type(r.type())));
          }
        }
        case io.bosun.api.schema.TypeExpr.MapOf m -> {
          if (m.value() instanceof io.bosun.api.schema.TypeExpr.Ref r) {
            v.forEach(item -> dropZeros(item, SCHEMA.type(r.type())));
          }
        }
      }
    }
  }

  /** The paths at which two trees differ, for readable failures. */
  private static List<String> differences(JsonNode actual, JsonNode expected, String path) {
    List<String> out = new ArrayList<>();
    if (actual != null && expected != null && actual.isObject() && expected.isObject()) {
      java.util.Set<String> names = new java.util.TreeSet<>();
      actual.fieldNames().forEachRemaining(names::add);
      expected.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        out.addAll(differences(actual.get(n), expected.get(n), path + "/" + n));
      }
    } else if (actual != null && expected != null && actual.isArray() && expected.isArray()
        && actual.size() == expected.size()) {
      for (int i = 0; i < actual.size(); i++) {
        out.addAll(differences(actual.get(i), expected.get(i), path + "/" + i));
      }
    } else if (actual == null || !actual.equals(expected)) {
      out.add(path + ": " + actual + " != " + expected);
    }
    return out;
  }

  private void assertDecodeError(byte[] body, String message) {
    assertThatThrownBy(() -> codec.decode(body, SCHEMA)).isInstanceOf(DecodeException.class)
        .hasMessageContaining(message);
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ProtobufCodecTest.class.getResourceAsStream("/manifests/" + name)) {
      return in.readAllBytes();
    }
  }

  private static JsonNode normalize(JsonNode node) throws IOException {
    return JSON.readTree(JSON.writeValueAsBytes(node));
  }

  static byte[] envelope(String apiVersion, String kind, byte[] raw) {
    return concat(new byte[] {'k', '8', 's', 0},
        msg(bytes(1, msg(str(1, apiVersion), str(2, kind))), bytes(2, raw), str(3, ""), str(4, "")));
  }

  static byte[] msg(byte[]... fields) {
    return concat(fields);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] varintBytes(long v) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
    return out.toByteArray();
  }

  static byte[] key(int number, int wireType) {
    return varintBytes((long) number << 3 | wireType);
  }

  static byte[] varint(int number, long v) {
    return concat(key(number, 0), varintBytes(v));
  }

  static byte[] bytes(int number, byte[] b) {
    return concat(key(number, 2), varintBytes(b.length), b);
  }

  static byte[] str(int number, String s) {
    return bytes(number, s.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] fixed64(int number, long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (8 * i));
    }
    return concat(key(number, 1), b);
  }

  static byte[] fixed32(int number, int v) {
    return concat(key(number, 5), new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
  }

  static byte[] group(int number, byte[] content) {
    return concat(key(number, 3), content, key(number, 4));
  }

  /** A map entry {key=1, value=2}; a null value leaves the value out. */
  static byte[] entry(int number, String k, byte[] value) {
    return bytes(number, value == null ? str(1, k) : msg(str(1, k), bytes(2, value)));
  }

  static byte[] hex(String s) {
    String h = s.replace(" ", "");
    byte[] out = new byte[h.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }
}
