package io.bosun.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The vendor example ({@code plugins-scheduler/example-vendor}, plugin {@code NodeTier}) used as
 * plugins-scheduler/README.md's how-to says, in the running all-in-one runtime: installed with
 * {@code bosun plugins install} (the CLI's jar, as {@code ./bosun} runs it), named in a new profile
 * with {@code bosun scheduler set --profiles} (the ConfigMap kube-system/bosun-scheduler-profiles),
 * used for pods of that profile on nodes created as API objects (next to the runtime's own node);
 * then removed with {@code bosun plugins remove}: the profile's new pods wait with the documented
 * {@code SchedulerError} condition and {@code FailedScheduling} event while other profiles go on;
 * then dropped into the instance's {@code plugins/} folder, after which the waiting pod is placed;
 * then updated in place to a new version with {@code bosun plugins update} and used again. No bundle
 * but the plugin's is restarted or replaced meanwhile.
 */
@ExtendWith(BosunCluster.class)
class VendorSchedulerPluginTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String NS = "vendor-plugin";
  private static final String PROFILE = "vendor-tier";
  /** The plugin's name in the runtime: {@code bosun plugins install} names it after the symbolic name. */
  private static final String PLUGIN_FILE = "com.example.bosun.tier";
  private static final String PLUGINS = "/apis/platform.bosun.io/v1alpha1/plugins";
  private static final String PROFILES_CM = "/api/v1/namespaces/kube-system/configmaps/bosun-scheduler-profiles";
  private static final String NOT_INSTALLED = "plugin NodeTier of profile vendor-tier is not installed";
  /** node -> tier; gold and silver take two 1-CPU pods, bronze four. */
  private static final Map<String, String> NODES = Map.of("tier-gold", "gold", "tier-silver", "silver",
      "tier-bronze", "bronze");

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private BosunCluster cluster;
  private String base;

  @Test
  void droppedInPluginPlacesPodsAndItsRemovalMakesThemWait(BosunCluster cluster) throws Exception {
    this.cluster = cluster;
    base = cluster.url();
    Path jar = Path.of(System.getProperty("bosun.example.plugin"));
    send("POST", "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + NS
        + "\"}}", 201);
    List<String> pods = new ArrayList<>();
    try {
      for (var n : NODES.entrySet()) {
        node(n.getKey(), n.getValue(), n.getValue().equals("bronze") ? "4" : "2");
      }
      List<String> bundlesBefore = runtimeBundles();
      String leader = status().path("leader").asText();

      // Install: the CLI uploads the jar and waits for the bundle; the scheduler sees its PluginFactory arrive.
      CliResult installed = bosun("plugins", "install", jar.toString()).ok();
      assertThat(installed.out()).contains("plugin " + PLUGIN_FILE + " uploaded (com.example.bosun.tier)");
      awaitPluginActive();

      // A profile using it, next to the default one (the key replaces the whole profile list).
      Path profiles = cluster.work().resolve("vendor-profiles.yaml");
      Files.writeString(profiles, """
          - schedulerName: default-scheduler
            policy: default
          - schedulerName: vendor-tier
            policy: default
            plugins:
              multiPoint:
                enabled: [{name: NodeTier, weight: 10}]
            pluginConfig:
            - name: NodeTier
              args: {labelKey: example.com/tier, tiers: [gold, silver, bronze], requireTier: true}
          """);
      bosun("scheduler", "set", "--profiles", profiles.toString()).ok();
      await("profile vendor-tier ready with NodeTier", () -> {
        JsonNode p = profile(PROFILE);
        return p != null && p.path("ready").asBoolean() && p.path("plugins").path("filter").toString().contains("NodeTier")
            && p.path("plugins").path("score").toString().contains("{\"name\":\"NodeTier\",\"weight\":10}");
      });
      assertThat(status().path("installedPlugins").has("NodeTier")).isTrue();
      assertThat(bosun("scheduler", "profiles").ok().lines())
          .anySatisfy(l -> assertThat(l.split("\\s+")).startsWith(PROFILE, "default", "yes"));

      // A pod's own order (annotation) first, then the profile's: gold fills, then silver, then bronze.
      pods.add("own-order");
      createPod("own-order", PROFILE, "silver,bronze");
      assertThat(boundNode("own-order")).isEqualTo("tier-silver");
      for (String[] expected : new String[][] {{"p1", "tier-gold"}, {"p2", "tier-gold"}, {"p3", "tier-silver"},
          {"p4", "tier-bronze"}}) {
        pods.add(expected[0]);
        createPod(expected[0], PROFILE, null);
        assertThat(boundNode(expected[0])).as(expected[0]).isEqualTo(expected[1]);
      }
      await("Scheduled event of p4", () -> hasEvent("p4", "Scheduled", "Successfully assigned " + NS + "/p4 to tier-bronze"));

      // Removed: the profile cannot schedule; its pods wait with the documented condition and event.
      assertThat(bosun("plugins", "remove", PLUGIN_FILE).ok().out()).contains("plugin " + PLUGIN_FILE + " deleted");
      await("vendor-tier not ready", () -> {
        JsonNode p = profile(PROFILE);
        return p != null && !p.path("ready").asBoolean() && p.path("problems").toString().contains(NOT_INSTALLED);
      });
      assertThat(bosun("scheduler", "profiles").ok().out()).contains("! " + PROFILE + ": " + NOT_INSTALLED);
      pods.add("waiting");
      createPod("waiting", PROFILE, null);
      await("PodScheduled=False SchedulerError", () -> {
        JsonNode c = condition("waiting");
        return c != null && c.path("status").asText().equals("False") && c.path("reason").asText().equals("SchedulerError")
            && c.path("message").asText().equals(NOT_INSTALLED);
      });
      await("FailedScheduling event", () -> hasEvent("waiting", "FailedScheduling", NOT_INSTALLED));
      assertThat(nodeOf("waiting")).isEmpty();
      // Other profiles are not affected (pinned to a fake node, so the runtime's kubelet runs nothing).
      pods.add("default-pod");
      createPod("default-pod", "default-scheduler", null, "tier-bronze");
      assertThat(boundNode("default-pod")).isEqualTo("tier-bronze");
      assertThat(nodeOf("waiting")).as("still waiting").isEmpty();
      assertThat(pod("waiting").path("status").path("phase").asText()).isEqualTo("Pending");

      // Back again, this time dropped into the instance's plugins/ folder: the waiting pod resumes and
      // follows the plugin (gold and silver are full).
      Path folder = Path.of(send("GET", PLUGINS, null, 200).path("metadata").path("directory").asText());
      Path part = folder.resolve(PLUGIN_FILE + ".jar.part"); // not matched by FileInstall's .*\.jar while written
      Files.copy(jar, part);
      Files.move(part, folder.resolve(PLUGIN_FILE + ".jar"), StandardCopyOption.ATOMIC_MOVE);
      awaitPluginActive();
      assertThat(boundNode("waiting")).isEqualTo("tier-bronze");
      await("Scheduled event", () -> hasEvent("waiting", "Scheduled", "Successfully assigned " + NS + "/waiting to tier-bronze"));
      await("vendor-tier ready again", () -> {
        JsonNode p = profile(PROFILE);
        return p != null && p.path("ready").asBoolean();
      });

      // Updated in place (a new version of the jar): same bundle, new version, the profile uses it.
      long bundleId = send("GET", PLUGINS + "/" + PLUGIN_FILE, null, 200).path("bundle").path("id").asLong();
      Path v2 = withBundleVersion(jar, "1.0.1", cluster.work().resolve("node-tier-1.0.1.jar"));
      assertThat(bosun("plugins", "update", PLUGIN_FILE, v2.toString()).ok().out())
          .contains("plugin " + PLUGIN_FILE + " replaced");
      JsonNode updated = send("GET", PLUGINS + "/" + PLUGIN_FILE, null, 200).path("bundle");
      assertThat(updated.path("id").asLong()).isEqualTo(bundleId);
      assertThat(updated.path("version").asText()).isEqualTo("1.0.1");
      assertThat(updated.path("state").asText()).isEqualTo("ACTIVE");
      await("vendor-tier ready after the update", () -> {
        JsonNode p = profile(PROFILE);
        return p != null && p.path("ready").asBoolean();
      });
      pods.add("after-update");
      createPod("after-update", PROFILE, null);
      assertThat(boundNode("after-update")).isEqualTo("tier-bronze");

      // Nothing else was restarted: same bundles (ids, states), same scheduler leader.
      assertThat(runtimeBundles()).isEqualTo(bundlesBefore);
      assertThat(status().path("leader").asText()).isEqualTo(leader);
    } finally {
      cleanup(pods);
    }
  }

  // ---- cluster objects ----------------------------------------------------------------------

  /** A node as a kubelet would register it (capacity, Ready), with a tier label; no kubelet runs it. */
  private void node(String name, String tier, String cpu) throws Exception {
    send("POST", "/api/v1/nodes", json.writeValueAsString(Map.of("apiVersion", "v1", "kind", "Node",
        "metadata", Map.of("name", name, "labels", Map.of("kubernetes.io/hostname", name, "example.com/tier", tier)))),
        201);
    ObjectNode n = (ObjectNode) send("GET", "/api/v1/nodes/" + name, null, 200);
    ObjectNode status = n.putObject("status");
    for (String k : List.of("capacity", "allocatable")) {
      status.putObject(k).put("cpu", cpu).put("memory", "8Gi").put("pods", "110");
    }
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    status.putArray("conditions").addObject().put("type", "Ready").put("status", "True").put("reason", "KubeletReady")
        .put("lastHeartbeatTime", now).put("lastTransitionTime", now);
    send("PUT", "/api/v1/nodes/" + name + "/status", json.writeValueAsString(n), 200);
  }

  /**
   * A 1-CPU pod. It tolerates every taint: the fake nodes have no kubelet, so the node lifecycle
   * controller may taint them unreachable while the test runs; placement is the plugin's business.
   */
  private void createPod(String name, String scheduler, String tiers) throws Exception {
    createPod(name, scheduler, tiers, null);
  }

  private void createPod(String name, String scheduler, String tiers, String hostname) throws Exception {
    ObjectNode pod = json.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode meta = pod.putObject("metadata").put("name", name);
    if (tiers != null) {
      meta.putObject("annotations").put("example.com/tiers", tiers);
    }
    ObjectNode spec = pod.putObject("spec").put("schedulerName", scheduler).put("terminationGracePeriodSeconds", 0);
    spec.putArray("tolerations").addObject().put("operator", "Exists");
    if (hostname != null) {
      spec.putObject("nodeSelector").put("kubernetes.io/hostname", hostname);
    }
    spec.putArray("containers").addObject().put("name", "c").put("image", "busybox:1.36").putObject("resources")
        .putObject("requests").put("cpu", "1").put("memory", "64Mi");
    send("POST", "/api/v1/namespaces/" + NS + "/pods", json.writeValueAsString(pod), 201);
  }

  private void awaitPluginActive() throws Exception {
    await("plugin bundle ACTIVE", () -> {
      JsonNode p = send("GET", PLUGINS + "/" + PLUGIN_FILE, null, -1);
      return p != null && p.path("bundle").path("state").asText().equals("ACTIVE")
          && p.path("bundle").path("symbolicName").asText().equals("com.example.bosun.tier");
    });
  }

  /** A copy of the bundle {@code jar} with another Bundle-Version (what a vendor's next build would be). */
  private static Path withBundleVersion(Path jar, String version, Path out) throws IOException {
    try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
      Manifest mf = new Manifest(in.getManifest());
      mf.getMainAttributes().putValue("Bundle-Version", version);
      try (JarOutputStream o = new JarOutputStream(Files.newOutputStream(out), mf)) {
        for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
          o.putNextEntry(new JarEntry(e.getName()));
          in.transferTo(o);
          o.closeEntry();
        }
      }
    }
    return out;
  }

  /** Every bundle of the runtime that is not a dropped-in plugin, as "id symbolicName state". */
  private List<String> runtimeBundles() throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode b : send("GET", "/apis/platform.bosun.io/v1alpha1/bundles", null, 200).path("items")) {
      if (!b.path("plugin").asBoolean()) {
        out.add(b.path("id").asText() + " " + b.path("symbolicName").asText() + " " + b.path("state").asText());
      }
    }
    assertThat(out).anySatisfy(b -> assertThat(b).endsWith(" io.bosun.scheduler ACTIVE"));
    return out;
  }

  private void cleanup(List<String> pods) throws Exception {
    // Back to the runtime's own profiles first, so nothing else is scheduled with ours.
    send("DELETE", PROFILES_CM, null, -1);
    send("DELETE", PLUGINS + "/" + PLUGIN_FILE, null, -1);
    for (String p : pods) {
      send("DELETE", "/api/v1/namespaces/" + NS + "/pods/" + p + "?gracePeriodSeconds=0", null, -1);
    }
    for (String n : NODES.keySet()) {
      send("DELETE", "/api/v1/nodes/" + n, null, -1);
    }
    send("DELETE", "/api/v1/namespaces/" + NS, null, -1);
  }

  // ---- reading ------------------------------------------------------------------------------

  /** The scheduler's published status (ConfigMap kube-system/bosun-scheduler, key status.json). */
  private JsonNode status() throws Exception {
    JsonNode cm = send("GET", "/api/v1/namespaces/kube-system/configmaps/bosun-scheduler", null, -1);
    String text = cm == null ? null : cm.path("data").path("status.json").asText(null);
    return text == null ? json.createObjectNode() : json.readTree(text);
  }

  private JsonNode profile(String name) throws Exception {
    for (JsonNode p : status().path("profiles")) {
      if (p.path("schedulerName").asText().equals(name)) {
        return p;
      }
    }
    return null;
  }

  private JsonNode pod(String name) throws Exception {
    return send("GET", "/api/v1/namespaces/" + NS + "/pods/" + name, null, 200);
  }

  private String nodeOf(String pod) throws Exception {
    return pod(pod).path("spec").path("nodeName").asText("");
  }

  /** Waits until the pod is bound and returns its node. */
  private String boundNode(String pod) throws Exception {
    await(pod + " bound", () -> !nodeOf(pod).isEmpty());
    return nodeOf(pod);
  }

  private JsonNode condition(String pod) throws Exception {
    for (JsonNode c : pod(pod).path("status").path("conditions")) {
      if (c.path("type").asText().equals("PodScheduled")) {
        return c;
      }
    }
    return null;
  }

  private boolean hasEvent(String pod, String reason, String message) throws Exception {
    String selector = URLEncoder.encode("involvedObject.name=" + pod, StandardCharsets.UTF_8);
    for (JsonNode e : send("GET", "/api/v1/namespaces/" + NS + "/events?fieldSelector=" + selector, null, 200)
        .path("items")) {
      if (e.path("reason").asText().equals(reason) && e.path("message").asText().contains(message)) {
        return true;
      }
    }
    return false;
  }

  // ---- the bosun CLI -----------------------------------------------------------------------

  /** The outcome of one CLI run. */
  private record CliResult(int exit, String out, String err, String command) {
    CliResult ok() {
      if (exit != 0) {
        throw new AssertionError("bosun " + command + " failed with " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err);
      }
      return this;
    }

    List<String> lines() {
      return out.lines().toList();
    }
  }

  /**
   * Runs the CLI's jar as {@code ./bosun} does (piped output, so no progress lines or colours), with
   * the cluster's kubeconfig and a private HOME.
   */
  private CliResult bosun(String... args) throws Exception {
    Path home = cluster.work().resolve("bosun-cli-home");
    Files.createDirectories(home);
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", System.getProperty("bosun.cli.jar")));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("HOME", home.toString());
    pb.environment().put("KUBECONFIG", cluster.kubeconfig().toString());
    pb.environment().put("BOSUN_TTY", "0");
    Path out = Files.createTempFile(home, "out", ".txt");
    Path err = Files.createTempFile(home, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE)
        .start();
    p.getOutputStream().close();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bosun " + String.join(" ", args) + " did not finish in 120 s");
    }
    CliResult r = new CliResult(p.exitValue(), Files.readString(out), Files.readString(err), String.join(" ", args));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  @FunctionalInterface
  private interface Check {
    boolean ok() throws Exception;
  }

  private void await(String what, Check check) throws Exception {
    Await.until(WAIT, () -> check.ok() ? null : what);
  }

  /**
   * Sends a JSON request; fails unless the status is {@code expect} ({@code -1}: any; 404 then
   * reads as null).
   */
  private JsonNode send(String method, String path, String body, int expect) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Accept", "application/json");
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (expect >= 0 && r.statusCode() != expect) {
      throw new AssertionError(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
    }
    if (r.statusCode() == 404 || r.body().isBlank()) {
      return null;
    }
    return json.readTree(r.body());
  }
}
