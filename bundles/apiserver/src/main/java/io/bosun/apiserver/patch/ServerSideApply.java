package io.bosun.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.TypeSchema;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Server-side apply (structured-merge-diff's Apply, with upstream's field-manager layers): the
 * applied configuration is merged into the live object, fields the applier applied before but
 * dropped are removed unless someone else owns them, and the applier's Apply entry becomes
 * exactly the fields of the configuration.
 */
public final class ServerSideApply {

  /** kubectl's client-side apply annotation, kept in step when {@code kubectl} applies server-side. */
  public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private static final String KUBECTL = "kubectl";
  private static final String BEFORE_FIRST_APPLY = "before-first-apply";
  private static final int ANNOTATIONS_LIMIT = 256 * 1024;

  private ServerSideApply() {
  }

  /** {@link #apply(JsonNode, JsonNode, String, boolean, FieldScope, Instant)} on the main resource of {@code type}. */
  public static JsonNode apply(JsonNode live, JsonNode applied, String manager, boolean force, TypeSchema type,
      ApiSchema schema, Instant now) throws ConflictException, PatchException {
    return apply(live, applied, manager, force, FieldScope.of(schema, type), now);
  }

  /**
   * Applies {@code applied} for {@code manager} (empty or null means {@code unknown}) to
   * {@code live} (null when the object does not exist yet) and returns the new object with its
   * managed fields; the inputs are left alone. The caller has checked apiVersion, kind and name.
   *
   * <ul>
   *   <li>Objects merge, keyed lists merge by their keys, sets by value, atomic values are
   *       replaced; a null in the configuration removes the field.</li>
   *   <li>Fields in the manager's previous Apply entry that the configuration no longer has are
   *       removed unless some manager still owns them.</li>
   *   <li>Fields the merge adds or changes that other managers own are conflicts; with
   *       {@code force} they pass to the applier instead. Removed fields leave every entry.</li>
   *   <li>Reset fields of the scope and upstream's stripped metadata are never owned.</li>
   *   <li>Upstream's compatibility layers: a live object without managed fields is first owned by
   *       {@code before-first-apply}; for manager {@code kubectl}, conflicts on fields that still
   *       hold the values of the client-side last-applied annotation are forced, and that
   *       annotation, when present, is rewritten from the configuration.</li>
   * </ul>
   *
   * @throws ConflictException 409 when fields owned by others would change and {@code force} is off
   * @throws PatchException 400 when the configuration is not an object or carries managed fields;
   *     500 (as upstream) when it or the live object cannot be typed: a keyed list item without its
   *     key, repeated keys in the configuration, undecodable live managed fields
   */
  public static JsonNode apply(JsonNode live, JsonNode applied, String manager, boolean force, FieldScope scope,
      Instant now) throws ConflictException, PatchException {
    if (applied == null || !applied.isObject()) {
      throw PatchException.badRequest("the applied configuration must be an object");
    }
    JsonNode sentManaged = applied.path("metadata").get("managedFields");
    if (sentManaged != null && !sentManaged.isNull()) {
      throw PatchException.badRequest("metadata.managedFields must be nil");
    }
    Typed typed = new Typed(scope.types);
    Typed.Shape root = typed.root(scope.rootType);
    FieldSet appliedSet;
    try {
      appliedSet = typed.toFieldSet(applied, root, true);
    } catch (Typed.TypedError e) {
      throw PatchException.internal("failed to create typed patch object (" + objectName(applied) + "): "
          + e.getMessage());
    }
    Managed managed;
    try {
      managed = Managed.decode(live == null ? null : live.path("metadata").get("managedFields"));
    } catch (Managed.DecodeError e) {
      throw PatchException.internal("failed to decode managed fields: " + e.getMessage());
    }
    ObjectNode liveClean = live == null || !live.isObject() ? Json.NODES.objectNode()
        : ManagedFields.strip(live.deepCopy());
    String apiVersion = applied.path("apiVersion").asText("");
    Apply a = new Apply(typed, root, scope, liveClean, (ObjectNode) applied, appliedSet,
        Managed.Id.apply(ManagedFields.name(manager), scope.subresource()), apiVersion, now);
    try {
      if (managed.isEmpty() && live != null) {
        ManagedFields.track(typed, scope, Json.NODES.objectNode(), liveClean, managed,
            Managed.Id.update(BEFORE_FIRST_APPLY, apiVersion, scope.subresource()), now);
      }
      Outcome out = a.run(copy(managed), force);
      if (!out.conflicts.isEmpty() && KUBECTL.equals(manager)) {
        FieldSet allowed = a.allowedByLastApplied();
        if (allowed != null) {
          List<Conflict> remaining = new ArrayList<>();
          for (Conflict c : out.conflicts) {
            if (!c.paths.difference(allowed).isEmpty()) {
              remaining.add(new Conflict(c.id, c.paths.difference(allowed)));
            }
          }
          out = remaining.isEmpty() ? a.run(copy(managed), true) : new Outcome(null, null, remaining);
        }
      }
      if (!out.conflicts.isEmpty()) {
        throw conflict(out.conflicts);
      }
      ObjectNode result = out.object;
      if (KUBECTL.equals(manager) && result.path("metadata").path("annotations").has(LAST_APPLIED)) {
        setLastApplied(result, applied);
      }
      out.managed.capUpdaters();
      ManagedFields.setManagedFields(result, out.managed.encode(), live, liveClean,
          ManagedFields.strip(result.deepCopy()));
      return result;
    } catch (Typed.TypedError e) {
      throw PatchException.internal("failed to create typed live object (" + objectName(applied) + "): "
          + e.getMessage());
    }
  }

  private record Conflict(Managed.Id id, FieldSet paths) {}

  private record Outcome(ObjectNode object, Managed managed, List<Conflict> conflicts) {}

