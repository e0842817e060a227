package io.bosun.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ObjectFieldSelector;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodStatus;
import io.bosun.api.core.v1.ResourceFieldSelector;
import io.bosun.api.core.v1.ResourceRequirements;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.values.Quantity;
import io.bosun.runtime.spi.ContainerState;
import io.bosun.runtime.spi.ContainerStatus;
import io.bosun.runtime.spi.ImageSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubelet's pure parts: back-off, expansion, env fields, status and phases, atomic volume writes. */
class UnitTest {

  @TempDir
  Path dir;

  /** A clock the test moves by hand. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  @Test
  void backoffDoublesToTheCapAndResetsAfterStableRuns() {
    TestClock clock = new TestClock();
    Backoff b = new Backoff(clock, Duration.ofSeconds(10), Duration.ofMinutes(5));
    String id = "pod/app";
    // first crash: not in back-off, restarted at once
    assertThat(b.isInBackOffSince(id, clock.now)).isFalse();
    b.next(id, clock.now);
    assertThat(b.get(id)).isEqualTo(Duration.ofSeconds(10));
    // second crash right away: wait 10 s
    clock.advance(Duration.ofSeconds(1));
    Instant crash = clock.now;
    assertThat(b.isInBackOffSince(id, crash)).isTrue();
    clock.advance(Duration.ofSeconds(9));
    assertThat(b.isInBackOffSince(id, crash)).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(b.isInBackOffSince(id, crash)).isFalse();
    List<Long> delays = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      b.next(id, clock.now);
      delays.add(b.get(id).toSeconds());
    }
    assertThat(delays).containsExactly(20L, 40L, 80L, 160L, 300L, 300L, 300L);
    assertThat(b.until(id, clock.now)).isEqualTo(clock.now.plusSeconds(300));
    // a container that ran for more than 2 * max before crashing starts over
    clock.advance(Duration.ofMinutes(11));
    assertThat(b.isInBackOffSince(id, clock.now)).isFalse();
    b.next(id, clock.now);
    assertThat(b.get(id)).isEqualTo(Duration.ofSeconds(10));
    b.resetPrefix("pod/");
    assertThat(b.get(id)).isZero();
    assertThat(PodSyncer.goDuration(Duration.ofSeconds(10))).isEqualTo("10s");
    assertThat(PodSyncer.goDuration(Duration.ofSeconds(300))).isEqualTo("5m0s");
    assertThat(PodSyncer.goDuration(Duration.ofSeconds(80))).isEqualTo("1m20s");
  }

  @Test
  void expansionAsUpstream() {
    Map<String, String> vars = Map.of("A", "a", "B", "$(A)");
    assertThat(Expansion.expand("x$(A)y", vars::get)).isEqualTo("xay");
    assertThat(Expansion.expand("$(B)", vars::get)).isEqualTo("$(A)"); // no recursion
    assertThat(Expansion.expand("$$(A)", vars::get)).isEqualTo("$(A)");
    assertThat(Expansion.expand("$(C)", vars::get)).isEqualTo("$(C)");
    assertThat(Expansion.expand("$(A", vars::get)).isEqualTo("$(A");
    assertThat(Expansion.expand("$A $", vars::get)).isEqualTo("$A $");
    assertThat(Expansion.expand("$()", vars::get)).isEqualTo("$()");
  }

  @Test
  void downwardFieldsAndResources() throws Exception {
    Pod pod = new Pod().withMetadata(new ObjectMeta().withName("p").withNamespace("ns").withUid("u")
        .withLabels(Map.of("b", "2", "a", "x\"y"))).withSpec(new PodSpec().withNodeName("n").withContainers(List.of(
        new Container().withName("c").withResources(new ResourceRequirements()
            .withLimits(Map.of("cpu", Quantity.parse("1500m")))
            .withRequests(Map.of("cpu", Quantity.parse("250m"), "memory", Quantity.parse("100M")))))));
    EnvResolver.Context ctx = new EnvResolver.Context(List.of("10.0.0.5"), List.of("192.168.1.2"),
        Map.of("cpu", Quantity.parse("4"), "memory", Quantity.parse("8Gi")));
    assertThat(EnvResolver.fieldValue(pod, new ObjectFieldSelector().withFieldPath("metadata.labels"), ctx))
        .isEqualTo("a=\"x\\\"y\"\nb=\"2\"");
    assertThat(EnvResolver.fieldValue(pod, new ObjectFieldSelector().withFieldPath("metadata.labels['b']"), ctx))
        .isEqualTo("2");
    assertThat(EnvResolver.fieldValue(pod, new ObjectFieldSelector().withFieldPath("status.hostIP"), ctx))
        .isEqualTo("192.168.1.2");
    assertThatThrownBy(() -> EnvResolver.fieldValue(pod, new ObjectFieldSelector().withFieldPath("spec.bogus"), ctx))
        .isInstanceOf(ConfigException.class);
    Container c = pod.getSpec().getContainers().get(0);
    assertThat(EnvResolver.resourceValue(pod, c, new ResourceFieldSelector().withResource("limits.cpu"), ctx.allocatable()))
        .isEqualTo("2"); // 1.5 cores rounded up
    assertThat(EnvResolver.resourceValue(pod, c, new ResourceFieldSelector().withResource("requests.cpu")
        .withDivisor(Quantity.parse("1m")), ctx.allocatable())).isEqualTo("250");
    assertThat(EnvResolver.resourceValue(pod, c, new ResourceFieldSelector().withResource("limits.memory"),
        ctx.allocatable())).isEqualTo(Long.toString(8L << 30)); // no limit: the node's allocatable
    assertThat(EnvResolver.resourceValue(pod, c, new ResourceFieldSelector().withResource("requests.memory")
        .withDivisor(Quantity.parse("1Mi")), ctx.allocatable())).isEqualTo("96");
  }

  private static ContainerStatus rt(String name, int attempt, ContainerState state, int exit) {
    Instant t = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(attempt * 10L);
    return new ContainerStatus("id-" + name + attempt, "sb", name, attempt, state, t, t.plusSeconds(1),
        state == ContainerState.EXITED ? t.plusSeconds(2) : null, exit, state == ContainerState.EXITED
        ? ContainerStatus.exitReason(exit) : "", "", ImageSpec.of("img"), "img@sha", Map.of(), Map.of(), null);
  }

  private static PodStatusBuilder.ContainerView view(String name, ContainerStatus latest, ContainerStatus previous,
      PodState.Waiting waiting, boolean ready) {
    return new PodStatusBuilder.ContainerView(new Container().withName(name).withImage("img"), latest, previous, waiting,
        ready, latest != null && latest.state() == ContainerState.RUNNING, "process");
  }

  @Test
  void phasesAsUpstream() {
    var running = view("a", rt("a", 0, ContainerState.RUNNING, 0), null, null, true);
    var done = view("a", rt("a", 0, ContainerState.EXITED, 0), null, null, false);
    var failed = view("a", rt("a", 0, ContainerState.EXITED, 1), null, null, false);
    var crashLoop = view("a", rt("a", 3, ContainerState.EXITED, 1), null,
        new PodState.Waiting("CrashLoopBackOff", "back-off"), false);
    var creating = view("a", null, null, null, false);
    assertThat(PodStatusBuilder.phase("Always", true, false, List.of(running), false)).isEqualTo("Running");
    assertThat(PodStatusBuilder.phase("Always", true, false, List.of(creating), false)).isEqualTo("Pending");
    assertThat(PodStatusBuilder.phase("Always", false, false, List.of(creating), false)).isEqualTo("Pending");
    assertThat(PodStatusBuilder.phase("Always", true, false, List.of(crashLoop), false)).isEqualTo("Running");
    assertThat(PodStatusBuilder.phase("Never", true, false, List.of(done), false)).isEqualTo("Succeeded");
    assertThat(PodStatusBuilder.phase("OnFailure", true, false, List.of(done), false)).isEqualTo("Succeeded");
    assertThat(PodStatusBuilder.phase("Never", true, false, List.of(failed), false)).isEqualTo("Failed");
    assertThat(PodStatusBuilder.phase("OnFailure", true, false, List.of(failed), false)).isEqualTo("Running");
    assertThat(PodStatusBuilder.phase("Never", true, false, List.of(running, failed), false)).isEqualTo("Running");
    assertThat(PodStatusBuilder.phase("Never", false, true, List.of(creating), false)).isEqualTo("Failed");
    // torn down (deleted): everything stopped; all clean exits succeed, otherwise failed
    assertThat(PodStatusBuilder.phase("Always", true, false, List.of(done), true)).isEqualTo("Succeeded");
    assertThat(PodStatusBuilder.phase("Always", true, false, List.of(failed), true)).isEqualTo("Failed");
  }

  @Test
  void containerStatusesAndConditions() {
    Pod pod = new Pod().withMetadata(new ObjectMeta().withName("p").withNamespace("ns").withUid("u"))
        .withSpec(new PodSpec().withContainers(List.of(new Container().withName("a"), new Container().withName("b"))));
    Instant now = Instant.parse("2026-01-01T00:05:00Z");
    PodStatus previous = new PodStatus().withQosClass("BestEffort").withConditions(List.of(new PodCondition()
        .withType("PodScheduled").withStatus("True").withLastTransitionTime(now.minusSeconds(60)),
        new PodCondition().withType("Ready").withStatus("False").withLastTransitionTime(now.minusSeconds(30))));
    var a = view("a", rt("a", 2, ContainerState.RUNNING, 0), rt("a", 1, ContainerState.EXITED, 137), null, true);
    var b = view("b", rt("b", 4, ContainerState.EXITED, 2), rt("b", 3, ContainerState.EXITED, 2),
        new PodState.Waiting("CrashLoopBackOff", "back-off 40s restarting failed container=b pod=p_ns(u)"), false);
    PodStatus s = PodStatusBuilder.build(pod, previous, List.of(), List.of(a, b), new PodStatusBuilder.PodFacts(true,
        List.of("10.1.1.1"), "10.0.0.1", now.minusSeconds(100), null, false, now.plusNanos(5)));
    assertThat(s.getPhase()).isEqualTo("Running");
    assertThat(s.getQosClass()).isEqualTo("BestEffort");
    assertThat(s.getPodIPs()).hasSize(1);
    var sa = s.getContainerStatuses().get(0);
    assertThat(sa.getRestartCount()).isEqualTo(2);
    assertThat(sa.getState().getRunning().getStartedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:21Z"));
    assertThat(sa.getLastState().getTerminated().getExitCode()).isEqualTo(137);
    assertThat(sa.getContainerID()).isEqualTo("process://id-a2");
    var sb = s.getContainerStatuses().get(1);
    assertThat(sb.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(sb.getLastState().getTerminated().getExitCode()).isEqualTo(2);
    assertThat(sb.getLastState().getTerminated().getContainerID()).isEqualTo("process://id-b4");
    assertThat(sb.getRestartCount()).isEqualTo(4);
    PodCondition ready = s.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("ContainersNotReady");
    assertThat(ready.getMessage()).isEqualTo("containers with unready status: [b]");
    assertThat(ready.getLastTransitionTime()).isEqualTo(now.minusSeconds(30)); // unchanged status keeps its time
    assertThat(s.getConditions()).extracting(PodCondition::getType).containsExactly("PodReadyToStartContainers",
        "Initialized", "Ready", "ContainersReady", "PodScheduled");
    // same inputs, same status: nothing to write again
    PodStatus again = PodStatusBuilder.build(pod, previous, List.of(), List.of(a, b), new PodStatusBuilder.PodFacts(true,
        List.of("10.1.1.1"), "10.0.0.1", now.minusSeconds(100), null, false, now.plusMillis(300)));
    assertThat(again).isEqualTo(s);
  }

  @Test
  void atomicWriterSwapsWholeSets() throws Exception {
    Path vol = dir.resolve("vol");
    assertThat(AtomicWriter.write(vol, Map.of("a", file("1"), "sub/b", file("2")))).isTrue();
    assertThat(Files.readString(vol.resolve("a"))).isEqualTo("1");
    assertThat(Files.readString(vol.resolve("sub/b"))).isEqualTo("2");
    assertThat(Files.isSymbolicLink(vol.resolve("a"))).isTrue();
    assertThat(Files.readSymbolicLink(vol.resolve("..data")).toString()).startsWith("..");
    assertThat(AtomicWriter.write(vol, Map.of("a", file("1"), "sub/b", file("2")))).isFalse();
    assertThat(AtomicWriter.write(vol, Map.of("a", file("3")))).isTrue();
    assertThat(Files.readString(vol.resolve("a"))).isEqualTo("3");
    assertThat(Files.exists(vol.resolve("sub"))).isFalse();
    try (var list = Files.list(vol)) {
      assertThat(list.filter(p -> p.getFileName().toString().startsWith("..2")).count()).isEqualTo(1);
    }
    assertThat(AtomicWriter.write(vol, Map.of("a", new AtomicWriter.FileProjection("3".getBytes(), 0600)))).isTrue();
    assertThat(Files.getPosixFilePermissions(vol.resolve("a"))).containsExactlyInAnyOrderElementsOf(
        AtomicWriter.perms(0600));
    assertThatThrownBy(() -> AtomicWriter.write(vol, Map.of("../escape", file("x"))))
        .isInstanceOf(java.io.IOException.class);
  }

  private static AtomicWriter.FileProjection file(String s) {
    return new AtomicWriter.FileProjection(s.getBytes(StandardCharsets.UTF_8), 0644);
  }

  @Test
  void configParsing() {
    assertThat(KubeletComponent.pairs("a=b, c ,d=e=f")).containsEntry("a", "b").containsEntry("c", "")
        .containsEntry("d", "e=f");
    var taints = KubeletComponent.taints("dedicated=gpu:NoSchedule,maintenance:NoExecute");
    assertThat(taints).hasSize(2);
    assertThat(taints.get(0).getValue()).isEqualTo("gpu");
    assertThat(taints.get(1).getKey()).isEqualTo("maintenance");
    assertThatThrownBy(() -> KubeletComponent.taints("x=y:Sometimes")).isInstanceOf(IllegalArgumentException.class);
    var t = KubeletConfig.EvictionThreshold.parseList("memory.available<100Mi,nodefs.available<10%");
    assertThat(t.get(0).bytes(1L << 30)).isEqualTo(100L << 20);
    assertThat(t.get(1).bytes(1000)).isEqualTo(100);
    assertThatThrownBy(() -> KubeletConfig.EvictionThreshold.parseList("pid.available<10"))
        .isInstanceOf(IllegalArgumentException.class);
    KubeletConfig c = KubeletComponent.config(defaults(), key -> switch (key) {
      case "bosun.name" -> "n1";
      case "bosun.data" -> "/data";
      case "bosun.node.runtime" -> "fake";
      case "bosun.runtime" -> "all-in-one";
      default -> null;
    });
    assertThat(c.nodeName()).isEqualTo("n1");
    assertThat(c.rootDir()).isEqualTo(Path.of("/data/kubelet"));
    assertThat(c.runtime()).isEqualTo("fake");
    assertThat(c.controlPlaneRole()).isTrue();
    assertThat(c.port()).isEqualTo(10250);
  }

  /** The configuration's defaults, as DS would pass them without a configuration. */
  static KubeletConfiguration defaults() {
    return (KubeletConfiguration) java.lang.reflect.Proxy.newProxyInstance(KubeletConfiguration.class.getClassLoader(),
        new Class<?>[] {KubeletConfiguration.class}, (proxy, m, args) -> m.getDefaultValue());
  }
}
