package io.bosun.kubelet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where container logs live, as upstream lays out {@code /var/log/pods}:
 * {@code <podLogsDir>/<namespace>_<pod>_<uid>/<container>/<restartCount>.log}, rotated files next
 * to it as {@code <restartCount>.log.<yyyyMMdd-HHmmss.SSS>}.
 */
final class LogPaths {

  private final Path root;

  LogPaths(Path podLogsDir) {
    this.root = podLogsDir;
  }

  Path podDir(String namespace, String name, String uid) {
    return root.resolve(namespace + "_" + name + "_" + uid);
  }

  Path containerDir(String namespace, String name, String uid, String container) {
    return podDir(namespace, name, uid).resolve(container);
  }

  Path logFile(String namespace, String name, String uid, String container, int attempt) {
    return containerDir(namespace, name, uid, container).resolve(attempt + ".log");
  }

  /** A log file's rotated predecessors, oldest first. */
  static List<Path> rotated(Path logFile) {
    String prefix = logFile.getFileName() + ".";
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(logFile.getParent())) {
      return out;
    }
    try (Stream<Path> files = Files.list(logFile.getParent())) {
      files.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted(Comparator.comparing(Path::toString))
          .forEach(out::add);
    } catch (IOException e) {
      // none readable
    }
    return out;
  }

  /** The attempts of a container that have a log file, in order. */
  static List<Integer> attempts(Path containerDir) {
    List<Integer> out = new ArrayList<>();
    if (!Files.isDirectory(containerDir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(containerDir)) {
      for (Path f : files.toList()) {
        String n = f.getFileName().toString();
        int dot = n.indexOf(".log");
        if (dot > 0 && n.substring(0, dot).matches("\\d+")) {
          int a = Integer.parseInt(n.substring(0, dot));
          if (!out.contains(a)) {
            out.add(a);
          }
        }
      }
    } catch (IOException e) {
      // none readable
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** Deletes an attempt's log files (current and rotated). */
  static void deleteAttempt(Path containerDir, int attempt) {
    Path f = containerDir.resolve(attempt + ".log");
    try {
      for (Path r : rotated(f)) {
        Files.deleteIfExists(r);
      }
      Files.deleteIfExists(f);
    } catch (IOException e) {
      // best effort
    }
  }
}
