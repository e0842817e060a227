package io.bosun.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.runtime.spi.CriLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogReaderTest {

  @TempDir
  Path dir;

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static void append(Path file, Instant t, CriLog.Stream s, boolean partial, String content)
      throws IOException {
    Files.writeString(file, CriLog.format(t, s, partial, content), StandardCharsets.ISO_8859_1,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static String read(Path file, LogReader.Options o) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LogReader.stream(file, o, out, () -> false);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void tailSinceTimestampsPartialsAndRotatedFiles() throws Exception {
    Path log = dir.resolve("0.log");
    Path rotated = dir.resolve("0.log.20260101-000000.000");
    append(rotated, T0, CriLog.Stream.STDOUT, false, "one");
    append(log, T0.plusSeconds(1), CriLog.Stream.STDERR, false, "two");
    append(log, T0.plusSeconds(2), CriLog.Stream.STDOUT, true, "thr");
    append(log, T0.plusSeconds(2), CriLog.Stream.STDOUT, false, "ee");
    Files.writeString(log, "garbage line\n", StandardOpenOption.APPEND);
    append(log, T0.plusSeconds(3), CriLog.Stream.STDOUT, false, "four");
    assertThat(read(log, LogReader.Options.ALL)).isEqualTo("one\ntwo\nthree\nfour\n");
    assertThat(read(log, new LogReader.Options(false, 2, null, false, -1))).isEqualTo("three\nfour\n");
    assertThat(read(log, new LogReader.Options(false, 0, null, false, -1))).isEmpty();
    assertThat(read(log, new LogReader.Options(false, -1, T0.plusSeconds(2), false, -1))).isEqualTo("three\nfour\n");
    assertThat(read(log, new LogReader.Options(false, 1, null, true, -1)))
        .isEqualTo("2026-01-01T00:00:03Z four\n");
    assertThat(read(log, new LogReader.Options(false, -1, null, false, 6))).isEqualTo("one\ntw");
    assertThat(LogReader.tail(log, 2, 5)).isEqualTo("four\n");
  }

  @Test
  void followStreamsNewLinesAcrossRotationUntilTheContainerStops() throws Exception {
    Path log = dir.resolve("0.log");
    append(log, T0, CriLog.Stream.STDOUT, false, "first");
    AtomicBoolean running = new AtomicBoolean(true);
    StringBuffer seen = new StringBuffer();
    OutputStream out = new OutputStream() {
      @Override
      public void write(int b) {
        seen.append((char) b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        seen.append(new String(b, off, len, StandardCharsets.ISO_8859_1));
      }
    };
    Thread follower = Thread.ofVirtual().start(() -> {
      try {
        LogReader.stream(log, new LogReader.Options(true, -1, null, false, -1), out, running::get);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    TestApi.await(Duration.ofSeconds(5), () -> seen.toString().equals("first\n"), "first line");
    append(log, T0.plusSeconds(1), CriLog.Stream.STDOUT, false, "second");
    TestApi.await(Duration.ofSeconds(5), () -> seen.toString().endsWith("second\n"), "second line followed");
    // rotation: renamed away, a new file appears
    append(log, T0.plusSeconds(2), CriLog.Stream.STDOUT, false, "third");
    Files.move(log, dir.resolve("0.log.20260101-000002.000"));
    append(log, T0.plusSeconds(3), CriLog.Stream.STDOUT, false, "fourth");
    TestApi.await(Duration.ofSeconds(5), () -> seen.toString().endsWith("third\nfourth\n"), "across the rotation");
    running.set(false);
    follower.join(Duration.ofSeconds(5));
    assertThat(follower.isAlive()).isFalse();
    assertThat(seen.toString()).isEqualTo("first\nsecond\nthird\nfourth\n");
  }
}
