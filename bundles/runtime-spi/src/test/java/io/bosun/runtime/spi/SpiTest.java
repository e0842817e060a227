package io.bosun.runtime.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpiTest {

  @Test
  void criLogRoundTrip() {
    Instant t = Instant.parse("2016-10-06T00:17:09.669794202Z");
    String line = CriLog.format(t, CriLog.Stream.STDOUT, false, "hello world");
    assertThat(line).isEqualTo("2016-10-06T00:17:09.669794202Z stdout F hello world\n");
    CriLog.Line parsed = CriLog.parse(line);
    assertThat(parsed).isEqualTo(new CriLog.Line(t, CriLog.Stream.STDOUT, false, "hello world"));
    assertThat(CriLog.parse("2016-10-06T00:17:09.5Z stderr P  two  spaces").content()).isEqualTo(" two  spaces");
    assertThat(CriLog.parse("2016-10-06T00:17:09.5Z stderr P  two  spaces").partial()).isTrue();
    assertThat(CriLog.parse("2016-10-06T00:17:09Z stdout F ")).extracting(CriLog.Line::content).isEqualTo("");
    assertThat(CriLog.parse("2016-10-06T00:17:09Z stdout old form").content()).isEqualTo("old form");
    assertThatThrownBy(() -> CriLog.parse("garbage")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CriLog.parse("2016-10-06T00:17:09Z stdin F x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void timesAreGoRfc3339Nano() {
    assertThat(CriLog.formatTime(Instant.parse("2024-01-02T03:04:05Z"))).isEqualTo("2024-01-02T03:04:05Z");
    assertThat(CriLog.formatTime(Instant.parse("2024-01-02T03:04:05.120Z"))).isEqualTo("2024-01-02T03:04:05.12Z");
    assertThat(CriLog.formatTime(Instant.parse("2024-01-02T03:04:05.000000001Z")))
        .isEqualTo("2024-01-02T03:04:05.000000001Z");
  }

  @Test
  void pullPolicyDefaultsAsUpstream() {
    assertThat(PullPolicy.of(null, "busybox")).isEqualTo(PullPolicy.ALWAYS);
    assertThat(PullPolicy.of("", "busybox:latest")).isEqualTo(PullPolicy.ALWAYS);
    assertThat(PullPolicy.of("", "busybox:1.36")).isEqualTo(PullPolicy.IF_NOT_PRESENT);
    assertThat(PullPolicy.of("", "localhost:5000/busybox")).isEqualTo(PullPolicy.ALWAYS);
    assertThat(PullPolicy.of("", "busybox@sha256:abc")).isEqualTo(PullPolicy.IF_NOT_PRESENT);
    assertThat(PullPolicy.of("Never", "x").shouldPull(false)).isFalse();
    assertThat(PullPolicy.of("IfNotPresent", "x").shouldPull(true)).isFalse();
  }

  @Test
  void imageRepositoryNames() {
    assertThat(ImageSpec.of("busybox").repositoryName()).isEqualTo("busybox");
    assertThat(ImageSpec.of("docker.io/library/busybox:1.36").repositoryName()).isEqualTo("busybox");
    assertThat(ImageSpec.of("localhost:5000/test/sleeper@sha256:00").repositoryName()).isEqualTo("sleeper");
    assertThat(ImageSpec.of("localhost:5000/sleeper").repositoryName()).isEqualTo("sleeper");
  }

  @Test
  void filtersMatchLabels() {
    ContainerStatus c = new ContainerStatus("c1", "s1", "app", 0, ContainerState.RUNNING, Instant.EPOCH, null, null,
        0, null, null, ImageSpec.of("x"), null, Map.of(Labels.POD_UID, "u1", "a", "b"), Map.of(), null);
    assertThat(ContainerFilter.ofPod("u1").matches(c)).isTrue();
    assertThat(ContainerFilter.ofPod("u2").matches(c)).isFalse();
    assertThat(new ContainerFilter(null, "s1", ContainerState.RUNNING, Map.of()).matches(c)).isTrue();
    assertThat(new ContainerFilter(null, null, ContainerState.EXITED, Map.of()).matches(c)).isFalse();
    assertThat(ContainerFilter.ALL.matches(c)).isTrue();
  }

  @Test
  void sentinelReasons() {
    assertThat(new ImagePullException("x").reason()).isEqualTo("ErrImagePull");
    assertThat(new CreateContainerException("x").reason()).isEqualTo("CreateContainerError");
    assertThat(new StartContainerException("x").reason()).isEqualTo("RunContainerError");
    assertThat(new ContainerRuntimeException(null, null).reason()).isEqualTo("RuntimeError");
    assertThat(ContainerStatus.exitReason(0)).isEqualTo("Completed");
    assertThat(ContainerStatus.exitReason(137)).isEqualTo("Error");
  }
}
