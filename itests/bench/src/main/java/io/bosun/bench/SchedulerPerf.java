package io.bosun.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.ApiServer;
import io.bosun.scheduler.core.SchedulerMetrics;
import io.bosun.scheduler.plugins.balancedallocation.NodeResourcesBalancedAllocationFactory;
import io.bosun.scheduler.plugins.defaultbinder.DefaultBinderFactory;
import io.bosun.scheduler.plugins.defaultpreemption.DefaultPreemptionFactory;
import io.bosun.scheduler.plugins.imagelocality.ImageLocalityFactory;
import io.bosun.scheduler.plugins.interpodaffinity.InterPodAffinityFactory;
import io.bosun.scheduler.plugins.nodeaffinity.NodeAffinityFactory;
import io.bosun.scheduler.plugins.nodename.NodeNameFactory;
import io.bosun.scheduler.plugins.nodeports.NodePortsFactory;
import io.bosun.scheduler.plugins.noderesourcesfit.NodeResourcesFitFactory;
import io.bosun.scheduler.plugins.nodeunschedulable.NodeUnschedulableFactory;
import io.bosun.scheduler.plugins.podtopologyspread.PodTopologySpreadFactory;
import io.bosun.scheduler.plugins.prioritysort.PrioritySortFactory;
import io.bosun.scheduler.plugins.schedulinggates.SchedulingGatesFactory;
import io.bosun.scheduler.plugins.tainttoleration.TaintTolerationFactory;
import io.bosun.scheduler.runtime.BenchScheduler;
import io.bosun.scheduler.spi.PluginFactory;
import io.bosun.store.embedded.EmbeddedStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * A scheduler_perf-style benchmark: upstream's workloads (node and pod templates of
 * {@code test/integration/scheduler_perf}) end to end through a real in-process API server on a
 * fresh embedded store (fsync on), with nodes created as API objects, the real scheduler assembled
 * as its component does it, the real plugins of {@code plugins-scheduler}, and bindings through
 * {@code pods/binding}. The figure is upstream's SchedulingThroughput: measured pods divided by the
 * time from the first measured create to the last measured pod seen bound (by a watch). Init pods
 * are created and scheduled before, not measured. Usage: {@link #USAGE} and the module's README.
 */
public final class SchedulerPerf {

  static final String USAGE = """
      usage: SchedulerPerf [options]
        --workloads A,B,..   of basic, spread, affinity, preemption, swap (default: all, in that order)
        --nodes N            nodes of every workload (default: each workload's own, see README)
        --init-pods N        init pods of every workload (default: each workload's own)
        --pods N             measured pods of every workload (default: each workload's own)
        --scale F            multiplies every workload's default sizes (e.g. 0.1 for a quick run)
        --clients N          concurrent HTTP clients creating nodes and pods (default 16)
        --parallelism N      the scheduler's filter/score threads (default: processors)
        --stall-seconds N    give up when no pod was bound for this long (default 120)
        --no-fsync           the embedded store without fsync (default: fsync on, as shipped)
        --backlog            create the measured pods while no scheduler runs, then start one: the clock starts
                             with the new scheduler (its informers list the backlog), so creates are not measured
        --data-dir DIR       where the fresh stores go (default: java.io.tmpdir)
        --no-warmup          skip the warm-up workload (basic: 500 nodes, 100 init pods, 2000 pods; not reported in
                             the table) that runs first so the first workload does not pay for the JIT alone
        --verbose            server, store and scheduler logging at INFO
      """;

  /** One of upstream's workloads, at our default size. */
  record Workload(String name, String upstream, int nodes, int initPods, int measuredPods, String note) {}

  static final Map<String, Workload> WORKLOADS = new LinkedHashMap<>();

  static {
    WORKLOADS.put("basic", new Workload("basic", "SchedulingBasic/5000Nodes_10000Pods", 5000, 1000, 10000,
        "pod-default (100m, 500Mi) on node-default (4 cpu, 32Gi, 110 pods)"));
    WORKLOADS.put("spread", new Workload("spread", "SchedulingPodTopologySpread/5000Nodes", 5000, 5000, 2000,
        "zones moon-1..3; measured pods: zone maxSkew 5 DoNotSchedule on color=blue"));
    WORKLOADS.put("affinity", new Workload("affinity", "SchedulingInterPodAffinity/5000Nodes", 5000, 5000, 1000,
        "one zone; every pod: required podAffinity color=blue by zone over namespaces sched-0, sched-1"));
    WORKLOADS.put("preemption", new Workload("preemption", "SchedulingPreemption/500Nodes", 500, 2000, 500,
        "init 900m low-priority pods (grace 0) fill the nodes; measured 3000m pods of priority 10 preempt 3 each"));
    WORKLOADS.put("swap", new Workload("swap", "SchedulingBasic/5000Nodes_10000Pods + policy swap", 5000, 1000, 10000,
        "profiles ConfigMap: policy spread, switched to binpack when half the measured pods are bound"));
  }

  record Config(List<Workload> workloads, int clients, int parallelism, long stallSeconds, boolean fsync, Path dataDir,
      boolean verbose, boolean backlog, boolean warmup) {

    static Config parse(String[] args) {
      Map<String, String> o = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--no-fsync") || a.equals("--verbose") || a.equals("--backlog") || a.equals("--no-warmup")
            || a.equals("--help") || a.equals("-h")) {
          o.put(a, "true");
        } else if (a.startsWith("--") && i + 1 < args.length) {
          o.put(a, args[++i]);
        } else {
          throw new IllegalArgumentException("unknown argument " + a + "\n" + USAGE);
        }
      }
      if (o.containsKey("--help") || o.containsKey("-h")) {
        System.out.print(USAGE);
        System.exit(0);
      }
      double scale = Double.parseDouble(o.getOrDefault("--scale", "1"));
      List<Workload> ws = new ArrayList<>();
      for (String n : o.getOrDefault("--workloads", String.join(",", WORKLOADS.keySet())).split(",")) {
        Workload w = WORKLOADS.get(n.strip());
        if (w == null) {
          throw new IllegalArgumentException("unknown workload " + n + "; known: " + WORKLOADS.keySet());
        }
        int nodes = o.containsKey("--nodes") ? Integer.parseInt(o.get("--nodes")) : scaled(w.nodes(), scale);
        int init = o.containsKey("--init-pods") ? Integer.parseInt(o.get("--init-pods")) : scaled(w.initPods(), scale);
        int pods = o.containsKey("--pods") ? Integer.parseInt(o.get("--pods")) : scaled(w.measuredPods(), scale);
        ws.add(new Workload(w.name(), w.upstream(), nodes, init, pods, w.note()));
      }
      Config c = new Config(ws, Integer.parseInt(o.getOrDefault("--clients", "16")),
          Integer.parseInt(o.getOrDefault("--parallelism", String.valueOf(Runtime.getRuntime().availableProcessors()))),
          Long.parseLong(o.getOrDefault("--stall-seconds", "120")), !o.containsKey("--no-fsync"),
          Path.of(o.getOrDefault("--data-dir", System.getProperty("java.io.tmpdir"))), o.containsKey("--verbose"),
          o.containsKey("--backlog"), !o.containsKey("--no-warmup"));
      if (c.backlog() && c.workloads().stream().anyMatch(w -> w.name().equals("swap"))) {
        throw new IllegalArgumentException("--backlog does not apply to the swap workload");
      }
      for (String k : List.of("--workloads", "--nodes", "--init-pods", "--pods", "--scale", "--clients", "--parallelism",
          "--stall-seconds", "--no-fsync", "--data-dir", "--verbose", "--backlog", "--no-warmup")) {
        o.remove(k);
      }
      if (!o.isEmpty()) {
        throw new IllegalArgumentException("unknown options " + o.keySet() + "\n" + USAGE);
      }
      return c;
    }

    private static int scaled(int n, double scale) {
      return Math.max(1, (int) Math.round(n * scale));
    }
  }

  /** What one workload measured. */
  record Result(Workload w, double podsPerSecond, double createsPerSecond, double measuredSeconds, int bound,
      Histogram e2e, long scheduled, long unschedulable, long errors, int deleted, int moved, double otherCores,
      String extra) {}

  private SchedulerPerf() {}

  public static void main(String[] args) throws Exception {
    Config cfg;
    try {
      cfg = Config.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (!cfg.verbose()) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
      java.util.logging.Logger.getLogger("").setLevel(Level.WARNING);
    }
    Files.createDirectories(cfg.dataDir());
    long began = System.nanoTime();
    System.out.println("Bosun scheduler benchmark (scheduler_perf-style), " + Instant.now());
    System.out.println(SystemInfo.describe(cfg.dataDir()));
    System.out.println("Setup    per workload: a fresh EmbeddedStore (fsync " + (cfg.fsync() ? "on" : "off")
        + ") and in-process API server; the scheduler (no leader election, parallelism " + cfg.parallelism()
        + ") with the real plugins; " + cfg.clients() + " HTTP clients create nodes and pods"
        + (cfg.backlog() ? "; BACKLOG mode: measured pods created before a fresh scheduler starts" : ""));
    SystemInfo.CpuUse cpuAtStart = SystemInfo.CpuUse.now();
    List<Result> results = new ArrayList<>();
    if (cfg.warmup()) {
      Workload b = WORKLOADS.get("basic");
      Workload warm = new Workload("warm-up", b.upstream() + ", small, not reported", 500, 100, 2000, b.note());
      System.out.println();
      System.out.printf("%s (%s): %d nodes, %d init pods, %d measured pods%n", warm.name(), warm.upstream(),
          warm.nodes(), warm.initPods(), warm.measuredPods());
      run(cfg, warm);
    }
    for (Workload w : cfg.workloads()) {
      System.out.println();
      System.out.printf("%s (%s): %d nodes, %d init pods, %d measured pods; %s%n", w.name(), w.upstream(), w.nodes(),
          w.initPods(), w.measuredPods(), w.note());
      try {
        results.add(run(cfg, w));
      } catch (Exception e) {
        System.out.println("  FAILED: " + e);
        e.printStackTrace(System.out);
      }
    }
    System.out.println();
    System.out.println(cfg.backlog()
        ? "Scheduling throughput, backlog (measured pods / scheduler start -> last measured pod seen bound)"
        : "Scheduling throughput (measured pods / first measured create -> last measured pod seen bound)");
    System.out.println("  workload   |  nodes |  init | measured | bound |  pods/s | creates/s | e2e p50 ms | e2e p99 ms"
        + " | attempts ok/unsched/err | noise");
    System.out.println("  -----------+--------+-------+----------+-------+---------+-----------+------------+-----------"
        + "-+-------------------------+------");
    for (Result r : results) {
      System.out.printf("  %-10s | %6d | %5d | %8d | %5d | %7.1f | %9.1f | %10.1f | %10.1f | %7d/%7d/%7d | %.1f%n",
          r.w().name(), r.w().nodes(), r.w().initPods(), r.w().measuredPods(), r.bound(), r.podsPerSecond(),
          r.createsPerSecond(), r.e2e().getValueAtPercentile(50) / 1e6, r.e2e().getValueAtPercentile(99) / 1e6,
          r.scheduled(), r.unschedulable(), r.errors(), r.otherCores());
    }
    for (Result r : results) {
      if (!r.extra().isEmpty()) {
        System.out.println("  " + r.w().name() + ": " + r.extra());
      }
    }
    System.out.println("  attempts: scheduling attempts of the whole workload (init pods included), by result;"
        + " noise: cores other processes kept busy during the measured phase");
    System.out.printf("Done in %.1f s; %s; load at end %s%n", (System.nanoTime() - began) / 1e9,
        SystemInfo.CpuUse.now().since(cpuAtStart), SystemInfo.loadAverage());
    System.exit(0);
  }

  /** The real plugin factories, by the names the built-in policies use. */
  static Map<String, PluginFactory> factories() {
    Map<String, PluginFactory> f = new LinkedHashMap<>();
    f.put("SchedulingGates", new SchedulingGatesFactory());
    f.put("PrioritySort", new PrioritySortFactory());
    f.put("NodeUnschedulable", new NodeUnschedulableFactory());
    f.put("NodeName", new NodeNameFactory());
    f.put("TaintToleration", new TaintTolerationFactory());
    f.put("NodeAffinity", new NodeAffinityFactory());
    f.put("NodePorts", new NodePortsFactory());
    f.put("NodeResourcesFit", new NodeResourcesFitFactory());
    f.put("PodTopologySpread", new PodTopologySpreadFactory());
    f.put("InterPodAffinity", new InterPodAffinityFactory());
    f.put("DefaultPreemption", new DefaultPreemptionFactory());
    f.put("NodeResourcesBalancedAllocation", new NodeResourcesBalancedAllocationFactory());
    f.put("ImageLocality", new ImageLocalityFactory());
    f.put("DefaultBinder", new DefaultBinderFactory());
    return f;
  }

  /** Counts the scheduler's attempts by result. */
  static final class Attempts implements SchedulerMetrics {
    final Map<String, LongAdder> byResult = new ConcurrentHashMap<>();

    @Override
    public void attempt(String result, String profile, double seconds) {
      byResult.computeIfAbsent(result, k -> new LongAdder()).increment();
    }

    long get(String result) {
      LongAdder a = byResult.get(result);
      return a == null ? 0 : a.sum();
    }
  }

  private static Result run(Config cfg, Workload w) throws Exception {
    Path work = Files.createTempDirectory(cfg.dataDir(), "bosun-schedperf-");
    EmbeddedStore store = new EmbeddedStore(EmbeddedStore.Options.defaults(work.resolve("store")).withFsync(cfg.fsync()));
    ApiServer server = null;
    BenchScheduler scheduler = null;
    PodTracker tracker = null;
    try {
      server = new ApiServer(store, new PrometheusRegistry(), ApiServer.Settings.defaults(0)).start();
      String base = "http://127.0.0.1:" + server.port();
      Rest rest = new Rest(base);
      rest.awaitReady();
      for (String ns : List.of("sched-0", "sched-1")) {
        rest.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns
            + "\"}}", 201, 409);
      }
      if (w.name().equals("preemption")) {
        rest.post("/apis/scheduling.k8s.io/v1/priorityclasses", "{\"apiVersion\":\"scheduling.k8s.io/v1\","
            + "\"kind\":\"PriorityClass\",\"metadata\":{\"name\":\"bench-high\"},\"value\":10}", 201);
      }
      if (w.name().equals("swap")) {
        rest.post("/api/v1/namespaces/kube-system/configmaps", profilesConfigMap("spread"), 201);
      }

      Attempts attempts = new Attempts();
      scheduler = new BenchScheduler(base, factories(), cfg.parallelism(), attempts);
      if (!scheduler.awaitRunning(Duration.ofSeconds(60))) {
        throw new IllegalStateException("the scheduler engine did not start within 60 s");
      }
      if (w.name().equals("swap")) {
        awaitPolicy(scheduler, rest, "spread");
      }

      // Nodes, as API objects with their status (as a kubelet registers them).
      long t = System.nanoTime();
      Load.Result nodes = Load.run("nodes", cfg.clients(), w.nodes(), i -> rest.post("/api/v1/nodes", node(w, i), 201));
      check(nodes, "node creates");
      progress("%d nodes created in %.1f s (%.0f/s)", w.nodes(), (System.nanoTime() - t) / 1e9, nodes.perSecond());

      String rv = rest.get("/api/v1/pods?limit=1").path("metadata").path("resourceVersion").asText();
      tracker = new PodTracker(base, rv);
      PodTracker tr = tracker;

      // Init pods: created and scheduled before the measurement.
      t = System.nanoTime();
      String[] initKeys = keys(w, "init", w.initPods());
      IntFunction<String> initPod = i -> initPod(w, i);
      check(Load.run("init", cfg.clients(), w.initPods(), i -> rest.post(podsPath(initKeys[i]), initPod.apply(i), 201)),
          "init pod creates");
      boolean initDone = tr.awaitUntil(() -> Arrays.stream(initKeys).allMatch(k -> tr.binding(k) != null),
          TimeUnit.SECONDS.toNanos(cfg.stallSeconds()));
      int initBound = (int) Arrays.stream(initKeys).filter(k -> tr.binding(k) != null).count();
      progress("%d of %d init pods bound in %.1f s%s", initBound, w.initPods(), (System.nanoTime() - t) / 1e9,
          initDone ? "" : " (gave up: stalled; queue " + scheduler.queueSummary() + ")");

      // Measured pods: created by the clients while the scheduler schedules them, as upstream does.
      String[] keys = keys(w, "measured", w.measuredPods());
      long[] sent = new long[keys.length];
      IntFunction<String> measuredPod = i -> measuredPod(w, i);
      long generationBefore = scheduler.generation();
      Map<String, Long> swapInfo = new HashMap<>();
      Thread swapper = null;
      if (w.name().equals("swap")) {
        BenchScheduler s = scheduler;
        swapper = Thread.ofPlatform().name("policy-swap").start(() -> {
          try {
            int half = keys.length / 2;
            tr.awaitUntil(() -> Arrays.stream(keys).filter(k -> tr.binding(k) != null).count() >= half,
                TimeUnit.SECONDS.toNanos(cfg.stallSeconds()));
            swapInfo.put("requested", System.nanoTime());
            rest.patch("/api/v1/namespaces/kube-system/configmaps/bosun-scheduler-profiles",
                "{\"data\":{\"profiles\":" + Api.MAPPER.writeValueAsString(profilesYaml("binpack")) + "}}");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (s.generation() == generationBefore && System.nanoTime() < deadline) {
              Thread.sleep(1);
            }
            swapInfo.put("applied", System.nanoTime());
            swapInfo.put("generation", s.generation());
          } catch (Exception e) {
            System.out.println("  .. policy swap failed: " + e);
          }
        });
      }
      if (cfg.backlog()) {
        scheduler.close();
        scheduler = null;
      }
      SystemInfo.CpuUse cpu = SystemInfo.CpuUse.now();
      long start = System.nanoTime();
      Load.Result creates = Load.run("measured", cfg.clients(), keys.length, i -> {
        sent[i] = System.nanoTime();
        rest.post(podsPath(keys[i]), measuredPod.apply(i), 201);
      });
      check(creates, "measured pod creates");
      long createdAt = System.nanoTime();
      long createNanos = createdAt - start;
      if (cfg.backlog()) {
        cpu = SystemInfo.CpuUse.now();
        start = System.nanoTime();
        Arrays.fill(sent, start); // e2e: from the scheduler's start
        scheduler = new BenchScheduler(base, factories(), cfg.parallelism(), attempts);
        if (!scheduler.awaitRunning(Duration.ofSeconds(120))) {
          throw new IllegalStateException("the second scheduler engine did not start within 120 s");
        }
        progress("backlog of %d pods created in %.1f s; a fresh scheduler's engine runs %.1f s after its start",
            keys.length, createNanos / 1e9, (System.nanoTime() - start) / 1e9);
      }
      boolean done = tr.awaitUntil(() -> Arrays.stream(keys).allMatch(k -> tr.binding(k) != null),
          TimeUnit.SECONDS.toNanos(cfg.stallSeconds()));
      if (swapper != null) {
        swapper.join(TimeUnit.SECONDS.toMillis(60));
      }
      // The watch may see a binding before the binding cycle that made it has recorded its attempt.
      long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (attempts.get("scheduled") < tr.boundCount() && System.nanoTime() < settle) {
        Thread.sleep(10);
      }
      double otherCores = SystemInfo.CpuUse.now().otherSeconds(cpu) * 1e9 / Math.max(1, System.nanoTime() - start);
      Histogram e2e = Load.histogram();
      long last = start;
      int bound = 0;
      for (int i = 0; i < keys.length; i++) {
        PodTracker.Binding b = tr.binding(keys[i]);
        if (b != null) {
          bound++;
          last = Math.max(last, b.atNanos());
          e2e.recordValue(Math.min(Math.max(1_000, b.atNanos() - sent[i]), e2e.getHighestTrackableValue()));
        }
      }
      double seconds = (last - start) / 1e9;
      double podsPerSecond = bound / seconds;
      double createsPerSecond = keys.length * 1e9 / createNanos;
      progress("%d of %d measured pods bound %.1f s after the %s: %.1f pods/s (creates took %.1f s: %.1f/s)%s",
          bound, keys.length, seconds, cfg.backlog() ? "scheduler's start" : "first create", podsPerSecond,
          createNanos / 1e9, createsPerSecond,
          done ? "" : " (gave up: stalled; queue " + scheduler.queueSummary() + ")");

      long firstBound = Arrays.stream(keys).map(tr::binding).filter(java.util.Objects::nonNull)
          .mapToLong(PodTracker.Binding::atNanos).min().orElse(start);
      progress("first measured pod bound %.1f s after the %s", (firstBound - start) / 1e9,
          cfg.backlog() ? "scheduler's start" : "first create");
      if (attempts.get("error") > 0) {
        progress("FailedScheduling events (a pod's repeated failures count once per message): %s",
            failedScheduling(rest));
      }
      String extra = "";
      if (w.name().equals("preemption")) {
        extra = String.format("%d low-priority pods deleted as victims (%.1f per measured pod)", tr.deletedCount(),
            tr.deletedCount() / (double) Math.max(1, bound));
      } else if (w.name().equals("swap")) {
        extra = swapReport(tr, keys, initKeys, swapInfo, generationBefore, attempts, start);
      } else if (w.name().equals("spread")) {
        extra = "measured pods per zone " + perZone(tr, keys, w);
      }
      if (!extra.isEmpty()) {
        progress("%s", extra);
      }
      return new Result(w, podsPerSecond, createsPerSecond, seconds, bound, e2e, attempts.get("scheduled"),
          attempts.get("unschedulable"), attempts.get("error"), tr.deletedCount(), tr.movedCount(), otherCores, extra);
    } finally {
      if (tracker != null) {
        tracker.close();
      }
      if (scheduler != null) {
        scheduler.close();
      }
      if (server != null) {
        server.close();
      }
      store.close();
      deleteTree(work);
    }
  }

  /**
   * The policy swap's evidence: where pods bound before and after it went (spread: about one pod per
   * node; binpack: nodes filled up), and that every pod was bound exactly once.
   */
  private static String swapReport(PodTracker tr, String[] keys, String[] initKeys, Map<String, Long> swap,
      long generationBefore, Attempts attempts, long start) {
    Long applied = swap.get("applied");
    if (applied == null) {
      return "the swap was not applied";
    }
    Map<String, Integer> before = new HashMap<>();
    Map<String, Integer> after = new HashMap<>();
    int nBefore = 0;
    int nAfter = 0;
    for (String k : keys) {
      PodTracker.Binding b = tr.binding(k);
      if (b == null) {
        continue;
      }
      if (b.atNanos() < applied) {
        before.merge(b.node(), 1, Integer::sum);
        nBefore++;
      } else {
        after.merge(b.node(), 1, Integer::sum);
        nAfter++;
      }
    }
    int total = initKeys.length + keys.length;
    long scheduled = attempts.get("scheduled");
    int boundAll = (int) Stream.concat(Arrays.stream(initKeys), Arrays.stream(keys)).filter(k -> tr.binding(k) != null)
        .count();
    return String.format("generation %d -> %d, applied %.0f ms after the ConfigMap write (%.1f s into the measurement);"
        + " spread: %d pods on %d nodes (max %d per node); binpack: %d pods on %d nodes (max %d per node);"
        + " every pod bound once: %s (%d of %d pods bound, %d successful scheduling attempts, %d seen moving to another node)",
        generationBefore, swap.getOrDefault("generation", -1L), (applied - swap.get("requested")) / 1e6,
        (swap.get("requested") - start) / 1e9, nBefore, before.size(), max(before), nAfter, after.size(), max(after),
        boundAll == total && scheduled == total && tr.movedCount() == 0 ? "yes" : "NO", boundAll, total, scheduled,
        tr.movedCount());
  }

  /**
   * The FailedScheduling events' messages (numbers blanked), most frequent first, at most five: what
   * the scheduler said about its failed attempts (errors and unschedulable alike).
   */
  private static String failedScheduling(Rest rest) {
    try {
      var list = rest.get("/api/v1/events?fieldSelector=reason%3DFailedScheduling");
      Map<String, Integer> byMessage = new HashMap<>();
      for (var e : list.path("items")) {
        String m = e.path("message").asText().replaceAll("[0-9]+", "N");
        byMessage.merge(m.length() > 240 ? m.substring(0, 240) + ".." : m, e.path("count").asInt(1), Integer::sum);
      }
      StringBuilder sb = new StringBuilder();
      byMessage.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(5)
          .forEach(en -> sb.append("\n       ").append(en.getValue()).append(" x ").append(en.getKey()));
      return sb.isEmpty() ? "none" : sb.toString();
    } catch (Exception e) {
      return "(events not readable: " + e + ")";
    }
  }

  private static int max(Map<String, Integer> m) {
    return m.values().stream().max(Comparator.naturalOrder()).orElse(0);
  }

  private static String perZone(PodTracker tr, String[] keys, Workload w) {
    Map<String, Integer> zones = new TreeMap<>();
    for (String k : keys) {
      PodTracker.Binding b = tr.binding(k);
      if (b != null) {
        zones.merge(zone(w, Integer.parseInt(b.node().substring(b.node().lastIndexOf('-') + 1))), 1, Integer::sum);
      }
    }
    return zones.toString();
  }

  private static void awaitPolicy(BenchScheduler s, Rest rest, String policy) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      var cm = rest.getOrNull("/api/v1/namespaces/kube-system/configmaps/bosun-scheduler");
      String status = cm == null ? "" : cm.path("data").path("status.json").asText("");
      if (!status.isEmpty()) {
        for (var profile : Api.MAPPER.readTree(status).path("profiles")) {
          if (profile.path("policy").asText().equals(policy) && profile.path("ready").asBoolean()) {
            return;
          }
        }
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the scheduler did not take policy " + policy + " from the profiles ConfigMap");
  }

  // ---- objects -------------------------------------------------------------------------------

  private static String[] keys(Workload w, String phase, int n) {
    String ns = switch (w.name()) {
      case "affinity" -> phase.equals("init") ? "sched-0" : "sched-1";
      default -> "default";
    };
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      keys[i] = ns + "/" + phase + "-" + String.format("%06d", i);
    }
    return keys;
  }

  private static String podsPath(String key) {
    return "/api/v1/namespaces/" + key.substring(0, key.indexOf('/')) + "/pods";
  }

  static String zone(Workload w, int node) {
    return switch (w.name()) {
      case "spread" -> "moon-" + (node % 3 + 1);
      case "affinity" -> "zone1";
      default -> null;
    };
  }

  /** upstream's node-default: 4 cpu, 32Gi, 110 pods; Ready; hostname (and zone) labels. */
  private static String node(Workload w, int i) {
    String name = String.format("node-%06d", i);
    ObjectNode n = Api.MAPPER.createObjectNode().put("apiVersion", "v1").put("kind", "Node");
    ObjectNode labels = n.putObject("metadata").put("name", name).putObject("labels");
    labels.put("kubernetes.io/hostname", name).put("kubernetes.io/os", "linux");
    String zone = zone(w, i);
    if (zone != null) {
      labels.put("topology.kubernetes.io/zone", zone);
    }
    ObjectNode status = n.putObject("status");
    for (String f : List.of("capacity", "allocatable")) {
      status.putObject(f).put("pods", "110").put("cpu", "4").put("memory", "32Gi");
    }
    status.putArray("conditions").addObject().put("type", "Ready").put("status", "True");
    return n.toString();
  }

  private static String initPod(Workload w, int i) {
    return switch (w.name()) {
      case "affinity" -> pod("sched-0", "init-" + String.format("%06d", i), "100m", true, null, true, false);
      case "preemption" -> pod("default", "init-" + String.format("%06d", i), "900m", false, null, false, false);
      default -> pod("default", "init-" + String.format("%06d", i), "100m", false, null, false, false);
    };
  }

  private static String measuredPod(Workload w, int i) {
    String name = "measured-" + String.format("%06d", i);
    return switch (w.name()) {
      case "spread" -> pod("default", name, "100m", true, null, false, true);
      case "affinity" -> pod("sched-1", name, "100m", true, null, true, false);
      case "preemption" -> pod("default", name, "3000m", false, "bench-high", false, false);
      default -> pod("default", name, "100m", false, null, false, false);
    };
  }

  /** upstream's pod templates: one pause container with port 80, cpu as given and 500Mi requests = limits. */
  private static String pod(String ns, String name, String cpu, boolean blue, String priorityClass, boolean affinity,
      boolean spread) {
    ObjectNode p = Api.MAPPER.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode meta = p.putObject("metadata").put("name", name).put("namespace", ns);
    if (blue) {
      meta.putObject("labels").put("color", "blue");
    }
    ObjectNode spec = p.putObject("spec");
    if (priorityClass != null) {
      spec.put("priorityClassName", priorityClass);
    } else if (cpu.equals("900m")) {
      spec.put("terminationGracePeriodSeconds", 0); // pod-low-priority: victims go at once
    }
    if (affinity) {
      ObjectNode term = spec.putObject("affinity").putObject("podAffinity")
          .putArray("requiredDuringSchedulingIgnoredDuringExecution").addObject();
      term.putObject("labelSelector").putObject("matchLabels").put("color", "blue");
      term.put("topologyKey", "topology.kubernetes.io/zone");
      term.putArray("namespaces").add("sched-0").add("sched-1");
    }
    if (spread) {
      ObjectNode c = spec.putArray("topologySpreadConstraints").addObject().put("maxSkew", 5)
          .put("topologyKey", "topology.kubernetes.io/zone").put("whenUnsatisfiable", "DoNotSchedule");
      c.putObject("labelSelector").putObject("matchLabels").put("color", "blue");
    }
    ObjectNode c = ((ArrayNode) spec.putArray("containers")).addObject().put("name", "pause")
        .put("image", "registry.k8s.io/pause:3.10");
    c.putArray("ports").addObject().put("containerPort", 80);
    ObjectNode res = c.putObject("resources");
    res.putObject("requests").put("cpu", cpu).put("memory", "500Mi");
    res.putObject("limits").put("cpu", cpu).put("memory", "500Mi");
    return p.toString();
  }

  static String profilesYaml(String policy) {
    return "- schedulerName: default-scheduler\n  policy: " + policy + "\n";
  }

  private static String profilesConfigMap(String policy) throws IOException {
    ObjectNode cm = Api.MAPPER.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
    cm.putObject("metadata").put("name", "bosun-scheduler-profiles").put("namespace", "kube-system");
    cm.putObject("data").put("profiles", profilesYaml(policy));
    return cm.toString();
  }

  // ---- plumbing ------------------------------------------------------------------------------

  /** JSON over one keep-alive HTTP/1.1 client. */
  static final class Rest {
    private final String base;
    private final HttpClient http = Api.client();

    Rest(String base) {
      this.base = base;
    }

    void awaitReady() throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          if (http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            return;
          }
        } catch (IOException notYet) {
          // starting
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(base + " not ready within 30 s");
        }
        Thread.sleep(50);
      }
    }

    void post(String path, String body, int... ok) throws IOException, InterruptedException {
      send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), ok);
    }

    void patch(String path, String mergePatch) throws IOException, InterruptedException {
      send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
          .header("Content-Type", "application/merge-patch+json")
          .method("PATCH", HttpRequest.BodyPublishers.ofString(mergePatch)).build(), 200);
    }

    com.fasterxml.jackson.databind.JsonNode get(String path) throws IOException, InterruptedException {
      var r = getOrNull(path);
      if (r == null) {
        throw new IOException("GET " + path + ": 404");
      }
      return r;
    }

    com.fasterxml.jackson.databind.JsonNode getOrNull(String path) throws IOException, InterruptedException {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
          .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() == 404) {
        return null;
      }
      Api.expect(r, 200, "GET " + path);
      return Api.MAPPER.readTree(r.body());
    }

    private void send(HttpRequest req, int... ok) throws IOException, InterruptedException {
      HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      for (int code : ok) {
        if (r.statusCode() == code) {
          return;
        }
      }
      Api.expect(r, ok[0], req.method() + " " + req.uri().getPath());
    }
  }

  private static void check(Load.Result r, String what) {
    if (r.failed() > 0) {
      throw new IllegalStateException(r.failed() + " " + what + " failed, first: " + r.firstError());
    }
  }

  private static void progress(String format, Object... args) {
    System.out.printf("  .. " + format + "%n", args);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      List<Path> all = new ArrayList<>(paths.toList());
      all.sort(Comparator.reverseOrder());
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    }
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
