package io.bosun.cli.it;

import static io.bosun.cli.it.WorkloadCommandsIT.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A scheduler profile switch through the CLI changes where new pods go: binpack puts them on one
 * node, spread across both. Needs the runtime's scheduler with its plugins; skipped (with the
 * reason) while the runtime has no ready scheduler profile.
 */
@ExtendWith(BosunRuntime.class)
class SchedulerPlacementIT {

  static final List<String> NODES = List.of("cli-node-a", "cli-node-b");

  @Test
  void switchingThePolicyChangesPlacement(BosunRuntime b) throws Exception {
    ok(b.bosun("apiVersion: v1\nkind: Namespace\nmetadata: {name: cli-sched}\n", false, "apply", "-f", "-"));
    for (String n : NODES) {
      fakeNode(b, n);
    }
    try {
      ok(b.bosun("scheduler", "use", "binpack", "--timeout=20s"));
      assumeTrue(profileReady(b, "binpack"), "the runtime's scheduler has no ready profile (plugins not installed)");
      Set<String> packed = schedule(b, "packed", 4);
      assertThat(packed).as("binpack places every pod on one node").hasSize(1);

      ok(b.bosun("scheduler", "use", "spread", "--timeout=20s"));
      assumeTrue(profileReady(b, "spread"), "the spread profile is not ready");
      Set<String> spread = schedule(b, "spread", 4);
      assertThat(spread).as("spread uses both nodes").containsExactlyInAnyOrderElementsOf(NODES);
    } finally {
      b.bosun("delete", "nodes", NODES.get(0), NODES.get(1), "--wait=false");
      b.bosun("scheduler", "set", "--reset");
    }
  }

  private static boolean profileReady(BosunRuntime b, String policy) throws Exception {
    JsonNode cm = b.get("/api/v1/namespaces/kube-system/configmaps/bosun-scheduler");
    if (cm == null) {
      return false;
    }
    JsonNode status = b.mapper.readTree(cm.path("data").path("status.json").asText("{}"));
    for (JsonNode p : status.path("profiles")) {
      if (p.path("schedulerName").asText().equals("default-scheduler") && p.path("policy").asText().equals(policy)) {
        return p.path("ready").asBoolean(false);
      }
    }
    return false;
  }

  /** Creates pods and returns the nodes the scheduler bound them to. */
  private static Set<String> schedule(BosunRuntime b, String prefix, int count) throws Exception {
    StringBuilder pods = new StringBuilder();
    for (int i = 0; i < count; i++) {
      pods.append("apiVersion: v1\nkind: Pod\nmetadata: {name: ").append(prefix).append('-').append(i)
          .append("}\nspec:\n  containers: [{name: c, image: busybox:1.36, resources: {requests: {cpu: 200m,")
          .append(" memory: 64Mi}}}]\n---\n");
    }
    ok(b.bosun(pods.toString(), false, "apply", "-f", "-", "-n", "cli-sched"));
    Set<String> nodes = new HashSet<>();
    BosunRuntime.await(Duration.ofSeconds(30), count + " pods bound", () -> {
      nodes.clear();
      for (int i = 0; i < count; i++) {
        JsonNode p = b.get("/api/v1/namespaces/cli-sched/pods/" + prefix + "-" + i);
        String node = p.path("spec").path("nodeName").asText("");
        if (node.isEmpty()) {
          return false;
        }
        nodes.add(node);
      }
      return true;
    });
    return nodes;
  }

  /** A node as a kubelet would register it: capacity and a Ready condition. */
  private static void fakeNode(BosunRuntime b, String name) throws Exception {
    b.send("POST", "/api/v1/nodes", "application/json", """
        {"apiVersion":"v1","kind":"Node","metadata":{"name":"%s","labels":{"kubernetes.io/hostname":"%s"}}}
        """.formatted(name, name));
    ObjectNode node = (ObjectNode) b.get("/api/v1/nodes/" + name);
    ObjectNode status = node.putObject("status");
    for (String k : List.of("capacity", "allocatable")) {
      status.putObject(k).put("cpu", "4").put("memory", "8Gi").put("pods", "110");
    }
    status.putArray("conditions").addObject().put("type", "Ready").put("status", "True").put("reason", "KubeletReady")
        .put("lastHeartbeatTime", java.time.Instant.now().toString().replaceAll("\\.\\d+Z", "Z"))
        .put("lastTransitionTime", java.time.Instant.now().toString().replaceAll("\\.\\d+Z", "Z"));
    b.send("PUT", "/api/v1/nodes/" + name + "/status", "application/json", b.mapper.writeValueAsString(node));
  }
}
