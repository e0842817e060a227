package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import io.bosun.cli.Main;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;

@Command(name = "version", description = "Print the CLI's version and the server's.")
public final class VersionCommand implements Callable<Integer> {

  private final Cli cli;

  @Option(names = "--client", description = "only the CLI's version")
  boolean client;

  public VersionCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    cli.out().println("Client Version: bosun " + Main.version());
    if (client) {
      return 0;
    }
    try {
      JsonNode v = cli.api().get("/version");
      cli.out().println("Server Version: " + v.path("gitVersion").asText("?") + " (" + cli.connection().server() + ")");
    } catch (CliException e) {
      cli.out().println("Server Version: unknown (" + e.getMessage() + ")");
      return 1;
    }
    return 0;
  }

  /** For {@code bosun --version}. */
  public static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"bosun " + Main.version()};
    }
  }
}
