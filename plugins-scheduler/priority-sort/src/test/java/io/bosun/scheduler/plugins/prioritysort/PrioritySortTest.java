package io.bosun.scheduler.plugins.prioritysort;

import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.spi.ExtensionPoint;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.QueuedPodInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrioritySortTest {

  private final PrioritySort plugin = (PrioritySort) new PrioritySortFactory().create(Scoring.args("{}"), null);

  record Queued(PodInfo podInfo, Instant timestamp) implements QueuedPodInfo {
    @Override
    public Instant initialAttemptTimestamp() {
      return timestamp;
    }

    @Override
    public int attempts() {
      return 0;
    }

    @Override
    public Set<String> unschedulablePlugins() {
      return Set.of();
    }
  }

  private static Queued queued(String name, Integer priority, long second) {
    var b = pod(name);
    if (priority != null) {
      b.priority(priority);
    }
    return new Queued(b.info(), Instant.ofEpochSecond(second));
  }

  @Test
  void higherPriorityFirst() {
    Queued low = queued("low", 1, 1);
    Queued high = queued("high", 100, 2);
    assertThat(plugin.less(high, low)).isTrue();
    assertThat(plugin.less(low, high)).isFalse();
  }

  @Test
  void equalPriorityIsFifoByTimestamp() {
    Queued first = queued("a", 10, 1);
    Queued second = queued("b", 10, 2);
    assertThat(plugin.less(first, second)).isTrue();
    assertThat(plugin.less(second, first)).isFalse();
  }

  @Test
  void isIrreflexiveAndTreatsMissingPriorityAsZero() {
    Queued p = queued("a", 0, 5);
    assertThat(plugin.less(p, p)).isFalse();
    Queued unset = queued("unset", null, 1);
    Queued negative = queued("neg", -5, 0);
    assertThat(plugin.less(unset, negative)).isTrue();
    assertThat(plugin.less(p, unset)).isFalse(); // same priority 0, later timestamp
  }

  @Test
  void sortsAQueueAsUpstream() {
    List<Queued> queue = new ArrayList<>(List.of(queued("a", 0, 3), queued("b", 1000, 4), queued("c", 0, 1),
        queued("d", 1000, 2), queued("e", -1, 0)));
    queue.sort((x, y) -> plugin.less(x, y) ? -1 : plugin.less(y, x) ? 1 : 0);
    assertThat(queue).extracting(q -> q.podInfo().name()).containsExactly("d", "b", "c", "a", "e");
  }

  @Test
  void servesQueueSortOnlyAndTakesNoArgs() {
    assertThat(ExtensionPoint.of(plugin)).containsExactly(ExtensionPoint.QUEUE_SORT);
    assertThat(plugin.name()).isEqualTo("PrioritySort");
    assertThat(new PrioritySortFactory().create(Scoring.args(
        "{\"apiVersion\":\"kubescheduler.config.k8s.io/v1\",\"kind\":\"PrioritySortArgs\"}"), null)).isNotNull();
    assertThatThrownBy(() -> new PrioritySortFactory().create(Scoring.args("{\"x\":1}"), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown field \"x\"");
  }
}
