package io.bosun.client.internal;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientConfig;
import io.bosun.client.PodClient;
import io.bosun.client.ResourceClient;
import java.time.Duration;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Provides one shared {@link ApiClient} to the components of a runtime. In an all-in-one
 * runtime it reaches the local API server over loopback HTTP, on purpose: components only ever
 * talk through the API server, so each can move to another runtime unchanged. A configuration
 * change replaces the service (consumers with static references are re-activated); deactivation
 * closes the client and its watches.
 */
@Component(service = ApiClient.class, configurationPid = "io.bosun.client",
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ApiClientComponentConfig.class)
public class ApiClientComponent implements ApiClient {

  static final int DEFAULT_PORT = 6443;

  private final HttpApiClient delegate;

  @Activate
  public ApiClientComponent(ApiClientComponentConfig config, BundleContext context) {
    ClientConfig c = ClientConfig.forServer(server(config.server(), context.getProperty("bosun.apiserver.port")))
        .withUserAgent(config.userAgent())
        .withConnectTimeout(Duration.ofSeconds(Math.max(1, config.connectTimeoutSeconds())))
        .withRequestTimeout(Duration.ofSeconds(Math.max(1, config.requestTimeoutSeconds())));
    delegate = new HttpApiClient(c);
  }

  /** The configured server, else loopback on the framework's API server port, else 6443. */
  static String server(String configured, String portProperty) {
    if (configured != null && !configured.isBlank()) {
      return configured.trim();
    }
    int port = portProperty == null || portProperty.isBlank() ? DEFAULT_PORT : Integer.parseInt(portProperty.trim());
    return "http://127.0.0.1:" + port;
  }

  @Deactivate
  void deactivate() {
    delegate.close();
  }

  @Override
  public ClientConfig config() {
    return delegate.config();
  }

  @Override
  public <T extends KubernetesObject> ResourceClient<T> resources(Class<T> type) {
    return delegate.resources(type);
  }

  @Override
  public PodClient pods() {
    return delegate.pods();
  }

  /** Does nothing: the shared client belongs to this component, which closes it on deactivation. */
  @Override
  public void close() {
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
