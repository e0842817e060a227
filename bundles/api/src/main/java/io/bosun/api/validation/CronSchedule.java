package io.bosun.api.validation;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A checker for the standard cron syntax CronJobs use (upstream parses it with
 * {@code robfig/cron/v3}'s {@code ParseStandard}): five fields or an {@code @} descriptor, with
 * that library's error messages.
 */
final class CronSchedule {

  private record Bounds(int min, int max, Map<String, Integer> names) {}

  private static final Map<String, Integer> MONTHS = Map.ofEntries(Map.entry("jan", 1), Map.entry("feb", 2),
      Map.entry("mar", 3), Map.entry("apr", 4), Map.entry("may", 5), Map.entry("jun", 6), Map.entry("jul", 7),
      Map.entry("aug", 8), Map.entry("sep", 9), Map.entry("oct", 10), Map.entry("nov", 11), Map.entry("dec", 12));
  private static final Map<String, Integer> DAYS = Map.of("sun", 0, "mon", 1, "tue", 2, "wed", 3, "thu", 4, "fri", 5,
      "sat", 6);
  private static final List<Bounds> FIELDS = List.of(new Bounds(0, 59, Map.of()), new Bounds(0, 23, Map.of()),
      new Bounds(1, 31, Map.of()), new Bounds(1, 12, MONTHS), new Bounds(0, 6, DAYS));
  private static final List<String> DESCRIPTORS = List.of("@yearly", "@annually", "@monthly", "@weekly", "@daily",
      "@midnight", "@hourly");
  private static final Pattern DURATION = Pattern.compile("([0-9]*(\\.[0-9]*)?(ns|us|µs|ms|s|m|h))+");

  private CronSchedule() {
  }

  /** The parse error message, or null when {@code spec} is a valid schedule. */
  static String check(String spec) {
    if (spec.isEmpty()) {
      return "empty spec string";
    }
    String s = spec;
    if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
      int space = s.indexOf(' ');
      if (space < 0) {
        return "provided bad location " + s.substring(s.indexOf('=') + 1) + ": unknown time zone "
            + s.substring(s.indexOf('=') + 1);
      }
      String zone = s.substring(s.indexOf('=') + 1, space);
      try {
        java.time.ZoneId.of(zone);
      } catch (java.time.DateTimeException e) {
        return "provided bad location " + zone + ": unknown time zone " + zone;
      }
      s = s.substring(space).strip();
    }
    if (s.startsWith("@")) {
      if (DESCRIPTORS.contains(s)) {
        return null;
      }
      if (s.startsWith("@every ")) {
        String d = s.substring("@every ".length());
        if (!DURATION.matcher(d).matches() || d.isEmpty() || d.equals(".")) {
          return "failed to parse duration " + s + ": time: invalid duration " + GoValue.quote(d);
        }
        return null;
      }
      return "unrecognized descriptor: " + s;
    }
    String[] fields = s.strip().split("\\s+");
    if (fields.length != 5) {
      return "expected exactly 5 fields, found " + (s.isBlank() ? 0 : fields.length) + ": ["
          + (s.isBlank() ? "" : String.join(" ", fields)) + "]";
    }
    for (int i = 0; i < 5; i++) {
      for (String expr : fields[i].split(",", -1)) {
        String err = range(expr, FIELDS.get(i));
        if (err != null) {
          return err;
        }
      }
    }
    return null;
  }

  private static String range(String expr, Bounds r) {
    String[] rangeAndStep = expr.split("/", -1);
    String[] lowAndHigh = rangeAndStep[0].split("-", -1);
    boolean single = lowAndHigh.length == 1;
    long start;
    long end;
    long step;
    if (lowAndHigh[0].equals("*") || lowAndHigh[0].equals("?")) {
      start = r.min();
      end = r.max();
    } else {
      Object v = intOrName(lowAndHigh[0], r.names());
      if (v instanceof String err) {
        return err;
      }
      start = (Long) v;
      switch (lowAndHigh.length) {
        case 1 -> end = start;
        case 2 -> {
          Object e = intOrName(lowAndHigh[1], r.names());
          if (e instanceof String err) {
            return err;
          }
          end = (Long) e;
        }
        default -> {
          return "too many hyphens: " + expr;
        }
      }
    }
    switch (rangeAndStep.length) {
      case 1 -> step = 1;
      case 2 -> {
        Object v = mustParseInt(rangeAndStep[1]);
        if (v instanceof String err) {
          return err;
        }
        step = (Long) v;
        if (single) {
          end = r.max();
        }
      }
      default -> {
        return "too many slashes: " + expr;
      }
    }
    if (start < r.min()) {
      return "beginning of range (" + start + ") below minimum (" + r.min() + "): " + expr;
    }
    if (end > r.max()) {
      return "end of range (" + end + ") above maximum (" + r.max() + "): " + expr;
    }
    if (start > end) {
      return "beginning of range (" + start + ") beyond end of range (" + end + "): " + expr;
    }
    if (step == 0) {
      return "step of range should be a positive number: " + expr;
    }
    return null;
  }

  private static Object intOrName(String expr, Map<String, Integer> names) {
    Integer named = names.get(expr.toLowerCase(Locale.ROOT));
    return named != null ? (Object) named.longValue() : mustParseInt(expr);
  }

  /** A Long, or the error message as a String. */
  private static Object mustParseInt(String expr) {
    long num;
    try {
      if (expr.isEmpty() || !expr.matches("[+-]?[0-9]+")) {
        throw new NumberFormatException();
      }
      num = Long.parseLong(expr.startsWith("+") ? expr.substring(1) : expr);
    } catch (NumberFormatException e) {
      return "failed to parse int from " + expr + ": strconv.Atoi: parsing " + GoValue.quote(expr) + ": invalid syntax";
    }
    if (num < 0) {
      return "negative number (" + num + ") not allowed: " + expr;
    }
    return num;
  }
}
