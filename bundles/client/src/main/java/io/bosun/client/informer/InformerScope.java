package io.bosun.client.informer;

/**
 * What an informer watches of its kind: one namespace or all, and server-side selectors.
 *
 * @param namespace     the namespace; "" for all namespaces (and for cluster-scoped kinds)
 * @param labelSelector such as {@code app=web}; "" for none
 * @param fieldSelector such as {@code spec.nodeName=node-1}; "" for none
 */
public record InformerScope(String namespace, String labelSelector, String fieldSelector) {

  /** Every object of the kind. */
  public static final InformerScope ALL = new InformerScope("", "", "");

  public InformerScope {
    namespace = namespace == null ? "" : namespace;
    labelSelector = labelSelector == null ? "" : labelSelector;
    fieldSelector = fieldSelector == null ? "" : fieldSelector;
  }

  /** Every object in {@code namespace}. */
  public static InformerScope namespace(String namespace) {
    return new InformerScope(namespace, "", "");
  }

  /** A copy with {@code labelSelector} changed. */
  public InformerScope withLabelSelector(String labelSelector) {
    return new InformerScope(namespace, labelSelector, fieldSelector);
  }

  /** A copy with {@code fieldSelector} changed. */
  public InformerScope withFieldSelector(String fieldSelector) {
    return new InformerScope(namespace, labelSelector, fieldSelector);
  }
}
