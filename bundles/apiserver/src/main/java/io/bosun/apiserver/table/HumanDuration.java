package io.bosun.apiserver.table;

import java.time.Duration;

/** Upstream's {@code duration.HumanDuration}: a succinct, 2-3 significant figure duration. */
public final class HumanDuration {

  private HumanDuration() {
  }

  /**
   * Formats {@code d} as upstream does ("0s", "45s", "5m30s", "2d3h", "3y"...). Durations below
   * -1s are "&lt;invalid&gt;" and small negative ones "0s", which tolerates clock skew.
   */
  public static String format(Duration d) {
    // Go truncates towards zero; millis keep that without overflowing for any realistic span.
    long seconds = d.toMillis() / 1000;
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 60 * 2) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    } else if (minutes < 60 * 3) {
      return minutes + "m";
    }
    long hours = seconds / 3600;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long dy = hours / 24 % 365;
      return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
    }
    return hours / 24 / 365 + "y";
  }
}
