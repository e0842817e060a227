package io.bosun.scheduler.plugins.schedulinggates;

import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.spi.ExtensionPoint;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.Status;
import org.junit.jupiter.api.Test;

class SchedulingGatesTest {

  private final SchedulingGates plugin = (SchedulingGates) new SchedulingGatesFactory().create(Scoring.args(""), null);

  @Test
  void podWithoutGatesIsLetIn() {
    assertThat(Status.isSuccess(plugin.preEnqueue(pod("p").build()))).isTrue();
  }

  @Test
  void gatedPodWaitsWithUpstreamMessage() {
    Status s = plugin.preEnqueue(pod("p").schedulingGates("example.com/a", "example.com/b").build());
    assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(s.message()).isEqualTo("waiting for scheduling gates: [example.com/a example.com/b]");
  }

  @Test
  void onlyTheGatedPodsOwnGateRemovalRequeuesIt() {
    assertThat(ExtensionPoint.of(plugin)).containsExactly(ExtensionPoint.PRE_ENQUEUE);
    var reg = plugin.eventsToRegister().get(0);
    assertThat(reg.event().matches(EventResource.UNSCHEDULED_POD, ActionType.UPDATE_POD_SCHEDULING_GATES_ELIMINATED)).isTrue();
    Pod gated = pod("p").schedulingGates("g").build();
    Pod ungated = pod("p").build();
    Pod other = pod("q").build();
    assertThat(reg.hint().hint(gated, gated, ungated)).isEqualTo(QueueingHint.QUEUE);
    assertThat(reg.hint().hint(gated, other, other)).isEqualTo(QueueingHint.SKIP);
  }
}
