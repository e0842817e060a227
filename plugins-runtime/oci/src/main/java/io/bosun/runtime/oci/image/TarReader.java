package io.bosun.runtime.oci.image;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a tar stream (ustar, GNU long names, PAX extended headers): what image layers and OCI
 * layout archives are. No library: the JDK has none and the format is small.
 */
public final class TarReader implements AutoCloseable {

  /** Entry types, as in the header's typeflag. */
  public enum Type { FILE, HARDLINK, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, DIRECTORY, FIFO, OTHER }

  /**
   * One entry.
   *
   * @param name     the path as stored (may start with "./")
   * @param linkName the target of a link; "" otherwise
   * @param mode     permission bits incl. setuid/setgid/sticky
   * @param mtime    seconds since the epoch
   */
  public record Entry(String name, Type type, long size, int mode, int uid, int gid, long mtime, String linkName,
      int devMajor, int devMinor) {
  }

  private static final int BLOCK = 512;

  private final InputStream in;
  private final byte[] header = new byte[BLOCK];
  private long remaining; // content bytes of the current entry not read yet
  private long padding;   // bytes after the content up to the next block
  private boolean eof;

  public TarReader(InputStream in) {
    this.in = in;
  }

  /** The next entry; null at the end of the archive. Skips what is left of the previous one. */
  public Entry next() throws IOException {
    skipContent();
    String longName = null;
    String longLink = null;
    Map<String, String> pax = new HashMap<>();
    while (true) {
      if (eof || !readBlock(header)) {
        eof = true;
        return null;
      }
      if (isZero(header)) {
        // end-of-archive marker: two zero blocks, but one is enough to stop
        eof = true;
        return null;
      }
      verifyChecksum(header);
      char flag = (char) header[156];
      long size = number(header, 124, 12);
      switch (flag) {
        case 'L' -> longName = cString(readData(size));
        case 'K' -> longLink = cString(readData(size));
        case 'x' -> pax.putAll(parsePax(readData(size)));
        case 'g' -> readData(size); // global defaults: nothing in image layers relies on them
        default -> {
          String name = longName != null ? longName : ustarName(header);
          String link = longLink != null ? longLink : string(header, 157, 100);
          int uid = (int) number(header, 108, 8);
          int gid = (int) number(header, 116, 8);
          long mtime = number(header, 136, 12);
          name = pax.getOrDefault("path", name);
          link = pax.getOrDefault("linkpath", link);
          if (pax.containsKey("size")) {
            size = Long.parseLong(pax.get("size"));
          }
          if (pax.containsKey("uid")) {
            uid = Integer.parseInt(pax.get("uid"));
          }
          if (pax.containsKey("gid")) {
            gid = Integer.parseInt(pax.get("gid"));
          }
          if (pax.containsKey("mtime")) {
            mtime = (long) Double.parseDouble(pax.get("mtime"));
          }
          Type type = switch (flag) {
            case '0', '\0', '7' -> Type.FILE;
            case '1' -> Type.HARDLINK;
            case '2' -> Type.SYMLINK;
            case '3' -> Type.CHAR_DEVICE;
            case '4' -> Type.BLOCK_DEVICE;
            case '5' -> Type.DIRECTORY;
            case '6' -> Type.FIFO;
            default -> Type.OTHER;
          };
          if (type == Type.FILE && name.endsWith("/")) {
            type = Type.DIRECTORY; // old tars mark directories by the trailing slash only
          }
          if (type == Type.HARDLINK || type == Type.SYMLINK || type == Type.DIRECTORY
              || type == Type.CHAR_DEVICE || type == Type.BLOCK_DEVICE || type == Type.FIFO) {
            size = type == Type.DIRECTORY || type == Type.SYMLINK ? 0 : size;
          }
          remaining = size;
          padding = (BLOCK - size % BLOCK) % BLOCK;
          return new Entry(name, type, size, (int) number(header, 100, 8) & 07777, uid, gid, mtime, link,
              (int) number(header, 329, 8), (int) number(header, 337, 8));
        }
      }
    }
  }

