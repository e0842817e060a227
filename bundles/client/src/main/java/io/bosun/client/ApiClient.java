package io.bosun.client;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.client.internal.HttpApiClient;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A connection to one API server, giving typed access to every served kind. Thread-safe: share
 * one instance per component. It owns an HTTP client and the reader threads of open watches;
 * {@link #close()} ends them.
 *
 * <p>In OSGi, get it as a service ({@code @Reference ApiClient client}); the service is closed by
 * its component, so {@link #close()} on it does nothing. The service's user agent (configuration
 * PID {@code io.bosun.client}) is shared by everyone using it, and so is the field manager the
 * server derives from it. A component that writes under its own name, as upstream's components
 * do, makes its own client from the service's configuration and closes it when it stops:
 * {@code ApiClient.create(service.config().withUserAgent("bosun-scheduler/1.0"))}.
 */
@ProviderType
public interface ApiClient extends AutoCloseable {

  /**
   * Creates a client. Connects lazily: nothing is sent until the first request, so the server
   * may start later.
   */
  static ApiClient create(ClientConfig config) {
    return new HttpApiClient(config);
  }

  /** This client's configuration. */
  ClientConfig config();

  /**
   * The client for a served kind, such as {@code resources(Deployment.class)}. The same instance
   * is returned each time; it is thread-safe.
   *
   * @throws IllegalArgumentException if {@code type} is not a served kind of the model
   */
  <T extends KubernetesObject> ResourceClient<T> resources(Class<T> type);

  /** The pod client, with {@code pods/binding} and {@code pods/eviction}. */
  PodClient pods();

  /**
   * Closes every open watch (their handlers get {@code onClose(null)}), then the HTTP client;
   * requests still running fail with {@link ClientTransportException}. Idempotent; returns once
   * the client's threads have stopped.
   */
  @Override
  void close();
}
