package io.bosun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command tree without a server: help, usage errors and exit codes. */
class MainTest {

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]),
        Map.of("HOME", "/nonexistent"), false);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void everyCommandHasHelpWithExamples() {
    Cli cli = new Cli(System.out, System.err, System.in, Map.of(), false);
    List<String> missing = new ArrayList<>();
    walk(Main.commandLine(cli), missing);
    assertThat(missing).as("commands without examples in --help").isEmpty();
    Result r = run("get", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Examples:").contains("--all-namespaces").contains("jsonpath");
  }

  private static void walk(CommandLine cl, List<String> missing) {
    String name = cl.getCommandSpec().qualifiedName();
    String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
    boolean leafWithoutExamples = !help.contains("Examples:") && !List.of("bosun config get-contexts",
        "bosun config use-context", "bosun config current-context", "bosun config view", "bosun api-resources",
        "bosun version").contains(name);
    if (leafWithoutExamples) {
      missing.add(name);
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (sub.getCommandSpec().parent() == cl.getCommandSpec()) {
        walk(sub, missing);
      }
    }
  }

  @Test
  void usageErrorsExitWith2() {
    assertThat(run("nosuch").code()).isEqualTo(2);
    assertThat(run("get").code()).isEqualTo(2);
    assertThat(run("get", "pods", "-o", "xml").code()).isEqualTo(2);
    assertThat(run("get", "pods", "--bogus").code()).isEqualTo(2);
    assertThat(run("scale", "deploy/x").code()).isEqualTo(2);
    assertThat(run("wait", "pod/x", "--for=sometimes").code()).isEqualTo(2);
    Result r = run("get", "pods", "--request-timeout", "soon");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("invalid duration");
  }

  @Test
  void anUnreachableServerSaysWhatToDo() {
    Result r = run("--server", "http://127.0.0.1:1", "get", "pods");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("cannot reach the API server at http://127.0.0.1:1").contains("./bosun up")
        .doesNotContain("Exception").doesNotContain("\033[");
  }

  @Test
  void unknownTypesAreNamed() {
    Result r = run("--server", "http://127.0.0.1:1", "get", "gizmos");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("doesn't have a resource type \"gizmos\"");
  }

  @Test
  void completionScriptForBash() {
    Result r = run("completion", "bash");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("complete -F").contains("rollout").contains("plugins");
    assertThat(run("completion", "fish").code()).isEqualTo(2);
  }

  @Test
  void durations() {
    assertThat(BosunCommand.Durations.parse("90", "x")).isEqualTo(Duration.ofSeconds(90));
    assertThat(BosunCommand.Durations.parse("1h30m", "x")).isEqualTo(Duration.ofMinutes(90));
    assertThat(BosunCommand.Durations.parse("500ms", "x")).isEqualTo(Duration.ofMillis(500));
    assertThat(BosunCommand.Durations.parse("1.5s", "x")).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void versionWithoutServer() {
    Result r = run("version", "--client");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("Client Version: bosun ");
  }
}
