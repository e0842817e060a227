package io.bosun.scheduler.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Toleration;
import io.bosun.scheduler.framework.Framework;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.testing.Env;
import io.bosun.scheduler.testing.Objects;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchedulingQueueTest {

  private final Env env = new Env();
  private final SchedulingQueue q = new SchedulingQueue(env.clock, SchedulingQueue.Options.defaults(), env.profiles::acquire);

  {
    q.profilesChanged(env.profiles.current(), p -> true);
  }

  @AfterEach
  void close() {
    q.close();
    env.close();
  }

  private String pop() throws InterruptedException {
    QueuedPod e = q.pop(Duration.ZERO);
    return e == null ? null : e.podInfo().name();
  }

  private QueuedPod popEntry() throws InterruptedException {
    return q.pop(Duration.ZERO);
  }

  @Test
  void activeQueueIsOrderedByQueueSortThenFifo() throws Exception {
    q.add(Objects.pod("low-1", "100m", 1, "default-scheduler"));
    env.clock.advance(Duration.ofMillis(1));
    q.add(Objects.pod("high", "100m", 100, "default-scheduler"));
    env.clock.advance(Duration.ofMillis(1));
    q.add(Objects.pod("low-2", "100m", 1, "default-scheduler"));
    env.clock.advance(Duration.ofMillis(1));
    q.add(Objects.pod("mid", "100m", 50, "default-scheduler"));
    List<String> order = new ArrayList<>();
    for (String n; (n = pop()) != null; ) {
      order.add(n);
    }
    assertThat(order).containsExactly("high", "mid", "low-1", "low-2");
  }

  @Test
  void noDuplicates() throws Exception {
    Pod p = Objects.pod("p", "100m");
    q.add(p);
    q.add(p);
    q.update(p, Objects.withLabel(p, "x", "y"));
    assertThat(q.size()).isEqualTo(1);
    QueuedPod e = popEntry();
    assertThat(e.podInfo().pod().getMetadata().getLabels()).containsEntry("x", "y");
    // adding again while in flight does not queue a second copy
    q.add(p);
    assertThat(pop()).isNull();
    assertThat(q.stateOf("uid-p")).isEqualTo(QueuedPod.State.IN_FLIGHT);
    q.requeue(e, Set.of(), SchedulingQueue.Outcome.ERROR, false);
    assertThat(q.size()).isEqualTo(1);
    assertThat(q.pendingCounts()).containsEntry("backoff", 1).containsEntry("active", 0);
  }

  @Test
  void backoffDoublesFromOneToTenSeconds() throws Exception {
    assertThat(List.of(1, 2, 3, 4, 5, 6).stream().map(q::backoffDuration).toList()).containsExactly(
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
        Duration.ofSeconds(10), Duration.ofSeconds(10));
    q.add(Objects.pod("p", "100m"));
    for (int attempt = 1; attempt <= 5; attempt++) {
      QueuedPod e = popEntry();
      assertThat(e.attempts()).isEqualTo(attempt);
      q.requeue(e, Set.of(), SchedulingQueue.Outcome.ERROR, false);
      Duration backoff = q.backoffDuration(attempt);
      env.clock.advance(backoff.minusMillis(1));
      q.flushBackoffCompleted();
      assertThat(pop()).as("still backing off after %s of %s", backoff.minusMillis(1), backoff).isNull();
      env.clock.advance(Duration.ofMillis(1));
      q.flushBackoffCompleted();
      assertThat(q.stateOf("uid-p")).isEqualTo(QueuedPod.State.ACTIVE);
    }
  }

  @Test
  void unschedulablePodsMoveOnlyOnEventsTheirRejectorsRegistered() throws Exception {
    q.add(Objects.pod("fit", "100m"));
    q.add(Objects.pod("taint", "100m"));
    QueuedPod fit = popEntry();
    QueuedPod taint = popEntry();
    q.requeue(fit, Set.of("NodeResourcesFit"), SchedulingQueue.Outcome.UNSCHEDULABLE, false);
    q.requeue(taint, Set.of("TaintToleration"), SchedulingQueue.Outcome.UNSCHEDULABLE, false);
    assertThat(q.pendingCounts()).containsEntry("unschedulable", 2);

    Node n = Objects.node("n", "1", "1Gi");
    q.onEvent(EventResource.ASSIGNED_POD, ActionType.ADD, null, Objects.bound(Objects.pod("x", "1"), "n"));
    assertThat(q.pendingCounts()).as("a pod added helps neither").containsEntry("unschedulable", 2);

    q.onEvent(EventResource.ASSIGNED_POD, ActionType.DELETE, Objects.bound(Objects.pod("x", "1"), "n"), null);
    assertThat(q.stateOf("uid-fit")).isIn(QueuedPod.State.ACTIVE, QueuedPod.State.BACKOFF);
    assertThat(q.stateOf("uid-taint")).isEqualTo(QueuedPod.State.UNSCHEDULABLE);

    q.onEvent(EventResource.NODE, ActionType.UPDATE_NODE_TAINT, n, n);
    assertThat(q.stateOf("uid-taint")).as("still backing off: goes to backoff").isEqualTo(QueuedPod.State.BACKOFF);
    env.clock.advance(Duration.ofSeconds(1));
    q.flushBackoffCompleted();
    assertThat(q.pendingCounts()).containsEntry("active", 2).containsEntry("unschedulable", 0);
  }

  @Test
  void podUpdatesRequeueOnlyWhenTheyMayHelp() throws Exception {
    Pod p = Objects.pod("p", "100m");
    q.add(p);
    QueuedPod e = popEntry();
    q.requeue(e, Set.of("TaintToleration"), SchedulingQueue.Outcome.UNSCHEDULABLE, false);
    // a status-only update (such as the scheduler's own condition) changes nothing
    Pod statusOnly = p.deepCopy();
    statusOnly.setStatus(new io.bosun.api.core.v1.PodStatus().withPhase("Pending"));
    q.update(p, statusOnly);
    assertThat(q.stateOf("uid-p")).isEqualTo(QueuedPod.State.UNSCHEDULABLE);
    q.update(statusOnly, Objects.withLabel(statusOnly, "a", "b"));
    assertThat(q.stateOf("uid-p")).as("labels do not interest TaintToleration").isEqualTo(QueuedPod.State.UNSCHEDULABLE);
    Pod tolerating = statusOnly.deepCopy();
    tolerating.getSpec().setTolerations(List.of(new Toleration().withKey("k").withOperator("Exists")));
    q.update(statusOnly, tolerating);
    assertThat(q.stateOf("uid-p")).isIn(QueuedPod.State.ACTIVE, QueuedPod.State.BACKOFF);
  }

  @Test
  void gatedPodsWaitUntilTheirGateOpens() throws Exception {
    Pod gated = Objects.gated(Objects.pod("g", "100m"), "example.com/wait");
    q.add(gated);
    assertThat(q.pendingCounts()).containsEntry("gated", 1).containsEntry("active", 0);
    q.onEvent(EventResource.NODE, ActionType.ADD, null, Objects.node("n", "1", "1Gi"));
    assertThat(q.pendingCounts()).containsEntry("gated", 1);
    env.clock.advance(Duration.ofMinutes(6));
    q.flushUnschedulableLeftover();
    assertThat(q.pendingCounts()).as("the flush re-checks the gate").containsEntry("gated", 1);
    Pod open = gated.deepCopy();
    open.getSpec().setSchedulingGates(List.of());
    q.update(gated, open);
    assertThat(q.pendingCounts()).containsEntry("gated", 0).containsEntry("active", 1);
    assertThat(pop()).isEqualTo("g");
  }

  @Test
  void unschedulablePodsAreFlushedAfterFiveMinutes() throws Exception {
    q.add(Objects.pod("p", "100m"));
    q.requeue(popEntry(), Set.of("TaintToleration"), SchedulingQueue.Outcome.UNSCHEDULABLE, false);
    env.clock.advance(Duration.ofMinutes(5).minusSeconds(1));
    q.flushUnschedulableLeftover();
    assertThat(q.stateOf("uid-p")).isEqualTo(QueuedPod.State.UNSCHEDULABLE);
    env.clock.advance(Duration.ofSeconds(1));
    q.flushUnschedulableLeftover();
    assertThat(q.stateOf("uid-p")).isEqualTo(QueuedPod.State.ACTIVE);
  }

  @Test
  void anEventDuringTheCycleSendsTheFailedPodToBackoffNotToTheParking() throws Exception {
    q.add(Objects.pod("p", "100m"));
    QueuedPod e = popEntry();
    q.onEvent(EventResource.NODE, ActionType.ADD, null, Objects.node("new", "4", "1Gi"));
    q.requeue(e, Set.of("NodeResourcesFit"), SchedulingQueue.Outcome.UNSCHEDULABLE, false);
    assertThat(q.stateOf("uid-p")).isEqualTo(QueuedPod.State.BACKOFF);

    // an event its rejector does not care about does not
    env.clock.advance(Duration.ofSeconds(10));
    q.flushBackoffCompleted();
    e = popEntry();
    q.onEvent(EventResource.ASSIGNED_POD, ActionType.ADD, null, Objects.bound(Objects.pod("x", "1"), "new"));
    q.requeue(e, Set.of("NodeResourcesFit"), SchedulingQueue.Outcome.UNSCHEDULABLE, false);
    assertThat(q.stateOf("uid-p")).isEqualTo(QueuedPod.State.UNSCHEDULABLE);
  }

  @Test
  void deletedWhileInFlightIsDropped() throws Exception {
    Pod p = Objects.pod("p", "100m");
    q.add(p);
    QueuedPod e = popEntry();
    q.delete(p);
    q.requeue(e, Set.of(), SchedulingQueue.Outcome.ERROR, false);
    assertThat(q.size()).isZero();
    assertThat(q.pendingCounts().values()).allMatch(v -> v == 0);
  }

  @Test
  void profileWaitingPodsMoveOnlyWhenProfilesChange() throws Exception {
    q.add(Objects.pod("p", "100m"));
    q.requeue(popEntry(), Set.of(), SchedulingQueue.Outcome.PROFILE_WAIT, false);
    assertThat(popEntry()).isNull();
    q.onEvent(EventResource.NODE, ActionType.ADD, null, Objects.node("n", "1", "1Gi"));
    assertThat(q.stateOf("uid-p")).isEqualTo(QueuedPod.State.UNSCHEDULABLE);
    assertThat(q.get("uid-p").unschedulablePlugins()).containsExactly(Framework.PROFILE_NOT_READY);
    env.clock.advance(Duration.ofSeconds(1));
    q.profilesChanged(env.profiles.current(), pod -> true);
    assertThat(q.stateOf("uid-p")).isEqualTo(QueuedPod.State.ACTIVE);
  }

  @Test
  void podsOfProfilesThatLeaveAreDropped() throws Exception {
    q.add(Objects.pod("mine", "100m"));
    q.add(Objects.pod("other", "100m", 0, "other-scheduler"));
    q.profilesChanged(env.profiles.current(), pod -> pod.getSpec().getSchedulerName().equals("default-scheduler"));
    assertThat(q.size()).isEqualTo(1);
    assertThat(pop()).isEqualTo("mine");
  }

  @Test
  void popWaitsForAPodWithADeadline() throws Exception {
    long start = System.nanoTime();
    assertThat(q.pop(Duration.ofMillis(50))).isNull();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
    Thread adder = Thread.ofVirtual().start(() -> q.add(Objects.pod("late", "1m")));
    QueuedPod e = q.pop(Duration.ofSeconds(10));
    adder.join();
    assertThat(e.podInfo().name()).isEqualTo("late");
    assertThat(Map.copyOf(q.pendingCounts())).containsEntry("active", 0);
  }
}
