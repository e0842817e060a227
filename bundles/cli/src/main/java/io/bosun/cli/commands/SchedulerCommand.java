package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import io.bosun.cli.output.TableWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "scheduler", description = {"Show and switch the scheduler's profiles and policies.",
    "The scheduler reads the ConfigMap kube-system/" + SchedulerCommand.CONFIG + " (keys profiles and policies)"
        + " live; these commands edit it through the API, so a switch applies to the next pods scheduled."},
    subcommands = {SchedulerCommand.Profiles.class, SchedulerCommand.Use.class, SchedulerCommand.SetConfig.class},
    footerHeading = "%nExamples:%n",
    footer = {"  bosun scheduler profiles                  # profiles, their policies, available policies",
        "  bosun scheduler use binpack               # default-scheduler packs pods onto few nodes",
        "  bosun scheduler use spread --profile default-scheduler",
        "  bosun scheduler set --profiles profiles.yaml --policies policies.yaml",
        "  bosun scheduler set --reset               # back to the runtime's own configuration"})
public final class SchedulerCommand implements Runnable {

  /** The ConfigMap the scheduler reads its profiles and extra policies from (namespace kube-system). */
  public static final String CONFIG = "bosun-scheduler-profiles";
  /** The ConfigMap the scheduler publishes its effective configuration and status in, when it does. */
  public static final String STATUS = "bosun-scheduler";
  public static final String NAMESPACE = "kube-system";
  public static final String DEFAULT_PROFILE = "default-scheduler";
  /** Built into the scheduler (bundles/scheduler policies.yaml). */
  static final List<String> BUILT_IN_POLICIES = List.of("default", "spread", "binpack");

