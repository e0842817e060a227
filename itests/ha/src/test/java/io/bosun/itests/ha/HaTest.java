package io.bosun.itests.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A highly available control plane: a three-member etcd cluster on loopback and two control-plane
 * runtimes (API server, scheduler, controller manager) on it, as separate processes. While both API
 * servers take a stream of creates, (a) the etcd leader is killed with SIGKILL, then (b) the
 * process holding the scheduler and controller-manager Leases is. Afterwards every acknowledged
 * write is there (read from the surviving server), watches resumed from their last resourceVersion
 * saw every object exactly once in order, and both Leases moved to the surviving process.
 */
class HaTest {

  private static final String NS = "ha";
  private static final String SCHEDULER_LEASE = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/bosun-scheduler";
  private static final String CM_LEASE =
      "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/bosun-controller-manager";
  /** Upstream's defaults, which both components ship with: 15 s lease, 2 s retry; plus a loaded machine's slack. */
  private static final Duration HANDOVER_LIMIT = Duration.ofSeconds(30);

  private final List<AutoCloseable> cleanup = new ArrayList<>();
  /** Ends the writers. */
  private volatile boolean stop;
  /** Ends the watchers (after they have caught up). */
  private volatile boolean watchStop;
  private Path work;

  @AfterEach
  void tearDown() throws Exception {
    stop = true;
    watchStop = true;
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      try {
        cleanup.get(i).close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    Dirs.delete(work);
  }

  @Test
  void survivesAnEtcdMemberAndAnApiServerBeingKilled() throws Exception {
    assumeTrue(EtcdCluster.binary().isPresent(),
        "no etcd binary: install Debian's etcd-server (/usr/bin/etcd), or set -Dbosun.etcd.binary or $BOSUN_ETCD");
    Path runtime = Path.of(System.getProperty("bosun.runtime.dir"));
    work = Files.createDirectories(Path.of(System.getProperty("bosun.itest.work", "target/ha-work")))
        .resolve("ha-" + ProcessHandle.current().pid());
    long t0 = System.nanoTime();
    EtcdCluster etcd = EtcdCluster.start(EtcdCluster.binary().get(), 3);
    cleanup.add(etcd);
    int[] ports = EtcdCluster.freePorts(2);
    List<String> onEtcd = List.of("--store", "etcd", "--etcd-endpoints", etcd.endpoints());

    // A first, so it leads both components; then B, which follows.
    ControlPlane a = ControlPlane.start(runtime, work.resolve("cp-a"), ports[0], "cp-a", onEtcd);
    cleanup.add(a);
    Api apiA = new Api(a.url());
    awaitHolder(apiA, SCHEDULER_LEASE, "cp-a", Duration.ofSeconds(60));
    awaitHolder(apiA, CM_LEASE, "cp-a", Duration.ofSeconds(60));
    ControlPlane b = ControlPlane.start(runtime, work.resolve("cp-b"), ports[1], "cp-b", onEtcd);
    cleanup.add(b);
    Api apiB = new Api(b.url());
    log(t0, "etcd (3 members) and cp-a, cp-b up; cp-a leads the scheduler and the controller manager");

    // Both servers serve the same data.
    Api.Reply ns = apiA.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\""
        + NS + "\"}}");
    assertThat(ns.code()).as(ns.text()).isEqualTo(201);
    assertThat(apiB.get("/api/v1/namespaces/" + NS).code()).isEqualTo(200);
    long startVersion = apiB.get("/api/v1/namespaces/" + NS + "/configmaps").body().path("metadata")
        .path("resourceVersion").asLong();

    Watcher watchB = new Watcher("watch@B", List.of(apiB), startVersion);
    Watcher watchA = new Watcher("watch@A", List.of(apiA, apiB), startVersion);
    Writer writeA = new Writer("a", List.of(apiA, apiB));
    Writer writeB = new Writer("b", List.of(apiB));
    List<Thread> threads = new ArrayList<>();
    for (Runnable r : List.of(watchB, watchA, writeA, writeB)) {
      Thread t = new Thread(r, r.toString());
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    cleanup.add(() -> {
      stop = true;
      watchStop = true;
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(60));
      }
    });
    awaitCondition(Duration.ofSeconds(60), () -> writeA.acked.size() >= 50 && writeB.acked.size() >= 50,
        () -> "writes: " + writeA + ", " + writeB);

