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
import java.util.Objects;

/** A value that is either an integer or a string, such as a port name or a percentage. */
@JsonSerialize(using = IntOrString.Writer.class)
@JsonDeserialize(using = IntOrString.Reader.class)
public final class IntOrString {

  private final Integer intValue;
  private final String stringValue;

  private IntOrString(Integer intValue, String stringValue) {
    this.intValue = intValue;
    this.stringValue = stringValue;
  }

  public static IntOrString of(int value) {
    return new IntOrString(value, null);
  }

  public static IntOrString of(String value) {
    return new IntOrString(null, Objects.requireNonNull(value, "value"));
  }

  public boolean isInt() {
    return intValue != null;
  }

  /** The integer; 0 when this holds a string. */
  public int intValue() {
    return intValue != null ? intValue : 0;
  }

  /** The string; the integer in decimal when this holds an integer. */
  public String stringValue() {
    return stringValue != null ? stringValue : Integer.toString(intValue);
  }

  /**
   * Resolves an absolute number or a percentage of {@code total}, rounding a percentage up or
   * down, like upstream's {@code GetScaledValueFromIntOrPercent}.
   *
   * @throws IllegalArgumentException if this is a string that is not a percentage
   */
  public int scaledValue(int total, boolean roundUp) {
    if (isInt()) {
      return intValue;
    }
    if (!stringValue.endsWith("%")) {
      throw new IllegalArgumentException("invalid value for IntOrString: invalid type: string is not a percentage");
    }
    int percent;
    try {
      percent = Integer.parseInt(stringValue.substring(0, stringValue.length() - 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid value \"" + stringValue + "\": " + e.getMessage());
    }
    long scaled = (long) percent * total;
    return (int) (roundUp ? Math.ceilDiv(scaled, 100) : Math.floorDiv(scaled, 100));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IntOrString other && Objects.equals(intValue, other.intValue)
        && Objects.equals(stringValue, other.stringValue);
  }

  @Override
  public int hashCode() {
    return Objects.hash(intValue, stringValue);
  }

  @Override
  public String toString() {
    return stringValue();
  }

  static final class Writer extends JsonSerializer<IntOrString> {
    @Override
    public void serialize(IntOrString value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      if (value.isInt()) {
        gen.writeNumber(value.intValue);
      } else {
        gen.writeString(value.stringValue);
      }
    }
  }

  static final class Reader extends JsonDeserializer<IntOrString> {
    @Override
    public IntOrString deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_NUMBER_INT) {
        return of(p.getIntValue());
      }
      if (t == JsonToken.VALUE_STRING) {
        return of(p.getText());
      }
      return (IntOrString) ctxt.handleUnexpectedToken(IntOrString.class, p);
    }
  }
}
