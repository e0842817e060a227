package io.bosun.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.apps.v1.ControllerRevision;
import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.values.Quantity;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class DeepCopyTest {

  private final ApiCodec codec = new ApiCodec();

  private <T> T load(String name, Class<T> type) throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/manifests/" + name)) {
      return codec.read(in.readAllBytes(), type);
    }
  }

  @Test
  void copiesShareNoMutableState() throws Exception {
    Deployment original = load("deployment.json", Deployment.class);
    Deployment copy = original.deepCopy();
    assertThat(copy).isEqualTo(original).isNotSameAs(original).hasSameHashCodeAs(original);
    copy.getMetadata().getLabels().put("changed", "yes");
    copy.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("other");
    copy.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits()
        .put("cpu", Quantity.parse("9"));
    copy.getSpec().getTemplate().getSpec().getVolumes().remove(0);
    copy.getMetadata().getManagedFields().get(0).getFieldsV1().withObject("/f:spec").put("f:paused", "x");
    Deployment reloaded = load("deployment.json", Deployment.class);
    assertThat(original).isEqualTo(reloaded).isNotEqualTo(copy);
  }

  @Test
  void jsonFieldsAreCopiedDeeply() throws Exception {
    ControllerRevision rev = codec.read("{\"data\":{\"spec\":{\"a\":[1]}},\"revision\":1}".getBytes(),
        ControllerRevision.class);
    ControllerRevision copy = rev.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) copy.getData().get("spec")).put("b", 2);
    assertThat(rev.getData().get("spec").has("b")).isFalse();
  }

  @Test
  void podStatusCopy() throws Exception {
    Pod pod = load("pod.json", Pod.class);
    Pod copy = pod.deepCopy();
    copy.getStatus().getContainerStatuses().get(0).getState().getRunning().setStartedAt(null);
    assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getRunning().getStartedAt()).isNotNull();
  }
}
