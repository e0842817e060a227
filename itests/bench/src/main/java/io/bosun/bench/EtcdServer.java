package io.bosun.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A one-member etcd for {@code --etcd}: free loopback ports, data in a directory of the run (so on
 * the disk {@code --data-dir} names, since etcd's fsync is part of what is measured), stopped at
 * the end. The binary: {@code -Dbosun.etcd.binary}, {@code $BOSUN_ETCD}, or {@code etcd} on the PATH.
 */
final class EtcdServer implements AutoCloseable {

  private final Process process;
  private final int clientPort;
  private final String version;

  private EtcdServer(Process process, int clientPort, String version) {
    this.process = process;
    this.clientPort = clientPort;
    this.version = version;
  }

  static Optional<Path> binary() {
    for (String configured : new String[] {System.getProperty("bosun.etcd.binary"), System.getenv("BOSUN_ETCD")}) {
      if (configured != null && !configured.isBlank()) {
        return Optional.of(Path.of(configured)).filter(Files::isExecutable);
      }
    }
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.concat(Stream.of(path.split(java.io.File.pathSeparator)), Stream.of("/usr/bin", "/usr/local/bin"))
        .filter(p -> !p.isBlank()).map(p -> Path.of(p, "etcd")).filter(Files::isExecutable).findFirst();
  }

  /** Starts etcd with its data in {@code dir} and waits until it is healthy. */
  static EtcdServer start(Path binary, Path dir) throws IOException, InterruptedException {
    int[] ports = freePorts();
    String client = "http://127.0.0.1:" + ports[0];
    String peer = "http://127.0.0.1:" + ports[1];
    Files.createDirectories(dir);
    Process p = new ProcessBuilder(List.of(binary.toString(), "--name", "bench", "--data-dir",
        dir.resolve("data").toString(), "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "bench=" + peer,
        "--listen-metrics-urls", "http://127.0.0.1:" + ports[2], "--logger", "zap", "--log-level", "warn"))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
        .start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      if (!p.isAlive()) {
        throw new IOException("etcd exited with " + p.exitValue() + "; see " + dir.resolve("etcd.log"));
      }
      try {
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[2]
            + "/health")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200 && health.body().contains("\"health\":\"true\"")) {
          String version = http.send(HttpRequest.newBuilder(URI.create(client + "/version")).build(),
              HttpResponse.BodyHandlers.ofString()).body();
          SystemInfo.countAsOurs(p.pid());
          return new EtcdServer(p, ports[0], version.replaceAll(".*\"etcdserver\":\"([^\"]*)\".*", "$1"));
        }
      } catch (IOException notYet) {
        // starting
      }
      if (System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IOException("etcd not healthy within 30 s; see " + dir.resolve("etcd.log"));
      }
      Thread.sleep(50); // poll interval; the deadline above bounds the wait
    }
  }

  String endpoint() {
    return "http://127.0.0.1:" + clientPort;
  }

  String version() {
    return version;
  }

  /** SIGTERM, then waits; the run's directory is deleted by the caller. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }

  private static int[] freePorts() throws IOException {
    try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket c = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new int[] {a.getLocalPort(), b.getLocalPort(), c.getLocalPort()};
    }
  }
}
