package io.bosun.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.cli.it.BosunRuntime.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The kubectl-like verbs, in process against a real runtime. */
@ExtendWith(BosunRuntime.class)
class WorkloadCommandsIT {

  static final Path EXAMPLE = Path.of("src/main/examples/hello");

  static String ns(String name) {
    return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n";
  }

  static Result ok(Result r) {
    assertThat(r.code()).as(r.toString()).isZero();
    return r;
  }

  static Result fails(Result r) {
    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    return r;
  }

  @BeforeAll
  static void namespaces(BosunRuntime b) {
    String all = String.join("---\n", ns("cli-get"), ns("cli-apply"), ns("cli-roll"), ns("cli-wait"), ns("cli-del"));
    ok(b.bosun(all, false, "apply", "-f", "-"));
  }

  @Test
  void applyTheExampleThenGetItEveryWay(BosunRuntime b) {
    Result first = ok(b.bosun("apply", "-f", EXAMPLE.toString(), "-n", "cli-apply"));
    assertThat(first.out()).isEqualTo("deployment.apps/hello created\nservice/hello created\n");
    Result again = ok(b.bosun("apply", "-f", EXAMPLE.toString(), "-n", "cli-apply"));
    assertThat(again.out()).isEqualTo("deployment.apps/hello unchanged\nservice/hello unchanged\n");

    Result table = ok(b.bosun("get", "deployments", "-n", "cli-apply"));
    assertThat(table.out().lines().findFirst().orElseThrow()).matches("NAME +READY +UP-TO-DATE +AVAILABLE +AGE");
    assertThat(table.out()).contains("hello").doesNotContain("\033[");
    assertThat(ok(b.bosun("get", "deploy", "hello", "-o", "wide", "-n", "cli-apply")).out())
        .contains("CONTAINERS").contains("busybox:1.36").contains("app=hello");
    assertThat(ok(b.bosun("get", "deploy,svc", "-n", "cli-apply")).out())
        .contains("deployment.apps/hello").contains("service/hello").contains("\n\nNAME");
    assertThat(ok(b.bosun("get", "deploy/hello", "svc/hello", "-o", "name", "-n", "cli-apply")).out())
        .isEqualTo("deployment.apps/hello\nservice/hello\n");
    assertThat(ok(b.bosun("get", "deploy", "hello", "-n", "cli-apply", "-o", "jsonpath={.spec.replicas}")).out())
        .isEqualTo("2");
    assertThat(ok(b.bosun("get", "deploy", "-n", "cli-apply", "-o",
        "jsonpath={range .items[*]}{.metadata.name}:{.spec.template.spec.containers[0].env[?(@.name==\"GREETING\")].value}{\"\\n\"}{end}"))
        .out()).isEqualTo("hello:hello from Bosun\n");
    Result yaml = ok(b.bosun("get", "deploy", "hello", "-n", "cli-apply", "-o", "yaml"));
    assertThat(yaml.out()).startsWith("apiVersion: apps/v1\nkind: Deployment\n").contains("name: hello");
    Result json = ok(b.bosun("get", "svc", "-n", "cli-apply", "-o", "json"));
    assertThat(json.out()).contains("\"kind\" : \"List\"").contains("\"kind\" : \"Service\"");

    assertThat(ok(b.bosun("get", "svc", "-l", "app=hello", "-n", "cli-apply", "-o", "name")).out())
        .isEqualTo("service/hello\n");
    assertThat(ok(b.bosun("get", "svc", "-l", "app=nothing", "-n", "cli-apply")).err())
        .isEqualTo("No resources found in cli-apply namespace.\n");
    assertThat(ok(b.bosun("get", "svc", "--field-selector", "metadata.name=hello", "-n", "cli-apply", "-o", "name"))
        .out()).isEqualTo("service/hello\n");
    Result all = ok(b.bosun("get", "deploy", "-A"));
    assertThat(all.out()).startsWith("NAMESPACE").contains("cli-apply ");
    Result missing = fails(b.bosun("get", "deploy", "nope", "-n", "cli-apply"));
    assertThat(missing.err()).contains("Error from server (NotFound)").contains("\"nope\" not found");
    assertThat(ok(b.bosun("get", "deploy", "nope", "--ignore-not-found", "-n", "cli-apply")).out()).isEmpty();
  }

