package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import io.bosun.cli.http.Api;
import io.bosun.cli.output.TableWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "top", sortOptions = false,
    description = "Show CPU and memory use of nodes or pods (needs the metrics.k8s.io API).",
    footerHeading = "%nExamples:%n",
    footer = {"  bosun top nodes", "  bosun top pods -A"})
public final class TopCommand implements Callable<Integer> {

  private final Cli cli;

  @Parameters(paramLabel = "nodes|pods", description = "what to show")
  String what;

  @Option(names = {"-A", "--all-namespaces"}, description = "pods of every namespace")
  boolean allNamespaces;

  @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "label selector")
  String selector;

  public TopCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    boolean nodes = switch (what) {
      case "node", "nodes", "no" -> true;
      case "pod", "pods", "po" -> false;
      default -> throw new CliException("top shows nodes or pods, not \"" + what + "\"", 2, null);
    };
    Optional<JsonNode> group = cli.api().find("/apis/metrics.k8s.io/v1beta1");
    if (group.isEmpty()) {
      throw new CliException("metrics are not available yet: this cluster serves no metrics.k8s.io API (Bosun does"
          + " not ship a metrics server yet)");
    }
    String path = nodes ? "/apis/metrics.k8s.io/v1beta1/nodes"
        : "/apis/metrics.k8s.io/v1beta1" + (allNamespaces ? "" : "/namespaces/" + cli.namespace()) + "/pods";
    JsonNode list = cli.api().get(path + Api.query("labelSelector", selector));
    TableWriter w = new TableWriter();
    if (nodes) {
      w.header("NAME", "CPU(cores)", "MEMORY(bytes)");
    } else if (allNamespaces) {
      w.header("NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)");
    } else {
      w.header("NAME", "CPU(cores)", "MEMORY(bytes)");
    }
    for (JsonNode item : list.path("items")) {
      String cpu;
      String mem;
      if (nodes) {
        cpu = item.path("usage").path("cpu").asText();
        mem = item.path("usage").path("memory").asText();
      } else {
        cpu = "";
        mem = "";
        for (JsonNode c : item.path("containers")) {
          cpu = cpu.isEmpty() ? c.path("usage").path("cpu").asText() : cpu + "+" + c.path("usage").path("cpu").asText();
          mem = mem.isEmpty() ? c.path("usage").path("memory").asText()
              : mem + "+" + c.path("usage").path("memory").asText();
        }
      }
      String name = item.path("metadata").path("name").asText();
      w.row(nodes || !allNamespaces ? List.of(name, cpu, mem)
          : List.of(item.path("metadata").path("namespace").asText(), name, cpu, mem));
    }
    w.print(cli.out(), true);
    return 0;
  }
}
