package io.bosun.scheduler.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.testing.FakeClock;
import io.bosun.scheduler.testing.Objects;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchedulerCacheTest {

  private final FakeClock clock = new FakeClock();
  private final SchedulerCache cache = new SchedulerCache(clock, Duration.ofSeconds(30));

  private long cpu(String node) {
    return cache.updateSnapshot().get(node).requested().milliCpu();
  }

  @Test
  void assumeThenConfirm() {
    cache.addNode(Objects.node("n1", "4", "8Gi"));
    Pod p = Objects.bound(Objects.pod("p", "500m"), "n1");
    cache.assumePod(PodInfo.of(p));
    assertThat(cpu("n1")).isEqualTo(500);
    assertThat(cache.isAssumed("uid-p")).isTrue();
    assertThatThrownBy(() -> cache.assumePod(PodInfo.of(p))).isInstanceOf(IllegalStateException.class);
    cache.finishBinding("uid-p");
    cache.addPod(p); // the informer confirms
    assertThat(cache.isAssumed("uid-p")).isFalse();
    assertThat(cpu("n1")).isEqualTo(500);
    assertThat(cache.forgetPod("uid-p")).as("a confirmed pod cannot be forgotten").isFalse();
    clock.advance(Duration.ofMinutes(5));
    assertThat(cache.cleanupExpiredAssumedPods()).isZero();
    assertThat(cache.podCount()).isEqualTo(1);
  }

  @Test
  void forgetUndoesAssume() {
    cache.addNode(Objects.node("n1", "4", "8Gi"));
    cache.assumePod(PodInfo.of(Objects.bound(Objects.pod("p", "500m"), "n1")));
    assertThat(cache.forgetPod("uid-p")).isTrue();
    assertThat(cpu("n1")).isZero();
    assertThat(cache.podCount()).isZero();
  }

  @Test
  void boundButUnconfirmedAssumedPodsExpire() {
    cache.addNode(Objects.node("n1", "4", "8Gi"));
    cache.assumePod(PodInfo.of(Objects.bound(Objects.pod("p", "500m"), "n1")));
    clock.advance(Duration.ofHours(1));
    assertThat(cache.cleanupExpiredAssumedPods()).as("binding not finished: never expires").isZero();
    cache.finishBinding("uid-p");
    clock.advance(Duration.ofSeconds(29));
    assertThat(cache.cleanupExpiredAssumedPods()).isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.cleanupExpiredAssumedPods()).isEqualTo(1);
    assertThat(cpu("n1")).isZero();
  }

  @Test
  void confirmationOnAnotherNodeMovesThePod() {
    cache.addNode(Objects.node("n1", "4", "8Gi"));
    cache.addNode(Objects.node("n2", "4", "8Gi"));
    Pod p = Objects.pod("p", "1");
    cache.assumePod(PodInfo.of(Objects.bound(p, "n1")));
    cache.addPod(Objects.bound(p, "n2"));
    assertThat(cpu("n1")).isZero();
    assertThat(cpu("n2")).isEqualTo(1000);
  }

  @Test
  void podsBeforeTheirNodeAndAfterItsRemoval() {
    Pod p = Objects.bound(Objects.pod("p", "1"), "late");
    cache.addPod(p);
    assertThat(cache.updateSnapshot().size()).isZero();
    Node n = Objects.node("late", "4", "8Gi");
    cache.addNode(n);
    assertThat(cpu("late")).isEqualTo(1000);
    cache.removeNode(n);
    assertThat(cache.updateSnapshot().size()).isZero();
    assertThat(cache.podCount()).isEqualTo(1);
    cache.removePod(p);
    assertThat(cache.podCount()).isZero();
  }

  @Test
  void snapshotIsReusedUntilSomethingChanges() {
    cache.addNode(Objects.node("n1", "4", "8Gi"));
    Snapshot a = cache.updateSnapshot();
    assertThat(cache.updateSnapshot()).isSameAs(a);
    cache.addPod(Objects.bound(Objects.pod("p", "1"), "n1"));
    Snapshot b = cache.updateSnapshot();
    assertThat(b).isNotSameAs(a);
    assertThat(a.get("n1").requested().milliCpu()).as("old snapshots never change").isZero();
    assertThat(b.get("n1").requested().milliCpu()).isEqualTo(1000);
  }

  @Test
  void incrementalSnapshotsFollowPodsWithAffinityAndNodeChanges() {
    cache.addNode(Objects.node("n1", "4", "8Gi"));
    cache.addNode(Objects.node("n2", "4", "8Gi"));
    Snapshot a = cache.updateSnapshot();
    assertThat(a.havePodsWithAffinity()).isEmpty();
    Pod anti = Objects.bound(Objects.pod("anti", "1"), "n2");
    anti.getSpec().setAffinity(new io.bosun.api.core.v1.Affinity().withPodAntiAffinity(
        new io.bosun.api.core.v1.PodAntiAffinity().withRequiredDuringSchedulingIgnoredDuringExecution(java.util.List.of(
            new io.bosun.api.core.v1.PodAffinityTerm().withTopologyKey("kubernetes.io/hostname")
                .withLabelSelector(new io.bosun.api.meta.v1.LabelSelector().withMatchLabels(java.util.Map.of("app", "test")))))));
    cache.addPod(anti);
    Snapshot b = cache.updateSnapshot();
    assertThat(b.havePodsWithAffinity()).extracting(n -> n.name()).containsExactly("n2");
    assertThat(b.havePodsWithRequiredAntiAffinity()).extracting(n -> n.name()).containsExactly("n2");
    assertThat(b.get("n1")).isSameAs(a.get("n1"));
    cache.removePod(anti);
    assertThat(cache.updateSnapshot().havePodsWithAffinity()).isEmpty();
    cache.removeNode(Objects.node("n1", "4", "8Gi"));
    cache.addNode(Objects.node("n3", "4", "8Gi"));
    Snapshot c = cache.updateSnapshot();
    assertThat(c.list()).extracting(n -> n.name()).containsExactly("n2", "n3");
    assertThat(c.get("n1")).isNull();
    assertThat(b.list()).extracting(n -> n.name()).as("old snapshots unchanged").containsExactly("n1", "n2");
  }
}
