package io.bosun.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.apiserver.TestServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input of every kind gets a 4xx Status body (never a 500), and leaves what is stored
 * exactly as it was: the store's revision does not move.
 */
class BadInputTest {

  @TempDir
  static Path dir;
  static TestServer api;

  @BeforeAll
  static void start() throws Exception {
    api = new TestServer(dir);
    var ok = api.post("/api/v1/namespaces/default/configmaps",
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"keep\"},\"data\":{\"k\":\"v\"}}");
    assertThat(ok.code()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private record Case(String method, String path, String contentType, String body, int code, String reason) {}

  @Test
  void everyBadRequestIsAClientErrorAndChangesNothing() throws Exception {
    String cm = "/api/v1/namespaces/default/configmaps";
    String keep = cm + "/keep";
    List<Case> cases = List.of(
        new Case("POST", cm, "application/json", "{\"apiVersion\":", 400, "BadRequest"),
        new Case("POST", cm, "application/json", "[1,2,3]", 400, "BadRequest"),
        new Case("POST", cm, "application/json", "", 400, "BadRequest"),
        new Case("POST", cm, "application/yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: [unclosed", 400,
            "BadRequest"),
        new Case("POST", cm, "application/yaml", "kind: ConfigMap\n  bad: indent\n -x", 400, "BadRequest"),
        new Case("POST", cm, "application/json", "{\"apiVersion\":\"apps/v1\",\"kind\":\"ConfigMap\",\"metadata\":"
            + "{\"name\":\"x\"}}", 400, "BadRequest"),
        new Case("POST", cm, "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":"
            + "{\"name\":\"x\"}}", 400, "BadRequest"),
        new Case("POST", cm, "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
            + "{\"name\":\"x\",\"namespace\":\"other\"}}", 400, "BadRequest"),
        new Case("POST", cm, "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
            + "{\"name\":\"-bad-\"}}", 422, "Invalid"),
        new Case("POST", cm, "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
            + "{\"name\":\"" + "a".repeat(254) + "\"}}", 422, "Invalid"),
        new Case("POST", cm, "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
            + "{}}", 422, "Invalid"),
        new Case("POST", cm, "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
            + "{\"name\":\"x\",\"labels\":{\"bad key!\":\"v\"}}}", 422, "Invalid"),
        new Case("POST", cm, "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
            + "{\"name\":\"x\"},\"data\":\"not a map\"}", 400, "BadRequest"),
        new Case("POST", cm + "?fieldValidation=Strict", "application/json", "{\"apiVersion\":\"v1\",\"kind\":"
            + "\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"bogus\":true}}", 400, "BadRequest"),
        new Case("POST", cm + "?fieldValidation=Strict", "application/json", "{\"apiVersion\":\"v1\",\"kind\":"
            + "\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"name\":\"y\"}}", 400, "BadRequest"),
        new Case("POST", cm + "?fieldValidation=Sometimes", "application/json", "{}", 400, "BadRequest"),
        new Case("POST", cm + "?dryRun=Maybe", "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
            + "\"metadata\":{\"name\":\"x\"}}", 400, "BadRequest"),
        new Case("POST", cm, "text/plain", "hello", 415, "UnsupportedMediaType"),
        new Case("POST", cm, "application/vnd.kubernetes.protobuf", "not protobuf", 400, "BadRequest"),
        new Case("PUT", keep, "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
            + "{\"name\":\"other\"}}", 400, "BadRequest"),
        new Case("PUT", keep, "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
            + "{\"name\":\"keep\",\"resourceVersion\":\"1\"}}", 409, "Conflict"),
        new Case("PUT", keep, "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
            + "{\"name\":\"keep\",\"resourceVersion\":\"banana\"}}", 400, "BadRequest"),
        new Case("PATCH", keep, "application/json-patch+json", "[{\"op\":\"test\",\"path\":\"/data/k\","
            + "\"value\":\"nope\"}]", 422, "Invalid"),
        new Case("PATCH", keep, "application/json-patch+json", "{\"op\":\"add\"}", 400, "BadRequest"),
        new Case("PATCH", keep, "application/merge-patch+json", "{\"metadata\":{\"name\":\"renamed\"}}", 400,
            "BadRequest"),
        new Case("PATCH", keep, "application/merge-patch+json", "{\"metadata\":{\"resourceVersion\":\"1\"}}", 409,
            "Conflict"),
        new Case("PATCH", keep, "application/strategic-merge-patch+json", "{\"data\":[1]}", 400, "BadRequest"),
        new Case("PATCH", keep, "application/apply-patch+yaml", "kind: ConfigMap", 400, "BadRequest"),
        new Case("PATCH", keep, "application/xml", "<x/>", 415, "UnsupportedMediaType"),
        new Case("DELETE", keep, "application/json", "{\"preconditions\":{\"uid\":\"wrong\"}}", 409, "Conflict"),
        new Case("DELETE", keep, "application/json", "{\"propagationPolicy\":\"Sideways\"}", 422, "Invalid"),
        new Case("DELETE", keep + "?gracePeriodSeconds=soon", null, null, 400, "BadRequest"),
        new Case("GET", cm + "?labelSelector=a%20in%20(b", null, null, 400, "BadRequest"),
        new Case("GET", cm + "?labelSelector=x%3D%3D%3Dy", null, null, 400, "BadRequest"),
        new Case("GET", cm + "?fieldSelector=data.k%3Dv", null, null, 400, "BadRequest"),
        new Case("GET", cm + "?limit=-x", null, null, 400, "BadRequest"),
        new Case("GET", cm + "?continue=garbage", null, null, 400, "BadRequest"),
        new Case("GET", cm + "?resourceVersion=abc", null, null, 400, "BadRequest"),
        new Case("GET", cm + "?watch=true&resourceVersion=-1", null, null, 400, "BadRequest"),
        new Case("GET", cm + "?resourceVersionMatch=Exact", null, null, 400, "BadRequest"),
        new Case("GET", "/api/v1/namespaces/default/nothings", null, null, 404, "NotFound"),
        new Case("GET", "/apis/nope/v1/things", null, null, 404, "NotFound"),
        new Case("GET", keep + "/scale", null, null, 404, "NotFound"));
    for (Case c : cases) {
      long before = api.store.revision();
      var reply = api.call(c.method(), c.path(), c.contentType(), c.body());
      String what = c.method() + " " + c.path() + " " + c.body() + " -> " + reply.body();
      assertThat(reply.code()).as(what).isEqualTo(c.code());
      JsonNode status = reply.json();
      assertThat(status).as(what).isNotNull();
      assertThat(status.path("kind").asText()).as(what).isEqualTo("Status");
      assertThat(status.path("status").asText()).as(what).isEqualTo("Failure");
      assertThat(status.path("reason").asText()).as(what).isEqualTo(c.reason());
      assertThat(status.path("code").asInt()).as(what).isEqualTo(c.code());
      assertThat(status.path("message").asText()).as(what).isNotEmpty();
      assertThat(api.store.revision()).as("store changed by " + what).isEqualTo(before);
    }
    var kept = api.get("/api/v1/namespaces/default/configmaps/keep");
    assertThat(kept.json().at("/data/k").asText()).isEqualTo("v");
  }

  @Test
  void oversizedBodiesAreRefusedWith413() throws Exception {
    long before = api.store.revision();
    var reply = api.post("/api/v1/namespaces/default/configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
        + "\"metadata\":{\"name\":\"big\"},\"data\":{\"k\":\"" + "x".repeat(3 * 1024 * 1024 + 10) + "\"}}");
    assertThat(reply.code()).isEqualTo(413);
    assertThat(reply.json().get("reason").asText()).isEqualTo("RequestEntityTooLarge");
    assertThat(api.store.revision()).isEqualTo(before);
  }

  @Test
  void watchFromACompactedRevisionEndsWithExpired() throws Exception {
    for (int i = 0; i < 5; i++) {
      api.post("/api/v1/namespaces/default/configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
          + "\"metadata\":{\"generateName\":\"c-\"}}");
    }
    api.store.compact(api.store.revision());
    var reply = api.get("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2&timeoutSeconds=5");
    assertThat(reply.code()).isEqualTo(200);
    JsonNode event = api.mapper.readTree(reply.body().lines().findFirst().orElseThrow());
    assertThat(event.get("type").asText()).isEqualTo("ERROR");
    assertThat(event.at("/object/code").asInt()).isEqualTo(410);
    assertThat(event.at("/object/reason").asText()).isEqualTo("Expired");

    var list = api.get("/api/v1/namespaces/default/configmaps?resourceVersion=2&resourceVersionMatch=Exact");
    assertThat(list.code()).isEqualTo(410);
    assertThat(list.json().get("reason").asText()).isEqualTo("Expired");
  }
}
