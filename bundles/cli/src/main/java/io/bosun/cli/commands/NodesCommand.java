package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.cli.Cli;
import io.bosun.cli.Targets;
import io.bosun.cli.output.Ages;
import io.bosun.cli.output.TableWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "nodes", description = "Summarize the nodes: readiness, roles, version, capacity and pods placed.",
    footerHeading = "%nExamples:%n", footer = {"  bosun nodes", "  bosun describe node NAME   # everything about one"})
public final class NodesCommand implements Callable<Integer> {

  private final Cli cli;

  public NodesCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    List<ObjectNode> nodes = Targets.list(cli, cli.kinds().resolve("nodes"), null, null, null);
    if (nodes.isEmpty()) {
      cli.err().println("No nodes registered yet: a node registers itself when its runtime (the kubelet) starts,"
          + " with `./bosun up` (all-in-one) or `./bosun node`.");
      return 0;
    }
    Map<String, Integer> podsPerNode = new HashMap<>();
    for (ObjectNode p : Targets.list(cli, cli.kinds().resolve("pods"), null, null, null)) {
      String node = p.path("spec").path("nodeName").asText("");
      String phase = p.path("status").path("phase").asText("");
      if (!node.isEmpty() && !phase.equals("Succeeded") && !phase.equals("Failed")) {
        podsPerNode.merge(node, 1, Integer::sum);
      }
    }
    TableWriter w = new TableWriter().header("NAME", "STATUS", "ROLES", "AGE", "VERSION", "CPU", "MEMORY", "PODS",
        "INTERNAL-IP");
    for (ObjectNode n : nodes) {
      String name = n.path("metadata").path("name").asText();
      JsonNode status = n.path("status");
      String ready = "Unknown";
      for (JsonNode c : status.path("conditions")) {
        if (c.path("type").asText().equals("Ready")) {
          ready = c.path("status").asText().equals("True") ? "Ready" : "NotReady";
        }
      }
      if (n.path("spec").path("unschedulable").asBoolean(false)) {
        ready += ",SchedulingDisabled";
      }
      List<String> roles = new ArrayList<>();
      n.path("metadata").path("labels").fieldNames().forEachRemaining(l -> {
        if (l.startsWith("node-role.kubernetes.io/")) {
          roles.add(l.substring("node-role.kubernetes.io/".length()));
        }
      });
      String ip = "<none>";
      for (JsonNode a : status.path("addresses")) {
        if (a.path("type").asText().equals("InternalIP")) {
          ip = a.path("address").asText();
        }
      }
      JsonNode alloc = status.path("allocatable");
      w.row(name, ready, roles.isEmpty() ? "<none>" : String.join(",", roles),
          Ages.age(n.path("metadata").path("creationTimestamp").asText("")),
          status.path("nodeInfo").path("kubeletVersion").asText("<none>"), alloc.path("cpu").asText("-"),
          alloc.path("memory").asText("-"), podsPerNode.getOrDefault(name, 0) + "/" + alloc.path("pods").asText("-"),
          ip);
    }
    w.paint(1, s -> s.startsWith("Ready") ? cli.term().green(s) : cli.term().red(s));
    w.print(cli.out(), true);
    return 0;
  }
}
