package io.bosun.scheduler.spi.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.spi.ExtensionPoint;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a vendor tests a plugin: no scheduler, just the SPI's value types. */
class NodeLabelPluginTest {

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void filtersAndScoresByLabel() throws Exception {
    Plugin plugin = new NodeLabelPluginFactory().create(json.readTree(
        "{\"requiredLabel\":\"ready\",\"preferredLabel\":\"tier\",\"preferredValue\":\"gold\"}"), null);
    assertThat(ExtensionPoint.of(plugin)).containsExactlyInAnyOrder(ExtensionPoint.FILTER, ExtensionPoint.SCORE);

    NodeLabelPlugin p = (NodeLabelPlugin) plugin;
    CycleState state = new CycleState();
    Pod pod = new Pod().withMetadata(new ObjectMeta().withName("p").withNamespace("default").withUid("u1"));

    NodeInfo gold = NodeInfo.of(node("a", Map.of("ready", "", "tier", "gold")), List.of());
    NodeInfo silver = NodeInfo.of(node("b", Map.of("ready", "", "tier", "silver")), List.of());
    NodeInfo unready = NodeInfo.of(node("c", Map.of("tier", "gold")), List.of());

    assertThat(Status.isSuccess(p.filter(state, pod, gold))).isTrue();
    assertThat(Status.isSuccess(p.filter(state, pod, silver))).isTrue();
    Status rejected = p.filter(state, pod, unready);
    assertThat(rejected.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(rejected.message()).isEqualTo("node(s) didn't have label ready");

    assertThat(p.score(state, pod, gold)).isEqualTo(100);
    assertThat(p.score(state, pod, silver)).isZero();
    assertThat(p.eventsToRegister()).singleElement()
        .satisfies(e -> assertThat(e.event().matches(EventResource.NODE, ActionType.UPDATE_NODE_LABEL)).isTrue());
  }

  @Test
  void rejectsBadArguments() throws Exception {
    assertThatThrownBy(() -> new NodeLabelPluginFactory().create(json.readTree("{\"preferredLabel\":\"tier\"}"), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("preferredValue");
    assertThat(new NodeLabelPluginFactory().create(json.readTree("{}"), null).name()).isEqualTo(NodeLabelPlugin.NAME);
  }

  private static Node node(String name, Map<String, String> labels) {
    return new Node().withMetadata(new ObjectMeta().withName(name).withLabels(labels));
  }
}
