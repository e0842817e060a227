package io.bosun.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Managed-fields tracking for writes that are not server-side apply (create, update, JSON and
 * strategic patches): upstream's field manager with operation {@code Update}.
 */
public final class ManagedFields {

  private ManagedFields() {
  }

  /**
   * Returns {@code newObj} with {@code metadata.managedFields} brought up to date for a write by
   * {@code manager} (empty or null means {@code unknown}). Neither input is modified.
   *
   * <ul>
   *   <li>Fields added or changed from {@code oldObj} (null on create) join the manager's Update
   *       entry (keyed by manager, API version of {@code newObj}, subresource) and leave every
   *       other entry; removed fields leave every entry; empty entries go; the entry's time becomes
   *       {@code now} when it took fields. Reset fields of the scope and upstream's stripped
   *       metadata (name, uid, resourceVersion, ...) are never owned.</li>
   *   <li>Through the main resource, managed fields sent in {@code newObj} replace the live ones
   *       (so clients may edit them); {@code []} or {@code [{}]} clears them. Through a
   *       subresource the live ones are always used.</li>
   *   <li>As upstream, an update of an object that has no managed fields keeps it without; more
   *       than ten Update entries fold the oldest into {@code ancient-changes}; when nothing but
   *       timestamps would change, the old managed fields are kept.</li>
   *   <li>When the object cannot be typed (a keyed list item without its key), the result has no
   *       managed fields, as upstream's UpdateNoErrors. A {@code newObj} without metadata is
   *       returned as it is.</li>
   * </ul>
   */
  public static JsonNode update(JsonNode oldObj, JsonNode newObj, String manager, FieldScope scope, Instant now) {
    if (newObj == null || !newObj.path("metadata").isObject()) {
      return newObj == null ? null : newObj.deepCopy();
    }
    ObjectNode result = newObj.deepCopy();
    Managed managed;
    try {
      managed = managedForUpdate(oldObj, newObj, scope);
    } catch (Managed.DecodeError e) {
      return result;
    }
    if (managed.isEmpty() && oldObj != null) {
      // Upstream stops tracking objects that have none: an update does not start it again.
      strip(result);
      return result;
    }
    try {
      ObjectNode live = oldObj == null ? Json.NODES.objectNode() : strip(oldObj.deepCopy());
      ObjectNode updated = strip(newObj.deepCopy());
      Managed.Id id = Managed.Id.update(name(manager), newObj.path("apiVersion").asText(""), scope.subresource());
      track(new Typed(scope.types), scope, live, updated, managed, id, now);
    } catch (Typed.TypedError e) {
      strip(result);
      return result;
    }
    managed.capUpdaters();
    setManagedFields(result, managed.encode(), oldObj, oldObj == null ? null : strip(oldObj.deepCopy()),
        strip(newObj.deepCopy()));
    return result;
  }

  /**
   * The Update step shared with server-side apply's bookkeeping: other entries lose what changed,
   * the updater gains what was added or modified.
   */
  static void track(Typed typed, FieldScope scope, JsonNode live, JsonNode updated, Managed managed, Managed.Id id,
      Instant now) throws Typed.TypedError {
    Typed.Comparison cmp = typed.compare(live, updated, typed.root(scope.rootType)).excluding(scope.resetFields());
    FieldSet changed = cmp.addedOrModified();
    for (Managed.Entry e : managed.entries.values()) {
      e.set = e.set.difference(changed).difference(cmp.removed());
    }
    managed.dropEmpty();
    FieldSet taken = changed.difference(Managed.STRIPPED);
    if (!taken.isEmpty()) {
      Managed.Entry previous = managed.entries.get(id);
      if (previous == null) {
        managed.entries.put(id, new Managed.Entry(id, id.apiVersion(), Managed.format(now), taken));
      } else {
        previous.set = previous.set.union(taken);
        previous.time = Managed.format(now);
      }
    }
  }

  private static Managed managedForUpdate(JsonNode oldObj, JsonNode newObj, FieldScope scope)
      throws Managed.DecodeError {
    JsonNode live = oldObj == null ? null : oldObj.path("metadata").get("managedFields");
    if (!scope.subresource().isEmpty()) {
      return Managed.decode(live);
    }
    JsonNode sent = newObj.path("metadata").get("managedFields");
    if (isReset(sent)) {
      return new Managed();
    }
    try {
      Managed m = Managed.decode(sent);
      if (!m.isEmpty()) {
        return m;
      }
    } catch (Managed.DecodeError e) {
      // Clients that do not understand managed fields must not lose them: fall back to live.
    }
    return Managed.decode(live);
  }

  private static boolean isReset(JsonNode managedFields) {
    return managedFields != null && managedFields.isArray()
        && (managedFields.isEmpty() || (managedFields.size() == 1 && managedFields.get(0).isObject()
            && managedFields.get(0).isEmpty()));
  }

  static String name(String manager) {
    return manager == null || manager.isEmpty() ? "unknown" : manager;
  }

  /** Removes {@code metadata.managedFields} in place and returns the object. */
  static ObjectNode strip(JsonNode obj) {
    ObjectNode o = (ObjectNode) obj;
    if (o.get("metadata") instanceof ObjectNode meta) {
      meta.remove("managedFields");
    }
    return o;
  }

  /**
   * Stores the encoded entries, keeping the old ones when only timestamps differ and the object
   * is otherwise unchanged.
   */
  static void setManagedFields(ObjectNode target, ArrayNode encoded, JsonNode oldObj, JsonNode oldWithout,
      JsonNode newWithout) {
    ObjectNode meta = (ObjectNode) target.get("metadata");
    if (meta == null) {
      meta = target.putObject("metadata");
    }
    JsonNode before = oldObj == null ? null : oldObj.path("metadata").get("managedFields");
    if (before != null && Managed.sameIgnoringTimes(before, encoded) && Json.sameValue(oldWithout, newWithout)) {
      meta.set("managedFields", before.deepCopy());
    } else if (encoded.isEmpty()) {
      meta.remove("managedFields");
    } else {
      meta.set("managedFields", encoded);
    }
  }
}
