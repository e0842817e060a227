package io.bosun.apiserver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/**
 * Kind-specific behaviour of the generic REST handling, as upstream's registry strategies:
 * what create and update may change, which fields can be selected on, and how deletion is
 * graceful. Hooks work on JSON trees that already hold defaults; they mutate {@code obj} in
 * place and never touch {@code old}. Implementations are stateless.
 */
public interface KindStrategy {

  /** Whether {@code metadata.generation} starts at 1 and is bumped when the spec changes. */
  default boolean tracksGeneration() {
    return false;
  }

  /** Whether PUT of a missing object creates it (upstream's AllowCreateOnUpdate). */
  default boolean allowCreateOnUpdate() {
    return false;
  }

  /** Whether PUT without {@code metadata.resourceVersion} overwrites (upstream's AllowUnconditionalUpdate). */
  default boolean allowUnconditionalUpdate() {
    return true;
  }

  /**
   * Adjusts a new object before validation; by default, for kinds with a status subresource,
   * clears the status as upstream does (status is written through {@code /status}).
   */
  default void prepareForCreate(ObjectNode obj, ResourceType type) {
    if (type.hasSubresource("status")) {
      obj.putObject("status");
    }
  }

  /**
   * Adjusts an updated object before validation; by default, for kinds with a status subresource,
   * keeps the old status (the main resource cannot change it).
   */
  default void prepareForUpdate(ObjectNode obj, ObjectNode old, ResourceType type) {
    if (type.hasSubresource("status")) {
      JsonNode status = old.get("status");
      if (status == null) {
        obj.remove("status");
      } else {
        obj.set("status", status.deepCopy());
      }
    }
  }

  /**
   * Builds the object a status write produces: the old object with only the new status (and,
   * as upstream, no metadata changes other than through the main resource).
   */
  default ObjectNode prepareForStatusUpdate(ObjectNode obj, ObjectNode old) {
    ObjectNode result = old.deepCopy();
    JsonNode status = obj.get("status");
    if (status == null) {
      result.remove("status");
    } else {
      result.set("status", status.deepCopy());
    }
    return result;
  }

  /** Whether the spec changed in a way that bumps {@code metadata.generation}. */
  default boolean specChanged(ObjectNode obj, ObjectNode old) {
    return !io.bosun.apiserver.storage.JsonNodes.same(obj.get("spec"), old.get("spec"));
  }

  /** Field selector labels beyond {@code metadata.name} and {@code metadata.namespace}. */
  default Set<String> fieldLabels() {
    return Set.of();
  }

  /** Values of {@link #fieldLabels()} for one object ("" when absent). */
  default Map<String, String> selectableFields(JsonNode obj) {
    return Map.of();
  }

  /**
   * The grace period a delete gets: 0 deletes at once (after finalizers), more sets
   * {@code deletionTimestamp} and leaves the final delete to whoever owns the object (the
   * kubelet for pods).
   *
   * @param requested the grace period the client asked for, or null
   */
  default long gracePeriodSeconds(JsonNode obj, Long requested) {
    return 0;
  }

  /**
   * Whether something other than finalizers and the grace period holds a deletion back (a
   * namespace's {@code spec.finalizers}); such objects get a deletion timestamp and stay.
   */
  default boolean deletionHeld(JsonNode obj) {
    return false;
  }

  /** Adjusts an object whose deletion has just become pending (e.g. a namespace turns Terminating). */
  default void prepareForPendingDeletion(ObjectNode obj) {
  }

  /** Seconds after which new objects of this kind expire (upstream's event TTL), or 0 to keep them. */
  default long ttlSeconds() {
    return 0;
  }

  /** Whether an immediate delete answers with the deleted object rather than a Status. */
  default boolean returnDeletedObject() {
    return false;
  }

  /** Reads a string at a dotted path, "" when absent or not a scalar. */
  static String text(JsonNode obj, String path) {
    JsonNode n = obj;
    for (String part : path.split("\\.")) {
      n = n == null ? null : n.get(part);
    }
    return n == null || n.isNull() || n.isContainerNode() ? "" : n.asText();
  }
}
