package io.bosun.store.etcd;

import io.bosun.store.spi.KeyRange;
import io.etcd.jetcd.ByteSequence;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where the store keeps its keys in etcd, and how SPI keys become etcd keys.
 *
 * <h2>Layout under the root prefix (default {@code /bosun})</h2>
 * <ul>
 *   <li>{@code <root>/kv<key>}: the data; SPI key {@code /registry/pods/a} is etcd key
 *       {@code /bosun/kv/registry/pods/a}.</li>
 *   <li>{@code <root>/meta}: written once, by the first store to open this root. Its create revision
 *       is the revision offset (see {@link EtcdStore}).</li>
 *   <li>{@code <root>/writers/<id>}: one per store instance, rewritten in the same transaction as
 *       every write of that instance with a unique token, so that a write whose answer was lost can
 *       be told applied or not (see {@link EtcdStore}).</li>
 * </ul>
 *
 * <h2>Key encoding: CESU-8</h2>
 * etcd orders keys by bytes. The SPI orders them by UTF-16 code units ({@link String#compareTo}).
 * UTF-8 byte order is code point order, which differs for supplementary characters (a surrogate
 * pair sorts below U+E000 in UTF-16, above it in code points). Keys are therefore stored in CESU-8:
 * every UTF-16 code unit, surrogates included, as its own 1-3 byte UTF-8 sequence. That encoding
 * is order preserving per code unit, so etcd's byte order is exactly the SPI's order, and it round
 * trips every Java string (unpaired surrogates too, which UTF-8 would replace). For keys without
 * supplementary characters (all Kubernetes keys) CESU-8 and UTF-8 are the same bytes, so
 * {@code etcdctl} shows them as usual.
 */
final class KeyLayout {

  private final byte[] data;
  private final ByteSequence dataEnd;
  private final ByteSequence meta;
  private final ByteSequence root;
  private final ByteSequence rootEnd;

  KeyLayout(String rootPrefix) {
    if (rootPrefix.isEmpty()) {
      throw new IllegalArgumentException("the key prefix must not be empty");
    }
    this.data = encode(rootPrefix + "/kv");
    this.dataEnd = ByteSequence.from(prefixEnd(data));
    this.meta = ByteSequence.from(encode(rootPrefix + "/meta"));
    byte[] rootBytes = encode(rootPrefix + "/");
    this.root = ByteSequence.from(rootBytes);
    this.rootEnd = ByteSequence.from(prefixEnd(rootBytes));
  }

  /** The etcd key of SPI key {@code key}. */
  ByteSequence key(String key) {
    return ByteSequence.from(concat(data, encode(key)));
  }

  /** The etcd key range {@code [start, end)} of an SPI range. */
  ByteSequence rangeStart(KeyRange range) {
    return key(range.from());
  }

  /** The exclusive etcd end of an SPI range: the end of the data area when it is unbounded. */
  ByteSequence rangeEnd(KeyRange range) {
    return range.to() == null ? dataEnd : key(range.to());
  }

  /** Whether an etcd key is a data key. */
  boolean isData(ByteSequence etcdKey) {
    byte[] k = etcdKey.getBytes();
    return k.length >= data.length && Arrays.equals(k, 0, data.length, data, 0, data.length);
  }

  /** The SPI key of a data key. */
  String spiKey(ByteSequence etcdKey) {
    byte[] k = etcdKey.getBytes();
    return decode(k, data.length);
  }

  ByteSequence meta() {
    return meta;
  }

  /** The token key of the writer {@code id}. */
  ByteSequence writerKey(String id) {
    return ByteSequence.from(concat(root.getBytes(), encode("writers/" + id)));
  }

  /** Every key of this store: data, meta and writer tokens. */
  ByteSequence root() {
    return root;
  }

  ByteSequence rootEnd() {
    return rootEnd;
  }

  /** CESU-8: each UTF-16 code unit as a 1-3 byte UTF-8 sequence, so byte order is code unit order. */
  static byte[] encode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        out.write(c);
      } else if (c < 0x800) {
        out.write(0xC0 | (c >> 6));
        out.write(0x80 | (c & 0x3F));
      } else {
        out.write(0xE0 | (c >> 12));
        out.write(0x80 | ((c >> 6) & 0x3F));
        out.write(0x80 | (c & 0x3F));
      }
    }
    return out.toByteArray();
  }

  /**
   * Decodes CESU-8 from {@code offset}. Also accepts 4-byte UTF-8 sequences, which only keys
   * written by other tools can hold; anything else malformed decodes as U+FFFD.
   */
  static String decode(byte[] b, int offset) {
    StringBuilder sb = new StringBuilder(b.length - offset);
    int i = offset;
    while (i < b.length) {
      int c = b[i] & 0xFF;
      if (c < 0x80) {
        sb.append((char) c);
        i++;
      } else if (c >= 0xC0 && c < 0xE0 && i + 1 < b.length) {
        sb.append((char) (((c & 0x1F) << 6) | (b[i + 1] & 0x3F)));
        i += 2;
      } else if (c >= 0xE0 && c < 0xF0 && i + 2 < b.length) {
        sb.append((char) (((c & 0x0F) << 12) | ((b[i + 1] & 0x3F) << 6) | (b[i + 2] & 0x3F)));
        i += 3;
      } else if (c >= 0xF0 && c < 0xF8 && i + 3 < b.length) {
        int cp = ((c & 0x07) << 18) | ((b[i + 1] & 0x3F) << 12) | ((b[i + 2] & 0x3F) << 6) | (b[i + 3] & 0x3F);
        sb.appendCodePoint(Character.isValidCodePoint(cp) ? cp : 0xFFFD);
        i += 4;
      } else {
        sb.append('\uFFFD');
        i++;
      }
    }
    return sb.toString();
  }

  /** The smallest byte string greater than every string starting with {@code prefix}. */
  static byte[] prefixEnd(byte[] prefix) {
    byte[] end = Arrays.copyOf(prefix, prefix.length);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xFF) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    // All 0xFF: etcd's "no upper bound".
    return new byte[] {0};
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Override
  public String toString() {
    return new String(data, StandardCharsets.UTF_8);
  }
}
