package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.cli.Cli;
import io.bosun.cli.Kinds;
import io.bosun.cli.Manifests;
import io.bosun.cli.Targets;
import io.bosun.cli.http.Api;
import io.bosun.cli.http.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "create", sortOptions = false,
    description = "Create objects from manifests; fails for objects that already exist (use apply to update).",
    footerHeading = "%nExamples:%n",
    footer = {"  bosun create -f pod.yaml",
        "  bosun create -f manifests/ -n test",
        "  cat job.yaml | bosun create -f -"})
public final class CreateCommand implements Callable<Integer> {

  private final Cli cli;

  @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE|DIR|-",
      description = "manifests to create; - reads stdin")
  List<String> files = new ArrayList<>();

  @Option(names = {"-R", "--recursive"}, description = "also read the folders inside a -f folder")
  boolean recursive;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "print the created objects: yaml, json, name")
  String output;

  public CreateCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws Exception {
    int failures = 0;
    List<ObjectNode> created = new ArrayList<>();
    for (Manifests.Manifest m : Manifests.read(cli, files, recursive)) {
      try {
        JsonNode after = cli.api().send("POST", Kinds.path(m.kind(), m.namespace())
            + Api.query("fieldManager", "bosun", "fieldValidation", "Strict"), "application/json",
            cli.mapper().writeValueAsBytes(m.object()));
        ObjectNode o = Targets.withType((ObjectNode) after, m.kind());
        if (output != null) {
          created.add(o);
        } else {
          cli.out().println(Targets.ref(m.kind(), o.path("metadata").path("name").asText()) + " created");
        }
      } catch (ApiError e) {
        failures++;
        cli.err().println(cli.term().red("Error from server (" + e.reason() + ")") + ": error when creating \""
            + m.source() + "\": " + e.getMessage());
      }
    }
    if (output != null && !created.isEmpty()) {
      io.bosun.cli.output.Printer.of(output).print(cli, created, created.size() > 1);
    }
    return failures > 0 ? 1 : 0;
  }
}
