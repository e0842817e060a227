package io.bosun.scheduler.plugins.podtopologyspread;

import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.existing;
import static io.bosun.scheduler.plugins.podtopologyspread.Fixtures.zoned;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.api.core.v1.Service;
import io.bosun.api.core.v1.ServiceSpec;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.plugins.testkit.TestHandle;
import io.bosun.scheduler.plugins.testkit.TestSnapshot;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.ExtensionPoint;
import io.bosun.scheduler.spi.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodTopologySpreadArgsTest {

  @Test
  void systemDefaultsAreUpstreams() {
    PodTopologySpreadArgs a = PodTopologySpreadArgs.parse(Scoring.args("{}"));
    assertThat(a.systemDefaulted()).isTrue();
    assertThat(a.defaultConstraints()).extracting(c -> c.getTopologyKey() + "/" + c.getMaxSkew() + "/" + c.getWhenUnsatisfiable())
        .containsExactly("kubernetes.io/hostname/3/ScheduleAnyway", "topology.kubernetes.io/zone/5/ScheduleAnyway");
  }

  @Test
  void listDefaultingWithHardDefaultConstraintsFilters() {
    String args = "{\"defaultingType\":\"List\",\"defaultConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"zone\","
        + "\"whenUnsatisfiable\":\"DoNotSchedule\"}]}";
    TestSnapshot snapshot = TestSnapshot.of(List.of(zoned("a", "z1"), zoned("b", "z2")), List.of(existing("p1", "a", "app")));
    TestHandle handle = new TestHandle().snapshot(snapshot).objects(Service.class, new Service()
        .withMetadata(new ObjectMeta().withName("svc").withNamespace("default")).withSpec(new ServiceSpec().withSelector(Map.of("app", ""))));
    PodTopologySpread plugin = Fixtures.plugin(args, handle);
    assertThat(ExtensionPoint.of(plugin)).contains(ExtensionPoint.PRE_FILTER, ExtensionPoint.FILTER, ExtensionPoint.SCORE);
    var incoming = pod("p").label("app", "").build();
    CycleState state = new CycleState();
    assertThat(Status.isSuccess(plugin.preFilter(state, incoming, snapshot.list()).status())).isTrue();
    assertThat(plugin.filter(state, incoming, snapshot.get("a"))).isNotNull();
    assertThat(plugin.filter(state, incoming, snapshot.get("b"))).isNull();
    // a pod no service or controller selects gets no default constraints
    assertThat(plugin.preFilter(new CycleState(), pod("q").label("other", "").build(), snapshot.list()).status().isSkip()).isTrue();
  }

  @Test
  void invalidArgumentsAreRejected() {
    for (String bad : List.of(
        "{\"defaultingType\":\"System\",\"defaultConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"DoNotSchedule\"}]}",
        "{\"defaultConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"DoNotSchedule\"}]}",
        "{\"defaultingType\":\"List\",\"defaultConstraints\":[{\"maxSkew\":0,\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"DoNotSchedule\"}]}",
        "{\"defaultingType\":\"List\",\"defaultConstraints\":[{\"maxSkew\":1,\"whenUnsatisfiable\":\"DoNotSchedule\"}]}",
        "{\"defaultingType\":\"List\",\"defaultConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"Maybe\"}]}",
        "{\"defaultingType\":\"List\",\"defaultConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"DoNotSchedule\","
            + "\"labelSelector\":{\"matchLabels\":{\"a\":\"b\"}}}]}",
        "{\"defaultingType\":\"List\",\"defaultConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"DoNotSchedule\"},"
            + "{\"maxSkew\":2,\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"DoNotSchedule\"}]}",
        "{\"defaultingType\":\"Sometimes\"}",
        "{\"defaultConstraint\":[]}")) {
      assertThatThrownBy(() -> PodTopologySpreadArgs.parse(Scoring.args(bad))).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("PodTopologySpread args: ");
    }
  }
}
