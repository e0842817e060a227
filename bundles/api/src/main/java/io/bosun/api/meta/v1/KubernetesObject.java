package io.bosun.api.meta.v1;

/** Any top-level API object: it has a type and standard object metadata. */
public interface KubernetesObject {

  String getApiVersion();

  void setApiVersion(String apiVersion);

  String getKind();

  void setKind(String kind);

  ObjectMeta getMetadata();

  void setMetadata(ObjectMeta metadata);
}
