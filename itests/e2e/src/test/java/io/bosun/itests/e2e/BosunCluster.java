package io.bosun.itests.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The assembled all-in-one runtime as {@code ./bosun up} runs it: a separate JVM with its own
 * instance folder and a free port, started once per test run and stopped with SIGTERM at the end.
 * Test classes get it as a parameter; it also writes a kubeconfig for kubectl.
 */
public final class BosunCluster implements ParameterResolver, ExtensionContext.Store.CloseableResource {

  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(90);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final Path work;
  private final Path log;
  private final Path kubeconfig;
  private final int port;
  private final Process process;

  /** Used by JUnit as the extension; the real cluster lives in the root store. */
  public BosunCluster() {
    work = null;
    log = null;
    kubeconfig = null;
    port = 0;
    process = null;
  }

  private BosunCluster(Path runtime, Path work) throws Exception {
    this.work = work;
    Files.createDirectories(work);
    this.port = freePort();
    this.log = work.resolve("bosun.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java));
    if (Runtime.version().feature() >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    if (Runtime.version().feature() >= 22) {
      cmd.add("--enable-native-access=ALL-UNNAMED");
    }
    cmd.addAll(List.of("-jar", runtime.resolve("lib/bosun-launcher.jar").toString(), "--runtime", runtime.toString(),
        "--instance", work.resolve("instance").toString(), "--port", Integer.toString(port)));
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    kubeconfig = work.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: bosun
          cluster:
            server: %s
        contexts:
        - name: bosun
          context:
            cluster: bosun
            user: bosun
            namespace: default
        current-context: bosun
        users:
        - name: bosun
          user: {}
        """.formatted(url()));
    awaitReady();
  }

  private void awaitReady() throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI readyz = URI.create(url() + "/readyz");
    Await.until(BOOT_TIMEOUT, () -> {
      if (!process.isAlive()) {
        throw new AssertionError("the runtime exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        int code = client.send(HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
        return code == 200 ? null : "readyz " + code;
      } catch (IOException e) {
        return "readyz: " + e;
      }
    });
  }

  /** The API server's base URL. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Path work() {
    return work;
  }

  /** What the runtime printed so far. */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** A kubectl bound to this cluster. */
  public Kubectl kubectl() {
    return new Kubectl(kubeconfig, work);
  }

  @Override
  public void close() throws Exception {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the runtime did not stop within 30 s of SIGTERM:\n" + log());
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == BosunCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return e.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(BosunCluster.class, k -> {
      try {
        Path runtime = Path.of(System.getProperty("bosun.runtime.dir"));
        Path work = Path.of(System.getProperty("bosun.itest.work", "target/e2e-work"))
            .resolve("cluster-" + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet());
        return new BosunCluster(runtime, work);
      } catch (Exception ex) {
        throw new IllegalStateException("cannot start the Bosun runtime: " + ex.getMessage(), ex);
      }
    }, BosunCluster.class);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
