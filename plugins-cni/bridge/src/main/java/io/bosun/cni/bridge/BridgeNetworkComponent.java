package io.bosun.cni.bridge;

import io.bosun.network.spi.AttachRequest;
import io.bosun.network.spi.Attachment;
import io.bosun.network.spi.NetworkStatus;
import io.bosun.network.spi.PodNetwork;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The bridge network as a service ({@code bosun.network=bridge}). Holds no threads; deactivating
 * it detaches nothing (pods keep their addresses; the next instance detaches them from the cache).
 */
@Component(service = PodNetwork.class, configurationPid = "io.bosun.cni.bridge",
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    property = PodNetwork.NETWORK_NAME + "=" + BridgeNetwork.NAME)
@Designate(ocd = BridgeNetworkConfig.class)
public final class BridgeNetworkComponent implements PodNetwork {

  private final BridgeNetwork network;

  @Activate
  public BridgeNetworkComponent(BridgeNetworkConfig config, BundleContext context) {
    String name = BridgeNetwork.NAME;
    List<Path> dirs = Arrays.stream(config.pluginDirs().split(":")).map(String::trim).filter(s -> !s.isEmpty())
        .map(Path::of).toList();
    network = new BridgeNetwork(new BridgeNetwork.Settings(name, stateDir(config.stateDir(),
        context.getProperty("bosun.data"), name), dirs, config.confDir().isBlank() ? null : Path.of(config.confDir().trim()),
        config.bridge(), config.subnet(), config.ipMasq(), config.mtu()));
  }

  static Path stateDir(String configured, String data, String name) {
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured.trim());
    }
    if (data != null && !data.isBlank()) {
      return Path.of(data.trim(), "network", name);
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "bosun-network-" + name);
  }

  @Override
  public String name() {
    return network.name();
  }

  @Override
  public NetworkStatus status() {
    return network.status();
  }

  @Override
  public Attachment attach(AttachRequest request) {
    return network.attach(request);
  }

  @Override
  public void detach(AttachRequest request) {
    network.detach(request);
  }
}
