package io.bosun.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerPort;
import io.bosun.api.core.v1.GRPCAction;
import io.bosun.api.core.v1.HTTPGetAction;
import io.bosun.api.core.v1.HTTPHeader;
import io.bosun.api.core.v1.TCPSocketAction;
import io.bosun.api.values.IntOrString;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProberTest {

  private final Prober prober = new Prober();

  @Test
  void httpGetSucceedsOn2xxAnd3xxOnly() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      int code = path.equals("/healthz") ? 200 : path.equals("/agent") && ex.getRequestHeaders()
          .getFirst("User-Agent").startsWith("kube-probe/") && "yes".equals(ex.getRequestHeaders().getFirst("X-Probe"))
          ? 204 : 500;
      ex.sendResponseHeaders(code, -1);
      ex.close();
    });
    server.start();
    try {
      int port = server.getAddress().getPort();
      Container c = new Container().withName("c").withPorts(List.of(new ContainerPort().withName("http")
          .withContainerPort(port)));
      Duration t = Duration.ofSeconds(2);
      assertThat(prober.httpGet(new HTTPGetAction().withPath("/healthz").withPort(IntOrString.of(port)), c,
          "127.0.0.1", t).success()).isTrue();
      assertThat(prober.httpGet(new HTTPGetAction().withPath("/agent").withPort(IntOrString.of("http"))
          .withHttpHeaders(List.of(new HTTPHeader().withName("X-Probe").withValue("yes"))), c, "127.0.0.1", t)
          .success()).isTrue();
      Prober.Outcome bad = prober.httpGet(new HTTPGetAction().withPath("/broken").withPort(IntOrString.of(port)), c,
          "127.0.0.1", t);
      assertThat(bad.success()).isFalse();
      assertThat(bad.message()).isEqualTo("HTTP probe failed with statuscode: 500");
      assertThat(prober.httpGet(new HTTPGetAction().withPort(IntOrString.of("nope")), c, "127.0.0.1", t).message())
          .contains("couldn't find port: nope");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void tcpSocketAndGrpc() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Container c = new Container().withName("c");
      assertThat(prober.tcpSocket(new TCPSocketAction().withPort(IntOrString.of(s.getLocalPort())), c, "127.0.0.1",
          Duration.ofSeconds(1)).success()).isTrue();
    }
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Prober.Outcome refused = prober.tcpSocket(new TCPSocketAction().withPort(IntOrString.of(closed)),
        new Container().withName("c"), "127.0.0.1", Duration.ofSeconds(1));
    assertThat(refused.success()).isFalse();
    assertThat(refused.message()).contains("connection refused");
    assertThat(prober.grpc(new GRPCAction().withPort(closed), "127.0.0.1", Duration.ofSeconds(1)).success()).isFalse();
  }

  @Test
  void grpcHealthResponsesAreDecoded() {
    // HealthCheckResponse{status: SERVING} = 08 01, behind the 5-byte gRPC message prefix
    assertThat(GrpcHealth.servingStatus(new byte[] {0, 0, 0, 0, 2, 0x08, 0x01})).isEqualTo(1);
    assertThat(GrpcHealth.servingStatus(new byte[] {0, 0, 0, 0, 2, 0x08, 0x02})).isEqualTo(2);
    assertThat(GrpcHealth.servingStatus(new byte[] {0, 0, 0, 0, 0})).isZero();
    assertThat(GrpcHealth.servingStatus(new byte[0])).isEqualTo(-1);
    assertThat(new ByteArrayOutputStream()).isNotNull();
  }
}
