package io.bosun.kubelet;

import io.bosun.runtime.spi.CriLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Reads CRI log files the way {@code kubectl logs} expects them, as upstream's kuberuntime log
 * reader: the rotated files then the current one, each record's content (a {@code P} record's
 * without a newline, so long lines come back whole), optionally prefixed with its time;
 * {@code sinceTime}, {@code tailLines} (counted in whole lines) and {@code limitBytes};
 * {@code follow} keeps reading the current file (across rotations) until the container is no
 * longer running and everything is read, or the client is gone.
 */
final class LogReader {

  /**
   * What to read.
   *
   * @param follow     keep streaming while the container runs
   * @param tailLines  only the last this many lines; negative for all
   * @param since      only records at or after this time; null for all
   * @param timestamps prefix each record with its RFC 3339 time and a space
   * @param limitBytes stop after this many bytes; negative for no limit
   */
  record Options(boolean follow, long tailLines, Instant since, boolean timestamps, long limitBytes) {
    static final Options ALL = new Options(false, -1, null, false, -1);
  }

  /** How often a followed file is checked for new lines. */
  private static final Duration POLL = Duration.ofMillis(100);

  private final Options options;
  private final OutputStream out;
  private long written;
  private boolean limitReached;

  private LogReader(Options options, OutputStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Streams a container's log.
   *
   * @param current the container's current log file (it may not exist yet)
   * @param running whether the container still runs; following ends once it does not and all is read
   * @throws IOException when writing to {@code out} fails (the client went away)
   */
  static void stream(Path current, Options options, OutputStream out, BooleanSupplier running) throws IOException {
    new LogReader(options, out).run(current, running);
  }

  /** An open log file and the identity (inode) it had when opened, to notice a rotation. */
  private record Tracked(FileChannel channel, Object key) {}

  private void run(Path current, BooleanSupplier running) throws IOException {
    Tracked file = open(current);
    try {
      // Everything there is now, for tail and since; then follow the current file from where it ended.
      List<byte[]> lines = new ArrayList<>();
      for (Path rotated : LogPaths.rotated(current)) {
        try (FileChannel ch = FileChannel.open(rotated, StandardOpenOption.READ)) {
          readLines(ch, lines::add, true);
        } catch (NoSuchFileException e) {
          // rotated away meanwhile
        }
      }
      LineBuffer pending = new LineBuffer();
      if (file != null) {
        readLines(file.channel(), pending, lines::add);
      }
      emitInitial(lines);
      out.flush();
      if (!options.follow() || limitReached) {
        return;
      }
      while (!limitReached) {
        boolean progress = false;
        if (file == null) {
          file = open(current);
        }
        if (file != null) {
          List<byte[]> fresh = new ArrayList<>();
          readLines(file.channel(), pending, fresh::add);
          if (!fresh.isEmpty()) {
            for (byte[] l : fresh) {
              emit(l);
            }
            out.flush();
            progress = true;
          } else if (rotatedAway(current, file)) {
            // Renamed for rotation: what was left of it has just been read; go on with the new file.
            file.channel().close();
            file = open(current);
            pending = new LineBuffer();
            progress = true;
          }
        }
        if (!progress) {
          if (!running.getAsBoolean()) {
            if (file != null) { // lines written just before the exit
              List<byte[]> last = new ArrayList<>();
              readLines(file.channel(), pending, last::add);
              for (byte[] l : last) {
                emit(l);
              }
              out.flush();
            }
            return;
          }
          java.util.concurrent.locks.LockSupport.parkNanos(POLL.toNanos());
          if (Thread.currentThread().isInterrupted()) {
            return;
          }
        }
      }
    } finally {
      if (file != null) {
        file.channel().close();
      }
    }
  }

  private static Tracked open(Path file) throws IOException {
    try {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      return new Tracked(ch, key(file));
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static Object key(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /** Whether the path now names another file than the one open (renamed away; the new one exists). */
  private static boolean rotatedAway(Path path, Tracked file) {
    Object now = key(path);
    return now != null && file.key() != null && !now.equals(file.key());
  }

  private void emitInitial(List<byte[]> lines) throws IOException {
    // tailLines counts whole lines: a run of P records and their closing F is one line.
    List<List<byte[]>> whole = new ArrayList<>();
    List<byte[]> cur = new ArrayList<>();
    for (byte[] l : lines) {
      CriLog.Line rec = parse(l);
      if (rec == null || (options.since() != null && rec.time().isBefore(options.since()))) {
        continue;
      }
      cur.add(l);
      if (!rec.partial()) {
        whole.add(cur);
        cur = new ArrayList<>();
      }
    }
    if (!cur.isEmpty()) {
      whole.add(cur);
    }
    Deque<List<byte[]>> keep = new ArrayDeque<>();
    for (List<byte[]> w : whole) {
      keep.addLast(w);
      if (options.tailLines() >= 0 && keep.size() > options.tailLines()) {
        keep.removeFirst();
      }
    }
    for (List<byte[]> w : keep) {
      for (byte[] l : w) {
        emit(l);
      }
    }
  }

  private void emit(byte[] line) throws IOException {
    if (limitReached) {
      return;
    }
    CriLog.Line rec = parse(line);
    if (rec == null || (options.since() != null && rec.time().isBefore(options.since()))) {
      return;
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream(rec.content().length() + 40);
    if (options.timestamps()) {
      b.writeBytes((CriLog.formatTime(rec.time()) + " ").getBytes(StandardCharsets.US_ASCII));
    }
    b.writeBytes(rec.content().getBytes(StandardCharsets.ISO_8859_1));
    if (!rec.partial()) {
      b.write('\n');
    }
    byte[] bytes = b.toByteArray();
    if (options.limitBytes() >= 0 && written + bytes.length >= options.limitBytes()) {
      out.write(bytes, 0, (int) (options.limitBytes() - written));
      written = options.limitBytes();
      limitReached = true;
      return;
    }
    out.write(bytes);
    written += bytes.length;
  }

  private static CriLog.Line parse(byte[] line) {
    try {
      return CriLog.parse(new String(line, StandardCharsets.ISO_8859_1));
    } catch (IllegalArgumentException e) {
      return null; // not a record: skipped, as upstream skips unparsable lines
    }
  }

  interface LineSink {
    void accept(byte[] line) throws IOException;
  }

  /** Bytes of an incomplete last line, kept until its newline arrives. */
  private static final class LineBuffer {
    final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  }

  private static void readLines(FileChannel ch, java.util.function.Consumer<byte[]> sink, boolean keepTail)
      throws IOException {
    LineBuffer b = new LineBuffer();
    readLines(ch, b, sink::accept);
    if (keepTail && b.partial.size() > 0) {
      sink.accept(b.partial.toByteArray());
    }
  }

  private static void readLines(FileChannel ch, LineBuffer pending, java.util.function.Consumer<byte[]> sink)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    while (ch.read(buf) > 0) {
      buf.flip();
      byte[] a = buf.array();
      int start = 0;
      for (int i = 0; i < buf.limit(); i++) {
        if (a[i] == '\n') {
          pending.partial.write(a, start, i - start);
          sink.accept(pending.partial.toByteArray());
          pending.partial.reset();
          start = i + 1;
        }
      }
      pending.partial.write(a, start, buf.limit() - start);
      buf.clear();
    }
  }

  /**
   * The last {@code lines} lines of a log file's contents joined by newlines, at most
   * {@code maxBytes} (from the end): upstream's {@code FallbackToLogsOnError} message.
   */
  static String tail(Path logFile, int lines, int maxBytes) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try {
      stream(logFile, new Options(false, lines, null, false, -1), b, () -> false);
    } catch (IOException e) {
      return "";
    }
    byte[] all = b.toByteArray();
    int from = Math.max(0, all.length - maxBytes);
    return new String(all, from, all.length - from, StandardCharsets.UTF_8);
  }
}
