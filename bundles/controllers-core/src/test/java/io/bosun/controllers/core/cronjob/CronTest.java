package io.bosun.controllers.core.cronjob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The schedule arithmetic against robfig/cron's documented behaviour. */
class CronTest {

  static Instant next(String spec, String from) throws Exception {
    return Cron.parse(spec, ZoneOffset.UTC).next(Instant.parse(from));
  }

  @Test
  void everyMinuteAndSteps() throws Exception {
    assertThat(next("* * * * *", "2026-01-01T00:00:00Z")).isEqualTo("2026-01-01T00:01:00Z");
    assertThat(next("* * * * *", "2026-01-01T00:00:59.5Z")).isEqualTo("2026-01-01T00:01:00Z");
    assertThat(next("*/15 * * * *", "2026-01-01T00:14:00Z")).isEqualTo("2026-01-01T00:15:00Z");
    assertThat(next("5/20 * * * *", "2026-01-01T00:26:00Z")).isEqualTo("2026-01-01T00:45:00Z");
    assertThat(next("0 9-17/4 * * *", "2026-01-01T10:00:00Z")).isEqualTo("2026-01-01T13:00:00Z");
    assertThat(next("30 23 31 12 *", "2026-06-01T00:00:00Z")).isEqualTo("2026-12-31T23:30:00Z");
  }

  @Test
  void dayOfMonthOrDayOfWeekWhenBothRestricted() throws Exception {
    // 2026-01-01 is a Thursday. "1st of the month or a Monday" fires on Monday the 5th.
    assertThat(next("0 0 1 * mon", "2026-01-01T12:00:00Z")).isEqualTo("2026-01-05T00:00:00Z");
    // With a star in one of them, both must match: the next Monday.
    assertThat(next("0 0 * * MON", "2026-01-01T12:00:00Z")).isEqualTo("2026-01-05T00:00:00Z");
    // Sunday is 0.
    assertThat(next("0 0 * * 0", "2026-01-01T00:00:00Z")).isEqualTo("2026-01-04T00:00:00Z");
    assertThat(next("0 0 * jan,FEB *", "2026-01-31T12:00:00Z")).isEqualTo("2026-02-01T00:00:00Z");
  }

  @Test
  void descriptorsAndEvery() throws Exception {
    assertThat(next("@hourly", "2026-01-01T00:10:00Z")).isEqualTo("2026-01-01T01:00:00Z");
    assertThat(next("@daily", "2026-01-01T00:10:00Z")).isEqualTo("2026-01-02T00:00:00Z");
    assertThat(next("@weekly", "2026-01-01T00:10:00Z")).isEqualTo("2026-01-04T00:00:00Z");
    assertThat(next("@monthly", "2026-01-01T00:10:00Z")).isEqualTo("2026-02-01T00:00:00Z");
    assertThat(next("@yearly", "2026-01-01T00:10:00Z")).isEqualTo("2027-01-01T00:00:00Z");
    assertThat(next("@every 90s", "2026-01-01T00:10:00.250Z")).isEqualTo("2026-01-01T00:11:30Z");
    assertThat(next("@every 1h30m", "2026-01-01T00:00:00Z")).isEqualTo("2026-01-01T01:30:00Z");
  }

  @Test
  void timeZonesIncludingDaylightSavingChanges() throws Exception {
    // 09:00 in New York is 14:00 UTC in winter and 13:00 UTC in summer.
    Cron ny = Cron.parse("0 9 * * *", ZoneId.of("America/New_York"));
    assertThat(ny.next(Instant.parse("2026-01-10T00:00:00Z"))).isEqualTo("2026-01-10T14:00:00Z");
    assertThat(ny.next(Instant.parse("2026-07-10T00:00:00Z"))).isEqualTo("2026-07-10T13:00:00Z");
    // The TZ= prefix overrides the default zone.
    assertThat(Cron.parse("TZ=Asia/Kolkata 0 0 * * *", ZoneOffset.UTC).next(Instant.parse("2026-01-01T00:00:00Z")))
        .isEqualTo("2026-01-01T18:30:00Z");
    // 02:30 does not exist on 2026-03-08 in New York: robfig/cron moves on to the next day's 02:30.
    Cron gap = Cron.parse("30 2 * * *", ZoneId.of("America/New_York"));
    assertThat(gap.next(Instant.parse("2026-03-08T05:00:00Z"))).isEqualTo("2026-03-09T06:30:00Z");
  }

  @Test
  void errorsAsRobfigCron() {
    assertThatThrownBy(() -> Cron.parse("* * * *", ZoneOffset.UTC)).hasMessage("expected exactly 5 fields, found 4: [* * * *]");
    assertThatThrownBy(() -> Cron.parse("61 * * * *", ZoneOffset.UTC)).hasMessage("end of range (61) above maximum (59): 61");
    assertThatThrownBy(() -> Cron.parse("*/0 * * * *", ZoneOffset.UTC)).hasMessage("step of range should be a positive number: */0");
    assertThatThrownBy(() -> Cron.parse("@fortnightly", ZoneOffset.UTC)).hasMessage("unrecognized descriptor: @fortnightly");
    assertThatThrownBy(() -> Cron.parse("TZ=Mars/Olympus 0 0 * * *", ZoneOffset.UTC))
        .hasMessage("provided bad location Mars/Olympus: unknown time zone Mars/Olympus");
    assertThatThrownBy(() -> Cron.parse("", ZoneOffset.UTC)).hasMessage("empty spec string");
  }

  @Test
  void impossibleDateHasNoNextTime() throws Exception {
    assertThat(next("0 0 30 2 *", "2026-01-01T00:00:00Z")).isNull();
  }
}
