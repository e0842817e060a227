package io.bosun.scheduler.plugins.nodeports;

import static io.bosun.scheduler.plugins.testkit.NodeBuilder.node;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.PreFilterResult;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.Status;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Cases from upstream's node_ports_test.go. */
class NodePortsTest {

  private final NodePorts plugin = (NodePorts) new NodePortsFactory().create(Scoring.args("{}"), null);

  private Status run(Pod incoming, NodeInfo node) {
    CycleState state = new CycleState();
    PreFilterResult r = plugin.preFilter(state, incoming, List.of(node));
    if (r.status() != null && r.status().isSkip()) {
      return null;
    }
    return plugin.filter(state, incoming, node);
  }

  @Test
  void podWithoutHostPortsSkipsTheFilter() {
    CycleState state = new CycleState();
    assertThat(plugin.preFilter(state, pod("p").build(), List.of()).status().isSkip()).isTrue();
    // A container port without a host port is no host port.
    assertThat(plugin.preFilter(state, pod("p").hostPort("", "TCP", 0).build(), List.of()).status().isSkip()).isTrue();
  }

  @ParameterizedTest(name = "{0}/{1}:{2} vs existing {3}/{4}:{5} -> conflict={6}")
  @CsvSource({
      // same port, other IP: fits
      "127.0.0.1, TCP, 8080, 127.0.0.2, TCP, 8080, false",
      // same IP and port
      "127.0.0.1, TCP, 8080, 127.0.0.1, TCP, 8080, true",
      // same IP and port, other protocol
      "127.0.0.1, UDP, 8080, 127.0.0.1, TCP, 8080, false",
      // other port
      "127.0.0.1, TCP, 8001, 127.0.0.1, TCP, 8080, false",
      // wanted wildcard conflicts with any IP on the same protocol and port
      "0.0.0.0, TCP, 8001, 127.0.0.1, TCP, 8001, true",
      "0.0.0.0, UDP, 8001, 127.0.0.1, TCP, 8001, false",
      // an existing wildcard conflicts with any wanted IP
      "10.0.10.10, TCP, 8001, 0.0.0.0, TCP, 8001, true",
      "10.0.10.10, UDP, 8001, 0.0.0.0, TCP, 8001, false",
      // unset IP means the wildcard, unset protocol TCP
      "'', '', 8001, 127.0.0.1, TCP, 8001, true",
      "127.0.0.1, TCP, 8001, '', '', 8001, true",
      "'', UDP, 8001, '', '', 8001, false",
  })
  void conflicts(String ip, String proto, int port, String usedIp, String usedProto, int usedPort, boolean conflict) {
    Pod existing = pod("old").node("n").hostPort(usedIp, usedProto, usedPort).build();
    Status s = run(pod("new").hostPort(ip, proto, port).build(), node("n").info(existing));
    if (conflict) {
      assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
      assertThat(s.message()).isEqualTo("node(s) didn't have free ports for the requested pod ports");
    } else {
      assertThat(s).isNull();
    }
  }

  @Test
  void anyConflictingPortOfSeveralRejects() {
    Pod existing = pod("old").node("n").hostPort("127.0.0.1", "TCP", 8080).build();
    Pod incoming = pod("new").hostPort("", "TCP", 9090).hostPort("127.0.0.1", "TCP", 8080).build();
    assertThat(run(incoming, node("n").info(existing))).isNotNull();
    assertThat(run(incoming, node("n").info())).isNull();
  }

  @Test
  void sidecarPortsCountInitContainerPortsDoNot() {
    // Restartable init containers keep their ports for the pod's life, as upstream's GetHostPorts.
    Pod withSidecarPort = pod("old").node("n").build();
    withSidecarPort.getSpec().setInitContainers(List.of(new io.bosun.api.core.v1.Container().withName("s")
        .withRestartPolicy("Always").withPorts(List.of(new io.bosun.api.core.v1.ContainerPort()
            .withContainerPort(80).withHostPort(80)))));
    assertThat(run(pod("new").hostPort("", "TCP", 80).build(), node("n").info(withSidecarPort))).isNotNull();
    withSidecarPort.getSpec().getInitContainers().get(0).setRestartPolicy(null);
    assertThat(run(pod("new").hostPort("", "TCP", 80).build(), node("n").info(withSidecarPort))).isNull();
  }

  @Test
  void missingPreFilterStateIsAnError() {
    assertThat(plugin.filter(new CycleState(), pod("p").hostPort("", "TCP", 1).build(), node("n").info()).code())
        .isEqualTo(Status.Code.ERROR);
  }

  @Test
  void deletionOfAPodHoldingTheWantedPortRequeues() {
    var hint = plugin.eventsToRegister().get(0).hint();
    Pod waiting = pod("w").hostPort("", "TCP", 80).build();
    assertThat(hint.hint(waiting, pod("a").node("n").hostPort("", "TCP", 80).build(), null)).isEqualTo(QueueingHint.QUEUE);
    assertThat(hint.hint(waiting, pod("b").node("n").hostPort("", "TCP", 81).build(), null)).isEqualTo(QueueingHint.SKIP);
  }
}
