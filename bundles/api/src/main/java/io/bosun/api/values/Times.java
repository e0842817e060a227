package io.bosun.api.values;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Timestamps as upstream writes them: {@code Time} is RFC 3339 with whole seconds in UTC
 * ({@code 2006-01-02T15:04:05Z}); {@code MicroTime} has six fractional digits.
 */
public final class Times {

  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
      .withZone(ZoneOffset.UTC);

  private Times() {
  }

  /** Formats as a {@code Time}: truncated to seconds. */
  public static String formatSeconds(Instant instant) {
    return SECONDS.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** Formats as a {@code MicroTime}. */
  public static String formatMicros(Instant instant) {
    return MICROS.format(instant.truncatedTo(ChronoUnit.MICROS));
  }

  /**
   * Parses an RFC 3339 timestamp with any offset and fraction.
   *
   * @throws DateTimeParseException if {@code text} is not RFC 3339
   */
  public static Instant parse(String text) {
    return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
  }

  /** Writes a {@code Time}. */
  public static final class SecondsSerializer extends JsonSerializer<Instant> {
    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      gen.writeString(formatSeconds(value));
    }
  }

  /** Writes a {@code MicroTime}. */
  public static final class MicrosSerializer extends JsonSerializer<Instant> {
    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      gen.writeString(formatMicros(value));
    }
  }

  /** Reads a {@code Time}; precision beyond seconds is dropped, as upstream does. */
  public static final class SecondsDeserializer extends JsonDeserializer<Instant> {
    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      Instant instant = read(p, ctxt);
      return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS);
    }
  }

  /** Reads a {@code MicroTime}. */
  public static final class MicrosDeserializer extends JsonDeserializer<Instant> {
    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      Instant instant = read(p, ctxt);
      return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS);
    }
  }

  private static Instant read(JsonParser p, DeserializationContext ctxt) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
    }
    String text = p.getText();
    if (text.isEmpty()) {
      return null;
    }
    try {
      return parse(text);
    } catch (DateTimeParseException e) {
      return (Instant) ctxt.handleWeirdStringValue(Instant.class, text, "not an RFC 3339 timestamp");
    }
  }
}
