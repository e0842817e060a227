package io.bosun.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.KindInfo;
import io.bosun.api.values.Times;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Builds the {@code meta.k8s.io/v1} {@code Table} upstream's API server returns for
 * {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}: kinds with an upstream printer get
 * its columns and cells (always the wide set, as upstream's server prints them), any other kind
 * upstream's default convertor's {@code Name} and {@code Created At}.
 *
 * <p>Stateless and thread-safe. Objects are read as JSON trees in their served (versioned) form
 * and are never modified; rows copy what they embed.
 */
public final class TableConverter {

  private static final JsonNodeFactory NF = JsonNodeFactory.instance;

  /** Whether {@code kind} has an upstream printer (otherwise it gets the default columns). */
  public boolean hasPrinter(KindInfo kind) {
    return Printers.ALL.containsKey(key(kind));
  }

  /**
   * The Table for a list (or a single object, or one watch event's object: a list of one).
   *
   * @param kind     the kind of every object
   * @param objects  the objects, in row order
   * @param options  what rows embed and whether to write column definitions
   * @param listMeta what {@code metadata} carries; for a single object use {@link ListInfo#ofObject}
   * @param now      the time ages are measured to
   * @return a new tree: {@code kind}, {@code apiVersion}, {@code metadata}, {@code columnDefinitions}
   *     ({@code null} with {@code noHeaders}), {@code rows}
   */
  public ObjectNode convert(KindInfo kind, List<? extends JsonNode> objects, TableOptions options, ListInfo listMeta,
      Instant now) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(now, "now");
    Printer printer = Printers.ALL.get(key(kind));
    ObjectNode table = NF.objectNode();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/v1");
    ObjectNode metadata = table.putObject("metadata");
    if (listMeta != null) {
      if (listMeta.resourceVersion() != null && !listMeta.resourceVersion().isEmpty()) {
        metadata.put("resourceVersion", listMeta.resourceVersion());
      }
      if (listMeta.continueToken() != null && !listMeta.continueToken().isEmpty()) {
        metadata.put("continue", listMeta.continueToken());
      }
      if (listMeta.remainingItemCount() != null) {
        metadata.put("remainingItemCount", listMeta.remainingItemCount());
      }
    }
    if (options.noHeaders()) {
      table.putNull("columnDefinitions");
    } else {
      ArrayNode columns = table.putArray("columnDefinitions");
      for (Column c : printer != null ? printer.columns() : DEFAULT_COLUMNS) {
        ObjectNode n = columns.addObject();
        n.put("name", c.name());
        n.put("type", c.type());
        n.put("format", c.format());
        n.put("description", c.description());
        n.put("priority", c.priority());
      }
    }
    // Upstream's default convertor appends to a nil slice: no objects serialize as "rows": null.
    if (printer == null && objects.isEmpty()) {
      table.putNull("rows");
      return table;
    }
    ArrayNode rows = table.putArray("rows");
    for (JsonNode obj : objects) {
      Row row = printer != null ? printer.row().apply(obj, now) : defaultRow(obj);
      ObjectNode r = rows.addObject();
      r.set("cells", row.cells);
      if (row.conditions != null) {
        r.set("conditions", row.conditions);
      }
      r.set("object", embedded(obj, options.includeObject()));
    }
    return table;
  }

  /** {@link #convert} for one object, with its resourceVersion as the Table's. */
  public ObjectNode convertObject(KindInfo kind, JsonNode object, TableOptions options, Instant now) {
    return convert(kind, List.of(object), options, ListInfo.ofObject(object), now);
  }

  private static final List<Column> DEFAULT_COLUMNS = List.of(
      Column.nameColumn(),
      new Column("Created At", "date", "", Descriptions.CREATION_TIMESTAMP, 0));

  /** Upstream's default convertor: the name and the creation time in RFC 3339, UTC. */
  private static Row defaultRow(JsonNode obj) {
    Instant created = Nodes.time(obj, "metadata", "creationTimestamp");
    return new Row().add(Nodes.text(obj, "metadata", "name"))
        .add(Times.formatSeconds(created == null ? Instant.parse("0001-01-01T00:00:00Z") : created));
  }

  private static JsonNode embedded(JsonNode obj, IncludeObject include) {
    return switch (include) {
      case NONE -> NF.nullNode();
      case OBJECT -> obj.deepCopy();
      case METADATA -> {
        ObjectNode partial = NF.objectNode();
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/v1");
        JsonNode metadata = obj.get("metadata");
        partial.set("metadata", metadata != null && metadata.isObject() ? metadata.deepCopy() : NF.objectNode());
        yield partial;
      }
    };
  }

  private static String key(KindInfo kind) {
    return kind.group() + "/" + kind.kind();
  }
}
