package io.bosun.apiserver.registry.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.registry.KindStrategy;
import io.bosun.apiserver.registry.ResourceType;
import java.util.Map;
import java.util.Set;

/** Nodes: status may be set on create (a kubelet registers with it), selectable by unschedulable. */
public final class NodeStrategy implements KindStrategy {

  @Override
  public void prepareForCreate(ObjectNode obj, ResourceType type) {
    // Nodes keep the status they are created with, as upstream allows.
  }

  @Override
  public Set<String> fieldLabels() {
    return Set.of("spec.unschedulable");
  }

  @Override
  public Map<String, String> selectableFields(JsonNode obj) {
    return Map.of("spec.unschedulable", Boolean.toString(obj.path("spec").path("unschedulable").asBoolean(false)));
  }
}
