package io.bosun.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpectationsTest {

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void creationsBlockUntilObserved() {
    Expectations e = new Expectations(Clock.systemUTC());
    assertThat(e.satisfied("ns/rs")).as("no record: the caches are the truth").isTrue();
    e.expectCreations("ns/rs", 2);
    assertThat(e.satisfied("ns/rs")).isFalse();
    e.creationObserved("ns/rs");
    assertThat(e.satisfied("ns/rs")).isFalse();
    e.creationObserved("ns/rs");
    assertThat(e.satisfied("ns/rs")).isTrue();
    e.creationObserved("ns/rs");
    assertThat(e.satisfied("ns/rs")).isTrue();
  }

  @Test
  void deletionsCountEachObjectOnce() {
    Expectations e = new Expectations(Clock.systemUTC());
    e.expectDeletions("ns/rs", List.of("ns/p1", "ns/p2"));
    e.deletionObserved("ns/rs", "ns/p1");
    e.deletionObserved("ns/rs", "ns/p1");
    e.deletionObserved("ns/rs", "ns/other");
    assertThat(e.satisfied("ns/rs")).isFalse();
    assertThat(e.pending("ns/rs")).containsExactly(0, 1);
    e.deletionObserved("ns/rs", "ns/p2");
    assertThat(e.satisfied("ns/rs")).isTrue();
  }

  @Test
  void recordsExpireAfterFiveMinutes() {
    MovableClock clock = new MovableClock();
    Expectations e = new Expectations(clock);
    e.expectCreations("ns/rs", 1);
    clock.now = clock.now.plus(Expectations.TTL);
    assertThat(e.satisfied("ns/rs")).isFalse();
    clock.now = clock.now.plus(Duration.ofSeconds(1));
    assertThat(e.satisfied("ns/rs")).isTrue();
    e.delete("ns/rs");
    assertThat(e.pending("ns/rs")).containsExactly(0, 0);
  }
}
