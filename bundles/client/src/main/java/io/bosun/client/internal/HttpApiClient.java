package io.bosun.client.internal;

import io.bosun.api.codec.ApiCodec;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.KindInfo;
import io.bosun.api.schema.TypeSchema;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientConfig;
import io.bosun.client.ClientTransportException;
import io.bosun.client.PodClient;
import io.bosun.client.ResourceClient;
import io.bosun.client.Watch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@link ApiClient} over {@code java.net.http}. */
public final class HttpApiClient implements ApiClient {

  private final ClientConfig config;
  private final Transport transport;
  private final Map<String, KindInfo> kindsByClass = new HashMap<>();
  private final Map<String, Class<?>> listClasses = new HashMap<>();
  private final Map<Class<?>, ResourceClient<?>> clients = new ConcurrentHashMap<>();
  private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
  /** Names this client's threads apart from other clients' in the same JVM. */
  private final String id = Integer.toHexString(System.identityHashCode(this));
  private final AtomicInteger threadIds = new AtomicInteger();
  private volatile boolean closed;

  public HttpApiClient(ClientConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    ApiSchema schema = ApiSchema.load();
    for (KindInfo k : schema.kinds()) {
      TypeSchema type = schema.type(k.typeName());
      TypeSchema list = schema.type(k.listTypeName());
      if (type != null && list != null) {
        kindsByClass.put(type.javaClass(), k);
        listClasses.put(type.javaClass(), schema.javaClass(list));
      }
    }
    transport = new Transport(config, new ApiCodec(), threadName("http"));
  }

  @Override
  public ClientConfig config() {
    return config;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends KubernetesObject> ResourceClient<T> resources(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return (ResourceClient<T>) clients.computeIfAbsent(type, t -> {
      KindInfo kind = kindsByClass.get(t.getName());
      if (kind == null) {
        throw new IllegalArgumentException(t.getName() + " is not a served kind");
      }
      return t == Pod.class ? new HttpPodClient(this, kind) : new HttpResourceClient<>(this, kind, type);
    });
  }

  @Override
  public PodClient pods() {
    return (PodClient) resources(Pod.class);
  }

  /** A thread name: {@code bosun-client-<client id>-<purpose>-<n>}. */
  String threadName(String purpose) {
    return "bosun-client-" + id + "-" + purpose + "-" + threadIds.incrementAndGet();
  }

  Transport transport() {
    return transport;
  }

  Class<?> listClass(Class<?> type) {
    return listClasses.get(type.getName());
  }

  /** Registers a watch so close() can end it; fails if the client is closed. */
  void opened(Watch watch) {
    watches.add(watch);
    if (closed) {
      watches.remove(watch);
      watch.close();
      throw new ClientTransportException("the client is closed", null);
    }
  }

  void ended(Watch watch) {
    watches.remove(watch);
  }

  void checkOpen() {
    if (closed) {
      throw new ClientTransportException("the client is closed", null);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Watch w : new ArrayList<>(watches)) {
      w.close();
    }
    transport.close();
  }

  @Override
  public String toString() {
    return "ApiClient[" + config.server() + ", " + config.userAgent() + "]";
  }
}
