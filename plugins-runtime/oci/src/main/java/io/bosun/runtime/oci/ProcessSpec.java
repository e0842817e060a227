package io.bosun.runtime.oci;

import io.bosun.runtime.oci.image.ImageConfig;
import io.bosun.runtime.spi.ContainerConfig;
import io.bosun.runtime.spi.CreateContainerException;
import io.bosun.runtime.spi.KeyValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a container's process is, from its image and its pod spec, by upstream's rules.
 */
final class ProcessSpec {

  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private ProcessSpec() {
  }

  /**
   * Kubernetes' command/args against the image's ENTRYPOINT/CMD: a command replaces the
   * entrypoint and drops CMD; args alone replace CMD; neither runs the image's own.
   */
  static List<String> argv(ImageConfig image, ContainerConfig c) {
    List<String> argv = new ArrayList<>();
    if (!c.command().isEmpty()) {
      argv.addAll(c.command());
      argv.addAll(c.args());
    } else {
      argv.addAll(image.entrypoint());
      argv.addAll(c.args().isEmpty() ? image.cmd() : c.args());
    }
    if (argv.isEmpty() || argv.get(0).isEmpty()) {
      throw new CreateContainerException("no command specified: the image " + c.image().image()
          + " has no ENTRYPOINT or CMD and the container sets no command");
    }
    return List.copyOf(argv);
  }

  /**
   * The image's environment, then PATH if the image sets none, HOSTNAME, then the container's
   * variables (which win, in their order).
   */
  static List<String> env(ImageConfig image, ContainerConfig c, String hostname) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String kv : image.env()) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        env.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    env.putIfAbsent("PATH", DEFAULT_PATH);
    env.put("HOSTNAME", hostname);
    for (KeyValue kv : c.env()) {
      env.remove(kv.key()); // keeps the container's order for its own variables
      env.put(kv.key(), kv.value());
    }
    List<String> out = new ArrayList<>();
    env.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  /** The working directory: the container's, else the image's, else "/". */
  static String cwd(ImageConfig image, ContainerConfig c) {
    String d = !c.workingDir().isEmpty() ? c.workingDir() : image.workingDir();
    return d.isEmpty() ? "/" : d;
  }
}
