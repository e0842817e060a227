package io.bosun.network.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SpiTest {

  @Test
  void requestsDefaultTheirOptionalParts() {
    AttachRequest r = new AttachRequest("s1", Path.of("/run/netns/x"), null, null, null, null, null);
    assertThat(r.podName()).isEmpty();
    assertThat(r.portMappings()).isEmpty();
    assertThat(new AttachRequest.PortMapping(null, 80, 8080, null).protocol()).isEqualTo("TCP");
    assertThat(new Attachment("10.0.0.2", null, null, null).additionalIps()).isEmpty();
    assertThat(NetworkStatus.ok().ready()).isTrue();
  }
}
