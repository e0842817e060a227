package io.bosun.cli.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrinterTest {

  static final JsonNode TABLE = JsonPathTest.parse("""
      {"kind":"Table","columnDefinitions":[
        {"name":"Name","type":"string","format":"name","priority":0},
        {"name":"Ready","type":"string","priority":0},
        {"name":"Status","type":"string","priority":0},
        {"name":"Restarts","type":"integer","priority":0},
        {"name":"IP","type":"string","priority":1}],
       "rows":[
        {"cells":["web-1","1/1","Running",0,"10.88.0.2"],"object":{"metadata":{"name":"web-1","namespace":"prod",
          "labels":{"app":"web"}}}},
        {"cells":["web-long-name-2","0/1","Pending",3,null],"object":{"metadata":{"name":"web-long-name-2",
          "namespace":"default"}}}]}
      """);

  private static String print(String output, boolean tty, Printer.TableStyle style) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Cli cli = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), System.err,
        new ByteArrayInputStream(new byte[0]), Map.of(), tty);
    Printer p = Printer.of(output);
    p.table(cli, cli.kinds().resolve("pods"), TABLE, style).print(cli.out(), !style.noHeaders());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void tablesShowPriorityZeroColumnsAlignedLikeKubectl() {
    assertThat(print(null, false, new Printer.TableStyle(false, false, false, false))).isEqualTo("""
        NAME              READY   STATUS    RESTARTS
        web-1             1/1     Running   0
        web-long-name-2   0/1     Pending   3
        """);
  }

  @Test
  void wideNamespacesKindsAndLabels() {
    assertThat(print("wide", false, new Printer.TableStyle(true, true, true, true))).isEqualTo("""
        prod      pod/web-1             1/1   Running   0   10.88.0.2   app=web
        default   pod/web-long-name-2   0/1   Pending   3   <none>      <none>
        """);
  }

  @Test
  void coloursOnlyOnATerminalAndNeverShiftColumns() {
    String plain = print(null, false, new Printer.TableStyle(false, false, false, false));
    String colored = print(null, true, new Printer.TableStyle(false, false, false, false));
    assertThat(plain).doesNotContain("\033[");
    assertThat(colored).contains("\033[32mRunning\033[0m");
    assertThat(colored.replaceAll("\033\\[[0-9;]*m", "")).isEqualTo(plain);
  }

  @Test
  void unknownFormatsAreUsageErrors() {
    assertThatThrownBy(() -> Printer.of("xml")).isInstanceOf(CliException.class)
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(2));
    assertThatThrownBy(() -> Printer.of("jsonpath")).hasMessageContaining("no template");
  }

  @Test
  void plainListsBecomeNameAgeTables() {
    JsonNode list = JsonPathTest.parse("{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":\"a\","
        + "\"creationTimestamp\":\"2020-01-01T00:00:00Z\"}}]}");
    JsonNode t = Printer.asTable(list);
    assertThat(t.path("columnDefinitions")).hasSize(2);
    assertThat(t.path("rows").get(0).path("cells").get(0).asText()).isEqualTo("a");
    assertThat(t.path("rows").get(0).path("cells").get(1).asText()).endsWith("d");
  }
}
