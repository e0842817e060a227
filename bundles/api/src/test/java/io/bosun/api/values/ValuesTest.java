package io.bosun.api.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.coordination.v1.Lease;
import io.bosun.api.coordination.v1.LeaseSpec;
import io.bosun.api.core.v1.Event;
import io.bosun.api.core.v1.ServicePort;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValuesTest {

  private final ObjectMapper mapper = new ApiCodec().mapper();

  @ParameterizedTest
  @CsvSource({"1000m, 1", "0.5, 500m", "1.5Gi, 1536Mi", "1024Mi, 1Gi", "1e3, 1e3", "100m, 100m",
      "128974848, 128974848", "129e6, 129e6", "123Mi, 123Mi", "0, 0", "2048Ki, 2Mi", "1k, 1k", "1000, 1k",
      "0.1, 100m", "1G, 1G", "5Gi, 5Gi"})
  void quantityCanonicalForms(String input, String canonical) {
    assertThat(Quantity.parse(input).toString()).isEqualTo(canonical);
  }

  @Test
  void quantityComparisonAndJson() throws Exception {
    assertThat(Quantity.parse("1Gi")).isEqualTo(Quantity.parse("1024Mi"));
    assertThat(Quantity.parse("500m").compareTo(Quantity.parse("1"))).isNegative();
    assertThat(Quantity.parse("1.5").milliValue()).isEqualTo(1500);
    assertThat(mapper.readValue("\"1000m\"", Quantity.class).toString()).isEqualTo("1");
    assertThat(mapper.readValue("2", Quantity.class).toString()).isEqualTo("2");
    assertThat(mapper.writeValueAsString(Quantity.parse("1.5Gi"))).isEqualTo("\"1536Mi\"");
    assertThatThrownBy(() -> Quantity.parse("1.2.3")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("quantities must match the regular expression");
  }

  @Test
  void intOrString() throws Exception {
    ServicePort port = mapper.readValue("{\"port\":80,\"targetPort\":8080}", ServicePort.class);
    assertThat(port.getTargetPort().isInt()).isTrue();
    assertThat(mapper.writeValueAsString(port)).isEqualTo("{\"port\":80,\"targetPort\":8080}");
    port = mapper.readValue("{\"port\":80,\"targetPort\":\"http\"}", ServicePort.class);
    assertThat(port.getTargetPort()).isEqualTo(IntOrString.of("http"));
    assertThat(mapper.writeValueAsString(port)).isEqualTo("{\"port\":80,\"targetPort\":\"http\"}");
    assertThat(IntOrString.of("25%").scaledValue(10, true)).isEqualTo(3);
    assertThat(IntOrString.of("25%").scaledValue(10, false)).isEqualTo(2);
    assertThat(IntOrString.of(4).scaledValue(10, true)).isEqualTo(4);
  }

  @Test
  void timesAndMicroTimes() throws Exception {
    Event event = mapper.readValue("{\"firstTimestamp\":\"2024-05-01T12:00:00.123+02:00\","
        + "\"eventTime\":\"2024-05-01T10:00:00.123456Z\"}", Event.class);
    assertThat(event.getFirstTimestamp()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
    assertThat(event.getEventTime()).isEqualTo(Instant.parse("2024-05-01T10:00:00.123456Z"));
    String json = mapper.writeValueAsString(event);
    assertThat(json).contains("\"firstTimestamp\":\"2024-05-01T10:00:00Z\"")
        .contains("\"eventTime\":\"2024-05-01T10:00:00.123456Z\"")
        // Go writes zero Time structs as null even with omitempty.
        .contains("\"lastTimestamp\":null");
    Lease lease = new Lease().withSpec(new LeaseSpec().withRenewTime(Instant.parse("2024-05-01T10:00:00Z")));
    assertThat(mapper.writeValueAsString(lease)).contains("\"renewTime\":\"2024-05-01T10:00:00.000000Z\"");
  }
}
