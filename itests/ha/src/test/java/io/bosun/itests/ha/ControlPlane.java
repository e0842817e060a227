package io.bosun.itests.ha;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The control-plane runtime as {@code ./bosun control-plane} runs it: the launcher in a JVM of its
 * own, with an instance folder, a port and a name. Its scheduler and controller manager carry the
 * name as their leader-election identity, so a Lease's holderIdentity names the process.
 */
final class ControlPlane implements AutoCloseable {

  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);

  private final String name;
  private final Path instance;
  private final int port;
  private final Path log;
  private final Process process;

  private ControlPlane(String name, Path instance, int port, Process process) {
    this.name = name;
    this.instance = instance;
    this.port = port;
    this.log = instance.resolve("runtime.log");
    this.process = process;
  }

  /**
   * Starts a control plane and waits until its API server is ready.
   *
   * @param launcherArgs more launcher options, such as {@code --store etcd --etcd-endpoints URLS}
   */
  static ControlPlane start(Path runtime, Path instance, int port, String name, List<String> launcherArgs)
      throws Exception {
    seed(runtime, instance, name);
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java));
    if (Runtime.version().feature() >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    if (Runtime.version().feature() >= 22) {
      cmd.add("--enable-native-access=ALL-UNNAMED");
    }
    cmd.addAll(List.of("-Xmx512m", "-jar", runtime.resolve("lib/bosun-launcher.jar").toString(), "--runtime",
        runtime.toString(), "--instance", instance.toString(), "--port", Integer.toString(port), "--name", name));
    cmd.addAll(launcherArgs);
    Path log = instance.resolve("runtime.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    ControlPlane cp = new ControlPlane(name, instance, port, p);
    try {
      cp.awaitReady();
    } catch (Exception | AssertionError e) {
      cp.kill();
      throw e;
    }
    return cp;
  }

  /**
   * A new instance gets the runtime's default etc/ (as the launcher would) plus this process's
   * leader-election identity for the scheduler and the controller manager.
   */
  private static void seed(Path runtime, Path instance, String name) throws IOException {
    Path etc = instance.resolve("etc");
    if (Files.exists(etc)) {
      return;
    }
    Files.createDirectories(etc);
    try (Stream<Path> files = Files.list(runtime.resolve("etc"))) {
      for (Path f : files.toList()) {
        Files.copy(f, etc.resolve(f.getFileName()));
      }
    }
    Files.writeString(etc.resolve("io.bosun.controllermanager.cfg"), "identity = " + name + "\n");
    Files.writeString(etc.resolve("io.bosun.scheduler.cfg"), "\nidentity = " + name + "\n", StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private void awaitReady() throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI readyz = URI.create(url() + "/readyz");
    Await.until(BOOT_TIMEOUT, () -> {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + log());
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

  String name() {
    return name;
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  Path instance() {
    return instance;
  }

  boolean alive() {
    return process.isAlive();
  }

  String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** SIGKILL: a crash, no shutdown hook, no lease released. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " survived SIGKILL for 30 s");
    }
  }

  /** SIGTERM, as Ctrl-C: the framework stops cleanly. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError(name + " did not stop within 60 s of SIGTERM:\n" + log());
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
