package io.bosun.controllers.core.cronjob;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cron schedules as upstream's CronJob controller reads them: {@code robfig/cron/v3}'s
 * {@code ParseStandard} (five fields, or an {@code @} descriptor, optionally prefixed with
 * {@code TZ=zone} or {@code CRON_TZ=zone}) and its {@code Next}, step for step, including the
 * day-of-month/day-of-week rule (both restrict only when neither is {@code *}) and its handling of
 * daylight saving time. (bundles/api's validation checks the same syntax but neither exposes a
 * parser nor computes times, so the arithmetic lives here.) Immutable and thread-safe.
 */
public sealed interface Cron permits Cron.Spec, Cron.Every {

  /** The first activation strictly after {@code t} (at second resolution); null if none within five years. */
  Instant next(Instant t);

  /** Parse failure, with robfig/cron's message. */
  final class ParseException extends Exception {
    private static final long serialVersionUID = 1L;

    ParseException(String message) {
      super(message);
    }
  }

  /**
   * Parses a standard schedule. Schedules without a {@code TZ=} prefix are read in
   * {@code defaultZone} (upstream: the controller manager's local zone).
   *
   * @throws ParseException with robfig/cron's message (such as {@code expected exactly 5 fields, found 4: [...]})
   */
  static Cron parse(String spec, ZoneId defaultZone) throws ParseException {
    if (spec == null || spec.isEmpty()) {
      throw new ParseException("empty spec string");
    }
    ZoneId zone = defaultZone;
    String s = spec;
    if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
      int space = s.indexOf(' ');
      int eq = s.indexOf('=');
      String name = space < 0 ? s.substring(eq + 1) : s.substring(eq + 1, space);
      try {
        zone = ZoneId.of(name);
      } catch (DateTimeException e) {
        throw new ParseException("provided bad location " + name + ": unknown time zone " + name);
      }
      s = space < 0 ? "" : s.substring(space).strip();
    }
    if (s.startsWith("@")) {
      return descriptor(s, zone);
    }
    String[] fields = s.isBlank() ? new String[0] : s.strip().split("\\s+");
    if (fields.length != 5) {
      throw new ParseException("expected exactly 5 fields, found " + fields.length + ": [" + String.join(" ", fields) + "]");
    }
    return new Spec(1L, field(fields[0], MINUTES), field(fields[1], HOURS), field(fields[2], DOM),
        field(fields[3], MONTHS), field(fields[4], DOW), zone);
  }

  /** The bit robfig/cron sets on a field written as {@code *} or {@code ?}. */
  long STAR = 1L << 63;

  /** A field's range and names. */
  record Bounds(int min, int max, Map<String, Integer> names) {}

  Bounds MINUTES = new Bounds(0, 59, Map.of());
  Bounds HOURS = new Bounds(0, 23, Map.of());
  Bounds DOM = new Bounds(1, 31, Map.of());
  Bounds MONTHS = new Bounds(1, 12, Map.ofEntries(Map.entry("jan", 1), Map.entry("feb", 2), Map.entry("mar", 3),
      Map.entry("apr", 4), Map.entry("may", 5), Map.entry("jun", 6), Map.entry("jul", 7), Map.entry("aug", 8),
      Map.entry("sep", 9), Map.entry("oct", 10), Map.entry("nov", 11), Map.entry("dec", 12)));
  Bounds DOW = new Bounds(0, 6, Map.of("sun", 0, "mon", 1, "tue", 2, "wed", 3, "thu", 4, "fri", 5, "sat", 6));

  /**
   * A schedule of bit sets, robfig/cron's {@code SpecSchedule}.
   *
   * @param second bit n set: second n matches (always bit 0 for standard schedules)
   * @param dow    bit 0 is Sunday
   * @param zone   the zone the fields are read in
   */
  record Spec(long second, long minute, long hour, long dom, long month, long dow, ZoneId zone) implements Cron {

    @Override
    public Instant next(Instant instant) {
      ZonedDateTime t = instant.atZone(zone).plusSeconds(1).withNano(0);
      boolean added = false;
      int yearLimit = t.getYear() + 5;
      wrap:
      while (true) {
        if (t.getYear() > yearLimit) {
          return null;
        }
        while ((1L << t.getMonthValue() & month) == 0) {
          if (!added) {
            added = true;
            t = ZonedDateTime.of(t.getYear(), t.getMonthValue(), 1, 0, 0, 0, 0, zone);
          }
          t = t.plusMonths(1);
          if (t.getMonthValue() == 1) {
            continue wrap;
          }
        }
        while (!dayMatches(t)) {
          if (!added) {
            added = true;
            t = ZonedDateTime.of(t.toLocalDate(), LocalTime.MIDNIGHT, zone);
          }
          t = t.plusDays(1);
          // A daylight saving change may have moved midnight: go back to it, as robfig/cron does.
          if (t.getHour() != 0) {
            t = t.getHour() > 12 ? t.plusHours(24 - t.getHour()) : t.minusHours(t.getHour());
          }
          if (t.getDayOfMonth() == 1) {
            continue wrap;
          }
        }
        while ((1L << t.getHour() & hour) == 0) {
          if (!added) {
            added = true;
            t = t.truncatedTo(ChronoUnit.HOURS);
          }
          t = t.plusHours(1);
          if (t.getHour() == 0) {
            continue wrap;
          }
        }
        while ((1L << t.getMinute() & minute) == 0) {
          if (!added) {
            added = true;
            t = t.truncatedTo(ChronoUnit.MINUTES);
          }
          t = t.plusMinutes(1);
          if (t.getMinute() == 0) {
            continue wrap;
          }
        }
        while ((1L << t.getSecond() & second) == 0) {
          if (!added) {
            added = true;
            t = t.truncatedTo(ChronoUnit.SECONDS);
          }
          t = t.plusSeconds(1);
          if (t.getSecond() == 0) {
            continue wrap;
          }
        }
        return t.toInstant();
      }
    }

    private boolean dayMatches(ZonedDateTime t) {
      boolean domMatch = (1L << t.getDayOfMonth() & dom) != 0;
      boolean dowMatch = (1L << (t.getDayOfWeek().getValue() % 7) & dow) != 0;
      if ((dom & STAR) != 0 || (dow & STAR) != 0) {
        return domMatch && dowMatch;
      }
      return domMatch || dowMatch;
    }
  }

  /** {@code @every <duration>}: robfig/cron's {@code ConstantDelaySchedule}, at whole seconds. */
  record Every(Duration delay) implements Cron {
    @Override
    public Instant next(Instant t) {
      return t.plus(delay).minusNanos(t.getNano());
    }
  }

  private static Cron descriptor(String s, ZoneId zone) throws ParseException {
    long allDom = all(DOM);
    long allMonths = all(MONTHS);
    long allDow = all(DOW);
    switch (s) {
      case "@yearly", "@annually" -> {
        return new Spec(1L, 1L, 1L, 1L << 1, 1L << 1, allDow, zone);
      }
      case "@monthly" -> {
        return new Spec(1L, 1L, 1L, 1L << 1, allMonths, allDow, zone);
      }
      case "@weekly" -> {
        return new Spec(1L, 1L, 1L, allDom, allMonths, 1L, zone);
      }
      case "@daily", "@midnight" -> {
        return new Spec(1L, 1L, 1L, allDom, allMonths, allDow, zone);
      }
      case "@hourly" -> {
        return new Spec(1L, 1L, all(HOURS), allDom, allMonths, allDow, zone);
      }
      default -> { }
    }
    if (s.startsWith("@every ")) {
      String text = s.substring("@every ".length());
      Duration d = GoDurations.parse(text);
      if (d == null) {
        throw new ParseException("failed to parse duration " + s + ": time: invalid duration \"" + text + "\"");
      }
      if (d.compareTo(Duration.ofSeconds(1)) < 0) {
        d = Duration.ofSeconds(1);
      }
      return new Every(d.minusNanos(d.getNano()));
    }
    throw new ParseException("unrecognized descriptor: " + s);
  }

  private static long all(Bounds r) {
    return bits(r.min(), r.max(), 1) | STAR;
  }

  private static long field(String field, Bounds r) throws ParseException {
    long bits = 0;
    for (String expr : field.split(",", -1)) {
      bits |= range(expr, r);
    }
    return bits;
  }

  private static long range(String expr, Bounds r) throws ParseException {
    String[] rangeAndStep = expr.split("/", -1);
    String[] lowAndHigh = rangeAndStep[0].split("-", -1);
    boolean single = lowAndHigh.length == 1;
    long extra = 0;
    long start;
    long end;
    long step;
    if (lowAndHigh[0].equals("*") || lowAndHigh[0].equals("?")) {
      start = r.min();
      end = r.max();
      extra = STAR;
    } else {
      start = intOrName(lowAndHigh[0], r.names());
      end = switch (lowAndHigh.length) {
        case 1 -> start;
        case 2 -> intOrName(lowAndHigh[1], r.names());
        default -> throw new ParseException("too many hyphens: " + expr);
      };
    }
    switch (rangeAndStep.length) {
      case 1 -> step = 1;
      case 2 -> {
        step = mustParseInt(rangeAndStep[1]);
        // "N/step" means "N-max/step".
        if (single) {
          end = r.max();
        }
        if (step > 1) {
          extra = 0;
        }
      }
      default -> throw new ParseException("too many slashes: " + expr);
    }
    if (start < r.min()) {
      throw new ParseException("beginning of range (" + start + ") below minimum (" + r.min() + "): " + expr);
    }
    if (end > r.max()) {
      throw new ParseException("end of range (" + end + ") above maximum (" + r.max() + "): " + expr);
    }
    if (start > end) {
      throw new ParseException("beginning of range (" + start + ") beyond end of range (" + end + "): " + expr);
    }
    if (step == 0) {
      throw new ParseException("step of range should be a positive number: " + expr);
    }
    return bits((int) start, (int) end, (int) step) | extra;
  }

  private static long bits(int min, int max, int step) {
    long bits = 0;
    for (int i = min; i <= max; i += step) {
      bits |= 1L << i;
    }
    return bits;
  }

  private static long intOrName(String expr, Map<String, Integer> names) throws ParseException {
    Integer named = names.get(expr.toLowerCase(Locale.ROOT));
    return named != null ? named : mustParseInt(expr);
  }

  private static long mustParseInt(String expr) throws ParseException {
    if (expr.isEmpty() || !expr.matches("[+-]?[0-9]+")) {
      throw new ParseException("failed to parse int from " + expr + ": strconv.Atoi: parsing \"" + expr
          + "\": invalid syntax");
    }
    long num;
    try {
      num = Long.parseLong(expr.startsWith("+") ? expr.substring(1) : expr);
    } catch (NumberFormatException e) {
      throw new ParseException("failed to parse int from " + expr + ": strconv.Atoi: parsing \"" + expr
          + "\": value out of range");
    }
    if (num < 0) {
      throw new ParseException("negative number (" + num + ") not allowed: " + expr);
    }
    return num;
  }

  /** Go's {@code time.ParseDuration} for the units cron accepts. */
  final class GoDurations {
    private static final Pattern PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)");
    private static final Map<String, Long> NANOS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L,
        "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private GoDurations() {
    }

    /** The duration, or null if {@code text} is not one. */
    static Duration parse(String text) {
      String s = text;
      boolean negative = false;
      if (s.startsWith("-") || s.startsWith("+")) {
        negative = s.startsWith("-");
        s = s.substring(1);
      }
      if (s.equals("0")) {
        return Duration.ZERO;
      }
      if (s.isEmpty()) {
        return null;
      }
      Matcher m = PART.matcher(s);
      BigDecimal total = BigDecimal.ZERO;
      int pos = 0;
      while (pos < s.length()) {
        if (!m.find(pos) || m.start() != pos) {
          return null;
        }
        String number = m.group(1);
        if (number.isEmpty() || number.equals(".")) {
          return null;
        }
        total = total.add(new BigDecimal(number.startsWith(".") ? "0" + number : number)
            .multiply(BigDecimal.valueOf(NANOS.get(m.group(2)))));
        pos = m.end();
      }
      long nanos = total.longValue();
      return Duration.ofNanos(negative ? -nanos : nanos);
    }
  }
}
