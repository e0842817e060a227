package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.KindInfo;
import io.bosun.cli.BosunCommand;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import io.bosun.cli.Kinds;
import io.bosun.cli.Selectors;
import io.bosun.cli.Targets;
import io.bosun.cli.http.Api;
import io.bosun.cli.http.ApiError;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", sortOptions = false,
    description = {"Print the logs of a container in a pod, or of one pod of a workload (deployment/NAME, ...).",
        "Logs come from the node's kubelet through the API server (GET pods/NAME/log)."},
    footerHeading = "%nExamples:%n",
    footer = {"  bosun logs hello-7d9c5-abcde",
        "  bosun logs deployment/hello -f            # follow one pod of the deployment",
        "  bosun logs hello-7d9c5-abcde -c sidecar --tail 20",
        "  bosun logs job/migrate --since 10m --timestamps",
        "  bosun logs hello-7d9c5-abcde --previous   # the container's previous run"})
public final class LogsCommand implements Callable<Integer> {

  private final Cli cli;

  @Parameters(index = "0", paramLabel = "POD | TYPE/NAME", description = "a pod, or a workload to pick a pod of")
  String target;

  @Parameters(index = "1", arity = "0..1", paramLabel = "CONTAINER", description = "the container (same as -c)")
  String containerArg;

  @Option(names = {"-c", "--container"}, paramLabel = "NAME", description = "the container (default: the only or"
      + " the default one)")
  String container;

  @Option(names = {"-f", "--follow"}, description = "keep printing new lines")
  boolean follow;

  @Option(names = "--tail", paramLabel = "LINES", description = "only the last LINES lines (-1: all)")
  long tail = -1;

  @Option(names = "--since", paramLabel = "DURATION", converter = BosunCommand.DurationConverter.class,
      description = "only lines newer than this, such as 5s, 2m, 3h")
  Duration since;

  @Option(names = {"-p", "--previous"}, description = "the previous, terminated run of the container")
  boolean previous;

  @Option(names = "--timestamps", description = "prefix each line with its time")
  boolean timestamps;

  @Option(names = "--limit-bytes", paramLabel = "BYTES", description = "stop after this many bytes")
  long limitBytes;

  public LogsCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    String ns = cli.namespace();
    ObjectNode pod = pod(ns);
    String podName = pod.path("metadata").path("name").asText();
    String c = container != null ? container : containerArg;
    JsonNode containers = pod.path("spec").path("containers");
    if (c == null) {
      String annotated = pod.path("metadata").path("annotations").path("kubectl.kubernetes.io/default-container")
          .asText("");
      if (!annotated.isEmpty()) {
        c = annotated;
      } else if (containers.size() > 0) {
        c = containers.get(0).path("name").asText();
        if (containers.size() > 1) {
          StringBuilder names = new StringBuilder();
          containers.forEach(x -> names.append(names.isEmpty() ? "" : ", ").append(x.path("name").asText()));
          cli.err().println("Defaulted container \"" + c + "\" out of: " + names);
        }
      }
    }
    String path = Kinds.path(cli.kinds().resolve("pods"), ns, podName) + "/log" + Api.query("container", c,
        "follow", follow ? "true" : null, "tailLines", tail >= 0 ? Long.toString(tail) : null,
        "sinceSeconds", since == null ? null : Long.toString(Math.max(1, since.toSeconds())),
        "previous", previous ? "true" : null, "timestamps", timestamps ? "true" : null,
        "limitBytes", limitBytes > 0 ? Long.toString(limitBytes) : null);
    try (InputStream in = cli.api().stream(path, "*/*")) {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) >= 0; ) {
        cli.out().write(buf, 0, n);
        cli.out().flush();
      }
    } catch (ApiError e) {
      if (e.notFound() && e.getMessage().contains("could not find the requested resource")) {
        throw new CliException("logs of pod " + podName + " are not available: the API server has no log endpoint"
            + " for it yet (logs are served by the node's kubelet, which must be running)");
      }
      throw e;
    } catch (IOException e) {
      throw new CliException("the log stream broke: " + e.getMessage(), e);
    }
    return 0;
  }

  /** The pod named, or for a workload the first of its pods (kubectl picks one as well). */
  private ObjectNode pod(String ns) {
    if (!target.contains("/")) {
      return Targets.get(cli, cli.kinds().resolve("pods"), ns, target);
    }
    KindInfo k = cli.kinds().resolve(target.substring(0, target.indexOf('/')));
    String name = target.substring(target.indexOf('/') + 1);
    if (k.kind().equals("Pod")) {
      return Targets.get(cli, k, ns, name);
    }
    ObjectNode owner = Targets.get(cli, k, ns, name);
    JsonNode selector = owner.path("spec").path("selector");
    if (selector.isMissingNode() || selector.isEmpty()) {
      throw new CliException("cannot find the pods of " + target + ": it has no selector");
    }
    List<ObjectNode> pods = Targets.list(cli, cli.kinds().resolve("pods"), ns, Selectors.of(selector), null);
    if (pods.isEmpty()) {
      throw new CliException("no pods of " + target + " exist yet (see `bosun describe " + target + "`)");
    }
    // Prefer a running pod, then the newest, as kubectl's pod picker does.
    pods.sort((a, b) -> {
      int ra = "Running".equals(a.path("status").path("phase").asText()) ? 0 : 1;
      int rb = "Running".equals(b.path("status").path("phase").asText()) ? 0 : 1;
      if (ra != rb) {
        return ra - rb;
      }
      return b.path("metadata").path("creationTimestamp").asText().compareTo(
          a.path("metadata").path("creationTimestamp").asText());
    });
    if (pods.size() > 1) {
      cli.err().println("Found " + pods.size() + " pods, using pod/" + pods.get(0).path("metadata").path("name").asText());
    }
    return pods.get(0);
  }
}
