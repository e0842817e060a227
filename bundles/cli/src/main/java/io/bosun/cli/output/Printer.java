package io.bosun.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.KindInfo;
import io.bosun.cli.Cli;
import io.bosun.cli.CliException;
import io.bosun.cli.Kinds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The {@code -o} formats: server-side tables (default, wide), yaml, json, name and jsonpath templates. */
public final class Printer {

  public enum Format { TABLE, WIDE, YAML, JSON, NAME, JSONPATH }

  private final Format format;
  private final JsonPath template;

  private Printer(Format format, JsonPath template) {
    this.format = format;
    this.template = template;
  }

  /**
   * The printer for an {@code -o} value.
   *
   * @throws CliException (usage, exit 2) for an unknown format
   */
  public static Printer of(String output) {
    if (output == null || output.isEmpty()) {
      return new Printer(Format.TABLE, null);
    }
    String o = output.trim();
    int eq = o.indexOf('=');
    String name = (eq < 0 ? o : o.substring(0, eq)).toLowerCase(Locale.ROOT);
    return switch (name) {
      case "wide" -> new Printer(Format.WIDE, null);
      case "yaml" -> new Printer(Format.YAML, null);
      case "json" -> new Printer(Format.JSON, null);
      case "name" -> new Printer(Format.NAME, null);
      case "jsonpath" -> {
        if (eq < 0 || o.length() == eq + 1) {
          throw new CliException("template format specified but no template given: use -o jsonpath='{.metadata.name}'",
              2, null);
        }
        yield new Printer(Format.JSONPATH, JsonPath.parse(o.substring(eq + 1)));
      }
      default -> throw new CliException("unable to match a printer suitable for the output format \"" + output
          + "\", allowed formats are: json, jsonpath, name, wide, yaml", 2, null);
    };
  }

  public Format format() {
    return format;
  }

  public boolean table() {
    return format == Format.TABLE || format == Format.WIDE;
  }

  /**
   * Prints objects in a non-table format: one object as itself, several (or a list request) as a
   * {@code List}, as kubectl does.
   */
  public void print(Cli cli, List<ObjectNode> objects, boolean asList) {
    JsonNode doc;
    if (!asList && objects.size() == 1) {
      doc = objects.get(0);
    } else {
      ObjectNode list = JsonNodeFactory.instance.objectNode();
      list.put("apiVersion", "v1");
      ArrayNode items = list.putArray("items");
      objects.forEach(items::add);
      list.put("kind", "List");
      list.putObject("metadata").put("resourceVersion", "");
      doc = list;
    }
    switch (format) {
      case YAML -> cli.out().print(new String(cli.codec().writeYaml(doc), StandardCharsets.UTF_8));
      case JSON -> cli.out().println(prettyJson(cli, doc));
      case NAME -> {
        for (ObjectNode o : objects) {
          cli.out().println(name(cli, o));
        }
      }
      case JSONPATH -> cli.out().print(template.render(doc));
      default -> throw new IllegalStateException("table formats print tables");
    }
  }

  /** Prints one object of a stream (watch) in a non-table format. */
  public void printEvent(Cli cli, ObjectNode object) {
    switch (format) {
      case YAML -> {
        cli.out().println("---");
        cli.out().print(new String(cli.codec().writeYaml(object), StandardCharsets.UTF_8));
      }
      case JSON -> cli.out().println(prettyJson(cli, object));
      case NAME -> cli.out().println(name(cli, object));
      case JSONPATH -> cli.out().print(template.render(object));
      default -> throw new IllegalStateException("table formats print tables");
    }
    cli.out().flush();
  }

  static String prettyJson(Cli cli, JsonNode doc) {
    try {
      return cli.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new CliException("cannot print JSON: " + e.getMessage(), e);
    }
  }

  private static String name(Cli cli, ObjectNode o) {
    String apiVersion = o.path("apiVersion").asText("");
    String kind = o.path("kind").asText("");
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String k = kind.toLowerCase(Locale.ROOT) + (group.isEmpty() ? "" : "." + group);
    return k + "/" + o.path("metadata").path("name").asText();
  }

  /** How a server-side Table is laid out. */
  public record TableStyle(boolean showNamespace, boolean withKind, boolean noHeaders, boolean showLabels) {}

  /**
   * Turns a server-side {@code Table} into rows: header first (unless suppressed), the columns
   * the server marks priority 0 (all with {@code -o wide}), a NAMESPACE column for all-namespace
   * lists and a {@code kind/} prefix when several kinds are printed together.
   */
  public TableWriter table(Cli cli, KindInfo kind, JsonNode table, TableStyle style) {
    if (!"Table".equals(table.path("kind").asText())) {
      table = asTable(table);
    }
    TableWriter w = new TableWriter();
    List<Integer> cols = new ArrayList<>();
    List<String> header = new ArrayList<>();
    if (style.showNamespace()) {
      header.add("NAMESPACE");
    }
    JsonNode defs = table.path("columnDefinitions");
    int statusCol = -1;
    for (int i = 0; i < defs.size(); i++) {
      if (defs.get(i).path("priority").asInt(0) == 0 || format == Format.WIDE) {
        cols.add(i);
        if (defs.get(i).path("name").asText().equals("Status")) {
          statusCol = header.size();
        }
        header.add(defs.get(i).path("name").asText().toUpperCase(Locale.ROOT));
      }
    }
    if (style.showLabels()) {
      header.add("LABELS");
    }
    if (!style.noHeaders()) {
      w.header(header.toArray(new String[0]));
    }
    for (JsonNode row : table.path("rows")) {
      List<String> cells = new ArrayList<>();
      JsonNode meta = row.path("object").path("metadata");
      if (style.showNamespace()) {
        cells.add(meta.path("namespace").asText(""));
      }
      for (int c : cols) {
        JsonNode cell = row.path("cells").path(c);
        String text = cell.isMissingNode() || cell.isNull() ? "<none>" : cell.isTextual() ? cell.asText()
            : cell.toString();
        if (c == 0 && style.withKind() && "name".equals(defs.get(0).path("format").asText())) {
          text = Kinds.qualifiedName(kind) + "/" + text;
        }
        cells.add(text);
      }
      if (style.showLabels()) {
        List<String> labels = new ArrayList<>();
        meta.path("labels").fields().forEachRemaining(e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
        cells.add(labels.isEmpty() ? "<none>" : String.join(",", labels));
      }
      w.row(cells);
    }
    if (statusCol >= 0) {
      w.paint(statusCol, cli.term()::status);
    }
    return w;
  }

  /**
   * A NAME/AGE table from a plain object or list, for servers that do not answer with a Table
   * (kubectl does the same).
   */
  static JsonNode asTable(JsonNode doc) {
    ObjectNode t = JsonNodeFactory.instance.objectNode().put("kind", "Table");
    ArrayNode defs = t.putArray("columnDefinitions");
    defs.addObject().put("name", "Name").put("type", "string").put("format", "name").put("priority", 0);
    defs.addObject().put("name", "Age").put("type", "string").put("priority", 0);
    ArrayNode rows = t.putArray("rows");
    List<JsonNode> items = new ArrayList<>();
    if (doc.has("items")) {
      doc.path("items").forEach(items::add);
    } else {
      items.add(doc);
    }
    for (JsonNode item : items) {
      ObjectNode row = rows.addObject();
      String created = item.path("metadata").path("creationTimestamp").asText("");
      row.putArray("cells").add(item.path("metadata").path("name").asText())
          .add(created.isEmpty() ? "<unknown>" : Ages.age(created));
      row.putObject("object").set("metadata", item.path("metadata"));
    }
    return t;
  }
}
