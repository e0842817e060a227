package io.bosun.apiserver.registry.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.registry.KindStrategy;
import io.bosun.apiserver.registry.ResourceType;
import java.util.Map;
import java.util.Set;

/**
 * Services: empty load-balancer status on create; an update that leaves out the allocated
 * cluster IPs or node ports keeps them, as upstream does.
 */
public final class ServiceStrategy implements KindStrategy {

  @Override
  public void prepareForCreate(ObjectNode obj, ResourceType type) {
    obj.putObject("status").putObject("loadBalancer");
  }

  @Override
  public void prepareForUpdate(ObjectNode obj, ObjectNode old, ResourceType type) {
    KindStrategy.super.prepareForUpdate(obj, old, type);
    ObjectNode spec = obj.withObjectProperty("spec");
    JsonNode oldSpec = old.path("spec");
    String type1 = spec.path("type").asText("ClusterIP");
    if (!type1.equals("ExternalName")) {
      for (String f : new String[] {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"}) {
        if (!spec.hasNonNull(f) && oldSpec.has(f)) {
          spec.set(f, oldSpec.get(f).deepCopy());
        }
      }
    }
    // Keep allocated node ports for ports that still exist and did not ask for a specific one.
    JsonNode oldPorts = oldSpec.path("ports");
    for (JsonNode port : spec.path("ports")) {
      if (port instanceof ObjectNode p && !p.hasNonNull("nodePort")) {
        for (JsonNode o : oldPorts) {
          if (o.path("port").asInt() == p.path("port").asInt()
              && o.path("protocol").asText("TCP").equals(p.path("protocol").asText("TCP")) && o.has("nodePort")) {
            p.set("nodePort", o.get("nodePort").deepCopy());
          }
        }
      }
    }
  }

  @Override
  public Set<String> fieldLabels() {
    return Set.of("spec.clusterIP", "spec.type");
  }

  @Override
  public Map<String, String> selectableFields(JsonNode obj) {
    return Fields.of(obj, fieldLabels());
  }
}
