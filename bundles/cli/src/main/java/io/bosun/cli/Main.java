package io.bosun.cli;

import io.bosun.cli.http.ApiError;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/**
 * The {@code bosun} command. Exit codes: 0 success, 1 an error (the server refused, a wait timed
 * out, nothing to connect to), 2 a usage error (unknown command or option, bad value).
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
        StandardCharsets.UTF_8);
    int code = run(args, out, err, System.in, System.getenv(), isTerminal());
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Runs one command line and returns its exit code; the entry point tests use.
   *
   * @param tty whether stdout is a terminal (progress redraws, colours)
   */
  public static int run(String[] args, PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
      boolean tty) {
    try (Cli cli = new Cli(out, err, in, env, tty)) {
      CommandLine cl = commandLine(cli);
      return cl.execute(args);
    }
  }

  /** The command tree bound to {@code cli}. */
  public static CommandLine commandLine(Cli cli) {
    CommandLine cl = new CommandLine(new BosunCommand(cli), new Factory(cli));
    cl.setOut(new java.io.PrintWriter(cli.out(), true));
    cl.setErr(new java.io.PrintWriter(cli.err(), true));
    cl.setColorScheme(CommandLine.Help.defaultColorScheme(cli.term().color() ? CommandLine.Help.Ansi.ON
        : CommandLine.Help.Ansi.OFF));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      cli.term().clearProgress();
      if (e instanceof ApiError a) {
        cli.err().println(cli.term().red("Error from server" + (a.reason().isEmpty() ? "" : " (" + a.reason() + ")"))
            + ": " + a.getMessage());
        return 1;
      }
      if (e instanceof CliException c) {
        cli.err().println(cli.term().red("error") + ": " + c.getMessage());
        if (debug(cli) && c.getCause() != null) {
          c.getCause().printStackTrace(cli.err());
        }
        return c.exitCode();
      }
      cli.err().println(cli.term().red("error") + ": " + e);
      if (debug(cli)) {
        e.printStackTrace(cli.err());
      } else {
        cli.err().println("(set BOSUN_DEBUG=1 for the stack trace)");
      }
      return 1;
    });
    return cl;
  }

  private static boolean debug(Cli cli) {
    return "1".equals(cli.env().get("BOSUN_DEBUG"));
  }

  /** The CLI's version (from the jar's manifest), {@code dev} when run from classes. */
  public static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /**
   * Whether stdout is a terminal: {@code BOSUN_TTY} (set by the {@code ./bosun} script, which can
   * test the real file descriptor) wins; else the JDK's console check.
   */
  static boolean isTerminal() {
    String forced = System.getenv("BOSUN_TTY");
    if (forced != null && !forced.isEmpty()) {
      return forced.equals("1") || forced.equalsIgnoreCase("true");
    }
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      // JDK 22+: a console exists even when redirected; isTerminal() tells the truth.
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  /** Creates commands with the invocation's {@link Cli} when they take one. */
  private record Factory(Cli cli) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      try {
        return cls.getDeclaredConstructor(Cli.class).newInstance(cli);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(cls);
      }
    }
  }
}
