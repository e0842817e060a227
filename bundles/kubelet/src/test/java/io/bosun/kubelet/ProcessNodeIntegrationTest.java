package io.bosun.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerStatus;
import io.bosun.api.core.v1.ExecAction;
import io.bosun.api.core.v1.Lifecycle;
import io.bosun.api.core.v1.LifecycleHandler;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Probe;
import io.bosun.runtime.process.ProcessRuntime;
import io.bosun.runtime.spi.ContainerFilter;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kubelet with the process runtime (real processes) and a real API server: Running/Ready, restarts
 * with back-off, logs through the API server's pods/log proxy (tail, previous, follow), graceful
 * deletion with SIGTERM, and a restart of kubelet and runtime that restarts no container.
 */
class ProcessNodeIntegrationTest {

  static final String NODE = "proc-node";

  @TempDir
  Path dir;

  TestApi api;
  ProcessRuntime runtime;
  Runtimes runtimes;
  Kubelet kubelet;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() throws Exception {
    api = new TestApi(dir.resolve("store"));
    openRuntime();
    kubelet = newKubelet();
  }

  private void openRuntime() {
    runtime = new ProcessRuntime(ProcessRuntime.Settings.of(dir.resolve("runtime")));
    runtimes = new Runtimes(Map.of());
    runtimes.add("process", runtime, List.of("process"));
  }

  private Kubelet newKubelet() {
    Kubelet k = new Kubelet(KubeletConfig.builder(NODE, dir.resolve("kubelet")).runtime("process").port(0)
        .nodeIP("127.0.0.1").relistPeriod(Duration.ofMillis(200)).nodeStatusUpdateFrequency(Duration.ofSeconds(1))
        .syncFrequency(Duration.ofSeconds(5)).crashLoopBackOff(Duration.ofSeconds(1), Duration.ofSeconds(4))
        .evictionHard(List.of()).build(), api.config(), runtimes, Clock.systemUTC());
    k.start();
    return k;
  }

  @AfterEach
  void tearDown() {
    if (kubelet != null) {
      kubelet.close();
    }
    // real processes: kill whatever a test left running
    runtime.containers().list(ContainerFilter.ALL).forEach(c -> runtime.containers().remove(c.id()));
    runtime.close();
    api.close();
  }

