package io.bosun.cli.it;

import static io.bosun.cli.it.WorkloadCommandsIT.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bosun.cli.it.BosunRuntime.Result;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CLI as users run it: the shaded jar with {@code java -jar}, the repository's {@code ./bosun}
 * script, and a terminal (a pty from script(1)) for the progress display and colours.
 */
@ExtendWith(BosunRuntime.class)
class ScriptAndTerminalIT {

  static final Path JAR = Path.of(System.getProperty("bosun.cli.jar", "target/bosun-cli.jar")).toAbsolutePath();
  static final Path REPO = Path.of(System.getProperty("bosun.repo", "../..")).toAbsolutePath().normalize();
  static final String JAVA = ProcessHandle.current().info().command().orElse("java");

  static Map<String, String> scriptEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("BOSUN_CLI_JAR", JAR.toString());
    env.put("BOSUN_NO_BUILD", "1");
    env.put("JAVA_HOME", Path.of(JAVA).getParent().getParent().toString());
    env.put("TERM", "xterm");
    return env;
  }

  static String bosun() {
    return REPO.resolve("bosun").toString();
  }

  @BeforeAll
  static void slowRollout(BosunRuntime b) {
    ok(b.bosun("""
        apiVersion: v1
        kind: Namespace
        metadata: {name: cli-term}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: slow, namespace: cli-term}
        spec:
          replicas: 2
          selector: {matchLabels: {app: slow}}
          template:
            metadata: {labels: {app: slow}}
            spec:
              nodeSelector: {cli-test: nowhere}
              containers: [{name: c, image: busybox:1.36}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: pending, namespace: cli-term}
        spec:
          nodeSelector: {cli-test: nowhere}
          containers: [{name: c, image: busybox:1.36}]
        """, false, "apply", "-f", "-"));
  }

  @Test
  void theShadedJarRunsWithJavaJar(BosunRuntime b) throws Exception {
    assertThat(JAR).exists();
    Result r = b.process(Map.of(), null, JAVA, "-jar", JAR.toString(), "get", "namespaces");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("NAME").contains("default").contains("cli-term").doesNotContain("\033[");
    Result usage = b.process(Map.of(), null, JAVA, "-jar", JAR.toString(), "frobnicate");
    assertThat(usage.code()).isEqualTo(2);
    Result version = b.process(Map.of(), null, JAVA, "-jar", JAR.toString(), "--version");
    assertThat(version.out()).matches("bosun \\d+\\.\\d+\\.\\d+.*\\n");
  }

  @Test
  void theBosunScriptRunsTheCli(BosunRuntime b) throws Exception {
    Result r = b.process(scriptEnv(), null, bosun(), "get", "pods", "-n", "cli-term");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out()).contains("pending").contains("Pending").doesNotContain("\033[");
    Result piped = b.process(scriptEnv(), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: piped}\n", bosun(),
        "apply", "-f", "-", "-n", "cli-term");
    assertThat(piped.out()).isEqualTo("configmap/piped created\n");
    Result unknown = b.process(scriptEnv(), null, bosun(), "frobnicate");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unmatched argument");
    Result unreachable = b.process(scriptEnv(), null, bosun(), "--server", "http://127.0.0.1:1", "get", "pods");
    assertThat(unreachable.code()).isEqualTo(1);
    assertThat(unreachable.err()).contains("is `./bosun up` running?");
    Result help = b.process(scriptEnv(), null, bosun(), "rollout", "status", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("Examples:").contains("bosun rollout status deployment/hello");
  }

  static boolean hasScript() {
    return Files.isExecutable(Path.of("/usr/bin/script"));
  }

  /** Runs a command line under script(1): its stdout is a pty, as in a terminal. */
  static Result inTerminal(BosunRuntime b, Map<String, String> env, String commandLine) throws Exception {
    return b.process(env, null, "/usr/bin/script", "-q", "-e", "-c", commandLine, "/dev/null");
  }

  @Test
  void progressIsRedrawnOnATerminalAndPlainWhenPiped(BosunRuntime b) throws Exception {
    assumeTrue(hasScript(), "script(1) from util-linux is not installed");
    String cmd = bosun() + " rollout status deployment/slow -n cli-term --timeout=3s";
    Result tty = inTerminal(b, scriptEnv(), cmd);
    assertThat(tty.code()).as(tty.toString()).isEqualTo(1);
    String out = tty.out();
    // The spinner redraws one line in place (carriage return + erase line), coloured.
    assertThat(out).contains("\r\033[K").contains("Waiting for deployment")
        .contains("\033[36m").containsAnyOf("⠋", "⠙", "⠹");
    assertThat(out.split("\r\033\\[K", -1).length).as("redraws").isGreaterThan(3);
    assertThat(out).contains("\033[31m✗\033[0m Waiting for deployment")
        .contains("timed out waiting for the rollout of deployment.apps/slow");

    Result piped = b.process(scriptEnv(), null, bosun(), "rollout", "status", "deployment/slow", "-n", "cli-term",
        "--timeout=2s");
    assertThat(piped.code()).isEqualTo(1);
    assertThat(piped.out() + piped.err()).doesNotContain("\033").doesNotContain("\r");
    // One line per change, not one per poll.
    assertThat(piped.out().lines().filter(l -> l.startsWith("Waiting")).count()).isBetween(1L, 3L);
  }

  @Test
  void coloursOnlyOnATerminalAndNeverWithNoColor(BosunRuntime b) throws Exception {
    assumeTrue(hasScript(), "script(1) from util-linux is not installed");
    Result tty = inTerminal(b, scriptEnv(), bosun() + " get pods -n cli-term");
    assertThat(tty.code()).as(tty.toString()).isZero();
    assertThat(tty.out()).contains("\033[33mPending\033[0m");
    Map<String, String> noColor = scriptEnv();
    noColor.put("NO_COLOR", "1");
    Result plain = inTerminal(b, noColor, bosun() + " get pods -n cli-term");
    assertThat(plain.out()).contains("Pending").doesNotContain("\033[");
    Result piped = b.process(scriptEnv(), null, bosun(), "get", "pods", "-n", "cli-term");
    assertThat(piped.out()).contains("Pending").doesNotContain("\033[");
    // Errors are red on a terminal only.
    Result err = inTerminal(b, scriptEnv(), bosun() + " get pod nope -n cli-term");
    assertThat(err.code()).isEqualTo(1);
    assertThat(err.out()).contains("\033[31mError from server (NotFound)");
  }

  @Test
  void bosunUpWritesItsKubeconfigContext(BosunRuntime b) throws Exception {
    Path runtime = REPO.resolve("runtime-assembly/all-in-one/target/bosun-all-in-one");
    assumeTrue(Files.isRegularFile(runtime.resolve("conf/framework.properties")), "the all-in-one runtime is not built");
    Path home = Files.createDirectories(b.work().resolve("up-home"));
    Path kubeconfig = home.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: other, cluster: {server: 'https://other:6443'}}]
        users: [{name: other, user: {token: keep-me}}]
        contexts: [{name: other, context: {cluster: other, user: other}}]
        current-context: other
        """);
    int port = BosunRuntime.freePort();
    ProcessBuilder pb = new ProcessBuilder(bosun(), "up", "--port", Integer.toString(port), "--instance",
        home.resolve("instance").toString()).redirectErrorStream(true).redirectOutput(home.resolve("up.log").toFile());
    pb.environment().putAll(scriptEnv());
    pb.environment().put("HOME", home.toString());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    Process up = pb.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      BosunRuntime.await(Duration.ofSeconds(120), "./bosun up to serve", () -> {
        if (!up.isAlive()) {
          throw new AssertionError("./bosun up exited: " + Files.readString(home.resolve("up.log")));
        }
        try {
          return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (java.io.IOException e) {
          return false;
        }
      });
      String config = Files.readString(kubeconfig);
      assertThat(config).contains("server: http://127.0.0.1:" + port).contains("current-context: bosun")
          .contains("https://other:6443").contains("keep-me");
      assertThat(Files.readString(home.resolve("up.log"))).contains("context \"bosun\"");
      // The CLI and the new context work together with no flags.
      Result r = b.process(Map.of("KUBECONFIG", kubeconfig.toString()), null, JAVA, "-jar", JAR.toString(), "get",
          "ns", "default", "-o", "name");
      assertThat(r.out()).isEqualTo("namespace/default\n");
    } finally {
      up.destroy();
      if (!up.waitFor(30, TimeUnit.SECONDS)) {
        up.destroyForcibly();
      }
      BosunRuntime.stopContainers(home.resolve("instance"));
    }
    assertThat(List.of(up.exitValue())).isNotEmpty();
  }
}
