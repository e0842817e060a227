package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.KindInfo;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import io.bosun.cli.Kinds;
import io.bosun.cli.Targets;
import io.bosun.cli.http.Api;
import io.bosun.cli.http.ApiError;
import io.bosun.cli.output.Printer;
import io.bosun.cli.output.TableWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", sortOptions = false,
    description = "Display one or many resources, with the columns the API server's tables define.",
    footerHeading = "%nExamples:%n",
    footer = {"  bosun get pods                          # pods of the current namespace",
        "  bosun get deploy,svc -o wide",
        "  bosun get pods -A -l app=hello",
        "  bosun get pod/hello-abc -o yaml",
        "  bosun get pods --field-selector status.phase=Running -o name",
        "  bosun get deploy hello -o jsonpath='{.status.readyReplicas}'",
        "  bosun get pods -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}'",
        "  bosun get pods -w                       # print changes as they happen"})
public final class GetCommand implements Callable<Integer> {

  private final Cli cli;

  @Parameters(paramLabel = "TYPE[,TYPE...] [NAME...] | TYPE/NAME...", arity = "0..*",
      description = "what to get; `bosun api-resources` lists the types")
  List<String> args = new ArrayList<>();

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
      description = "wide, yaml, json, name, jsonpath=TEMPLATE (default: a table)")
  String output;

  @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "label selector, such as app=web,tier!=db")
  String selector;

  @Option(names = "--field-selector", paramLabel = "SELECTOR", description = "field selector, such as status.phase=Running")
  String fieldSelector;

  @Option(names = {"-A", "--all-namespaces"}, description = "list across all namespaces")
  boolean allNamespaces;

  @Option(names = {"-w", "--watch"}, description = "after listing, watch for changes")
  boolean watch;

  @Option(names = "--watch-only", description = "watch for changes without listing first")
  boolean watchOnly;

  @Option(names = "--no-headers", description = "print tables without the header row")
  boolean noHeaders;

  @Option(names = "--show-labels", description = "add a LABELS column")
  boolean showLabels;

  @Option(names = "--ignore-not-found", description = "print nothing (and succeed) for names that do not exist")
  boolean ignoreNotFound;

  public GetCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    Printer printer = Printer.of(output);
    List<Targets.Target> targets = Targets.parse(cli.kinds(), args);
    String ns = allNamespaces ? null : cli.namespace();
    if (watch || watchOnly) {
      if (targets.size() != 1 || targets.get(0).names().size() > 1) {
        throw new CliException("you may only watch one type (and at most one name) at a time", 2, null);
      }
      return watch(printer, targets.get(0), ns);
    }
    boolean withKind = targets.size() > 1;
    int failures = 0;
    List<ObjectNode> objects = new ArrayList<>();
    boolean asList = false;
    boolean printedTable = false;
    for (Targets.Target t : targets) {
      KindInfo k = t.kind();
      if (t.names().isEmpty()) {
        asList = true;
        if (printer.table()) {
          JsonNode table = cli.api().table(Kinds.path(k, k.namespaced() ? ns : null)
              + Api.query("labelSelector", selector, "fieldSelector", fieldSelector));
          if (table.path("rows").isEmpty()) {
            continue;
          }
          if (printedTable) {
            cli.out().println();
          }
          printer.table(cli, k, table, style(k, withKind)).print(cli.out(), !noHeaders);
          printedTable = true;
        } else {
          objects.addAll(Targets.list(cli, k, ns, selector, fieldSelector));
        }
        continue;
      }
      if (allNamespaces && k.namespaced()) {
        throw new CliException("a resource cannot be retrieved by name across all namespaces", 2, null);
      }
      JsonNode merged = null;
      for (String name : t.names()) {
        try {
          if (printer.table()) {
            JsonNode table = cli.api().table(Kinds.path(k, k.namespaced() ? ns : null, name));
            if (merged == null) {
              merged = table;
            } else {
              ((com.fasterxml.jackson.databind.node.ArrayNode) merged.path("rows")).addAll(
                  (com.fasterxml.jackson.databind.node.ArrayNode) table.path("rows"));
            }
          } else {
            objects.add(Targets.get(cli, k, ns, name));
          }
        } catch (ApiError e) {
          if (e.notFound() && ignoreNotFound) {
            continue;
          }
          if (!e.notFound()) {
            throw e;
          }
          cli.err().println(cli.term().red("Error from server (NotFound)") + ": " + e.getMessage());
          failures++;
        }
      }
      if (merged != null) {
        if (printedTable) {
          cli.out().println();
        }
        printer.table(cli, k, merged, style(k, withKind || targets.size() > 1)).print(cli.out(), !noHeaders);
        printedTable = true;
      }
    }
    if (!printer.table()) {
      if (!objects.isEmpty() || asList) {
        printer.print(cli, objects, asList || objects.size() > 1);
      }
    } else if (!printedTable && failures == 0 && !ignoreNotFound) {
      boolean namespaced = targets.stream().anyMatch(t -> t.kind().namespaced());
      cli.err().println(namespaced && !allNamespaces ? "No resources found in " + ns + " namespace."
          : "No resources found");
    }
    return failures > 0 ? 1 : 0;
  }

  private Printer.TableStyle style(KindInfo k, boolean withKind) {
    return new Printer.TableStyle(allNamespaces && k.namespaced(), withKind, noHeaders, showLabels);
  }

  /** Lists (unless --watch-only), then prints every change until the server ends the watch. */
  private int watch(Printer printer, Targets.Target t, String ns) {
    KindInfo k = t.kind();
    String name = t.names().isEmpty() ? null : t.names().get(0);
    String fields = fieldSelector;
    if (name != null) {
      fields = (fields == null || fields.isEmpty() ? "" : fields + ",") + "metadata.name=" + name;
    }
    String base = Kinds.path(k, k.namespaced() ? ns : null);
    String query = Api.query("labelSelector", selector, "fieldSelector", fields);
    Printer.TableStyle style = style(k, false);
    int[] widths = null;
    String rv;
    if (printer.table()) {
      JsonNode table = cli.api().table(base + query);
      rv = table.path("metadata").path("resourceVersion").asText("");
      TableWriter w = printer.table(cli, k, table, style);
      widths = w.widths();
      if (!watchOnly) {
        w.print(cli.out(), !noHeaders);
      } else {
        printer.table(cli, k, emptyRows(table), style).print(cli.out(), !noHeaders);
      }
    } else {
      JsonNode list = cli.api().get(base + query);
      rv = list.path("metadata").path("resourceVersion").asText("");
      if (!watchOnly) {
        for (JsonNode item : list.path("items")) {
          printer.printEvent(cli, Targets.withType((ObjectNode) item, k));
        }
      }
    }
    cli.out().flush();
    String watchQuery = Api.query("labelSelector", selector, "fieldSelector", fields, "watch", "true",
        "resourceVersion", rv, "timeoutSeconds", cli.options().requestTimeoutGiven
            ? Long.toString(Math.max(1, cli.options().requestTimeout.toSeconds())) : null);
    try (InputStream in = cli.api().stream(base + watchQuery, printer.table() ? Api.TABLE : Api.JSON);
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode event = cli.mapper().readTree(line);
        String type = event.path("type").asText();
        if (type.equals("ERROR")) {
          throw new CliException("the watch ended: " + event.path("object").path("message").asText());
        }
        if (type.equals("BOOKMARK")) {
          continue;
        }
        JsonNode object = event.path("object");
        if (printer.table()) {
          TableWriter w = printer.table(cli, k, object, new Printer.TableStyle(style.showNamespace(), false, true,
              showLabels));
          w.print(cli.out(), false, widths == null ? w.widths() : widen(widths, w.widths()));
        } else {
          printer.printEvent(cli, Targets.withType((ObjectNode) object, k));
        }
        cli.out().flush();
      }
    } catch (IOException e) {
      throw new CliException("the watch broke: " + e.getMessage(), e);
    }
    return 0;
  }

  private static JsonNode emptyRows(JsonNode table) {
    ObjectNode copy = ((ObjectNode) table).deepCopy();
    copy.putArray("rows");
    return copy;
  }

  private static int[] widen(int[] a, int[] b) {
    int[] out = new int[Math.max(a.length, b.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.max(i < a.length ? a[i] : 0, i < b.length ? b[i] : 0);
    }
    return out;
  }
}
