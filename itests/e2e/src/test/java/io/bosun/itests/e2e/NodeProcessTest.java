package io.bosun.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A cluster of separate processes on loopback, as the node issue's end-to-end test asks: a
 * control-plane runtime and two node runtimes ({@code --server}, {@code --name},
 * {@code --node-runtime process}) with the kubelet running real host processes. Driven with the real
 * kubectl: a Deployment of 4 replicas spread over both nodes, Running with IPs and node names;
 * {@code kubectl logs} (and {@code -f}); a crashing container restarting with back-off; a failing
 * liveness probe restarting its container; readiness gating Ready; a node process restarted
 * without restarting its containers; a node process killed with SIGKILL: the node lifecycle
 * controller marks it Unknown and taints it unreachable, the taint eviction controller evicts its
 * pods, and the Deployment's replacements run on the other node (node monitoring and the default
 * unreachable toleration shortened in the control plane's etc/). Pods are bound by the test when
 * the control plane has no scheduler (not in the last test: the replacements must be placed by it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeProcessTest {

  private static final String NS = "e2e-node";
  private static final Duration BOOT = Duration.ofSeconds(90);
  /**
   * Node monitor grace period of the test's control plane: a node silent this long is Unknown. Well
   * above a node process restart (6 to 10 s here), so the restart test's node never goes Unknown.
   */
  private static final int NODE_GRACE_SECONDS = 20;
  /** The unreachable (and not-ready) toleration assumed for pods without one: evicted this long after the taint. */
  private static final int TOLERATION_SECONDS = 5;

  private static Path work;
  private static RuntimeProcess controlPlane;
  private static final Map<String, RuntimeProcess> nodes = new HashMap<>();
  private static Kubectl kubectl;
  private static String url;

  /** One runtime process (launcher JVM) with its instance folder and log. */
  static final class RuntimeProcess {
    final Path runtime;
    final Path instance;
    final Path log;
    final List<String> args;
    Process process;

    RuntimeProcess(Path runtime, Path instance, List<String> args) {
      this.runtime = runtime;
      this.instance = instance;
      this.log = instance.resolveSibling(instance.getFileName() + ".log");
      this.args = args;
    }

    void start() throws IOException {
      String java = ProcessHandle.current().info().command().orElse("java");
      List<String> cmd = new ArrayList<>(List.of(java));
      if (Runtime.version().feature() >= 23) {
        cmd.add("--sun-misc-unsafe-memory-access=allow");
      }
      if (Runtime.version().feature() >= 22) {
        cmd.add("--enable-native-access=ALL-UNNAMED");
      }
      cmd.addAll(List.of("-jar", runtime.resolve("lib/bosun-launcher.jar").toString(), "--runtime",
          runtime.toString(), "--instance", instance.toString()));
      cmd.addAll(args);
      process = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** SIGTERM, as Ctrl-C: the framework stops; containers stay. */
    void stop() throws InterruptedException {
      if (process != null && process.isAlive()) {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }

    void kill() throws InterruptedException {
      if (process != null && process.isAlive()) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }

    String log() {
      try {
        return Files.exists(log) ? Files.readString(log) : "";
      } catch (IOException e) {
        return "(unreadable: " + e + ")";
      }
    }
  }

  @BeforeAll
  static void startCluster() throws Exception {
    String cp = System.getProperty("bosun.controlplane.dir");
    String node = System.getProperty("bosun.node.dir");
    Assumptions.assumeTrue(cp != null && node != null && Files.isDirectory(Path.of(cp, "system"))
        && Files.isDirectory(Path.of(node, "system")), "the control-plane and node runtimes are not unpacked");
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "the process runtime needs /bin/bash");
    work = Path.of(System.getProperty("bosun.itest.work", "target/e2e-work"))
        .resolve("nodes-" + ProcessHandle.current().pid());
    Files.createDirectories(work);
    int port = freePort();
    url = "http://127.0.0.1:" + port;
    Path cpInstance = work.resolve("control-plane");
    // test-shortened node monitoring and default tolerations, so a killed node's pods go in seconds
    seed(Path.of(cp), cpInstance, Map.of("io.bosun.controller.nodelifecycle.cfg",
        "nodeMonitorGracePeriodSeconds = " + NODE_GRACE_SECONDS + "\nnodeMonitorPeriodMillis = 1000\n",
        "io.bosun.controller.tainteviction.cfg", "defaultUnreachableTolerationSeconds = " + TOLERATION_SECONDS
            + "\ndefaultNotReadyTolerationSeconds = " + TOLERATION_SECONDS + "\n"));
    controlPlane = new RuntimeProcess(Path.of(cp), cpInstance, List.of("--port", Integer.toString(port)));
    controlPlane.start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Await.until(BOOT, () -> {
      if (!controlPlane.process.isAlive()) {
        throw new AssertionError("the control plane exited:\n" + controlPlane.log());
      }
      try {
        return http.send(HttpRequest.newBuilder(URI.create(url + "/readyz")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200 ? null : "not ready";
      } catch (IOException e) {
        return "readyz: " + e;
      }
    });
    Path kubeconfig = work.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: bosun, cluster: {server: %s}}]
        contexts: [{name: bosun, context: {cluster: bosun, user: bosun, namespace: %s}}]
        current-context: bosun
        users: [{name: bosun, user: {}}]
        """.formatted(url, NS));
    kubectl = new Kubectl(kubeconfig, work);
    for (String name : List.of("node-a", "node-b")) {
      startNode(name, node);
    }
    Await.until(BOOT, () -> {
      String ready = kubectl.run("get", "nodes", "-o",
          "jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Ready\")].status} {end}").out();
      return ready.contains("node-a=True") && ready.contains("node-b=True") ? null : "nodes: " + ready;
    });
    k("create", "namespace", NS);
  }

  private static void startNode(String name, String runtime) throws IOException {
    Path instance = work.resolve(name);
    // kubelet port 0: two kubelets on one host; short back-off and status period for the test
    seed(Path.of(runtime), instance, Map.of("io.bosun.kubelet.cfg", """
        port = 0
        nodeStatusUpdateFrequencySeconds = 2
        crashLoopBackOffInitialSeconds = 2
        crashLoopBackOffMaxSeconds = 10
        """));
    RuntimeProcess p = new RuntimeProcess(Path.of(runtime), instance, List.of("--server", url, "--name", name,
        "--node-runtime", "process"));
    p.start();
    nodes.put(name, p);
  }

  /** A new instance: the runtime's default etc/ plus extra configuration files. */
  private static void seed(Path runtime, Path instance, Map<String, String> extra) throws IOException {
    Path etc = Files.createDirectories(instance.resolve("etc"));
    try (Stream<Path> files = Files.list(runtime.resolve("etc"))) {
      for (Path f : files.toList()) {
        Files.copy(f, etc.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (var e : extra.entrySet()) {
      Files.writeString(etc.resolve(e.getKey()), e.getValue());
    }
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (controlPlane == null) {
      return;
    }
    try {
      // Containers outlive node processes by design: delete the pods while the kubelets run.
      kubectl.run("delete", "pods", "--all", "-n", NS, "--grace-period=1", "--wait=false");
      List<String> live = nodes.entrySet().stream().filter(e -> e.getValue().process.isAlive()).map(Map.Entry::getKey)
          .toList();
      Await.until(Duration.ofSeconds(60), () -> {
        String left = kubectl.run("get", "pods", "-n", NS, "-o", "jsonpath={range .items[*]}{.spec.nodeName} {end}")
            .out();
        return live.stream().noneMatch(left::contains) ? null : "pods left on live nodes: " + left;
      });
      // pods of a killed node: nobody will finish their deletion
      kubectl.run("delete", "pods", "--all", "-n", NS, "--grace-period=0", "--force");
      kubectl.run("delete", "namespace", NS, "--wait=false");
    } catch (AssertionError | Exception e) {
      // fall through to the hard cleanup below
    } finally {
      for (RuntimeProcess n : nodes.values()) {
        n.stop();
        killLeftovers(n.instance);
      }
      controlPlane.stop();
    }
  }

  /** Kills container processes a node left behind (its kubelet was killed, or the delete timed out). */
  private static void killLeftovers(Path instance) throws IOException, InterruptedException {
    Path containers = instance.resolve("data/runtime/process/containers");
    if (!Files.isDirectory(containers)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(containers)) {
      for (Path d : dirs.toList()) {
        Path pid = d.resolve("pid");
        if (Files.exists(pid) && !Files.exists(d.resolve("exit"))) {
          String p = Files.readString(pid).trim().split("\\s+")[0];
          new ProcessBuilder("kill", "-s", "KILL", "--", "-" + p).redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static Kubectl.Result k(String... args) throws Exception {
    return kubectl.run(args).ok();
  }

  private static Kubectl.Result apply(String yaml) throws Exception {
    return kubectl.run(yaml, Map.of(), "-n", NS, "apply", "-f", "-").ok();
  }

  /** {@code kubectl get <what...> -o jsonpath=<path>}; {@code what} is split at spaces ("pods -l app=x"). */
  private static String jsonpath(String what, String path) throws Exception {
    List<String> args = new ArrayList<>(List.of("-n", NS, "get"));
    args.addAll(Arrays.asList(what.split(" ")));
    args.addAll(List.of("-o", "jsonpath=" + path));
    return k(args.toArray(String[]::new)).out();
  }

  /** Binds pods still unscheduled after a while, round-robin: the control plane may have no scheduler. */
  private static void bindIfUnscheduled(String selector) throws Exception {
    try {
      Await.until(Duration.ofSeconds(20), () -> {
        String unbound = jsonpath("pods -l " + selector, "{range .items[?(@.spec.nodeName==\"\")]}x{end}");
        return unbound.isEmpty() ? null : "unscheduled";
      });
    } catch (AssertionError e) {
      List<String> names = Arrays.stream(k("-n", NS, "get", "pods", "-l", selector, "-o",
          "jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName} {end}").out().trim().split(" "))
          .filter(s -> s.endsWith("=")).map(s -> s.substring(0, s.length() - 1)).toList();
      HttpClient http = HttpClient.newHttpClient();
      int i = 0;
      for (String pod : names) {
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"" + pod
            + "\"},\"target\":{\"kind\":\"Node\",\"name\":\"node-" + (i++ % 2 == 0 ? "a" : "b") + "\"}}";
        http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/" + NS + "/pods/" + pod + "/binding"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.discarding());
      }
    }
  }

  @Test
  @Order(1)
  void deploymentRunsOnBothNodesAndLogsWork() throws Exception {
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
              # Honor: a node tainted unreachable is no domain to spread over (the replacements of its
              # pods may then all go to the other node)
              topologySpreadConstraints:
              - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
                 nodeTaintsPolicy: Honor, labelSelector: {matchLabels: {app: hello}}}
              containers:
              - name: main
                image: busybox:1.36
                command: [sh, -c, 'echo hello from $HOSTNAME; i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done']
        """);
    Await.until(Duration.ofSeconds(30), () -> jsonpath("pods -l app=hello", "{.items[*].metadata.name}").split(" ")
        .length == 4 ? null : "4 pods");
    bindIfUnscheduled("app=hello");
    Await.until(Duration.ofSeconds(60), () -> {
      String phases = jsonpath("pods -l app=hello", "{range .items[*]}{.status.phase} {end}");
      return phases.trim().equals("Running Running Running Running") ? null : "phases: " + phases;
    });
    List<String> wide = k("-n", NS, "get", "pods", "-l", "app=hello", "-o", "wide").lines();
    assertThat(wide.get(0)).contains("IP").contains("NODE");
    assertThat(wide.subList(1, wide.size())).hasSize(4).allSatisfy(l -> assertThat(l).contains("Running")
        .contains("127.0.0.1").containsPattern("node-[ab]"));
    assertThat(wide.stream().filter(l -> l.contains("node-a")).count()).isEqualTo(2);
    assertThat(wide.stream().filter(l -> l.contains("node-b")).count()).isEqualTo(2);
    String pod = jsonpath("pods -l app=hello", "{.items[0].metadata.name}");
    Await.until(Duration.ofSeconds(20), () -> k("-n", NS, "logs", pod).out().contains("tick 2") ? null : "ticks");
    assertThat(k("-n", NS, "logs", pod).lines().get(0)).isEqualTo("hello from " + pod);
    assertThat(k("-n", NS, "logs", pod, "--tail=1").lines()).singleElement().asString().startsWith("tick ");
    // kubectl logs -f streams until stopped
    Path followed = work.resolve("follow.txt");
    Process f = kubectl.start(followed, "-n", NS, "logs", "-f", pod, "--tail=1");
    try {
      Await.until(Duration.ofSeconds(20), () -> Files.readAllLines(followed, StandardCharsets.UTF_8).size() >= 3
          ? null : "three followed lines");
    } finally {
      f.destroy();
    }
  }

  @Test
  @Order(2)
  void readinessLivenessAndCrashLoop() throws Exception {
    apply("""
        apiVersion: v1
        kind: Pod
        metadata: {name: probed}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: busybox
            command: [sh, -c, 'sleep 8; touch $BOSUN_ROOTFS/ready; sleep 4; touch $BOSUN_ROOTFS/dead; exec sleep 3600']
            readinessProbe:
              exec: {command: [sh, -c, 'test -f $BOSUN_ROOTFS/ready']}
              periodSeconds: 1
            livenessProbe:
              exec: {command: [sh, -c, 'test ! -f $BOSUN_ROOTFS/dead']}
              periodSeconds: 1
              failureThreshold: 2
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: crasher}
        spec:
          containers:
          - name: main
            image: busybox
            command: [sh, -c, 'echo about to fail; exit 3']
        """);
    bindIfUnscheduled("!app");
    // readiness: Running but not Ready until the file exists (8 s after the start)
    Await.until(Duration.ofSeconds(30), () -> jsonpath("pod probed", "{.status.phase}").equals("Running")
        ? null : "probed running");
    assertThat(jsonpath("pod probed", "{.status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("False");
    assertThat(jsonpath("pod probed", "{.status.containerStatuses[0].ready}")).isEqualTo("false");
    Await.until(Duration.ofSeconds(30), () -> jsonpath("pod probed",
        "{.status.conditions[?(@.type==\"Ready\")].status}").equals("True") ? null : "probed Ready");
    // liveness: the dead file fails it; the container is restarted (a fresh folder: Ready again later)
    Await.until(Duration.ofSeconds(60), () -> {
      String n = jsonpath("pod probed", "{.status.containerStatuses[0].restartCount}");
      return !n.isEmpty() && Integer.parseInt(n) >= 1 ? null : "liveness restart, restartCount " + n;
    });
    assertThat(jsonpath("pod probed", "{.status.containerStatuses[0].lastState.terminated.reason}")).isEqualTo("Error");
    // a container that exits non-zero restarts with back-off and a growing restartCount
    Await.until(Duration.ofSeconds(90), () -> {
      String s = jsonpath("pod crasher", "{.status.containerStatuses[0].restartCount} "
          + "{.status.containerStatuses[0].state.waiting.reason}");
      return s.matches("[2-9]\\d* CrashLoopBackOff") ? null : "crasher: " + s;
    });
    assertThat(jsonpath("pod crasher", "{.status.containerStatuses[0].lastState.terminated.exitCode}")).isEqualTo("3");
    assertThat(k("-n", NS, "logs", "crasher", "--previous").out()).isEqualTo("about to fail\n");
  }

  @Test
  @Order(3)
  void restartingANodeProcessRestartsNoContainer() throws Exception {
    String before = jsonpath("pods -l app=hello", "{range .items[*]}{.metadata.name}={.status.containerStatuses[0]"
        + ".containerID}/{.status.containerStatuses[0].restartCount} {end}");
    RuntimeProcess a = nodes.get("node-a");
    a.stop();
    a.start();
    // the restarted kubelet posts its (new) port and carries on with the same containers
    Await.until(BOOT, () -> a.log().split("Kubelet v1.32.0-bosun started").length >= 3 ? null : "kubelet restarted");
    Await.until(Duration.ofSeconds(30), () -> {
      String ready = kubectl.run("get", "node", "node-a", "-o",
          "jsonpath={.status.conditions[?(@.type==\"Ready\")].lastHeartbeatTime}").out();
      return ready.isEmpty() ? "heartbeat" : null;
    });
    String pod = jsonpath("pods -l app=hello --field-selector spec.nodeName=node-a", "{.items[0].metadata.name}");
    Await.until(Duration.ofSeconds(30), () -> kubectl.run("-n", NS, "logs", pod, "--tail=1").exit() == 0
        ? null : "logs from the restarted kubelet");
    String after = jsonpath("pods -l app=hello", "{range .items[*]}{.metadata.name}={.status.containerStatuses[0]"
        + ".containerID}/{.status.containerStatuses[0].restartCount} {end}");
    assertThat(after).isEqualTo(before);
    int tick = Integer.parseInt(k("-n", NS, "logs", pod, "--tail=1").out().trim().substring(5));
    assertThat(tick).isGreaterThan(3); // the same process went on counting
  }

  @Test
  @Order(4)
  void podsOfAKilledNodeGoElsewhere() throws Exception {
    for (String n : List.of("node-a", "node-b")) {
      Await.until(Duration.ofSeconds(30), () -> {
        String ready = kubectl.run("get", "node", n, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")
            .out();
        return ready.equals("True") ? null : n + " Ready=" + ready;
      });
    }
    Map<String, HelloPod> before = helloPods();
    List<String> onA = before.values().stream().filter(p -> p.node().equals("node-a")).map(HelloPod::name).toList();
    List<String> onB = before.values().stream().filter(p -> p.node().equals("node-b")).map(HelloPod::name).toList();
    assertThat(onB).as("hello pods on node-b before the kill: %s", before).hasSize(2);
    RuntimeProcess b = nodes.get("node-b");
    long killed = System.nanoTime();
    b.kill(); // SIGKILL: no goodbye; its containers go on running on the host
    try {
      // node lifecycle: Ready Unknown once silent for the grace period, tainted unreachable
      Await.until(Duration.ofSeconds(NODE_GRACE_SECONDS + 40), () -> {
        String s = kubectl.run("get", "node", "node-b", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")]"
            + ".status}/{.status.conditions[?(@.type==\"Ready\")].reason} {range .spec.taints[*]}{.key}:{.effect} {end}")
            .out();
        return s.startsWith("Unknown/NodeStatusUnknown ") && s.contains(" node.kubernetes.io/unreachable:NoExecute ")
            ? null : "node-b: " + s;
      });
      long unknown = System.nanoTime();
      // taint eviction: its pods are deleted once the (assumed) toleration of the taint has run out
      Await.until(Duration.ofSeconds(TOLERATION_SECONDS + 40), () -> {
        Map<String, HelloPod> now = helloPods();
        List<HelloPod> kept = onB.stream().map(now::get).filter(p -> p != null && p.deletionTimestamp().isEmpty())
            .toList();
        return kept.isEmpty() ? null : "not evicted yet: " + kept;
      });
      long evicted = System.nanoTime();
      Map<String, HelloPod> afterEviction = helloPods();
      for (String name : onB) {
        HelloPod p = afterEviction.get(name);
        if (p != null) { // still Terminating: no kubelet will confirm it
          assertThat(p.disruptionTarget()).as("DisruptionTarget reason of evicted %s", p)
              .isEqualTo("DeletionByTaintManager");
        }
      }
      // the Deployment replaces them on node-a; node-a's own pods were left alone
      Await.until(Duration.ofSeconds(90), () -> {
        List<HelloPod> live = helloPods().values().stream().filter(p -> p.deletionTimestamp().isEmpty()).toList();
        boolean done = live.size() == 4 && live.stream().allMatch(p -> p.node().equals("node-a")
            && p.phase().equals("Running") && p.ready().equals("True"));
        return done ? null : "live hello pods: " + live;
      });
      long replaced = System.nanoTime();
      Map<String, HelloPod> after = helloPods();
      List<String> live = after.values().stream().filter(p -> p.deletionTimestamp().isEmpty()).map(HelloPod::name)
          .toList();
      assertThat(live).containsAll(onA).doesNotContainAnyElementsOf(onB).hasSize(4);
      System.err.printf("NodeProcessTest: node-b killed; Unknown and tainted after %d ms, its 2 pods evicted after"
          + " %d ms, 4 hello pods running on node-a after %d ms (grace %d s, toleration %d s)%n",
          (unknown - killed) / 1_000_000, (evicted - killed) / 1_000_000, (replaced - killed) / 1_000_000,
          NODE_GRACE_SECONDS, TOLERATION_SECONDS);
    } finally {
      killLeftovers(b.instance);
    }
  }

  /** One pod of the hello Deployment, as the API shows it (empty strings for what is not set). */
  record HelloPod(String name, String node, String phase, String ready, String deletionTimestamp,
      String disruptionTarget) {}

  private static Map<String, HelloPod> helloPods() throws Exception {
    String out = jsonpath("pods -l app=hello", "{range .items[*]}{.metadata.name}|{.spec.nodeName}|{.status.phase}|"
        + "{.status.conditions[?(@.type==\"Ready\")].status}|{.metadata.deletionTimestamp}|"
        + "{.status.conditions[?(@.type==\"DisruptionTarget\")].reason};{end}");
    Map<String, HelloPod> pods = new java.util.TreeMap<>();
    for (String line : out.split(";")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.trim().split("\\|", -1);
      pods.put(f[0], new HelloPod(f[0], f[1], f[2], f[3], f[4], f[5]));
    }
    return pods;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
