package io.bosun.itests.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.store.migrate.Migrate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The documented migration end to end: a control-plane runtime on the embedded store gets objects
 * through the API (created, updated, deleted), is stopped, {@code bosun migrate} copies its store
 * into etcd, and the same instance is started on etcd ({@code --store etcd --etcd-endpoints}):
 * every object reads back byte-for-byte identical, resourceVersion included, and an update with a
 * resourceVersion read before the migration still succeeds.
 */
class MigrationE2ETest {

  private static final String NS = "mig";

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private Path work;

  @AfterEach
  void tearDown() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
    Dirs.delete(work);
  }

  @Test
  void objectsAndResourceVersionsSurviveTheMoveToEtcd() throws Exception {
    assumeTrue(EtcdCluster.binary().isPresent(),
        "no etcd binary: install Debian's etcd-server (/usr/bin/etcd), or set -Dbosun.etcd.binary or $BOSUN_ETCD");
    Path runtime = Path.of(System.getProperty("bosun.runtime.dir"));
    work = Files.createDirectories(Path.of(System.getProperty("bosun.itest.work", "target/ha-work")))
        .resolve("migration-" + ProcessHandle.current().pid());
    Path instance = work.resolve("instance");
    EtcdCluster etcd = EtcdCluster.start(EtcdCluster.binary().get(), 1);
    cleanup.add(etcd);
    int port = EtcdCluster.freePorts(1)[0];

    // 1. On the embedded store (the default).
    ControlPlane embedded = ControlPlane.start(runtime, instance, port, "cp-mig", List.of());
    cleanup.add(embedded);
    Api api = new Api(embedded.url());
    assertThat(api.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\""
        + NS + "\"}}").code()).isEqualTo(201);
    for (int i = 0; i < 20; i++) {
      create(api, "configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm-" + i
          + "\",\"labels\":{\"i\":\"" + i + "\"}},\"data\":{\"n\":\"" + i + "\"}}");
    }
    create(api, "secrets", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},"
        + "\"stringData\":{\"password\":\"hunter2\"}}");
    create(api, "services", "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"svc\"},"
        + "\"spec\":{\"selector\":{\"app\":\"x\"},\"ports\":[{\"port\":80}]}}");
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 20; i += 4) {
        ObjectNode cm = (ObjectNode) api.get(path("configmaps", "cm-" + i)).body();
        ((ObjectNode) cm.get("data")).put("round", Integer.toString(round));
        assertThat(api.put(path("configmaps", "cm-" + i), cm.toString()).code()).isEqualTo(200);
      }
    }
    for (int i = 1; i < 20; i += 5) {
      assertThat(api.delete(path("configmaps", "cm-" + i)).code()).isEqualTo(200);
    }
    Map<String, String> before = snapshot(api);
    String listVersion = api.get("/api/v1/namespaces/" + NS + "/configmaps").body().path("metadata")
        .path("resourceVersion").asText();
    assertThat(before).hasSize(16 + 1 + 1 + 1);
    embedded.stop();

    // 2. The migration, as ./bosun migrate runs it.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = new Migrate(new PrintStream(out, true, StandardCharsets.UTF_8)).run("--from-data-dir",
        instance.resolve("data").toString(), "--to-etcd", etcd.endpoints());
    String report = out.toString(StandardCharsets.UTF_8);
    System.out.println(report);
    assertThat(code).as(report).isZero();
    assertThat(report).contains("(identical)");

    // 3. The same instance on etcd.
    ControlPlane onEtcd = ControlPlane.start(runtime, instance, port, "cp-mig",
        List.of("--store", "etcd", "--etcd-endpoints", etcd.endpoints()));
    cleanup.add(onEtcd);
    assertThat(onEtcd.log()).contains("etcd store on");
    Map<String, String> after = snapshot(api);
    assertThat(after).isEqualTo(before);
    assertThat(Files.readString(instance.resolve("etc/io.bosun.apiserver.cfg")))
        .contains("store.target = (bosun.store.backend=etcd)");

    // resourceVersions kept their meaning: an update with one read before the migration applies,
    // a stale one conflicts, and new writes get higher ones.
    ObjectNode cm0 = (ObjectNode) Api.JSON.readTree(before.get(path("configmaps", "cm-0")));
    ((ObjectNode) cm0.get("data")).put("after", "migration");
    Api.Reply updated = api.put(path("configmaps", "cm-0"), cm0.toString());
    assertThat(updated.code()).as(updated.text()).isEqualTo(200);
    assertThat(api.put(path("configmaps", "cm-0"), cm0.toString()).code()).isEqualTo(409);
    long newVersion = updated.body().path("metadata").path("resourceVersion").asLong();
    assertThat(newVersion).isGreaterThan(Long.parseLong(listVersion));

    // The history before the migration was not copied: a watch from an older resourceVersion is
    // told so (410 Expired) and lists again, as after an etcd compaction.
    AtomicReference<JsonNode> first = new AtomicReference<>();
    int watchCode = api.watch("/api/v1/namespaces/" + NS + "/configmaps?watch=true&resourceVersion=1"
        + "&timeoutSeconds=5", e -> first.compareAndSet(null, e));
    assertThat(watchCode == 410 || (first.get() != null && first.get().path("object").path("code").asInt() == 410))
        .as("watch from resourceVersion 1: HTTP %s, first event %s", watchCode, first.get()).isTrue();

    // kubectl sees the migrated objects too.
    if (Files.isExecutable(Path.of("/usr/bin/kubectl"))) {
      Path kubeconfig = work.resolve("kubeconfig");
      Files.writeString(kubeconfig, "apiVersion: v1\nkind: Config\nclusters: [{name: b, cluster: {server: '"
          + onEtcd.url() + "'}}]\ncontexts: [{name: b, context: {cluster: b, user: b}}]\ncurrent-context: b\n"
          + "users: [{name: b, user: {}}]\n");
      Process kubectl = new ProcessBuilder("/usr/bin/kubectl", "--kubeconfig", kubeconfig.toString(), "get", "secret",
          "s", "-n", NS, "-o", "jsonpath={.metadata.resourceVersion}").redirectErrorStream(true).start();
      String rv = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(rv).isEqualTo(Api.JSON.readTree(before.get(path("secrets", "s"))).path("metadata")
          .path("resourceVersion").asText());
    }
  }

  private static String path(String resource, String name) {
    return "/api/v1/namespaces/" + NS + "/" + resource + "/" + name;
  }

  private static void create(Api api, String resource, String json) throws Exception {
    Api.Reply r = api.post("/api/v1/namespaces/" + NS + "/" + resource, json);
    assertThat(r.code()).as(r.text()).isEqualTo(201);
  }

  /** Every object of the test namespace that no controller writes, plus the namespace, as the server sends it. */
  private static Map<String, String> snapshot(Api api) throws Exception {
    Map<String, String> objects = new TreeMap<>();
    for (String resource : List.of("configmaps", "secrets", "services")) {
      for (JsonNode item : api.get("/api/v1/namespaces/" + NS + "/" + resource).body().path("items")) {
        String name = item.path("metadata").path("name").asText();
        if (resource.equals("configmaps") && !name.startsWith("cm-")) {
          continue; // e.g. kube-root-ca.crt, owned by a controller
        }
        Api.Reply r = api.get(path(resource, name));
        assertThat(r.code()).isEqualTo(200);
        objects.put(path(resource, name), r.text());
      }
    }
    objects.put("/api/v1/namespaces/" + NS, api.get("/api/v1/namespaces/" + NS).text());
    return objects;
  }
}
