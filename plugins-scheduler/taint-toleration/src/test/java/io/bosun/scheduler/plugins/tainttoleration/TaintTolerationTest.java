package io.bosun.scheduler.plugins.tainttoleration;

import static io.bosun.scheduler.plugins.testkit.NodeBuilder.node;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.plugins.testkit.PodBuilder;
import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.ExtensionPoint;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.Status;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cases from upstream's taint_toleration_test.go. */
class TaintTolerationTest {

  private final TaintToleration plugin = (TaintToleration) new TaintTolerationFactory().create(Scoring.args(""), null);

  private Status filter(Pod p, NodeInfo n) {
    return plugin.filter(new CycleState(), p, n);
  }

  @Test
  void servesFilterAndScore() {
    assertThat(ExtensionPoint.of(plugin)).contains(ExtensionPoint.FILTER, ExtensionPoint.PRE_SCORE, ExtensionPoint.SCORE);
  }

  @Test
  void podWithoutTolerationsOnTaintedNodeIsRejectedUnresolvably() {
    Status s = filter(pod("p").build(), node("n").taint("dedicated", "user1", "NoSchedule").info());
    assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(s.message()).isEqualTo("node(s) had untolerated taint {dedicated: user1}");
  }

  @Test
  void noExecuteRejectsPreferNoScheduleDoesNot() {
    assertThat(filter(pod("p").build(), node("n").taint("k", "v", "NoExecute").info())).isNotNull();
    assertThat(filter(pod("p").build(), node("n").taint("k", "v", "PreferNoSchedule").info())).isNull();
  }

  @ParameterizedTest(name = "toleration {0} {1} {2} {3} vs taint {4}={5}:{6} -> tolerated={7}")
  @CsvSource({
      // Equal compares the value
      "dedicated, Equal, user1, NoSchedule, dedicated, user1, NoSchedule, true",
      "dedicated, Equal, user2, NoSchedule, dedicated, user1, NoSchedule, false",
      // no operator means Equal
      "dedicated, '', user1, NoSchedule, dedicated, user1, NoSchedule, true",
      // Exists ignores the value
      "dedicated, Exists, '', NoSchedule, dedicated, user1, NoSchedule, true",
      // the effect must match, unless the toleration has none
      "dedicated, Exists, '', NoExecute, dedicated, user1, NoSchedule, false",
      "dedicated, Exists, '', '', dedicated, user1, NoSchedule, true",
      // empty key with Exists tolerates everything
      "'', Exists, '', '', dedicated, user1, NoExecute, true",
      // another key
      "other, Exists, '', NoSchedule, dedicated, user1, NoSchedule, false",
      // unknown operator tolerates nothing
      "dedicated, Gt, 1, NoSchedule, dedicated, 2, NoSchedule, false",
  })
  void tolerationOperatorsAndEffects(String key, String op, String value, String effect, String taintKey,
      String taintValue, String taintEffect, boolean tolerated) {
    Pod p = pod("p").toleration(key, op, value, effect).build();
    Status s = filter(p, node("n").taint(taintKey, taintValue, taintEffect).info());
    assertThat(s == null).isEqualTo(tolerated);
  }

  @Test
  void everyHardTaintMustBeTolerated() {
    NodeInfo n = node("n").taint("a", "1", "NoSchedule").taint("b", "2", "NoSchedule").info();
    assertThat(filter(pod("p").toleration("a", "Equal", "1", "NoSchedule").build(), n).message())
        .isEqualTo("node(s) had untolerated taint {b: 2}");
    assertThat(filter(pod("p").toleration("a", "Equal", "1", "NoSchedule").toleration("b", "Exists", null, null)
        .build(), n)).isNull();
  }

  @Test
  void scoreCountsIntolerablePreferNoScheduleTaintsAndNormalizesReversed() {
    // Upstream's "the more intolerable taints a node has, the lower its score".
    Pod p = pod("p").toleration("cpu-type", "Equal", "arm64", "PreferNoSchedule")
        // a NoSchedule toleration does not help against PreferNoSchedule taints
        .toleration("disk-type", "Equal", "ssd", "NoSchedule").build();
    List<NodeInfo> nodes = List.of(
        node("n1").info(),
        node("n2").taint("cpu-type", "arm64", "PreferNoSchedule").info(),
        node("n3").taint("cpu-type", "arm64", "PreferNoSchedule").taint("disk-type", "ssd", "PreferNoSchedule").info(),
        node("n4").taint("cpu-type", "x86", "PreferNoSchedule").taint("disk-type", "ssd", "PreferNoSchedule")
            .taint("hard", "x", "NoSchedule").info());
    CycleState state = new CycleState();
    assertThat(plugin.preScore(state, p, nodes)).isNull();
    assertThat(Scoring.scoreAndNormalize(plugin, state, p, nodes))
        .containsExactly(entry("n1", 100L), entry("n2", 100L), entry("n3", 50L), entry("n4", 0L));
  }

  @Test
  void allNodesWithoutIntolerableTaintsScoreMax() {
    Pod p = PodBuilder.pod("p").build();
    List<NodeInfo> nodes = List.of(node("a").info(), node("b").taint("k", "v", "NoSchedule").info());
    CycleState state = new CycleState();
    plugin.preScore(state, p, nodes);
    assertThat(Scoring.scoreAndNormalize(plugin, state, p, nodes)).containsValues(100L, 100L);
  }

  @Test
  void taintChangesRequeueOnlyWhenTolerated() {
    var hint = plugin.eventsToRegister().get(0).hint();
    Pod p = pod("p").toleration("k", "Exists", null, "NoSchedule").build();
    assertThat(hint.hint(p, null, node("n").taint("k", "v", "NoSchedule").build())).isEqualTo(QueueingHint.QUEUE);
    assertThat(hint.hint(p, null, node("n").taint("x", "v", "NoSchedule").build())).isEqualTo(QueueingHint.SKIP);
  }
}
