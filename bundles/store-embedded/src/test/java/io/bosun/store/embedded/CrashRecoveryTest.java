package io.bosun.store.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.WriteResult;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a store process with SIGKILL in the middle of concurrent writes, many times over the same
 * data directory, and checks after each kill that the store opens, that every acknowledged write
 * is there with its value and revision, that the log agrees with the key space, and that
 * revisions continue. Runs {@value #DEFAULT_ITERATIONS} iterations by default; set
 * {@code -Dbosun.crashtest.iterations=N} for more and {@code -Dbosun.crashtest.seed=S} to replay.
 */
class CrashRecoveryTest {

  private static final int DEFAULT_ITERATIONS = 20;
  private static final int WRITERS = 8;
  private static final Pattern ACK = Pattern.compile("ACK (\\d+) (\\d+) (\\d+) END");
  private static final Pattern OPEN = Pattern.compile("OPEN (\\d+) END");
  private static final long CHILD_DEADLINE_SECONDS = 60;

  @TempDir
  Path dir;

  @Test
  void acknowledgedWritesSurviveSigkill() throws Exception {
    int iterations = Integer.getInteger("bosun.crashtest.iterations", DEFAULT_ITERATIONS);
    long seed = Long.getLong("bosun.crashtest.seed", System.nanoTime());
    Random random = new Random(seed);
    Path data = dir.resolve("store");
    String classpath = privateClasspath();
    Map<String, KeyValue> before = new TreeMap<>();
    long expectedOpenRevision = 0;
    int totalAcks = 0;

    for (int i = 0; i < iterations; i++) {
      String tag = "i" + i;
      boolean fsync = i % 2 == 0;
      int killAfter = 20 + random.nextInt(600);
      String context = "iteration " + i + " (seed " + seed + ", fsync " + fsync + ", kill after " + killAfter + ")";

      ChildRun run = runAndKill(classpath, data, tag, fsync, killAfter, context);
      assertThat(run.openRevision).as("revision at open, %s", context).isEqualTo(expectedOpenRevision);
      totalAcks += run.acks.size();

      try (EmbeddedStore store = new EmbeddedStore(EmbeddedStore.Options.defaults(data))) {
        verify(store, tag, run, before, context);
        // Revisions continue from where the killed process left off.
        long head = store.revision();
        WriteResult marker = store.create("/marker/" + i, "m".getBytes(UTF_8), 0);
        assertThat(marker.revision()).as("first revision after reopen, %s", context).isEqualTo(head + 1);
        before = snapshot(store);
        expectedOpenRevision = store.revision();
        System.out.printf("crash %s: %d acks, revision %d -> %d (%d unacknowledged but applied), compacted to %d%n",
            context, run.acks.size(), run.openRevision, head, head - run.openRevision - run.acks.size(),
            store.compactRevision());
      }
    }
    assertThat(totalAcks).isGreaterThanOrEqualTo(iterations * 20);
  }

  private void verify(EmbeddedStore store, String tag, ChildRun run, Map<String, KeyValue> before, String context) {
    // Everything from earlier iterations is untouched, and the log still reproduces it exactly.
    Map<String, KeyValue> now = snapshot(store);
    Map<String, KeyValue> untouched = new TreeMap<>(now);
    untouched.keySet().removeIf(k -> k.startsWith("/crash/" + tag + "/"));
    assertThat(untouched).as("keys of earlier iterations, %s", context).isEqualTo(before);
    if (run.openRevision > 0) {
      Map<String, KeyValue> atOpen = new TreeMap<>();
      store.range(KeyRange.prefix(""), 0, run.openRevision).kvs().forEach(kv -> atOpen.put(kv.key(), kv));
      assertThat(atOpen).as("range at the revision of the open, %s", context).isEqualTo(before);
    }

    Set<Long> revisions = new HashSet<>();
    long maxAck = run.openRevision;
    for (long[] ack : run.acks) {
      assertThat(revisions.add(ack[2])).as("revision %d acknowledged twice, %s", ack[2], context).isTrue();
      maxAck = Math.max(maxAck, ack[2]);
    }
    assertThat(store.revision()).as("revision after recovery, %s", context).isGreaterThanOrEqualTo(maxAck);

    for (int t = 0; t < WRITERS; t++) {
      Map<Integer, Long> acked = new HashMap<>();
      int lastAcked = -1;
      for (long[] ack : run.acks) {
        if (ack[0] == t) {
          acked.put((int) ack[1], ack[2]);
          lastAcked = Math.max(lastAcked, (int) ack[1]);
        }
      }
      String prefix = "/crash/" + tag + "/t" + t + "/";
      Map<String, KeyValue> actual = new TreeMap<>();
      store.range(KeyRange.prefix(prefix), 0, 0).kvs().forEach(kv -> actual.put(kv.key(), kv));
      Map<String, String> values = new TreeMap<>();
      actual.forEach((k, kv) -> values.put(k, new String(kv.value(), UTF_8)));

      // Ops run one at a time per writer: all acknowledged ones are applied, and at most one more.
      Map<String, String> acknowledged = CrashChild.Op.model(tag, t, lastAcked);
      Map<String, String> withNext = CrashChild.Op.model(tag, t, lastAcked + 1);
      assertThat(values).as("writer %d after ack of op %d, %s", t, lastAcked, context)
          .isIn(acknowledged, withNext);
      boolean nextApplied = values.equals(withNext);
      String nextKey = CrashChild.Op.of(tag, t, lastAcked + 1).key();

      for (Map.Entry<String, KeyValue> e : actual.entrySet()) {
        if (nextApplied && e.getKey().equals(nextKey)) {
          long lastRevision = lastAcked >= 0 ? acked.get(lastAcked) : run.openRevision;
          assertThat(e.getValue().modRevision()).isGreaterThan(lastRevision);
          continue;
        }
        int lastOp = lastOpOn(tag, t, lastAcked, e.getKey());
        assertThat(e.getValue().modRevision()).as("mod revision of %s, %s", e.getKey(), context)
            .isEqualTo(acked.get(lastOp));
      }
    }
  }

  private static int lastOpOn(String tag, int t, int lastAcked, String key) {
    for (int j = lastAcked; j >= 0; j--) {
      if (CrashChild.Op.of(tag, t, j).key().equals(key)) {
        return j;
      }
    }
    throw new AssertionError("no op wrote " + key);
  }

  private static Map<String, KeyValue> snapshot(EmbeddedStore store) {
    Map<String, KeyValue> all = new TreeMap<>();
    store.range(KeyRange.prefix(""), 0, 0).kvs().forEach(kv -> all.put(kv.key(), kv));
    return all;
  }

  private static final class ChildRun {
    long openRevision = -1;
    final List<long[]> acks = new ArrayList<>();
  }

  /**
   * The test classpath with its class directories copied: other builds in the same tree may rewrite
   * a module's target/classes while this test is starting children.
   */
  private String privateClasspath() throws IOException {
    List<String> entries = new ArrayList<>();
    int i = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path source = Path.of(entry);
      if (!Files.isDirectory(source)) {
        entries.add(entry);
        continue;
      }
      Path copy = dir.resolve("classpath").resolve(Integer.toString(i++));
      try (Stream<Path> files = Files.walk(source)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Path target = copy.resolve(source.relativize(f).toString());
          if (Files.isDirectory(f)) {
            Files.createDirectories(target);
          } else {
            Files.copy(f, target);
          }
        }
      }
      entries.add(copy.toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  private ChildRun runAndKill(String classpath, Path data, String tag, boolean fsync, int killAfter,
      String context) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Path stderr = dir.resolve("child-" + tag + ".err");
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", classpath, CrashChild.class.getName(),
        data.toString(), Integer.toString(WRITERS), Boolean.toString(fsync), tag)
        .redirectError(stderr.toFile());
    Process child = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    String eof = new String("EOF");
    Thread reader = Thread.ofVirtual().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("IOERROR " + e);
      } finally {
        lines.add(eof);
      }
    });

    ChildRun run = new ChildRun();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_DEADLINE_SECONDS);
    boolean killed = false;
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
        if (line == null) {
          fail("child gave no output within %ds; %s; stderr: %s", CHILD_DEADLINE_SECONDS, context, read(stderr));
        }
        if (line == eof) {
          break;
        }
        Matcher ack = ACK.matcher(line);
        Matcher open = OPEN.matcher(line);
        if (ack.matches()) {
          run.acks.add(new long[] {Long.parseLong(ack.group(1)), Long.parseLong(ack.group(2)),
              Long.parseLong(ack.group(3))});
        } else if (open.matches()) {
          run.openRevision = Long.parseLong(open.group(1));
        } else if (line.startsWith("FAIL") || line.startsWith("IOERROR")) {
          fail("child reported %s; %s; stderr: %s", line, context, read(stderr));
        }
        // Anything else is a line torn by the kill: not an acknowledgement.
        if (!killed && run.acks.size() >= killAfter) {
          // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the
          // pipe, losing acknowledgements the child printed just before it died.
          child.toHandle().destroyForcibly();
          killed = true;
        }
      }
      assertThat(killed).as("child exited before it was killed; %s; stderr: %s", context, read(stderr)).isTrue();
      assertThat(child.waitFor(CHILD_DEADLINE_SECONDS, TimeUnit.SECONDS)).isTrue();
      reader.join();
      return run;
    } finally {
      child.destroyForcibly();
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
