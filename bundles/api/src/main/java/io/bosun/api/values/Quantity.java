package io.bosun.api.values;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A resource quantity such as {@code 100m}, {@code 1.5Gi} or {@code 1e3}, as upstream's
 * {@code resource.Quantity}: an exact decimal value plus the format it was written in, serialized
 * in upstream's canonical form ({@code 1000m} becomes {@code 1}, {@code 1024Mi} becomes
 * {@code 1Gi}). Values finer than one nano-unit are rounded up, as upstream does.
 */
@JsonSerialize(using = Quantity.Writer.class)
@JsonDeserialize(using = Quantity.Reader.class)
public final class Quantity implements Comparable<Quantity> {

  /** The notation a quantity was written in, which decides its canonical form. */
  public enum Format { BINARY_SI, DECIMAL_SI, DECIMAL_EXPONENT }

  private static final Pattern SYNTAX =
      Pattern.compile("^([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$");
  private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  private static final String[] DECIMAL_SUFFIXES = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
  private static final BigInteger KI = BigInteger.valueOf(1024);

  private final BigDecimal value;
  private final Format format;

  private Quantity(BigDecimal value, Format format) {
    // Upstream keeps at most nano precision and rounds up beyond it.
    this.value = value.setScale(Math.min(Math.max(value.scale(), 0), 9), RoundingMode.CEILING).stripTrailingZeros();
    this.format = format;
  }

  /**
   * Parses upstream quantity syntax.
   *
   * @throws IllegalArgumentException with upstream's message when {@code text} is not a quantity
   */
  public static Quantity parse(String text) {
    Matcher m = SYNTAX.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("quantities must match the regular expression "
          + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    }
    BigDecimal number = new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1));
    String suffix = m.group(2) == null ? "" : m.group(2);
    if (suffix.endsWith("i")) {
      int power = indexOf(BINARY_SUFFIXES, suffix);
      return new Quantity(number.multiply(new BigDecimal(KI.pow(power))), Format.BINARY_SI);
    }
    if (suffix.startsWith("e") || suffix.startsWith("E")) {
      int exponent = Integer.parseInt(suffix.substring(1));
      return new Quantity(number.scaleByPowerOfTen(exponent), Format.DECIMAL_EXPONENT);
    }
    int index = indexOf(DECIMAL_SUFFIXES, suffix);
    return new Quantity(number.scaleByPowerOfTen(3 * (index - 3)), Format.DECIMAL_SI);
  }

  public static Quantity of(BigDecimal value, Format format) {
    return new Quantity(value, format);
  }

  /** A whole number of bytes, written in binary SI. */
  public static Quantity bytes(long bytes) {
    return new Quantity(BigDecimal.valueOf(bytes), Format.BINARY_SI);
  }

  /** A number of thousandths (such as milli-CPUs), written in decimal SI. */
  public static Quantity milli(long thousandths) {
    return new Quantity(BigDecimal.valueOf(thousandths, 3), Format.DECIMAL_SI);
  }

  private static int indexOf(String[] values, String value) {
    for (int i = 0; i < values.length; i++) {
      if (values[i].equals(value)) {
        return i;
      }
    }
    throw new IllegalArgumentException("unknown quantity suffix " + value);
  }

  public BigDecimal value() {
    return value;
  }

  public Format format() {
    return format;
  }

  /** The value rounded up to a whole number, as upstream's {@code Value()}. */
  public long longValue() {
    return value.setScale(0, RoundingMode.CEILING).longValueExact();
  }

  /** The value in thousandths, rounded up, as upstream's {@code MilliValue()}. */
  public long milliValue() {
    return value.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
  }

  public boolean isZero() {
    return value.signum() == 0;
  }

  public Quantity add(Quantity other) {
    return new Quantity(value.add(other.value), format);
  }

  public Quantity subtract(Quantity other) {
    return new Quantity(value.subtract(other.value), format);
  }

  @Override
  public int compareTo(Quantity o) {
    return value.compareTo(o.value);
  }

  /** Quantities are equal when their values are, whatever their notation. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Quantity q && value.compareTo(q.value) == 0;
  }

  @Override
  public int hashCode() {
    return value.stripTrailingZeros().hashCode();
  }

  /** The canonical form. */
  @Override
  public String toString() {
    if (value.signum() == 0) {
      return "0";
    }
    if (format == Format.BINARY_SI && isWhole(value)) {
      BigInteger n = value.toBigIntegerExact();
      if (n.abs().compareTo(KI) >= 0) {
        int power = 0;
        while (power < BINARY_SUFFIXES.length - 1 && n.mod(KI).signum() == 0 && n.abs().compareTo(KI) >= 0) {
          n = n.divide(KI);
          power++;
        }
        return n + BINARY_SUFFIXES[power];
      }
      // Small or fractional binary values are written in decimal notation, as upstream does.
    }
    // Find the largest power of 1000 that leaves a whole mantissa.
    int exponent = -9;
    BigDecimal mantissa = value.movePointRight(9);
    while (exponent < 18 && isWhole(mantissa.movePointLeft(3))) {
      mantissa = mantissa.movePointLeft(3);
      exponent += 3;
    }
    String digits = mantissa.setScale(0, RoundingMode.UNNECESSARY).toPlainString();
    if (format == Format.DECIMAL_EXPONENT) {
      return exponent == 0 ? digits : digits + "e" + exponent;
    }
    return digits + DECIMAL_SUFFIXES[exponent / 3 + 3];
  }

  private static boolean isWhole(BigDecimal d) {
    return d.signum() == 0 || d.stripTrailingZeros().scale() <= 0;
  }

  static final class Writer extends JsonSerializer<Quantity> {
    @Override
    public void serialize(Quantity value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      gen.writeString(value.toString());
    }
  }

  static final class Reader extends JsonDeserializer<Quantity> {
    @Override
    public Quantity deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken t = p.currentToken();
      String text;
      if (t == JsonToken.VALUE_STRING) {
        text = p.getText();
      } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
        text = p.getDecimalValue().toPlainString();
      } else {
        return (Quantity) ctxt.handleUnexpectedToken(Quantity.class, p);
      }
      try {
        return parse(text);
      } catch (IllegalArgumentException e) {
        return (Quantity) ctxt.handleWeirdStringValue(Quantity.class, text, e.getMessage());
      }
    }
  }
}
