package io.bosun.store.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd server for tests: one member on free loopback ports with a data directory of its
 * own. {@link #restart()} and {@link #kill()} stop it with the data kept, as a crash or an upgrade
 * would. The binary is {@code -Dbosun.etcd.binary}, {@code $BOSUN_ETCD}, or {@code etcd} on the
 * PATH (Debian's etcd-server package installs /usr/bin/etcd).
 */
final class EtcdProcess implements AutoCloseable {

  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(30);

  private final Path binary;
  private final Path dir;
  private final Path dataDir;
  private final Path log;
  private final int clientPort;
  private final int peerPort;
  private final int metricsPort;
  private final List<String> tlsArgs;
  private final boolean tls;
  private Process process;

  private EtcdProcess(Path binary, Path dir, List<String> tlsArgs) {
    this.binary = binary;
    this.dir = dir;
    this.dataDir = dir.resolve("data");
    this.log = dir.resolve("etcd.log");
    int[] ports = freePorts(3);
    this.clientPort = ports[0];
    this.peerPort = ports[1];
    this.metricsPort = ports[2];
    this.tlsArgs = List.copyOf(tlsArgs);
    this.tls = !tlsArgs.isEmpty();
  }

  /** The etcd binary, if there is one. */
  static Optional<Path> binary() {
    for (String configured : new String[] {System.getProperty("bosun.etcd.binary"), System.getenv("BOSUN_ETCD")}) {
      if (configured != null && !configured.isBlank()) {
        return Optional.of(Path.of(configured)).filter(Files::isExecutable);
      }
    }
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.concat(Stream.of(path.split(java.io.File.pathSeparator)), Stream.of("/usr/bin", "/usr/local/bin"))
        .filter(p -> !p.isBlank())
        .map(p -> Path.of(p, "etcd"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** Starts a plain-text member in a new temporary directory. */
  static EtcdProcess start(Path binary) {
    return start(binary, List.of());
  }

  /**
   * Starts a member in a new temporary directory; non-empty {@code tlsArgs} (--cert-file and so on)
   * make the client URLs https.
   */
  static EtcdProcess start(Path binary, List<String> tlsArgs) {
    try {
      EtcdProcess etcd = new EtcdProcess(binary, Files.createTempDirectory("bosun-etcd-"), tlsArgs);
      etcd.launch();
      return etcd;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The client URL. */
  String endpoint() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + clientPort;
  }

  Path dir() {
    return dir;
  }

  private synchronized void launch() {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(),
        "--name", "bosun-test",
        "--data-dir", dataDir.toString(),
        "--listen-client-urls", endpoint(),
        "--advertise-client-urls", endpoint(),
        "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
        "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
        "--initial-cluster", "bosun-test=http://127.0.0.1:" + peerPort,
        "--initial-cluster-state", "new",
        // Health over plain HTTP, whatever the client URLs are.
        "--listen-metrics-urls", "http://127.0.0.1:" + metricsPort,
        "--logger", "zap",
        "--log-level", "warn"));
    cmd.addAll(tlsArgs);
    try {
      process = new ProcessBuilder(cmd)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
    awaitHealthy();
  }

  private void awaitHealthy() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/health"))
        .timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + HEALTH_TIMEOUT.toNanos();
    String last = "no answer";
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd exited with " + process.exitValue() + "; log:\n" + logTail());
      }
      try {
        HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("\"health\":\"true\"")) {
          return;
        }
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      // A poll interval; the deadline above bounds the wait.
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("etcd not healthy within " + HEALTH_TIMEOUT + " (" + last + "); log:\n" + logTail());
  }

  /** Stops the member gracefully (SIGTERM) and starts it again on the same data and ports. */
  synchronized void restart() {
    stop();
    launch();
  }

  /** SIGTERM, then waits for the exit. */
  synchronized void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      await(process);
    }
  }

  /** SIGKILL: a crash. The data directory stays. */
  synchronized void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      await(process);
    }
  }

  /** Starts the member again after {@link #stop()} or {@link #kill()}. */
  synchronized void startAgain() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("etcd is running");
    }
    launch();
  }

  private static void await(Process p) {
    try {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(20, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  String logTail() {
    try {
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** Kills the member and deletes its directory. */
  @Override
  public synchronized void close() {
    kill();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort: a temporary directory.
    }
  }

  private static int[] freePorts(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          // ignore
        }
      }
    }
  }

  @Override
  public String toString() {
    return "etcd " + endpoint() + " in " + dir;
  }
}
