package io.bosun.controller.internal;

import io.bosun.client.ApiClient;
import io.bosun.client.leaderelection.LeaderElectionConfig;
import io.bosun.controller.Controller;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
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
 * The controller manager in OSGi: runs every {@link Controller} service while this runtime holds
 * the {@code kube-system/bosun-controller-manager} lease. Controllers come and go dynamically (a
 * bundle update stops the old controller before the new one starts); a configuration change
 * restarts the manager. It talks to the API server with its own client (the shared client's
 * server, its own user agent), closed on deactivation.
 */
@Component(configurationPid = "io.bosun.controllermanager", configurationPolicy = ConfigurationPolicy.OPTIONAL,
    immediate = true)
@Designate(ocd = ControllerManagerConfig.class)
public class ControllerManagerComponent {

  static final String USER_AGENT = "bosun-controller-manager/0.1.0";

  private final ApiClient client;
  private final ControllerManager manager;

  @Activate
  public ControllerManagerComponent(@Reference ApiClient shared, ControllerManagerConfig config, BundleContext context) {
    // One identity per framework (process), as upstream's: a re-activated manager (a new ApiClient
    // service, a bundle update) renews its own Lease at once instead of waiting for it to expire.
    String uuid = context.getProperty(Constants.FRAMEWORK_UUID);
    Settings settings = settings(config, hostName() + "_" + (uuid == null || uuid.isBlank() ? UUID.randomUUID() : uuid));
    client = ApiClient.create(shared.config().withUserAgent(USER_AGENT));
    manager = new ControllerManager(client, settings, Clock.systemUTC());
  }

  @Activate
  void activate() {
    manager.start();
  }

  @Deactivate
  void deactivate() {
    manager.close();
    client.close();
  }

  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void addController(Controller controller) {
    manager.addController(controller);
  }

  void removeController(Controller controller) {
    manager.removeController(controller);
  }

  static Settings settings(ControllerManagerConfig c, String defaultIdentity) {
    Map<String, Integer> workers = new HashMap<>();
    for (String entry : c.workersPerController()) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("workersPerController: expected name=count, got " + entry);
      }
      workers.put(entry.substring(0, eq).trim(), Integer.parseInt(entry.substring(eq + 1).trim()));
    }
    String identity = c.identity().isBlank() ? defaultIdentity : c.identity().trim();
    LeaderElectionConfig election = !c.leaderElect() ? null
        : LeaderElectionConfig.defaults(c.leaseNamespace(), c.leaseName(), identity).withTimings(
            Duration.ofSeconds(c.leaseDurationSeconds()), Duration.ofSeconds(c.renewDeadlineSeconds()),
            Duration.ofSeconds(c.retryPeriodSeconds()));
    List<String> controllers = Arrays.stream(c.controllers()).map(String::trim).filter(s -> !s.isEmpty()).toList();
    return new Settings(controllers, c.workers(), workers, Duration.ofSeconds(Math.max(0, c.resyncPeriodSeconds())),
        election, Duration.ofSeconds(Math.max(1, c.stopTimeoutSeconds())), identity);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
