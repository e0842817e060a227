package io.bosun.runtime.spi;

import java.time.Duration;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs commands inside running containers (CRI {@code ExecSync}); used for exec probes and
 * {@code preStop}/{@code postStart} exec hooks. Present when {@link RuntimeCapabilities#exec()}.
 */
@ConsumerType
public interface ExecService {

  /**
   * Runs {@code command} in the container's environment (its namespaces, filesystem, user and
   * environment variables) and waits for it. A command that exits non-zero, or runs out of time
   * (it is then killed), is an ordinary outcome reported in the result.
   *
   * @param timeout how long the command may run; zero for no limit
   * @throws NotFoundException      if the container does not exist
   * @throws ContainerRuntimeException when the command cannot be run at all (container not running,
   *                                   no such executable)
   */
  ExecResult execSync(String containerId, List<String> command, Duration timeout);
}
