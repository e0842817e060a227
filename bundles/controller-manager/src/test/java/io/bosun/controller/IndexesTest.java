package io.bosun.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.meta.v1.ObjectMeta;
import org.junit.jupiter.api.Test;

class IndexesTest {

  private static Pod pod(String node) {
    return new Pod().withMetadata(new ObjectMeta().withNamespace("ns").withName("p"))
        .withSpec(new PodSpec().withNodeName(node));
  }

  @Test
  void podNodeNameIndexesBoundPodsByTheirNodeAndLeavesUnboundOnesOut() {
    assertThat(Indexes.podNodeName().values(pod("node-a"))).containsExactly("node-a");
    assertThat(Indexes.podNodeName().values(pod(null))).isEmpty();
    assertThat(Indexes.podNodeName().values(pod(""))).isEmpty();
    assertThat(Indexes.podNodeName().values(new Pod().withMetadata(new ObjectMeta().withName("no-spec")))).isEmpty();
  }

  @Test
  void theFunctionIsOneInstanceOfThisBundle() {
    // Controllers that add the index all pass this very function, which lives as long as the
    // manager's informers: no controller bundle's function is left behind when it is updated.
    assertThat(Indexes.podNodeName()).isSameAs(Indexes.podNodeName());
    assertThat(Indexes.podNodeName().getClass().getClassLoader()).isSameAs(Indexes.class.getClassLoader());
  }
}
