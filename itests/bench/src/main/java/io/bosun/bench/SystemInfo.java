package io.bosun.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** The facts needed to compare two runs: JDK, JVM flags, CPU, memory, load and the data disk. */
final class SystemInfo {

  private SystemInfo() {}

  /** Child processes under test (the etcd servers of {@code --etcd}): their CPU is not noise. */
  private static final List<Long> OURS = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Counts {@code pid}'s CPU time as this run's own from now on, not as other processes' noise. */
  static void countAsOurs(long pid) {
    OURS.add(pid);
  }

  /** utime + stime of the child processes under test, in ns (from /proc/PID/stat; 0 where unknown). */
  private static long oursNanos() {
    long ticks = 0;
    for (long pid : OURS) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // after "pid (comm) ": state is field 3; utime and stime are fields 14 and 15
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (IOException | RuntimeException gone) {
        // exited: its time no longer counts on either side
      }
    }
    return ticks * 10_000_000L;
  }

  /**
   * CPU time of the whole machine (from /proc/stat) and of this JVM plus the child processes under
   * test ({@link #countAsOurs}). The difference over a run is what other processes took: the honest
   * noise indicator on a small shared machine.
   */
  record CpuUse(long machineBusyNanos, long processNanos) {

    static CpuUse now() {
      long busy = -1;
      try {
        // cpu  user nice system idle iowait irq softirq steal ...; in USER_HZ ticks (100 per second on Linux)
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        busy = 0;
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
          busy += Long.parseLong(f[i]);
        }
        busy *= 10_000_000L;
      } catch (IOException | RuntimeException e) {
        // Not Linux: the machine figure is unknown.
      }
      long proc = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean sun
          ? sun.getProcessCpuTime() + oursNanos() : -1;
      return new CpuUse(busy, proc);
    }

    /** CPU seconds other processes used since {@code start}; NaN where unknown. */
    double otherSeconds(CpuUse start) {
      if (machineBusyNanos < 0 || start.machineBusyNanos < 0 || processNanos < 0) {
        return Double.NaN;
      }
      return Math.max(0, (machineBusyNanos - start.machineBusyNanos) - (processNanos - start.processNanos)) / 1e9;
    }

    String since(CpuUse start) {
      double mine = (processNanos - start.processNanos) / 1e9;
      if (machineBusyNanos < 0 || start.machineBusyNanos < 0) {
        return String.format("CPU: this JVM %.1f s", mine);
      }
      double all = (machineBusyNanos - start.machineBusyNanos) / 1e9;
      return String.format("CPU: this JVM %.1f s, other processes %.1f s", mine, Math.max(0, all - mine));
    }
  }

  static String describe(Path dataDir) {
    Runtime rt = Runtime.getRuntime();
    var os = ManagementFactory.getOperatingSystemMXBean();
    long totalMem = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : -1;
    String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
        .collect(Collectors.joining(", "));
    List<String> flags = ManagementFactory.getRuntimeMXBean().getInputArguments();
    return String.join("\n",
        "JDK      " + System.getProperty("java.vm.name") + " " + Runtime.version() + " (" + System.getProperty("java.vendor")
            + "), GC " + gcs + ", max heap " + rt.maxMemory() / (1 << 20) + " MB",
        "JVM args " + (flags.isEmpty() ? "(none)" : String.join(" ", flags)),
        "OS       " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch"),
        "CPU      " + rt.availableProcessors() + " x " + cpuModel() + ", RAM "
            + (totalMem > 0 ? totalMem / (1 << 20) + " MB" : "?"),
        "Disk     " + dataDir + " on " + fileStore(dataDir),
        "Load     " + loadAverage());
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static String cpuModel() {
    try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim())
          .orElse(System.getProperty("os.arch"));
    } catch (IOException e) {
      return System.getProperty("os.arch");
    }
  }

  private static String fileStore(Path dir) {
    try {
      var fs = Files.getFileStore(dir);
      return fs.type() + " (" + fs.name() + ")";
    } catch (IOException e) {
      return "?";
    }
  }
}
