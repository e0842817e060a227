package io.bosun.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The decoded {@code metadata.managedFields} of an object: one field set per manager identity. */
final class Managed {

  static final String APPLY = "Apply";
  static final String UPDATE = "Update";

  /** Upstream's cap on Update entries; older ones merge into {@link #ANCIENT}. */
  static final int MAX_UPDATE_MANAGERS = 10;
  static final String ANCIENT = "ancient-changes";

  /**
   * Fields no manager owns: upstream's stripMeta set (exact paths, their children stay).
   */
  static final FieldSet STRIPPED = FieldSet.ofPaths("apiVersion", "kind", "metadata", "metadata.name",
      "metadata.namespace", "metadata.creationTimestamp", "metadata.selfLink", "metadata.uid", "metadata.clusterName",
      "metadata.generation", "metadata.managedFields", "metadata.resourceVersion");

  /**
   * A manager identity as upstream keys entries: appliers by name (and subresource), updaters
   * also by API version.
   */
  record Id(String manager, String operation, String apiVersion, String subresource) {

    static Id apply(String manager, String subresource) {
      return new Id(manager, APPLY, "", subresource);
    }

    static Id update(String manager, String apiVersion, String subresource) {
      return new Id(manager, UPDATE, apiVersion, subresource);
    }

    boolean applied() {
      return operation.equals(APPLY);
    }

    /** Upstream's identifier: the JSON of the entry without time and fields; also its sort key. */
    String identifier() {
      ObjectNode o = Json.NODES.objectNode();
      if (!manager.isEmpty()) {
        o.put("manager", manager);
      }
      if (!operation.isEmpty()) {
        o.put("operation", operation);
      }
      if (!apiVersion.isEmpty()) {
        o.put("apiVersion", apiVersion);
      }
      if (!subresource.isEmpty()) {
        o.put("subresource", subresource);
      }
      return Json.compact(o);
    }

    /** Upstream's printManager: {@code "kubectl"}, {@code "x" using apps/v1}, {@code "x" with subresource "status"}. */
    String display() {
      String s = Json.goQuote(manager);
      if (!subresource.isEmpty()) {
        s += " with subresource " + Json.goQuote(subresource);
      }
      if (operation.equals(UPDATE)) {
        s += " using " + apiVersion;
      }
      return s;
    }
  }

  /** One entry: its set, the API version it was recorded at and its time (as stored, or null). */
  static final class Entry {
    final Id id;
    String apiVersion;
    String time;
    FieldSet set;

    Entry(Id id, String apiVersion, String time, FieldSet set) {
      this.id = id;
      this.apiVersion = apiVersion;
      this.time = time;
      this.set = set;
    }
  }

  /** The managed fields could not be decoded; upstream's message. */
  static final class DecodeError extends Exception {
    private static final long serialVersionUID = 1L;

    DecodeError(String message) {
      super(message, null, false, false);
    }
  }

  final Map<Id, Entry> entries = new LinkedHashMap<>();

  boolean isEmpty() {
    return entries.isEmpty();
  }

  static String format(Instant now) {
    return DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
  }

  static Managed decode(JsonNode managedFields) throws DecodeError {
    Managed m = new Managed();
    if (Json.absentOrNull(managedFields)) {
      return m;
    }
    if (!managedFields.isArray()) {
      throw new DecodeError("json: cannot unmarshal " + JsonPatch.goJsonKind(managedFields)
          + " into Go value of type []v1.ManagedFieldsEntry");
    }
    int i = 0;
    for (JsonNode e : managedFields) {
      if (!e.isObject()) {
        throw new DecodeError("json: cannot unmarshal " + JsonPatch.goJsonKind(e)
            + " into Go value of type v1.ManagedFieldsEntry");
      }
      String operation = e.path("operation").asText("");
      if (!operation.equals(APPLY) && !operation.equals(UPDATE)) {
        throw new DecodeError("operation must be `Apply` or `Update`");
      }
      String apiVersion = e.path("apiVersion").asText("");
      if (apiVersion.isEmpty()) {
        throw new DecodeError("apiVersion must not be empty");
      }
      String fieldsType = e.path("fieldsType").asText("");
      if (fieldsType.isEmpty()) {
        throw new DecodeError("missing fieldsType in managed fields entry " + i);
      }
      if (!fieldsType.equals("FieldsV1")) {
        throw new DecodeError("invalid fieldsType " + Json.goQuote(fieldsType) + " in managed fields entry " + i);
      }
      FieldSet set;
      try {
        set = FieldSet.fromFieldsV1(e.get("fieldsV1"));
      } catch (IllegalArgumentException ex) {
        throw new DecodeError("error decoding versioned set from " + Json.goFormat(e) + ": " + ex.getMessage());
      }
      String manager = e.path("manager").asText("");
      String subresource = e.path("subresource").asText("");
      Id id = operation.equals(APPLY) ? Id.apply(manager, subresource) : Id.update(manager, apiVersion, subresource);
      JsonNode time = e.get("time");
      m.entries.put(id, new Entry(id, apiVersion, Json.absentOrNull(time) ? null : time.asText(), set));
      i++;
    }
    return m;
  }

