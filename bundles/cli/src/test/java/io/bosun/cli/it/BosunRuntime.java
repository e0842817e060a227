package io.bosun.cli.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bosun.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The assembled all-in-one runtime as {@code ./bosun up} runs it (a separate JVM with its own
 * instance folder and a free port), started once per test JVM and stopped with SIGTERM at the
 * end, plus ways to drive the CLI against it: in process through {@link Main#run} with captured
 * streams, or as the real jar / {@code ./bosun} script.
 */
public final class BosunRuntime implements ParameterResolver, ExtensionContext.Store.CloseableResource {

  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  final ObjectMapper mapper = new ObjectMapper();
  private final Path work;
  private final Path log;
  private final Path kubeconfig;
  private final Path instance;
  private final int port;
  private final Process process;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Used by JUnit as the extension; the real runtime lives in the root store. */
  public BosunRuntime() {
    work = null;
    log = null;
    kubeconfig = null;
    instance = null;
    port = 0;
    process = null;
  }

  private BosunRuntime(Path runtime, Path work) throws Exception {
    this.work = work;
    Files.createDirectories(work);
    this.port = freePort();
    this.log = work.resolve("bosun.log");
    this.instance = work.resolve("instance");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java));
    if (Runtime.version().feature() >= 23) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    if (Runtime.version().feature() >= 22) {
      cmd.add("--enable-native-access=ALL-UNNAMED");
    }
    cmd.addAll(List.of("-jar", runtime.resolve("lib/bosun-launcher.jar").toString(), "--runtime", runtime.toString(),
        "--instance", instance.toString(), "--port", Integer.toString(port)));
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    kubeconfig = work.resolve("kubeconfig");
    // Written by the CLI itself, as ./bosun up does.
    Result r = bosun("--kubeconfig", kubeconfig.toString(), "config", "write-context", "--server", url());
    if (r.code() != 0) {
      throw new IllegalStateException("write-context failed: " + r);
    }
    awaitReady();
  }

  private void awaitReady() throws Exception {
    URI readyz = URI.create(url() + "/readyz");
    Instant deadline = Instant.now().plus(BOOT_TIMEOUT);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the runtime exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        int code = http.send(HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
        if (code == 200 && get("/apis/platform.bosun.io/v1alpha1/bundles") != null) {
          return;
        }
        last = "readyz " + code;
      } catch (IOException | RuntimeException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the runtime was not ready within " + BOOT_TIMEOUT + " (" + last + "):\n" + log());
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Path work() {
    return work;
  }

  public Path instance() {
    return instance;
  }

  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** What a CLI run printed and returned. */
  public record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
    }
  }

  /** Runs the CLI in process against this runtime (through its kubeconfig), stdout not a terminal. */
  public Result bosun(String... args) {
    return bosun(null, false, args);
  }

  /** Runs the CLI in process with {@code stdin} and the given terminal flag. */
  public Result bosun(String stdin, boolean tty, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> env = new HashMap<>();
    env.put("HOME", work.toString());
    if (kubeconfig != null) {
      env.put("KUBECONFIG", kubeconfig.toString());
    }
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        new ByteArrayInputStream(stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8)), env, tty);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs a command line as a process (the real jar, ./bosun, script(1)...) with KUBECONFIG set. */
  public Result process(Map<String, String> extraEnv, String stdin, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("HOME", work.toString());
    pb.environment().remove("NO_COLOR");
    pb.environment().putAll(extraEnv);
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    if (stdin == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    Process p = pb.start();
    if (stdin != null) {
      try (var in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", command) + "\n" + Files.readString(out)
          + Files.readString(err));
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  /** The test's own REST access, to set up what controllers and kubelets would (statuses, events). */
  public JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? mapper.readTree(r.body()) : null;
  }

  public JsonNode send(String method, String path, String contentType, String body) throws IOException,
      InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + path))
        .header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return mapper.readTree(r.body());
  }

  @Override
  public void close() throws Exception {
    if (process == null) {
      return;
    }
    process.destroy();
    boolean stopped = process.waitFor(30, TimeUnit.SECONDS);
    if (!stopped) {
      process.destroyForcibly();
    }
    stopContainers(instance);
    if (!stopped) {
      throw new AssertionError("the runtime did not stop within 30 s of SIGTERM:\n" + log());
    }
  }

  /**
   * Ends the containers this runtime's kubelet started: the process runtime keeps them running
   * across runtime restarts on purpose (a new runtime adopts them), so a test must stop them. They
   * are recognized by their instance folder (wrapper command line or working directory).
   */
  static void stopContainers(Path instance) {
    String dir = instance.toAbsolutePath().toString();
    List<ProcessHandle> ours = ProcessHandle.allProcesses().filter(p -> {
      if (p.info().commandLine().map(c -> c.contains(dir)).orElse(false)) {
        return true;
      }
      try {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).toString().startsWith(dir);
      } catch (IOException | UnsupportedOperationException | SecurityException e) {
        return false;
      }
    }).toList();
    for (ProcessHandle p : ours) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == BosunRuntime.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return e.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(BosunRuntime.class, k -> {
      try {
        Path runtime = Path.of(System.getProperty("bosun.runtime.dir"));
        Path work = Path.of(System.getProperty("bosun.itest.work", "target/it-work"))
            .resolve("runtime-" + ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet());
        return new BosunRuntime(runtime, work);
      } catch (Exception ex) {
        throw new IllegalStateException("cannot start the Bosun runtime: " + ex.getMessage(), ex);
      }
    }, BosunRuntime.class);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Polls until {@code check} returns true. */
  static void await(Duration timeout, String what, java.util.concurrent.Callable<Boolean> check) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (!check.call()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }
}
