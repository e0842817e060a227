package io.bosun.apiserver.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.registry.ResourceType;

/**
 * One step of the admission chain, run after defaulting and the kind strategy and before
 * validation and storage. A plugin may change {@code obj} (mutating admission) and rejects a
 * request by throwing an {@code ApiException}. Plugins are stateless apart from what they read
 * through the {@link AdmissionContext}.
 */
public interface AdmissionPlugin {

  /**
   * @param obj the object to be stored (null for DELETE)
   * @param old the stored object (null for CREATE)
   */
  void admit(Operation operation, ResourceType type, String subresource, ObjectNode obj, ObjectNode old,
      AdmissionContext context);
}
