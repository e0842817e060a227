package io.bosun.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.status.ApiException;
import io.bosun.apiserver.status.ResourceName;
import io.bosun.apiserver.storage.JsonNodes;
import io.bosun.apiserver.storage.StoredObject;
import java.util.Set;

/**
 * Upstream's NamespaceLifecycle: nothing is created in a namespace that does not exist or is
 * being terminated, and the system namespaces cannot be deleted.
 */
public final class NamespaceLifecycle implements AdmissionPlugin {

  /** Namespaces the server creates at start and refuses to delete. */
  public static final Set<String> IMMORTAL = Set.of("default", "kube-system", "kube-public");

  private static final ResourceName NAMESPACES = new ResourceName("", "namespaces");

  @Override
  public void admit(Operation operation, ResourceType type, String subresource, ObjectNode obj, ObjectNode old,
      AdmissionContext context) {
    if (type.group().isEmpty() && type.plural().equals("namespaces")) {
      if (operation == Operation.DELETE && IMMORTAL.contains(JsonNodes.name(old))) {
        throw ApiException.forbidden(NAMESPACES, JsonNodes.name(old), "this namespace may not be deleted");
      }
      return;
    }
    if (operation != Operation.CREATE || !type.namespaced()) {
      return;
    }
    String namespace = JsonNodes.namespace(obj);
    ResourceType namespaces = context.registry().find("", "v1", "namespaces");
    StoredObject ns = context.storage().get(namespaces, "", namespace);
    if (ns == null) {
      throw ApiException.notFound(NAMESPACES, namespace);
    }
    boolean terminating = ns.object().path("metadata").hasNonNull("deletionTimestamp")
        || "Terminating".equals(ns.object().path("status").path("phase").asText());
    // Upstream still lets events and the like be written so termination can be reported.
    if (terminating && !(type.group().isEmpty() && type.plural().equals("events"))) {
      throw ApiException.forbidden(type.resourceName(), JsonNodes.name(obj),
          "unable to create new content in namespace " + namespace + " because it is being terminated");
    }
  }
}
