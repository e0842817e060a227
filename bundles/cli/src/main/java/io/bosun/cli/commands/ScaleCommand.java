package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.api.schema.KindInfo;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import io.bosun.cli.Kinds;
import io.bosun.cli.Targets;
import io.bosun.cli.http.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "scale", sortOptions = false,
    description = "Set the number of replicas of a deployment, replica set or stateful set (its scale subresource).",
    footerHeading = "%nExamples:%n",
    footer = {"  bosun scale deployment/hello --replicas=3",
        "  bosun scale deploy hello web --replicas=0",
        "  bosun scale sts/db --replicas=5 --current-replicas=3   # only if it has 3 now"})
public final class ScaleCommand implements Callable<Integer> {

  private final Cli cli;

  @Parameters(paramLabel = "TYPE NAME... | TYPE/NAME...", arity = "1..*", description = "what to scale")
  List<String> args = new ArrayList<>();

  @Option(names = "--replicas", required = true, paramLabel = "N", description = "the new number of replicas")
  int replicas;

  @Option(names = "--current-replicas", paramLabel = "N", description = "precondition: scale only if it has N now")
  Integer currentReplicas;

  public ScaleCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws Exception {
    if (replicas < 0) {
      throw new CliException("--replicas must not be negative", 2, null);
    }
    int failures = 0;
    for (Targets.Target t : Targets.parse(cli.kinds(), args)) {
      KindInfo k = t.kind();
      if (!k.hasSubresource("scale")) {
        throw new CliException(Kinds.qualifiedName(k) + " cannot be scaled (it has no scale subresource)");
      }
      if (t.names().isEmpty()) {
        throw new CliException("name the objects to scale, such as deployment/hello", 2, null);
      }
      for (String name : t.names()) {
        String path = Kinds.path(k, k.namespaced() ? cli.namespace() : null, name) + "/scale";
        try {
          JsonNode scale = cli.api().get(path);
          if (currentReplicas != null && scale.path("spec").path("replicas").asInt(0) != currentReplicas) {
            cli.err().println(cli.term().red("error") + ": expected " + currentReplicas + " replicas of "
                + Targets.ref(k, name) + ", found " + scale.path("spec").path("replicas").asInt(0));
            failures++;
            continue;
          }
          // With --current-replicas the read resourceVersion makes the write conditional.
          String body = "{\"spec\":{\"replicas\":" + replicas + "}"
              + (currentReplicas != null ? ",\"metadata\":{\"resourceVersion\":\""
                  + scale.path("metadata").path("resourceVersion").asText() + "\"}" : "") + "}";
          cli.api().send("PATCH", path, "application/merge-patch+json", body.getBytes());
          cli.out().println(Targets.ref(k, name) + " scaled");
        } catch (ApiError e) {
          failures++;
          cli.err().println(cli.term().red("Error from server (" + e.reason() + ")") + ": " + e.getMessage());
        }
      }
    }
    return failures > 0 ? 1 : 0;
  }
}
