package io.bosun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TerminalTest {

  private static String run(boolean tty, Map<String, String> env) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Terminal t = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, tty, env);
    t.progress("Waiting: 0 of 2");
    t.progress("Waiting: 0 of 2");
    t.progress("Waiting: 1 of 2");
    t.done("rolled out", true);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void pipesGetOneLinePerChangeAndNoEscapes() {
    assertThat(run(false, Map.of())).isEqualTo("Waiting: 0 of 2\nWaiting: 1 of 2\nrolled out\n");
  }

  @Test
  void terminalsGetARedrawnLineWithColours() {
    String s = run(true, Map.of());
    assertThat(s).contains("\r\033[K").contains("\033[32m✓\033[0m rolled out").contains("\033[36m");
  }

  @Test
  void noColorKeepsTheRedrawButDropsColours() {
    String s = run(true, Map.of("NO_COLOR", "1"));
    assertThat(s).contains("\r\033[K").doesNotContain("\033[3").contains("✓ rolled out");
  }
}
