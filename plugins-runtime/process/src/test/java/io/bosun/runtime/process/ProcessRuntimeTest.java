package io.bosun.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.runtime.spi.ContainerConfig;
import io.bosun.runtime.spi.ContainerEvent;
import io.bosun.runtime.spi.ContainerFilter;
import io.bosun.runtime.spi.ContainerState;
import io.bosun.runtime.spi.ContainerStatus;
import io.bosun.runtime.spi.CreateContainerException;
import io.bosun.runtime.spi.CriLog;
import io.bosun.runtime.spi.ExecResult;
import io.bosun.runtime.spi.ImageSpec;
import io.bosun.runtime.spi.KeyValue;
import io.bosun.runtime.spi.Labels;
import io.bosun.runtime.spi.Mount;
import io.bosun.runtime.spi.SandboxConfig;
import io.bosun.runtime.spi.SandboxFilter;
import io.bosun.runtime.spi.SandboxState;
import io.bosun.runtime.spi.StartContainerException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes (sh, sleep) through the runtime, including adoption by a new runtime instance. */
class ProcessRuntimeTest {

  @TempDir
  Path dir;

  private ProcessRuntime runtime;
  private SandboxConfig sandboxConfig;
  private String sandbox;

  @BeforeEach
  void open() {
    runtime = new ProcessRuntime(ProcessRuntime.Settings.of(dir.resolve("state")));
    sandboxConfig = new SandboxConfig("web", "default", "uid-1", 0, "web-host", dir.resolve("logs"),
        Map.of(Labels.POD_UID, "uid-1"), Map.of(), "", false, List.of(), null, null);
    sandbox = runtime.sandboxes().run(sandboxConfig);
  }

  @AfterEach
  void close() {
    // Kill whatever a failed test left running: these are real processes.
    for (ContainerStatus c : runtime.containers().list(ContainerFilter.ALL)) {
      runtime.containers().remove(c.id());
    }
    runtime.close();
  }

  private ContainerConfig config(String name, List<String> command, List<KeyValue> env, List<Mount> mounts) {
    return new ContainerConfig(name, 0, ImageSpec.of("busybox"), command, List.of(), null, env, mounts,
        Map.of(Labels.POD_UID, "uid-1", Labels.CONTAINER_NAME, name), Map.of(), dir.resolve("logs/" + name + "/0.log"),
        null, null, false, false);
  }

  private String run(String name, String script) {
    String id = runtime.containers().create(sandbox, config(name, List.of("sh", "-c", script), List.of(), List.of()),
        sandboxConfig);
    runtime.containers().start(id);
    return id;
  }

  private ContainerStatus awaitExit(ProcessRuntime rt, String id) {
    await(() -> rt.containers().status(id).orElseThrow().state() == ContainerState.EXITED, "exit of " + id);
    return rt.containers().status(id).orElseThrow();
  }

  private List<CriLog.Line> log(String name) throws Exception {
    return Files.readAllLines(dir.resolve("logs/" + name + "/0.log"), StandardCharsets.ISO_8859_1).stream()
        .map(CriLog::parse).toList();
  }

  @Test
  void runsCommandAndCapturesLogsInCriFormat() throws Exception {
    List<ContainerEvent> events = new CopyOnWriteArrayList<>();
    runtime.containers().subscribe(events::add);
    Instant before = Instant.now();
    String id = run("app", "echo hello; echo oops >&2; printf 'no newline'; exit 3");
    ContainerStatus s = awaitExit(runtime, id);
    assertThat(s.exitCode()).isEqualTo(3);
    assertThat(s.reason()).isEqualTo("Error");
    assertThat(s.startedAt()).isNotNull();
    assertThat(s.finishedAt()).isAfterOrEqualTo(s.startedAt());
    List<CriLog.Line> lines = log("app");
    assertThat(lines).extracting(CriLog.Line::content).containsExactlyInAnyOrder("hello", "oops", "no newline");
    assertThat(lines).filteredOn(l -> l.content().equals("oops")).extracting(CriLog.Line::stream)
        .containsExactly(CriLog.Stream.STDERR);
    assertThat(lines.get(0).time()).isAfter(before.minusSeconds(1)).isBefore(Instant.now().plusSeconds(1));
    await(() -> events.stream().anyMatch(e -> e.type() == ContainerEvent.Type.STOPPED), "stopped event");
    assertThat(events.get(0).podUid()).isEqualTo("uid-1");
  }

