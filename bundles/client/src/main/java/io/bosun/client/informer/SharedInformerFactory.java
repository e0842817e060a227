package io.bosun.client.informer;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.client.ApiClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Creates and shares informers, as client-go's {@code SharedInformerFactory}: one informer per
 * kind and {@link InformerScope}, however many parts of a component ask for it. Thread-safe.
 *
 * <p>Lifecycle, as client-go: ask for informers and add handlers, then {@link #start()}, then
 * {@link #waitForCacheSync} before acting on the caches. Informers asked for after
 * {@code start()} run once {@code start()} is called again. {@link #close()} stops every informer
 * and handler thread. Plain Java: construct one per component (it is not an OSGi service).
 */
public final class SharedInformerFactory implements AutoCloseable {

  private record Key(Class<?> type, InformerScope scope) {}

  private final ApiClient client;
  private final Duration defaultResync;
  private final Map<Key, DefaultSharedIndexInformer<?>> informers = new LinkedHashMap<>();
  private boolean closed;

  /** A factory whose handlers get no periodic resync unless they ask for one. */
  public SharedInformerFactory(ApiClient client) {
    this(client, Duration.ZERO);
  }

  /**
   * @param defaultResync the resync period of handlers added without one; zero for none
   */
  public SharedInformerFactory(ApiClient client, Duration defaultResync) {
    this.client = Objects.requireNonNull(client, "client");
    this.defaultResync = defaultResync == null ? Duration.ZERO : defaultResync;
  }

  /** The informer of every {@code type} object in the cluster. */
  public <T extends KubernetesObject> SharedIndexInformer<T> informerFor(Class<T> type) {
    return informerFor(type, InformerScope.ALL);
  }

  /**
   * The informer of {@code type} objects within {@code scope}; the same instance for the same
   * arguments.
   *
   * @throws IllegalArgumentException if {@code type} is not a served kind
   * @throws IllegalStateException    if the factory is closed
   */
  @SuppressWarnings("unchecked")
  public synchronized <T extends KubernetesObject> SharedIndexInformer<T> informerFor(Class<T> type,
      InformerScope scope) {
    if (closed) {
      throw new IllegalStateException("the informer factory is closed");
    }
    Key key = new Key(type, scope == null ? InformerScope.ALL : scope);
    return (SharedIndexInformer<T>) informers.computeIfAbsent(key,
        k -> new DefaultSharedIndexInformer<>(client.resources(type), k.scope(), defaultResync));
  }

  /** Starts every informer not yet started; does not block. Idempotent. */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("the informer factory is closed");
    }
    informers.values().forEach(DefaultSharedIndexInformer::start);
  }

  /**
   * Blocks until every informer created so far has synced, or the timeout.
   *
   * @return whether all synced; false on timeout or interrupt (the interrupt flag is then set)
   */
  public boolean waitForCacheSync(Duration timeout) {
    List<DefaultSharedIndexInformer<?>> all;
    synchronized (this) {
      all = new ArrayList<>(informers.values());
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (DefaultSharedIndexInformer<?> informer : all) {
      if (!informer.waitForCacheSync(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Stops every informer: their watches, informer threads and handler threads end before this
   * returns. Idempotent; the factory cannot be used afterwards. Does not close the client.
   */
  @Override
  public void close() {
    List<DefaultSharedIndexInformer<?>> all;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      all = new ArrayList<>(informers.values());
    }
    all.forEach(DefaultSharedIndexInformer::stop);
  }
}
