package io.bosun.kubelet;

import io.bosun.runtime.spi.ContainerFilter;
import io.bosun.runtime.spi.ContainerRuntimeException;
import io.bosun.runtime.spi.ContainerState;
import io.bosun.runtime.spi.ContainerStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates running containers' log files by size, as upstream's container log manager: a file past
 * {@code containerLogMaxSize} is renamed to {@code <name>.<yyyyMMdd-HHmmss.SSS>} and the runtime told
 * to reopen it; only {@code containerLogMaxFiles} files (the current one included) are kept.
 */
final class LogRotator {

  private static final Logger LOG = LoggerFactory.getLogger(LogRotator.class);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss.SSS")
      .withZone(ZoneOffset.UTC);

  private final Runtimes runtimes;
  private final long maxSize;
  private final int maxFiles;
  private final Clock clock;

  LogRotator(Runtimes runtimes, long maxSize, int maxFiles, Clock clock) {
    this.runtimes = runtimes;
    this.maxSize = maxSize;
    this.maxFiles = maxFiles;
    this.clock = clock;
  }

  /** One pass over every running container of every runtime. */
  void rotateAll() {
    for (Runtimes.Entry rt : runtimes.all()) {
      List<ContainerStatus> running;
      try {
        running = rt.runtime().containers().list(new ContainerFilter(null, null, ContainerState.RUNNING, null));
      } catch (ContainerRuntimeException e) {
        continue;
      }
      for (ContainerStatus c : running) {
        if (c.logPath() == null) {
          continue;
        }
        try {
          if (Files.exists(c.logPath()) && Files.size(c.logPath()) > maxSize) {
            rotate(rt, c);
          }
        } catch (IOException | ContainerRuntimeException e) {
          LOG.warn("Cannot rotate the log of container {}: {}", c.id(), e.toString());
        }
      }
    }
  }

  private void rotate(Runtimes.Entry rt, ContainerStatus c) throws IOException {
    Path log = c.logPath();
    List<Path> rotated = LogPaths.rotated(log);
    // keep maxFiles - 1 rotated files after this one is added
    int excess = rotated.size() + 1 - (maxFiles - 1);
    for (int i = 0; i < excess && i < rotated.size(); i++) {
      Files.deleteIfExists(rotated.get(i));
    }
    Path target = log.resolveSibling(log.getFileName() + "." + STAMP.format(clock.instant()));
    Files.move(log, target, StandardCopyOption.ATOMIC_MOVE);
    rt.runtime().containers().reopenLog(c.id());
  }
}