  /** GET through the API server: "<status> <body>". */
  private String get(String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api.url() + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() + " " + r.body();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static ContainerStatus status(Pod p) {
    return p.getStatus().getContainerStatuses().get(0);
  }

  @Test
  void runsRealProcessesServesLogsAndTerminatesGracefully() throws Exception {
    Container app = TestApi.container("app", "sh", "-c",
        "trap 'echo got SIGTERM; exit 0' TERM; echo hello from $HOSTNAME; i=0; "
            + "while :; do i=$((i+1)); echo tick $i; sleep 0.2; done")
        .withReadinessProbe(new Probe().withExec(new ExecAction().withCommand(List.of("true"))).withPeriodSeconds(1))
        .withLifecycle(new Lifecycle().withPreStop(new LifecycleHandler().withExec(new ExecAction().withCommand(
            List.of("sh", "-c", "echo prestop ran > $BOSUN_ROOTFS/prestop")))));
    api.run(TestApi.pod("web", Map.of(), app), NODE);
    Pod p = api.awaitPod("web", KubeletTest::running, "Running and Ready");
    assertThat(p.getStatus().getPodIP()).isEqualTo("127.0.0.1"); // host processes share the node's network
    assertThat(status(p).getContainerID()).startsWith("process://");
    Node node = api.client.resources(Node.class).get(null, NODE).orElseThrow();
    assertThat(node.getStatus().getNodeInfo().getContainerRuntimeVersion()).isEqualTo("process://0.1.0");

    // logs through the API server's proxy
    TestApi.await(Duration.ofSeconds(10), () -> get("/api/v1/namespaces/default/pods/web/log").contains("tick 3"),
        "ticks in the log");
    String all = get("/api/v1/namespaces/default/pods/web/log");
    assertThat(all).startsWith("200 hello from web\ntick 1\n");
    assertThat(get("/api/v1/namespaces/default/pods/web/log?tailLines=1")).matches("200 tick \\d+\n");
    assertThat(get("/api/v1/namespaces/default/pods/web/log?tailLines=1&timestamps=true"))
        .matches("200 20\\d\\d-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z tick \\d+\n");
    assertThat(get("/api/v1/namespaces/default/pods/web/log?container=nope"))
        .startsWith("400 ").contains("container nope is not valid for pod web");
    assertThat(get("/api/v1/namespaces/default/pods/web/log?previous=true"))
        .startsWith("400 ").contains("previous terminated container \\\"app\\\" in pod \\\"web\\\" not found");

    // follow: lines arrive as they are written, over a chunked response
    HttpResponse<InputStream> follow = http.send(HttpRequest.newBuilder(URI.create(api.url()
        + "/api/v1/namespaces/default/pods/web/log?follow=true&tailLines=1")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(follow.statusCode()).isEqualTo(200);
    List<String> followed = new CopyOnWriteArrayList<>();
    Thread reader = Thread.ofVirtual().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(follow.body(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          followed.add(line);
        }
      } catch (Exception e) {
        // closed
      }
    });
    TestApi.await(Duration.ofSeconds(10), () -> followed.size() >= 5, "five followed lines", followed::toString);
    int first = Integer.parseInt(followed.get(0).substring(5));
    assertThat(followed.get(4)).isEqualTo("tick " + (first + 4));

    // graceful deletion: preStop, SIGTERM (the trap answers), final delete; the follow ends with the container
    Pod before = api.get("web");
    api.client.pods().delete("default", "web", null);
    TestApi.await(Duration.ofSeconds(30), () -> api.get("web") == null, "pod deleted by the kubelet");
    reader.join(Duration.ofSeconds(10));
    assertThat(reader.isAlive()).isFalse();
    assertThat(followed).contains("got SIGTERM");
    // containers are removed once the pod has left the API (the kubelet cleans up after the final delete)
    TestApi.await(Duration.ofSeconds(10),
        () -> runtime.containers().list(ContainerFilter.ofPod(before.getMetadata().getUid())).isEmpty(),
        "the pod's containers removed from the runtime");
  }

  @Test
  void crashingContainerRestartsWithBackOffAndPreviousLogs() throws Exception {
    api.run(TestApi.pod("crash", Map.of(), TestApi.container("app", "sh", "-c", "echo run at $(date +%s%N); exit 2")),
        NODE);
    Pod p = api.awaitPod("crash", x -> x.getStatus().getContainerStatuses() != null
        && status(x).getRestartCount() >= 2, "two restarts");
    assertThat(p.getStatus().getPhase()).isEqualTo("Running");
    Pod cl = api.awaitPod("crash", x -> status(x).getState().getWaiting() != null
        && "CrashLoopBackOff".equals(status(x).getState().getWaiting().getReason()), "CrashLoopBackOff");
    assertThat(status(cl).getLastState().getTerminated().getExitCode()).isEqualTo(2);
    String current = get("/api/v1/namespaces/default/pods/crash/log");
    String previous = get("/api/v1/namespaces/default/pods/crash/log?previous=true");
    assertThat(current).startsWith("200 run at ");
    assertThat(previous).startsWith("200 run at ");
    assertThat(previous).isNotEqualTo(current);
  }

  @Test
  void restartingKubeletAndRuntimeRestartsNoContainer() throws Exception {
    api.run(TestApi.pod("steady", Map.of(), TestApi.container("app", "sh", "-c",
        "echo started; exec sleep 600")), NODE);
    Pod before = api.awaitPod("steady", KubeletTest::running, "Running");
    String id = status(before).getContainerID();
    // the whole node process goes away: kubelet and runtime both
    kubelet.close();
    kubelet = null;
    runtime.close();
    openRuntime();
    kubelet = newKubelet();
    TestApi.await(Duration.ofSeconds(20), () -> kubelet.podCount() == 1, "pod adopted");
    // give the new kubelet a few syncs: nothing may restart
    TestApi.await(Duration.ofSeconds(20), () -> {
      Pod now = api.get("steady");
      return KubeletTest.running(now) && now.getMetadata().getResourceVersion() != null;
    }, "still Running");
    Pod after = api.get("steady");
    assertThat(status(after).getContainerID()).isEqualTo(id);
    assertThat(status(after).getRestartCount()).isZero();
    // the new kubelet listens on another port (port 0 in tests): wait for the Node to say so
    TestApi.await(Duration.ofSeconds(20), () -> api.client.resources(Node.class).get(null, NODE).orElseThrow()
        .getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort() == kubelet.port(), "new kubelet port posted");
    assertThat(get("/api/v1/namespaces/default/pods/steady/log")).isEqualTo("200 started\n");
    List<String> states = new ArrayList<>();
    runtime.containers().list(ContainerFilter.ALL).forEach(c -> states.add(c.state().name()));
    assertThat(states).containsExactly("RUNNING");
    assertThat(Files.exists(dir.resolve("kubelet"))).isTrue();
  }
}
