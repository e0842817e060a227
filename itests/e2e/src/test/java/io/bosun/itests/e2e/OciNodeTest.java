package io.bosun.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real containers under runc in a cluster of processes: a control-plane process and two node
 * processes started as {@code ./bosun node --server URL --name NAME --runtime oci} does (the
 * launcher's {@code --node-runtime oci}), each with its own CNI bridge and /24 pod subnet, pulling a
 * busybox-static image the test pushed to Debian's docker-registry on loopback. Driven with the real
 * kubectl: NodeProcessTest's 4-replica Deployment Running on both nodes with pod IPs from each
 * node's bridge subnet, its processes PID 1 of their own PID namespace and holding the pod IP on
 * eth0, {@code kubectl logs}; imagePullPolicy IfNotPresent / Always / Never against a moved tag;
 * deleting the pods removes their runc containers and network namespaces. Everything left on the
 * host (containers, shims, mounts, netns, bridges, cgroups, iptables rules) is removed at the end.
 * Skipped, with the reason, where runc cannot run (not root, no runc, CNI plugins, netns, cgroups,
 * busybox-static or docker-registry).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OciNodeTest {

  private static final String NS = "e2e-oci";
  private static final List<String> NODES = List.of("node-a", "node-b");

  private static OciHost host;
  private static LoopbackRegistry registry;
  private static NodeCluster cluster;
  private static final Map<String, OciHost.NodeNet> nets = new java.util.HashMap<>();
  private static String image;

  @BeforeAll
  static void startCluster() throws Exception {
    NodeCluster.assumeRuntimes();
    OciHost.assumeUsable();
    Path work = Path.of(System.getProperty("bosun.itest.work", "target/e2e-work"))
        .resolve("oci-" + ProcessHandle.current().pid()).toAbsolutePath();
    host = new OciHost(work);
    registry = new LoopbackRegistry(work.resolve("registry"));
    image = registry.pushBusybox("e2e/busybox", "1.36", Map.of()).name();
    cluster = new NodeCluster(work, NS);
    for (int i = 0; i < NODES.size(); i++) {
      OciHost.NodeNet net = host.node(NODES.get(i), i);
      nets.put(net.node(), net);
      cluster.startNode(net.node(), "oci", Map.of("io.bosun.runtime.oci.cfg", net.ociConfig(),
          "io.bosun.cni.bridge.cfg", net.bridgeConfig()));
    }
    cluster.awaitNodesReady();
    k("create", "namespace", NS);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    try {
      if (cluster != null) {
        cluster.deletePodsAndStop(NS, Duration.ofSeconds(90));
      }
    } finally {
      if (registry != null) {
        registry.close();
      }
      if (host != null) {
        host.cleanUp();
      }
    }
  }

  private static Kubectl.Result k(String... args) throws Exception {
    return cluster.kubectl.run(args).ok();
  }

  private static void apply(String yaml) throws Exception {
    cluster.kubectl.run(yaml, Map.of(), "-n", NS, "apply", "-f", "-").ok();
  }

  private static String jsonpath(String what, String path) throws Exception {
    List<String> args = new ArrayList<>(List.of("-n", NS, "get"));
    args.addAll(Arrays.asList(what.split(" ")));
    args.addAll(List.of("-o", "jsonpath=" + path));
    return k(args.toArray(String[]::new)).out();
  }

  @Test
  @Order(1)
  void deploymentRunsRealContainersOnBothNodes() throws Exception {
    apply("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: hello}
        spec:
          replicas: 4
          selector: {matchLabels: {app: hello}}
          template:
            metadata: {labels: {app: hello}}
            spec:
              terminationGracePeriodSeconds: 2
              topologySpreadConstraints:
              - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
                 labelSelector: {matchLabels: {app: hello}}}
              containers:
              - name: main
                image: %s
                imagePullPolicy: IfNotPresent
                command: [sh, -c, 'echo hello from $HOSTNAME pid $$$$; echo ip $(ip -o -4 addr show dev eth0 | awk "{print \\$4}"); i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done']
        """.formatted(image));
    Await.until(Duration.ofSeconds(30), () -> jsonpath("pods -l app=hello", "{.items[*].metadata.name}").split(" ")
        .length == 4 ? null : "4 pods");
    cluster.bindIfUnscheduled(NS, "app=hello", NODES);
    Await.until(Duration.ofSeconds(120), () -> {
      String phases = jsonpath("pods -l app=hello", "{range .items[*]}{.status.phase} {end}");
      return phases.trim().equals("Running Running Running Running") ? null : "phases: " + phases + "\n"
          + jsonpath("pods -l app=hello", "{range .items[*]}{.status.containerStatuses[0].state}{\"\\n\"}{end}");
    });
    List<String> wide = k("-n", NS, "get", "pods", "-l", "app=hello", "-o", "wide").lines();
    assertThat(wide.get(0)).contains("IP").contains("NODE");
    assertThat(wide.subList(1, wide.size())).hasSize(4).allSatisfy(l -> assertThat(l).contains("Running")
        .containsPattern("node-[ab]"));
    for (String node : NODES) {
      OciHost.NodeNet net = nets.get(node);
      List<String> onNode = wide.stream().filter(l -> l.contains(node)).toList();
      assertThat(onNode).as("pods on " + node).hasSize(2)
          .allSatisfy(l -> assertThat(l).containsPattern("\\s" + net.prefix().replace(".", "\\.") + "\\d+\\s"));
      // real runc containers, under the node's own runc root
      assertThat(OciHost.runcList(net)).as("runc containers of " + node).hasSize(2);
    }
    for (String pod : jsonpath("pods -l app=hello", "{.items[*].metadata.name}").split(" ")) {
      String ip = jsonpath("pod " + pod, "{.status.podIP}");
      Await.until(Duration.ofSeconds(20), () -> k("-n", NS, "logs", pod).out().contains("tick 2") ? null : "ticks");
      List<String> log = k("-n", NS, "logs", pod).lines();
      // the pod's hostname, PID 1 of its own PID namespace, the pod IP on its eth0
      assertThat(log.get(0)).isEqualTo("hello from " + pod + " pid 1");
      assertThat(log.get(1)).startsWith("ip " + ip + "/24");
      assertThat(k("-n", NS, "logs", pod, "--tail=1").lines()).singleElement().asString().startsWith("tick ");
      assertThat(jsonpath("pod " + pod, "{.status.containerStatuses[0].containerID}")).startsWith("oci://");
    }
  }

  @Test
  @Order(2)
  void imagePullPolicyIsHonoured() throws Exception {
    LoopbackRegistry.Pushed one = registry.pushBusybox("e2e/version", "moving", Map.of("version", "one\n"));
    String name = one.name();
    // IfNotPresent on node-a: not there yet, so pulled
    runOnce("first", "node-a", name, "IfNotPresent");
    assertThat(awaitLogs("first")).isEqualTo("one\n");
    assertThat(jsonpath("pod first", "{.status.containerStatuses[0].imageID}")).endsWith(one.manifestDigest());

    // the tag moves to new content
    LoopbackRegistry.Pushed two = registry.pushBusybox("e2e/version", "moving", Map.of("version", "two\n"));
    assertThat(two.manifestDigest()).isNotEqualTo(one.manifestDigest());
    runOnce("present", "node-a", name, "IfNotPresent");
    assertThat(awaitLogs("present")).as("IfNotPresent keeps the node's image").isEqualTo("one\n");
    runOnce("always", "node-a", name, "Always");
    assertThat(awaitLogs("always")).as("Always pulls the moved tag").isEqualTo("two\n");
    assertThat(jsonpath("pod always", "{.status.containerStatuses[0].imageID}")).endsWith(two.manifestDigest());
    runOnce("never-here", "node-a", name, "Never");
    assertThat(awaitLogs("never-here")).as("Never runs what the node has").isEqualTo("two\n");

    // Never on node-b, which never pulled it: waits with ErrImageNeverPull
    runOnce("never-there", "node-b", name, "Never");
    Await.until(Duration.ofSeconds(60), () -> {
      String reason = jsonpath("pod never-there", "{.status.containerStatuses[0].state.waiting.reason}");
      return reason.equals("ErrImageNeverPull") ? null : "never-there waiting reason: " + reason;
    });
    assertThat(jsonpath("pod never-there", "{.status.phase}")).isEqualTo("Pending");
    k("-n", NS, "delete", "pod", "first", "present", "always", "never-here", "never-there", "--grace-period=1",
        "--wait=false");
  }

  /** A pod of one container printing /version once, bound to {@code node}. */
  private static void runOnce(String pod, String node, String image, String policy) throws Exception {
    apply("""
        apiVersion: v1
        kind: Pod
        metadata: {name: %s}
        spec:
          nodeName: %s
          restartPolicy: Never
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: %s
            imagePullPolicy: %s
            command: [cat, /version]
        """.formatted(pod, node, image, policy));
  }

  private static String awaitLogs(String pod) throws Exception {
    Await.until(Duration.ofSeconds(90), () -> {
      String phase = jsonpath("pod " + pod, "{.status.phase}");
      return phase.equals("Succeeded") ? null : pod + " phase " + phase + " "
          + jsonpath("pod " + pod, "{.status.containerStatuses[0].state}");
    });
    return k("-n", NS, "logs", pod).out();
  }

  @Test
  @Order(3)
  void deletedPodsLeaveNoContainersOrNamespaces() throws Exception {
    k("-n", NS, "delete", "deployment", "hello", "--wait=false");
    k("-n", NS, "delete", "pods", "--all", "--grace-period=1", "--wait=false");
    Await.until(Duration.ofSeconds(90), () -> {
      String left = cluster.kubectl.run("-n", NS, "get", "pods", "-o", "name").out();
      return left.isBlank() ? null : "pods left: " + left.lines().toList();
    });
    Await.until(Duration.ofSeconds(60), () -> {
      List<String> containers = new ArrayList<>();
      for (String node : NODES) {
        containers.addAll(OciHost.runcList(nets.get(node)));
      }
      List<String> netns = host.newNetns();
      // overlay root filesystems and the sandboxes' IPC/UTS namespace files
      List<String> mounts = host.mounts();
      return containers.isEmpty() && netns.isEmpty() && mounts.isEmpty() ? null
          : "runc containers " + containers + ", netns " + netns + ", mounts " + mounts;
    });
  }
}
