package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import io.bosun.cli.config.Connection;
import io.bosun.cli.config.Kubeconfig;
import io.bosun.cli.output.TableWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "config", description = "Read and change the kubeconfig bosun and kubectl share.",
    subcommands = {ConfigCommand.WriteContext.class, ConfigCommand.GetContexts.class, ConfigCommand.UseContext.class,
        ConfigCommand.CurrentContext.class, ConfigCommand.View.class},
    footerHeading = "%nExamples:%n",
    footer = {"  bosun config get-contexts", "  bosun config use-context bosun",
        "  bosun config write-context --server http://127.0.0.1:6443     # what ./bosun up runs"})
public final class ConfigCommand implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "name a subcommand: write-context, get-contexts, use-context, current-context or view");
  }

  /** The file to write: --kubeconfig, else the first of $KUBECONFIG, else ~/.kube/config (as kubectl). */
  static Path target(Cli cli) {
    List<Path> files = Kubeconfig.locate(cli.options().kubeconfig, cli.env());
    return files.isEmpty() ? Kubeconfig.defaultFile(cli.env()) : files.get(0);
  }

  @Command(name = "write-context", sortOptions = false,
      description = {"Add or update a cluster, user and context (default name bosun) in the kubeconfig, keeping"
          + " every other entry.", "`./bosun up` runs this before it starts, so bosun and kubectl reach the new"
          + " cluster."},
      footerHeading = "%nExamples:%n",
      footer = {"  bosun config write-context --server http://127.0.0.1:6443",
          "  bosun config write-context --name dev --server http://127.0.0.1:16443 --no-use"})
  public static final class WriteContext implements Callable<Integer> {
    private final Cli cli;

    @Option(names = "--name", paramLabel = "NAME", description = "cluster, user and context name (default bosun)")
    String name = "bosun";

    @Option(names = "--context-namespace", paramLabel = "NS", description = "the context's namespace (default:"
        + " unchanged, else default)")
    String namespace;

    @Option(names = "--use", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "make it the current context (default true; --no-use keeps the current one)")
    boolean use;

    @Option(names = "--quiet", description = "print nothing")
    boolean quiet;

    public WriteContext(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      // --server is the global option: here it names the server to write rather than one to talk to.
      String server = cli.options().server;
      if (server == null || server.isBlank()) {
        throw new CliException("write-context needs --server URL, such as --server http://127.0.0.1:6443", 2, null);
      }
      try {
        java.net.URI u = java.net.URI.create(server);
        if (u.getScheme() == null || u.getHost() == null) {
          throw new IllegalArgumentException();
        }
      } catch (IllegalArgumentException e) {
        throw new CliException("--server must be a URL such as http://127.0.0.1:6443", 2, null);
      }
      Path file = target(cli);
      boolean changed = Kubeconfig.writeContext(file, name, server, namespace, use);
      if (!quiet) {
        cli.out().println((changed ? "wrote" : "kept") + " context \"" + name + "\" (" + server + ") in " + file
            + (use ? ", the current context" : ""));
      }
      return 0;
    }
  }

  @Command(name = "get-contexts", description = "List the contexts; * marks the current one.")
  public static final class GetContexts implements Callable<Integer> {
    private final Cli cli;

    public GetContexts(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Kubeconfig k = Kubeconfig.load(Kubeconfig.locate(cli.options().kubeconfig, cli.env()));
      TableWriter w = new TableWriter().header("CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE");
      for (Map.Entry<String, JsonNode> e : k.contexts().entrySet()) {
        JsonNode c = e.getValue();
        w.row(e.getKey().equals(k.currentContext()) ? "*" : "", e.getKey(), c.path("cluster").asText(""),
            c.path("user").asText(""), c.path("namespace").asText(""));
      }
      w.print(cli.out(), true);
      return 0;
    }
  }

  @Command(name = "use-context", description = "Make a context the current one.")
  public static final class UseContext implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "NAME")
    String name;

    public UseContext(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Kubeconfig.useContext(Kubeconfig.locate(cli.options().kubeconfig, cli.env()), name);
      cli.out().println("Switched to context \"" + name + "\".");
      return 0;
    }
  }

  @Command(name = "current-context", description = "Print the current context and the server it points to.")
  public static final class CurrentContext implements Callable<Integer> {
    private final Cli cli;

    public CurrentContext(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Connection c = cli.connection();
      cli.out().println((c.context() == null ? "(none)" : c.context()) + " " + c.server() + " namespace="
          + c.namespace());
      return 0;
    }
  }

  @Command(name = "view", description = "Print the merged kubeconfig settings in use (secrets hidden).")
  public static final class View implements Callable<Integer> {
    private final Cli cli;

    public View(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Connection c = cli.connection();
      cli.out().println("files:      " + Kubeconfig.locate(cli.options().kubeconfig, cli.env()));
      cli.out().println("context:    " + (c.context() == null ? "(none)" : c.context()));
      cli.out().println("server:     " + c.server());
      cli.out().println("namespace:  " + c.namespace());
      cli.out().println("tls:        " + (c.server().startsWith("https") ? (c.insecure() ? "insecure"
          : c.caData() != null ? "custom CA" : "system CAs") : "none"));
      cli.out().println("auth:       " + (c.token() != null ? "bearer token" : c.certData() != null
          ? "client certificate" : c.username() != null ? "basic" : "none"));
      return 0;
    }
  }
}