  static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build())
      .build();

  private final Cli cli;

  public SchedulerCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public void run() {
    new Profiles(cli).call();
  }

  static String path(String name) {
    return "/api/v1/namespaces/" + NAMESPACE + "/configmaps/" + name;
  }

  static Optional<JsonNode> configMap(Cli cli, String name) {
    return cli.api().find(path(name));
  }

  static JsonNode yaml(String text, String what) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new CliException(what + " is not valid YAML: " + e.getMessage(), e);
    }
  }

  static String toYaml(JsonNode n) {
    try {
      return YAML.writeValueAsString(n);
    } catch (IOException e) {
      throw new CliException("cannot write YAML: " + e.getMessage(), e);
    }
  }

  /** Writes keys of the configuration ConfigMap with server-side apply; null values remove keys. */
  static void write(Cli cli, String profiles, String policies, boolean replaceAll) throws IOException {
    Optional<JsonNode> current = configMap(cli, CONFIG);
    ObjectNode data = cli.mapper().createObjectNode();
    if (!replaceAll) {
      current.map(c -> c.path("data")).ifPresent(d -> d.fields().forEachRemaining(e -> data.set(e.getKey(), e.getValue())));
    }
    if (profiles != null) {
      data.put("profiles", profiles);
    }
    if (policies != null) {
      data.put("policies", policies);
    }
    ObjectNode cm = cli.mapper().createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
    cm.putObject("metadata").put("name", CONFIG).put("namespace", NAMESPACE);
    cm.set("data", data);
    if (current.isEmpty()) {
      cli.api().send("POST", "/api/v1/namespaces/" + NAMESPACE + "/configmaps", "application/json",
          cli.mapper().writeValueAsBytes(cm));
    } else {
      // A PUT with the read resourceVersion: a concurrent edit fails instead of being lost.
      ((ObjectNode) cm.path("metadata")).put("resourceVersion", current.get().path("metadata").path("resourceVersion")
          .asText());
      cli.api().send("PUT", path(CONFIG), "application/json", cli.mapper().writeValueAsBytes(cm));
    }
  }

  @Command(name = "profiles", description = "List the scheduler profiles, the policy each uses, and the policies"
      + " there are.", footerHeading = "%nExamples:%n", footer = {"  bosun scheduler profiles"})
  public static final class Profiles implements Callable<Integer> {
    private final Cli cli;

    public Profiles(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Optional<JsonNode> cm = configMap(cli, CONFIG);
      Optional<JsonNode> status = status(cli);
      if (status.isPresent()) {
        printEffective(status.get());
      } else {
        printConfigured(cm);
      }
      Set<String> policies = new LinkedHashSet<>(BUILT_IN_POLICIES);
      policies.addAll(extraPolicies(cm));
      cli.out().println();
      cli.out().println("Policies: " + String.join(", ", policies));
      return 0;
    }

    /** What the running scheduler uses, from its status document. */
    private void printEffective(JsonNode st) {
      TableWriter w = new TableWriter().header("PROFILE", "POLICY", "READY", "SOURCE");
      for (JsonNode p : st.path("profiles")) {
        w.row(p.path("schedulerName").asText(), p.path("policy").asText(), p.path("ready").asBoolean() ? "yes" : "no",
            st.path("profilesSource").asText(""));
      }
      w.paint(2, v -> v.equals("yes") ? cli.term().green(v) : cli.term().red(v));
      w.print(cli.out(), true);
      for (JsonNode p : st.path("profiles")) {
        for (JsonNode problem : p.path("problems")) {
          cli.out().println(cli.term().yellow("! ") + p.path("schedulerName").asText() + ": " + problem.asText());
        }
      }
      for (JsonNode e : st.path("configErrors")) {
        cli.out().println(cli.term().red("! rejected configuration: ") + e.asText());
      }
      cli.out().println();
      cli.out().println("Scheduler " + st.path("leader").asText("?") + ", generation "
          + st.path("generation").asText("?") + ", updated " + st.path("updated").asText("?") + " ("
          + NAMESPACE + "/" + STATUS + ")");
    }

    /** Without a running scheduler: what the ConfigMap asks for. */
    private void printConfigured(Optional<JsonNode> cm) {
      JsonNode profiles = cm.map(c -> yaml(c.path("data").path("profiles").asText(""), "profiles")).orElse(null);
      if (profiles != null && profiles.isObject()) {
        profiles = profiles.path("profiles");
      }
      TableWriter w = new TableWriter().header("PROFILE", "POLICY", "SOURCE");
      if (profiles == null || !profiles.isArray() || profiles.isEmpty()) {
        w.row(DEFAULT_PROFILE, "default", "runtime configuration (no profiles in " + NAMESPACE + "/" + CONFIG + ")");
      } else {
        for (JsonNode p : profiles) {
          boolean custom = p.has("plugins") || p.has("pluginConfig");
          w.row(p.path("schedulerName").asText(DEFAULT_PROFILE), p.path("policy").asText("default")
              + (custom ? " (+ own plugins)" : ""), NAMESPACE + "/" + CONFIG);
        }
      }
      w.print(cli.out(), true);
      cli.out().println();
      cli.out().println("No scheduler status in " + NAMESPACE + "/" + STATUS + ": the scheduler is not running, so"
          + " this is the configuration it will use.");
    }
  }

  /** The running scheduler's status document (data key status.json), if it publishes one. */
  static Optional<JsonNode> status(Cli cli) {
    return configMap(cli, STATUS).map(c -> c.path("data").path("status.json").asText(""))
        .filter(t -> !t.isBlank()).map(t -> {
          try {
            return cli.mapper().readTree(t);
          } catch (IOException e) {
            throw new CliException("the scheduler status in " + NAMESPACE + "/" + STATUS + " is not JSON: "
                + e.getMessage(), e);
          }
        });
  }

  /** Policy names the ConfigMap adds (its policies key, or policies: next to profiles:). */
  static Set<String> extraPolicies(Optional<JsonNode> cm) {
    Set<String> names = new LinkedHashSet<>();
    JsonNode extra = cm.map(c -> yaml(c.path("data").path("policies").asText(""), "policies")).orElse(null);
    if (extra != null && extra.isObject()) {
      (extra.has("policies") ? extra.path("policies") : extra).fieldNames().forEachRemaining(names::add);
    }
    JsonNode doc = cm.map(c -> yaml(c.path("data").path("profiles").asText(""), "profiles")).orElse(null);
    if (doc != null && doc.isObject() && doc.has("policies")) {
      doc.path("policies").fieldNames().forEachRemaining(names::add);
    }
    return names;
  }

  /**
   * After a change: waits (briefly) until the running scheduler reports it, so the user knows it
   * applies, or reports the scheduler's rejection. Without a scheduler, says it applies at start.
   */
  static void awaitApplied(Cli cli, String profile, String policy, Duration timeout) {
    Optional<JsonNode> before = status(cli);
    if (before.isEmpty()) {
      cli.out().println("(no scheduler is running: it applies this when it starts)");
      return;
    }
    long generation = before.get().path("generation").asLong(0);
    String updated = before.get().path("updated").asText("");
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      JsonNode st = status(cli).orElse(before.get());
      // Only a status written after the change tells about it.
      if (!st.path("updated").asText("").equals(updated)) {
        if (st.path("generation").asLong(0) > generation) {
          String notReady = "";
          for (JsonNode p : st.path("profiles")) {
            if (profile != null && p.path("schedulerName").asText().equals(profile) && !p.path("ready").asBoolean(true)) {
              notReady = "; profile not ready: " + p.path("problems");
            }
          }
          cli.term().done("applied by the scheduler (generation " + st.path("generation").asText() + ")" + notReady,
              true);
          return;
        }
        if (!st.path("configErrors").isEmpty()) {
          cli.term().clearProgress();
          throw new CliException("the scheduler rejected the configuration (it keeps the previous one): "
              + st.path("configErrors").get(0).asText());
        }
      }
      cli.term().progress("Waiting for the scheduler to apply the change...");
      cli.sleep(Duration.ofMillis(250));
    }
    cli.term().done("the scheduler has not reported the change within " + timeout.toSeconds() + "s; see `bosun"
        + " scheduler profiles`", false);
  }

  @Command(name = "use", sortOptions = false,
      description = "Base a profile (default: default-scheduler) on another policy, such as spread or binpack.",
      footerHeading = "%nExamples:%n",
      footer = {"  bosun scheduler use binpack", "  bosun scheduler use spread --profile batch-scheduler"})
  public static final class Use implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "POLICY", description = "a built-in (default, spread, binpack) or configured policy")
    String policy;

    @Option(names = "--profile", paramLabel = "NAME", description = "the profile to change (default:"
        + " default-scheduler); created if missing")
    String profile = DEFAULT_PROFILE;

    @Option(names = "--no-wait", description = "do not wait for the running scheduler to report the change")
    boolean noWait;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = io.bosun.cli.BosunCommand.DurationConverter.class,
        description = "how long to wait for the scheduler to apply it (default 15s)")
    Duration timeout = Duration.ofSeconds(15);

    public Use(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() throws IOException {
      Optional<JsonNode> cm = configMap(cli, CONFIG);
      Set<String> known = new LinkedHashSet<>(BUILT_IN_POLICIES);
      known.addAll(extraPolicies(cm));
      status(cli).ifPresent(st -> st.path("profiles").forEach(p -> known.add(p.path("policy").asText())));
      JsonNode doc = cm.map(c -> yaml(c.path("data").path("profiles").asText(""), "profiles")).orElse(null);
      if (!known.contains(policy)) {
        throw new CliException("unknown policy \"" + policy + "\": known policies are " + String.join(", ", known));
      }
      ArrayNode list = doc == null ? cli.mapper().createArrayNode()
          : doc.isArray() ? (ArrayNode) doc : (ArrayNode) doc.path("profiles");
      ObjectNode target = null;
      for (JsonNode p : list) {
        if (p.path("schedulerName").asText(DEFAULT_PROFILE).equals(profile)) {
          target = (ObjectNode) p;
        }
      }
      String previous = target == null ? "default" : target.path("policy").asText("default");
      if (target == null) {
        target = list.addObject().put("schedulerName", profile);
      }
      target.put("policy", policy);
      JsonNode written = doc != null && doc.isObject() ? doc : list;
      write(cli, toYaml(written), null, false);
      cli.out().println("scheduler profile " + profile + ": policy " + previous + " -> " + policy
          + " (applies to pods scheduled from now on)");
      if (!noWait) {
        awaitApplied(cli, profile, policy, timeout);
      }
      return 0;
    }
  }

  @Command(name = "set", sortOptions = false,
      description = {"Replace the scheduler's profiles and/or extra policies from YAML files (- for stdin), or"
          + " --reset to remove them.", "Profiles: a list of {schedulerName, policy, plugins, pluginConfig};"
          + " policies: a map of name to {plugins, pluginConfig}, as upstream's KubeSchedulerConfiguration."},
      footerHeading = "%nExamples:%n",
      footer = {"  bosun scheduler set --profiles profiles.yaml",
          "  bosun scheduler set --policies my-policies.yaml",
          "  bosun scheduler set --reset"})
  public static final class SetConfig implements Callable<Integer> {
    private final Cli cli;

    @Option(names = "--profiles", paramLabel = "FILE", description = "the profiles (YAML list)")
    String profiles;

    @Option(names = "--policies", paramLabel = "FILE", description = "extra policies (YAML map)")
    String policies;

    @Option(names = "--reset", description = "remove the ConfigMap: the scheduler's own configuration applies")
    boolean reset;

    @Option(names = "--no-wait", description = "do not wait for the running scheduler to report the change")
    boolean noWait;

    public SetConfig(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() throws IOException {
      if (reset) {
        if (configMap(cli, CONFIG).isPresent()) {
          cli.api().send("DELETE", path(CONFIG), null, null);
        }
        cli.out().println("scheduler configuration reset (ConfigMap " + NAMESPACE + "/" + CONFIG + " removed)");
        return 0;
      }
      if (profiles == null && policies == null) {
        throw new CliException("give --profiles FILE, --policies FILE or --reset", 2, null);
      }
      String p = profiles == null ? null : read(profiles);
      String q = policies == null ? null : read(policies);
      if (p != null) {
        JsonNode tree = yaml(p, profiles);
        JsonNode list = tree != null && tree.isObject() ? tree.path("profiles") : tree;
        if (list == null || !list.isArray()) {
          throw new CliException(profiles + ": expected a list of profiles (or an object with profiles:)");
        }
      }
      if (q != null && !(yaml(q, policies) instanceof ObjectNode)) {
        throw new CliException(policies + ": expected a map of policy name to {plugins, pluginConfig}");
      }
      write(cli, p, q, false);
      cli.out().println("scheduler configuration updated (" + NAMESPACE + "/" + CONFIG + ")");
      if (!noWait) {
        awaitApplied(cli, null, null, Duration.ofSeconds(15));
      }
      return 0;
    }

    private String read(String file) throws IOException {
      return file.equals("-") ? new String(cli.in().readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(file));
    }
  }
}
