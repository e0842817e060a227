package io.bosun.runtime.spi;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A container as the runtime reports it (CRI {@code ContainerStatus}).
 *
 * @param id          the runtime's id
 * @param sandboxId   its sandbox
 * @param name        from {@link ContainerConfig#name()}
 * @param attempt     from {@link ContainerConfig#attempt()}
 * @param state       its state
 * @param createdAt   when it was created
 * @param startedAt   when its process started; null before
 * @param finishedAt  when its process ended; null before
 * @param exitCode    the process's exit code when {@link ContainerState#EXITED} (128 + signal number when
 *                    killed by a signal: 137 for SIGKILL, 143 for SIGTERM); 0 otherwise
 * @param reason      a short CamelCase reason when exited, as upstream reports it: {@code Completed}
 *                    (exit 0), {@code Error}, {@code OOMKilled}, {@code ContainerCannotRun},
 *                    {@code Unknown} (the exit code was lost); "" otherwise
 * @param message     details for humans; "" if none
 * @param image       the image asked for
 * @param imageRef    the image actually run (an id or digest); "" if unknown
 * @param labels      from {@link ContainerConfig#labels()}
 * @param annotations from {@link ContainerConfig#annotations()}
 * @param logPath     from {@link ContainerConfig#logPath()}; null if none was given
 */
public record ContainerStatus(String id, String sandboxId, String name, int attempt, ContainerState state,
    Instant createdAt, Instant startedAt, Instant finishedAt, int exitCode, String reason, String message,
    ImageSpec image, String imageRef, Map<String, String> labels, Map<String, String> annotations, Path logPath) {

  public ContainerStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sandboxId, "sandboxId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    reason = reason == null ? "" : reason;
    message = message == null ? "" : message;
    imageRef = imageRef == null ? "" : imageRef;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  /** Upstream's reason for an exit code: {@code Completed} for 0, else {@code Error}. */
  public static String exitReason(int exitCode) {
    return exitCode == 0 ? "Completed" : "Error";
  }
}
