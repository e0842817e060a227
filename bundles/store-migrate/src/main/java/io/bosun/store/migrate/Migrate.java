package io.bosun.store.migrate;

import io.bosun.store.embedded.EmbeddedSnapshot;
import io.bosun.store.etcd.EtcdImport;
import io.bosun.store.etcd.EtcdStore;
import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.RangeResult;
import io.bosun.store.spi.StoreException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code ./bosun migrate}: moves a cluster from the embedded store to etcd with nothing lost.
 *
 * <ol>
 *   <li>Reads the embedded store file read-only (the runtime must be stopped): every key with its
 *       create and mod revision, the store revision, the leases.</li>
 *   <li>Refuses unless the etcd prefix is empty.</li>
 *   <li>Writes every key at its own revisions ({@link EtcdImport}), so resourceVersions keep their
 *       meaning: objects keep theirs, the store continues from the source's revision, and clients'
 *       optimistic-concurrency preconditions still hold.</li>
 *   <li>Verifies through {@link EtcdStore}, the code the runtime runs: same revision, same keys,
 *       values, create and mod revisions and lease attachment, same count and SHA-256.</li>
 *   <li>Compacts etcd at that revision: the source's history (older revisions, deleted keys) is not
 *       copied, so reads and watches from an older resourceVersion get 410 Expired and clients list
 *       again, as after any etcd compaction.</li>
 * </ol>
 * Exit codes: 0 done, 1 failed, 2 usage, 3 refused (target not empty).
 */
public final class Migrate {

  static final String USAGE = """
      usage: bosun migrate --from-data-dir DIR --to-etcd URL[,URL...] [options]

      Copies a stopped runtime's embedded store into an empty etcd prefix, keeping every key's
      revisions (resourceVersions), then verifies the copy and compacts etcd at the copied revision.

        --from-data-dir DIR   the runtime's data directory (INSTANCE/data, or what --data-dir named),
                              or its store/ folder; read-only, left unchanged
        --to-etcd URLS        etcd client URLs, http:// or https://, comma separated
        --prefix P            etcd key prefix (default /bosun: the etcd store's keyPrefix)
        --ca-file F           PEM CA bundle of the etcd servers
        --cert-file F         PEM client certificate, with --key-file F (PKCS#8 PEM key)
        --tls-server-name N   name to verify in the server certificates
        --user U              etcd user, with --password-file F (first line)
        --min-lease-ttl S     least TTL of a copied lease in seconds (default 60)
        --no-compact          keep etcd's history (etcd compaction is cluster-wide); watches from
                              resourceVersions before the migration then replay an incomplete history
        --dry-run             read the source, check the target, print the plan; write nothing
      """;

  /** The parsed command line. */
  record Args(Path from, List<String> endpoints, String prefix, Path caFile, Path certFile, Path keyFile,
      String serverName, String user, Path passwordFile, long minLeaseTtl, boolean compact, boolean dryRun) {

    static Args parse(String... args) {
      Map<String, String> o = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (List.of("--no-compact", "--dry-run", "--help", "-h").contains(a)) {
          o.put(a, "true");
        } else if (a.startsWith("--") && a.contains("=")) {
          o.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        } else if (a.startsWith("--") && i + 1 < args.length) {
          o.put(a, args[++i]);
        } else {
          throw new IllegalArgumentException("unknown or incomplete argument: " + a);
        }
      }
      if (o.containsKey("--help") || o.containsKey("-h")) {
        return null;
      }
      String from = o.remove("--from-data-dir");
      String to = o.remove("--to-etcd");
      if (from == null || to == null) {
        throw new IllegalArgumentException("--from-data-dir and --to-etcd are required");
      }
      List<String> endpoints = Arrays.stream(to.split("[,\\s]+")).filter(s -> !s.isBlank()).toList();
      Args parsed = new Args(Path.of(from).toAbsolutePath(), endpoints, o.getOrDefault("--prefix", "/bosun"),
          path(o.get("--ca-file")), path(o.get("--cert-file")), path(o.get("--key-file")), o.get("--tls-server-name"),
          o.get("--user"), path(o.get("--password-file")), Long.parseLong(o.getOrDefault("--min-lease-ttl", "60")),
          !o.containsKey("--no-compact"), o.containsKey("--dry-run"));
      for (String k : List.of("--prefix", "--ca-file", "--cert-file", "--key-file", "--tls-server-name", "--user",
          "--password-file", "--min-lease-ttl", "--no-compact", "--dry-run")) {
        o.remove(k);
      }
      if (!o.isEmpty()) {
        throw new IllegalArgumentException("unknown options " + o.keySet());
      }
      if (parsed.minLeaseTtl() < 1) {
        throw new IllegalArgumentException("--min-lease-ttl must be at least 1");
      }
      return parsed;
    }

