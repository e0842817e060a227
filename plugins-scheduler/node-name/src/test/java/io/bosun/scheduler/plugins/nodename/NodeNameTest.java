package io.bosun.scheduler.plugins.nodename;

import static io.bosun.scheduler.plugins.testkit.NodeBuilder.node;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.Status;
import org.junit.jupiter.api.Test;

class NodeNameTest {

  private final NodeName plugin = (NodeName) new NodeNameFactory().create(Scoring.args("{}"), null);

  @Test
  void podWithoutNodeNameFitsEveryNode() {
    assertThat(plugin.filter(new CycleState(), pod("p").build(), node("n1").info())).isNull();
  }

  @Test
  void podWithNodeNameFitsOnlyThatNode() {
    var p = pod("p").node("n1").build();
    assertThat(plugin.filter(new CycleState(), p, node("n1").info())).isNull();
    Status s = plugin.filter(new CycleState(), p, node("n2").info());
    assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(s.message()).isEqualTo("node(s) didn't match the requested node name");
  }

  @Test
  void onlyTheNamedNodesArrivalRequeues() {
    var hint = plugin.eventsToRegister().get(0).hint();
    var p = pod("p").node("n1").build();
    assertThat(hint.hint(p, null, node("n1").build())).isEqualTo(QueueingHint.QUEUE);
    assertThat(hint.hint(p, null, node("n2").build())).isEqualTo(QueueingHint.SKIP);
  }
}
