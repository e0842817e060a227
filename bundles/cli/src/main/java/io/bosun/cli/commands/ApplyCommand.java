package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.cli.Cli;
import io.bosun.cli.Kinds;
import io.bosun.cli.Manifests;
import io.bosun.cli.http.Api;
import io.bosun.cli.http.ApiError;
import io.bosun.cli.output.Printer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "apply", sortOptions = false,
    description = {"Create or update objects from manifests with server-side apply (field manager \"bosun\").",
        "Each object reports created, configured or unchanged."},
    footerHeading = "%nExamples:%n",
    footer = {"  bosun apply -f bundles/cli/src/main/examples/hello/     # every manifest in a folder",
        "  bosun apply -f app.yaml -n staging",
        "  cat app.yaml | bosun apply -f -",
        "  bosun apply -f app.yaml --dry-run=server -o yaml          # what the server would store",
        "  bosun apply -f app.yaml --force-conflicts                 # take fields other managers own"})
public final class ApplyCommand implements Callable<Integer> {

  static final String FIELD_MANAGER = "bosun";

  private final Cli cli;

  @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE|DIR|-",
      description = "manifests to apply (multi-document YAML or JSON); - reads stdin")
  List<String> files = new ArrayList<>();

  @Option(names = {"-R", "--recursive"}, description = "also read the folders inside a -f folder")
  boolean recursive;

  @Option(names = "--force-conflicts", description = "take over fields that other field managers own")
  boolean force;

  @Option(names = "--field-manager", paramLabel = "NAME", description = "field manager name (default: bosun)")
  String fieldManager = FIELD_MANAGER;

  @Option(names = "--dry-run", paramLabel = "none|server", description = "server: validate and show without storing")
  String dryRun = "none";

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "print the results: yaml, json, name")
  String output;

  public ApplyCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    Printer printer = output == null ? null : Printer.of(output);
    boolean serverDryRun = "server".equals(dryRun);
    if (!serverDryRun && !"none".equals(dryRun)) {
      throw new io.bosun.cli.CliException("--dry-run must be none or server (client dry runs are not supported)", 2,
          null);
    }
    int failures = 0;
    List<ObjectNode> results = new ArrayList<>();
    for (Manifests.Manifest m : Manifests.read(cli, files, recursive)) {
      String path = Kinds.path(m.kind(), m.namespace(), m.name());
      try {
        Optional<JsonNode> before = cli.api().find(path);
        ObjectNode body = m.object().deepCopy();
        ((ObjectNode) body.path("metadata")).remove(List.of("managedFields", "resourceVersion", "uid",
            "creationTimestamp"));
        JsonNode after = cli.api().send("PATCH", path + Api.query("fieldManager", fieldManager, "force",
            force ? "true" : null, "dryRun", serverDryRun ? "All" : null, "fieldValidation", "Strict"),
            "application/apply-patch+yaml", cli.mapper().writeValueAsBytes(body));
        String what = before.isEmpty() ? "created" : same(body, before.get(), after) ? "unchanged" : "configured";
        if (printer != null) {
          results.add(io.bosun.cli.Targets.withType((ObjectNode) after, m.kind()));
        } else {
          cli.out().println(m.ref() + " " + what + (serverDryRun ? " (server dry run)" : ""));
        }
      } catch (ApiError e) {
        failures++;
        String hint = e.conflict() && !force ? "\n  (fields are owned by another manager: rerun with --force-conflicts"
            + " to take them over)" : "";
        cli.err().println(cli.term().red("Error from server (" + e.reason() + ")") + ": error when applying "
            + m.ref() + " from " + m.source() + ": " + e.getMessage() + hint);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new io.bosun.cli.CliException("cannot encode " + m.ref() + ": " + e.getMessage(), e);
      }
    }
    if (printer != null && !results.isEmpty()) {
      printer.print(cli, results, results.size() > 1);
    }
    return failures > 0 ? 1 : 0;
  }

  /**
   * Whether an apply changed nothing the manifest speaks about: the applied fields are compared
   * before and after, so controllers' writes in between (status, their annotations) and the
   * bookkeeping a server bumps even for a no-op (resourceVersion, generation) do not count.
   */
  static boolean same(JsonNode applied, JsonNode before, JsonNode after) {
    return project(applied, before).equals(project(applied, after));
  }

  /** The parts of {@code obj} at the paths {@code shape} has (whole values below non-objects). */
  private static JsonNode project(JsonNode shape, JsonNode obj) {
    if (!shape.isObject() || !obj.isObject()) {
      return obj;
    }
    ObjectNode out = ((ObjectNode) obj).objectNode();
    shape.fields().forEachRemaining(e -> {
      if (!List.of("resourceVersion", "generation", "managedFields").contains(e.getKey())) {
        out.set(e.getKey(), project(e.getValue(), obj.path(e.getKey())));
      }
    });
    return out;
  }
}
