package io.bosun.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.apiserver.TestServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST verbs against a real server and store: status codes, bodies and metadata semantics. */
class RestApiTest {

  @TempDir
  static Path dir;
  static TestServer api;

  @BeforeAll
  static void start() throws Exception {
    api = new TestServer(dir);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static String configMap(String name, String value) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
        + "\",\"labels\":{\"app\":\"web\"}},\"data\":{\"k\":\"" + value + "\"}}";
  }

  @Test
  void createGetListUpdateDelete() throws Exception {
    var created = api.post("/api/v1/namespaces/default/configmaps", configMap("crud", "v1"));
    assertThat(created.code()).as(created.body()).isEqualTo(201);
    JsonNode meta = created.json().get("metadata");
    assertThat(meta.get("uid").asText()).isNotEmpty();
    assertThat(meta.get("creationTimestamp").asText()).endsWith("Z");
    assertThat(meta.get("namespace").asText()).isEqualTo("default");
    String rv = meta.get("resourceVersion").asText();

    var got = api.get("/api/v1/namespaces/default/configmaps/crud");
    assertThat(got.code()).isEqualTo(200);
    assertThat(got.json().at("/data/k").asText()).isEqualTo("v1");
    assertThat(got.json().at("/metadata/resourceVersion").asText()).isEqualTo(rv);

    var dup = api.post("/api/v1/namespaces/default/configmaps", configMap("crud", "v1"));
    assertThat(dup.code()).isEqualTo(409);
    assertThat(dup.json().get("reason").asText()).isEqualTo("AlreadyExists");
    assertThat(dup.json().get("message").asText()).isEqualTo("configmaps \"crud\" already exists");

    String update = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"crud\",\"resourceVersion\":\""
        + rv + "\",\"labels\":{\"app\":\"web\"}},\"data\":{\"k\":\"v2\"}}";
    var updated = api.put("/api/v1/namespaces/default/configmaps/crud", update);
    assertThat(updated.code()).as(updated.body()).isEqualTo(200);
    assertThat(updated.json().at("/metadata/uid").asText()).isEqualTo(meta.get("uid").asText());
    var stale = api.put("/api/v1/namespaces/default/configmaps/crud", update);
    assertThat(stale.code()).isEqualTo(409);
    assertThat(stale.json().get("reason").asText()).isEqualTo("Conflict");
    assertThat(stale.json().get("message").asText()).contains("the object has been modified");

    var list = api.get("/api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb");
    assertThat(list.code()).isEqualTo(200);
    assertThat(list.json().get("kind").asText()).isEqualTo("ConfigMapList");
    assertThat(list.json().get("items").size()).isGreaterThanOrEqualTo(1);

    var deleted = api.delete("/api/v1/namespaces/default/configmaps/crud");
    assertThat(deleted.code()).isEqualTo(200);
    assertThat(deleted.json().get("status").asText()).isEqualTo("Success");
    var gone = api.get("/api/v1/namespaces/default/configmaps/crud");
    assertThat(gone.code()).isEqualTo(404);
    assertThat(gone.json().get("message").asText()).isEqualTo("configmaps \"crud\" not found");
    assertThat(gone.json().at("/details/kind").asText()).isEqualTo("configmaps");
  }