    private static Path path(String s) {
      return s == null || s.isBlank() ? null : Path.of(s);
    }

    EtcdStore.Options storeOptions() throws java.io.IOException {
      EtcdStore.Options o = EtcdStore.Options.defaults(endpoints).withKeyPrefix(prefix)
          .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(10));
      if (caFile != null || certFile != null || keyFile != null || serverName != null) {
        o = o.withTls(caFile, certFile, keyFile, serverName);
      }
      if (user != null) {
        String password = passwordFile == null ? ""
            : java.nio.file.Files.readAllLines(passwordFile, StandardCharsets.UTF_8).stream().findFirst().orElse("");
        o = o.withAuth(user, password);
      }
      return o;
    }
  }

  /** Refused: the target holds data. */
  static final int REFUSED = 3;

  private final PrintStream out;

  public Migrate(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    // jetcd/gRPC and the store log through slf4j-simple and JUL: only problems, the report is ours.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Logger.getLogger("").setLevel(Level.WARNING);
    System.exit(new Migrate(System.out).run(args));
  }

  /** Runs the command; returns the exit code. */
  public int run(String... argv) {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("bosun migrate: " + e.getMessage());
      System.err.print(USAGE);
      return 2;
    }
    if (args == null) {
      out.print(USAGE);
      return 0;
    }
    try {
      return migrate(args);
    } catch (StoreException | IllegalArgumentException | java.io.IOException e) {
      System.err.println("bosun migrate: FAILED: " + e.getMessage());
      return 1;
    }
  }

  private int migrate(Args args) throws java.io.IOException {
    long t0 = System.nanoTime();
    EmbeddedSnapshot.Snapshot source = EmbeddedSnapshot.read(args.from());
    long bytes = source.keys().stream().mapToLong(k -> k.value().length).sum();
    long withLease = source.keys().stream().filter(k -> k.lease() != 0).count();
    String digest = digest(source.keys());
    out.printf("source   %s: revision %d, %d keys (%d KiB), %d with a lease; sha256 %s%n", source.file(),
        source.revision(), source.keys().size(), bytes / 1024, withLease, digest);

    EtcdStore.Options options = args.storeOptions();
    Map<Long, Long> ttls = leaseTtls(source, args.minLeaseTtl());
    try (EtcdImport target = new EtcdImport(options)) {
      long existing = target.keysUnderPrefix();
      long etcdRevision = target.etcdRevision();
      out.printf("target   %s prefix %s: etcd revision %d, %d keys under the prefix%n", args.endpoints(), args.prefix(),
          etcdRevision, existing);
      if (existing > 0) {
        System.err.printf("bosun migrate: REFUSED: etcd already holds %d keys under %s/. Migrate into an empty prefix "
            + "(--prefix), or delete these keys first if they are a failed migration's (etcdctl del --prefix %s/)%n",
            existing, args.prefix(), args.prefix());
        return REFUSED;
      }
      if (args.dryRun()) {
        out.printf("dry run  would write etcd revisions %d..%d (store revisions 1..%d), %d leases; nothing written%n",
            etcdRevision + 1, etcdRevision + 1 + source.revision(), source.revision(), ttls.size());
        return 0;
      }
      String record = record(source, digest);
      EtcdImport.Result r = target.load(source.revision(), source.keys(), ttls, record,
          line -> out.println("  .. " + line));
      out.printf("copied   store revisions 1..%d as etcd revisions %d..%d in %.1f s: %d creates, %d updates, %d filler "
              + "revisions (writes whose keys changed again or were deleted), %d leases%n", r.revision(),
          r.revisionOffset() + 1, r.revisionOffset() + r.revision(), r.nanos() / 1e9, r.creates(), r.updates(),
          r.fillers(), r.leases());

      // Verification through the store the runtime uses: a different code path from the import.
      try (EtcdStore store = new EtcdStore(options)) {
        long revision = store.revision();
        List<KeyValue> copied = readAll(store, revision);
        String problem = compare(source, revision, copied);
        String copiedDigest = digest(copied);
        if (problem == null && !copiedDigest.equals(digest)) {
          problem = "checksums differ";
        }
        if (problem != null) {
          System.err.println("bosun migrate: VERIFICATION FAILED: " + problem + "; the etcd prefix " + args.prefix()
              + " must not be used (delete it and migrate again)");
          return 1;
        }
        out.printf("verified through the etcd store: revision %d, %d keys, sha256 %s (identical)%n", revision,
            copied.size(), copiedDigest);
        if (args.compact() && revision > 0) {
          store.compact(revision);
          out.printf("compacted etcd below revision %d: reads and watches from older resourceVersions get 410 Expired "
              + "and clients list again%n", revision);
        }
      }
    }
    out.printf("done in %.1f s. Now point every control-plane instance at etcd (etc/io.bosun.store.etcd.cfg: endpoints = "
        + "%s%s; etc/io.bosun.apiserver.cfg: store.target = (bosun.store.backend=etcd)) and start it.%n",
        (System.nanoTime() - t0) / 1e9, String.join(",", args.endpoints()),
        args.prefix().equals("/bosun") ? "" : ", keyPrefix = " + args.prefix());
    return 0;
  }

  /** TTL for each source lease a key uses: what is left of it, at least {@code min}. */
  static Map<Long, Long> leaseTtls(EmbeddedSnapshot.Snapshot source, long min) {
    long now = System.currentTimeMillis();
    Map<Long, Long> ttls = new HashMap<>();
    for (KeyValue k : source.keys()) {
      if (k.lease() != 0) {
        EmbeddedSnapshot.Lease lease = source.leases().get(k.lease());
        long left = lease == null ? 0 : (lease.expiresAtMillis() - now + 999) / 1000;
        ttls.put(k.lease(), Math.max(min, left));
      }
    }
    return ttls;
  }

  /** Every data key of the store at {@code revision}, in pages. */
  static List<KeyValue> readAll(EtcdStore store, long revision) {
    List<KeyValue> all = new ArrayList<>();
    KeyRange range = KeyRange.prefix("");
    while (true) {
      RangeResult page = store.range(range, 1000, revision);
      all.addAll(page.kvs());
      if (!page.more() || page.kvs().isEmpty()) {
        return all;
      }
      range = range.startingAt(page.kvs().get(page.kvs().size() - 1).key() + '\0');
    }
  }

  /** The first difference between the source and the copy, or null. */
  static String compare(EmbeddedSnapshot.Snapshot source, long revision, List<KeyValue> copied) {
    if (revision != source.revision()) {
      return "revision " + revision + " instead of " + source.revision();
    }
    if (copied.size() != source.keys().size()) {
      return copied.size() + " keys instead of " + source.keys().size();
    }
    Iterator<KeyValue> a = source.keys().iterator();
    for (KeyValue c : copied) {
      KeyValue s = a.next();
      if (!s.key().equals(c.key())) {
        return "key " + c.key() + " where " + s.key() + " was expected";
      }
      if (!Arrays.equals(s.value(), c.value())) {
        return "the value of " + s.key() + " differs";
      }
      if (s.createRevision() != c.createRevision() || s.modRevision() != c.modRevision()) {
        return s.key() + " has create/mod revision " + c.createRevision() + "/" + c.modRevision() + " instead of "
            + s.createRevision() + "/" + s.modRevision();
      }
      if ((s.lease() == 0) != (c.lease() == 0)) {
        return s.key() + (s.lease() == 0 ? " gained" : " lost") + " its lease";
      }
    }
    return null;
  }

  /** SHA-256 over every key in order: key, value, create and mod revision (not versions or lease ids). */
  static String digest(List<KeyValue> keys) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      ByteBuffer numbers = ByteBuffer.allocate(3 * Long.BYTES);
      for (KeyValue k : keys) {
        byte[] key = k.key().getBytes(StandardCharsets.UTF_8);
        numbers.clear();
        numbers.putLong(key.length).putLong(k.createRevision()).putLong(k.modRevision());
        sha.update(numbers.array());
        sha.update(key);
        numbers.clear();
        sha.update(numbers.putLong(0, k.value().length).array(), 0, Long.BYTES);
        sha.update(k.value());
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String record(EmbeddedSnapshot.Snapshot source, String digest) {
    return "{\"from\":\"" + json(source.file().toString()) + "\",\"revision\":" + source.revision() + ",\"keys\":"
        + source.keys().size() + ",\"sha256\":\"" + digest + "\",\"finished\":\"" + Instant.now() + "\"}";
  }

  private static String json(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
