package io.bosun.apiserver.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.apiserver.TestServer;
import io.bosun.apiserver.spi.RouteException;
import io.bosun.apiserver.spi.RouteHandler;
import io.bosun.apiserver.spi.RouteResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extra routes: served only for paths the API does not serve, errors as Status, removable. */
class RoutesTest {

  @TempDir
  Path dir;
  TestServer t;

  @BeforeEach
  void start() throws Exception {
    t = new TestServer(dir);
  }

  @AfterEach
  void stop() throws Exception {
    t.close();
  }

  @Test
  void routesServeTheirPrefixWithBodiesAndStatusErrors() throws Exception {
    RouteHandler echo = r -> {
      if (r.param("fail") != null) {
        throw new RouteException(422, "Invalid", "bad: " + r.param("fail"));
      }
      String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
      return RouteResponse.json(200, "{\"method\":\"" + r.method() + "\",\"path\":\"" + r.path() + "\",\"body\":\""
          + body + "\"}");
    };
    t.server.routes().add(echo, "/apis/platform.bosun.io/v1alpha1/");

    TestServer.Reply ok = t.put("/apis/platform.bosun.io/v1alpha1/things/a", "x");
    assertThat(ok.code()).isEqualTo(200);
    assertThat(ok.json().path("method").asText()).isEqualTo("PUT");
    assertThat(ok.json().path("path").asText()).isEqualTo("/apis/platform.bosun.io/v1alpha1/things/a");
    assertThat(ok.json().path("body").asText()).isEqualTo("x");

    TestServer.Reply bad = t.get("/apis/platform.bosun.io/v1alpha1/things?fail=why");
    assertThat(bad.code()).isEqualTo(422);
    assertThat(bad.json().path("kind").asText()).isEqualTo("Status");
    assertThat(bad.json().path("reason").asText()).isEqualTo("Invalid");
    assertThat(bad.json().path("message").asText()).isEqualTo("bad: why");

    t.server.routes().remove(echo);
    assertThat(t.get("/apis/platform.bosun.io/v1alpha1/things").code()).isEqualTo(404);
  }

  @Test
  void aRouteCannotShadowTheKubernetesApi() throws Exception {
    t.server.routes().add(r -> RouteResponse.json(200, "{}"), "/api/v1/");
    t.server.routes().add(r -> RouteResponse.json(200, "{}"), "/apis/apps/");
    assertThat(t.get("/api/v1/namespaces/default").json().path("kind").asText()).isEqualTo("Namespace");
    assertThat(t.get("/apis/apps/v1/deployments").json().path("kind").asText()).isEqualTo("DeploymentList");
  }
}
