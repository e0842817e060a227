package io.bosun.runtime.oci;

import io.bosun.network.spi.PodNetwork;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The oci runtime as a service ({@code bosun.runtime=oci}). Always registered, even without runc
 * or root: it then reports itself not ready ({@link #status()}) and refuses work, so a node with
 * the bundle but no runc keeps running its other runtimes. Pod networks are tracked dynamically
 * by name; the configured one may come and go. Deactivation stops the monitor thread only:
 * containers keep running and the next instance adopts them.
 */
@Component(service = ContainerRuntime.class, immediate = true, configurationPid = "io.bosun.runtime.oci",
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    property = {ContainerRuntime.RUNTIME_NAME + "=" + OciRuntime.NAME,
        ContainerRuntime.HANDLERS + "=" + OciRuntime.NAME, ContainerRuntime.HANDLERS + "=runc"})
@Designate(ocd = OciRuntimeConfig.class)
public final class OciRuntimeComponent implements ContainerRuntime {

  private final Map<String, PodNetwork> networks = new ConcurrentHashMap<>();
  private final OciRuntime runtime;

  @Activate
  public OciRuntimeComponent(OciRuntimeConfig config, BundleContext context) {
    OciRuntime.RootfsMode mode = OciRuntime.RootfsMode.valueOf(config.rootfs().trim().toUpperCase(Locale.ROOT));
    Set<String> insecure = Arrays.stream(config.insecureRegistries().split(",")).map(String::trim)
        .filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    String network = config.network().trim();
    OciRuntime.Settings settings = new OciRuntime.Settings(stateDir(config.stateDir(), context.getProperty("bosun.data")),
        config.runc(), Path.of(config.runcRoot()), config.cgroupRoot(), mode, network, insecure,
        config.imageArchiveDir().isBlank() ? null : Path.of(config.imageArchiveDir().trim()), null, null);
    runtime = new OciRuntime(settings, () -> Optional.ofNullable(networks.get(settings.network())));
  }

  static Path stateDir(String configured, String data) {
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured.trim());
    }
    if (data != null && !data.isBlank()) {
      return Path.of(data.trim(), "runtime", "oci");
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "bosun-runtime-oci");
  }

  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void addNetwork(PodNetwork network, Map<String, Object> props) {
    Object name = props.get(PodNetwork.NETWORK_NAME);
    if (name != null && network.apiVersion() == PodNetwork.API_VERSION) {
      networks.put(name.toString(), network);
    }
  }

  void removeNetwork(PodNetwork network, Map<String, Object> props) {
    Object name = props.get(PodNetwork.NETWORK_NAME);
    if (name != null) {
      networks.remove(name.toString(), network);
    }
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