  @Test
  void watchPrintsRowsAsObjectsChange(BosunRuntime b) throws Exception {
    CompletableFuture<Result> watch = CompletableFuture.supplyAsync(() ->
        b.bosun("get", "configmaps", "-w", "-n", "cli-get", "--request-timeout", "4s"));
    Thread.sleep(1500);
    ok(b.bosun("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\ndata: {a: b}\n", false,
        "apply", "-f", "-", "-n", "cli-get"));
    Result r = watch.get();
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("NAME").contains("watched");
  }

  @Test
  void describeShowsDetailsAndEvents(BosunRuntime b) throws Exception {
    ok(b.bosun("apply", "-f", EXAMPLE.toString(), "-n", "cli-get"));
    JsonNode d = b.get("/apis/apps/v1/namespaces/cli-get/deployments/hello");
    b.send("POST", "/api/v1/namespaces/cli-get/events", "application/json", """
        {"apiVersion":"v1","kind":"Event","metadata":{"name":"hello.test1"},
         "involvedObject":{"apiVersion":"apps/v1","kind":"Deployment","name":"hello","namespace":"cli-get","uid":"%s"},
         "reason":"ScalingReplicaSet","message":"Scaled up replica set hello-1 to 2","type":"Normal",
         "source":{"component":"deployment-controller"},"count":1,
         "firstTimestamp":"2026-01-01T00:00:00Z","lastTimestamp":"2026-01-01T00:00:00Z"}
        """.formatted(d.path("metadata").path("uid").asText()));
    Result r = ok(b.bosun("describe", "deployment/hello", "-n", "cli-get"));
    assertThat(r.out()).contains("Name:").contains("hello").contains("Replicas:").contains("desired")
        .contains("Pod Template:").contains("busybox:1.36").contains("GREETING:")
        .contains("Events:").contains("ScalingReplicaSet").contains("deployment-controller")
        .contains("Scaled up replica set hello-1 to 2");
    assertThat(ok(b.bosun("describe", "svc", "hello", "-n", "cli-get")).out()).contains("Type:").contains("ClusterIP")
        .contains("Events:").contains("<none>");
    // A name prefix matches, as kubectl's does.
    assertThat(ok(b.bosun("describe", "svc", "hel", "-n", "cli-get")).out()).contains("Name:");
  }