  @Test
  void paginationWithContinueIsConsistent() throws Exception {
    api.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"paging\"}}");
    for (int i = 0; i < 7; i++) {
      assertThat(api.post("/api/v1/namespaces/paging/configmaps", configMap("cm-" + i, "x")).code()).isEqualTo(201);
    }
    List<String> names = new ArrayList<>();
    String cont = "";
    String firstRv = null;
    int pages = 0;
    do {
      var page = api.get("/api/v1/namespaces/paging/configmaps?limit=3" + (cont.isEmpty() ? "" : "&continue=" + cont));
      assertThat(page.code()).as(page.body()).isEqualTo(200);
      page.json().get("items").forEach(i -> names.add(i.at("/metadata/name").asText()));
      if (firstRv == null) {
        firstRv = page.json().at("/metadata/resourceVersion").asText();
        assertThat(page.json().at("/metadata/remainingItemCount").asLong()).isEqualTo(4);
        // A write between pages must not show up in later pages.
        api.post("/api/v1/namespaces/paging/configmaps", configMap("cm-9", "late"));
      } else {
        assertThat(page.json().at("/metadata/resourceVersion").asText()).isEqualTo(firstRv);
      }
      cont = page.json().at("/metadata/continue").asText("");
      pages++;
    } while (!cont.isEmpty());
    assertThat(pages).isEqualTo(3);
    assertThat(names).containsExactly("cm-0", "cm-1", "cm-2", "cm-3", "cm-4", "cm-5", "cm-6");
  }

  @Test
  void errorsAreStatusBodies() throws Exception {
    var malformed = api.post("/api/v1/namespaces/default/configmaps", "{not json");
    assertThat(malformed.code()).isEqualTo(400);
    assertThat(malformed.json().get("kind").asText()).isEqualTo("Status");

    var wrongKind = api.post("/api/v1/namespaces/default/configmaps",
        "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"x\"}}");
    assertThat(wrongKind.code()).isEqualTo(400);

    var badName = api.post("/api/v1/namespaces/default/configmaps", configMap("Bad_Name", "x"));
    assertThat(badName.code()).isEqualTo(422);
    assertThat(badName.json().get("reason").asText()).isEqualTo("Invalid");
    assertThat(badName.json().at("/details/causes/0/field").asText()).isEqualTo("metadata.name");

    var strict = api.post("/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"strict\"},\"bogus\":1}");
    assertThat(strict.code()).isEqualTo(400);
    assertThat(strict.json().get("message").asText()).contains("unknown field \"bogus\"");
    assertThat(api.get("/api/v1/namespaces/default/configmaps/strict").code()).isEqualTo(404);

    var warned = api.post("/api/v1/namespaces/default/configmaps",
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"warned\"},\"bogus\":1}");
    assertThat(warned.code()).isEqualTo(201);
    assertThat(warned.headers().allValues("Warning")).anyMatch(w -> w.contains("unknown field \\\"bogus\\\""));

    var badSelector = api.get("/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(");
    assertThat(badSelector.code()).isEqualTo(400);
    var badField = api.get("/api/v1/pods?fieldSelector=spec.bogus%3Dx");
    assertThat(badField.code()).isEqualTo(400);
    assertThat(badField.json().get("message").asText()).isEqualTo("field label not supported: spec.bogus");
    var badRv = api.get("/api/v1/namespaces/default/configmaps?resourceVersion=abc&resourceVersionMatch=Exact");
    assertThat(badRv.code()).isEqualTo(400);

    var missingNs = api.post("/api/v1/namespaces/nope/configmaps", configMap("x", "y"));
    assertThat(missingNs.code()).isEqualTo(404);
    assertThat(missingNs.json().get("message").asText()).isEqualTo("namespaces \"nope\" not found");

    var huge = api.post("/api/v1/namespaces/default/configmaps", configMap("huge", "x".repeat(4 * 1024 * 1024)));
    assertThat(huge.code()).isEqualTo(413);

    var unknownPath = api.get("/api/v1/bogus");
    assertThat(unknownPath.code()).isEqualTo(404);
    var unsupportedPatch = api.patch("/api/v1/namespaces/default/configmaps/warned", "text/plain", "{}");
    assertThat(unsupportedPatch.code()).isEqualTo(415);
  }

  @Test
  void generationAndStatusSubresource() throws Exception {
    String deployment = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},"
        + "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":"
        + "{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.25\"}]}}},"
        + "\"status\":{\"replicas\":99}}";
    var created = api.post("/apis/apps/v1/namespaces/default/deployments", deployment);
    assertThat(created.code()).as(created.body()).isEqualTo(201);
    assertThat(created.json().at("/metadata/generation").asInt()).isEqualTo(1);
    assertThat(created.json().at("/status/replicas").isMissingNode()).isTrue();
    assertThat(created.json().at("/spec/strategy/type").asText()).isEqualTo("RollingUpdate");

    var scaled = api.patch("/apis/apps/v1/namespaces/default/deployments/web/scale", "application/merge-patch+json",
        "{\"spec\":{\"replicas\":5}}");
    assertThat(scaled.code()).as(scaled.body()).isEqualTo(200);
    assertThat(scaled.json().get("kind").asText()).isEqualTo("Scale");
    assertThat(scaled.json().at("/spec/replicas").asInt()).isEqualTo(5);
    var after = api.get("/apis/apps/v1/namespaces/default/deployments/web");
    assertThat(after.json().at("/metadata/generation").asInt()).isEqualTo(2);

    var status = api.call("PUT", "/apis/apps/v1/namespaces/default/deployments/web/status", "application/json",
        after.json().deepCopy().toString().replace("\"status\":{}", "\"status\":{\"replicas\":5}"));
    assertThat(status.code()).as(status.body()).isEqualTo(200);
    assertThat(status.json().at("/status/replicas").asInt()).isEqualTo(5);
    assertThat(status.json().at("/metadata/generation").asInt()).isEqualTo(2);
  }

  @Test
  void watchStreamsChangesFromAResourceVersion() throws Exception {
    var first = api.post("/api/v1/namespaces/default/configmaps", configMap("watched", "a"));
    String rv = first.json().at("/metadata/resourceVersion").asText();
    HttpRequest req = HttpRequest.newBuilder(URI.create(api.base()
        + "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=" + rv
        + "&fieldSelector=metadata.name%3Dwatched&timeoutSeconds=10")).timeout(Duration.ofSeconds(30)).build();
    HttpResponse<java.io.InputStream> stream = api.http().send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    api.patch("/api/v1/namespaces/default/configmaps/watched", "application/merge-patch+json",
        "{\"data\":{\"k\":\"b\"}}");
    api.delete("/api/v1/namespaces/default/configmaps/watched");
    List<String> types = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      String line;
      while (types.size() < 2 && (line = r.readLine()) != null) {
        JsonNode ev = api.mapper.readTree(line);
        types.add(ev.get("type").asText());
        assertThat(ev.at("/object/metadata/name").asText()).isEqualTo("watched");
      }
    }
    assertThat(types).containsExactly("MODIFIED", "DELETED");
  }

  @Test
  void unchangedWritesChangeNothing() throws Exception {
    String deployment = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"same\"},"
        + "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"same\"}},\"template\":{\"metadata\":"
        + "{\"labels\":{\"app\":\"same\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.25\","
        + "\"ports\":[{\"containerPort\":80}]}]}}}}";
    String path = "/apis/apps/v1/namespaces/default/deployments/same?fieldManager=tester&force=true";
    var first = api.call("PATCH", path, "application/apply-patch+yaml", deployment);
    assertThat(first.code()).as(first.body()).isEqualTo(201);
    var again = api.call("PATCH", path, "application/apply-patch+yaml", deployment);
    assertThat(again.code()).isEqualTo(200);
    assertThat(again.json().at("/metadata/resourceVersion").asText())
        .isEqualTo(first.json().at("/metadata/resourceVersion").asText());
    assertThat(again.json().at("/metadata/generation").asInt()).isEqualTo(1);

    var put = api.put("/apis/apps/v1/namespaces/default/deployments/same", again.json().toString());
    assertThat(put.code()).as(put.body()).isEqualTo(200);
    assertThat(put.json().at("/metadata/resourceVersion").asText())
        .isEqualTo(first.json().at("/metadata/resourceVersion").asText());
  }

  @Test
  void watchListSendsInitialEventsThenABookmark() throws Exception {
    api.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"wl\"}}");
    api.post("/api/v1/namespaces/wl/configmaps", configMap("one", "1"));
    api.post("/api/v1/namespaces/wl/configmaps", configMap("two", "2"));
    var reply = api.get("/api/v1/namespaces/wl/configmaps?watch=true&sendInitialEvents=true"
        + "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1");
    List<JsonNode> events = new ArrayList<>();
    for (String line : reply.body().lines().toList()) {
      events.add(api.mapper.readTree(line));
    }
    assertThat(events).hasSizeGreaterThanOrEqualTo(3);
    assertThat(events.get(0).get("type").asText()).isEqualTo("ADDED");
    assertThat(events.get(1).get("type").asText()).isEqualTo("ADDED");
    assertThat(events.get(2).get("type").asText()).isEqualTo("BOOKMARK");
    assertThat(events.get(2).at("/object/metadata/annotations/k8s.io~1initial-events-end").asText())
        .isEqualTo("true");
    assertThat(events.get(2).at("/object/metadata/resourceVersion").asLong())
        .isGreaterThanOrEqualTo(events.get(1).at("/object/metadata/resourceVersion").asLong());

    var forbidden = api.get("/api/v1/namespaces/wl/configmaps?watch=true&sendInitialEvents=true");
    assertThat(forbidden.code()).isEqualTo(422);
  }

  @Test
  void discoveryAndHealth() throws Exception {
    assertThat(api.get("/readyz").body()).isEqualTo("ok");
    assertThat(api.get("/version").json().get("major").asText()).isEqualTo("1");
    assertThat(api.get("/api").json().get("versions").get(0).asText()).isEqualTo("v1");
    JsonNode core = api.get("/api/v1").json();
    assertThat(core.get("resources").findValuesAsText("name")).contains("pods", "pods/status", "namespaces",
        "configmaps");
    JsonNode groups = api.get("/apis").json();
    assertThat(groups.get("groups").findValuesAsText("name")).contains("apps", "batch", "coordination.k8s.io");
    assertThat(api.get("/apis/apps/v1").json().get("resources").findValuesAsText("name"))
        .contains("deployments", "deployments/scale");
    assertThat(api.get("/metrics").body()).contains("apiserver_request_total");
    assertThat(api.get("/api/v1/namespaces/kube-system").code()).isEqualTo(200);
  }
}
