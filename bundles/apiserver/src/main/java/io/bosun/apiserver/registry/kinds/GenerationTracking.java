package io.bosun.apiserver.registry.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.apiserver.registry.KindStrategy;
import java.util.Map;
import java.util.Set;

/**
 * Workloads (Deployment, ReplicaSet, DaemonSet, StatefulSet, Job, CronJob, PodDisruptionBudget):
 * {@code metadata.generation} counts spec changes so controllers can report observedGeneration.
 */
public class GenerationTracking implements KindStrategy {

  private final Set<String> fieldLabels;

  public GenerationTracking(String... fieldLabels) {
    this.fieldLabels = Set.of(fieldLabels);
  }

  @Override
  public boolean tracksGeneration() {
    return true;
  }

  @Override
  public Set<String> fieldLabels() {
    return fieldLabels;
  }

  @Override
  public Map<String, String> selectableFields(JsonNode obj) {
    return Fields.of(obj, fieldLabels);
  }
}
