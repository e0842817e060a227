package io.bosun.apiserver.patch;

import static io.bosun.apiserver.patch.ServerSideApplyTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.api.schema.ApiSchema;
import org.junit.jupiter.api.Test;

class FieldSetTest {

  private static final String UPSTREAM = """
      {"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{}}}}}""";

  @Test
  void parsesAndWritesUpstreamEncoding() {
    FieldSet s = FieldSet.fromFieldsV1(Json.parse(UPSTREAM));
    assertThat(s.toString()).isEqualTo(UPSTREAM.strip());
    assertThat(s.paths()).containsExactly(".metadata.labels.app", ".spec.containers[name=\"nginx\"]",
        ".spec.containers[name=\"nginx\"].image");
  }

  @Test
  void writesElementsInUpstreamOrder() {
    FieldSet s = FieldSet.fromFieldsV1(Json.parse("""
        {"i:1":{},"v:\\"b\\"":{},"v:2":{},"k:{\\"port\\":80,\\"protocol\\":\\"TCP\\"}":{},"f:z":{},"f:a":{".":{},"f:x":{}}}"""));
    assertThat(s.toString()).isEqualTo(
        "{\"f:a\":{\".\":{},\"f:x\":{}},\"f:z\":{},\"k:{\\\"port\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{},"
            + "\"v:2\":{},\"v:\\\"b\\\"\":{},\"i:1\":{}}");
    assertThat(s.paths()).containsExactly(".a", ".z", "[port=80,protocol=\"TCP\"]", "[=2]", "[=\"b\"]", "[1]", ".a.x");
  }

  @Test
  void keysAreSortedAndNumbersCanonical() {
    FieldSet a = FieldSet.fromFieldsV1(Json.parse("{\"k:{\\\"protocol\\\":\\\"TCP\\\",\\\"port\\\":80}\":{}}"));
    FieldSet b = FieldSet.fromFieldsV1(Json.parse("{\"k:{\\\"port\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{}}"));
    assertThat(a).isEqualTo(b);
  }

  @Test
  void setAlgebra() {
    FieldSet a = FieldSet.ofPaths("spec.replicas", "spec.paused", "metadata.labels");
    FieldSet b = FieldSet.ofPaths("spec.replicas", "status");
    assertThat(a.union(b).paths()).containsExactly(".status", ".metadata.labels", ".spec.paused", ".spec.replicas");
    assertThat(a.intersection(b).paths()).containsExactly(".spec.replicas");
    assertThat(a.difference(b).paths()).containsExactly(".metadata.labels", ".spec.paused");
    assertThat(a.difference(a).isEmpty()).isTrue();
    assertThat(FieldSet.empty().union(a)).isEqualTo(a);
  }

  @Test
  void differenceIsExactWhileRecursiveDifferenceTakesSubtrees() {
    FieldSet s = FieldSet.ofPaths("metadata", "metadata.labels.app");
    assertThat(s.difference(FieldSet.ofPaths("metadata")).paths()).containsExactly(".metadata.labels.app");
    assertThat(s.recursiveDifference(FieldSet.ofPaths("metadata")).isEmpty()).isTrue();
  }

  @Test
  void rejectsMalformedEncodings() {
    assertThatThrownBy(() -> FieldSet.fromFieldsV1(Json.parse("{\"x:y\":{}}")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FieldSet.fromFieldsV1(Json.parse("{\"f:a\":1}")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fieldsOfAnObjectFollowTheSchema() throws Exception {
    Typed typed = new Typed(FixtureTypes.INSTANCE);
    JsonNode pod = json("""
        {'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','labels':{'a':'1'},'finalizers':['x'],'annotations':{}},
         'spec':{'nodeSelector':{'disk':'ssd'},'tolerations':[{'key':'k'}],'imagePullSecrets':[{'name':'r'}],
          'containers':[{'name':'c','image':'i','ports':[{'containerPort':80}],'args':['a'],'env':[]}],
          'securityContext':{},'unknownField':{'deep':{'x':1}}}}""");
    FieldSet s = typed.toFieldSet(pod, typed.root("Pod"), true);
    // Depth first, members before children, as upstream iterates; the atomic image pull secret
    // item has no children, the empty env list and the map-typed empty annotations are as upstream.
    assertThat(s.paths()).containsExactly(".apiVersion", ".kind", ".metadata.annotations", ".metadata.name",
        ".metadata.finalizers[=\"x\"]", ".metadata.labels.a", ".spec.nodeSelector", ".spec.securityContext",
        ".spec.tolerations", ".spec.unknownField", ".spec.containers[name=\"c\"]",
        ".spec.containers[name=\"c\"].args", ".spec.containers[name=\"c\"].image",
        ".spec.containers[name=\"c\"].name", ".spec.containers[name=\"c\"].ports[containerPort=80,protocol=\"TCP\"]",
        ".spec.containers[name=\"c\"].ports[containerPort=80,protocol=\"TCP\"].containerPort",
        ".spec.imagePullSecrets[name=\"r\"]", ".spec.unknownField.deep", ".spec.unknownField.deep.x");
  }

  @Test
  void fromObjectWithTheRealSchema() {
    ApiSchema schema = ApiSchema.load();
    FieldSet s = FieldSet.fromObject(json("""
        {'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','labels':{'app':'x'}},'data':{'k':'v'}}"""),
        schema.type("ConfigMap"), schema);
    assertThat(s.toString()).isEqualTo(
        "{\"f:apiVersion\":{},\"f:data\":{\"f:k\":{}},\"f:kind\":{},\"f:metadata\":{\"f:labels\":{\"f:app\":{}},\"f:name\":{}}}");
  }
}
