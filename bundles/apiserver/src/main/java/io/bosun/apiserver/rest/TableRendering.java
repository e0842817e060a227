package io.bosun.apiserver.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.registry.ResourceType;
import java.util.List;

/** Turns objects into a {@code meta.k8s.io/v1} Table for {@code kubectl get}. */
public interface TableRendering {

  /**
   * @param listMeta      the list metadata to carry (resourceVersion, continue ...)
   * @param includeObject None, Metadata or Object (upstream's {@code includeObject} parameter)
   */
  ObjectNode table(ResourceType type, List<ObjectNode> objects, ObjectNode listMeta, String includeObject);
}
