package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.cli.BosunCommand;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import io.bosun.cli.Kinds;
import io.bosun.cli.Targets;
import io.bosun.cli.output.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "wait", sortOptions = false,
    description = {"Wait until objects meet a condition, are deleted, or a JSONPath has a value.",
        "Exits 1 if the --timeout passes first (default 30s)."},
    footerHeading = "%nExamples:%n",
    footer = {"  bosun wait --for=condition=Available deployment/hello --timeout=2m",
        "  bosun wait --for=condition=Ready pods -l app=hello",
        "  bosun wait --for=condition=Ready=false pod/hello-abc",
        "  bosun wait --for=delete pod/hello-abc --timeout=60s",
        "  bosun wait --for=jsonpath='{.status.phase}'=Running pod/hello-abc",
        "  bosun wait --for=create pod/later"})
public final class WaitCommand implements Callable<Integer> {

  private final Cli cli;

  @Parameters(paramLabel = "TYPE [NAME...] | TYPE/NAME...", arity = "1..*", description = "what to wait for")
  List<String> args = new ArrayList<>();

  @Option(names = "--for", required = true, paramLabel = "CONDITION",
      description = "condition=NAME[=VALUE] (value default true), delete, create, or jsonpath=EXPR[=VALUE]")
  String forSpec;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = BosunCommand.DurationConverter.class,
      description = "how long to wait (default 30s; 0 checks once)")
  Duration timeout = Duration.ofSeconds(30);

  @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "wait for the objects with these labels")
  String selector;

  @Option(names = "--all", description = "wait for every object of the type")
  boolean all;

  public WaitCommand(Cli cli) {
    this.cli = cli;
  }

  private sealed interface Goal permits Condition, Deleted, Created, Path {}

  private record Condition(String type, String value) implements Goal {}

  private record Deleted() implements Goal {}

  private record Created() implements Goal {}

  private record Path(String expr, String value) implements Goal {}

  private record Item(io.bosun.api.schema.KindInfo kind, String name, String uid) {}

  @Override
  public Integer call() {
    Goal goal = parseGoal(forSpec);
    Instant deadline = Instant.now().plus(timeout);
    List<Item> items = new ArrayList<>();
    String ns = cli.namespace();
    for (Targets.Target t : Targets.parse(cli.kinds(), args)) {
      if (t.names().isEmpty()) {
        if (selector == null && !all) {
          throw new CliException("resource(s) were provided, but no name was specified: name objects, or use -l or"
              + " --all", 2, null);
        }
        for (ObjectNode o : Targets.list(cli, t.kind(), ns, selector, null)) {
          items.add(new Item(t.kind(), o.path("metadata").path("name").asText(), o.path("metadata").path("uid")
              .asText()));
        }
        if (items.isEmpty() && !(goal instanceof Deleted)) {
          throw new CliException("no matching resources found");
        }
      } else {
        for (String n : t.names()) {
          items.add(new Item(t.kind(), n, null));
        }
      }
    }
    int failures = 0;
    for (Item item : items) {
      if (!await(item, goal, deadline, ns)) {
        failures++;
      }
    }
    return failures > 0 ? 1 : 0;
  }

  private boolean await(Item item, Goal goal, Instant deadline, String ns) {
    String ref = Targets.ref(item.kind(), item.name());
    String path = Kinds.path(item.kind(), item.kind().namespaced() ? ns : null, item.name());
    while (true) {
      Optional<JsonNode> o = cli.api().find(path);
      String where;
      boolean met;
      switch (goal) {
        case Deleted d -> {
          met = o.isEmpty() || (item.uid() != null && !item.uid().equals(o.get().path("metadata").path("uid").asText()));
          where = "waiting for " + ref + " to be deleted";
        }
        case Created c -> {
          met = o.isPresent();
          where = "waiting for " + ref + " to be created";
        }
        case Condition c -> {
          if (o.isEmpty() && Instant.now().isAfter(deadline)) {
            throw new CliException("\"" + item.name() + "\" not found");
          }
          String actual = o.map(x -> condition(x, c.type())).orElse(null);
          met = actual != null && actual.equalsIgnoreCase(c.value());
          where = "waiting for " + ref + " condition " + c.type() + "=" + c.value() + " (now: "
              + (o.isEmpty() ? "not found" : actual == null ? "not reported" : actual) + ")";
        }
        case Path p -> {
          List<JsonNode> values = o.map(x -> JsonPath.select(p.expr(), x)).orElse(List.of());
          String actual = values.isEmpty() ? null : values.stream().map(v -> v.isTextual() ? v.asText() : v.toString())
              .reduce((a, b) -> a + " " + b).orElse("");
          met = p.value() == null ? !values.isEmpty() : p.value().equals(actual);
          where = "waiting for " + ref + " " + p.expr() + (p.value() == null ? "" : "=" + p.value()) + " (now: "
              + (actual == null ? "absent" : actual) + ")";
        }
      }
      if (met) {
        cli.term().clearProgress();
        String what = switch (goal) {
          case Deleted d -> "deleted";
          case Created c -> "created";
          default -> "condition met";
        };
        cli.out().println(ref + " " + what);
        return true;
      }
      if (!Instant.now().isBefore(deadline)) {
        cli.term().clearProgress();
        cli.err().println(cli.term().red("error") + ": timed out waiting for the condition on "
            + item.kind().plural() + "/" + item.name());
        return false;
      }
      if (cli.term().tty()) {
        long left = Duration.between(Instant.now(), deadline).toSeconds();
        cli.term().progress(where + " [" + left + "s left]");
      }
      cli.sleep(Duration.ofMillis(250));
    }
  }

  private static String condition(JsonNode o, String type) {
    for (JsonNode c : o.path("status").path("conditions")) {
      if (c.path("type").asText().equalsIgnoreCase(type)) {
        return c.path("status").asText();
      }
    }
    return null;
  }

  static Goal parseGoal(String spec) {
    String s = spec.trim();
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.equals("delete")) {
      return new Deleted();
    }
    if (lower.equals("create")) {
      return new Created();
    }
    if (lower.startsWith("condition=")) {
      String rest = s.substring("condition=".length());
      int eq = rest.indexOf('=');
      return eq < 0 ? new Condition(rest, "True") : new Condition(rest.substring(0, eq), rest.substring(eq + 1));
    }
    if (lower.startsWith("jsonpath=")) {
      String rest = s.substring("jsonpath=".length());
      String expr;
      String value = null;
      if (rest.startsWith("{")) {
        int close = rest.indexOf('}');
        if (close < 0) {
          throw new CliException("unclosed jsonpath expression in --for: " + spec, 2, null);
        }
        expr = rest.substring(1, close);
        if (close + 1 < rest.length()) {
          if (rest.charAt(close + 1) != '=') {
            throw new CliException("expected = after the jsonpath expression in --for: " + spec, 2, null);
          }
          value = rest.substring(close + 2);
        }
      } else {
        int eq = rest.indexOf('=');
        expr = eq < 0 ? rest : rest.substring(0, eq);
        value = eq < 0 ? null : rest.substring(eq + 1);
      }
      if (value != null && value.length() >= 2 && (value.startsWith("'") || value.startsWith("\""))) {
        value = value.substring(1, value.length() - 1);
      }
      return new Path(expr, value);
    }
    throw new CliException("unrecognized condition: \"" + spec + "\" (use condition=NAME[=VALUE], delete, create or"
        + " jsonpath=EXPR[=VALUE])", 2, null);
  }
}
