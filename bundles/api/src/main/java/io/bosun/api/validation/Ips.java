package io.bosun.api.validation;

/**
 * IP address and CIDR parsing as upstream's {@code netutils.ParseIPSloppy} and
 * {@code ParseCIDRSloppy} (IPv4 parts may have leading zeros). No name resolution is involved.
 */
final class Ips {

  private Ips() {
  }

  /** The 4 or 16 address bytes, or null if {@code s} is not an IP address. */
  static byte[] parse(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    return s.indexOf(':') >= 0 ? parseV6(s) : parseV4(s);
  }

  static boolean isIpv4(String s) {
    byte[] b = parse(s);
    return b != null && (b.length == 4 || isV4Mapped(b));
  }

  static boolean isIpv6(String s) {
    byte[] b = parse(s);
    return b != null && b.length == 16 && !isV4Mapped(b);
  }

  private static boolean isV4Mapped(byte[] b) {
    if (b.length != 16) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  /** The IPv4 bytes of an IPv4 or IPv4-mapped address, else null. */
  static byte[] v4(byte[] b) {
    if (b == null) {
      return null;
    }
    if (b.length == 4) {
      return b;
    }
    return isV4Mapped(b) ? new byte[] {b[12], b[13], b[14], b[15]} : null;
  }

  private static byte[] parseV4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3) {
        return null;
      }
      int v = 0;
      for (char c : p.toCharArray()) {
        if (c < '0' || c > '9') {
          return null;
        }
        v = v * 10 + (c - '0');
      }
      if (v > 255) {
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }

  private static byte[] parseV6(String s) {
    if (s.indexOf('%') >= 0) {
      return null;
    }
    byte[] out = new byte[16];
    int ellipsis = -1;
    int pos = 0;
    String rest = s;
    if (rest.startsWith("::")) {
      ellipsis = 0;
      rest = rest.substring(2);
      if (rest.isEmpty()) {
        return out;
      }
    }
    while (pos < 16) {
      int colon = rest.indexOf(':');
      String group = colon < 0 ? rest : rest.substring(0, colon);
      if (group.indexOf('.') >= 0) {
        // Embedded IPv4 in the last 32 bits.
        if (colon >= 0 || pos > 12) {
          return null;
        }
        byte[] v4 = parseV4(group);
        if (v4 == null) {
          return null;
        }
        System.arraycopy(v4, 0, out, pos, 4);
        pos += 4;
        rest = "";
        break;
      }
      if (group.isEmpty() || group.length() > 4) {
        return null;
      }
      int v;
      try {
        v = Integer.parseInt(group, 16);
      } catch (NumberFormatException e) {
        return null;
      }
      if (group.startsWith("+") || group.startsWith("-")) {
        return null;
      }
      out[pos++] = (byte) (v >> 8);
      out[pos++] = (byte) v;
      if (colon < 0) {
        rest = "";
        break;
      }
      rest = rest.substring(colon + 1);
      if (rest.startsWith(":")) {
        if (ellipsis >= 0) {
          return null;
        }
        ellipsis = pos;
        rest = rest.substring(1);
        if (rest.isEmpty()) {
          break;
        }
      } else if (rest.isEmpty()) {
        return null;
      }
    }
    if (!rest.isEmpty()) {
      return null;
    }
    if (pos < 16) {
      if (ellipsis < 0) {
        return null;
      }
      int n = 16 - pos;
      for (int j = pos - 1; j >= ellipsis; j--) {
        out[j + n] = out[j];
      }
      for (int j = ellipsis + n - 1; j >= ellipsis; j--) {
        out[j] = 0;
      }
    } else if (ellipsis >= 0) {
      return null;
    }
    return out;
  }

  /** Whether {@code s} is a CIDR such as {@code 10.0.0.0/8} or {@code 2001:db8::/64}. */
  static boolean isCidr(String s) {
    if (s == null) {
      return false;
    }
    int slash = s.indexOf('/');
    if (slash < 0) {
      return false;
    }
    byte[] ip = parse(s.substring(0, slash));
    if (ip == null) {
      return false;
    }
    String bits = s.substring(slash + 1);
    if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) {
      return false;
    }
    int n = Integer.parseInt(bits);
    int max = s.substring(0, slash).indexOf(':') >= 0 ? 128 : 32;
    return n <= max;
  }

  static boolean isUnspecified(byte[] b) {
    byte[] v4 = v4(b);
    byte[] x = v4 != null ? v4 : b;
    for (byte v : x) {
      if (v != 0) {
        return false;
      }
    }
    return true;
  }

  static boolean isLoopback(byte[] b) {
    byte[] v4 = v4(b);
    if (v4 != null) {
      return v4[0] == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[15] == 1;
  }

  static boolean isLinkLocalUnicast(byte[] b) {
    byte[] v4 = v4(b);
    if (v4 != null) {
      return (v4[0] & 0xff) == 169 && (v4[1] & 0xff) == 254;
    }
    return (b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80;
  }

  static boolean isLinkLocalMulticast(byte[] b) {
    byte[] v4 = v4(b);
    if (v4 != null) {
      return (v4[0] & 0xff) == 224 && v4[1] == 0 && v4[2] == 0;
    }
    return (b[0] & 0xff) == 0xff && (b[1] & 0x0f) == 0x02;
  }
}
