package io.bosun.controller.internal;

import io.bosun.api.labels.LabelSelector;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.client.informer.EventHandlerRegistration;
import io.bosun.client.informer.IndexFunction;
import io.bosun.client.informer.Indexer;
import io.bosun.client.informer.InformerScope;
import io.bosun.client.informer.ResourceEventHandler;
import io.bosun.client.informer.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A shared informer as one controller run sees it: handlers it adds are recorded so the run can
 * remove them when it stops; indexes it adds are shared, and adding an existing index name is a
 * no-op (a restarted controller adds its indexes again).
 */
final class TrackedInformer<T extends KubernetesObject> implements SharedIndexInformer<T> {

  /** Where registrations go; refuses (and the registration is removed) once the run stopped. */
  interface Registrations {
    boolean track(EventHandlerRegistration registration);
  }

  private final SharedIndexInformer<T> delegate;
  private final Registrations registrations;
  private final TrackedIndexer indexer;
  /** Whether the informer existed before the run started (its cache may lag the run's start). */
  final boolean preexisting;

  TrackedInformer(SharedIndexInformer<T> delegate, Registrations registrations, boolean preexisting) {
    this.delegate = delegate;
    this.registrations = registrations;
    this.preexisting = preexisting;
    this.indexer = new TrackedIndexer();
  }

  SharedIndexInformer<T> delegate() {
    return delegate;
  }

  @Override
  public Class<T> type() {
    return delegate.type();
  }

  @Override
  public InformerScope scope() {
    return delegate.scope();
  }

  @Override
  public EventHandlerRegistration addEventHandler(ResourceEventHandler<? super T> handler) {
    return track(delegate.addEventHandler(handler));
  }

  @Override
  public EventHandlerRegistration addEventHandler(ResourceEventHandler<? super T> handler, Duration resyncPeriod) {
    return track(delegate.addEventHandler(handler, resyncPeriod));
  }

  private EventHandlerRegistration track(EventHandlerRegistration r) {
    if (!registrations.track(r)) {
      r.remove();
      throw new IllegalStateException("the controller has stopped; handler not added");
    }
    return r;
  }

  @Override
  public Indexer<T> indexer() {
    return indexer;
  }

  @Override
  public boolean hasSynced() {
    return delegate.hasSynced();
  }

  @Override
  public boolean waitForCacheSync(Duration timeout) {
    return delegate.waitForCacheSync(timeout);
  }

  @Override
  public String lastSyncResourceVersion() {
    return delegate.lastSyncResourceVersion();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }

  private final class TrackedIndexer implements Indexer<T> {
    private Indexer<T> d() {
      return delegate.indexer();
    }

    @Override
    public synchronized void addIndexer(String name, IndexFunction<? super T> function) {
      // Several controllers (and restarts of one) share the informer: the first definition stays.
      synchronized (delegate) {
        try {
          d().indexValues(name);
          return;
        } catch (IllegalArgumentException absent) {
          // Not there yet.
        }
        d().addIndexer(name, function);
      }
    }

    @Override
    public List<T> byIndex(String indexName, String value) {
      return d().byIndex(indexName, value);
    }

    @Override
    public List<String> indexKeys(String indexName, String value) {
      return d().indexKeys(indexName, value);
    }

    @Override
    public Set<String> indexValues(String indexName) {
      return d().indexValues(indexName);
    }

    @Override
    public Optional<T> get(String namespace, String name) {
      return d().get(namespace, name);
    }

    @Override
    public Optional<T> getByKey(String key) {
      return d().getByKey(key);
    }

    @Override
    public List<T> list() {
      return d().list();
    }

    @Override
    public List<T> list(String namespace) {
      return d().list(namespace);
    }

    @Override
    public List<T> list(String namespace, LabelSelector selector) {
      return d().list(namespace, selector);
    }

    @Override
    public List<String> listKeys() {
      return d().listKeys();
    }
  }
}
