package io.bosun.kubelet;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerPort;
import io.bosun.api.core.v1.ExecAction;
import io.bosun.api.core.v1.HTTPGetAction;
import io.bosun.api.core.v1.HTTPHeader;
import io.bosun.api.core.v1.TCPSocketAction;
import io.bosun.api.values.IntOrString;
import io.bosun.runtime.spi.ContainerRuntime;
import io.bosun.runtime.spi.ExecResult;
import io.bosun.runtime.spi.ExecService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Runs one probe or lifecycle handler the way upstream's prober does: {@code exec} through the
 * runtime (success is exit code 0), {@code httpGet} (success is a status from 200 to 399; TLS is
 * not verified; {@code User-Agent: kube-probe/1.32}), {@code tcpSocket} (success is an accepted
 * connection), and {@code grpc} (the standard health service, SERVING). Stateless and thread-safe.
 */
final class Prober implements AutoCloseable {

  /** The outcome of one probe: success, and for failures a message as upstream words it. */
  record Outcome(boolean success, String message) {
    static final Outcome OK = new Outcome(true, "");

    static Outcome fail(String message) {
      return new Outcome(false, message);
    }
  }

  private final HttpClient http;
  private final HttpClient https;

  Prober() {
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL)
        .version(HttpClient.Version.HTTP_1_1).build();
    HttpClient insecure;
    try {
      // Upstream's probes skip certificate verification: the kubelet has no reason to trust a pod's cert.
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, new SecureRandom());
      insecure = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(ssl)
          .followRedirects(HttpClient.Redirect.NORMAL).build();
    } catch (Exception e) {
      insecure = http;
    }
    https = insecure;
  }

  /**
   * Ends the HTTP clients' threads (each keeps a selector thread until closed or collected, which
   * a bundle update would leave behind). Probes after this fail. Idempotent.
   */
  @Override
  public void close() {
    http.shutdownNow();
    https.shutdownNow();
    try {
      http.awaitTermination(Duration.ofSeconds(5));
      https.awaitTermination(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  Outcome exec(ContainerRuntime runtime, String containerId, ExecAction action, Duration timeout) {
    Optional<ExecService> exec = runtime.exec();
    if (exec.isEmpty()) {
      return Outcome.fail("runtime " + runtime.version().runtimeName() + " cannot exec into containers");
    }
    List<String> command = action.getCommand() == null ? List.of() : action.getCommand();
    try {
      ExecResult r = exec.get().execSync(containerId, command, timeout);
      if (r.timedOut()) {
        return Outcome.fail("command " + command + " timed out");
      }
      if (r.exitCode() != 0) {
        String out = (new String(r.stdout(), StandardCharsets.UTF_8) + new String(r.stderr(), StandardCharsets.UTF_8))
            .trim();
        return Outcome.fail("command " + command + " exited with " + r.exitCode() + (out.isEmpty() ? "" : ": " + out));
      }
      return Outcome.OK;
    } catch (RuntimeException e) {
      return Outcome.fail("exec " + command + " failed: " + e.getMessage());
    }
  }

  Outcome httpGet(HTTPGetAction action, Container container, String podIP, Duration timeout) {
    int port;
    try {
      port = resolvePort(action.getPort(), container);
    } catch (IllegalArgumentException e) {
      return Outcome.fail(e.getMessage());
    }
    String host = action.getHost() == null || action.getHost().isEmpty() ? podIP : action.getHost();
    String scheme = action.getScheme() == null ? "http" : action.getScheme().toLowerCase(java.util.Locale.ROOT);
    String path = action.getPath() == null || action.getPath().isEmpty() ? "/" : action.getPath();
    if (!path.startsWith("/")) {
      path = "/" + path;
    }
    URI uri = URI.create(scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + path);
    HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout).GET();
    boolean agent = false;
    if (action.getHttpHeaders() != null) {
      for (HTTPHeader h : action.getHttpHeaders()) {
        if (h.getName().equalsIgnoreCase("Host")) {
          continue; // java.net.http does not allow setting Host
        }
        agent |= h.getName().equalsIgnoreCase("User-Agent");
        req.header(h.getName(), h.getValue());
      }
    }
    if (!agent) {
      req.header("User-Agent", "kube-probe/1.32");
    }
    req.header("Accept", "*/*");
    try {
      HttpResponse<byte[]> r = (scheme.equals("https") ? https : http).send(req.build(),
          HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() >= 200 && r.statusCode() < 400) {
        return Outcome.OK;
      }
      return Outcome.fail("HTTP probe failed with statuscode: " + r.statusCode());
    } catch (java.net.http.HttpTimeoutException e) {
      return Outcome.fail("Get \"" + uri + "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
    } catch (IOException e) {
      return Outcome.fail("Get \"" + uri + "\": " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.fail("interrupted");
    }
  }

  Outcome tcpSocket(TCPSocketAction action, Container container, String podIP, Duration timeout) {
    int port;
    try {
      port = resolvePort(action.getPort(), container);
    } catch (IllegalArgumentException e) {
      return Outcome.fail(e.getMessage());
    }
    String host = action.getHost() == null || action.getHost().isEmpty() ? podIP : action.getHost();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
      return Outcome.OK;
    } catch (IOException e) {
      return Outcome.fail("dial tcp " + host + ":" + port + ": " + describe(e));
    }
  }

  Outcome grpc(io.bosun.api.core.v1.GRPCAction action, String podIP, Duration timeout) {
    return GrpcHealth.check(podIP, action.getPort() == null ? 0 : action.getPort(),
        action.getService() == null ? "" : action.getService(), timeout);
  }

  /** A numeric port, or a named one looked up in the container's ports. */
  static int resolvePort(IntOrString port, Container container) {
    if (port == null) {
      throw new IllegalArgumentException("probe has no port");
    }
    if (port.isInt()) {
      return port.intValue();
    }
    String name = port.stringValue();
    if (name.matches("\\d+")) {
      return Integer.parseInt(name);
    }
    if (container.getPorts() != null) {
      for (ContainerPort p : container.getPorts()) {
        if (name.equals(p.getName())) {
          return p.getContainerPort();
        }
      }
    }
    throw new IllegalArgumentException("couldn't find port: " + name + " in container " + container.getName());
  }

  private static String describe(IOException e) {
    if (e instanceof java.net.ConnectException) {
      return "connect: connection refused";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