  /** Upstream's encoding: non-empty entries sorted by operation, time, manager, version, subresource. */
  ArrayNode encode() {
    List<Entry> list = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (!e.set.isEmpty()) {
        list.add(e);
      }
    }
    list.sort(Comparator.<Entry, String>comparing(e -> e.id.operation())
        .thenComparingLong(e -> seconds(e.time))
        .thenComparing(e -> e.id.manager())
        .thenComparing(e -> e.apiVersion)
        .thenComparing(e -> e.id.subresource()));
    ArrayNode out = Json.NODES.arrayNode();
    for (Entry e : list) {
      ObjectNode o = out.addObject();
      if (!e.id.manager().isEmpty()) {
        o.put("manager", e.id.manager());
      }
      o.put("operation", e.id.operation());
      o.put("apiVersion", e.apiVersion);
      if (e.time != null) {
        o.put("time", e.time);
      }
      o.put("fieldsType", "FieldsV1");
      o.set("fieldsV1", e.set.toFieldsV1());
      if (!e.id.subresource().isEmpty()) {
        o.put("subresource", e.id.subresource());
      }
    }
    return out;
  }

  private static long seconds(String time) {
    if (time == null) {
      return 0;
    }
    try {
      return Instant.parse(time).getEpochSecond();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  void dropEmpty() {
    entries.values().removeIf(e -> e.set.isEmpty());
  }

  /** The union of every manager's set. */
  FieldSet owned() {
    FieldSet all = FieldSet.empty();
    for (Entry e : entries.values()) {
      all = all.union(e.set);
    }
    return all;
  }

  /**
   * Upstream's capManagersManager: beyond {@link #MAX_UPDATE_MANAGERS} Update entries, the
   * oldest merge into one {@code ancient-changes} entry per API version.
   */
  void capUpdaters() {
    List<Entry> updaters = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (!e.id.applied()) {
        updaters.add(e);
      }
    }
    if (updaters.size() <= MAX_UPDATE_MANAGERS) {
      return;
    }
    updaters.sort(Comparator.<Entry>comparingLong(e -> seconds(e.time)).thenComparing(e -> e.id.identifier()));
    Map<String, Id> firstOfVersion = new HashMap<>();
    int length = updaters.size();
    for (int i = 0; i < updaters.size() && length > MAX_UPDATE_MANAGERS; i++) {
      Entry e = updaters.get(i);
      Id bucket = Id.update(ANCIENT, e.apiVersion, "");
      Id first = firstOfVersion.get(e.apiVersion);
      if (first == null) {
        firstOfVersion.put(e.apiVersion, e.id);
        continue;
      }
      Entry b = entries.get(bucket);
      if (b == null) {
        Entry f = entries.remove(first);
        b = new Entry(bucket, f.apiVersion, f.time, f.set);
        entries.put(bucket, b);
      }
      b.set = e.set.union(b.set);
      b.time = e.time;
      entries.remove(e.id);
      length--;
    }
  }

  /**
   * Upstream's IgnoreManagedFieldsTimestampsTransformer: when nothing but timestamps changed,
   * the old managed fields stay as they were, so a no-op write stays a no-op.
   */
  static boolean sameIgnoringTimes(JsonNode before, ArrayNode after) {
    if (before == null || !before.isArray() || before.size() != after.size()) {
      return false;
    }
    Map<String, JsonNode> old = new HashMap<>();
    for (JsonNode e : before) {
      old.put(key(e), e.get("fieldsV1"));
    }
    for (JsonNode e : after) {
      JsonNode fields = old.get(key(e));
      if (fields == null || !Json.sameValue(fields, e.get("fieldsV1"))) {
        return false;
      }
    }
    return true;
  }

  private static String key(JsonNode e) {
    return e.path("manager").asText("") + "\u0000" + e.path("operation").asText("") + "\u0000"
        + e.path("apiVersion").asText("") + "\u0000" + e.path("subresource").asText("");
  }
}
