package io.bosun.api.meta.v1;

import java.util.List;

/** A list of top-level API objects of one kind, with list metadata. */
public interface KubernetesList<T extends KubernetesObject> {

  String getApiVersion();

  String getKind();

  ListMeta getMetadata();

  void setMetadata(ListMeta metadata);

  List<T> getItems();

  void setItems(List<T> items);
}
