package io.bosun.apiserver;

import io.bosun.apiserver.spi.RouteHandler;
import io.bosun.store.spi.KeyValueStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Map;
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
 * Runs the API server in OSGi. The store and metrics registry are static references: if either
 * goes away (its bundle is updated), this component stops the server, closing every watch so
 * clients resume from their last resourceVersion, and starts a new one on the replacement.
 * A configuration change restarts the server the same way. Extra routes ({@link RouteHandler}
 * services of other bundles) come and go while it runs.
 *
 * <p>The store is chosen by the reference's target, {@code (bosun.store.backend=embedded)} unless
 * the configuration sets {@code store.target}, e.g. {@code (bosun.store.backend=etcd)}. A fixed
 * default rather than "any store": with an etcd store configured as well, the choice must not
 * depend on which store registered first.
 */
@Component(immediate = true, configurationPid = "io.bosun.apiserver", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ApiServerConfig.class)
public class ApiServerComponent {

  static final int DEFAULT_PORT = 6443;
  /** The store unless {@code store.target} is configured: the embedded one. */
  static final String DEFAULT_STORE_TARGET = "(" + KeyValueStore.BACKEND + "=embedded)";

  private final ApiServer server;

  @Activate
  public ApiServerComponent(@Reference(name = "store", target = DEFAULT_STORE_TARGET) KeyValueStore store,
      @Reference PrometheusRegistry metrics, ApiServerConfig config, BundleContext context) throws Exception {
    int port = config.port();
    if (port <= 0) {
      String property = context.getProperty("bosun.apiserver.port");
      port = property == null || property.isBlank() ? DEFAULT_PORT : Integer.parseInt(property.trim());
    }
    String version = context.getBundle().getVersion().toString();
    ApiServer.Settings settings = new ApiServer.Settings(config.host(), port, config.maxRequestBodyBytes(),
        Duration.ofSeconds(config.minRequestTimeoutSeconds()),
        Duration.ofSeconds(config.watchBookmarkIntervalSeconds()), config.serviceClusterIpRange(),
        config.serviceNodePortRange(), version);
    server = new ApiServer(store, metrics, settings);
    try {
      server.start();
    } catch (Exception e) {
      server.close();
      throw e;
    }
  }

  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void addRoute(RouteHandler handler, Map<String, Object> properties) {
    Object prefix = properties.get(RouteHandler.PATH_PREFIX);
    try {
      server.routes().add(handler, prefix == null ? null : prefix.toString());
    } catch (IllegalArgumentException e) {
      // A bad registration must not take the API server down; the route just stays unserved.
      org.slf4j.LoggerFactory.getLogger(ApiServerComponent.class).warn("Ignoring a route handler: {}", e.getMessage());
    }
  }

  void removeRoute(RouteHandler handler) {
    server.routes().remove(handler);
  }

  @Deactivate
  void deactivate() {
    server.close();
  }
}
