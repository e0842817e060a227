package io.bosun.apiserver.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HumanDurationTest {

  // Expected values are those of upstream's duration.HumanDuration.
  @ParameterizedTest
  @CsvSource({
      "-5000, <invalid>",
      "-1500, 0s",
      "0, 0s",
      "45000, 45s",
      "119000, 119s",
      "120000, 2m",
      "330000, 5m30s",
      "599000, 9m59s",
      "600000, 10m",
      "10799000, 179m",
      "10800000, 3h",
      "11100000, 3h5m",
      "28800000, 8h",
      "172799000, 47h",
      "172800000, 2d",
      "183600000, 2d3h",
      "691200000, 8d",
      "63071999000, 729d",
      "63072000000, 2y",
      "63158400000, 2y1d",
      "252288000000, 8y",
      "946080000000, 30y",
  })
  void formatsLikeUpstream(long millis, String expected) {
    assertThat(HumanDuration.format(Duration.ofMillis(millis))).isEqualTo(expected);
  }
}
