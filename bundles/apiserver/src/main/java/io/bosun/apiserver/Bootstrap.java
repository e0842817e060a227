package io.bosun.apiserver;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.values.Times;
import io.bosun.apiserver.registry.ResourceRegistry;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.status.ApiException;
import io.bosun.apiserver.storage.ObjectStorage;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/**
 * Creates what upstream's API server creates at start: the system namespaces and the built-in
 * priority classes. Idempotent: existing objects are left alone.
 */
final class Bootstrap {

  static final List<String> NAMESPACES = List.of("default", "kube-system", "kube-public", "kube-node-lease");

  private final ResourceRegistry registry;
  private final ObjectStorage storage;
  private final Clock clock;

  Bootstrap(ResourceRegistry registry, ObjectStorage storage, Clock clock) {
    this.registry = registry;
    this.storage = storage;
    this.clock = clock;
  }

  void run() {
    ResourceType namespaces = registry.find("", "v1", "namespaces");
    for (String name : NAMESPACES) {
      ObjectNode ns = object("v1", "Namespace", name);
      ns.putObject("spec").putArray("finalizers").add("kubernetes");
      ns.putObject("status").put("phase", "Active");
      ((ObjectNode) ns.get("metadata")).putObject("labels").put("kubernetes.io/metadata.name", name);
      createIfMissing(namespaces, ns);
    }
    ResourceType classes = registry.find("scheduling.k8s.io", "v1", "priorityclasses");
    if (classes != null) {
      createIfMissing(classes, priorityClass("system-node-critical", 2000001000,
          "Used for system critical pods that must not be moved from their current node."));
      createIfMissing(classes, priorityClass("system-cluster-critical", 2000000000,
          "Used for system critical pods that must run in the cluster, but can be moved to another node if "
              + "necessary."));
    }
  }

  private ObjectNode priorityClass(String name, int value, String description) {
    ObjectNode pc = object("scheduling.k8s.io/v1", "PriorityClass", name);
    pc.put("value", value);
    pc.put("description", description);
    pc.put("preemptionPolicy", "PreemptLowerPriority");
    return pc;
  }

  private ObjectNode object(String apiVersion, String kind, String name) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("apiVersion", apiVersion);
    o.put("kind", kind);
    ObjectNode meta = o.putObject("metadata");
    meta.put("name", name);
    meta.put("uid", UUID.randomUUID().toString());
    meta.put("creationTimestamp", Times.formatSeconds(clock.instant()));
    return o;
  }

  private void createIfMissing(ResourceType type, ObjectNode obj) {
    String name = obj.path("metadata").path("name").asText();
    if (storage.get(type, "", name) != null) {
      return;
    }
    try {
      storage.create(type, obj, 0);
    } catch (ApiException e) {
      if (e.code() != 409) {
        throw e;
      }
    }
  }
}
