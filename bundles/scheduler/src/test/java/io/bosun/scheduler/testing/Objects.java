package io.bosun.scheduler.testing;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeSpec;
import io.bosun.api.core.v1.NodeStatus;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSchedulingGate;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.ResourceRequirements;
import io.bosun.api.core.v1.Taint;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.values.Quantity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builders for test nodes and pods. */
public final class Objects {

  private Objects() {
  }

  public static Node node(String name, String cpu, String memory) {
    return new Node().withMetadata(new ObjectMeta().withName(name).withUid("node-" + name)
            .withLabels(new HashMap<>(Map.of("kubernetes.io/hostname", name))))
        .withSpec(new NodeSpec())
        .withStatus(new NodeStatus().withAllocatable(Map.of("cpu", Quantity.parse(cpu), "memory", Quantity.parse(memory),
            "pods", Quantity.parse("110"))));
  }

  public static Node tainted(Node node, String key, String value) {
    Node n = node.deepCopy();
    n.getSpec().setTaints(List.of(new Taint().withKey(key).withValue(value).withEffect("NoSchedule")));
    return n;
  }

  public static Pod pod(String name, String cpu) {
    return pod(name, cpu, 0, "default-scheduler");
  }

  public static Pod pod(String name, String cpu, int priority, String schedulerName) {
    Map<String, Quantity> req = new HashMap<>();
    if (cpu != null) {
      req.put("cpu", Quantity.parse(cpu));
    }
    return new Pod().withMetadata(new ObjectMeta().withName(name).withNamespace("default").withUid("uid-" + name)
            .withResourceVersion("1").withLabels(new HashMap<>(Map.of("app", "test"))))
        .withSpec(new PodSpec().withSchedulerName(schedulerName).withPriority(priority)
            .withContainers(List.of(new Container().withName("c").withImage("busybox")
                .withResources(new ResourceRequirements().withRequests(req)))));
  }

  public static Pod gated(Pod pod, String gate) {
    Pod p = pod.deepCopy();
    p.getSpec().setSchedulingGates(List.of(new PodSchedulingGate().withName(gate)));
    return p;
  }

  public static Pod bound(Pod pod, String node) {
    Pod p = pod.deepCopy();
    p.getSpec().setNodeName(node);
    p.getMetadata().setResourceVersion(String.valueOf(Long.parseLong(p.getMetadata().getResourceVersion()) + 1));
    return p;
  }

  public static Pod withLabel(Pod pod, String k, String v) {
    Pod p = pod.deepCopy();
    Map<String, String> l = new HashMap<>(p.getMetadata().getLabels());
    l.put(k, v);
    p.getMetadata().setLabels(l);
    return p;
  }
}
