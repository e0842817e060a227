package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.KindInfo;
import io.bosun.cli.BosunCommand;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import io.bosun.cli.Kinds;
import io.bosun.cli.Manifests;
import io.bosun.cli.Targets;
import io.bosun.cli.http.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "delete", sortOptions = false,
    description = {"Delete objects by name, by label selector, by manifest, or all of a type.",
        "Waits until they are gone (finalizers and grace periods done), as kubectl does, unless --wait=false."},
    footerHeading = "%nExamples:%n",
    footer = {"  bosun delete pod hello-abc",
        "  bosun delete deployment/hello service/hello",
        "  bosun delete -f bundles/cli/src/main/examples/hello/",
        "  bosun delete pods -l app=hello",
        "  bosun delete pods --all --wait=false",
        "  bosun delete deploy hello --cascade=foreground --timeout=60s"})
public final class DeleteCommand implements Callable<Integer> {

  private final Cli cli;

  @Parameters(paramLabel = "TYPE [NAME...] | TYPE/NAME...", arity = "0..*", description = "what to delete")
  List<String> args = new ArrayList<>();

  @Option(names = {"-f", "--filename"}, paramLabel = "FILE|DIR|-", description = "delete the objects of these manifests")
  List<String> files = new ArrayList<>();

  @Option(names = {"-R", "--recursive"}, description = "also read the folders inside a -f folder")
  boolean recursive;

  @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "delete the objects with these labels")
  String selector;

  @Option(names = "--field-selector", paramLabel = "SELECTOR", description = "delete the objects matching these fields")
  String fieldSelector;

  @Option(names = "--all", description = "delete every object of the type in the namespace")
  boolean all;

  @Option(names = {"-A", "--all-namespaces"}, description = "with -l or --all: in every namespace")
  boolean allNamespaces;

  @Option(names = "--ignore-not-found", description = "treat objects that do not exist as deleted")
  boolean ignoreNotFound;

  @Option(names = "--wait", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "wait until the objects are gone (default true)")
  boolean waitForDeletion = true;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = BosunCommand.DurationConverter.class,
      description = "how long to wait for the deletion (default: no limit)")
  Duration timeout;

  @Option(names = "--grace-period", paramLabel = "SECONDS", description = "seconds pods get to stop (-1: their own)")
  int gracePeriod = -1;

  @Option(names = "--now", description = "stop pods at once (grace period 1)")
  boolean now;

  @Option(names = "--force", description = "with --grace-period=0: remove pods without waiting for their node")
  boolean force;

  @Option(names = "--cascade", paramLabel = "background|foreground|orphan", description = "what happens to dependents"
      + " (default background)")
  String cascade = "background";

  public DeleteCommand(Cli cli) {
    this.cli = cli;
  }

  private record Victim(KindInfo kind, String namespace, String name, String uid) {}

  @Override
  public Integer call() throws Exception {
    List<Victim> victims = new ArrayList<>();
    int failures = 0;
    if (!files.isEmpty()) {
      if (!args.isEmpty()) {
        throw new CliException("there is no need to name objects when using -f", 2, null);
      }
      for (Manifests.Manifest m : Manifests.read(cli, files, recursive)) {
        victims.add(new Victim(m.kind(), m.namespace(), m.name(), null));
      }
    } else {
      List<Targets.Target> targets = Targets.parse(cli.kinds(), args);
      String ns = allNamespaces ? null : cli.namespace();
      for (Targets.Target t : targets) {
        if (t.names().isEmpty()) {
          if (!all && selector == null && fieldSelector == null) {
            throw new CliException("resource(s) were provided, but no name was specified: name objects, or use -l"
                + " or --all", 2, null);
          }
          for (ObjectNode o : Targets.list(cli, t.kind(), ns, selector, fieldSelector)) {
            JsonNode meta = o.path("metadata");
            victims.add(new Victim(t.kind(), meta.path("namespace").asText(null), meta.path("name").asText(),
                meta.path("uid").asText(null)));
          }
        } else {
          for (String n : t.names()) {
            victims.add(new Victim(t.kind(), t.kind().namespaced() ? cli.namespace() : null, n, null));
          }
        }
      }
      if (victims.isEmpty()) {
        cli.err().println("No resources found");
        return 0;
      }
    }
    ObjectNode options = cli.mapper().createObjectNode().put("kind", "DeleteOptions").put("apiVersion", "v1");
    options.put("propagationPolicy", switch (cascade.toLowerCase()) {
      case "background", "true" -> "Background";
      case "foreground" -> "Foreground";
      case "orphan", "false" -> "Orphan";
      default -> throw new CliException("--cascade must be background, foreground or orphan", 2, null);
    });
    if (now) {
      options.put("gracePeriodSeconds", 1);
    } else if (gracePeriod >= 0) {
      options.put("gracePeriodSeconds", gracePeriod == 0 && !force ? 1 : gracePeriod);
    }
    List<Victim> pending = new ArrayList<>();
    for (Victim v : victims) {
      String path = Kinds.path(v.kind(), v.namespace(), v.name());
      try {
        JsonNode answer = cli.api().send("DELETE", path, "application/json", cli.mapper().writeValueAsBytes(options));
        String uid = v.uid() != null ? v.uid() : answer.path("metadata").path("uid").asText(null);
        cli.out().println(Kinds.qualifiedName(v.kind()) + " \"" + v.name() + "\" deleted"
            + (v.namespace() != null && allNamespaces ? " from " + v.namespace() + " namespace" : ""));
        pending.add(new Victim(v.kind(), v.namespace(), v.name(), uid));
      } catch (ApiError e) {
        if (e.notFound() && ignoreNotFound) {
          continue;
        }
        failures++;
        cli.err().println(cli.term().red("Error from server (" + e.reason() + ")") + ": " + e.getMessage());
      }
    }
    if (waitForDeletion && !pending.isEmpty()) {
      failures += awaitGone(pending);
    }
    return failures > 0 ? 1 : 0;
  }

  /** Polls until every object is gone (or replaced by a new one under the same name); returns how many are not. */
  private int awaitGone(List<Victim> pending) {
    Instant deadline = timeout == null || timeout.isZero() ? null : Instant.now().plus(timeout);
    List<Victim> left = new ArrayList<>(pending);
    boolean shown = false;
    while (true) {
      left.removeIf(v -> {
        Optional<JsonNode> o = cli.api().find(Kinds.path(v.kind(), v.namespace(), v.name()));
        return o.isEmpty() || (v.uid() != null && !v.uid().equals(o.get().path("metadata").path("uid").asText()));
      });
      if (left.isEmpty()) {
        if (shown) {
          cli.term().clearProgress();
        }
        return 0;
      }
      if (deadline != null && Instant.now().isAfter(deadline)) {
        cli.term().clearProgress();
        for (Victim v : left) {
          cli.err().println(cli.term().red("error") + ": timed out waiting for the deletion of "
              + Targets.ref(v.kind(), v.name()));
        }
        return left.size();
      }
      if (cli.term().tty()) {
        cli.term().progress("Waiting for " + left.size() + " object" + (left.size() == 1 ? "" : "s")
            + " to be deleted (" + Targets.ref(left.get(0).kind(), left.get(0).name()) + ")...");
        shown = true;
      }
      cli.sleep(Duration.ofMillis(250));
    }
  }
}
