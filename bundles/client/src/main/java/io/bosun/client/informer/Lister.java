package io.bosun.client.informer;

import io.bosun.api.labels.LabelSelector;
import io.bosun.api.meta.v1.KubernetesObject;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads an informer's cache. Thread-safe and non-blocking (beyond a short read lock); each call
 * sees one consistent state. Results are new lists of the cached instances, in no particular
 * order: do not modify the objects (see the package documentation).
 */
@ProviderType
public interface Lister<T extends KubernetesObject> {

  /** The object {@code name} in {@code namespace} (null for cluster-scoped kinds). */
  Optional<T> get(String namespace, String name);

  /** The object with cache key {@code key} ({@link Keys}). */
  Optional<T> getByKey(String key);

  /** Every cached object. */
  List<T> list();

  /** The objects in {@code namespace}; every object when it is null or "". */
  List<T> list(String namespace);

  /** The objects in {@code namespace} (null or "": all) whose labels match {@code selector}. */
  List<T> list(String namespace, LabelSelector selector);

  /** The keys of every cached object. */
  List<String> listKeys();
}
