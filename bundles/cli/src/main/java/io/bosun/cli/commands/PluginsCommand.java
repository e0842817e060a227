package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.cli.BosunCommand;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import io.bosun.cli.http.Api;
import io.bosun.cli.http.ApiError;
import io.bosun.cli.output.Ages;
import io.bosun.cli.output.TableWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "plugins", description = {"Install, update and remove plugin bundles of the running runtime.",
    "The jar is uploaded over the REST API into the instance's plugins/ folder, where the runtime installs,"
        + " updates or uninstalls it while everything keeps running."},
    subcommands = {PluginsCommand.List.class, PluginsCommand.Install.class, PluginsCommand.Update.class,
        PluginsCommand.Remove.class},
    footerHeading = "%nExamples:%n",
    footer = {"  bosun plugins list", "  bosun plugins install target/my-filter-1.0.0.jar",
        "  bosun plugins update my.filter target/my-filter-1.1.0.jar", "  bosun plugins remove my.filter"})
public final class PluginsCommand implements Runnable {

  static final String PATH = "/apis/platform.bosun.io/v1alpha1/plugins";

  private final Cli cli;

  public PluginsCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public void run() {
    new List(cli).call();
  }

  /** A platform endpoint, with a clear message when the runtime does not serve the platform API. */
  static JsonNode platform(Cli cli, String path) {
    try {
      return cli.api().get(path);
    } catch (ApiError e) {
      if (e.notFound() && e.getMessage().contains("could not find the requested resource")) {
        throw new CliException("the API server at " + cli.connection().server() + " serves no platform API"
            + " (platform.bosun.io): it is not a Bosun runtime, or one without the bosun-platform-api bundle");
      }
      throw e;
    }
  }

  static Optional<JsonNode> plugin(Cli cli, String name) {
    try {
      return Optional.of(platform(cli, PATH + "/" + name));
    } catch (ApiError e) {
      if (e.notFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Checks a jar locally before sending it: a readable jar with a Bundle-SymbolicName. */
  static String symbolicName(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new CliException("no such file: " + jar);
    }
    try (InputStream in = Files.newInputStream(jar); JarInputStream j = new JarInputStream(in)) {
      Manifest mf = j.getManifest();
      String bsn = mf == null ? null : mf.getMainAttributes().getValue("Bundle-SymbolicName");
      if (bsn == null || bsn.isBlank()) {
        throw new CliException(jar + " is not an OSGi bundle: its manifest has no Bundle-SymbolicName"
            + " (build it with bnd-maven-plugin or maven-bundle-plugin)");
      }
      return bsn.split(";")[0].trim();
    } catch (IOException e) {
      throw new CliException(jar + " is not a readable jar: " + e.getMessage(), e);
    }
  }

  static byte[] read(Path jar) {
    try {
      return Files.readAllBytes(jar);
    } catch (IOException e) {
      throw new CliException("cannot read " + jar + ": " + e.getMessage(), e);
    }
  }

  /** Waits until the plugin's bundle is active and, if {@code changedAfter} is set, newer than it. */
  static void awaitActive(Cli cli, String name, Duration timeout, String changedAfter) {
    Instant deadline = Instant.now().plus(timeout);
    String state = "not installed yet";
    while (Instant.now().isBefore(deadline)) {
      Optional<JsonNode> p = plugin(cli, name);
      JsonNode b = p.map(x -> x.path("bundle")).orElse(null);
      if (b != null && !b.isMissingNode()) {
        state = b.path("state").asText();
        boolean fresh = changedAfter == null || (!b.path("lastModified").asText("").isEmpty()
            && Instant.parse(b.path("lastModified").asText()).isAfter(Instant.parse(changedAfter)));
        if (fresh && state.equals("ACTIVE")) {
          cli.term().done("plugin " + name + " is active: bundle " + b.path("symbolicName").asText() + " "
              + b.path("version").asText() + " (id " + b.path("id").asText() + ")", true);
          return;
        }
        if (!fresh) {
          state = "waiting for the runtime to pick up the new jar";
        }
      }
      cli.term().progress("Waiting for plugin " + name + " to start: " + state + "...");
      cli.sleep(Duration.ofMillis(300));
    }
    cli.term().done("plugin " + name + " did not become active within " + timeout.toSeconds() + "s (" + state + ")",
        false);
    throw new CliException("plugin " + name + " is " + state + ": see `bosun bundles` for what it waits for");
  }

  @Command(name = "list", description = "List the plugins of the runtime with the state of their bundles.",
      footerHeading = "%nExamples:%n", footer = {"  bosun plugins list"})
  public static final class List implements Callable<Integer> {
    private final Cli cli;

    public List(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      JsonNode list = platform(cli, PATH);
      if (list.path("items").isEmpty()) {
        cli.err().println("No plugins installed (folder " + list.path("metadata").path("directory").asText()
            + "). Add one with `bosun plugins install FILE.jar`.");
        return 0;
      }
      TableWriter w = new TableWriter().header("NAME", "BUNDLE", "VERSION", "STATE", "SIZE", "AGE");
      for (JsonNode p : list.path("items")) {
        JsonNode b = p.path("bundle");
        w.row(p.path("name").asText(), p.path("symbolicName").asText("<none>"), p.path("version").asText("<none>"),
            b.isMissingNode() ? "PENDING" : b.path("state").asText(), size(p.path("size").asLong()),
            Ages.age(p.path("modified").asText("")));
      }
      w.paint(3, cli.term()::status);
      w.print(cli.out(), true);
      return 0;
    }

    private static String size(long bytes) {
      return bytes < 1024 ? bytes + "B" : bytes < 1024 * 1024 ? (bytes / 1024) + "KiB"
          : String.format("%.1fMiB", bytes / 1048576.0);
    }
  }

  @Command(name = "install", sortOptions = false,
      description = "Upload a plugin bundle and wait until the runtime has started it.",
      footerHeading = "%nExamples:%n",
      footer = {"  bosun plugins install target/my-filter-1.0.0.jar            # named after its symbolic name",
          "  bosun plugins install my-filter.jar --name filter --no-wait"})
  public static final class Install implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "FILE", description = "the bundle jar")
    Path file;

    @Option(names = "--name", paramLabel = "NAME", description = "plugin name (default: the Bundle-SymbolicName)")
    String name;

    @Option(names = "--no-wait", description = "return once uploaded, without waiting for the bundle to start")
    boolean noWait;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = BosunCommand.DurationConverter.class,
        description = "how long to wait for the bundle to start (default 60s)")
    Duration timeout = Duration.ofSeconds(60);

