package io.bosun.scheduler.runtime;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.scheduler.spi.ObjectLister;
import java.util.List;

/** An {@link ObjectLister} over a shared informer's cache. */
final class InformerLister<T extends KubernetesObject> implements ObjectLister<T> {

  private final SharedIndexInformer<T> informer;

  InformerLister(SharedIndexInformer<T> informer) {
    this.informer = informer;
  }

  @Override
  public List<T> list() {
    return informer.indexer().list();
  }

  @Override
  public List<T> list(String namespace) {
    return informer.indexer().list(namespace);
  }

  @Override
  public T get(String namespace, String name) {
    return informer.indexer().get(namespace == null || namespace.isEmpty() ? null : namespace, name).orElse(null);
  }

  @Override
  public boolean hasSynced() {
    return informer.hasSynced();
  }
}