    // (a) The etcd leader, SIGKILL.
    EtcdCluster.Member leader = etcd.leader();
    int ackedA = writeA.acked.size();
    int ackedB = writeB.acked.size();
    long etcdKill = System.nanoTime();
    etcd.kill(leader);
    log(t0, "killed etcd leader " + leader.name + " after " + (ackedA + ackedB) + " acknowledged writes");
    awaitCondition(Duration.ofSeconds(60), () -> writeA.acked.size() >= ackedA + 50 && writeB.acked.size() >= ackedB + 50,
        () -> "writes after the etcd kill: " + writeA + ", " + writeB);
    long etcdPause = Math.max(writeA.longestPauseAfter(etcdKill), writeB.longestPauseAfter(etcdKill));
    log(t0, "writes continue through both API servers on 2 of 3 members; longest pause between acknowledged "
        + "writes after the kill: " + etcdPause / 1_000_000 + " ms");
    assertThat(holder(apiB, SCHEDULER_LEASE)).isEqualTo("cp-a");
    assertThat(holder(apiB, CM_LEASE)).isEqualTo("cp-a");

    // (b) The API server process that leads both components, SIGKILL.
    int ackedBeforeKill = writeB.acked.size();
    long cpKill = System.nanoTime();
    a.kill();
    log(t0, "killed cp-a (API server, scheduler leader, controller-manager leader)");
    Map<String, Long> handover = new TreeMap<>();
    awaitCondition(Duration.ofSeconds(90), () -> {
      for (String lease : List.of(SCHEDULER_LEASE, CM_LEASE)) {
        if (!handover.containsKey(lease) && "cp-b".equals(holderOrNull(apiB, lease))) {
          handover.put(lease, System.nanoTime() - cpKill);
        }
      }
      return handover.size() == 2;
    }, () -> "leases: scheduler " + holderOrNull(apiB, SCHEDULER_LEASE) + ", controller manager "
        + holderOrNull(apiB, CM_LEASE));
    long schedulerHandover = handover.get(SCHEDULER_LEASE);
    long cmHandover = handover.get(CM_LEASE);
    log(t0, String.format("leases moved to cp-b: scheduler after %.1f s, controller manager after %.1f s",
        schedulerHandover / 1e9, cmHandover / 1e9));
    awaitCondition(Duration.ofSeconds(60), () -> writeA.acked.size() + writeB.acked.size() >= ackedA + ackedB + 200
        && writeB.acked.size() >= ackedBeforeKill + 50, () -> "writes after the cp-a kill: " + writeA + ", " + writeB);

    // The new controller-manager leader works: a Deployment gets its ReplicaSet.
    Api.Reply deployment = apiB.post("/apis/apps/v1/namespaces/" + NS + "/deployments", """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
                 "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}""");
    assertThat(deployment.code()).as(deployment.text()).isEqualTo(201);
    awaitCondition(Duration.ofSeconds(60), () -> apiB.get("/apis/apps/v1/namespaces/" + NS + "/replicasets").body()
        .path("items").size() == 1, () -> "no ReplicaSet for the Deployment");

    stop = true;
    for (Thread t : threads.subList(2, 4)) {
      t.join(Duration.ofSeconds(60));
    }

