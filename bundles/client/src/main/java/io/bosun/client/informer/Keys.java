package io.bosun.client.informer;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.ObjectMeta;

/**
 * Cache keys, as client-go's {@code MetaNamespaceKeyFunc}: {@code namespace/name} for namespaced
 * objects, {@code name} for cluster-scoped ones. Work queues usually carry these keys.
 */
public final class Keys {

  private Keys() {
  }

  /**
   * The key of {@code obj}.
   *
   * @throws IllegalArgumentException if it has no metadata or no name
   */
  public static String of(KubernetesObject obj) {
    ObjectMeta meta = obj.getMetadata();
    if (meta == null || meta.getName() == null || meta.getName().isEmpty()) {
      throw new IllegalArgumentException("object has no name: " + obj.getKind());
    }
    return of(meta.getNamespace(), meta.getName());
  }

  /** The key of the object {@code name} in {@code namespace} (null or "" for cluster-scoped). */
  public static String of(String namespace, String name) {
    return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
  }

  /** The namespace part of {@code key}: "" for a cluster-scoped key. */
  public static String namespace(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? "" : key.substring(0, slash);
  }

  /** The name part of {@code key}. */
  public static String name(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(slash + 1);
  }
}
