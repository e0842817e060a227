package io.bosun.apiserver.registry.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.registry.KindStrategy;
import io.bosun.apiserver.registry.ResourceType;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The strategy of every kind with behaviour beyond the generic one, by kind name. */
public final class Strategies {

  private Strategies() {
  }

  public static Map<String, KindStrategy> all(long eventTtlSeconds) {
    Map<String, KindStrategy> m = new HashMap<>();
    m.put("Pod", new PodStrategy());
    m.put("Namespace", new NamespaceStrategy());
    m.put("Service", new ServiceStrategy());
    m.put("Node", new NodeStrategy());
    m.put("Event", new EventStrategy(eventTtlSeconds));
    m.put("Deployment", new GenerationTracking());
    m.put("ReplicaSet", new GenerationTracking("status.replicas"));
    m.put("DaemonSet", new GenerationTracking());
    m.put("StatefulSet", new GenerationTracking());
    m.put("Job", new GenerationTracking("status.successful"));
    m.put("CronJob", new GenerationTracking());
    m.put("PodDisruptionBudget", new GenerationTracking());
    m.put("Lease", createOnUpdate());
    m.put("Endpoints", createOnUpdate());
    m.put("Secret", selectable("type"));
    m.put("PersistentVolumeClaim", initialPhase("Pending"));
    m.put("PersistentVolume", initialPhase("Pending"));
    return m;
  }

  private static KindStrategy createOnUpdate() {
    return new KindStrategy() {
      @Override
      public boolean allowCreateOnUpdate() {
        return true;
      }
    };
  }

  private static KindStrategy selectable(String... fields) {
    Set<String> labels = Set.of(fields);
    return new KindStrategy() {
      @Override
      public Set<String> fieldLabels() {
        return labels;
      }

      @Override
      public Map<String, String> selectableFields(JsonNode obj) {
        return Fields.of(obj, labels);
      }
    };
  }

  private static KindStrategy initialPhase(String phase) {
    return new KindStrategy() {
      @Override
      public void prepareForCreate(ObjectNode obj, ResourceType type) {
        obj.putObject("status").put("phase", phase);
      }
    };
  }
}
