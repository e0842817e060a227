package io.bosun.client.leaderelection;

import static io.bosun.client.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.api.coordination.v1.Lease;
import io.bosun.client.ApiClient;
import io.bosun.client.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderElectorTest {

  /** Fast timings: lease 2 s, renew deadline 1.5 s, retry every 200 ms. */
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration RENEW = Duration.ofMillis(1500);
  private static final Duration RETRY = Duration.ofMillis(200);
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir
  static Path dir;
  static TestCluster cluster;
  static ApiClient client;
  private final List<LeaderElector> electors = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(dir);
    client = cluster.client("election-test");
  }

  @AfterAll
  static void stop() {
    client.close();
    cluster.close();
  }

  @AfterEach
  void closeElectors() {
    electors.forEach(LeaderElector::close);
    await(Duration.ofSeconds(10), () -> TestCluster.clientThreads().stream()
        .noneMatch(n -> n.startsWith("bosun-leader-elector-")), "elector threads to end");
  }

  private LeaderElector elector(String lease, String identity, boolean release, Recorder recorder) {
    LeaderElectionConfig config = LeaderElectionConfig.defaults("default", lease, identity)
        .withTimings(LEASE, RENEW, RETRY).withReleaseOnCancel(release);
    LeaderElector e = new LeaderElector(client, config, recorder);
    electors.add(e);
    return e;
  }

  @Test
  void onlyOneLeadsAndReleaseHandsOverAtOnce() throws InterruptedException {
    Recorder r1 = new Recorder("one");
    Recorder r2 = new Recorder("two");
    LeaderElector one = elector("release", "one", true, r1);
    LeaderElector two = elector("release", "two", true, r2);
    AtomicBoolean bothLed = new AtomicBoolean();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler = Thread.ofPlatform().daemon().start(() -> {
      while (sampling.get()) {
        if (one.isLeader() && two.isLeader()) {
          bothLed.set(true);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(100_000);
      }
    });
    one.start();
    await(WAIT, one::isLeader, "the first elector to lead");
    two.start();
    await(WAIT, () -> two.leader().equals("one"), "the second to see the leader");
    assertThat(two.isLeader()).isFalse();
    Lease lease = lease("release");
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("one");
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(2);
    assertThat(lease.getSpec().getLeaseTransitions()).isZero();
    // Renewals keep the lease while the follower keeps trying.
    Instant renewed = lease.getSpec().getRenewTime();
    await(WAIT, () -> lease("release").getSpec().getRenewTime().isAfter(renewed), "a renewal");
    assertThat(two.isLeader()).isFalse();

    long stopped = System.nanoTime();
    one.close();
    assertThat(one.isLeader()).isFalse();
    await(WAIT, two::isLeader, "the second elector to take over");
    Duration handover = Duration.ofNanos(System.nanoTime() - stopped);
    // Released: the successor did not wait for the lease to expire.
    assertThat(handover).isLessThan(LEASE.minus(Duration.ofMillis(500)));
    sampling.set(false);
    sampler.join();
    assertThat(bothLed).isFalse();

    Lease after = lease("release");
    assertThat(after.getSpec().getHolderIdentity()).isEqualTo("two");
    assertThat(after.getSpec().getLeaseTransitions()).isEqualTo(1);
    assertThat(r1.log).containsExactly("new leader one", "started", "stopped");
    await(WAIT, () -> r2.log.size() >= 3, "the second elector's callbacks");
    assertThat(r2.log).containsExactly("new leader one", "new leader two", "started");
  }

  @Test
  void withoutReleaseTheSuccessorWaitsForTheLeaseToExpire() {
    LeaderElector one = elector("expire", "one", false, new Recorder("one"));
    LeaderElector two = elector("expire", "two", false, new Recorder("two"));
    one.start();
    await(WAIT, one::isLeader, "the first elector to lead");
    two.start();
    await(WAIT, () -> two.leader().equals("one"), "the second to see the leader");
    long stopped = System.nanoTime();
    one.close();
    assertThat(lease("expire").getSpec().getHolderIdentity()).isEqualTo("one");
    await(WAIT, two::isLeader, "the second elector to take over");
    Duration takeover = Duration.ofNanos(System.nanoTime() - stopped);
    // The follower last saw a change at most one retry period before the stop.
    assertThat(takeover).isGreaterThan(LEASE.minus(RETRY.multipliedBy(2)))
        .isLessThan(LEASE.plus(Duration.ofSeconds(2)));
  }

  @Test
  void aLeaderThatCannotKeepItsLeaseStopsLeadingAndCompetesAgain() {
    Recorder r = new Recorder("one");
    LeaderElector one = elector("intruded", "one", true, r);
    one.start();
    await(WAIT, one::isLeader, "the elector to lead");
    // Somebody else writes itself into the lease.
    Lease lease = lease("intruded");
    Instant now = Instant.now();
    client.resources(Lease.class).update(lease.withSpec(lease.getSpec().deepCopy().withHolderIdentity("intruder")
        .withRenewTime(now).withAcquireTime(now)));
    await(WAIT, () -> !one.isLeader(), "the elector to stop leading");
    await(WAIT, () -> r.log.contains("stopped"), "onStoppedLeading");
    assertThat(one.leader()).isEqualTo("intruder");
    // The intruder never renews: after the lease duration the elector takes over again.
    await(WAIT, one::isLeader, "the elector to lead again");
    await(WAIT, () -> r.log.size() >= 6, "the callbacks");
    assertThat(r.log).containsExactly("new leader one", "started", "new leader intruder", "stopped",
        "new leader one", "started");
    assertThat(lease("intruded").getSpec().getLeaseTransitions()).isEqualTo(1);
  }

  @Test
  void aLeaderStopsLeadingWhenTheApiServerIsGone() throws Exception {
    Recorder r = new Recorder("one");
    LeaderElector one = elector("outage", "one", true, r);
    one.start();
    await(WAIT, one::isLeader, "the elector to lead");
    cluster.stopServer();
    try {
      long down = System.nanoTime();
      await(WAIT, () -> !one.isLeader(), "the elector to give up");
      // It gave up within the renew deadline (plus one retry), before anyone else could take over.
      assertThat(Duration.ofNanos(System.nanoTime() - down)).isLessThan(LEASE);
      await(WAIT, () -> r.log.contains("stopped"), "onStoppedLeading");
    } finally {
      cluster.restartServer();
    }
    await(WAIT, one::isLeader, "the elector to lead again once the server is back");
  }

  @Test
  void configIsValidated() {
    assertThatThrownBy(() -> LeaderElectionConfig.defaults("default", "x", "id")
        .withTimings(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LeaderElectionConfig.defaults("default", "x", "id")
        .withTimings(Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LeaderElectionConfig.defaults("default", "x", " "))
        .isInstanceOf(IllegalArgumentException.class);
    LeaderElectionConfig d = LeaderElectionConfig.defaults("kube-system", "bosun-scheduler", "host-1");
    assertThat(d.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(d.renewDeadline()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
    assertThat(d.releaseOnCancel()).isTrue();
  }

  private static Lease lease(String name) {
    return client.resources(Lease.class).get("default", name).orElseThrow();
  }

  static final class Recorder implements LeaderCallbacks {
    final String identity;
    final List<String> log = new CopyOnWriteArrayList<>();

    Recorder(String identity) {
      this.identity = identity;
    }

    @Override
    public void onStartedLeading() {
      log.add("started");
    }

    @Override
    public void onStoppedLeading() {
      log.add("stopped");
    }

    @Override
    public void onNewLeader(String leader) {
      log.add("new leader " + leader);
    }
  }
}