  /** One apply attempt; run again with force when kubectl's last-applied allowance says so. */
  private record Apply(Typed typed, Typed.Shape root, FieldScope scope, ObjectNode live, ObjectNode applied,
      FieldSet appliedSet, Managed.Id me, String apiVersion, Instant now) {

    Outcome run(Managed managed, boolean force) throws Typed.TypedError {
      JsonNode merged = typed.merge(live, applied, root);
      Managed.Entry previous = managed.entries.get(me);
      FieldSet last = previous == null ? FieldSet.empty() : previous.set;
      FieldSet mine = appliedSet.recursiveDifference(scope.resetFields());
      managed.entries.put(me, new Managed.Entry(me, apiVersion, Managed.format(now), mine));
      if (!last.isEmpty()) {
        merged = typed.prune(merged, root, typed.ensureNamedFieldsAreMembers(last, root),
            typed.ensureNamedFieldsAreMembers(managed.owned(), root), false);
      }
      Typed.Comparison cmp = typed.compare(live, merged, root).excluding(scope.resetFields());
      FieldSet changed = cmp.addedOrModified();
      List<Conflict> conflicts = new ArrayList<>();
      for (Managed.Entry e : managed.entries.values()) {
        if (!e.id.equals(me)) {
          FieldSet c = e.set.intersection(changed);
          if (!c.isEmpty()) {
            conflicts.add(new Conflict(e.id, c));
          }
        }
      }
      if (!force && !conflicts.isEmpty()) {
        return new Outcome(null, null, conflicts);
      }
      for (Managed.Entry e : managed.entries.values()) {
        if (!e.id.equals(me)) {
          e.set = e.set.difference(changed).difference(cmp.removed());
        }
      }
      Managed.Entry entry = managed.entries.get(me);
      entry.set = entry.set.difference(Managed.STRIPPED);
      managed.dropEmpty();
      return new Outcome((ObjectNode) merged, managed, List.of());
    }

    /**
     * Fields kubectl's client-side apply recorded in the last-applied annotation whose live values
     * still match it; null without the annotation.
     */
    FieldSet allowedByLastApplied() throws Typed.TypedError {
      JsonNode annotation = live.path("metadata").path("annotations").get(LAST_APPLIED);
      if (annotation == null || !annotation.isTextual() || annotation.textValue().isEmpty()) {
        return null;
      }
      JsonNode lastApplied;
      try {
        lastApplied = Json.parse(annotation.textValue());
      } catch (IllegalArgumentException e) {
        return null;
      }
      if (!lastApplied.isObject()) {
        return null;
      }
      FieldSet set = typed.toFieldSet(lastApplied, root, false);
      return set.difference(typed.compare(lastApplied, live, root).modified());
    }
  }

  private static Managed copy(Managed m) {
    Managed out = new Managed();
    m.entries.forEach((id, e) -> out.entries.put(id, new Managed.Entry(id, e.apiVersion, e.time, e.set)));
    return out;
  }

  private static ConflictException conflict(List<Conflict> conflicts) {
    List<Conflict> sorted = new ArrayList<>(conflicts);
    sorted.sort(Comparator.comparing(c -> c.id.identifier()));
    List<ConflictException.Conflict> out = new ArrayList<>();
    List<String> displays = new ArrayList<>();
    for (Conflict c : sorted) {
      for (String path : c.paths.paths()) {
        out.add(new ConflictException.Conflict(c.id.manager(), c.id.operation(), c.id.apiVersion(),
            c.id.subresource(), path, "conflict with " + c.id.display()));
        displays.add(c.id.display());
      }
    }
    return new ConflictException(out, displays);
  }

  /** Upstream's object description in typing errors: {@code ns/name; apps/v1, Kind=Deployment}. */
  private static String objectName(JsonNode obj) {
    String apiVersion = obj.path("apiVersion").asText("");
    String gv = apiVersion.contains("/") ? apiVersion : "/" + apiVersion;
    return obj.path("metadata").path("namespace").asText("") + "/" + obj.path("metadata").path("name").asText("")
        + "; " + gv + ", Kind=" + obj.path("kind").asText("");
  }

  /**
   * Upstream's lastAppliedUpdater: the annotation becomes the configuration (without the
   * annotation itself) as kubectl writes it, unless the annotations would grow too large.
   */
  private static void setLastApplied(ObjectNode result, JsonNode applied) {
    ObjectNode config = applied.deepCopy();
    if (config.path("metadata").get("annotations") instanceof ObjectNode annotations) {
      annotations.remove(LAST_APPLIED);
    }
    String value = Json.compact(sorted(config)) + "\n";
    ObjectNode annotations = (ObjectNode) result.get("metadata").get("annotations");
    annotations.put(LAST_APPLIED, value);
    long size = 0;
    for (Map.Entry<String, JsonNode> e : annotations.properties()) {
      size += e.getKey().getBytes(StandardCharsets.UTF_8).length
          + e.getValue().asText().getBytes(StandardCharsets.UTF_8).length;
    }
    if (size > ANNOTATIONS_LIMIT) {
      annotations.remove(LAST_APPLIED);
    }
  }

  /** Object keys in sorted order at every level, as Go encodes maps. */
  private static JsonNode sorted(JsonNode n) {
    if (n.isObject()) {
      ObjectNode o = Json.NODES.objectNode();
      TreeMap<String, JsonNode> m = new TreeMap<>();
      n.properties().forEach(e -> m.put(e.getKey(), e.getValue()));
      m.forEach((k, v) -> o.set(k, sorted(v)));
      return o;
    }
    if (n.isArray()) {
      var a = Json.NODES.arrayNode();
      n.forEach(v -> a.add(sorted(v)));
      return a;
    }
    return n;
  }
}
