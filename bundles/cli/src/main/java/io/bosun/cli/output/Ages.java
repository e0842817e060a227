package io.bosun.cli.output;

import java.time.Duration;
import java.time.Instant;

/** Ages as kubectl prints them. */
public final class Ages {

  private Ages() {}

  /** kubectl's short ages: 45s, 3m, 5h, 2d. */
  public static String age(String timestamp) {
    if (timestamp.isEmpty()) {
      return "<unknown>";
    }
    Duration d = Duration.between(Instant.parse(timestamp), Instant.now());
    long s = Math.max(0, d.toSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 600) {
      return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
    }
    if (s < 3 * 3600) {
      return (s / 60) + "m";
    }
    if (s < 8 * 3600) {
      return (s / 3600) + "h" + (s % 3600 / 60 == 0 ? "" : (s % 3600 / 60) + "m");
    }
    if (s < 48 * 3600) {
      return (s / 3600) + "h";
    }
    return (s / 86400) + "d";
  }
}
