package io.bosun.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.registry.ResourceType;

/**
 * The defaulting part of upstream's ServiceAccount admission: a pod without a service account
 * runs as {@code default}. Token projection comes with authentication.
 */
public final class ServiceAccounts implements AdmissionPlugin {

  @Override
  public void admit(Operation operation, ResourceType type, String subresource, ObjectNode obj, ObjectNode old,
      AdmissionContext context) {
    if (operation != Operation.CREATE || !type.group().isEmpty() || !type.plural().equals("pods")) {
      return;
    }
    ObjectNode spec = obj.withObjectProperty("spec");
    String name = spec.path("serviceAccountName").asText("");
    if (name.isEmpty()) {
      name = spec.path("serviceAccount").asText("");
    }
    if (name.isEmpty()) {
      name = "default";
    }
    spec.put("serviceAccountName", name);
    // The deprecated alias is kept equal, as upstream's defaulting does.
    spec.put("serviceAccount", name);
  }
}