  @Test
  void scaleAndRollout(BosunRuntime b) throws Exception {
    String deploy = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: roll}
        spec:
          replicas: 2
          selector: {matchLabels: {app: roll}}
          template:
            metadata: {labels: {app: roll}}
            spec:
              # never schedulable: the rollout's progress is written by the test, whatever else runs
              nodeSelector: {cli-test: nowhere}
              containers: [{name: c, image: busybox:1.36, command: [sleep, "3600"]}]
        """;
    ok(b.bosun(deploy, false, "apply", "-f", "-", "-n", "cli-roll"));
    assertThat(ok(b.bosun("scale", "deployment/roll", "--replicas=3", "-n", "cli-roll")).out())
        .isEqualTo("deployment.apps/roll scaled\n");
    assertThat(b.get("/apis/apps/v1/namespaces/cli-roll/deployments/roll").path("spec").path("replicas").asInt())
        .isEqualTo(3);
    fails(b.bosun("scale", "deployment/roll", "--replicas=1", "--current-replicas=2", "-n", "cli-roll"));

    // Not rolled out: status --watch=false tells where it stands, --timeout gives up with exit 1.
    assertThat(ok(b.bosun("rollout", "status", "deploy/roll", "--watch=false", "-n", "cli-roll")).out())
        .startsWith("Waiting for deployment");
    Result timeout = fails(b.bosun("rollout", "status", "deploy/roll", "--timeout=1s", "-n", "cli-roll"));
    assertThat(timeout.err()).contains("timed out");
    // The rollout completes while status watches: the test plays the kubelet (pods ready) when the
    // runtime has the workload controllers, else the deployment controller (its status).
    CompletableFuture<Result> status = CompletableFuture.supplyAsync(() ->
        b.bosun("rollout", "status", "deployment/roll", "--timeout=90s", "-n", "cli-roll"));
    boolean controllers = podsOf(b, "roll").size() > 0 || waitForPods(b, "roll");
    if (!controllers) {
      setStatus(b, 3, 1, 1);
      Thread.sleep(500);
      setStatus(b, 3, 3, 2);
      Thread.sleep(500);
      setStatus(b, 3, 3, 3);
    }
    while (!status.isDone()) {
      if (controllers) {
        for (String pod : podsOf(b, "roll")) {
          markReady(b, "cli-roll", pod);
        }
      }
      Thread.sleep(300);
    }
    Result done = status.get();
    assertThat(done.code()).as(done.toString()).isZero();
    assertThat(done.out()).contains("Waiting for deployment \"roll\" rollout to finish").doesNotContain("\r")
        .endsWith("deployment \"roll\" successfully rolled out\n");

    assertThat(ok(b.bosun("rollout", "restart", "deployment/roll", "-n", "cli-roll")).out())
        .isEqualTo("deployment.apps/roll restarted\n");
    assertThat(b.get("/apis/apps/v1/namespaces/cli-roll/deployments/roll").path("spec").path("template")
        .path("metadata").path("annotations").path("kubectl.kubernetes.io/restartedAt").asText()).isNotEmpty();
  }

  @Test
  void historyAndUndoFromReplicaSets(BosunRuntime b) throws Exception {
    String deploy = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: hist, annotations: {deployment.kubernetes.io/revision: "11"}}
        spec:
          replicas: 0
          selector: {matchLabels: {app: hist}}
          template:
            metadata: {labels: {app: hist}}
            spec: {containers: [{name: c, image: "busybox:1.37"}]}
        """;
    ok(b.bosun(deploy, false, "apply", "-f", "-", "-n", "cli-roll"));
    String uid = b.get("/apis/apps/v1/namespaces/cli-roll/deployments/hist").path("metadata").path("uid").asText();
    // Revisions 10 and 11: a deployment controller, if one runs, numbers its own replica set apart from them.
    for (int rev = 10; rev <= 11; rev++) {
      b.send("POST", "/apis/apps/v1/namespaces/cli-roll/replicasets", "application/json", """
          {"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"hist-%d","labels":{"app":"hist",
           "pod-template-hash":"h%d"},
           "annotations":{"deployment.kubernetes.io/revision":"%d","kubernetes.io/change-cause":"image 1.3%d"},
           "ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"hist","uid":"%s","controller":true}]},
           "spec":{"replicas":0,"selector":{"matchLabels":{"app":"hist","pod-template-hash":"h%d"}},
           "template":{"metadata":{"labels":{"app":"hist","pod-template-hash":"h%d"}},
           "spec":{"containers":[{"name":"c","image":"busybox:1.3%d"}]}}}}
          """.formatted(rev, rev, rev, rev - 4, uid, rev, rev, rev - 4));
    }
    Result history = ok(b.bosun("rollout", "history", "deployment/hist", "-n", "cli-roll"));
    assertThat(history.out()).contains("deployment.apps/hist").containsPattern("REVISION +CHANGE-CAUSE")
        .containsPattern("10 +image 1.36");
    assertThat(ok(b.bosun("rollout", "history", "deployment/hist", "--revision=10", "-n", "cli-roll")).out())
        .contains("busybox:1.36");
    // --to-revision: a deployment controller, if one runs, has added a revision of its own.
    assertThat(ok(b.bosun("rollout", "undo", "deployment/hist", "--to-revision=10", "-n", "cli-roll")).out())
        .isEqualTo("deployment.apps/hist rolled back\n");
    JsonNode d = b.get("/apis/apps/v1/namespaces/cli-roll/deployments/hist");
    assertThat(d.path("spec").path("template").path("spec").path("containers").path(0).path("image").asText())
        .isEqualTo("busybox:1.36");
    assertThat(d.path("spec").path("template").path("metadata").path("labels").has("pod-template-hash")).isFalse();
    assertThat(d.path("metadata").path("annotations").path("kubernetes.io/change-cause").asText())
        .isEqualTo("image 1.36");
    fails(b.bosun("rollout", "undo", "deployment/hist", "--to-revision=9", "-n", "cli-roll"));
  }

  static java.util.List<String> podsOf(BosunRuntime b, String app) throws Exception {
    java.util.List<String> names = new java.util.ArrayList<>();
    JsonNode list = b.get("/api/v1/namespaces/cli-roll/pods?labelSelector=app%3D" + app);
    for (JsonNode p : list.path("items")) {
      if (!p.path("metadata").has("deletionTimestamp")) {
        names.add(p.path("metadata").path("name").asText());
      }
    }
    return names;
  }

  /** Whether pods of {@code app} appear within a few seconds (a ReplicaSet controller runs). */
  static boolean waitForPods(BosunRuntime b, String app) throws Exception {
    for (int i = 0; i < 30; i++) {
      if (!podsOf(b, app).isEmpty()) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  /** Plays the kubelet: the pod runs and is ready. */
  static void markReady(BosunRuntime b, String ns, String name) throws Exception {
    ObjectNode pod = (ObjectNode) b.get("/api/v1/namespaces/" + ns + "/pods/" + name);
    if (pod == null || pod.path("status").path("phase").asText().equals("Running")) {
      return;
    }
    String now = java.time.Instant.now().toString().replaceAll("\\.\\d+Z", "Z");
    ObjectNode status = pod.putObject("status");
    status.put("phase", "Running").put("startTime", now);
    status.putArray("conditions").addObject().put("type", "Ready").put("status", "True")
        .put("lastTransitionTime", now);
    try {
      b.send("PUT", "/api/v1/namespaces/" + ns + "/pods/" + name + "/status", "application/json",
          b.mapper.writeValueAsString(pod));
    } catch (IllegalStateException e) {
      // a conflict with a controller's write: the next round retries
    }
  }

  /** Plays the deployment controller: observed generation and replica counts. */
  private static void setStatus(BosunRuntime b, int replicas, int updated, int available) throws Exception {
    String path = "/apis/apps/v1/namespaces/cli-roll/deployments/roll";
    for (int attempt = 0; ; attempt++) {
      ObjectNode d = (ObjectNode) b.get(path);
      ObjectNode status = d.putObject("status");
      status.put("observedGeneration", d.path("metadata").path("generation").asLong());
      status.put("replicas", replicas).put("updatedReplicas", updated).put("readyReplicas", available)
          .put("availableReplicas", available);
      try {
        b.send("PUT", path + "/status", "application/json", b.mapper.writeValueAsString(d));
        return;
      } catch (IllegalStateException e) {
        if (attempt > 5) {
          throw e;
        }
      }
    }
  }

  @Test
  void waitForConditionsJsonPathAndDeletion(BosunRuntime b) throws Exception {
    ok(b.bosun("apiVersion: v1\nkind: Pod\nmetadata: {name: w1, labels: {app: w}}\nspec:\n  nodeSelector: {cli-test:"
        + " nowhere}\n  containers: [{name: c, image: busybox:1.36}]\n", false, "apply", "-f", "-", "-n", "cli-wait"));
    Result timeout = fails(b.bosun("wait", "--for=condition=Ready", "pod/w1", "--timeout=1s", "-n", "cli-wait"));
    assertThat(timeout.err()).contains("timed out waiting for the condition on pods/w1");

    CompletableFuture<Result> ready = CompletableFuture.supplyAsync(() ->
        b.bosun("wait", "--for=condition=Ready", "pods", "-l", "app=w", "--timeout=60s", "-n", "cli-wait"));
    Thread.sleep(700);
    ObjectNode pod = (ObjectNode) b.get("/api/v1/namespaces/cli-wait/pods/w1");
    ObjectNode status = pod.putObject("status");
    status.put("phase", "Running");
    status.putArray("conditions").addObject().put("type", "Ready").put("status", "True");
    b.send("PUT", "/api/v1/namespaces/cli-wait/pods/w1/status", "application/json", b.mapper.writeValueAsString(pod));
    Result met = ready.get();
    assertThat(met.code()).as(met.toString()).isZero();
    assertThat(met.out()).isEqualTo("pod/w1 condition met\n");
    assertThat(ok(b.bosun("wait", "--for=jsonpath={.status.phase}=Running", "pod/w1", "-n", "cli-wait")).out())
        .isEqualTo("pod/w1 condition met\n");
    assertThat(ok(b.bosun("wait", "--for=condition=Ready=true", "pod/w1", "--timeout=0", "-n", "cli-wait")).code())
        .isZero();
  }

  @Test
  void waitForDeletionAndTheWaysToDelete(BosunRuntime b) throws Exception {
    StringBuilder maps = new StringBuilder();
    for (String n : new String[] {"d1", "d2", "d3", "d4"}) {
      maps.append("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ").append(n)
          .append(", labels: {group: ").append(n.equals("d4") ? "other" : "x").append("}}\n---\n");
    }
    ok(b.bosun(maps.toString(), false, "apply", "-f", "-", "-n", "cli-del"));
    CompletableFuture<Result> gone = CompletableFuture.supplyAsync(() ->
        b.bosun("wait", "--for=delete", "configmap/d1", "--timeout=60s", "-n", "cli-del"));
    Thread.sleep(500);
    assertThat(ok(b.bosun("delete", "configmap", "d1", "-n", "cli-del")).out())
        .isEqualTo("configmap \"d1\" deleted\n");
    assertThat(gone.get().out()).isEqualTo("configmap/d1 deleted\n");
    assertThat(ok(b.bosun("delete", "cm", "-l", "group=x", "-n", "cli-del")).out())
        .isEqualTo("configmap \"d2\" deleted\nconfigmap \"d3\" deleted\n");
    Result missing = fails(b.bosun("delete", "cm/d2", "-n", "cli-del"));
    assertThat(missing.err()).contains("NotFound");
    ok(b.bosun("delete", "cm/d2", "--ignore-not-found", "-n", "cli-del"));
    Path f = b.work().resolve("d4.yaml");
    Files.writeString(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d4}\n");
    assertThat(ok(b.bosun("delete", "-f", f.toString(), "-n", "cli-del")).out()).isEqualTo("configmap \"d4\" deleted\n");
    ok(b.bosun(maps.toString(), false, "apply", "-f", "-", "-n", "cli-del"));
    assertThat(ok(b.bosun("delete", "cm", "--all", "--wait=false", "-n", "cli-del")).out()).contains("\"d4\" deleted");
    BosunRuntime.await(Duration.ofSeconds(10), "configmaps gone", () ->
        b.get("/api/v1/namespaces/cli-del/configmaps").path("items").isEmpty()
        || b.get("/api/v1/namespaces/cli-del/configmaps").path("items").size() == 1);   // kube-root-ca.crt
    assertThat(b.bosun("delete", "cm", "-n", "cli-del").code()).isEqualTo(2);
  }

  @Test
  void logsTopAndNodesSayWhatIsMissing(BosunRuntime b) {
    Result top = fails(b.bosun("top", "pods"));
    assertThat(top.err()).contains("metrics are not available yet");
    Result nodes = ok(b.bosun("nodes"));
    assertThat(nodes.out() + nodes.err()).containsAnyOf("No nodes registered yet", "NAME");
    ok(b.bosun("apiVersion: v1\nkind: Pod\nmetadata: {name: nolog}\nspec:\n  nodeSelector: {cli-test: nowhere}\n"
        + "  containers: [{name: c, image: busybox:1.36}]\n", false, "apply", "-f", "-", "-n", "cli-wait"));
    Result logs = fails(b.bosun("logs", "nolog", "-n", "cli-wait"));
    assertThat(logs.err()).isNotBlank();
    Result noPods = fails(b.bosun("logs", "deployment/nothing", "-n", "cli-wait"));
    assertThat(noPods.err()).contains("NotFound");
  }

  /** Needs a node with a kubelet (the node runtime); skipped while the runtime has none. */
  @Test
  void logsOfARunningPod(BosunRuntime b) throws Exception {
    boolean realNode = false;
    for (JsonNode n : b.get("/api/v1/nodes").path("items")) {
      realNode |= !n.path("metadata").path("name").asText().startsWith("cli-node-");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(realNode, "no node has registered: the runtime has no kubelet yet");
    ok(b.bosun(ns("cli-logs"), false, "apply", "-f", "-"));
    ok(b.bosun("apply", "-f", EXAMPLE.toString(), "-n", "cli-logs"));
    Result rolled = b.bosun("rollout", "status", "deployment/hello", "--timeout=120s", "-n", "cli-logs");
    org.junit.jupiter.api.Assumptions.assumeTrue(rolled.code() == 0, "the example did not roll out: " + rolled);
    BosunRuntime.await(Duration.ofSeconds(30), "a greeting in the logs", () ->
        b.bosun("logs", "deployment/hello", "-n", "cli-logs").out().contains("hello from Bosun"));
    assertThat(ok(b.bosun("logs", "deployment/hello", "--tail=1", "-n", "cli-logs")).out().lines().count())
        .isEqualTo(1);
    Result followed = ok(b.bosun("logs", "deployment/hello", "-f", "--limit-bytes=200", "-n", "cli-logs"));
    assertThat(followed.out()).contains("hello from Bosun");
    assertThat(ok(b.bosun("describe", "pods", "-l", "app=hello", "-n", "cli-logs")).out()).contains("Running");
  }

  @Test
  void createFailsForExistingObjects(BosunRuntime b) {
    String cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: created}\n";
    assertThat(ok(b.bosun(cm, false, "create", "-f", "-", "-n", "cli-get")).out())
        .isEqualTo("configmap/created created\n");
    Result again = fails(b.bosun(cm, false, "create", "-f", "-", "-n", "cli-get"));
    assertThat(again.err()).contains("AlreadyExists");
    Result bad = fails(b.bosun("apiVersion: v1\nkind: Gizmo\nmetadata: {name: x}\n", false, "apply", "-f", "-"));
    assertThat(bad.err()).contains("no matches for kind \"Gizmo\"");
  }
}
