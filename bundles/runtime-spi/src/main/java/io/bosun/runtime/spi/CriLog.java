package io.bosun.runtime.spi;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * The CRI container log format, one record per line:
 * {@code 2016-10-06T00:17:09.669794202Z stdout F the line}, that is an RFC 3339 time with
 * nanoseconds, the stream ({@code stdout} or {@code stderr}), a tag ({@code F} for a full line,
 * {@code P} for a part of a longer line continued by the next record) and the content without
 * its newline. Runtimes write it to {@link ContainerConfig#logPath()}; the kubelet parses it to
 * serve {@code kubectl logs}.
 *
 * <p>Contents are bytes, not text: work on lines decoded as ISO-8859-1, which maps every byte to
 * one char and back, so any encoding passes through unchanged.
 */
public final class CriLog {

  /** The output stream of a record. */
  public enum Stream {
    STDOUT("stdout"), STDERR("stderr");

    private final String text;

    Stream(String text) {
      this.text = text;
    }

    /** As written in the log: {@code stdout} or {@code stderr}. */
    public String text() {
      return text;
    }
  }

  /**
   * One parsed record.
   *
   * @param time    when the runtime read the line
   * @param stream  stdout or stderr
   * @param partial true ({@code P}) when the next record continues this line
   * @param content the line without its newline (ISO-8859-1 chars = bytes)
   */
  public record Line(Instant time, Stream stream, boolean partial, String content) {
    public Line {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(stream, "stream");
      Objects.requireNonNull(content, "content");
    }
  }

  private CriLog() {
  }

  /** One record, newline included. {@code content} must not contain a newline. */
  public static String format(Instant time, Stream stream, boolean partial, String content) {
    return formatTime(time) + ' ' + stream.text() + (partial ? " P " : " F ") + content + '\n';
  }

  /**
   * Go's RFC3339Nano, as upstream writes and prints log times: UTC, seconds, then the fraction
   * with trailing zeros removed.
   */
  public static String formatTime(Instant time) {
    String s = time.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(); // ...:05Z
    int nanos = time.getNano();
    if (nanos == 0) {
      return s;
    }
    String frac = String.format("%09d", nanos).replaceAll("0+$", "");
    return s.substring(0, s.length() - 1) + '.' + frac + 'Z';
  }

  /**
   * Parses one record (without its newline; a trailing {@code \r\n} or {@code \n} is ignored).
   * Also accepts the older form without a tag.
   *
   * @throws IllegalArgumentException if {@code line} is not a record
   */
  public static Line parse(String line) {
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\n') {
      end--;
    }
    int s1 = line.indexOf(' ');
    if (s1 < 0 || s1 > end) {
      throw new IllegalArgumentException("not a CRI log record: no time");
    }
    Instant time;
    try {
      time = Instant.parse(line.substring(0, s1));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a CRI log record: bad time " + line.substring(0, s1));
    }
    int s2 = line.indexOf(' ', s1 + 1);
    String streamText = s2 < 0 || s2 > end ? line.substring(s1 + 1, end) : line.substring(s1 + 1, s2);
    Stream stream = switch (streamText) {
      case "stdout" -> Stream.STDOUT;
      case "stderr" -> Stream.STDERR;
      default -> throw new IllegalArgumentException("not a CRI log record: bad stream " + streamText);
    };
    if (s2 < 0 || s2 > end) {
      return new Line(time, stream, false, "");
    }
    boolean partial = false;
    int contentStart = s2 + 1;
    // tag: "F" or "P", possibly with ':'-separated extras as in CRI; absent in the old form
    int s3 = line.indexOf(' ', contentStart);
    String tag = s3 < 0 || s3 > end ? line.substring(contentStart, end) : line.substring(contentStart, s3);
    if (tag.equals("F") || tag.equals("P") || tag.startsWith("F:") || tag.startsWith("P:")) {
      partial = tag.charAt(0) == 'P';
      contentStart = s3 < 0 || s3 > end ? end : s3 + 1;
    }
    return new Line(time, stream, partial, line.substring(contentStart, end));
  }
}