  @Test
  void environmentWorkingDirAndMounts() throws Exception {
    Path volume = Files.createDirectories(dir.resolve("volume"));
    Files.writeString(volume.resolve("key"), "value-from-volume");
    String id = runtime.containers().create(sandbox, config("env",
        List.of("sh", "-c", "echo \"$GREETING $HOSTNAME\"; pwd; cat etc/config/key; echo; cat $BOSUN_ROOTFS/etc/config/key"),
        List.of(new KeyValue("GREETING", "hi")), List.of(new Mount(volume, "/etc/config", true, null))), sandboxConfig);
    runtime.containers().start(id);
    assertThat(awaitExit(runtime, id).exitCode()).isZero();
    List<String> out = log("env").stream().map(CriLog.Line::content).toList();
    assertThat(out.get(0)).isEqualTo("hi web-host");
    assertThat(out.get(1)).endsWith("/rootfs");
    assertThat(out).contains("value-from-volume");
  }

  @Test
  void stopSendsTermToTheGroupThenKill() throws Exception {
    String polite = run("polite", "trap 'echo bye; exit 0' TERM; while :; do sleep 0.1; done");
    String stubborn = run("stubborn", "trap '' TERM; sleep 300 & echo $! > child; wait");
    Path childFile = runtime.containers().status(stubborn).map(c -> dir).orElseThrow();
    await(() -> log("polite").isEmpty() || true, "started");
    long t0 = System.nanoTime();
    runtime.containers().stop(polite, Duration.ofSeconds(10));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    ContainerStatus p = runtime.containers().status(polite).orElseThrow();
    assertThat(p.state()).isEqualTo(ContainerState.EXITED);
    assertThat(p.exitCode()).isZero();
    assertThat(p.reason()).isEqualTo("Completed");
    assertThat(log("polite")).extracting(CriLog.Line::content).contains("bye");

    Path child = Files.walk(dir.resolve("state/containers")).filter(f -> f.getFileName().toString().equals("child"))
        .findFirst().orElse(null);
    await(() -> {
      try {
        return Files.walk(dir.resolve("state/containers")).anyMatch(f -> f.getFileName().toString().equals("child"));
      } catch (Exception e) {
        return false;
      }
    }, "child pid file");
    child = Files.walk(dir.resolve("state/containers")).filter(f -> f.getFileName().toString().equals("child"))
        .findFirst().orElseThrow();
    long childPid = Long.parseLong(Files.readString(child).trim());
    assertThat(ProcessHandle.of(childPid)).isPresent();
    t0 = System.nanoTime();
    runtime.containers().stop(stubborn, Duration.ofMillis(500));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
    ContainerStatus s = runtime.containers().status(stubborn).orElseThrow();
    assertThat(s.exitCode()).isEqualTo(137);
    await(() -> Procs.startTicks(childPid) < 0, "the container's child killed with its group");
    assertThat(childFile).isNotNull();
  }

  @Test
  void restartedRuntimeAdoptsRunningAndExitedContainers() throws Exception {
    String longRunning = run("long", "echo started; exec sleep 300");
    String shortLived = run("short", "read -t 1 x < /dev/zero; sleep 1; exit 4");
    await(() -> !log("long").isEmpty(), "long started");
    ContainerStatus before = runtime.containers().status(longRunning).orElseThrow();
    assertThat(before.state()).isEqualTo(ContainerState.RUNNING);
    runtime.close(); // the kubelet's node process goes away; containers must not

    // "short" exits while nobody watches
    Path exitFile = dir.resolve("state/containers/" + shortLived + "/exit");
    await(() -> Files.exists(exitFile), "short exits meanwhile");

    ProcessRuntime again = new ProcessRuntime(ProcessRuntime.Settings.of(dir.resolve("state")));
    try {
      ContainerStatus adopted = again.containers().status(longRunning).orElseThrow();
      assertThat(adopted.state()).isEqualTo(ContainerState.RUNNING);
      assertThat(adopted.startedAt()).isEqualTo(before.startedAt());
      assertThat(adopted.labels()).containsEntry(Labels.POD_UID, "uid-1");
      ContainerStatus exited = again.containers().status(shortLived).orElseThrow();
      assertThat(exited.state()).isEqualTo(ContainerState.EXITED);
      assertThat(exited.exitCode()).isEqualTo(4);
      assertThat(again.sandboxes().list(SandboxFilter.ofPod("uid-1"))).singleElement()
          .extracting(s -> s.state()).isEqualTo(SandboxState.READY);
      ExecResult r = again.exec().orElseThrow().execSync(longRunning, List.of("sh", "-c", "echo $HOSTNAME"),
          Duration.ofSeconds(5));
      assertThat(new String(r.stdout(), StandardCharsets.UTF_8).trim()).isEqualTo("web-host");
      again.containers().stop(longRunning, Duration.ofSeconds(5));
      assertThat(again.containers().status(longRunning).orElseThrow().exitCode()).isEqualTo(143);
    } finally {
      again.close();
      runtime = new ProcessRuntime(ProcessRuntime.Settings.of(dir.resolve("state")));
    }
  }

