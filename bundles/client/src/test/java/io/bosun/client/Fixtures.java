package io.bosun.client;

import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.apps.v1.DeploymentSpec;
import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.Namespace;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.ObjectMeta;
import java.util.List;
import java.util.Map;

/** Small valid objects for tests. */
public final class Fixtures {

  private Fixtures() {
  }

  public static ObjectMeta meta(String namespace, String name) {
    return new ObjectMeta().withNamespace(namespace).withName(name);
  }

  public static ConfigMap configMap(String namespace, String name, Map<String, String> data) {
    return new ConfigMap().withMetadata(meta(namespace, name)).withData(data);
  }

  public static Pod pod(String namespace, String name) {
    return new Pod().withMetadata(meta(namespace, name))
        .withSpec(new PodSpec().withContainers(List.of(new Container().withName("main").withImage("nginx:1.27"))));
  }

  public static Namespace namespace(String name) {
    return new Namespace().withMetadata(new ObjectMeta().withName(name));
  }

  public static Deployment deployment(String namespace, String name, int replicas) {
    Map<String, String> labels = Map.of("app", name);
    return new Deployment().withMetadata(meta(namespace, name)).withSpec(new DeploymentSpec()
        .withReplicas(replicas)
        .withSelector(new LabelSelector().withMatchLabels(labels))
        .withTemplate(new PodTemplateSpec().withMetadata(new ObjectMeta().withLabels(labels))
            .withSpec(new PodSpec().withContainers(List.of(new Container().withName("main").withImage("nginx:1.27"))))));
  }
}
