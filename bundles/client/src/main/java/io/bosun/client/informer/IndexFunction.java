package io.bosun.client.informer;

import java.util.Collection;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Computes the values an object is indexed under, such as the node a pod is bound to. Must be a
 * pure, fast function of the object: it runs under the cache's write lock.
 */
@ConsumerType
@FunctionalInterface
public interface IndexFunction<T> {

  /** The index values of {@code obj}; empty (or null) to leave it out of the index. */
  Collection<String> values(T obj);
}
