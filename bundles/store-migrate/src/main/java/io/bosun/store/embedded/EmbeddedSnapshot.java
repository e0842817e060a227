package io.bosun.store.embedded;

import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * Everything of an embedded store file a migration needs, read in one pass from a read-only open:
 * the current revision, every live key with its create and mod revision, and the leases with their
 * expiry times, which the store SPI does not expose. Read-only, so the source is left exactly as it
 * was (no lease expiry, no compaction, no housekeeping) and a migration can be repeated or abandoned.
 *
 * <p>This class lives in the embedded store's package to decode records with {@link Codec}, so it
 * reads the format the store writes rather than a copy of it.
 */
public final class EmbeddedSnapshot {

  /** A lease of the source: its TTL and when it expires (epoch millis). */
  public record Lease(long id, long ttlSeconds, long expiresAtMillis) {
  }

  /**
   * The store at one revision.
   *
   * @param file     the store file read
   * @param revision the revision of the last write
   * @param keys     every live key in key order
   * @param leases   the leases by id
   */
  public record Snapshot(Path file, long revision, List<KeyValue> keys, Map<Long, Lease> leases) {
  }

  private EmbeddedSnapshot() {
  }

  /** The store file in {@code dir}: {@code dir/store.mv.db}, or {@code dir/store/store.mv.db} for a data directory. */
  public static Path storeFile(Path dir) {
    Path direct = dir.resolve(EmbeddedStore.FILE_NAME);
    if (Files.isRegularFile(direct)) {
      return direct;
    }
    return dir.resolve("store").resolve(EmbeddedStore.FILE_NAME);
  }

  /**
   * Reads the store in {@code dir} (a data directory or its {@code store/} folder).
   *
   * @throws StoreException if there is no store, it is in use, or it is not consistent
   */
  public static Snapshot read(Path dir) {
    Path file = storeFile(dir);
    if (!Files.isRegularFile(file)) {
      throw new StoreException("no embedded store in " + dir + " (looked for " + dir.resolve(EmbeddedStore.FILE_NAME)
          + " and " + file + ")");
    }
    MVStore mv;
    try {
      mv = new MVStore.Builder().fileName(file.toString()).readOnly().open();
    } catch (MVStoreException e) {
      throw new StoreException("cannot open " + file + " (is a runtime still using it? stop it first): "
          + e.getMessage(), e);
    }
    try {
      MVMap<String, Long> meta = mv.openMap("meta", new MVMap.Builder<String, Long>().keyType(StringDataType.INSTANCE)
          .valueType(LongDataType.INSTANCE));
      MVMap<String, byte[]> kv = mv.openMap("kv", new MVMap.Builder<String, byte[]>()
          .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
      MVMap<Long, byte[]> log = mv.openMap("log", new MVMap.Builder<Long, byte[]>().keyType(LongDataType.INSTANCE)
          .valueType(ByteArrayDataType.INSTANCE));
      MVMap<Long, byte[]> leaseMap = mv.openMap("leases", new MVMap.Builder<Long, byte[]>()
          .keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
      Long format = meta.get("format");
      if (format == null) {
        if (!kv.isEmpty()) {
          throw new StoreException(file + " has data but no format marker");
        }
        return new Snapshot(file, 0, List.of(), Map.of());
      }
      if (format != 1) {
        throw new StoreException(file + ": unsupported store format " + format + "; this tool reads format 1");
      }
      long revision = meta.getOrDefault("revision", 0L);
      Long lastLogged = log.lastKey();
      // The same consistency check the store makes when it opens.
      if (revision > 0 && (lastLogged == null || lastLogged != revision)) {
        throw new StoreException(file + " is inconsistent: revision " + revision + " but last log entry " + lastLogged);
      }
      List<KeyValue> keys = new ArrayList<>(kv.size());
      for (Cursor<String, byte[]> c = kv.cursor(null); c.hasNext(); ) {
        String key = c.next();
        KeyValue record = Codec.decodeRecord(key, c.getValue());
        if (record.modRevision() > revision || record.createRevision() > record.modRevision()) {
          throw new StoreException(file + " is inconsistent: " + key + " has create/mod revision "
              + record.createRevision() + "/" + record.modRevision() + " at store revision " + revision);
        }
        keys.add(record);
      }
      Map<Long, Lease> leases = new LinkedHashMap<>();
      for (Cursor<Long, byte[]> c = leaseMap.cursor(null); c.hasNext(); ) {
        long id = c.next();
        long[] lease = Codec.decodeLease(c.getValue());
        leases.put(id, new Lease(id, lease[0], lease[1]));
      }
      return new Snapshot(file, revision, List.copyOf(keys), Map.copyOf(leases));
    } finally {
      mv.closeImmediately();
    }
  }
}
