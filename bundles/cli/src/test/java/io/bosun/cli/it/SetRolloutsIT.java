package io.bosun.cli.it;

import static io.bosun.cli.it.WorkloadCommandsIT.fails;
import static io.bosun.cli.it.WorkloadCommandsIT.markReady;
import static io.bosun.cli.it.WorkloadCommandsIT.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.cli.it.BosunRuntime.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code rollout history|undo|status|restart} of DaemonSets and StatefulSets against the runtime's
 * controllers, which write the ControllerRevisions the CLI reads and renumber a revision rolled back
 * to. The test plays the kubelet: a fake node (tainted, so only this test's daemon set goes there)
 * and pods marked ready.
 */
@ExtendWith(BosunRuntime.class)
class SetRolloutsIT {

  static final String NS = "cli-sets";
  static final String NODE = "cli-node-sets";
  static final Duration CONTROLLER = Duration.ofSeconds(60);

  @BeforeAll
  static void namespace(BosunRuntime b) {
    ok(b.bosun(WorkloadCommandsIT.ns(NS), false, "apply", "-f", "-"));
  }

  static String daemonSet(String image) {
    return """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, annotations: {kubernetes.io/change-cause: "image %s"}}
        spec:
          selector: {matchLabels: {app: agent}}
          template:
            metadata: {labels: {app: agent}}
            spec:
              nodeSelector: {cli-sets: daemon}
              tolerations: [{key: cli-sets, operator: Exists, effect: NoSchedule}]
              containers: [{name: c, image: "busybox:%s", command: [sleep, "3600"]}]
        """.formatted(image, image);
  }

  /** A stateful set; {@code strategy} null leaves the update strategy to the API's defaults. */
  static String statefulSet(String name, String image, String strategy) {
    return """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: %s, annotations: {kubernetes.io/change-cause: "image %s"}}
        spec:
          replicas: 1
          serviceName: %s
          %s
          selector: {matchLabels: {app: %s}}
          template:
            metadata: {labels: {app: %s}}
            spec:
              # never scheduled: the test marks the pod ready itself
              nodeSelector: {cli-test: nowhere}
              containers: [{name: c, image: "busybox:%s", command: [sleep, "3600"]}]
        """.formatted(name, image, name, strategy == null ? "" : "updateStrategy: {type: " + strategy + "}", name, name,
        image);
  }

  @Test
  void daemonSetHistoryUndoStatusAndRestart(BosunRuntime b) throws Exception {
    fakeNode(b);
    // The kubelet's part: a heartbeat every few seconds keeps the node Ready for node lifecycle.
    ScheduledExecutorService kubelet = Executors.newSingleThreadScheduledExecutor();
    kubelet.scheduleWithFixedDelay(() -> {
      try {
        heartbeat(b);
      } catch (Exception | AssertionError e) {
        // a conflict with node lifecycle's write: the next beat retries
      }
    }, 5, 5, TimeUnit.SECONDS);
    try {
      ok(b.bosun(daemonSet("1.36"), false, "apply", "-f", "-", "-n", NS));
      awaitHistory(b, "daemonset/agent", List.of(1L));
      assertThat(fails(b.bosun("rollout", "undo", "daemonset/agent", "-n", NS)).err())
          .contains("no last revision to roll back to");

      // Status: the controller's pod is not ready yet, then it is (the test plays the kubelet).
      BosunRuntime.await(CONTROLLER, "the daemon set's pod", () -> {
        JsonNode ds = b.get("/apis/apps/v1/namespaces/" + NS + "/daemonsets/agent");
        JsonNode st = ds.path("status");
        return st.path("observedGeneration").asLong() == ds.path("metadata").path("generation").asLong()
            && st.path("desiredNumberScheduled").asInt() == 1 && st.path("updatedNumberScheduled").asInt() == 1
            && pods(b, "agent").size() == 1;
      });
      assertThat(ok(b.bosun("rollout", "status", "ds/agent", "--watch=false", "-n", NS)).out())
          .isEqualTo("Waiting for daemon set \"agent\" rollout to finish: 0 of 1 updated pods are available...\n");
      markReady(b, NS, pods(b, "agent").get(0));
      assertThat(ok(b.bosun("rollout", "status", "daemonset/agent", "--timeout=60s", "-n", NS)).out())
          .endsWith("daemon set \"agent\" successfully rolled out\n");

      // A second template: a second revision, listed with the change causes the controller copied.
      ok(b.bosun(daemonSet("1.37"), false, "apply", "-f", "-", "-n", NS));
      awaitHistory(b, "daemonset/agent", List.of(1L, 2L));
      assertThat(ok(b.bosun("rollout", "history", "daemonset/agent", "-n", NS)).out()).isEqualTo("""
          daemonset.apps/agent
          REVISION  CHANGE-CAUSE
          1         image 1.36
          2         image 1.37

          """);
      Result one = ok(b.bosun("rollout", "history", "daemonset/agent", "--revision=1", "-n", NS));
      assertThat(one.out()).startsWith("daemonset.apps/agent with revision #1\nPod Template:\n")
          .containsPattern("Labels: +app=agent").containsPattern("Image: +busybox:1.36").doesNotContain("1.37");
      assertThat(fails(b.bosun("rollout", "history", "daemonset/agent", "--revision=9", "-n", NS)).err())
          .contains("unable to find the specified revision");

      // Undo: to the current revision is skipped; without --to-revision it goes to the previous one.
      assertThat(ok(b.bosun("rollout", "undo", "daemonset/agent", "--to-revision=2", "-n", NS)).out())
          .isEqualTo("daemonset.apps/agent skipped rollback (current template already matches revision 2)\n");
      assertThat(fails(b.bosun("rollout", "undo", "daemonset/agent", "--to-revision=7", "-n", NS)).err())
          .contains("unable to find specified revision 7 in history");
      assertThat(ok(b.bosun("rollout", "undo", "daemonset/agent", "-n", NS)).out())
          .isEqualTo("daemonset.apps/agent rolled back\n");
      JsonNode ds = b.get("/apis/apps/v1/namespaces/" + NS + "/daemonsets/agent");
      assertThat(image(ds)).isEqualTo("busybox:1.36");
      assertThat(ds.path("spec").path("template").path("spec").path("tolerations").path(0).path("key").asText())
          .isEqualTo("cli-sets");
      // The controller reuses revision 1's ControllerRevision as the newest: 3.
      awaitHistory(b, "daemonset/agent", List.of(2L, 3L));
      assertThat(ok(b.bosun("rollout", "history", "ds/agent", "--revision=3", "-n", NS)).out())
          .containsPattern("Image: +busybox:1.36");
      assertThat(ok(b.bosun("rollout", "undo", "daemonset/agent", "--to-revision=3", "-n", NS)).out())
          .isEqualTo("daemonset.apps/agent skipped rollback (current template already matches revision 3)\n");

      // Restart changes the template: a new revision.
      assertThat(ok(b.bosun("rollout", "restart", "daemonset/agent", "-n", NS)).out())
          .isEqualTo("daemonset.apps/agent restarted\n");
      assertThat(b.get("/apis/apps/v1/namespaces/" + NS + "/daemonsets/agent").path("spec").path("template")
          .path("metadata").path("annotations").path("kubectl.kubernetes.io/restartedAt").asText()).isNotEmpty();
      awaitHistory(b, "daemonset/agent", List.of(2L, 3L, 4L));
      assertThat(ok(b.bosun("rollout", "history", "ds/agent", "--revision=4", "-n", NS)).out())
          .contains("kubectl.kubernetes.io/restartedAt=");
    } finally {
      kubelet.shutdownNow();
      b.bosun("delete", "node", NODE, "--wait=false");
    }
  }

  @Test
  void statefulSetHistoryUndoStatusAndRestart(BosunRuntime b) throws Exception {
    ok(b.bosun(statefulSet("db", "1.36", null), false, "apply", "-f", "-", "-n", NS));
    awaitHistory(b, "statefulset/db", List.of(1L));
    assertThat(fails(b.bosun("rollout", "undo", "sts/db", "-n", NS)).err())
        .contains("no last revision to roll back to");

    // Status as kubectl's viewer: the API defaults rollingUpdate.partition to 0, so a partitioned roll out.
    BosunRuntime.await(CONTROLLER, "the stateful set's pod", () -> {
      JsonNode sts = b.get("/apis/apps/v1/namespaces/" + NS + "/statefulsets/db");
      return sts.path("status").path("observedGeneration").asLong() == sts.path("metadata").path("generation")
          .asLong() && pods(b, "db").size() == 1;
    });
    assertThat(ok(b.bosun("rollout", "status", "sts/db", "--watch=false", "-n", NS)).out())
        .isEqualTo("Waiting for 1 pods to be ready...\n");
    markReady(b, NS, "db-0");
    assertThat(ok(b.bosun("rollout", "status", "statefulset/db", "--timeout=60s", "-n", NS)).out())
        .endsWith("partitioned roll out complete: 1 new pods have been updated...\n");

    ok(b.bosun(statefulSet("db", "1.37", null), false, "apply", "-f", "-", "-n", NS));
    awaitHistory(b, "statefulset/db", List.of(1L, 2L));
    assertThat(ok(b.bosun("rollout", "history", "statefulset/db", "-n", NS)).out()).isEqualTo("""
        statefulset.apps/db
        REVISION  CHANGE-CAUSE
        1         image 1.36
        2         image 1.37

        """);
    assertThat(ok(b.bosun("rollout", "history", "sts/db", "--revision=2", "-n", NS)).out())
        .startsWith("statefulset.apps/db with revision #2\nPod Template:\n").containsPattern("Image: +busybox:1.37");

    assertThat(ok(b.bosun("rollout", "undo", "sts/db", "--to-revision=1", "-n", NS)).out())
        .isEqualTo("statefulset.apps/db rolled back\n");
    assertThat(image(b.get("/apis/apps/v1/namespaces/" + NS + "/statefulsets/db"))).isEqualTo("busybox:1.36");
    awaitHistory(b, "statefulset/db", List.of(2L, 3L));
    assertThat(ok(b.bosun("rollout", "undo", "sts/db", "--to-revision=3", "-n", NS)).out())
        .isEqualTo("statefulset.apps/db skipped rollback (current template already matches revision 3)\n");
    // And forward again: the previous revision is 2.
    assertThat(ok(b.bosun("rollout", "undo", "sts/db", "-n", NS)).out()).isEqualTo("statefulset.apps/db rolled back\n");
    assertThat(image(b.get("/apis/apps/v1/namespaces/" + NS + "/statefulsets/db"))).isEqualTo("busybox:1.37");
    awaitHistory(b, "statefulset/db", List.of(3L, 4L));

    assertThat(ok(b.bosun("rollout", "restart", "sts/db", "-n", NS)).out()).isEqualTo("statefulset.apps/db restarted\n");
    awaitHistory(b, "statefulset/db", List.of(3L, 4L, 5L));

    // kubectl's status viewer only follows RollingUpdate.
    ok(b.bosun(statefulSet("manual", "1.36", "OnDelete"), false, "apply", "-f", "-", "-n", NS));
    assertThat(fails(b.bosun("rollout", "status", "sts/manual", "-n", NS)).err())
        .contains("rollout status is only available for RollingUpdate strategy type");
  }

  @Test
  void historyOnlyForKindsWithRevisions(BosunRuntime b) {
    ok(b.bosun("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n", false, "apply", "-f", "-", "-n", NS));
    Result r = b.bosun("rollout", "history", "configmap/plain", "-n", NS);
    assertThat(r.code()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("no rollout for configmap");
    assertThat(fails(b.bosun("rollout", "undo", "daemonset/missing", "-n", NS)).err()).contains("NotFound");
  }

  /** Waits until {@code rollout history} lists exactly these revisions, oldest first. */
  static void awaitHistory(BosunRuntime b, String ref, List<Long> revisions) throws Exception {
    List<Long> seen = new ArrayList<>();
    try {
      BosunRuntime.await(CONTROLLER, ref + " revisions " + revisions, () -> {
        Result r = b.bosun("rollout", "history", ref, "-n", NS);
        seen.clear();
        if (r.code() != 0 || !r.out().contains("REVISION")) {
          return false;
        }
        r.out().lines().skip(2).filter(l -> !l.isBlank()).forEach(l -> seen.add(Long.parseLong(l.split(" +")[0])));
        return seen.equals(revisions);
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + " (last seen " + seen + ")", e);
    }
  }

  static String image(JsonNode workload) {
    return workload.path("spec").path("template").path("spec").path("containers").path(0).path("image").asText();
  }

  static List<String> pods(BosunRuntime b, String app) throws Exception {
    List<String> names = new ArrayList<>();
    for (JsonNode p : b.get("/api/v1/namespaces/" + NS + "/pods?labelSelector=app%3D" + app).path("items")) {
      if (!p.path("metadata").has("deletionTimestamp")) {
        names.add(p.path("metadata").path("name").asText());
      }
    }
    return names;
  }

  /** A node as a kubelet registers it, labelled for the daemon set and tainted against every other pod. */
  static void fakeNode(BosunRuntime b) throws Exception {
    b.send("POST", "/api/v1/nodes", "application/json", """
        {"apiVersion":"v1","kind":"Node","metadata":{"name":"%s","labels":{"kubernetes.io/hostname":"%s",
         "cli-sets":"daemon"}},"spec":{"taints":[{"key":"cli-sets","value":"daemon","effect":"NoSchedule"}]}}
        """.formatted(NODE, NODE));
    heartbeat(b);
  }

  /** Posts the node's status with a fresh heartbeat, so node lifecycle keeps it Ready. */
  static void heartbeat(BosunRuntime b) throws Exception {
    ObjectNode node = (ObjectNode) b.get("/api/v1/nodes/" + NODE);
    String now = Instant.now().toString().replaceAll("\\.\\d+Z", "Z");
    ObjectNode status = node.putObject("status");
    for (String k : List.of("capacity", "allocatable")) {
      status.putObject(k).put("cpu", "4").put("memory", "8Gi").put("pods", "110");
    }
    status.putArray("conditions").addObject().put("type", "Ready").put("status", "True").put("reason", "KubeletReady")
        .put("lastHeartbeatTime", now).put("lastTransitionTime", now);
    b.send("PUT", "/api/v1/nodes/" + NODE + "/status", "application/json", b.mapper.writeValueAsString(node));
  }
}
