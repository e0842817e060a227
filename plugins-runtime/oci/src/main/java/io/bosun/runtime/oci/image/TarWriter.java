package io.bosun.runtime.oci.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes ustar archives with PAX headers for long names: enough to build image layers and OCI
 * layout archives (tests, exports). Closing writes the end-of-archive blocks, not the stream's close.
 */
public final class TarWriter implements AutoCloseable {

  private static final int BLOCK = 512;
  private final OutputStream out;

  public TarWriter(OutputStream out) {
    this.out = out;
  }

  public void directory(String name, int mode) throws IOException {
    header(name.endsWith("/") ? name : name + "/", '5', 0, mode, "");
  }

  public void file(String name, int mode, byte[] content) throws IOException {
    header(name, '0', content.length, mode, "");
    out.write(content);
    pad(content.length);
  }

  public void symlink(String name, String target) throws IOException {
    header(name, '2', 0, 0777, target);
  }

  public void hardlink(String name, String target) throws IOException {
    header(name, '1', 0, 0644, target);
  }

  /** Writes the end-of-archive marker (two zero blocks); the stream stays open. */
  @Override
  public void close() throws IOException {
    out.write(new byte[BLOCK * 2]);
    out.flush();
  }

  private void header(String name, char type, long size, int mode, String link) throws IOException {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    byte[] linkBytes = link.getBytes(StandardCharsets.UTF_8);
    if (nameBytes.length > 100 || linkBytes.length > 100) {
      StringBuilder pax = new StringBuilder();
      if (nameBytes.length > 100) {
        pax.append(paxRecord("path", name));
      }
      if (linkBytes.length > 100) {
        pax.append(paxRecord("linkpath", link));
      }
      byte[] data = pax.toString().getBytes(StandardCharsets.UTF_8);
      rawHeader("PaxHeaders/entry", 'x', data.length, 0644, "");
      out.write(data);
      pad(data.length);
      name = nameBytes.length > 100 ? "long-name" : name;
      link = linkBytes.length > 100 ? "long-link" : link;
    }
    rawHeader(name, type, size, mode, link);
  }

  private static String paxRecord(String key, String value) {
    String body = " " + key + "=" + value + "\n";
    int bodyLen = body.getBytes(StandardCharsets.UTF_8).length;
    int len = bodyLen + Integer.toString(bodyLen).length();
    if (Integer.toString(len).length() != Integer.toString(bodyLen).length()) {
      len++;
    }
    return len + body;
  }

  private void rawHeader(String name, char type, long size, int mode, String link) throws IOException {
    byte[] h = new byte[BLOCK];
    put(h, 0, 100, name);
    octal(h, 100, 8, mode);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, size);
    octal(h, 136, 12, 0);
    h[156] = (byte) type;
    put(h, 157, 100, link);
    put(h, 257, 6, "ustar");
    h[263] = '0';
    h[264] = '0';
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    octal(h, 148, 7, sum);
    out.write(h);
  }

  private static void put(byte[] h, int off, int len, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(b, 0, h, off, Math.min(len, b.length));
  }

  private static void octal(byte[] h, int off, int len, long v) {
    String s = Long.toOctalString(v);
    String padded = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
    put(h, off, len - 1, padded);
  }

  private void pad(long size) throws IOException {
    long p = (BLOCK - size % BLOCK) % BLOCK;
    out.write(new byte[(int) p]);
  }
}