    // Every acknowledged write is there, at the resourceVersion it was acknowledged with.
    Map<String, Long> stored = new HashMap<>();
    for (JsonNode item : apiB.get("/api/v1/namespaces/" + NS + "/configmaps").body().path("items")) {
      stored.put(item.path("metadata").path("name").asText(), item.path("metadata").path("resourceVersion").asLong());
    }
    Map<String, Long> acked = new HashMap<>(writeA.acked);
    acked.putAll(writeB.acked);
    Map<String, Long> missing = new TreeMap<>();
    acked.forEach((name, rv) -> {
      if (!rv.equals(stored.get(name))) {
        missing.put(name, rv);
      }
    });
    assertThat(missing).as("acknowledged writes missing or changed").isEmpty();

    // Both watches, resumed from their last resourceVersion, saw exactly what is stored, in order.
    awaitCondition(Duration.ofSeconds(60), () -> watchB.added.size() >= stored.size()
        && watchA.added.size() >= stored.size(), () -> "watches behind: " + watchB.added.size() + " and "
        + watchA.added.size() + " of " + stored.size() + " objects");
    watchStop = true;
    for (Thread t : threads.subList(0, 2)) {
      t.join(Duration.ofSeconds(60));
    }
    for (Watcher w : List.of(watchB, watchA)) {
      assertThat(w.problems).as(w.name).isEmpty();
      assertThat(w.added).as(w.name + ": ADDED events vs stored objects").isEqualTo(stored);
    }
    assertThat(watchA.resumedElsewhere).as("the watch on cp-a resumed on cp-b").isTrue();
    assertThat(Duration.ofNanos(schedulerHandover)).isLessThan(HANDOVER_LIMIT);
    assertThat(Duration.ofNanos(cmHandover)).isLessThan(HANDOVER_LIMIT);

