package io.bosun.runtime.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.runtime.spi.ContainerConfig;
import io.bosun.runtime.spi.ContainerEvent;
import io.bosun.runtime.spi.ContainerFilter;
import io.bosun.runtime.spi.ContainerState;
import io.bosun.runtime.spi.ContainerStatus;
import io.bosun.runtime.spi.ImagePullException;
import io.bosun.runtime.spi.ImageSpec;
import io.bosun.runtime.spi.Labels;
import io.bosun.runtime.spi.NotFoundException;
import io.bosun.runtime.spi.SandboxConfig;
import io.bosun.runtime.spi.SandboxFilter;
import io.bosun.runtime.spi.SandboxState;
import io.bosun.runtime.spi.StartContainerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FakeRuntimeTest {

  @TempDir
  Path dir;

  private FakeRuntime runtime = new FakeRuntime();

  @AfterEach
  void close() {
    runtime.close();
  }

  private SandboxConfig sandbox(String uid, Map<String, String> annotations) {
    return new SandboxConfig("p-" + uid, "default", uid, 0, null, dir, Map.of(Labels.POD_UID, uid), annotations, "",
        false, List.of(), null, null);
  }

  private ContainerConfig container(String name) {
    return new ContainerConfig(name, 0, ImageSpec.of("busybox"), List.of("sleep"), List.of("1"), null, null, null,
        Map.of(Labels.CONTAINER_NAME, name, Labels.POD_UID, "u1"), null, dir.resolve(name + ".log"), null, null, false, false);
  }

  @Test
  void containerLifecycle() throws Exception {
    List<ContainerEvent> events = new CopyOnWriteArrayList<>();
    runtime.containers().subscribe(events::add);
    SandboxConfig sc = sandbox("u1", Map.of());
    String sb = runtime.sandboxes().run(sc);
    assertThat(runtime.sandboxes().status(sb).orElseThrow().ip()).startsWith("10.88.");
    String id = runtime.containers().create(sb, container("app"), sc);
    assertThat(runtime.containers().status(id).orElseThrow().state()).isEqualTo(ContainerState.CREATED);
    runtime.containers().start(id);
    assertThat(runtime.containers().status(id).orElseThrow().state()).isEqualTo(ContainerState.RUNNING);
    runtime.containers().stop(id, Duration.ofSeconds(5));
    ContainerStatus s = runtime.containers().status(id).orElseThrow();
    assertThat(s.state()).isEqualTo(ContainerState.EXITED);
    assertThat(s.exitCode()).isEqualTo(143);
    assertThat(s.reason()).isEqualTo("Error");
    assertThat(Files.readString(dir.resolve("app.log"))).contains("stdout F fake container app started");
    assertThat(events).extracting(ContainerEvent::type).containsExactly(ContainerEvent.Type.STARTED,
        ContainerEvent.Type.STOPPED);
    assertThat(runtime.containers().list(ContainerFilter.ofPod("u1"))).hasSize(1);
    runtime.sandboxes().remove(sb);
    assertThat(runtime.containers().list(ContainerFilter.ALL)).isEmpty();
    assertThat(runtime.sandboxes().list(SandboxFilter.ALL)).isEmpty();
    assertThatThrownBy(() -> runtime.containers().start(id)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void stagesFromAnnotations() {
    SandboxConfig sc = sandbox("u2", Map.of("fake.bosun.io/exit-after", "200ms", "fake.bosun.io/exit-code.bad", "3",
        "fake.bosun.io/start-error.broken", "exec: \"x\": not found"));
    String sb = runtime.sandboxes().run(sc);
    String good = runtime.containers().create(sb, container("good"), sc);
    String bad = runtime.containers().create(sb, container("bad"), sc);
    String broken = runtime.containers().create(sb, container("broken"), sc);
    runtime.containers().start(good);
    runtime.containers().start(bad);
    assertThatThrownBy(() -> runtime.containers().start(broken)).isInstanceOf(StartContainerException.class)
        .hasMessageContaining("not found");
    await(() -> runtime.containers().status(good).orElseThrow().state() == ContainerState.EXITED
        && runtime.containers().status(bad).orElseThrow().state() == ContainerState.EXITED);
    assertThat(runtime.containers().status(good).orElseThrow().reason()).isEqualTo("Completed");
    assertThat(runtime.containers().status(bad).orElseThrow().exitCode()).isEqualTo(3);
    assertThat(runtime.containers().status(broken).orElseThrow().exitCode()).isEqualTo(128);
  }

  @Test
  void startDelayAndExecAndImages() {
    runtime.close();
    runtime = new FakeRuntime(FakeRuntime.Behavior.DEFAULT.withStartDelay(Duration.ofMillis(100)), Clock.systemUTC());
    SandboxConfig sc = sandbox("u3", Map.of("fake.bosun.io/exec-exit-code", "1"));
    String sb = runtime.sandboxes().run(sc);
    String id = runtime.containers().create(sb, container("app"), sc);
    long t0 = System.nanoTime();
    runtime.containers().start(id);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    assertThat(runtime.containers().status(id).orElseThrow().state()).isEqualTo(ContainerState.RUNNING);
    assertThat(runtime.exec().orElseThrow().execSync(id, List.of("true"), Duration.ofSeconds(1)).exitCode()).isEqualTo(1);
    runtime.setExecHandler((c, cmd) -> new io.bosun.runtime.spi.ExecResult(0, "ok".getBytes(), null, false));
    assertThat(runtime.exec().orElseThrow().execSync(id, List.of("true"), Duration.ofSeconds(1)).succeeded()).isTrue();
    runtime.exit(id, 2);
    assertThat(runtime.containers().status(id).orElseThrow().exitCode()).isEqualTo(2);

    assertThat(runtime.images().status(ImageSpec.of("busybox"))).isEmpty();
    runtime.images().pull(ImageSpec.of("busybox"), null, null);
    assertThat(runtime.images().status(ImageSpec.of("busybox"))).isPresent();
    assertThatThrownBy(() -> runtime.images().pull(ImageSpec.of("missing.invalid/x"), null, null))
        .isInstanceOf(ImagePullException.class);
    runtime.breakSandbox(sb);
    assertThat(runtime.sandboxes().status(sb).orElseThrow().state()).isEqualTo(SandboxState.NOT_READY);
    assertThat(FakeRuntime.parseDuration("1500ms")).isEqualTo(Duration.ofMillis(1500));
    assertThat(FakeRuntime.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
  }

  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out");
      }
      Thread.onSpinWait();
      java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
    }
  }
}
