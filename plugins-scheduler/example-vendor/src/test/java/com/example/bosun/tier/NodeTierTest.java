package com.example.bosun.tier;

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
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.Status;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plugin on the SPI's value types alone: no scheduler, no OSGi. */
class NodeTierTest {

  private final ObjectMapper json = new ObjectMapper();

  private NodeTier plugin(String args) throws Exception {
    Plugin p = new NodeTierFactory().create(json.readTree(args), null);
    assertThat(p.name()).isEqualTo(NodeTier.NAME);
    return (NodeTier) p;
  }

  private static NodeInfo node(String name, String tier) {
    Map<String, String> labels = new HashMap<>();
    if (tier != null) {
      labels.put(NodeTierArgs.DEFAULT_LABEL, tier);
    }
    return NodeInfo.of(new Node().withMetadata(new ObjectMeta().withName(name).withLabels(labels)), List.of());
  }

  private static Pod pod(String tiersAnnotation) {
    ObjectMeta meta = new ObjectMeta().withName("p").withNamespace("default").withUid("u1");
    if (tiersAnnotation != null) {
      meta.setAnnotations(Map.of(NodeTier.POD_ANNOTATION, tiersAnnotation));
    }
    return new Pod().withMetadata(meta);
  }

  @Test
  void implementsTheExtensionPointsItDeclares() throws Exception {
    assertThat(ExtensionPoint.of(plugin("{}"))).containsExactlyInAnyOrder(ExtensionPoint.PRE_FILTER,
        ExtensionPoint.FILTER, ExtensionPoint.PRE_SCORE, ExtensionPoint.SCORE);
  }

  @Test
  void scoresByRankAndSkipsFilterUnlessRequired() throws Exception {
    NodeTier p = plugin("{}"); // gold, silver, bronze; not required
    CycleState state = new CycleState();
    Pod pod = pod(null);
    assertThat(p.preFilter(state, pod, List.of()).status().isSkip()).isTrue();
    assertThat(p.preScore(state, pod, List.of())).isNull();
    assertThat(p.score(state, pod, node("a", "gold"))).isEqualTo(100);
    assertThat(p.score(state, pod, node("b", "silver"))).isEqualTo(66);
    assertThat(p.score(state, pod, node("c", "bronze"))).isEqualTo(33);
    assertThat(p.score(state, pod, node("d", null))).isZero();
    assertThat(p.score(state, pod, node("e", "platinum"))).isZero();
  }

  @Test
  void requiredTierFilters() throws Exception {
    NodeTier p = plugin("{\"requireTier\": true, \"tiers\": [\"fast\", \"slow\"], \"labelKey\": \"example.com/tier\"}");
    CycleState state = new CycleState();
    Pod pod = pod(null);
    assertThat(Status.isSuccess(p.preFilter(state, pod, List.of()).status())).isTrue();
    assertThat(p.filter(state, pod, node("a", "slow"))).isNull();
    Status rejected = p.filter(state, pod, node("b", null));
    assertThat(rejected.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(rejected.message()).isEqualTo("node(s) didn't have a tier in [fast, slow]");
    assertThat(p.filter(new CycleState(), pod, node("a", "slow")).code()).isEqualTo(Status.Code.ERROR);
  }

  @Test
  void podAnnotationReordersAndNarrowsTiers() throws Exception {
    NodeTier p = plugin("{\"requireTier\": true}");
    CycleState state = new CycleState();
    Pod pod = pod(" bronze , silver,,bronze");
    p.preFilter(state, pod, List.of());
    p.preScore(state, pod, List.of());
    assertThat(p.filter(state, pod, node("g", "gold")).code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(p.score(state, pod, node("b", "bronze"))).isEqualTo(100);
    assertThat(p.score(state, pod, node("s", "silver"))).isEqualTo(50);
    // an annotation naming nothing falls back to the profile's tiers
    assertThat(p.preference(pod(" , ")).tiers()).containsExactly("gold", "silver", "bronze");
  }

  @Test
  void requeuesOnlyForNodesOfThePodsTiers() throws Exception {
    NodeTier p = plugin("{\"requireTier\": true}");
    var registered = p.eventsToRegister();
    assertThat(registered).singleElement().satisfies(e -> {
      assertThat(e.event().matches(EventResource.NODE, ActionType.ADD)).isTrue();
      assertThat(e.event().matches(EventResource.NODE, ActionType.UPDATE_NODE_LABEL)).isTrue();
      assertThat(e.event().matches(EventResource.NODE, ActionType.UPDATE_NODE_TAINT)).isFalse();
    });
    var hint = registered.get(0).hint();
    assertThat(hint.hint(pod(null), null, node("x", "silver").node())).isEqualTo(QueueingHint.QUEUE);
    assertThat(hint.hint(pod(null), null, node("y", null).node())).isEqualTo(QueueingHint.SKIP);
    assertThat(hint.hint(pod("gold"), null, node("z", "silver").node())).isEqualTo(QueueingHint.SKIP);
  }

  @Test
  void argumentsAreTypedAndStrict() throws Exception {
    NodeTierArgs a = NodeTierArgs.parse(json.readTree(
        "{\"apiVersion\": \"example.com/v1\", \"kind\": \"NodeTierArgs\", \"tiers\": [\"a\"], \"requireTier\": true}"));
    assertThat(a).isEqualTo(new NodeTierArgs(NodeTierArgs.DEFAULT_LABEL, List.of("a"), true));
    assertThat(NodeTierArgs.parse(json.readTree("{}")).tiers()).containsExactly("gold", "silver", "bronze");

    assertThatThrownBy(() -> NodeTierArgs.parse(json.readTree("{\"tier\": [\"a\"]}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"tier\"");
    assertThatThrownBy(() -> NodeTierArgs.parse(json.readTree("{\"requireTier\": \"yes\"}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("boolean");
    assertThatThrownBy(() -> NodeTierArgs.parse(json.readTree("{\"tiers\": []}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("NodeTier args: tiers must name at least one tier");
    assertThatThrownBy(() -> NodeTierArgs.parse(json.readTree("{\"tiers\": [\"a\", \"a\"]}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not repeat");
    assertThatThrownBy(() -> NodeTierArgs.parse(json.readTree("[]")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("NodeTier args must be an object");
  }
}
