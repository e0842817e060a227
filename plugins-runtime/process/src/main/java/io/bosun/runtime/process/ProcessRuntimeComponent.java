package io.bosun.runtime.process;

import io.bosun.runtime.spi.ContainerRuntime;
import io.bosun.runtime.spi.ContainerService;
import io.bosun.runtime.spi.ExecService;
import io.bosun.runtime.spi.ImageService;
import io.bosun.runtime.spi.RuntimeCapabilities;
import io.bosun.runtime.spi.RuntimeStatus;
import io.bosun.runtime.spi.RuntimeVersion;
import io.bosun.runtime.spi.SandboxService;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The process runtime as a service ({@code bosun.runtime=process}). Deactivation (a bundle
 * update, a configuration change, the node process stopping) only stops watching: containers keep
 * running, and the next instance adopts them from the state folder. Immediate, so a kubelet update
 * (its only consumer going away for a moment) does not deactivate it.
 */
@Component(service = ContainerRuntime.class, immediate = true, configurationPid = "io.bosun.runtime.process",
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    property = {ContainerRuntime.RUNTIME_NAME + "=" + ProcessRuntime.NAME,
        ContainerRuntime.HANDLERS + "=" + ProcessRuntime.NAME})
@Designate(ocd = ProcessRuntimeConfig.class)
public final class ProcessRuntimeComponent implements ContainerRuntime {

  private final ProcessRuntime runtime;

  @Activate
  public ProcessRuntimeComponent(ProcessRuntimeConfig config, BundleContext context) {
    runtime = new ProcessRuntime(new ProcessRuntime.Settings(stateDir(config.stateDir(),
        context.getProperty("bosun.data")), config.bash(), parseImageCommands(config.imageCommands()), null));
  }

  static Path stateDir(String configured, String data) {
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured.trim());
    }
    if (data != null && !data.isBlank()) {
      return Path.of(data.trim(), "runtime", "process");
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "bosun-runtime-process");
  }

  /** {@code busybox=sh;pause=sleep infinity}: a name, '=', then the command's words. */
  static Map<String, List<String>> parseImageCommands(String text) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (text == null) {
      return out;
    }
    for (String entry : text.split(";")) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      List<String> words = Arrays.stream(entry.substring(eq + 1).trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
      if (!words.isEmpty()) {
        out.put(entry.substring(0, eq).trim(), words);
      }
    }
    return out;
  }

  @Deactivate
  void deactivate() {
    runtime.close();
  }

  @Override
  public RuntimeVersion version() {
    return runtime.version();
  }

  @Override
  public RuntimeCapabilities capabilities() {
    return runtime.capabilities();
  }

  @Override
  public RuntimeStatus status() {
    return runtime.status();
  }

  @Override
  public SandboxService sandboxes() {
    return runtime.sandboxes();
  }

  @Override
  public ContainerService containers() {
    return runtime.containers();
  }

  @Override
  public ImageService images() {
    return runtime.images();
  }

  @Override
  public Optional<ExecService> exec() {
    return runtime.exec();
  }
}
