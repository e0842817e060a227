package io.bosun.bench;

import io.bosun.apiserver.ApiServer;
import io.bosun.store.embedded.EmbeddedStore;
import io.bosun.store.etcd.EtcdStore;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.KeyValueStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * End-to-end create and watch benchmark: raw store puts, REST pod creates and watch delivery, on one
 * machine in one run, so the figures can be compared with each other. Usage: see {@link #USAGE} and
 * the module's README.md. It is a plain main on purpose: it must never run as part of the build.
 */
public final class ApiBenchmark {

  static final String USAGE = """
      usage: ApiBenchmark [options]
        --url URL            REST and watch parts against this running server (e.g. http://127.0.0.1:6443);
                             default: an in-process API server over a fresh embedded store
        --etcd               etcd instead of the embedded store: starts a 1-member etcd (data under --data-dir);
                             the store part puts through EtcdStore, the in-process API server runs on EtcdStore
        --creates N          measured creates per concurrency level (default 3000)
        --warmup N           warm-up creates before the levels (default 1000; plus 4 x level before each level)
        --levels A,B,..      concurrent writers / clients (default 1,16,64)
        --watchers N         concurrent watchers (default 100)
        --watch-events N     pods created while watching (default 1000)
        --watch-rate N       creates per second while watching (default 100)
        --namespace NS       namespace for the pods (default bench)
        --seed N             seeds the run id in pod names (default: the clock)
        --data-dir DIR       where the fresh stores go (default: java.io.tmpdir); use a real disk: fsync is measured
        --skip PARTS         comma list of store, rest, watch
        --keep               keep the data directory (in-process) or the run's pods (--url)
        --verbose            server and store logging at INFO
      """;

  /** The parsed command line. */
  record Config(String url, int creates, int warmup, int[] levels, int watchers, int watchEvents, int watchRate,
      String namespace, long seed, Path dataDir, List<String> skip, boolean keep, boolean verbose, boolean etcd) {

    static Config parse(String[] args) {
      Map<String, String> o = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--keep") || a.equals("--verbose") || a.equals("--etcd") || a.equals("--help") || a.equals("-h")) {
          o.put(a, "true");
        } else if (a.startsWith("--") && i + 1 < args.length) {
          o.put(a, args[++i]);
        } else {
          throw new IllegalArgumentException("unknown argument " + a);
        }
      }
      if (o.containsKey("--help") || o.containsKey("-h")) {
        System.out.print(USAGE);
        System.exit(0);
      }
      Config c = new Config(o.remove("--url"), Integer.parseInt(o.getOrDefault("--creates", "3000")),
          Integer.parseInt(o.getOrDefault("--warmup", "1000")),
          Arrays.stream(o.getOrDefault("--levels", "1,16,64").split(",")).mapToInt(Integer::parseInt).toArray(),
          Integer.parseInt(o.getOrDefault("--watchers", "100")), Integer.parseInt(o.getOrDefault("--watch-events", "1000")),
          Integer.parseInt(o.getOrDefault("--watch-rate", "100")), o.getOrDefault("--namespace", "bench"),
          o.containsKey("--seed") ? Long.parseLong(o.get("--seed")) : System.currentTimeMillis(),
          Path.of(o.getOrDefault("--data-dir", System.getProperty("java.io.tmpdir"))),
          List.of(o.getOrDefault("--skip", "").split(",")), o.containsKey("--keep"), o.containsKey("--verbose"),
          o.containsKey("--etcd"));
      for (String k : List.of("--creates", "--warmup", "--levels", "--watchers", "--watch-events", "--watch-rate",
          "--namespace", "--seed", "--data-dir", "--skip", "--keep", "--verbose", "--etcd")) {
        o.remove(k);
      }
      if (!o.isEmpty()) {
        throw new IllegalArgumentException("unknown options " + o.keySet() + "\n" + USAGE);
      }
      return c;
    }

    boolean runs(String part) {
      return !skip.contains(part);
    }
  }

  private static final Duration MIN_MEASURED = Duration.ofSeconds(2);
  private static final int MAX_ROUNDS = 20;

  private ApiBenchmark() {}

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
      // Before anything touches a logger: the server's and store's INFO lines would interleave with the table.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
      java.util.logging.Logger.getLogger("").setLevel(Level.WARNING);
    }
    long began = System.nanoTime();
    Files.createDirectories(cfg.dataDir());
    Path work = Files.createTempDirectory(cfg.dataDir(), "bosun-bench-");
    Pods pods = new Pods(cfg.namespace(), cfg.seed());
    System.out.println("Bosun API benchmark, run " + pods.run() + " (seed " + cfg.seed() + ")");
    System.out.println(SystemInfo.describe(work));
    SystemInfo.CpuUse cpuAtStart = SystemInfo.CpuUse.now();

    KeyValueStore apiStore = null;
    ApiServer server = null;
    List<EtcdServer> etcds = new ArrayList<>();
    try {
      // Fresh stores of the kind under test: the API server's and the raw puts' one.
      Stores stores;
      if (cfg.etcd()) {
        Path binary = EtcdServer.binary().orElseThrow(() -> new IllegalStateException(
            "--etcd needs an etcd binary: install Debian's etcd-server, or set -Dbosun.etcd.binary or $BOSUN_ETCD"));
        // One etcd each for the API server, the EtcdStore creates and the plain jetcd puts: the API server's
        // store watches its whole etcd, so puts into the same cluster would cost this JVM watch work while
        // the store part runs, and an EtcdStore must be the only writer of its cluster.
        Map<String, String> endpoints = new LinkedHashMap<>();
        for (String name : List.of("api", "store", "raw")) {
          EtcdServer etcd = EtcdServer.start(binary, work.resolve("etcd-" + name));
          etcds.add(etcd);
          endpoints.put(name, etcd.endpoint());
        }
        stores = new Stores("EtcdStore (its own 1-member etcd " + etcds.get(0).version() + ", data under " + work + ")",
            name -> new EtcdStore(EtcdStore.Options.defaults(List.of(endpoints.get(name)))), endpoints.get("raw"));
      } else {
        stores = new Stores("EmbeddedStore (fsync on)", name -> new EmbeddedStore(work.resolve(name)), null);
      }
      String base = cfg.url();
      if (base == null) {
        apiStore = CountingStore.wrap(stores.open("api"));
        server = new ApiServer(apiStore, new PrometheusRegistry(), ApiServer.Settings.defaults(0)).start();
        base = "http://127.0.0.1:" + server.port();
      }
      Api api = new Api(base, pods);
      api.awaitReady(Duration.ofSeconds(30));
      api.ensureNamespace();
      System.out.println("Server   " + (cfg.url() == null ? "in-process " + base + " over a fresh " + stores.description()
          : cfg.url() + " (external)"));
      System.out.println("Store    creates through the store SPI into a fresh " + stores.description());
      if (stores.rawEndpoint() != null) {
        System.out.println("etcd     plain jetcd KV.put of the same bytes under the same key shape into a third etcd, "
            + "no transaction (the floor: what etcd itself does per put)");
      }

      // One real create tells what the server stores for this manifest: the bytes the store phase puts.
      String sampleName = pods.name('p', 'w', 0, 0);
      api.create(sampleName);
      KeyValue sampleKv = apiStore == null ? null : apiStore.get(pods.key(sampleName));
      byte[] stored = sampleKv != null ? sampleKv.value() : api.storedForm(sampleName);
      System.out.printf("Pod      manifest %d bytes, stored %d bytes; rounds of %d creates, warm-up %d + 4 x level%n",
          pods.manifest(sampleName, 0).length, stored.length, cfg.creates(), cfg.warmup());
      System.out.println();

      Map<Integer, Load.Result> store = new LinkedHashMap<>();
      Map<Integer, Load.Result> raw = new LinkedHashMap<>();
      if (cfg.runs("store")) {
        store = storePuts(cfg, pods, stores, sampleName, stored, raw);
      }
      Map<Integer, Load.Result> rest = new LinkedHashMap<>();
      if (cfg.runs("rest")) {
        Map<String, Long> before = apiStore == null ? Map.of() : CountingStore.of(apiStore).snapshot();
        rest = restCreates(cfg, pods, api);
        if (apiStore != null) {
          long creates = rest.values().stream().mapToLong(r -> r.ok() + r.failed()).sum()
              + (long) cfg.warmup() + Arrays.stream(cfg.levels()).mapToLong(l -> Math.max(50, 4 * l)).sum();
          // What one REST create asks of the store; on etcd every call is a round trip.
          System.out.println("  .. store calls per REST create: "
              + CountingStore.perOperation(before, CountingStore.of(apiStore).snapshot(), creates));
        }
      }
      WatchBench.Result watch = null;
      if (cfg.runs("watch")) {
        // The watch path (per-watcher encoding, streaming) has code the create rounds never ran: warm it too.
        int warmEvents = Math.min(cfg.watchEvents(), Math.max(100, cfg.watchRate() * 3));
        progress("watch warm-up: %d watchers, %d creates at %d/s", cfg.watchers(), warmEvents, cfg.watchRate());
        WatchBench.run(api, pods, 'w', cfg.watchers(), warmEvents, cfg.watchRate());
        progress("watch: %d watchers, %d creates at %d/s", cfg.watchers(), cfg.watchEvents(), cfg.watchRate());
        watch = WatchBench.run(api, pods, 'm', cfg.watchers(), cfg.watchEvents(), cfg.watchRate());
      }
      System.out.println();
      printTable(cfg, raw, store, rest, watch);
      if (cfg.url() != null && !cfg.keep()) {
        System.out.println("Cleanup  DELETE this run's pods: HTTP " + api.deleteRunPods());
      }
      System.out.printf("Done in %.1f s; %s; load at end %s%n", (System.nanoTime() - began) / 1e9,
          SystemInfo.CpuUse.now().since(cpuAtStart), SystemInfo.loadAverage());
    } finally {
      if (server != null) {
        server.close();
      }
      if (apiStore != null && CountingStore.of(apiStore).store() instanceof AutoCloseable c) {
        c.close();
      }
      for (EtcdServer etcd : etcds) {
        etcd.close();
      }
      if (!cfg.keep()) {
        deleteTree(work);
      } else {
        System.out.println("Data kept in " + work);
      }
    }
    // HttpClient selector threads and Jetty's scheduler would otherwise keep the JVM alive for a while.
    System.exit(0);
  }

  /** A store write prepared before timing, so only the store is measured. */
  record Put(String key, byte[] value) {}

  /** Opens a fresh store of the kind under test. */
  @FunctionalInterface
  private interface StoreFactory {
    KeyValueStore open(String name) throws Exception;
  }

  /**
   * The kind of store under test: what the table calls it, how to open a fresh one, and (etcd only)
   * the endpoint of an etcd of its own for the raw puts, else null.
   */
  private record Stores(String description, StoreFactory factory, String rawEndpoint) {
    KeyValueStore open(String name) throws Exception {
      return factory.open(name);
    }
  }

  /**
   * Raw store creates (through the SPI) of the stored pod bytes, with unique keys, names and uids. On
   * etcd, each level first runs the same number of plain jetcd puts (same bytes, keys of the same shape:
   * the EtcdStore's {@code /bosun/kv/registry/pods/...} layout, part letter e) into {@code raw}.
   */
  private static Map<Integer, Load.Result> storePuts(Config cfg, Pods pods, Stores stores, String sampleName,
      byte[] stored, Map<Integer, Load.Result> raw) throws Exception {
    String sample = new String(stored, StandardCharsets.UTF_8);
    String sampleUid = Api.MAPPER.readTree(stored).path("metadata").path("uid").asText("\u0000");
    Random random = new Random(cfg.seed());
    Map<Integer, Load.Result> results = new LinkedHashMap<>();
    KeyValueStore store = stores.open("store");
    RawEtcd etcd = stores.rawEndpoint() == null ? null : new RawEtcd(stores.rawEndpoint());
    try {
      Put[] warm = puts(pods, sample, sampleName, sampleUid, random, 'w', 0, cfg.warmup(), 0);
      check(Load.run("store-warmup", 16, warm.length, putOp(store, warm)));
      if (etcd != null) {
        Put[] rawWarm = puts(pods, sample, sampleName, sampleUid, random, 'w', 0, cfg.warmup(), 0, 'e');
        check(Load.run("etcd-warmup", 16, rawWarm.length, etcd.putOp(rawWarm)));
      }
      for (int level : cfg.levels()) {
        if (etcd != null) {
          Put[] rawWarm = puts(pods, sample, sampleName, sampleUid, random, 'w', level, Math.max(50, 4 * level), 0, 'e');
          check(Load.run("etcd-warmup", level, rawWarm.length, etcd.putOp(rawWarm)));
          Load.Result r = repeated(round -> {
            Put[] measured = puts(pods, sample, sampleName, sampleUid, random, 'm', level, cfg.creates(),
                round * cfg.creates(), 'e');
            return Load.run("etcd", level, measured.length, etcd.putOp(measured));
          });
          raw.put(level, r);
          progress("etcd  %3d writers: %8.0f puts/s   p50 %6.2f ms  p99 %6.2f ms  noise %s  (%d plain jetcd puts)%s",
              level, r.perSecond(), r.p50Ms(), r.p99Ms(), noise(r), r.ok() + r.failed(), failures(r));
        }
        warm = puts(pods, sample, sampleName, sampleUid, random, 'w', level, Math.max(50, 4 * level), 0);
        check(Load.run("store-warmup", level, warm.length, putOp(store, warm)));
        Map<String, Object> before = store.status();
        Load.Result r = repeated(round -> {
          Put[] measured = puts(pods, sample, sampleName, sampleUid, random, 'm', level, cfg.creates(),
              round * cfg.creates());
          return Load.run("store", level, measured.length, putOp(store, measured));
        });
        results.put(level, r);
        // Group commit at work: writes per commit and commits (fsyncs) per second, to tell disk from CPU limits.
        Map<String, Object> after = store.status();
        long commits = counter(after, "commits") - counter(before, "commits");
        long writes = counter(after, "committedWrites") - counter(before, "committedWrites");
        progress("store %3d writers: %8.0f puts/s   p50 %6.2f ms  p99 %6.2f ms  noise %s  (%d puts%s)%s", level,
            r.perSecond(), r.p50Ms(), r.p99Ms(), noise(r), r.ok() + r.failed(), commits <= 0 ? ""
                : String.format(", %.1f per commit, %.0f commits/s", (double) writes / commits, commits * 1e9 / r.wallNanos()),
            failures(r));
      }
    } finally {
      if (etcd != null) {
        etcd.close();
      }
      if (store instanceof AutoCloseable c) {
        c.close();
      }
    }
    return results;
  }

  private static long counter(Map<String, Object> status, String key) {
    return status.get(key) instanceof Number n ? n.longValue() : 0;
  }

  private static Put[] puts(Pods pods, String sample, String sampleName, String sampleUid, Random random, char kind,
      int level, int n, int firstIndex) {
    return puts(pods, sample, sampleName, sampleUid, random, kind, level, n, firstIndex, 's');
  }

  private static Put[] puts(Pods pods, String sample, String sampleName, String sampleUid, Random random, char kind,
      int level, int n, int firstIndex, char part) {
    Put[] puts = new Put[n];
    for (int i = 0; i < n; i++) {
      String name = pods.name(part, kind, level, firstIndex + i);
      String uid = new UUID(random.nextLong(), random.nextLong()).toString();
      puts[i] = new Put(part == 'e' ? RawEtcd.KEY_PREFIX + pods.key(name) : pods.key(name),
          sample.replace(sampleName, name).replace(sampleUid, uid).getBytes(StandardCharsets.UTF_8));
    }
    return puts;
  }

  private static Load.Op putOp(KeyValueStore store, Put[] puts) {
    return i -> {
      if (!store.create(puts[i].key(), puts[i].value(), 0).succeeded()) {
        throw new IllegalStateException("key exists: " + puts[i].key());
      }
    };
  }

  /** Pod creates over HTTP, one keep-alive connection per concurrent client. */
  private static Map<Integer, Load.Result> restCreates(Config cfg, Pods pods, Api api) throws Exception {
    Map<Integer, Load.Result> results = new LinkedHashMap<>();
    check(Load.run("rest-warmup", 16, cfg.warmup(), i -> api.create(pods.name('r', 'w', 0, i))));
    for (int level : cfg.levels()) {
      // Also opens this level's connections before the clock starts.
      check(Load.run("rest-warmup", level, Math.max(50, 4 * level), i -> api.create(pods.name('r', 'w', level, i))));
      Load.Result r = repeated(round -> Load.run("rest", level, cfg.creates(),
          i -> api.create(pods.name('r', 'm', level, round * cfg.creates() + i))));
      results.put(level, r);
      progress("rest  %3d clients: %8.0f creates/s p50 %6.2f ms  p99 %6.2f ms  noise %s  (%d creates)%s", level,
          r.perSecond(), r.p50Ms(), r.p99Ms(), noise(r), r.ok() + r.failed(), failures(r));
    }
    return results;
  }

  /** A measurement of its own. */
  @FunctionalInterface
  private interface Round {
    Load.Result run(int round) throws Exception;
  }

  /**
   * Repeats a level's round of N creates until at least {@link #MIN_MEASURED} has been measured:
   * 3000 store puts at 64 writers take well under 100 ms, too short to be stable.
   */
  private static Load.Result repeated(Round round) throws Exception {
    List<Load.Result> rounds = new ArrayList<>();
    long measured = 0;
    while (measured < MIN_MEASURED.toNanos() && rounds.size() < MAX_ROUNDS) {
      Load.Result r = round.run(rounds.size());
      rounds.add(r);
      measured += r.wallNanos();
    }
    return Load.merge(rounds);
  }

  private static void check(Load.Result warmup) {
    if (warmup.failed() > 0) {
      throw new IllegalStateException(warmup.failed() + " warm-up creates failed, first: " + warmup.firstError());
    }
  }

  private static String failures(Load.Result r) {
    return r.failed() == 0 ? "" : "  FAILED " + r.failed() + ", first: " + r.firstError();
  }

  private static void progress(String format, Object... args) {
    System.out.printf("  .. " + format + "%n", args);
  }

  private static void printTable(Config cfg, Map<Integer, Load.Result> raw, Map<Integer, Load.Result> store,
      Map<Integer, Load.Result> rest, WatchBench.Result watch) {
    if (!store.isEmpty() || !rest.isEmpty()) {
      System.out.printf("Creates on %s (rounds of %d per level, repeated to >= %d s measured; latency per call)%n",
          cfg.etcd() ? "etcd" : "the embedded store", cfg.creates(), MIN_MEASURED.toSeconds());
      if (cfg.etcd()) {
        System.out.println("  conc |  etcd puts/s   p50 ms   p99 ms | EtcdStore/s   p50 ms   p99 ms "
            + "| API creates/s   p50 ms   p99 ms | API/etcd | API/EtcdStore | noise");
        System.out.println("  -----+--------------------------------+------------------------------"
            + "+---------------------------------+----------+---------------+------------");
      } else {
        System.out.println("  conc | store puts/s   p50 ms   p99 ms | API creates/s   p50 ms   p99 ms | API/store | noise");
        System.out.println("  -----+--------------------------------+---------------------------------+-----------+------");
      }
      for (int level : cfg.levels()) {
        Load.Result e = raw.get(level);
        Load.Result s = store.get(level);
        Load.Result a = rest.get(level);
        String storeCols = s == null ? " ".repeat(30) : String.format("%12.0f %8.2f %8.2f", s.perSecond(), s.p50Ms(), s.p99Ms());
        String apiCols = a == null ? " ".repeat(31) : String.format("%13.0f %8.2f %8.2f", a.perSecond(), a.p50Ms(), a.p99Ms());
        if (cfg.etcd()) {
          System.out.printf("  %4d | %s | %s | %s | %8s | %13s | %s%n", level,
              e == null ? " ".repeat(30) : String.format("%12.0f %8.2f %8.2f", e.perSecond(), e.p50Ms(), e.p99Ms()),
              s == null ? " ".repeat(28) : String.format("%11.0f %8.2f %8.2f", s.perSecond(), s.p50Ms(), s.p99Ms()),
              apiCols, ratio(a, e), ratio(a, s), noise(e) + " " + noise(s) + " " + noise(a));
        } else {
          System.out.printf("  %4d | %s | %s | %9s | %s%n", level, storeCols, apiCols, ratio(a, s),
              noise(s) + " " + noise(a));
        }
      }
      System.out.println("  noise: cores other processes kept busy during the "
          + (cfg.etcd() ? "etcd / EtcdStore / API" : "store / API") + " row (0.0 = quiet machine"
          + (cfg.etcd() ? "; the harness's etcd servers count as this run's own" : "")
          + (cfg.url() != null ? "; with --url the server under test counts as another process)" : ")"));
      Stream.of(raw.values(), store.values(), rest.values()).flatMap(java.util.Collection::stream)
          .filter(r -> r.failed() > 0).max(Comparator.comparingInt(Load.Result::failed))
          .ifPresent(r -> System.out.println("  FAILURES: " + r.failed() + ", first: " + r.firstError()));
      System.out.println();
    }
    if (watch != null) {
      var d = watch.delivery();
      var c = watch.create();
      System.out.printf("Watch (%d watchers x %d creates at %.0f/s; create stamp -> watcher read)%n", watch.watchers(),
          watch.events(), watch.sentPerSecond());
      System.out.printf("  delivered %d of %d   p50 %.2f ms   p99 %.2f ms   max %.2f ms%n", watch.delivered(),
          (long) watch.watchers() * watch.events(), d.getValueAtPercentile(50) / 1e6, d.getValueAtPercentile(99) / 1e6,
          d.getMaxValue() / 1e6);
      System.out.printf("  creates meanwhile     p50 %.2f ms   p99 %.2f ms   noise %.1f%s%n", c.getValueAtPercentile(50) / 1e6,
          c.getValueAtPercentile(99) / 1e6, watch.otherCores(), watch.createFailures() == 0 ? ""
              : "   FAILED " + watch.createFailures() + ", first: " + watch.firstError());
      System.out.println();
    }
  }

  private static String ratio(Load.Result a, Load.Result b) {
    return a == null || b == null ? "" : String.format("%.3f", a.perSecond() / b.perSecond());
  }

  private static String noise(Load.Result r) {
    return r == null || Double.isNaN(r.otherCores()) ? "-" : String.format("%.1f", r.otherCores());
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
}
