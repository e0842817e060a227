package io.bosun.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.status.ApiException;
import io.bosun.apiserver.storage.ObjectStorage;
import io.bosun.apiserver.storage.StoredObject;

/**
 * Upstream's Priority admission: a new pod's {@code spec.priority} (and preemption policy) come
 * from its PriorityClass, or from the global default class, or 0.
 */
public final class Priority implements AdmissionPlugin {

  @Override
  public void admit(Operation operation, ResourceType type, String subresource, ObjectNode obj, ObjectNode old,
      AdmissionContext context) {
    if (operation != Operation.CREATE || !type.group().isEmpty() || !type.plural().equals("pods")) {
      return;
    }
    ObjectNode spec = obj.withObjectProperty("spec");
    String className = spec.path("priorityClassName").asText("");
    ResourceType classes = context.registry().find("scheduling.k8s.io", "v1", "priorityclasses");
    JsonNode pc = null;
    if (className.isEmpty()) {
      pc = globalDefault(context.storage(), classes);
      if (pc != null) {
        spec.put("priorityClassName", pc.path("metadata").path("name").asText());
      }
    } else {
      StoredObject found = classes == null ? null : context.storage().get(classes, "", className);
      if (found == null) {
        throw ApiException.forbidden(type.resourceName(), obj.path("metadata").path("name").asText(""),
            "no PriorityClass with name " + className + " was found");
      }
      pc = found.object();
    }
    long priority = pc == null ? 0 : pc.path("value").asLong(0);
    if (spec.has("priority") && !spec.get("priority").isNull() && spec.get("priority").asLong() != priority) {
      throw ApiException.forbidden(type.resourceName(), obj.path("metadata").path("name").asText(""),
          "the integer value of priority (" + spec.get("priority").asLong() + ") must not be provided in pod spec; "
              + "priority admission controller computed " + priority + " from the given PriorityClass name");
    }
    spec.put("priority", (int) priority);
    String policy = pc == null ? null : pc.path("preemptionPolicy").asText(null);
    if (policy != null) {
      String requested = spec.path("preemptionPolicy").asText(null);
      if (requested != null && !requested.equals(policy)) {
        throw ApiException.forbidden(type.resourceName(), obj.path("metadata").path("name").asText(""),
            "the string value of PreemptionPolicy (" + requested + ") must not be provided in pod spec; priority "
                + "admission controller computed " + policy + " from the given PriorityClass name");
      }
      spec.put("preemptionPolicy", policy);
    }
  }

  private static JsonNode globalDefault(ObjectStorage storage, ResourceType classes) {
    if (classes == null) {
      return null;
    }
    JsonNode best = null;
    for (ObjectNode pc : storage.list(classes, "", o -> o.path("globalDefault").asBoolean(false), 0, null, 0, false)
        .items()) {
      // Upstream picks the lowest value when several classes claim to be the default.
      if (best == null || pc.path("value").asLong() < best.path("value").asLong()) {
        best = pc;
      }
    }
    return best;
  }
}
