package io.bosun.scheduler.plugins.nodeunschedulable;

import static io.bosun.scheduler.plugins.testkit.NodeBuilder.node;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.Status;
import org.junit.jupiter.api.Test;

class NodeUnschedulableTest {

  private final NodeUnschedulable plugin = (NodeUnschedulable) new NodeUnschedulableFactory().create(Scoring.args(""), null);
  private final CycleState state = new CycleState();

  @Test
  void schedulableNodeAcceptsAnyPod() {
    assertThat(plugin.filter(state, pod("p").build(), node("n").info())).isNull();
  }

  @Test
  void cordonedNodeRejectsPodsWithoutTheToleration() {
    Status s = plugin.filter(state, pod("p").build(), node("n").unschedulable().info());
    assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(s.message()).isEqualTo("node(s) were unschedulable");
    // A toleration of another key or of NoExecute only does not help.
    assertThat(plugin.filter(state, pod("p").toleration("other", "Exists", null, "NoSchedule").build(),
        node("n").unschedulable().info())).isNotNull();
    assertThat(plugin.filter(state, pod("p").toleration("node.kubernetes.io/unschedulable", "Exists", null, "NoExecute")
        .build(), node("n").unschedulable().info())).isNotNull();
  }

  @Test
  void tolerationOfTheUnschedulableTaintAdmits() {
    var n = node("n").unschedulable().info();
    assertThat(plugin.filter(state, pod("p").toleration("node.kubernetes.io/unschedulable", "Exists", null, "NoSchedule")
        .build(), n)).isNull();
    // Empty effect tolerates every effect; empty key with Exists tolerates every taint.
    assertThat(plugin.filter(state, pod("p").toleration("node.kubernetes.io/unschedulable", "Exists", null, null)
        .build(), n)).isNull();
    assertThat(plugin.filter(state, pod("p").toleration(null, "Exists", null, null).build(), n)).isNull();
  }

  @Test
  void uncordonRequeues() {
    var hint = plugin.eventsToRegister().get(0).hint();
    var p = pod("p").build();
    assertThat(hint.hint(p, node("n").unschedulable().build(), node("n").build())).isEqualTo(QueueingHint.QUEUE);
    assertThat(hint.hint(p, null, node("n").unschedulable().build())).isEqualTo(QueueingHint.SKIP);
  }
}
