package io.bosun.apiserver.registry.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.registry.KindStrategy;
import io.bosun.apiserver.registry.ResourceType;
import java.util.Map;
import java.util.Set;

/**
 * Namespaces: Active on create with the {@code kubernetes} finalizer in the spec; deleting one
 * makes it Terminating until the namespace controller has emptied it and cleared the finalizer.
 */
public final class NamespaceStrategy implements KindStrategy {

  @Override
  public void prepareForCreate(ObjectNode obj, ResourceType type) {
    obj.putObject("status").put("phase", "Active");
    ObjectNode spec = obj.withObjectProperty("spec");
    var finalizers = spec.putArray("finalizers");
    finalizers.add("kubernetes");
  }

  @Override
  public boolean deletionHeld(JsonNode obj) {
    JsonNode f = obj.path("spec").path("finalizers");
    return f.isArray() && !f.isEmpty();
  }

  @Override
  public void prepareForPendingDeletion(ObjectNode obj) {
    obj.withObjectProperty("status").put("phase", "Terminating");
  }

  @Override
  public Set<String> fieldLabels() {
    return Set.of("status.phase");
  }

  @Override
  public Map<String, String> selectableFields(JsonNode obj) {
    return Fields.of(obj, fieldLabels());
  }
}
