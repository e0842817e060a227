package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.KindInfo;
import io.bosun.cli.BosunCommand;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import io.bosun.cli.Kinds;
import io.bosun.cli.Selectors;
import io.bosun.cli.Targets;
import io.bosun.cli.http.ApiError;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rollout", description = "Manage the rollout of deployments, stateful sets and daemon sets.",
    subcommands = {RolloutCommand.Status.class, RolloutCommand.History.class, RolloutCommand.Undo.class,
        RolloutCommand.Restart.class},
    footerHeading = "%nExamples:%n",
    footer = {"  bosun rollout status deployment/hello",
        "  bosun rollout restart deployment/hello",
        "  bosun rollout history deployment/hello",
        "  bosun rollout undo deployment/hello --to-revision=1",
        "  bosun rollout history daemonset/agent",
        "  bosun rollout undo statefulset/db --to-revision=2"})
public final class RolloutCommand implements Runnable {

  static final String REVISION = "deployment.kubernetes.io/revision";
  static final String CHANGE_CAUSE = "kubernetes.io/change-cause";

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
        "name a subcommand: status, history, undo or restart");
  }

  /** The workloads named on the command line: TYPE NAME or TYPE/NAME, of a kind rollouts apply to. */
  static List<Ref> refs(Cli cli, List<String> args, Set<String> kinds) {
    List<Ref> out = new ArrayList<>();
    for (Targets.Target t : Targets.parse(cli.kinds(), args)) {
      if (!kinds.contains(t.kind().kind())) {
        throw new CliException("no rollout for " + Kinds.qualifiedName(t.kind()) + ": only "
            + String.join(", ", kinds.stream().sorted().toList()) + " have rollouts", 2, null);
      }
      if (t.names().isEmpty()) {
        throw new CliException("name the workload, such as deployment/hello", 2, null);
      }
      for (String n : t.names()) {
        out.add(new Ref(t.kind(), n));
      }
    }
    return out;
  }

  record Ref(KindInfo kind, String name) {
    String path(Cli cli) {
      return Kinds.path(kind, cli.namespace(), name);
    }

    String ref() {
      return Targets.ref(kind, name);
    }
  }

  /** Where a rollout stands: kubectl's status viewers' messages and whether it is done. */
  record State(String message, boolean done) {}

  static State state(String kind, String name, JsonNode o, long revision) {
    JsonNode spec = o.path("spec");
    JsonNode status = o.path("status");
    long generation = o.path("metadata").path("generation").asLong(0);
    long observed = status.path("observedGeneration").asLong(0);
    switch (kind) {
      case "Deployment" -> {
        if (generation > observed) {
          return new State("Waiting for deployment spec update to be observed...", false);
        }
        for (JsonNode c : status.path("conditions")) {
          if (c.path("type").asText().equals("Progressing")
              && c.path("reason").asText().equals("ProgressDeadlineExceeded")) {
            throw new CliException("deployment \"" + name + "\" exceeded its progress deadline");
          }
        }
        int want = spec.path("replicas").asInt(1);
        int updated = status.path("updatedReplicas").asInt(0);
        int replicas = status.path("replicas").asInt(0);
        int available = status.path("availableReplicas").asInt(0);
        if (updated < want) {
          return new State("Waiting for deployment \"" + name + "\" rollout to finish: " + updated + " out of " + want
              + " new replicas have been updated...", false);
        }
        if (replicas > updated) {
          return new State("Waiting for deployment \"" + name + "\" rollout to finish: " + (replicas - updated)
              + " old replicas are pending termination...", false);
        }
        if (available < updated) {
          return new State("Waiting for deployment \"" + name + "\" rollout to finish: " + available + " of " + updated
              + " updated replicas are available...", false);
        }
        return new State("deployment \"" + name + "\" successfully rolled out", true);
      }
      case "StatefulSet" -> {
        if (!spec.path("updateStrategy").path("type").asText("RollingUpdate").equals("RollingUpdate")) {
          throw new CliException("rollout status is only available for RollingUpdate strategy type");
        }
        if (observed == 0 || generation > observed) {
          return new State("Waiting for statefulset spec update to be observed...", false);
        }
        int ready = status.path("readyReplicas").asInt(0);
        if (spec.has("replicas") && ready < spec.path("replicas").asInt()) {
          return new State("Waiting for " + (spec.path("replicas").asInt() - ready) + " pods to be ready...", false);
        }
        int updated = status.path("updatedReplicas").asInt(0);
        JsonNode rolling = spec.path("updateStrategy").path("rollingUpdate");
        // As kubectl: with rollingUpdate set (the API's default, partition 0) the rollout is a
        // partitioned one, done once the pods above the partition are updated.
        if (rolling.isObject()) {
          if (spec.has("replicas") && rolling.hasNonNull("partition")) {
            int want = spec.path("replicas").asInt() - rolling.path("partition").asInt();
            if (updated < want) {
              return new State("Waiting for partitioned roll out to finish: " + updated + " out of " + want
                  + " new pods have been updated...", false);
            }
          }
          return new State("partitioned roll out complete: " + updated + " new pods have been updated...", true);
        }
        String update = status.path("updateRevision").asText("");
        String current = status.path("currentRevision").asText("");
        if (!update.equals(current)) {
          return new State("waiting for statefulset rolling update to complete " + updated + " pods at revision "
              + update + "...", false);
        }
        return new State("statefulset rolling update complete " + status.path("currentReplicas").asInt(0)
            + " pods at revision " + current + "...", true);
      }
      case "DaemonSet" -> {
        if (!spec.path("updateStrategy").path("type").asText("RollingUpdate").equals("RollingUpdate")) {
          throw new CliException("rollout status is only available for RollingUpdate strategy type");
        }
        if (generation > observed) {
          return new State("Waiting for daemon set spec update to be observed...", false);
        }
        int desired = status.path("desiredNumberScheduled").asInt(0);
        int updated = status.path("updatedNumberScheduled").asInt(0);
        int available = status.path("numberAvailable").asInt(0);
        if (updated < desired) {
          return new State("Waiting for daemon set \"" + name + "\" rollout to finish: " + updated + " out of "
              + desired + " new pods have been updated...", false);
        }
        if (available < desired) {
          return new State("Waiting for daemon set \"" + name + "\" rollout to finish: " + available + " of " + desired
              + " updated pods are available...", false);
        }
        return new State("daemon set \"" + name + "\" successfully rolled out", true);
      }
      default -> throw new CliException("no status viewer for " + kind);
    }
  }

  @Command(name = "status", sortOptions = false,
      description = {"Watch a rollout until it is done: new replicas updated, old ones gone, all available.",
          "Exits 0 when done, 1 on --timeout, when a deployment exceeds its progress deadline, or for a daemon",
          "or stateful set whose update strategy is not RollingUpdate (kubectl's status viewers follow only that)."},
      footerHeading = "%nExamples:%n",
      footer = {"  bosun rollout status deployment/hello", "  bosun rollout status sts/db --timeout=2m",
          "  bosun rollout status deploy/hello --watch=false   # print where it stands and exit"})
  public static final class Status implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "TYPE NAME | TYPE/NAME", arity = "1..2")
    List<String> args;

    @Option(names = {"-w", "--watch"}, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
        description = "keep watching until done (default true)")
    boolean watch = true;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = BosunCommand.DurationConverter.class,
        description = "give up after this long (default: never)")
    Duration timeout;

    @Option(names = "--revision", paramLabel = "N", description = "fail if the rollout moves past revision N")
    long revision;

    public Status(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Ref ref = refs(cli, args, Set.of("Deployment", "StatefulSet", "DaemonSet")).get(0);
      Instant deadline = timeout == null || timeout.isZero() ? null : Instant.now().plus(timeout);
      String last = null;
      while (true) {
        JsonNode o = cli.api().get(ref.path(cli));
        if (revision > 0 && ref.kind().kind().equals("Deployment")) {
          long current = o.path("metadata").path("annotations").path(REVISION).asLong(0);
          if (current > revision) {
            throw new CliException("desired revision (" + revision + ") is different from the running revision ("
                + current + ")");
          }
        }
        State s = state(ref.kind().kind(), ref.name(), o, revision);
        if (s.done()) {
          cli.term().done(s.message(), true);
          return 0;
        }
        if (!watch) {
          cli.out().println(s.message());
          return 0;
        }
        if (!s.message().equals(last) || cli.term().tty()) {
          cli.term().progress(s.message());
          last = s.message();
        }
        if (deadline != null && Instant.now().isAfter(deadline)) {
          cli.term().done(s.message(), false);
          throw new CliException("timed out waiting for the rollout of " + ref.ref());
        }
        cli.sleep(Duration.ofMillis(250));
      }
    }
  }

  /** The ReplicaSets a deployment owns, oldest revision first. */
  static List<ObjectNode> replicaSets(Cli cli, ObjectNode deployment) {
    String uid = deployment.path("metadata").path("uid").asText();
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode rs : Targets.list(cli, cli.kinds().resolve("replicasets.apps"), cli.namespace(),
        Selectors.of(deployment.path("spec").path("selector")), null)) {
      for (JsonNode owner : rs.path("metadata").path("ownerReferences")) {
        if (owner.path("uid").asText().equals(uid) && owner.path("controller").asBoolean(false)) {
          out.add(rs);
        }
      }
    }
    out.sort(Comparator.comparingLong(RolloutCommand::revisionOf));
    return out;
  }

  static long revisionOf(JsonNode o) {
    return o.path("metadata").path("annotations").path(REVISION).asLong(0);
  }

  /** The kinds with a revision history: deployments (replica sets), daemon and stateful sets (ControllerRevisions). */
  static final Set<String> HISTORY = Set.of("Deployment", "DaemonSet", "StatefulSet");

  @Command(name = "history", sortOptions = false, description = {"List the revisions of a workload, or show one"
      + " with --revision.", "Deployments' come from their replica sets' revision annotations, daemon and stateful"
      + " sets' from their ControllerRevisions."},
      footerHeading = "%nExamples:%n",
      footer = {"  bosun rollout history deployment/hello", "  bosun rollout history deployment/hello --revision=2",
          "  bosun rollout history daemonset/agent", "  bosun rollout history sts/db --revision=1"})
  public static final class History implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "TYPE NAME | TYPE/NAME", arity = "1..2")
    List<String> args;

    @Option(names = "--revision", paramLabel = "N", description = "show the pod template of revision N")
    long revision;

    public History(Cli cli) {
      this.cli = cli;
    }

    /** One revision as kubectl's history viewers list it. */
    private record Entry(long revision, String changeCause, JsonNode template) {}

    @Override
    public Integer call() {
      Ref ref = refs(cli, args, HISTORY).get(0);
      ObjectNode o = (ObjectNode) cli.api().get(ref.path(cli));
      // Keyed by revision, the last of equal numbers winning, as kubectl's map does.
      java.util.TreeMap<Long, Entry> entries = new java.util.TreeMap<>();
      if (ref.kind().kind().equals("Deployment")) {
        for (ObjectNode rs : replicaSets(cli, o)) {
          ObjectNode template = rs.path("spec").path("template").deepCopy();
          String cause = rs.path("metadata").path("annotations").path(CHANGE_CAUSE).asText("");
          if (!cause.isEmpty()) {
            // kubectl shows a replica set's change cause among its template's annotations.
            ObjectNode meta = template.has("metadata") ? (ObjectNode) template.get("metadata")
                : template.putObject("metadata");
            (meta.get("annotations") instanceof ObjectNode an ? an : meta.putObject("annotations"))
                .put(CHANGE_CAUSE, cause);
          }
          entries.put(revisionOf(rs), new Entry(revisionOf(rs), cause, template));
        }
      } else {
        for (ObjectNode r : ControllerRevisions.of(cli, o)) {
          long n = ControllerRevisions.revision(r);
          entries.put(n, new Entry(n, r.path("metadata").path("annotations").path(CHANGE_CAUSE).asText(""),
              ControllerRevisions.template(r)));
        }
      }
      if (entries.isEmpty()) {
        cli.out().println(ref.ref());
        cli.out().println("No rollout history found.");
        return 0;
      }
      if (revision > 0) {
        Entry e = entries.get(revision);
        if (e == null) {
          throw new CliException("unable to find the specified revision " + revision + " of " + ref.ref());
        }
        if (e.template() == null) {
          throw new CliException("unable to parse the history of revision " + revision + " of " + ref.ref());
        }
        cli.out().println(ref.ref() + " with revision #" + revision);
        cli.out().print(new DescribeCommand(cli).podTemplate(e.template()));
        cli.out().println();
        return 0;
      }
      cli.out().println(ref.ref());
      // kubectl's tabwriter here pads by two spaces (get's tables by three).
      int width = "REVISION".length();
      for (long n : entries.keySet()) {
        width = Math.max(width, Long.toString(n).length());
      }
      cli.out().println(pad("REVISION", width + 2) + "CHANGE-CAUSE");
      for (Entry e : entries.values()) {
        cli.out().println(pad(Long.toString(e.revision()), width + 2)
            + (e.changeCause().isEmpty() ? "<none>" : e.changeCause()));
      }
      cli.out().println();
      return 0;
    }
  }

  @Command(name = "undo", sortOptions = false,
      description = {"Roll a workload back to its previous revision (or --to-revision), as kubectl 1.32 does:",
          "a deployment's pod template is replaced by that of the revision's replica set; a daemon or stateful",
          "set is patched with the revision's data (its ControllerRevision), which replaces its pod template."},
      footerHeading = "%nExamples:%n",
      footer = {"  bosun rollout undo deployment/hello", "  bosun rollout undo deployment/hello --to-revision=1",
          "  bosun rollout undo daemonset/agent", "  bosun rollout undo sts/db --to-revision=2"})
  public static final class Undo implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "TYPE NAME | TYPE/NAME", arity = "1..2")
    List<String> args;

    @Option(names = "--to-revision", paramLabel = "N", description = "the revision to go back to (default: the"
        + " previous one)")
    long toRevision;

    public Undo(Cli cli) {
      this.cli = cli;
    }

    /** Annotations of a replica set that describe the rollout, not the template: never copied back. */
    private static final Set<String> SKIPPED = Set.of(REVISION, "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
        "kubectl.kubernetes.io/last-applied-configuration");

    @Override
    public Integer call() throws Exception {
      Ref ref = refs(cli, args, HISTORY).get(0);
      for (int attempt = 1; ; attempt++) {
        ObjectNode d = (ObjectNode) cli.api().get(ref.path(cli));
        try {
          return ref.kind().kind().equals("Deployment") ? fromReplicaSets(ref, d) : fromControllerRevisions(ref, d);
        } catch (ApiError e) {
          // The resourceVersion guard failed because the object changed after it was read (its
          // controller writes annotations and status): read it again and recompute, a few times.
          String read = d.path("metadata").path("resourceVersion").asText();
          if ((e.code() != 409 && e.code() != 422) || attempt >= 5
              || read.equals(cli.api().get(ref.path(cli)).path("metadata").path("resourceVersion").asText())) {
            throw e;
          }
        }
      }
    }

    /** kubectl's DeploymentRollbacker, guarded by the resourceVersion that was read. */
    private int fromReplicaSets(Ref ref, ObjectNode d) throws Exception {
      if (d.path("spec").path("paused").asBoolean(false)) {
        throw new CliException("you cannot rollback a paused deployment; resume it first with `kubectl rollout"
            + " resume` and try again");
      }
      List<ObjectNode> sets = replicaSets(cli, d);
      long current = revisionOf(d);
      ObjectNode target = null;
      if (toRevision > 0) {
        for (ObjectNode rs : sets) {
          if (revisionOf(rs) == toRevision) {
            target = rs;
          }
        }
        if (target == null) {
          throw new CliException("unable to find specified revision " + toRevision + " in history");
        }
      } else {
        for (ObjectNode rs : sets) {
          long r = revisionOf(rs);
          if (r < current && (target == null || r > revisionOf(target))) {
            target = rs;
          }
        }
        if (target == null) {
          throw new CliException("no rollout history found for " + ref.ref());
        }
      }
      ObjectNode template = target.path("spec").path("template").deepCopy();
      JsonNode labels = template.path("metadata").path("labels");
      if (labels instanceof ObjectNode l) {
        l.remove("pod-template-hash");
      }
      JsonNode currentTemplate = d.path("spec").path("template");
      if (sameTemplate(cli, template, currentTemplate)) {
        cli.out().println(ref.ref() + " skipped rollback (current template already matches revision "
            + revisionOf(target) + ")");
        return 0;
      }
      ObjectNode annotations = cli.mapper().createObjectNode();
      // kubectl's rule: the deployment keeps its rollout annotations and takes the revision's others.
      d.path("metadata").path("annotations").fields().forEachRemaining(e -> {
        if (SKIPPED.contains(e.getKey())) {
          annotations.set(e.getKey(), e.getValue());
        }
      });
      target.path("metadata").path("annotations").fields().forEachRemaining(e -> {
        if (!SKIPPED.contains(e.getKey())) {
          annotations.set(e.getKey(), e.getValue());
        }
      });
      ArrayNode patch = cli.mapper().createArrayNode();
      patch.addObject().put("op", "replace").put("path", "/spec/template").set("value", template);
      patch.addObject().put("op", "replace").put("path", "/metadata/annotations").set("value", annotations);
      // A test of the resourceVersion makes the rollback fail rather than overwrite a concurrent change.
      ArrayNode guarded = cli.mapper().createArrayNode();
      guarded.addObject().put("op", "test").put("path", "/metadata/resourceVersion")
          .put("value", d.path("metadata").path("resourceVersion").asText());
      guarded.addAll(patch);
      cli.api().send("PATCH", ref.path(cli), "application/json-patch+json", cli.mapper().writeValueAsBytes(guarded));
      cli.out().println(ref.ref() + " rolled back");
      return 0;
    }

    /** kubectl's DaemonSetRollbacker and StatefulSetRollbacker. */
    private int fromControllerRevisions(Ref ref, ObjectNode o) throws Exception {
      if (toRevision < 0) {
        throw new CliException("unable to find specified revision " + toRevision + " in history");
      }
      List<ObjectNode> history = ControllerRevisions.of(cli, o);
      if (toRevision == 0 && history.size() <= 1) {
        throw new CliException("no last revision to roll back to");
      }
      ObjectNode target = ControllerRevisions.find(history, toRevision);
      if (target == null) {
        throw new CliException("unable to find specified revision " + toRevision + " in history");
      }
      long n = ControllerRevisions.revision(target);
      if (ControllerRevisions.matches(o, target)) {
        // kubectl prints the revision asked for (0 without --to-revision); the one found says more.
        cli.out().println(ref.ref() + " skipped rollback (current template already matches revision " + n + ")");
        return 0;
      }
      try {
        cli.api().send("PATCH", ref.path(cli), "application/strategic-merge-patch+json",
            cli.mapper().writeValueAsBytes(ControllerRevisions.rollbackPatch(o, target)));
      } catch (io.bosun.cli.http.ApiError e) {
        throw new CliException("failed restoring revision " + n + ": " + e.getMessage(), e);
      }
      cli.out().println(ref.ref() + " rolled back");
      return 0;
    }

    private static boolean sameTemplate(Cli cli, JsonNode a, JsonNode b) {
      ObjectNode x = a.deepCopy();
      ObjectNode y = b.deepCopy();
      for (ObjectNode t : List.of(x, y)) {
        if (t.path("metadata") instanceof ObjectNode m) {
          m.remove("creationTimestamp");
          if (m.path("labels") instanceof ObjectNode l) {
            l.remove("pod-template-hash");
          }
        }
      }
      return x.equals(y);
    }
  }

  @Command(name = "restart", sortOptions = false,
      description = "Restart the pods of a workload with a rolling update (sets the template annotation"
          + " kubectl.kubernetes.io/restartedAt).",
      footerHeading = "%nExamples:%n",
      footer = {"  bosun rollout restart deployment/hello", "  bosun rollout restart deploy/hello sts/db"})
  public static final class Restart implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "TYPE NAME... | TYPE/NAME...", arity = "1..*")
    List<String> args;

    public Restart(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      for (Ref ref : refs(cli, args, Set.of("Deployment", "StatefulSet", "DaemonSet"))) {
        JsonNode o = cli.api().get(ref.path(cli));
        if (o.path("spec").path("paused").asBoolean(false)) {
          throw new CliException("can't restart paused deployment (run rollout resume first)");
        }
        String body = "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\""
            + now + "\"}}}}}";
        cli.api().send("PATCH", ref.path(cli), "application/strategic-merge-patch+json",
            body.getBytes(StandardCharsets.UTF_8));
        cli.out().println(ref.ref() + " restarted");
      }
      return 0;
    }
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }
}
