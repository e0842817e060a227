package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.KindInfo;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import io.bosun.cli.Kinds;
import io.bosun.cli.Selectors;
import io.bosun.cli.Targets;
import io.bosun.cli.http.Api;
import io.bosun.cli.http.ApiError;
import io.bosun.cli.output.Ages;
import io.bosun.cli.output.TableWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "describe", sortOptions = false,
    description = {"Show the details of objects in a readable layout, with their recent events.",
        "A name also matches objects whose names start with it (describe pods hello)."},
    footerHeading = "%nExamples:%n",
    footer = {"  bosun describe pod hello-7d9c5-abcde",
        "  bosun describe deployment/hello",
        "  bosun describe pods -l app=hello",
        "  bosun describe node                     # every node",
        "  bosun describe svc hello --show-events=false"})
public final class DescribeCommand implements Callable<Integer> {

  private final Cli cli;

  @Parameters(paramLabel = "TYPE [NAME_PREFIX...] | TYPE/NAME...", arity = "1..*", description = "what to describe")
  List<String> args = new ArrayList<>();

  @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "describe the objects with these labels")
  String selector;

  @Option(names = {"-A", "--all-namespaces"}, description = "in every namespace")
  boolean allNamespaces;

  @Option(names = "--show-events", arity = "1", paramLabel = "BOOL", description = "list events (default true)")
  boolean showEvents = true;

  public DescribeCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    String ns = allNamespaces ? null : cli.namespace();
    List<ObjectNode> objects = new ArrayList<>();
    List<KindInfo> kinds = new ArrayList<>();
    for (Targets.Target t : Targets.parse(cli.kinds(), args)) {
      if (t.names().isEmpty()) {
        for (ObjectNode o : Targets.list(cli, t.kind(), ns, selector, null)) {
          objects.add(o);
          kinds.add(t.kind());
        }
        continue;
      }
      for (String name : t.names()) {
        try {
          objects.add(Targets.get(cli, t.kind(), ns, name));
          kinds.add(t.kind());
        } catch (ApiError e) {
          if (!e.notFound()) {
            throw e;
          }
          List<ObjectNode> prefixed = Targets.list(cli, t.kind(), ns, selector, null).stream()
              .filter(o -> o.path("metadata").path("name").asText().startsWith(name)).toList();
          if (prefixed.isEmpty()) {
            throw e;
          }
          for (ObjectNode o : prefixed) {
            objects.add(o);
            kinds.add(t.kind());
          }
        }
      }
    }
    if (objects.isEmpty()) {
      cli.err().println(allNamespaces || ns == null ? "No resources found" : "No resources found in " + ns
          + " namespace.");
      return 0;
    }
    for (int i = 0; i < objects.size(); i++) {
      if (i > 0) {
        cli.out().println();
        cli.out().println();
      }
      cli.out().print(describe(kinds.get(i), objects.get(i)));
    }
    return 0;
  }

  /** The description of one object. */
  String describe(KindInfo k, ObjectNode o) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    Writer w = new Writer(out);
    JsonNode meta = o.path("metadata");
    w.field(0, "Name", meta.path("name").asText());
    if (k.namespaced()) {
      w.field(0, "Namespace", meta.path("namespace").asText());
    }
    switch (k.kind()) {
      case "Pod" -> pod(w, o);
      case "Deployment" -> deployment(w, o);
      case "Node" -> node(w, o);
      case "Service" -> service(w, o);
      case "ReplicaSet", "StatefulSet", "DaemonSet" -> workload(w, k, o);
      default -> generic(w, o);
    }
    if (showEvents) {
      events(w, k, o);
    }
    w.flush();
    return buf.toString(StandardCharsets.UTF_8);
  }

  private void labelsAndAnnotations(Writer w, JsonNode meta) {
    w.map(0, "Labels", meta.path("labels"));
    w.map(0, "Annotations", meta.path("annotations"));
  }

  private void pod(Writer w, ObjectNode o) {
    JsonNode meta = o.path("metadata");
    JsonNode spec = o.path("spec");
    JsonNode status = o.path("status");
    w.field(0, "Priority", spec.path("priority").asText("0"));
    if (spec.has("priorityClassName")) {
      w.field(0, "Priority Class Name", spec.path("priorityClassName").asText());
    }
    w.field(0, "Service Account", spec.path("serviceAccountName").asText("default"));
    String node = spec.path("nodeName").asText("");
    w.field(0, "Node", node.isEmpty() ? "<none>" : node + (status.has("hostIP") ? "/" + status.path("hostIP").asText()
        : ""));
    if (status.has("startTime")) {
      w.field(0, "Start Time", status.path("startTime").asText());
    }
    labelsAndAnnotations(w, meta);
    String phase = status.path("phase").asText("Unknown");
    if (meta.has("deletionTimestamp")) {
      w.field(0, "Status", "Terminating (lasts " + Ages.age(meta.path("deletionTimestamp").asText()) + ")");
    } else {
      w.field(0, "Status", cli.term().status(phase));
    }
    if (status.has("reason")) {
      w.field(0, "Reason", status.path("reason").asText());
    }
    if (status.has("message")) {
      w.field(0, "Message", status.path("message").asText());
    }
    w.field(0, "IP", status.path("podIP").asText(""));
    controlledBy(w, meta);
    containers(w, "Init Containers", spec.path("initContainers"), status.path("initContainerStatuses"));
    containers(w, "Containers", spec.path("containers"), status.path("containerStatuses"));
    if (status.path("conditions").size() > 0) {
      w.line(0, "Conditions:");
      TableWriter t = new TableWriter().header("Type", "Status");
      for (JsonNode c : status.path("conditions")) {
        t.row(c.path("type").asText(), c.path("status").asText());
      }
      w.table(1, t);
    }
    if (spec.path("volumes").size() > 0) {
      w.line(0, "Volumes:");
      for (JsonNode v : spec.path("volumes")) {
        w.line(1, v.path("name").asText() + ":");
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!e.getKey().equals("name")) {
            w.field(2, "Type", e.getKey());
            e.getValue().fields().forEachRemaining(f -> w.field(2, cap(f.getKey()), text(f.getValue())));
          }
        }
      }
    }
    w.field(0, "QoS Class", status.path("qosClass").asText("<none>"));
    w.map(0, "Node-Selectors", spec.path("nodeSelector"));
    List<String> tolerations = new ArrayList<>();
    for (JsonNode t : spec.path("tolerations")) {
      String key = t.path("key").asText("");
      String s = key + (t.path("operator").asText("Equal").equals("Exists") ? "" : "=" + t.path("value").asText(""))
          + (t.has("effect") ? ":" + t.path("effect").asText() : "")
          + (t.has("tolerationSeconds") ? " for " + t.path("tolerationSeconds").asText() + "s" : "");
      tolerations.add(s.isEmpty() ? "op=Exists" : s);
    }
    w.list(0, "Tolerations", tolerations);
  }

  private void containers(Writer w, String title, JsonNode specs, JsonNode statuses) {
    if (specs.isEmpty()) {
      return;
    }
    w.line(0, title + ":");
    for (JsonNode c : specs) {
      String name = c.path("name").asText();
      JsonNode st = null;
      for (JsonNode s : statuses) {
        if (s.path("name").asText().equals(name)) {
          st = s;
        }
      }
      w.line(1, name + ":");
      if (st != null && st.has("containerID")) {
        w.field(2, "Container ID", st.path("containerID").asText());
      }
      w.field(2, "Image", c.path("image").asText());
      if (st != null && st.has("imageID")) {
        w.field(2, "Image ID", st.path("imageID").asText());
      }
      List<String> ports = new ArrayList<>();
      for (JsonNode p : c.path("ports")) {
        ports.add(p.path("containerPort").asText() + "/" + p.path("protocol").asText("TCP"));
      }
      w.field(2, "Port", ports.isEmpty() ? "<none>" : String.join(", ", ports));
      if (c.has("command")) {
        w.block(2, "Command", strings(c.path("command")));
      }
      if (c.has("args")) {
        w.block(2, "Args", strings(c.path("args")));
      }
      if (st != null) {
        state(w, "State", st.path("state"));
        if (st.path("lastState").size() > 0) {
          state(w, "Last State", st.path("lastState"));
        }
        w.field(2, "Ready", st.path("ready").asText("false"));
        w.field(2, "Restart Count", st.path("restartCount").asText("0"));
      }
      JsonNode res = c.path("resources");
      for (String kind : List.of("limits", "requests")) {
        if (res.path(kind).size() > 0) {
          w.line(2, cap(kind) + ":");
          res.path(kind).fields().forEachRemaining(e -> w.field(3, e.getKey(), e.getValue().asText()));
        }
      }
      if (c.path("env").isEmpty()) {
        w.field(2, "Environment", "<none>");
      } else {
        w.line(2, "Environment:");
        for (JsonNode e : c.path("env")) {
          w.field(3, e.path("name").asText(), e.has("value") ? e.path("value").asText()
              : "<set from " + e.path("valueFrom").fieldNames().next() + ">");
        }
      }
    }
  }

  private void state(Writer w, String title, JsonNode state) {
    Iterator<Map.Entry<String, JsonNode>> it = state.fields();
    if (!it.hasNext()) {
      w.field(2, title, "Waiting");
      return;
    }
    Map.Entry<String, JsonNode> e = it.next();
    w.field(2, title, cli.term().status(cap(e.getKey())));
    e.getValue().fields().forEachRemaining(f -> w.field(3, cap(f.getKey()), text(f.getValue())));
  }

  private void controlledBy(Writer w, JsonNode meta) {
    for (JsonNode owner : meta.path("ownerReferences")) {
      if (owner.path("controller").asBoolean(false)) {
        w.field(0, "Controlled By", owner.path("kind").asText() + "/" + owner.path("name").asText());
      }
    }
  }

  private void deployment(Writer w, ObjectNode o) {
    JsonNode meta = o.path("metadata");
    JsonNode spec = o.path("spec");
    JsonNode status = o.path("status");
    w.field(0, "CreationTimestamp", meta.path("creationTimestamp").asText());
    labelsAndAnnotations(w, meta);
    w.field(0, "Selector", Selectors.of(spec.path("selector")));
    int replicas = spec.path("replicas").asInt(1);
    w.field(0, "Replicas", replicas + " desired | " + status.path("updatedReplicas").asInt(0) + " updated | "
        + status.path("replicas").asInt(0) + " total | " + status.path("availableReplicas").asInt(0) + " available | "
        + status.path("unavailableReplicas").asInt(0) + " unavailable");
    String strategy = spec.path("strategy").path("type").asText("RollingUpdate");
    w.field(0, "StrategyType", strategy);
    w.field(0, "MinReadySeconds", spec.path("minReadySeconds").asText("0"));
    if (strategy.equals("RollingUpdate")) {
      JsonNode ru = spec.path("strategy").path("rollingUpdate");
      w.field(0, "RollingUpdateStrategy", ru.path("maxUnavailable").asText("25%") + " max unavailable, "
          + ru.path("maxSurge").asText("25%") + " max surge");
    }
    podTemplate(w, spec.path("template"));
    conditions(w, status.path("conditions"));
    try {
      List<ObjectNode> sets = RolloutCommand.replicaSets(cli, o);
      String newest = null;
      List<String> old = new ArrayList<>();
      long revision = RolloutCommand.revisionOf(o);
      for (ObjectNode rs : sets) {
        String s = rs.path("metadata").path("name").asText() + " (" + rs.path("status").path("replicas").asInt(0) + "/"
            + rs.path("spec").path("replicas").asInt(0) + " replicas created)";
        if (RolloutCommand.revisionOf(rs) == revision) {
          newest = s;
        } else if (rs.path("spec").path("replicas").asInt(0) > 0 || rs.path("status").path("replicas").asInt(0) > 0) {
          old.add(s);
        }
      }
      w.field(0, "OldReplicaSets", old.isEmpty() ? "<none>" : String.join(", ", old));
      w.field(0, "NewReplicaSet", newest == null ? "<none>" : newest);
    } catch (CliException e) {
      // replica sets are a nicety; the rest of the description stands
    }
  }

  private void workload(Writer w, KindInfo k, ObjectNode o) {
    JsonNode meta = o.path("metadata");
    JsonNode spec = o.path("spec");
    JsonNode status = o.path("status");
    w.field(0, "Selector", Selectors.of(spec.path("selector")));
    labelsAndAnnotations(w, meta);
    controlledBy(w, meta);
    if (k.kind().equals("DaemonSet")) {
      w.field(0, "Desired Number of Nodes Scheduled", status.path("desiredNumberScheduled").asText("0"));
      w.field(0, "Current Number of Nodes Scheduled", status.path("currentNumberScheduled").asText("0"));
      w.field(0, "Number of Nodes Scheduled with Up-to-date Pods", status.path("updatedNumberScheduled").asText("0"));
      w.field(0, "Number of Nodes Scheduled with Available Pods", status.path("numberAvailable").asText("0"));
    } else {
      w.field(0, "Replicas", status.path("replicas").asInt(0) + " current / " + spec.path("replicas").asInt(1)
          + " desired");
    }
    podTemplate(w, spec.path("template"));
    conditions(w, status.path("conditions"));
  }

  /** kubectl's DescribePodTemplate, as {@code rollout history --revision} prints it: "Pod Template:" and below. */
  String podTemplate(JsonNode template) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Writer w = new Writer(new PrintStream(buf, true, StandardCharsets.UTF_8));
    podTemplate(w, template);
    w.flush();
    return buf.toString(StandardCharsets.UTF_8);
  }

  private void podTemplate(Writer w, JsonNode template) {
    w.line(0, "Pod Template:");
    w.map(1, "Labels", template.path("metadata").path("labels"));
    if (template.path("metadata").path("annotations").size() > 0) {
      w.map(1, "Annotations", template.path("metadata").path("annotations"));
    }
    containers(w.nested(1), "Containers", template.path("spec").path("containers"),
        com.fasterxml.jackson.databind.node.MissingNode.getInstance());
  }

  private void conditions(Writer w, JsonNode conditions) {
    if (conditions.isEmpty()) {
      return;
    }
    w.line(0, "Conditions:");
    TableWriter t = new TableWriter().header("Type", "Status", "Reason");
    for (JsonNode c : conditions) {
      t.row(c.path("type").asText(), c.path("status").asText(), c.path("reason").asText(""));
    }
    w.table(1, t);
  }

  private void node(Writer w, ObjectNode o) {
    JsonNode meta = o.path("metadata");
    JsonNode spec = o.path("spec");
    JsonNode status = o.path("status");
    List<String> roles = new ArrayList<>();
    meta.path("labels").fieldNames().forEachRemaining(l -> {
      if (l.startsWith("node-role.kubernetes.io/")) {
        roles.add(l.substring("node-role.kubernetes.io/".length()));
      }
    });
    w.field(0, "Roles", roles.isEmpty() ? "<none>" : String.join(",", roles));
    labelsAndAnnotations(w, meta);
    w.field(0, "CreationTimestamp", meta.path("creationTimestamp").asText());
    List<String> taints = new ArrayList<>();
    for (JsonNode t : spec.path("taints")) {
      taints.add(t.path("key").asText() + (t.has("value") ? "=" + t.path("value").asText() : "") + ":"
          + t.path("effect").asText());
    }
    w.list(0, "Taints", taints);
    w.field(0, "Unschedulable", spec.path("unschedulable").asText("false"));
    if (status.path("conditions").size() > 0) {
      w.line(0, "Conditions:");
      TableWriter t = new TableWriter().header("Type", "Status", "LastHeartbeatTime", "Reason", "Message");
      for (JsonNode c : status.path("conditions")) {
        t.row(c.path("type").asText(), c.path("status").asText(), c.path("lastHeartbeatTime").asText(""),
            c.path("reason").asText(""), c.path("message").asText(""));
      }
      w.table(1, t);
    }
    w.line(0, "Addresses:");
    for (JsonNode a : status.path("addresses")) {
      w.field(1, a.path("type").asText(), a.path("address").asText());
    }
    for (String k : List.of("capacity", "allocatable")) {
      w.line(0, cap(k) + ":");
      status.path(k).fields().forEachRemaining(e -> w.field(1, e.getKey(), e.getValue().asText()));
    }
    JsonNode info = status.path("nodeInfo");
    if (info.size() > 0) {
      w.line(0, "System Info:");
      info.fields().forEachRemaining(e -> w.field(1, cap(e.getKey()), e.getValue().asText()));
    }
    if (spec.has("podCIDR")) {
      w.field(0, "PodCIDR", spec.path("podCIDR").asText());
    }
    List<ObjectNode> pods = Targets.list(cli, cli.kinds().resolve("pods"), null, null,
        "spec.nodeName=" + meta.path("name").asText());
    w.line(0, "Non-terminated Pods:          (" + pods.size() + " in total)");
    if (!pods.isEmpty()) {
      TableWriter t = new TableWriter().header("Namespace", "Name", "Phase", "Age");
      for (ObjectNode p : pods) {
        t.row(p.path("metadata").path("namespace").asText(), p.path("metadata").path("name").asText(),
            p.path("status").path("phase").asText(""), Ages.age(p.path("metadata").path("creationTimestamp")
                .asText("")));
      }
      w.table(1, t);
    }
  }

  private void service(Writer w, ObjectNode o) {
    JsonNode meta = o.path("metadata");
    JsonNode spec = o.path("spec");
    labelsAndAnnotations(w, meta);
    w.field(0, "Selector", spec.path("selector").isEmpty() ? "<none>" : Selectors.of(spec.path("selector")));
    w.field(0, "Type", spec.path("type").asText("ClusterIP"));
    w.field(0, "IP Family Policy", spec.path("ipFamilyPolicy").asText("SingleStack"));
    w.field(0, "IP", spec.path("clusterIP").asText("None"));
    for (JsonNode p : spec.path("ports")) {
      String name = p.path("name").asText("<unset>");
      w.field(0, "Port", name + "  " + p.path("port").asText() + "/" + p.path("protocol").asText("TCP"));
      w.field(0, "TargetPort", p.path("targetPort").asText(p.path("port").asText()) + "/" + p.path("protocol")
          .asText("TCP"));
      if (p.has("nodePort")) {
        w.field(0, "NodePort", name + "  " + p.path("nodePort").asText() + "/" + p.path("protocol").asText("TCP"));
      }
    }
    w.field(0, "Session Affinity", spec.path("sessionAffinity").asText("None"));
  }

  private void generic(Writer w, ObjectNode o) {
    JsonNode meta = o.path("metadata");
    labelsAndAnnotations(w, meta);
    w.field(0, "API Version", o.path("apiVersion").asText());
    w.field(0, "Kind", o.path("kind").asText());
    o.fields().forEachRemaining(e -> {
      if (!List.of("apiVersion", "kind", "metadata").contains(e.getKey())) {
        w.tree(0, cap(e.getKey()), e.getValue());
      }
    });
  }

  private void events(Writer w, KindInfo k, ObjectNode o) {
    JsonNode meta = o.path("metadata");
    String ns = meta.path("namespace").asText("");
    StringBuilder fs = new StringBuilder("involvedObject.name=" + meta.path("name").asText());
    if (!ns.isEmpty()) {
      fs.append(",involvedObject.namespace=").append(ns);
    }
    fs.append(",involvedObject.kind=").append(k.kind());
    if (meta.has("uid")) {
      fs.append(",involvedObject.uid=").append(meta.path("uid").asText());
    }
    JsonNode list;
    try {
      list = cli.api().get("/api/v1" + (ns.isEmpty() ? "" : "/namespaces/" + ns) + "/events"
          + Api.query("fieldSelector", fs.toString()));
    } catch (ApiError e) {
      w.field(0, "Events", "<unavailable: " + e.getMessage() + ">");
      return;
    }
    List<JsonNode> events = new ArrayList<>();
    list.path("items").forEach(events::add);
    if (events.isEmpty()) {
      w.field(0, "Events", "<none>");
      return;
    }
    events.sort((a, b) -> last(a).compareTo(last(b)));
    w.line(0, "Events:");
    TableWriter t = new TableWriter().header("Type", "Reason", "Age", "From", "Message")
        .row("----", "------", "----", "----", "-------");
    for (JsonNode e : events) {
      int count = e.path("count").asInt(1);
      String age = Ages.age(last(e));
      if (count > 1) {
        age += " (x" + count + " over " + Ages.age(e.path("firstTimestamp").asText(last(e))) + ")";
      }
      String from = e.path("source").path("component").asText(e.path("reportingComponent").asText(""));
      t.row(e.path("type").asText(""), e.path("reason").asText(""), age, from, e.path("message").asText("").strip());
    }
    w.table(1, t);
  }

  private static String last(JsonNode e) {
    for (String f : new String[] {"lastTimestamp", "eventTime", "firstTimestamp"}) {
      String v = e.path(f).asText("");
      if (!v.isEmpty() && !v.equals("null")) {
        return v.length() > 20 && v.contains(".") ? v.substring(0, v.indexOf('.')) + "Z" : v;
      }
    }
    return e.path("metadata").path("creationTimestamp").asText("");
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  private static String text(JsonNode v) {
    return v.isValueNode() ? v.asText() : v.toString();
  }

  /** {@code restartPolicy} as {@code RestartPolicy}, how kubectl titles fields. */
  static String cap(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /**
   * kubectl's describe layout: "Key:" then the value, values of one nesting level aligned (as
   * kubectl's tabwriter does), nested levels indented by two spaces, lists and maps continued
   * under their first value. Lines are buffered so widths are known before printing.
   */
  private static final class Writer {
    private record Entry(int level, String key, List<String> values, String text) {}

    final PrintStream out;
    final int base;
    private final List<Entry> entries;

    Writer(PrintStream out) {
      this(out, 0, new ArrayList<>());
    }

    private Writer(PrintStream out, int base, List<Entry> entries) {
      this.out = out;
      this.base = base;
      this.entries = entries;
    }

    /** A writer indented by {@code levels} more, sharing this one's buffer. */
    Writer nested(int levels) {
      return new Writer(out, base + levels, entries);
    }

    void line(int level, String text) {
      entries.add(new Entry(base + level, null, null, text));
    }

    void field(int level, String key, String value) {
      List<String> lines = value == null || value.isEmpty() ? List.of("") : List.of(value.split("\n", -1));
      entries.add(new Entry(base + level, key, lines, null));
    }

    void map(int level, String key, JsonNode map) {
      List<String> values = new ArrayList<>();
      map.fields().forEachRemaining(e -> values.add(e.getKey() + "=" + text(e.getValue())));
      list(level, key, values);
    }

    /** kubectl's block form for container details: the key, then each value on its own line below. */
    void block(int level, String key, List<String> values) {
      if (values.isEmpty()) {
        field(level, key, "<none>");
        return;
      }
      line(level, key + ":");
      for (String v : values) {
        line(level + 1, v);
      }
    }

    void list(int level, String key, List<String> values) {
      entries.add(new Entry(base + level, key, values.isEmpty() ? List.of("<none>") : values, null));
    }

    void table(int level, TableWriter t) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      PrintStream p = new PrintStream(b, true, StandardCharsets.UTF_8);
      t.print(p, true);
      b.toString(StandardCharsets.UTF_8).lines().forEach(l -> line(level, l));
    }

    void tree(int level, String key, JsonNode v) {
      if (v.isValueNode()) {
        field(level, key, v.asText());
      } else if (v.isObject()) {
        line(level, key + ":");
        v.fields().forEachRemaining(e -> tree(level + 1, cap(e.getKey()), e.getValue()));
      } else if (v.isArray()) {
        if (v.isEmpty()) {
          field(level, key, "<none>");
          return;
        }
        line(level, key + ":");
        for (JsonNode item : v) {
          if (item.isValueNode()) {
            line(level + 1, item.asText());
          } else {
            line(level + 1, "-");
            item.fields().forEachRemaining(e -> tree(level + 2, cap(e.getKey()), e.getValue()));
          }
        }
      }
    }

    /** Prints everything buffered: keys of a level padded to that level's widest key. */
    void flush() {
      java.util.Map<Integer, Integer> widths = new java.util.HashMap<>();
      for (Entry e : entries) {
        if (e.key() != null) {
          widths.merge(e.level(), e.key().length() + 1, Math::max);
        }
      }
      for (Entry e : entries) {
        String indent = "  ".repeat(e.level());
        if (e.key() == null) {
          out.println((indent + e.text()).stripTrailing());
          continue;
        }
        int w = widths.get(e.level()) + 2;
        String label = e.key() + ":";
        for (int i = 0; i < e.values().size(); i++) {
          String prefix = i == 0 ? label + " ".repeat(w - label.length()) : " ".repeat(w);
          out.println((indent + prefix + e.values().get(i)).stripTrailing());
        }
      }
      entries.clear();
    }
  }
}
