package io.bosun.client.informer;

import io.bosun.api.meta.v1.KubernetesObject;
import java.util.List;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A {@link Lister} with secondary indexes, as client-go's {@code cache.Indexer}. Every informer
 * has the {@link #NAMESPACE_INDEX}; add others, such as pods by {@code spec.nodeName}, with
 * {@link #addIndexer}. Thread-safe; the cache itself is only changed by its informer.
 */
@ProviderType
public interface Indexer<T extends KubernetesObject> extends Lister<T> {

  /** The index of objects by {@code metadata.namespace}, present on every informer. */
  String NAMESPACE_INDEX = "namespace";

  /**
   * Adds an index; objects already cached are indexed at once, so it may be called before or
   * after the informer starts.
   *
   * @throws IllegalArgumentException if an index called {@code name} exists
   */
  void addIndexer(String name, IndexFunction<? super T> function);

  /**
   * The objects indexed under {@code value} in index {@code indexName}.
   *
   * @throws IllegalArgumentException if there is no such index
   */
  List<T> byIndex(String indexName, String value);

  /**
   * The cache keys of the objects indexed under {@code value}.
   *
   * @throws IllegalArgumentException if there is no such index
   */
  List<String> indexKeys(String indexName, String value);

  /**
   * The values index {@code indexName} currently holds objects under.
   *
   * @throws IllegalArgumentException if there is no such index
   */
  Set<String> indexValues(String indexName);
}