    System.out.printf("""
        HA summary
          acknowledged creates: %d through cp-a, %d through cp-b (writer a moved to cp-b after the kill: %d); %d unacknowledged attempts; %d objects stored
          etcd leader %s killed: longest pause between acknowledged writes afterwards %d ms
          cp-a killed: scheduler lease to cp-b in %.1f s, controller-manager lease in %.1f s
          watch@B: %d events, %d reconnects; watch@A: %d events, %d reconnects (resumed on cp-b)
        """, writeA.perTarget[0].get(), writeB.acked.size() + writeA.perTarget[1].get(), writeA.perTarget[1].get(),
        writeA.failures.get() + writeB.failures.get(), stored.size(),
        leader.name, etcdPause / 1_000_000, schedulerHandover / 1e9, cmHandover / 1e9, watchB.added.size(),
        watchB.reconnects, watchA.added.size(), watchA.reconnects);
  }

  // ---------------------------------------------------------------- helpers

  private static void log(long t0, String message) {
    System.out.printf("[HA +%5.1f s] %s%n", (System.nanoTime() - t0) / 1e9, message);
  }

  private static String holder(Api api, String lease) throws Exception {
    Api.Reply r = api.get(lease);
    assertThat(r.code()).as(r.text()).isEqualTo(200);
    return r.body().path("spec").path("holderIdentity").asText();
  }

  private static String holderOrNull(Api api, String lease) {
    try {
      Api.Reply r = api.get(lease);
      return r.code() == 200 ? r.body().path("spec").path("holderIdentity").asText() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static void awaitHolder(Api api, String lease, String identity, Duration timeout) throws Exception {
    Await.until(timeout, () -> {
      String h = holderOrNull(api, lease);
      return identity.equals(h) ? null : lease + " held by " + h;
    });
  }

  /** A condition that may throw. */
  private interface Check {
    boolean test() throws Exception;
  }

  private static void awaitCondition(Duration timeout, Check condition, java.util.function.Supplier<String> state)
      throws Exception {
    Await.until(timeout, () -> condition.test() ? null : state.get());
  }

  /**
   * Creates ConfigMaps {@code <prefix>-<n>} one after another, recording each acknowledged one with
   * its resourceVersion. A failed create is not retried (it may or may not have been applied; the
   * next one gets a new name); after a connection failure it moves on to the next server.
   */
  private final class Writer implements Runnable {
    final String prefix;
    final List<Api> targets;
    final Map<String, Long> acked = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Long> ackTimes = new ConcurrentLinkedQueue<>();
    final AtomicInteger failures = new AtomicInteger();
    /** Acknowledged creates per server of {@link #targets}. */
    final AtomicInteger[] perTarget;

    Writer(String prefix, List<Api> targets) {
      this.prefix = prefix;
      this.targets = targets;
      this.perTarget = new AtomicInteger[targets.size()];
      for (int i = 0; i < perTarget.length; i++) {
        perTarget[i] = new AtomicInteger();
      }
    }

    @Override
    public void run() {
      int target = 0;
      for (int n = 0; !stop; n++) {
        String name = prefix + "-" + n;
        try {
          Api.Reply r = targets.get(target).post("/api/v1/namespaces/" + NS + "/configmaps",
              "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},"
                  + "\"data\":{\"n\":\"" + n + "\"}}");
          if (r.code() == 201) {
            acked.put(name, r.body().path("metadata").path("resourceVersion").asLong());
            ackTimes.add(System.nanoTime());
            perTarget[target].incrementAndGet();
          } else {
            failures.incrementAndGet();
          }
        } catch (IOException e) {
          failures.incrementAndGet();
          target = Math.min(target + 1, targets.size() - 1);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** The longest time without an acknowledged write from {@code since} on. */
    long longestPauseAfter(long since) {
      long longest = 0;
      long last = since;
      for (long t : ackTimes) {
        if (t > since) {
          longest = Math.max(longest, t - last);
          last = t;
        }
      }
      return longest;
    }

    @Override
    public String toString() {
      return "writer " + prefix + ": " + acked.size() + " acknowledged, " + failures.get() + " failed";
    }
  }

  /**
   * Watches the test namespace's ConfigMaps like a reflector: each watch asks the server to end it
   * after a few seconds, and every new watch, on the same server or (after a failure) the next one,
   * starts from the last resourceVersion seen. Records ADDED events and anything out of order.
   */
  private final class Watcher implements Runnable {
    final String name;
    final List<Api> targets;
    final Map<String, Long> added = new ConcurrentHashMap<>();
    final List<String> problems = new CopyOnWriteArrayList<>();
    volatile long lastVersion;
    volatile int reconnects;
    volatile boolean resumedElsewhere;

    Watcher(String name, List<Api> targets, long from) {
      this.name = name;
      this.targets = targets;
      this.lastVersion = from;
    }

    @Override
    public void run() {
      int target = 0;
      while (!watchStop) {
        try {
          int code = targets.get(target).watch("/api/v1/namespaces/" + NS + "/configmaps?watch=true&resourceVersion="
              + lastVersion + "&timeoutSeconds=5", this::event);
          if (code != 200) {
            problems.add("watch from " + lastVersion + " answered HTTP " + code);
            return;
          }
        } catch (IOException e) {
          if (target + 1 < targets.size()) {
            target++;
            resumedElsewhere = true;
          }
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          problems.add(e.toString());
          return;
        }
        reconnects++;
      }
    }

    private void event(JsonNode e) {
      String type = e.path("type").asText();
      JsonNode meta = e.path("object").path("metadata");
      if (type.equals("ERROR")) {
        problems.add("ERROR event: " + e);
        throw new IllegalStateException("watch error " + e);
      }
      long rv = meta.path("resourceVersion").asLong();
      if (rv <= lastVersion) {
        problems.add(type + " " + meta.path("name").asText() + " at " + rv + " after " + lastVersion);
      }
      lastVersion = rv;
      if (type.equals("ADDED") && added.put(meta.path("name").asText(), rv) != null) {
        problems.add("ADDED twice: " + meta.path("name").asText());
      }
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
