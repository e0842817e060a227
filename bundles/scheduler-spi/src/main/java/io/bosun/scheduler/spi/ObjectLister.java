package io.bosun.scheduler.spi;

import io.bosun.api.meta.v1.KubernetesObject;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Read-only access to the scheduler's informer cache of one kind (namespaces, disruption budgets,
 * services ...), as upstream plugins use informer listers. Implemented by the framework;
 * thread-safe; never blocks. Objects are shared with the cache: treat them as read-only.
 *
 * @param <T> the kind
 */
@ProviderType
public interface ObjectLister<T extends KubernetesObject> {

  /** Every object of the kind; empty until {@link #hasSynced()}. */
  List<T> list();

  /** The objects in {@code namespace}. */
  List<T> list(String namespace);

  /** The object {@code namespace/name} ({@code namespace} null or empty for cluster-scoped kinds), or null. */
  T get(String namespace, String name);

  /** Whether the initial list of this kind has been received. */
  boolean hasSynced();
}
