package io.bosun.runtime.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Host process facts from /proc and signals to process groups. A pid alone is not an identity:
 * pids are reused, so a process is named by its pid and its start time in clock ticks since boot
 * (field 22 of /proc/PID/stat), within one boot ({@link #bootId()}).
 */
final class Procs {

  private Procs() {
  }

  /** The start time of {@code pid} in clock ticks since boot; -1 if it does not exist. */
  static long startTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // comm (field 2) is in parentheses and may hold spaces: count fields after its ')'
      String rest = stat.substring(stat.lastIndexOf(')') + 2);
      String[] f = rest.split(" ");
      // rest starts at field 3 (state); field 22 is at index 19
      if (f[0].equals("Z") || f[0].equals("X")) {
        return -1; // a zombie has ended; only its parent has not reaped it yet
      }
      return Long.parseLong(f[19]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Whether the process {@code pid} that started at {@code ticks} still runs (and is not a zombie). */
  static boolean alive(long pid, long ticks) {
    return pid > 0 && ticks >= 0 && startTicks(pid) == ticks;
  }

  /** This boot's id; "" if unknown. */
  static String bootId() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Sends {@code signal} (TERM, KILL ...) to every process of the process group {@code pgid}.
   *
   * @return whether kill reported success (false: no such group, nothing left to signal)
   */
  static boolean signalGroup(long pgid, String signal) {
    if (pgid <= 1) {
      throw new IllegalArgumentException("refusing to signal process group " + pgid);
    }
    try {
      Process p = new ProcessBuilder(List.of("kill", "-s", signal, "--", "-" + pgid))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
