package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.cli.Cli;
import io.bosun.cli.output.Printer;
import io.bosun.cli.output.TableWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bundles", sortOptions = false,
    description = {"Show the state of every bundle and Declarative Services component of the runtime that serves"
        + " the API.", "Components that are not active are listed with what they wait for."},
    footerHeading = "%nExamples:%n",
    footer = {"  bosun bundles", "  bosun bundles -c            # every component too", "  bosun bundles -o json"})
public final class BundlesCommand implements Callable<Integer> {

  static final String PATH = "/apis/platform.bosun.io/v1alpha1/bundles";

  private final Cli cli;

  @Option(names = {"-c", "--components"}, description = "list every component, not only those in trouble")
  boolean components;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "json or yaml: the raw list")
  String output;

  public BundlesCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    JsonNode list = PluginsCommand.platform(cli, PATH);
    if (output != null) {
      Printer p = Printer.of(output);
      p.printEvent(cli, (com.fasterxml.jackson.databind.node.ObjectNode) list);
      return 0;
    }
    TableWriter w = new TableWriter().header("ID", "STATE", "BUNDLE", "VERSION", "COMPONENTS", "SOURCE");
    int notActive = 0;
    for (JsonNode b : list.path("items")) {
      int total = b.path("components").size();
      int active = 0;
      for (JsonNode c : b.path("components")) {
        String s = c.path("state").asText();
        if (s.equals("ACTIVE") || s.equals("SATISFIED")) {
          active++;
        }
      }
      String state = b.path("state").asText();
      if (!state.equals("ACTIVE") && !b.path("location").asText("").isEmpty()) {
        notActive++;
      }
      w.row(b.path("id").asText(), state, b.path("symbolicName").asText(), b.path("version").asText(),
          total == 0 ? "-" : active + "/" + total, b.path("plugin").asBoolean(false) ? "plugin" : "system");
    }
    w.paint(1, cli.term()::status);
    w.print(cli.out(), true);
    TableWriter cw = new TableWriter().header("COMPONENT", "STATE", "BUNDLE", "DETAILS");
    int rows = 0;
    for (JsonNode b : list.path("items")) {
      for (JsonNode c : b.path("components")) {
        String s = c.path("state").asText();
        boolean trouble = !(s.equals("ACTIVE") || s.equals("SATISFIED"));
        if (components || trouble) {
          StringBuilder details = new StringBuilder();
          for (JsonNode u : c.path("unsatisfiedReferences")) {
            details.append(details.isEmpty() ? "waiting for " : ", ").append(u.asText());
          }
          if (c.has("failure")) {
            details.append(details.isEmpty() ? "" : "; ").append(c.path("failure").asText());
          }
          cw.row(List.of(c.path("name").asText(), s, b.path("symbolicName").asText(), details.toString()));
          rows++;
        }
      }
    }
    if (rows > 0) {
      cli.out().println();
      cw.paint(1, cli.term()::status);
      cw.print(cli.out(), true);
    } else if (!components) {
      cli.out().println();
      cli.out().println(cli.term().green("All components are active or satisfied.")
          + (notActive > 0 ? "" : "") + " (-c lists them)");
    }
    return 0;
  }
}
