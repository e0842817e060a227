package io.bosun.runtime.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.cni.bridge.BridgeNetwork;
import io.bosun.runtime.spi.ContainerConfig;
import io.bosun.runtime.spi.ContainerEvent;
import io.bosun.runtime.spi.ContainerFilter;
import io.bosun.runtime.spi.ContainerResources;
import io.bosun.runtime.spi.ContainerState;
import io.bosun.runtime.spi.ContainerStatus;
import io.bosun.runtime.spi.CriLog;
import io.bosun.runtime.spi.ExecResult;
import io.bosun.runtime.spi.ImageSpec;
import io.bosun.runtime.spi.KeyValue;
import io.bosun.runtime.spi.Labels;
import io.bosun.runtime.spi.Mount;
import io.bosun.runtime.spi.SandboxConfig;
import io.bosun.runtime.spi.SandboxFilter;
import io.bosun.runtime.spi.SandboxState;
import io.bosun.runtime.spi.SandboxStatus;
import io.bosun.runtime.spi.SecurityOptions;
import io.bosun.runtime.spi.StartContainerException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The oci runtime with real runc, real CNI plugins and a busybox-static image, as root. Skipped
 * (with the reason) where any of these is missing. Everything made on the host is removed after
 * each test ({@link HostFixture}).
 */
class OciRuntimeRuncTest {

  static final String IMAGE = "bosun.test/busybox:1";

  @TempDir
  Path dir;

  private HostFixture host;
  private BridgeNetwork network;
  private OciRuntime runtime;
  private Path archive;

  @BeforeAll
  static void usable() {
    HostFixture.assumeUsable();
  }

  @BeforeEach
  void open() throws IOException {
    host = new HostFixture();
    network = host.network(dir.resolve("network"));
    runtime = newRuntime();
    archive = dir.resolve("busybox.tar");
    TestImages.writeLayout(TestImages.busybox(), IMAGE, archive);
    runtime.importArchive(archive, null);
  }

  private OciRuntime newRuntime() {
    return new OciRuntime(host.settings(dir.resolve("state")), () -> Optional.of(network));
  }

  @AfterEach
  void close() throws IOException {
    try {
      for (SandboxStatus s : runtime.sandboxes().list(SandboxFilter.ALL)) {
        runtime.sandboxes().remove(s.id());
      }
      for (ContainerStatus c : runtime.containers().list(ContainerFilter.ALL)) {
        runtime.containers().remove(c.id());
      }
      assertThat(mountsUnder(dir)).as("mounts left behind").isEmpty();
      assertThat(HostFixture.netns()).as("network namespaces left behind").noneMatch(n -> n.startsWith("bosun-"));
    } finally {
      runtime.close();
      host.close();
    }
  }

