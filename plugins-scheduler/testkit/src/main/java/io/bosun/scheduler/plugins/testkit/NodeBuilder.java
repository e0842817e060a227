package io.bosun.scheduler.plugins.testkit;

import io.bosun.api.core.v1.ContainerImage;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeSpec;
import io.bosun.api.core.v1.NodeStatus;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Taint;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.values.Quantity;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.PodInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds test nodes in the style of upstream's {@code st.MakeNode()}. Not thread-safe; one builder
 * per node.
 */
public final class NodeBuilder {

  private final ObjectMeta meta = new ObjectMeta();
  private final NodeSpec spec = new NodeSpec();
  private final Map<String, Quantity> allocatable = new LinkedHashMap<>();
  private final List<ContainerImage> images = new ArrayList<>();

  private NodeBuilder(String name) {
    meta.setName(name);
  }

  /** A node named {@code name}, without labels or allocatable resources. */
  public static NodeBuilder node(String name) {
    return new NodeBuilder(name);
  }

  public NodeBuilder label(String key, String value) {
    Map<String, String> labels = meta.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(meta.getLabels());
    labels.put(key, value);
    meta.setLabels(labels);
    return this;
  }

  /** Sets allocatable amounts, as name/quantity pairs: {@code capacity("cpu", "4", "pods", "110")}. */
  public NodeBuilder capacity(String... nameQuantity) {
    for (int i = 0; i < nameQuantity.length; i += 2) {
      allocatable.put(nameQuantity[i], Quantity.parse(nameQuantity[i + 1]));
    }
    return this;
  }

  public NodeBuilder taint(String key, String value, String effect) {
    List<Taint> taints = spec.getTaints() == null ? new ArrayList<>() : new ArrayList<>(spec.getTaints());
    taints.add(new Taint().withKey(key).withValue(value).withEffect(effect));
    spec.setTaints(taints);
    return this;
  }

  public NodeBuilder unschedulable() {
    spec.setUnschedulable(true);
    return this;
  }

  /** Adds an image of {@code sizeBytes} known under {@code names}. */
  public NodeBuilder image(long sizeBytes, String... names) {
    images.add(new ContainerImage().withSizeBytes(sizeBytes).withNames(Arrays.asList(names)));
    return this;
  }

  public Node build() {
    return new Node().withMetadata(meta.deepCopy()).withSpec(spec.deepCopy())
        .withStatus(new NodeStatus().withAllocatable(new LinkedHashMap<>(allocatable))
            .withImages(images.isEmpty() ? null : new ArrayList<>(images)));
  }

  /** The node info of this node with {@code pods} on it. */
  public NodeInfo info(Pod... pods) {
    return NodeInfo.of(build(), Arrays.stream(pods).map(PodInfo::of).toList());
  }
}
