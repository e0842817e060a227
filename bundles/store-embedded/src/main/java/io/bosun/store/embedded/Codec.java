package io.bosun.store.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.WatchEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The on-disk encodings. Hand-written fixed layouts rather than a serialisation library: the
 * records are tiny, hot, and must stay readable by every future version of this bundle (the
 * format number in the meta map guards changes).
 *
 * <pre>
 * kv record   : createRevision, modRevision, version, lease (4 x long), value bytes (rest)
 * log entry   : commitTimeMillis (long), eventCount (int), events...
 * event       : type (byte), key (int length + UTF-8), flags (byte: 1 = has kv, 2 = has prevKv),
 *               [kv: createRevision, version, lease (3 x long), value (int length + bytes)]
 *               [prevKv: createRevision, modRevision, version, lease (4 x long), value (int length + bytes)]
 * lease       : ttlSeconds, expiresAtMillis (2 x long)
 * </pre>
 *
 * A PUT's kv needs no mod revision: it is the entry's revision.
 */
final class Codec {

  static final int RECORD_HEADER = 4 * Long.BYTES;
  private static final byte PUT = 0;
  private static final byte DELETE = 1;
  private static final int HAS_KV = 1;
  private static final int HAS_PREV = 2;

  private Codec() {
  }

  static byte[] encodeRecord(KeyValue kv) {
    byte[] value = kv.value();
    ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER + value.length);
    b.putLong(kv.createRevision()).putLong(kv.modRevision()).putLong(kv.version()).putLong(kv.lease()).put(value);
    return b.array();
  }

  static KeyValue decodeRecord(String key, byte[] record) {
    ByteBuffer b = ByteBuffer.wrap(record);
    long create = b.getLong();
    long mod = b.getLong();
    long version = b.getLong();
    long lease = b.getLong();
    return new KeyValue(key, Arrays.copyOfRange(record, RECORD_HEADER, record.length), create, mod, version, lease);
  }

  /** The lease of a record without copying its value (used to rebuild the lease index). */
  static long recordLease(byte[] record) {
    return ByteBuffer.wrap(record).getLong(3 * Long.BYTES);
  }

  static byte[] encodeLease(long ttlSeconds, long expiresAtMillis) {
    return ByteBuffer.allocate(2 * Long.BYTES).putLong(ttlSeconds).putLong(expiresAtMillis).array();
  }

  static long[] decodeLease(byte[] b) {
    ByteBuffer buf = ByteBuffer.wrap(b);
    return new long[] {buf.getLong(), buf.getLong()};
  }

  static byte[] encodeLogEntry(long commitTimeMillis, List<WatchEvent> events) {
    int size = Long.BYTES + Integer.BYTES;
    List<byte[]> keys = new ArrayList<>(events.size());
    for (WatchEvent e : events) {
      byte[] key = e.key().getBytes(UTF_8);
      keys.add(key);
      size += 1 + Integer.BYTES + key.length + 1;
      if (e.kv() != null) {
        size += 3 * Long.BYTES + Integer.BYTES + e.kv().value().length;
      }
      if (e.prevKv() != null) {
        size += 4 * Long.BYTES + Integer.BYTES + e.prevKv().value().length;
      }
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putLong(commitTimeMillis).putInt(events.size());
    for (int i = 0; i < events.size(); i++) {
      WatchEvent e = events.get(i);
      byte[] key = keys.get(i);
      b.put(e.type() == WatchEvent.Type.PUT ? PUT : DELETE).putInt(key.length).put(key);
      b.put((byte) ((e.kv() != null ? HAS_KV : 0) | (e.prevKv() != null ? HAS_PREV : 0)));
      if (e.kv() != null) {
        KeyValue kv = e.kv();
        b.putLong(kv.createRevision()).putLong(kv.version()).putLong(kv.lease());
        b.putInt(kv.value().length).put(kv.value());
      }
      if (e.prevKv() != null) {
        KeyValue p = e.prevKv();
        b.putLong(p.createRevision()).putLong(p.modRevision()).putLong(p.version()).putLong(p.lease());
        b.putInt(p.value().length).put(p.value());
      }
    }
    return b.array();
  }

  static long logEntryTime(byte[] entry) {
    return ByteBuffer.wrap(entry).getLong(0);
  }

  /** Every event of a log entry, fully decoded. */
  static List<WatchEvent> decodeLogEntry(long revision, byte[] entry) {
    List<WatchEvent> events = new ArrayList<>();
    forEachEvent(revision, entry, ref -> events.add(ref.event()));
    return events;
  }

  /** Visits the events of a log entry, decoding values only when asked to. */
  static void forEachEvent(long revision, byte[] entry, Consumer<EventRef> visitor) {
    ByteBuffer b = ByteBuffer.wrap(entry);
    b.getLong();
    int count = b.getInt();
    EventRef ref = new EventRef(revision, entry);
    for (int i = 0; i < count; i++) {
      ref.type = b.get() == PUT ? WatchEvent.Type.PUT : WatchEvent.Type.DELETE;
      int keyLength = b.getInt();
      ref.key = new String(entry, b.position(), keyLength, UTF_8);
      b.position(b.position() + keyLength);
      int flags = b.get();
      ref.kvAt = -1;
      ref.prevAt = -1;
      if ((flags & HAS_KV) != 0) {
        ref.kvAt = b.position();
        b.position(b.position() + 3 * Long.BYTES);
        b.position(b.position() + Integer.BYTES + b.getInt(b.position()));
      }
      if ((flags & HAS_PREV) != 0) {
        ref.prevAt = b.position();
        b.position(b.position() + 4 * Long.BYTES);
        b.position(b.position() + Integer.BYTES + b.getInt(b.position()));
      }
      visitor.accept(ref);
    }
  }

  /** A cursor over one event of an encoded log entry; valid only during the visit. */
  static final class EventRef {
    private final long revision;
    private final byte[] entry;
    private WatchEvent.Type type;
    private String key;
    private int kvAt;
    private int prevAt;

    private EventRef(long revision, byte[] entry) {
      this.revision = revision;
      this.entry = entry;
    }

    String key() {
      return key;
    }

    KeyValue kv() {
      if (kvAt < 0) {
        return null;
      }
      ByteBuffer b = ByteBuffer.wrap(entry).position(kvAt);
      long create = b.getLong();
      long version = b.getLong();
      long lease = b.getLong();
      byte[] value = new byte[b.getInt()];
      b.get(value);
      return new KeyValue(key, value, create, revision, version, lease);
    }

    KeyValue prevKv() {
      if (prevAt < 0) {
        return null;
      }
      ByteBuffer b = ByteBuffer.wrap(entry).position(prevAt);
      long create = b.getLong();
      long mod = b.getLong();
      long version = b.getLong();
      long lease = b.getLong();
      byte[] value = new byte[b.getInt()];
      b.get(value);
      return new KeyValue(key, value, create, mod, version, lease);
    }

    WatchEvent event() {
      return new WatchEvent(type, key, revision, kv(), prevKv());
    }
  }
}
