package io.bosun.kubelet;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The gRPC health check ({@code grpc.health.v1.Health/Check}) of upstream's grpc probe, over
 * plain-text HTTP/2 with prior knowledge, written out by hand: one request on stream 1, the
 * response message read from its DATA frames. Response headers and trailers are HPACK-coded and
 * not decoded: a response without a message (an error status such as "unknown service") counts
 * as a failure, which is what upstream reports too.
 */
final class GrpcHealth {

  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int RST_STREAM = 3;
  private static final int SETTINGS = 4;
  private static final int PING = 6;
  private static final int GOAWAY = 7;
  private static final String[] STATUS = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};

  private GrpcHealth() {
  }

  static Prober.Outcome check(String host, int port, String service, Duration timeout) {
    String target = host + ":" + port;
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
      s.setSoTimeout((int) Math.max(1, timeout.toMillis()));
      OutputStream out = s.getOutputStream();
      DataInputStream in = new DataInputStream(s.getInputStream());
      out.write(PREFACE);
      frame(out, SETTINGS, 0, 0, new byte[0]);
      frame(out, HEADERS, 0x4, 1, headers(target));
      frame(out, DATA, 0x1, 1, message(service));
      out.flush();
      ByteArrayOutputStream data = new ByteArrayOutputStream();
      while (true) {
        if (System.nanoTime() - deadline > 0) {
          throw new SocketTimeoutException();
        }
        int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = in.readNBytes(length);
        if (payload.length < length) {
          return Prober.Outcome.fail("rpc error: the connection to " + target + " closed");
        }
        if (type == SETTINGS && (flags & 0x1) == 0) {
          frame(out, SETTINGS, 0x1, 0, new byte[0]);
          out.flush();
        } else if (type == PING && (flags & 0x1) == 0) {
          frame(out, PING, 0x1, 0, payload);
          out.flush();
        } else if (type == DATA && stream == 1) {
          int pad = (flags & 0x8) != 0 ? payload[0] & 0xff : 0;
          int start = (flags & 0x8) != 0 ? 1 : 0;
          data.write(payload, start, payload.length - start - pad);
          if ((flags & 0x1) != 0) {
            break;
          }
        } else if (type == HEADERS && stream == 1 && (flags & 0x1) != 0) {
          break; // trailers: the response is complete
        } else if ((type == RST_STREAM && stream == 1) || type == GOAWAY) {
          break;
        }
      }
      int status = servingStatus(data.toByteArray());
      if (status == 1) {
        return Prober.Outcome.OK;
      }
      if (status < 0) {
        return Prober.Outcome.fail("rpc error: no health response from " + target
            + (service.isEmpty() ? "" : " for service \"" + service + "\""));
      }
      return Prober.Outcome.fail("service unhealthy (responded with \"" + (status < STATUS.length ? STATUS[status]
          : Integer.toString(status)) + "\")");
    } catch (SocketTimeoutException e) {
      return Prober.Outcome.fail("timeout: health rpc did not complete within " + timeout.toMillis() + "ms");
    } catch (IOException e) {
      return Prober.Outcome.fail("timeout: failed to connect service \"" + target + "\" within "
          + timeout.toSeconds() + "s: " + e.getMessage());
    }
  }

  private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
    out.write(new byte[] {(byte) (payload.length >> 16), (byte) (payload.length >> 8), (byte) payload.length,
        (byte) type, (byte) flags, (byte) (stream >> 24), (byte) (stream >> 16), (byte) (stream >> 8), (byte) stream});
    out.write(payload);
  }

  /** HPACK: static-table entries and literals without indexing (no Huffman, no dynamic table). */
  private static byte[] headers(String authority) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0x83); // :method POST
    b.write(0x86); // :scheme http
    literalIndexedName(b, 4, "/grpc.health.v1.Health/Check"); // :path
    literalIndexedName(b, 1, authority); // :authority
    literalNewName(b, "content-type", "application/grpc");
    literalNewName(b, "te", "trailers");
    literalNewName(b, "user-agent", "kube-probe/1.32");
    return b.toByteArray();
  }

  private static void literalIndexedName(ByteArrayOutputStream b, int index, String value) {
    b.write(index); // 0000xxxx: literal without indexing, indexed name (index < 15)
    string(b, value);
  }

  private static void literalNewName(ByteArrayOutputStream b, String name, String value) {
    b.write(0);
    string(b, name);
    string(b, value);
  }

  private static void string(ByteArrayOutputStream b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    int n = bytes.length;
    if (n < 127) {
      b.write(n);
    } else {
      b.write(127);
      n -= 127;
      while (n >= 128) {
        b.write((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      b.write(n);
    }
    b.writeBytes(bytes);
  }

  /** A gRPC message (uncompressed) holding {@code HealthCheckRequest{service}}. */
  private static byte[] message(String service) {
    ByteArrayOutputStream proto = new ByteArrayOutputStream();
    if (!service.isEmpty()) {
      byte[] s = service.getBytes(StandardCharsets.UTF_8);
      proto.write(0x0a);
      varint(proto, s.length);
      proto.writeBytes(s);
    }
    byte[] p = proto.toByteArray();
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.write(0);
    m.write(p.length >> 24);
    m.write(p.length >> 16);
    m.write(p.length >> 8);
    m.write(p.length);
    m.writeBytes(p);
    return m.toByteArray();
  }

  private static void varint(ByteArrayOutputStream b, int v) {
    while ((v & ~0x7f) != 0) {
      b.write((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    b.write(v);
  }

  /** The {@code status} of a {@code HealthCheckResponse} message; -1 if there is none. */
  static int servingStatus(byte[] grpcMessage) {
    if (grpcMessage.length < 5) {
      return -1;
    }
    int status = 0; // proto3 default: UNKNOWN
    int i = 5;
    while (i < grpcMessage.length) {
      int key = grpcMessage[i++] & 0xff;
      int wire = key & 7;
      long v = 0;
      int shift = 0;
      if (wire == 0) {
        while (i < grpcMessage.length) {
          int b = grpcMessage[i++] & 0xff;
          v |= (long) (b & 0x7f) << shift;
          shift += 7;
          if ((b & 0x80) == 0) {
            break;
          }
        }
        if ((key >>> 3) == 1) {
          status = (int) v;
        }
      } else if (wire == 2) {
        int len = 0;
        while (i < grpcMessage.length) {
          int b = grpcMessage[i++] & 0xff;
          len |= (b & 0x7f) << shift;
          shift += 7;
          if ((b & 0x80) == 0) {
            break;
          }
        }
        i += len;
      } else {
        return status;
      }
    }
    return status;
  }
}