  @Test
  void execSyncReportsExitCodesOutputAndTimeouts() {
    String id = run("exec", "exec sleep 300");
    var exec = runtime.exec().orElseThrow();
    ExecResult ok = exec.execSync(id, List.of("sh", "-c", "echo out; echo err >&2; exit 2"), Duration.ofSeconds(5));
    assertThat(ok.exitCode()).isEqualTo(2);
    assertThat(new String(ok.stdout(), StandardCharsets.UTF_8)).isEqualTo("out\n");
    assertThat(new String(ok.stderr(), StandardCharsets.UTF_8)).isEqualTo("err\n");
    long t0 = System.nanoTime();
    ExecResult slow = exec.execSync(id, List.of("sleep", "30"), Duration.ofMillis(300));
    assertThat(slow.timedOut()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(exec.execSync(id, List.of("no-such-binary-xyz"), Duration.ofSeconds(1)).exitCode()).isEqualTo(127);
  }

  @Test
  void startAndCreateFailures() {
    String id = runtime.containers().create(sandbox, config("missing", List.of("no-such-binary-xyz"), List.of(),
        List.of()), sandboxConfig);
    assertThatThrownBy(() -> runtime.containers().start(id)).isInstanceOf(StartContainerException.class)
        .hasMessageContaining("executable file not found in $PATH");
    ContainerStatus s = runtime.containers().status(id).orElseThrow();
    assertThat(s.state()).isEqualTo(ContainerState.EXITED);
    assertThat(s.exitCode()).isEqualTo(128);
    assertThat(s.reason()).isEqualTo("StartError");

    ContainerConfig nginx = new ContainerConfig("web", 0, ImageSpec.of("nginx:1.27"), List.of(), List.of(), null, null,
        null, Map.of(Labels.POD_UID, "uid-1"), null, null, null, null, false, false);
    assertThatThrownBy(() -> runtime.containers().create(sandbox, nginx, sandboxConfig))
        .isInstanceOf(CreateContainerException.class).hasMessageContaining("without a command");

    ContainerConfig busybox = new ContainerConfig("bb", 0, ImageSpec.of("docker.io/library/busybox:1.36"), List.of(),
        List.of(), null, null, null, Map.of(Labels.POD_UID, "uid-1"), null, null, null, null, false, false);
    String bb = runtime.containers().create(sandbox, busybox, sandboxConfig);
    runtime.containers().start(bb);
    assertThat(awaitExit(runtime, bb).exitCode()).isZero(); // sh with stdin at EOF exits, as in the real image
  }

  @Test
  void logRotationByRenameIsFollowed() throws Exception {
    String id = run("rot", "i=0; while :; do i=$((i+1)); echo line $i; sleep 0.05; done");
    Path logFile = dir.resolve("logs/rot/0.log");
    await(() -> {
      try {
        return Files.size(logFile) > 0;
      } catch (Exception e) {
        return false;
      }
    }, "first lines");
    Files.move(logFile, dir.resolve("logs/rot/0.log.1"));
    runtime.containers().reopenLog(id);
    await(() -> Files.exists(logFile), "a new log file after rotation");
    await(() -> {
      try {
        return !log("rot").isEmpty();
      } catch (Exception e) {
        return false;
      }
    }, "lines in the new file");
    runtime.containers().stop(id, Duration.ofSeconds(2));
  }

  @Test
  void sandboxStopKillsAndRemoveCleansUp() {
    String id = run("s", "exec sleep 300");
    runtime.sandboxes().stop(sandbox);
    assertThat(runtime.containers().status(id).orElseThrow().exitCode()).isEqualTo(137);
    assertThat(runtime.sandboxes().status(sandbox).orElseThrow().state()).isEqualTo(SandboxState.NOT_READY);
    runtime.sandboxes().remove(sandbox);
    assertThat(runtime.containers().status(id)).isEmpty();
    assertThat(Files.exists(dir.resolve("state/containers/" + id))).isFalse();
    assertThat(runtime.sandboxes().list(SandboxFilter.ALL)).isEmpty();
  }

  @Test
  void imageCommandsParse() {
    assertThat(ProcessRuntimeComponent.parseImageCommands("busybox=sh; pause = sleep  infinity;bad"))
        .containsEntry("busybox", List.of("sh")).containsEntry("pause", List.of("sleep", "infinity")).hasSize(2);
    assertThat(ProcessRuntimeComponent.stateDir("", "/data")).isEqualTo(Path.of("/data/runtime/process"));
  }

  interface Check {
    boolean ok() throws Exception;
  }

  private static void await(Check condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        if (condition.ok()) {
          return;
        }
      } catch (Exception e) {
        // not yet
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
    }
  }

  @SuppressWarnings("unused")
  private static BooleanSupplier unused() {
    return () -> true;
  }
}