  private static List<String> mountsUnder(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String mp = line.split(" ")[4];
      if (mp.startsWith(dir.toString())) {
        out.add(mp);
      }
    }
    return out;
  }

  private SandboxConfig sandboxConfig(String name) {
    return new SandboxConfig(name, "default", "uid-" + name, 0, name + "-host", dir.resolve("logs/" + name),
        Map.of(Labels.POD_UID, "uid-" + name, Labels.POD_NAME, name), Map.of(), "", false, List.of(), null, null);
  }

  private ContainerConfig container(SandboxConfig pod, String name, List<String> command, List<KeyValue> env,
      List<Mount> mounts, ContainerResources resources, SecurityOptions security) {
    return new ContainerConfig(name, 0, ImageSpec.of(IMAGE), command, List.of(), null, env, mounts,
        Map.of(Labels.POD_UID, pod.uid(), Labels.CONTAINER_NAME, name), Map.of("a", "b"),
        pod.logDirectory().resolve(name + "/0.log"), resources, security, false, false);
  }

  private String run(String sandbox, SandboxConfig pod, String name, String script) {
    String id = runtime.containers().create(sandbox, container(pod, name, List.of("sh", "-c", script), List.of(),
        List.of(), null, null), pod);
    runtime.containers().start(id);
    return id;
  }

  private ContainerStatus awaitExit(OciRuntime rt, String id, Duration timeout) {
    await(() -> rt.containers().status(id).orElseThrow().state() == ContainerState.EXITED, timeout, "exit of " + id);
    return rt.containers().status(id).orElseThrow();
  }

  private static void await(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      HostFixture.sleep(20);
    }
  }

  private static List<CriLog.Line> log(ContainerStatus c) throws IOException {
    List<CriLog.Line> out = new ArrayList<>();
    for (String line : Files.readAllLines(c.logPath(), StandardCharsets.ISO_8859_1)) {
      out.add(CriLog.parse(line));
    }
    return out;
  }

  private static List<String> stdout(ContainerStatus c) throws IOException {
    return log(c).stream().filter(l -> l.stream() == CriLog.Stream.STDOUT).map(CriLog.Line::content).toList();
  }

  @Test
  void runsAContainerThatPrintsAndExits() throws IOException {
    List<ContainerEvent> events = new CopyOnWriteArrayList<>();
    runtime.containers().subscribe(events::add);
    SandboxConfig pod = sandboxConfig("printer");
    String sandbox = runtime.sandboxes().run(pod);
    SandboxStatus s = runtime.sandboxes().status(sandbox).orElseThrow();
    assertThat(s.state()).isEqualTo(SandboxState.READY);
    assertThat(s.ip()).startsWith(host.subnetPrefix + ".");

    Path data = dir.resolve("volume");
    Files.createDirectories(data);
    Files.writeString(data.resolve("greeting"), "from a volume");
    String id = runtime.containers().create(sandbox, container(pod, "main", List.of("sh", "-c",
        "echo hello; echo oops >&2; echo \"$IMAGE_VAR $POD_VAR $(hostname) $(id -u):$(id -g)\"; cat /data/greeting; echo;"
            + " touch /data/x 2>/dev/null || echo read-only; cat /etc/hostname; exit 3"),
        List.of(new KeyValue("POD_VAR", "from-pod")), List.of(new Mount(data, "/data", true, null)), null,
        new SecurityOptions(1000L, null, List.of(), false, false, true, List.of(), List.of())), pod);
    assertThat(runtime.containers().status(id).orElseThrow().state()).isEqualTo(ContainerState.CREATED);
    runtime.containers().start(id);
    ContainerStatus c = awaitExit(runtime, id, Duration.ofSeconds(20));

    assertThat(c.exitCode()).isEqualTo(3);
    assertThat(c.reason()).isEqualTo("Error");
    assertThat(c.startedAt()).isNotNull();
    assertThat(c.finishedAt()).isAfterOrEqualTo(c.startedAt());
    assertThat(c.imageRef()).startsWith("bosun.test/busybox@sha256:");
    assertThat(c.annotations()).containsEntry("a", "b");
    assertThat(stdout(c)).containsExactly("hello", "from-image from-pod printer-host 1000:1000", "from a volume",
        "read-only", "printer-host");
    assertThat(log(c)).filteredOn(l -> l.stream() == CriLog.Stream.STDERR).extracting(CriLog.Line::content)
        .containsExactly("oops");
    await(() -> events.stream().anyMatch(e -> e.type() == ContainerEvent.Type.STOPPED), Duration.ofSeconds(5), "event");
    assertThat(events).extracting(ContainerEvent::type).startsWith(ContainerEvent.Type.CREATED,
        ContainerEvent.Type.STARTED);
    assertThat(events.get(0).podUid()).isEqualTo(pod.uid());

    // exited containers stay listed until removed; their log stays after removal
    assertThat(runtime.containers().list(ContainerFilter.ofSandbox(sandbox))).extracting(ContainerStatus::id)
        .containsExactly(id);
    runtime.containers().remove(id);
    assertThat(runtime.containers().status(id)).isEmpty();
    assertThat(c.logPath()).exists();
  }

  @Test
  void stopsGracefullyWithSigtermAndKillsAfterTheGracePeriod() throws IOException {
    SandboxConfig pod = sandboxConfig("stopper");
    String sandbox = runtime.sandboxes().run(pod);
    String graceful = run(sandbox, pod, "graceful",
        "trap 'echo bye; exit 0' TERM; echo ready; while true; do sleep 0.1; done");
    // PID 1 ignores SIGTERM without a handler: only SIGKILL ends it
    String stubborn = run(sandbox, pod, "stubborn", "exec sleep 1000");
    await(() -> {
      try {
        return stdout(runtime.containers().status(graceful).orElseThrow()).contains("ready");
      } catch (IOException e) {
        return false;
      }
    }, Duration.ofSeconds(10), "ready");
    assertThat(runtime.containers().status(stubborn).orElseThrow().state()).isEqualTo(ContainerState.RUNNING);

    long t0 = System.nanoTime();
    runtime.containers().stop(graceful, Duration.ofSeconds(20));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    ContainerStatus g = runtime.containers().status(graceful).orElseThrow();
    assertThat(g.state()).isEqualTo(ContainerState.EXITED);
    assertThat(g.exitCode()).isZero();
    assertThat(g.reason()).isEqualTo("Completed");
    assertThat(stdout(g)).contains("bye");

    t0 = System.nanoTime();
    runtime.containers().stop(stubborn, Duration.ofSeconds(1));
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(900)).isLessThan(Duration.ofSeconds(8));
    ContainerStatus s = runtime.containers().status(stubborn).orElseThrow();
    assertThat(s.exitCode()).isEqualTo(137);
    runtime.containers().stop(stubborn, Duration.ofSeconds(1)); // idempotent
  }

  @Test
  void execSyncRunsInTheContainer() {
    SandboxConfig pod = sandboxConfig("execer");
    String sandbox = runtime.sandboxes().run(pod);
    String id = run(sandbox, pod, "main", "echo started > /tmp/marker; exec sleep 1000");
    var exec = runtime.exec().orElseThrow();
    await(() -> exec.execSync(id, List.of("cat", "/tmp/marker"), Duration.ofSeconds(5)).succeeded(),
        Duration.ofSeconds(10), "marker");
    ExecResult r = exec.execSync(id, List.of("sh", "-c", "echo $IMAGE_VAR; hostname; echo err >&2; exit 5"),
        Duration.ofSeconds(10));
    assertThat(r.exitCode()).isEqualTo(5);
    assertThat(new String(r.stdout(), StandardCharsets.UTF_8)).isEqualTo("from-image\nexecer-host\n");
    assertThat(new String(r.stderr(), StandardCharsets.UTF_8)).isEqualTo("err\n");
    ExecResult missing = exec.execSync(id, List.of("no-such-command"), Duration.ofSeconds(10));
    assertThat(missing.exitCode()).isEqualTo(127);
    long t0 = System.nanoTime();
    ExecResult slow = exec.execSync(id, List.of("sleep", "30"), Duration.ofMillis(500));
    assertThat(slow.timedOut()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    // the container itself is unaffected
    assertThat(runtime.containers().status(id).orElseThrow().state()).isEqualTo(ContainerState.RUNNING);
  }

  @Test
  void containersOfAPodShareItsNetworkAndThePodIpIsReachableFromTheHost() throws Exception {
    SandboxConfig pod = sandboxConfig("web");
    String sandbox = runtime.sandboxes().run(pod);
    String ip = runtime.sandboxes().status(sandbox).orElseThrow().ip();
    assertThat(ip).startsWith(host.subnetPrefix + ".");
    String server = run(sandbox, pod, "server", "exec httpd -f -p 8080 -h /www");
    String client = run(sandbox, pod, "client",
        "for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O- http://127.0.0.1:8080/ && exit 0; sleep 0.2; done; exit 1");
    ContainerStatus c = awaitExit(runtime, client, Duration.ofSeconds(20));
    assertThat(c.exitCode()).isZero();
    assertThat(stdout(c)).containsExactly("hello from bosun");

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (http) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":8080/"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.body()).isEqualTo("hello from bosun\n");
    }
    // a second pod gets another address of the subnet and reaches the first over the bridge
    SandboxConfig other = sandboxConfig("other");
    String sandbox2 = runtime.sandboxes().run(other);
    String ip2 = runtime.sandboxes().status(sandbox2).orElseThrow().ip();
    assertThat(ip2).startsWith(host.subnetPrefix + ".").isNotEqualTo(ip);
    String probe = run(sandbox2, other, "probe", "wget -q -O- http://" + ip + ":8080/");
    assertThat(stdout(awaitExit(runtime, probe, Duration.ofSeconds(20)))).containsExactly("hello from bosun");

    runtime.sandboxes().stop(sandbox);
    assertThat(runtime.containers().status(server).orElseThrow().state()).isEqualTo(ContainerState.EXITED);
    SandboxStatus stopped = runtime.sandboxes().status(sandbox).orElseThrow();
    assertThat(stopped.state()).isEqualTo(SandboxState.NOT_READY);
    assertThat(stopped.ip()).isEmpty();
    runtime.sandboxes().remove(sandbox);
    assertThat(runtime.sandboxes().status(sandbox)).isEmpty();
    assertThat(runtime.containers().list(ContainerFilter.ofSandbox(sandbox))).isEmpty();
    assertThat(network.attachedSandboxes()).containsExactly(sandbox2);
  }

  @Test
  void containerWritesNeverReachTheSharedImageInOverlayOrCopyMode() throws IOException {
    assertThat(runtime.rootfsMode()).isEqualTo(OciRuntime.RootfsMode.OVERLAY); // overlayfs works on this kind of machine
    runtime.close();
    OciRuntime.Settings base = host.settings(dir.resolve("state"));
    OciRuntime.Settings copy = new OciRuntime.Settings(base.stateDir(), null, base.runcRoot(), base.cgroupRoot(),
        OciRuntime.RootfsMode.COPY, null, null, null, null, null);
    for (OciRuntime.Settings settings : List.of(base, copy)) {
      runtime = new OciRuntime(settings, () -> Optional.of(network));
      SandboxConfig pod = sandboxConfig("writer-" + runtime.rootfsMode().name().toLowerCase());
      String sandbox = runtime.sandboxes().run(pod);
      String id = run(sandbox, pod, "w", "echo changed > /www/index.html; rm /bin/cat; echo new > /etc/new; "
          + "busybox cat /www/index.html /etc/new");
      assertThat(stdout(awaitExit(runtime, id, Duration.ofSeconds(20)))).containsExactly("changed", "new");
      Path image = runtime.imageStore().rootfs(runtime.imageStore().find(IMAGE).orElseThrow());
      assertThat(Files.readString(image.resolve("www/index.html"))).isEqualTo("hello from bosun\n");
      assertThat(image.resolve("etc/new")).doesNotExist();
      assertThat(Files.isSymbolicLink(image.resolve("bin/cat"))).isTrue();
      runtime.sandboxes().remove(sandbox);
      if (settings == base) {
        runtime.close();
      }
    }
  }

  @Test
  void aSandboxWhoseNetworkFailsLeavesNothingBehind() throws IOException {
    runtime.close();
    io.bosun.network.spi.PodNetwork broken = new io.bosun.network.spi.PodNetwork() {
      @Override
      public String name() {
        return "bridge";
      }

      @Override
      public io.bosun.network.spi.NetworkStatus status() {
        return io.bosun.network.spi.NetworkStatus.ok();
      }

      @Override
      public io.bosun.network.spi.Attachment attach(io.bosun.network.spi.AttachRequest request) {
        throw new io.bosun.network.spi.NetworkException("no addresses left");
      }

      @Override
      public void detach(io.bosun.network.spi.AttachRequest request) {
      }
    };
    runtime = new OciRuntime(host.settings(dir.resolve("state")), () -> Optional.of(broken));
    assertThatThrownBy(() -> runtime.sandboxes().run(sandboxConfig("broken")))
        .isInstanceOf(io.bosun.runtime.spi.ContainerRuntimeException.class)
        .hasMessageContaining("no addresses left")
        .extracting(e -> ((io.bosun.runtime.spi.ContainerRuntimeException) e).reason())
        .isEqualTo(io.bosun.runtime.spi.ContainerRuntimeException.CREATE_SANDBOX_ERROR);
    assertThat(runtime.sandboxes().list(SandboxFilter.ALL)).isEmpty();
    assertThat(HostFixture.netns()).noneMatch(n -> n.startsWith("bosun-"));
    assertThat(mountsUnder(dir)).isEmpty();
    runtime.close();

    runtime = new OciRuntime(host.settings(dir.resolve("state")), Optional::empty);
    assertThat(runtime.status().networkReady()).isFalse();
    assertThat(runtime.status().runtimeReady()).isTrue();
    assertThatThrownBy(() -> runtime.sandboxes().run(sandboxConfig("nonet"))).hasMessageContaining("no pod network");
    assertThat(HostFixture.netns()).noneMatch(n -> n.startsWith("bosun-"));
  }

  @Test
  void aNewInstanceRemovesContainersWhoseCreateNeverFinished() throws IOException {
    runtime.close();
    // what a node process killed inside create() leaves: a container folder with a mounted root, no record
    Path unfinished = dir.resolve("state/containers/0123456789abcdef0123456789abcdef");
    Path rootfs = Files.createDirectories(unfinished.resolve("bundle/rootfs"));
    Host.check(List.of("mount", "-t", "tmpfs", "tmpfs", rootfs.toString()), 30);
    Files.writeString(rootfs.resolve("half-copied"), "x");
    assertThat(mountsUnder(dir)).contains(rootfs.toString());

    runtime = newRuntime();
    assertThat(unfinished).doesNotExist();
    assertThat(mountsUnder(dir)).isEmpty();
    assertThat(runtime.containers().list(ContainerFilter.ALL)).isEmpty();
  }

  @Test
  void publishesHostPortsThroughPortmap() throws Exception {
    int hostPort;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      hostPort = free.getLocalPort();
    }
    SandboxConfig base = sandboxConfig("ported");
    SandboxConfig pod = new SandboxConfig(base.name(), base.namespace(), base.uid(), 0, base.hostname(),
        base.logDirectory(), base.labels(), Map.of(), "", false,
        List.of(new SandboxConfig.PortMapping("TCP", 8080, hostPort, "")), null, null);
    String sandbox = runtime.sandboxes().run(pod);
    run(sandbox, pod, "server", "exec httpd -f -p 8080 -h /www");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try (http) {
      String body = null;
      for (int i = 0; i < 50 && body == null; i++) {
        try {
          body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hostPort + "/"))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException notYet) {
          HostFixture.sleep(100);
        }
      }
      assertThat(body).isEqualTo("hello from bosun\n");
    }
    runtime.sandboxes().remove(sandbox);
    assertThat(Host.run(List.of("iptables", "-t", "nat", "-S"), 10).output()).doesNotContain("dport " + hostPort);
  }

  @Test
  void aNewRuntimeInstanceAdoptsRunningAndFinishedContainers() throws IOException {
    SandboxConfig pod = sandboxConfig("adopt");
    String sandbox = runtime.sandboxes().run(pod);
    String ip = runtime.sandboxes().status(sandbox).orElseThrow().ip();
    String sleeper = run(sandbox, pod, "sleeper", "trap 'exit 0' TERM; while true; do sleep 0.1; done");
    String quick = run(sandbox, pod, "quick", "sleep 1; echo done; exit 7");
    runtime.close();
    HostFixture.sleep(2500); // quick exits while no runtime watches

    runtime = newRuntime();
    SandboxStatus s = runtime.sandboxes().status(sandbox).orElseThrow();
    assertThat(s.state()).isEqualTo(SandboxState.READY);
    assertThat(s.ip()).isEqualTo(ip);
    ContainerStatus q = runtime.containers().status(quick).orElseThrow();
    assertThat(q.state()).isEqualTo(ContainerState.EXITED);
    assertThat(q.exitCode()).isEqualTo(7);
    assertThat(stdout(q)).containsExactly("done");
    assertThat(runtime.containers().status(sleeper).orElseThrow().state()).isEqualTo(ContainerState.RUNNING);
    assertThat(runtime.exec().orElseThrow().execSync(sleeper, List.of("true"), Duration.ofSeconds(10)).succeeded())
        .isTrue();
    runtime.containers().stop(sleeper, Duration.ofSeconds(10));
    assertThat(runtime.containers().status(sleeper).orElseThrow().exitCode()).isZero();
  }

  @Test
  void reportsOomKillsStartFailuresAndEnforcesReadOnlyRoots() throws IOException {
    SandboxConfig pod = sandboxConfig("limits");
    String sandbox = runtime.sandboxes().run(pod);
    String hog = runtime.containers().create(sandbox, container(pod, "hog", List.of("sh", "-c",
        "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; "
            + "x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done"), List.of(), List.of(),
        new ContainerResources(250, 500, 0, 32L * 1024 * 1024), null), pod);
    runtime.containers().start(hog);
    ContainerStatus h = awaitExit(runtime, hog, Duration.ofSeconds(60));
    assertThat(h.exitCode()).isEqualTo(137);
    assertThat(h.reason()).isEqualTo("OOMKilled");
    assertThat(stdout(h)).first().isEqualTo(Long.toString(32L * 1024 * 1024));

    String bad = runtime.containers().create(sandbox, container(pod, "bad", List.of("no-such-binary"), List.of(),
        List.of(), null, null), pod);
    assertThatThrownBy(() -> runtime.containers().start(bad)).isInstanceOf(StartContainerException.class)
        .hasMessageContaining("no-such-binary");
    ContainerStatus b = runtime.containers().status(bad).orElseThrow();
    assertThat(b.state()).isEqualTo(ContainerState.EXITED);
    assertThat(b.reason()).isEqualTo("StartError");
    assertThat(b.exitCode()).isEqualTo(128);

    String ro = runtime.containers().create(sandbox, container(pod, "ro", List.of("sh", "-c",
        "touch /x 2>/dev/null && echo writable || echo read-only; touch /tmp/y 2>/dev/null && echo tmp-writable"),
        List.of(), List.of(), null, new SecurityOptions(null, null, List.of(), false, true, false, List.of(),
            List.of("ALL"))), pod);
    runtime.containers().start(ro);
    assertThat(stdout(awaitExit(runtime, ro, Duration.ofSeconds(20)))).containsExactly("read-only");
  }
}
