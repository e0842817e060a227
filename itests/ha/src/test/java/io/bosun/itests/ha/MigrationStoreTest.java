package io.bosun.itests.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bosun.store.embedded.EmbeddedStore;
import io.bosun.store.etcd.EtcdStore;
import io.bosun.store.migrate.Migrate;
import io.bosun.store.spi.CompactedException;
import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.StoreException;
import io.bosun.store.spi.WatchEvent;
import io.bosun.store.spi.WatchListener;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration tool on the store level: an embedded store with history (updates, deletes, a
 * lease, a non-ASCII key) copied into etcd, then read back through the etcd store.
 */
class MigrationStoreTest {

  private static EtcdCluster etcd;

  @BeforeAll
  static void startEtcd() throws Exception {
    assumeTrue(EtcdCluster.binary().isPresent(),
        "no etcd binary: install Debian's etcd-server (/usr/bin/etcd), or set -Dbosun.etcd.binary or $BOSUN_ETCD");
    etcd = EtcdCluster.start(EtcdCluster.binary().get(), 1);
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Runs the tool; returns its exit code and output. */
  private static Map.Entry<Integer, String> migrate(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = new Migrate(new PrintStream(out, true, StandardCharsets.UTF_8)).run(args);
    return Map.entry(code, out.toString(StandardCharsets.UTF_8));
  }

  private static EtcdStore open(String prefix) {
    return new EtcdStore(EtcdStore.Options.defaults(List.of(etcd.endpoints().split(","))).withKeyPrefix(prefix));
  }

  @Test
  void keepsEveryKeysRevisionsAndRefusesToOverwrite(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Map<String, KeyValue> expected = new TreeMap<>();
    long revision;
    try (EmbeddedStore source = new EmbeddedStore(data.resolve("store"))) {
      source.create("/registry/configmaps/default/a", bytes("a1"), 0);
      source.create("/registry/configmaps/default/b", bytes("b1"), 0);
      source.update("/registry/configmaps/default/a", bytes("a2"), 1, 0);
      source.create("/registry/configmaps/default/gone", bytes("x"), 0);
      long lease = source.grantLease(3600);
      source.create("/registry/events/default/e1", bytes("event"), lease);
      source.create("/registry/configmaps/default/ünïcödé-\uD83D\uDE00", bytes("u"), 0);
      source.update("/registry/configmaps/default/b", bytes("b2"), 2, 0);
      source.update("/registry/configmaps/default/b", bytes("b3"), 7, 0);
      source.delete("/registry/configmaps/default/gone", 0);
      // The last revision is a delete: the copy ends with a filler that carries the final meta value.
      for (KeyValue kv : source.range(KeyRange.prefix(""), 0, 0).kvs()) {
        expected.put(kv.key(), kv);
      }
      revision = source.revision();
    }
    assertThat(revision).isEqualTo(9);

    var run = migrate("--from-data-dir", data.toString(), "--to-etcd", etcd.endpoints(), "--prefix", "/m1");
    assertThat(run.getKey()).as(run.getValue()).isZero();
    assertThat(run.getValue()).contains("identical").contains("revision 9, 4 keys");

    try (EtcdStore copy = open("/m1")) {
      assertThat(copy.revision()).isEqualTo(revision);
      List<KeyValue> all = copy.range(KeyRange.prefix(""), 0, 0).kvs();
      assertThat(all).extracting(KeyValue::key).containsExactlyElementsOf(expected.keySet());
      for (KeyValue kv : all) {
        KeyValue src = expected.get(kv.key());
        assertThat(kv.value()).as(kv.key()).isEqualTo(src.value());
        assertThat(kv.createRevision()).as(kv.key()).isEqualTo(src.createRevision());
        assertThat(kv.modRevision()).as(kv.key()).isEqualTo(src.modRevision());
        assertThat(kv.lease() != 0).as(kv.key()).isEqualTo(src.lease() != 0);
      }
      // The next write continues the source's revisions.
      assertThat(copy.create("/registry/configmaps/default/new", bytes("n"), 0).revision()).isEqualTo(revision + 1);
      // The copied history before the migration is compacted: old resourceVersions are 410 Expired.
      CompletableFuture<StoreException> closed = new CompletableFuture<>();
      copy.watch(KeyRange.prefix(""), 3, new WatchListener() {
        @Override
        public void onEvents(List<WatchEvent> events) {
        }

        @Override
        public void onProgress(long r) {
        }

        @Override
        public void onClose(StoreException cause) {
          closed.complete(cause);
        }
      });
      assertThat(closed.get(30, TimeUnit.SECONDS)).isInstanceOf(CompactedException.class);
    }

    // A second migration into the same prefix is refused and changes nothing.
    var again = migrate("--from-data-dir", data.toString(), "--to-etcd", etcd.endpoints(), "--prefix", "/m1");
    assertThat(again.getKey()).isEqualTo(3);
    try (EtcdStore copy = open("/m1")) {
      assertThat(copy.revision()).isEqualTo(revision + 1);
    }
  }

  @Test
  void endsWithAnUpdateOrIsEmpty(@TempDir Path tmp) {
    Path data = tmp.resolve("data");
    try (EmbeddedStore source = new EmbeddedStore(data)) {
      source.create("/k", bytes("1"), 0);
      source.create("/gone", bytes("1"), 0);
      source.delete("/gone", 0);
      source.update("/k", bytes("2"), 1, 0);
    }
    var run = migrate("--from-data-dir", data.toString(), "--to-etcd", etcd.endpoints(), "--prefix", "/m2");
    assertThat(run.getKey()).as(run.getValue()).isZero();
    try (EtcdStore copy = open("/m2")) {
      assertThat(copy.revision()).isEqualTo(4);
      KeyValue k = copy.get("/k");
      assertThat(new String(k.value(), StandardCharsets.UTF_8)).isEqualTo("2");
      assertThat(k.createRevision()).isEqualTo(1);
      assertThat(k.modRevision()).isEqualTo(4);
    }

    Path empty = tmp.resolve("empty");
    new EmbeddedStore(empty).close();
    var none = migrate("--from-data-dir", empty.toString(), "--to-etcd", etcd.endpoints(), "--prefix", "/m3");
    assertThat(none.getKey()).as(none.getValue()).isZero();
    try (EtcdStore copy = open("/m3")) {
      assertThat(copy.revision()).isZero();
      assertThat(copy.create("/first", bytes("1"), 0).revision()).isEqualTo(1);
    }
  }

  @Test
  void anUnfinishedImportCannotBeOpened() throws Exception {
    // What an import leaves if it dies before its last revision: the in-progress meta value.
    try (Client client = Client.builder().endpoints(etcd.endpoints().split(",")).build()) {
      client.getKVClient().put(ByteSequence.from("/half/meta", StandardCharsets.UTF_8),
          ByteSequence.from("bosun-migration-incomplete: test", StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
    }
    assertThatThrownBy(() -> open("/half").close()).isInstanceOf(StoreException.class);
  }
}