    public Install(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      String bsn = symbolicName(file);
      String n = name != null ? name : bsn;
      cli.api().send("POST", PATH + Api.query("name", n), "application/java-archive", read(file));
      cli.out().println("plugin " + n + " uploaded (" + bsn + ")");
      if (!noWait) {
        awaitActive(cli, n, timeout, null);
      }
      return 0;
    }
  }

  @Command(name = "update", sortOptions = false,
      description = "Replace a plugin's jar; the runtime updates the bundle in place.",
      footerHeading = "%nExamples:%n", footer = {"  bosun plugins update my.filter target/my-filter-1.1.0.jar"})
  public static final class Update implements Callable<Integer> {
    private final Cli cli;

    @Parameters(index = "0", paramLabel = "NAME", description = "the plugin (see `bosun plugins list`)")
    String name;

    @Parameters(index = "1", paramLabel = "FILE", description = "the new bundle jar")
    Path file;

    @Option(names = "--no-wait", description = "return once uploaded")
    boolean noWait;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = BosunCommand.DurationConverter.class,
        description = "how long to wait for the updated bundle to start (default 60s)")
    Duration timeout = Duration.ofSeconds(60);

    public Update(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      symbolicName(file);
      JsonNode before = plugin(cli, name).orElseThrow(() -> new CliException("plugin " + name
          + " is not installed (`bosun plugins list` shows the installed ones; install it with `bosun plugins"
          + " install`)"));
      String lastModified = before.path("bundle").path("lastModified").asText(null);
      cli.api().send("PUT", PATH + "/" + name, "application/java-archive", read(file));
      cli.out().println("plugin " + name + " replaced");
      if (!noWait) {
        awaitActive(cli, name, timeout, lastModified);
      }
      return 0;
    }
  }

  @Command(name = "remove", aliases = {"uninstall", "delete"}, sortOptions = false,
      description = "Delete a plugin; the runtime uninstalls its bundle.",
      footerHeading = "%nExamples:%n", footer = {"  bosun plugins remove my.filter"})
  public static final class Remove implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "NAME", description = "the plugin")
    String name;

    @Option(names = "--no-wait", description = "return once deleted, without waiting for the uninstall")
    boolean noWait;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = BosunCommand.DurationConverter.class,
        description = "how long to wait for the uninstall (default 60s)")
    Duration timeout = Duration.ofSeconds(60);

    public Remove(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      JsonNode gone = cli.api().send("DELETE", PATH + "/" + name, null, null);
      String id = gone.path("bundle").path("id").asText("");
      cli.out().println("plugin " + name + " deleted");
      if (noWait || id.isEmpty()) {
        return 0;
      }
      Instant deadline = Instant.now().plus(timeout);
      while (Instant.now().isBefore(deadline)) {
        boolean present = false;
        for (JsonNode b : platform(cli, BundlesCommand.PATH).path("items")) {
          if (b.path("id").asText().equals(id)) {
            present = true;
          }
        }
        if (!present) {
          cli.term().done("bundle " + gone.path("bundle").path("symbolicName").asText() + " uninstalled", true);
          return 0;
        }
        cli.term().progress("Waiting for the runtime to uninstall bundle " + id + "...");
        cli.sleep(Duration.ofMillis(300));
      }
      throw new CliException("bundle " + id + " is still installed after " + timeout.toSeconds() + "s");
    }
  }
}
