package io.bosun.api.codec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/** Go's {@code time.Duration} text form ({@code 1h2m3.5s}, {@code 150ms}), as upstream's JSON uses it. */
final class GoDuration {

  private static final Map<String, Long> UNITS = Map.of("ns", 1L, "us", 1_000L, "\u00b5s", 1_000L, "\u03bcs", 1_000L,
      "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

  private GoDuration() {
  }

  /** As Go's {@code Duration.String()}. */
  static String format(long nanos) {
    if (nanos == 0) {
      return "0s";
    }
    BigInteger u = BigInteger.valueOf(nanos).abs();
    StringBuilder b = new StringBuilder();
    if (u.compareTo(BigInteger.valueOf(1_000_000_000L)) < 0) {
      long v = u.longValue();
      if (v < 1_000) {
        b.append(v).append("ns");
      } else if (v < 1_000_000) {
        b.append(fraction(v, 3)).append("\u00b5s");
      } else {
        b.append(fraction(v, 6)).append("ms");
      }
    } else {
      BigInteger[] secs = u.divideAndRemainder(BigInteger.valueOf(1_000_000_000L));
      long totalSeconds = secs[0].longValue();
      String frac = fractionDigits(secs[1].longValue(), 9);
      long s = totalSeconds % 60;
      long m = totalSeconds / 60 % 60;
      long h = totalSeconds / 3600;
      if (h > 0) {
        b.append(h).append('h');
      }
      if (h > 0 || m > 0) {
        b.append(m).append('m');
      }
      b.append(s).append(frac).append('s');
    }
    return nanos < 0 ? "-" + b : b.toString();
  }

  private static String fraction(long v, int digits) {
    long scale = (long) Math.pow(10, digits);
    return (v / scale) + fractionDigits(v % scale, digits);
  }

  /** {@code .5} for 500000000 with 9 digits; empty for 0. */
  private static String fractionDigits(long rest, int digits) {
    if (rest == 0) {
      return "";
    }
    String s = String.format("%0" + digits + "d", rest);
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '0') {
      end--;
    }
    return "." + s.substring(0, end);
  }

  /** As Go's {@code time.ParseDuration}. */
  static long parse(String text, String where) {
    String s = text;
    boolean negative = false;
    if (s.startsWith("-") || s.startsWith("+")) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return 0;
    }
    if (s.isEmpty()) {
      throw invalid(text, where);
    }
    BigDecimal total = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      String number = s.substring(start, i);
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      Long unit = UNITS.get(s.substring(unitStart, i));
      if (number.isEmpty() || number.equals(".") || unit == null) {
        throw invalid(text, where);
      }
      try {
        total = total.add(new BigDecimal(number.endsWith(".") ? number + "0" : number).multiply(BigDecimal.valueOf(unit)));
      } catch (NumberFormatException e) {
        throw invalid(text, where);
      }
    }
    BigInteger nanos = total.toBigInteger();
    if (negative) {
      nanos = nanos.negate();
    }
    if (nanos.bitLength() > 63) {
      throw invalid(text, where);
    }
    return nanos.longValue();
  }

  private static IllegalArgumentException invalid(String text, String where) {
    return new IllegalArgumentException("protobuf: " + where + ": time: invalid duration \"" + text + "\"");
  }
}
