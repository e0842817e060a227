package io.bosun.apiserver.registry;

import io.bosun.api.schema.KindInfo;
import io.bosun.apiserver.status.ResourceName;
import java.util.List;

/**
 * A kind as this server serves it: its REST identity, its model class, where it lives in the
 * store, and the strategy that holds its kind-specific behaviour.
 */
public final class ResourceType {

  /** The verbs a resource has unless its model narrows them, in upstream's order. */
  public static final List<String> ALL_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  private final KindInfo info;
  private final Class<?> javaClass;
  private final KindStrategy strategy;
  private final ResourceName name;
  private final String keyPrefix;

  public ResourceType(KindInfo info, Class<?> javaClass, KindStrategy strategy) {
    this.info = info;
    this.javaClass = javaClass;
    this.strategy = strategy;
    this.name = new ResourceName(info.group(), info.plural());
    // Core kinds live under /registry/<plural>/ as in upstream's etcd layout; other groups get
    // their group in the key so equal plurals in different groups can never collide.
    this.keyPrefix = "/registry/" + (info.group().isEmpty() ? "" : info.group() + "/") + info.plural() + "/";
  }

  public KindInfo info() {
    return info;
  }

  public String group() {
    return info.group();
  }

  public String version() {
    return info.version();
  }

  public String kind() {
    return info.kind();
  }

  public String plural() {
    return info.plural();
  }

  public boolean namespaced() {
    return info.namespaced();
  }

  public String apiVersion() {
    return info.apiVersion();
  }

  public Class<?> javaClass() {
    return javaClass;
  }

  public KindStrategy strategy() {
    return strategy;
  }

  /** How error messages name this resource. */
  public ResourceName resourceName() {
    return name;
  }

  public List<String> verbs() {
    return info.verbs().isEmpty() ? ALL_VERBS : info.verbs();
  }

  public boolean supports(String verb) {
    return verbs().contains(verb);
  }

  public boolean hasSubresource(String subresource) {
    return info.hasSubresource(subresource);
  }

  /** The store key prefix of every object of this resource (all namespaces). */
  public String keyPrefix() {
    return keyPrefix;
  }

  /** The key prefix of one namespace's objects; the whole resource for cluster-scoped kinds. */
  public String keyPrefix(String namespace) {
    return namespaced() && namespace != null && !namespace.isEmpty() ? keyPrefix + namespace + "/" : keyPrefix;
  }

  /** The store key of one object. */
  public String key(String namespace, String name) {
    return namespaced() ? keyPrefix + namespace + "/" + name : keyPrefix + name;
  }
}
