package io.bosun.client.internal;

import io.bosun.api.core.v1.Binding;
import io.bosun.api.core.v1.ObjectReference;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.policy.v1.Eviction;
import io.bosun.api.schema.KindInfo;
import io.bosun.client.PodClient;
import java.util.Objects;

/** Pods, with the binding and eviction subresources. */
final class HttpPodClient extends HttpResourceClient<Pod> implements PodClient {

  HttpPodClient(HttpApiClient client, KindInfo kind) {
    super(client, kind, Pod.class);
  }

  @Override
  public void bind(Pod pod, String nodeName) {
    client.checkOpen();
    Objects.requireNonNull(pod, "pod");
    if (nodeName == null || nodeName.isEmpty()) {
      throw new IllegalArgumentException("a node name is required");
    }
    ObjectMeta meta = pod.getMetadata();
    if (meta == null) {
      throw new IllegalArgumentException("the Pod has no metadata");
    }
    Binding binding = new Binding()
        .withMetadata(new ObjectMeta().withNamespace(meta.getNamespace()).withName(meta.getName()).withUid(meta.getUid()))
        .withTarget(new ObjectReference().withApiVersion("v1").withKind("Node").withName(nodeName));
    transport.send("POST", item(meta.getNamespace(), meta.getName(), "binding"), Transport.JSON,
        codec.writeJson(binding));
  }

  @Override
  public void evict(String namespace, String name, DeleteOptions options) {
    client.checkOpen();
    Eviction eviction = new Eviction()
        .withMetadata(new ObjectMeta().withNamespace(namespace).withName(name))
        .withDeleteOptions(options);
    transport.send("POST", item(namespace, name, "eviction"), Transport.JSON, codec.writeJson(eviction));
  }
}
