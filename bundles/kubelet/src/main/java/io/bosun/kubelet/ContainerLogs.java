package io.bosun.kubelet;

import io.bosun.api.core.v1.Pod;
import io.bosun.runtime.spi.ContainerFilter;
import io.bosun.runtime.spi.ContainerState;
import io.bosun.runtime.spi.ContainerStatus;
import io.bosun.runtime.spi.Labels;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The kubelet's {@code /containerLogs/{namespace}/{pod}/{container}} endpoint: finds the container
 * (its current or {@code previous} instance) and streams its log with {@link LogReader}. Errors
 * carry upstream's messages, which the API server passes on to {@code kubectl logs}.
 */
final class ContainerLogs {

  /** A request that cannot be served: an HTTP status and a message. */
  static final class LogException extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    LogException(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private final PodManager pods;
  private final PodWorkers workers;
  private final Runtimes runtimes;
  private final Clock clock;

  ContainerLogs(PodManager pods, PodWorkers workers, Runtimes runtimes, Clock clock) {
    this.pods = pods;
    this.workers = workers;
    this.runtimes = runtimes;
    this.clock = clock;
  }

  /**
   * Serves one request; {@code out} is asked for only once the request is known to be good.
   *
   * @param params the query: follow, previous, timestamps, tailLines, sinceSeconds, sinceTime, limitBytes
   * @throws LogException for an unknown pod or container, or one without logs yet
   * @throws IOException  when writing fails (the client went away)
   */
  void serve(String namespace, String podName, String container, Map<String, String> params,
      Supplier<OutputStream> out) throws LogException, IOException {
    Pod pod = pods.byName(namespace, podName).orElseThrow(() -> new LogException(404,
        "pod \"" + podName + "\" in namespace \"" + namespace + "\" is not running on this node"));
    String uid = pod.getMetadata().getUid();
    if (EnvResolver.findContainer(pod, container) == null) {
      throw new LogException(400, "container " + container + " is not valid for pod " + podName);
    }
    Optional<PodState> state = workers.state(uid);
    String runtimeName = state.map(s -> s.runtime).orElse("");
    Runtimes.Entry rt = runtimeName.isEmpty() ? null : runtimes.byName(runtimeName).orElse(null);
    List<ContainerStatus> instances = rt == null ? List.of() : rt.runtime().containers()
        .list(new ContainerFilter(null, null, null, Map.of(Labels.POD_UID, uid, Labels.CONTAINER_NAME, container)))
        .stream().sorted(Comparator.comparingInt(ContainerStatus::attempt)
            .thenComparing(ContainerStatus::createdAt)).toList();
    boolean previous = flag(params, "previous");
    ContainerStatus target;
    if (instances.isEmpty()) {
      PodState.Waiting w = state.map(s -> s.waiting.get(container)).orElse(null);
      throw new LogException(400, "container \"" + container + "\" in pod \"" + podName + "\" is waiting to start: "
          + (w != null ? w.reason() : "ContainerCreating"));
    }
    if (previous) {
      if (instances.size() < 2) {
        throw new LogException(400, "previous terminated container \"" + container + "\" in pod \"" + podName
            + "\" not found");
      }
      target = instances.get(instances.size() - 2);
    } else {
      target = instances.get(instances.size() - 1);
    }
    Path logFile = target.logPath();
    if (logFile == null) {
      throw new LogException(400, "container \"" + container + "\" in pod \"" + podName + "\" has no log file");
    }
    LogReader.Options options = new LogReader.Options(flag(params, "follow") && !previous,
        number(params, "tailLines", -1), since(params), flag(params, "timestamps"), number(params, "limitBytes", -1));
    if (!Files.exists(logFile) && target.state() == ContainerState.CREATED) {
      throw new LogException(400, "container \"" + container + "\" in pod \"" + podName
          + "\" is waiting to start: ContainerCreating");
    }
    String id = target.id();
    Runtimes.Entry runtime = rt;
    LogReader.stream(logFile, options, out.get(), () -> runtime.runtime().containers().status(id)
        .map(s -> s.state() == ContainerState.RUNNING || s.state() == ContainerState.CREATED).orElse(false));
  }

  private Instant since(Map<String, String> params) throws LogException {
    String seconds = params.get("sinceSeconds");
    if (seconds != null && !seconds.isEmpty()) {
      return clock.instant().minusSeconds(number(params, "sinceSeconds", 0));
    }
    String time = params.get("sinceTime");
    if (time != null && !time.isEmpty()) {
      try {
        return Instant.parse(time);
      } catch (DateTimeParseException e) {
        throw new LogException(400, "sinceTime: invalid value " + time);
      }
    }
    return null;
  }

  private static boolean flag(Map<String, String> params, String name) {
    String v = params.get(name);
    return v != null && (v.equalsIgnoreCase("true") || v.equals("1"));
  }

  private static long number(Map<String, String> params, String name, long otherwise) throws LogException {
    String v = params.get(name);
    if (v == null || v.isEmpty()) {
      return otherwise;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new LogException(400, name + ": invalid value " + v);
    }
  }
}