  /** The current entry's content; reading past it gives end of stream. Not to be closed by callers that read on. */
  public InputStream content() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
          return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
          throw new EOFException("tar entry truncated");
        }
        remaining -= n;
        return n;
      }

      @Override
      public void close() {
        // the archive stays open for the next entry
      }
    };
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private void skipContent() throws IOException {
    skipFully(remaining + padding);
    remaining = 0;
    padding = 0;
  }

  private void skipFully(long n) throws IOException {
    byte[] buf = new byte[8192];
    while (n > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, n));
      if (r < 0) {
        throw new EOFException("tar archive truncated");
      }
      n -= r;
    }
  }

  private byte[] readData(long size) throws IOException {
    if (size > 16 * 1024 * 1024) {
      throw new IOException("tar extended header too large: " + size);
    }
    byte[] data = in.readNBytes((int) size);
    if (data.length != size) {
      throw new EOFException("tar archive truncated");
    }
    skipFully((BLOCK - size % BLOCK) % BLOCK);
    return data;
  }

  private boolean readBlock(byte[] block) throws IOException {
    int n = in.readNBytes(block, 0, BLOCK);
    if (n == 0) {
      return false;
    }
    if (n < BLOCK) {
      throw new EOFException("tar archive truncated in a header");
    }
    return true;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static void verifyChecksum(byte[] h) throws IOException {
    long stored = number(h, 148, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += i >= 148 && i < 156 ? ' ' : (h[i] & 0xff);
    }
    if (sum != stored) {
      throw new IOException("not a tar archive (bad header checksum)");
    }
  }

  private static String ustarName(byte[] h) {
    String name = string(h, 0, 100);
    boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r';
    // GNU tar's "ustar  " magic has no prefix field (it keeps other data there)
    if (ustar && h[262] == 0) {
      String prefix = string(h, 345, 155);
      if (!prefix.isEmpty()) {
        return prefix + "/" + name;
      }
    }
    return name;
  }

  private static String string(byte[] h, int off, int len) {
    int end = off;
    while (end < off + len && h[end] != 0) {
      end++;
    }
    return new String(h, off, end - off, StandardCharsets.UTF_8);
  }

  private static String cString(byte[] data) {
    int end = 0;
    while (end < data.length && data[end] != 0) {
      end++;
    }
    return new String(data, 0, end, StandardCharsets.UTF_8);
  }

  /** Octal ASCII, or GNU base-256 when the first byte's high bit is set. */
  static long number(byte[] h, int off, int len) {
    if ((h[off] & 0x80) != 0) {
      long v = h[off] & 0x7f;
      for (int i = 1; i < len; i++) {
        v = (v << 8) | (h[off + i] & 0xff);
      }
      return v;
    }
    long v = 0;
    int i = off;
    while (i < off + len && h[i] == ' ') {
      i++; // leading padding
    }
    for (; i < off + len && h[i] >= '0' && h[i] <= '7'; i++) {
      v = (v << 3) + (h[i] - '0');
    }
    return v;
  }

  /** PAX records: "LEN key=value\n", LEN counting the whole record. */
  static Map<String, String> parsePax(byte[] data) throws IOException {
    Map<String, String> out = new HashMap<>();
    int pos = 0;
    while (pos < data.length) {
      int sp = pos;
      while (sp < data.length && data[sp] != ' ') {
        sp++;
      }
      if (sp >= data.length) {
        break;
      }
      int len;
      try {
        len = Integer.parseInt(new String(data, pos, sp - pos, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        throw new IOException("bad PAX header");
      }
      if (len <= 0 || pos + len > data.length) {
        throw new IOException("bad PAX header length");
      }
      String record = new String(data, sp + 1, pos + len - sp - 2, StandardCharsets.UTF_8);
      int eq = record.indexOf('=');
      if (eq > 0) {
        out.put(record.substring(0, eq), record.substring(eq + 1));
      }
      pos += len;
    }
    return out;
  }
}
