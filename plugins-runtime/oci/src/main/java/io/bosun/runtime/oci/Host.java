package io.bosun.runtime.oci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Host facts and commands: processes by pid and start time, mounts, running programs. A pid alone
 * is not an identity (pids are reused): a process is its pid and its start time in clock ticks
 * since boot, within one boot.
 */
final class Host {

  /** The outcome of a command. */
  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  private Host() {
  }

  /** Runs a command, its stdout and stderr together; never throws for a non-zero exit. */
  static Result run(List<String> cmd, long timeoutSeconds) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    byte[][] out = new byte[1][];
    Thread reader = Thread.ofVirtual().name("bosun-oci-cmd").start(() -> {
      try (var in = p.getInputStream()) {
        out[0] = in.readNBytes(256 * 1024);
        in.transferTo(java.io.OutputStream.nullOutputStream());
      } catch (IOException e) {
        out[0] = new byte[0];
      }
    });
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        throw new IOException(String.join(" ", cmd) + " timed out after " + timeoutSeconds + " s");
      }
      reader.join(5000);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running " + cmd.get(0), e);
    }
    return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8).trim());
  }

  /** Runs a command that must succeed. */
  static String check(List<String> cmd, long timeoutSeconds) throws IOException {
    Result r = run(cmd, timeoutSeconds);
    if (!r.ok()) {
      throw new IOException(String.join(" ", cmd) + " failed (exit " + r.exitCode() + "): " + r.output());
    }
    return r.output();
  }

  /** The start time of {@code pid} in clock ticks since boot; -1 if it does not exist or is a zombie. */
  static long startTicks(long pid) {
    if (pid <= 0) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      if (f[0].equals("Z") || f[0].equals("X")) {
        return -1;
      }
      return Long.parseLong(f[19]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static boolean alive(long pid, long ticks) {
    return pid > 0 && ticks >= 0 && startTicks(pid) == ticks;
  }

  static String bootId() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** Whether something is mounted exactly at {@code path}. */
  static boolean mounted(Path path) {
    String want = path.toAbsolutePath().normalize().toString();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4 && unescape(f[4]).equals(want)) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  /** Unmounts {@code path} if mounted (lazily when busy). */
  static void unmount(Path path) throws IOException {
    for (int i = 0; i < 8 && mounted(path); i++) {
      Result r = run(List.of("umount", path.toString()), 30);
      if (!r.ok() && mounted(path)) {
        run(List.of("umount", "-l", path.toString()), 30);
      }
    }
    if (mounted(path)) {
      throw new IOException("cannot unmount " + path);
    }
  }

  /** mountinfo escapes space, tab, newline and backslash as octal. */
  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** Whether this process runs as root (uid 0). */
  static boolean root() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[1].equals("0");
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }
}
