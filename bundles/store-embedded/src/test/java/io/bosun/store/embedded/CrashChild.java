package io.bosun.store.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.WriteResult;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The process {@link CrashRecoveryTest} kills: opens the store and runs writers until killed,
 * printing {@code ACK <thread> <op> <revision> END} after each write returned. A line is printed
 * only after the write was acknowledged, so every complete line is a durability promise.
 */
public final class CrashChild {

  private CrashChild() {
  }

  /** What op {@code j} of writer {@code t} does; deterministic, so the parent can replay it. */
  record Op(Kind kind, String key, String value) {
    enum Kind { CREATE, UPDATE, DELETE }

    static Op of(String tag, int t, int j) {
      String base = "/crash/" + tag + "/t" + t + "/";
      return switch (j % 4) {
        case 0, 2 -> new Op(Kind.CREATE, base + "k" + j, "v-" + t + "-" + j);
        case 1 -> new Op(j == 1 ? Kind.CREATE : Kind.UPDATE, base + "counter", "c-" + j);
        default -> new Op(Kind.DELETE, base + "k" + (j - 3), null);
      };
    }

    /** The state of writer {@code t}'s keys after ops {@code 0..lastOp}. */
    static Map<String, String> model(String tag, int t, int lastOp) {
      Map<String, String> state = new TreeMap<>();
      for (int j = 0; j <= lastOp; j++) {
        Op op = of(tag, t, j);
        if (op.kind() == Kind.DELETE) {
          state.remove(op.key());
        } else {
          state.put(op.key(), op.value());
        }
      }
      return state;
    }
  }

  /** Arguments: data directory, writer threads, fsync, tag. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int writers = Integer.parseInt(args[1]);
    boolean fsync = Boolean.parseBoolean(args[2]);
    String tag = args[3];
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, UTF_8);
    // Frequent maintenance, so kills also land in compaction, log trimming and chunk rewriting; the
    // history still covers one run, which the parent reads at the revision of this open.
    EmbeddedStore store = new EmbeddedStore(EmbeddedStore.Options.defaults(dir).withFsync(fsync)
        .withHistory(2_000, Duration.ZERO).withMaintenanceInterval(Duration.ofMillis(5)));
    synchronized (out) {
      out.println("OPEN " + store.revision() + " END");
      out.flush();
    }
    for (int t = 0; t < writers; t++) {
      int thread = t;
      Thread w = new Thread(() -> write(store, out, tag, thread), "crash-writer-" + t);
      w.start();
    }
    // Runs until the parent kills this process.
  }

  private static void write(EmbeddedStore store, PrintStream out, String tag, int t) {
    Map<String, Long> modRevisions = new HashMap<>();
    for (int j = 0; ; j++) {
      Op op = Op.of(tag, t, j);
      byte[] value = op.value() == null ? null : op.value().getBytes(UTF_8);
      WriteResult r = switch (op.kind()) {
        case CREATE -> store.create(op.key(), value, 0);
        case UPDATE -> store.update(op.key(), value, modRevisions.get(op.key()), 0);
        case DELETE -> store.delete(op.key(), modRevisions.get(op.key()));
      };
      if (!r.succeeded()) {
        KeyValue current = r.kv();
        synchronized (out) {
          out.println("FAIL " + t + " " + j + " " + op + " current " + current + " END");
          out.flush();
        }
        System.exit(3);
      }
      modRevisions.put(op.key(), r.revision());
      synchronized (out) {
        out.println("ACK " + t + " " + j + " " + r.revision() + " END");
        out.flush();
      }
    }
  }
}
