package io.bosun.runtime.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the kubelet asks of a new container (CRI {@code ContainerConfig}). Everything is already
 * resolved: environment variables expanded, volumes prepared on the node, the image pulled.
 *
 * @param name            the container's name in the pod
 * @param attempt         0 for its first run, then the restart count
 * @param image           the image to run
 * @param command         the entrypoint; empty for the image's. Replaces the image's ENTRYPOINT.
 * @param args            arguments; replace the image's CMD
 * @param workingDir      the working directory; "" for the runtime's default
 * @param env             environment variables, in order (later ones may refer to earlier ones;
 *                        the kubelet has expanded them already)
 * @param mounts          volumes to mount
 * @param labels          identifying labels ({@link Labels}); the runtime returns them in its status
 * @param annotations     kubelet bookkeeping ({@link Labels}: spec hash, restart count ...), returned as well
 * @param logPath         the file the container's stdout and stderr go to, in the CRI log format
 *                        ({@link CriLog}), under the sandbox's {@link SandboxConfig#logDirectory()}
 * @param resources       requests and limits
 * @param security        user, group and privilege settings
 * @param stdin           keep stdin open (interactive containers)
 * @param tty             allocate a terminal
 */
public record ContainerConfig(String name, int attempt, ImageSpec image, List<String> command, List<String> args,
    String workingDir, List<KeyValue> env, List<Mount> mounts, Map<String, String> labels,
    Map<String, String> annotations, Path logPath, ContainerResources resources, SecurityOptions security,
    boolean stdin, boolean tty) {

  public ContainerConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(image, "image");
    command = command == null ? List.of() : List.copyOf(command);
    args = args == null ? List.of() : List.copyOf(args);
    workingDir = workingDir == null ? "" : workingDir;
    env = env == null ? List.of() : List.copyOf(env);
    mounts = mounts == null ? List.of() : List.copyOf(mounts);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    resources = resources == null ? ContainerResources.NONE : resources;
    security = security == null ? SecurityOptions.DEFAULT : security;
  }
}
