package io.bosun.itests.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Real etcd members on loopback for tests: free ports, a temporary directory each, one
 * {@code --initial-cluster} for all. {@link #kill(int)} is SIGKILL. {@link #close()} kills every
 * member and deletes the directories. The binary is {@code -Dbosun.etcd.binary}, {@code $BOSUN_ETCD}
 * or {@code etcd} on the PATH (Debian's etcd-server installs /usr/bin/etcd).
 */
final class EtcdCluster implements AutoCloseable {

  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One member: its ports and process. */
  final class Member {
    final String name;
    final int clientPort;
    final int peerPort;
    final int metricsPort;
    final Path dir;
    Process process;

    Member(String name, int[] ports) throws IOException {
      this.name = name;
      this.clientPort = ports[0];
      this.peerPort = ports[1];
      this.metricsPort = ports[2];
      this.dir = Files.createDirectories(root.resolve(name));
    }

    String clientUrl() {
      return "http://127.0.0.1:" + clientPort;
    }

    String peerUrl() {
      return "http://127.0.0.1:" + peerPort;
    }

    boolean alive() {
      return process != null && process.isAlive();
    }
  }

  private final Path binary;
  private final Path root;
  private final List<Member> members = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** The etcd binary, if there is one. */
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

  /** Starts {@code size} members under a new temporary directory and waits until each is healthy. */
  static EtcdCluster start(Path binary, int size) throws IOException {
    EtcdCluster cluster = new EtcdCluster(binary, Files.createTempDirectory("bosun-ha-etcd-"));
    try {
      int[] ports = freePorts(3 * size);
      for (int i = 0; i < size; i++) {
        cluster.members.add(cluster.new Member("m" + i, new int[] {ports[3 * i], ports[3 * i + 1], ports[3 * i + 2]}));
      }
      // Together: a member of a new cluster waits for a quorum of its peers before it is healthy.
      for (Member m : cluster.members) {
        cluster.launch(m);
      }
      for (Member m : cluster.members) {
        cluster.awaitHealthy(m);
      }
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private EtcdCluster(Path binary, Path root) {
    this.binary = binary;
    this.root = root;
  }

  List<Member> members() {
    return members;
  }

  /** The client URLs of every member, comma separated. */
  String endpoints() {
    return members.stream().map(Member::clientUrl).collect(Collectors.joining(","));
  }

  private void launch(Member m) throws IOException {
    String initial = members.stream().map(x -> x.name + "=" + x.peerUrl()).collect(Collectors.joining(","));
    List<String> cmd = List.of(binary.toString(),
        "--name", m.name,
        "--data-dir", m.dir.resolve("data").toString(),
        "--listen-client-urls", m.clientUrl(),
        "--advertise-client-urls", m.clientUrl(),
        "--listen-peer-urls", m.peerUrl(),
        "--initial-advertise-peer-urls", m.peerUrl(),
        "--initial-cluster", initial,
        "--initial-cluster-state", "new",
        "--initial-cluster-token", root.getFileName().toString(),
        "--listen-metrics-urls", "http://127.0.0.1:" + m.metricsPort,
        "--logger", "zap",
        "--log-level", "warn");
    m.process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(m.dir.resolve("etcd.log").toFile())).start();
  }

  private void awaitHealthy(Member m) {
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.metricsPort + "/health"))
        .timeout(Duration.ofSeconds(2)).build();
    try {
      Await.until(HEALTH_TIMEOUT, () -> {
        if (!m.process.isAlive()) {
          throw new IllegalStateException("etcd " + m.name + " exited with " + m.process.exitValue() + ":\n" + log(m));
        }
        try {
          HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
          return r.statusCode() == 200 && r.body().contains("\"health\":\"true\"") ? null : r.body();
        } catch (IOException e) {
          return e.toString();
        }
      });
    } catch (Exception e) {
      throw new IllegalStateException("etcd " + m.name + " not healthy: " + e.getMessage() + "\n" + log(m), e);
    }
  }

  /** The member that leads the raft group now, asked through the members' gRPC gateway. */
  Member leader() throws Exception {
    for (Member m : members) {
      if (!m.alive()) {
        continue;
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(m.clientUrl() + "/v3/maintenance/status"))
            .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
            HttpResponse.BodyHandlers.ofString());
        JsonNode status = JSON.readTree(r.body());
        String leader = status.path("leader").asText();
        if (!leader.isEmpty() && leader.equals(status.path("header").path("member_id").asText())) {
          return m;
        }
      } catch (IOException e) {
        // not answering: ask the next one
      }
    }
    throw new IllegalStateException("no etcd member says it leads");
  }

  /** SIGKILL; the member's data stays. */
  void kill(Member m) throws InterruptedException {
    if (m.process != null && m.process.isAlive()) {
      m.process.destroyForcibly();
      if (!m.process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("etcd " + m.name + " survived SIGKILL for 30 s");
      }
    }
  }

  String log(Member m) {
    try {
      Path log = m.dir.resolve("etcd.log");
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** Kills every member and deletes their directories. */
  @Override
  public void close() {
    for (Member m : members) {
      try {
        kill(m);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Dirs.delete(root);
  }

  static int[] freePorts(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
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
}
