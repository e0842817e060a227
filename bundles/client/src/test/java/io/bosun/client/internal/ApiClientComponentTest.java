package io.bosun.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiClientComponentTest {

  @Test
  void serverDefaultsToTheLocalApiServerPort() {
    assertThat(ApiClientComponent.server("", null)).isEqualTo("http://127.0.0.1:6443");
    assertThat(ApiClientComponent.server(" ", "16443")).isEqualTo("http://127.0.0.1:16443");
    assertThat(ApiClientComponent.server("https://control-plane:6443", "16443")).isEqualTo("https://control-plane:6443");
  }

  @Test
  void segmentsAndQueriesAreEncoded() {
    assertThat(HttpResourceClient.segment("a b/c")).isEqualTo("a%20b%2Fc");
    assertThat(new HttpResourceClient.Query().add("labelSelector", "app in (a, b)").add("limit", 0)
        .add("empty", "").toString()).isEqualTo("?labelSelector=app%20in%20%28a%2C%20b%29");
  }
}
