package io.bosun.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.runtime.fake.FakeRuntime;
import io.bosun.runtime.spi.ContainerConfig;
import io.bosun.runtime.spi.CriLog;
import io.bosun.runtime.spi.ImageSpec;
import io.bosun.runtime.spi.Labels;
import io.bosun.runtime.spi.SandboxConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRotatorTest {

  @TempDir
  Path dir;

  @Test
  void rotatesPastTheSizeAndKeepsMaxFiles() throws Exception {
    FakeRuntime fake = new FakeRuntime();
    try {
      Runtimes runtimes = new Runtimes(Map.of());
      runtimes.add("fake", fake, List.of());
      SandboxConfig sc = new SandboxConfig("p", "ns", "u", 0, null, dir, Map.of(Labels.POD_UID, "u"), Map.of(), "",
          false, List.of(), null, null);
      String sb = fake.sandboxes().run(sc);
      Path log = dir.resolve("app/0.log");
      String id = fake.containers().create(sb, new ContainerConfig("app", 0, ImageSpec.of("x"), List.of("x"), null,
          null, null, null, Map.of(Labels.POD_UID, "u"), null, log, null, null, false, false), sc);
      fake.containers().start(id);
      // each rotation needs a distinct file name: move the clock a second per pass
      Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
      Clock clock = new Clock() {
        public java.time.ZoneId getZone() {
          return java.time.ZoneOffset.UTC;
        }

        public Clock withZone(java.time.ZoneId z) {
          return this;
        }

        public Instant instant() {
          return now[0];
        }
      };
      LogRotator rotator = new LogRotator(runtimes, 100, 3, clock);
      for (int pass = 0; pass < 5; pass++) {
        Files.writeString(log, CriLog.format(now[0], CriLog.Stream.STDOUT, false, "x".repeat(120)),
            StandardCharsets.ISO_8859_1, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        rotator.rotateAll();
        now[0] = now[0].plus(Duration.ofSeconds(1));
      }
      assertThat(Files.exists(log)).isFalse(); // renamed; the runtime writes a new one with its next line
      assertThat(LogPaths.rotated(log)).hasSize(2); // 3 files kept: 2 rotated + the current one to come
      // the oldest went first: the two newest passes remain, each file holding its own pass's line
      assertThat(LogPaths.rotated(log)).extracting(p -> p.getFileName().toString())
          .containsExactly("0.log.20260101-000003.000", "0.log.20260101-000004.000");
      for (int second : new int[] {3, 4}) {
        assertThat(log.resolveSibling("0.log.20260101-00000" + second + ".000"))
            .hasContent(CriLog.format(Instant.parse("2026-01-01T00:00:0" + second + "Z"), CriLog.Stream.STDOUT, false,
                "x".repeat(120)).stripTrailing());
      }
      // a small file is left alone
      Files.writeString(log, "short\n");
      rotator.rotateAll();
      assertThat(Files.exists(log)).isTrue();
    } finally {
      fake.close();
    }
  }
}
