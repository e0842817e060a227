package io.bosun.apiserver.registry.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.apiserver.registry.KindStrategy;
import java.util.Map;
import java.util.Set;

/** Events: created by PUT as well, expire after an hour (upstream's --event-ttl), rich field selectors. */
public final class EventStrategy implements KindStrategy {

  private static final Set<String> FIELDS = Set.of("involvedObject.kind", "involvedObject.namespace",
      "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
      "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type");

  private final long ttlSeconds;

  public EventStrategy(long ttlSeconds) {
    this.ttlSeconds = ttlSeconds;
  }

  @Override
  public boolean allowCreateOnUpdate() {
    return true;
  }

  @Override
  public long ttlSeconds() {
    return ttlSeconds;
  }

  @Override
  public Set<String> fieldLabels() {
    return FIELDS;
  }

  @Override
  public Map<String, String> selectableFields(JsonNode obj) {
    Map<String, String> f = new java.util.HashMap<>(Fields.of(obj, FIELDS));
    String source = obj.path("reportingComponent").asText("");
    f.put("source", source.isEmpty() ? obj.path("source").path("component").asText("") : source);
    return f;
  }
}
