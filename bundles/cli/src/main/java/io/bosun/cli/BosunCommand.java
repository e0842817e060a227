package io.bosun.cli;

import io.bosun.cli.commands.ApiResourcesCommand;
import io.bosun.cli.commands.ApplyCommand;
import io.bosun.cli.commands.BundlesCommand;
import io.bosun.cli.commands.CompletionCommand;
import io.bosun.cli.commands.ConfigCommand;
import io.bosun.cli.commands.CreateCommand;
import io.bosun.cli.commands.DeleteCommand;
import io.bosun.cli.commands.DescribeCommand;
import io.bosun.cli.commands.GetCommand;
import io.bosun.cli.commands.LogsCommand;
import io.bosun.cli.commands.NodesCommand;
import io.bosun.cli.commands.PluginsCommand;
import io.bosun.cli.commands.RolloutCommand;
import io.bosun.cli.commands.ScaleCommand;
import io.bosun.cli.commands.SchedulerCommand;
import io.bosun.cli.commands.TopCommand;
import io.bosun.cli.commands.VersionCommand;
import io.bosun.cli.commands.WaitCommand;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root command: global options and the list of commands. */
@Command(name = "bosun", versionProvider = VersionCommand.Provider.class,
    usageHelpAutoWidth = true, sortOptions = false,
    header = "Bosun: run and inspect workloads and the platform of a Bosun cluster.",
    description = {"Talks only to the Kubernetes REST API of the cluster named by your kubeconfig (the same file"
        + " kubectl reads; `./bosun up` adds a context \"bosun\" to it). Runtime commands of the ./bosun script:"
        + " up, control-plane, node, test."},
    commandListHeading = "%nCommands:%n",
    footerHeading = "%nExamples:%n",
    footer = {"  ./bosun up                                # start a cluster (another terminal)",
        "  bosun apply -f bundles/cli/src/main/examples/hello/",
        "  bosun rollout status deployment/hello",
        "  bosun get pods -o wide",
        "  bosun logs deployment/hello",
        "  bosun scale deployment/hello --replicas=3",
        "  bosun plugins install my-plugin.jar",
        "",
        "Exit codes: 0 success, 1 error, 2 usage error. NO_COLOR disables colours."},
    subcommands = {GetCommand.class, DescribeCommand.class, ApplyCommand.class, CreateCommand.class,
        DeleteCommand.class, LogsCommand.class, ScaleCommand.class, RolloutCommand.class, WaitCommand.class,
        TopCommand.class, NodesCommand.class, BundlesCommand.class, PluginsCommand.class, SchedulerCommand.class,
        ConfigCommand.class, ApiResourcesCommand.class, VersionCommand.class, CompletionCommand.class})
public final class BosunCommand implements Runnable {

  private final Cli cli;

  @Spec
  CommandSpec spec;

  public BosunCommand(Cli cli) {
    this.cli = cli;
  }

  @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "show this help")
  boolean help;

  @Option(names = "--kubeconfig", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
  void kubeconfig(String v) {
    cli.options().kubeconfig = v;
  }

  @Option(names = "--context", scope = ScopeType.INHERIT, paramLabel = "NAME",
      description = "kubeconfig context to use (default: its current context)")
  void context(String v) {
    cli.options().context = v;
  }

  @Option(names = {"-n", "--namespace"}, scope = ScopeType.INHERIT, paramLabel = "NS",
      description = "namespace (default: the context's, else default)")
  void namespace(String v) {
    cli.options().namespace = v;
  }

  @Option(names = {"-s", "--server"}, scope = ScopeType.INHERIT, paramLabel = "URL",
      description = "API server URL, overriding the kubeconfig's")
  void server(String v) {
    cli.options().server = v;
  }

  @Option(names = "--request-timeout", scope = ScopeType.INHERIT, paramLabel = "DURATION",
      converter = DurationConverter.class, description = "the longest one request may take (default 30s)")
  void requestTimeout(Duration v) {
    cli.options().requestTimeout = v;
    cli.options().requestTimeoutGiven = true;
  }

  /** picocli converter for kubectl-style durations. */
  public static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return Durations.parse(value, "duration");
    }
  }

  @Option(names = {"-V", "--version"}, versionHelp = true, description = "print the CLI's version")
  boolean version;

  @Override
  public void run() {
    spec.commandLine().usage(cli.out());
  }

  /** Parses kubectl-style durations such as {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 500ms}. */
  public static final class Durations {
    private Durations() {}

    public static Duration parse(String v, String what) {
      String s = v.trim();
      if (s.matches("\\d+")) {
        return Duration.ofSeconds(Long.parseLong(s));
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)").matcher(s);
      long millis = 0;
      int end = 0;
      while (m.find()) {
        if (m.start() != end) {
          break;
        }
        double n = Double.parseDouble(m.group(1));
        millis += (long) (n * switch (m.group(2)) {
          case "ms" -> 1;
          case "s" -> 1000;
          case "m" -> 60_000;
          case "h" -> 3_600_000;
          default -> 86_400_000;
        });
        end = m.end();
      }
      if (end != s.length() || end == 0) {
        throw new picocli.CommandLine.TypeConversionException("invalid duration for " + what + ": \"" + v
            + "\" (use 30s, 5m, 1h30m)");
      }
      return Duration.ofMillis(millis);
    }
  }
}
