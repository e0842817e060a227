package io.bosun.apiserver.registry.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.registry.KindStrategy;
import io.bosun.apiserver.registry.ResourceType;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Pods: initial status with QoS class, graceful deletion for running pods, node and phase selectors. */
public final class PodStrategy implements KindStrategy {

  private static final Set<String> FIELDS = Set.of("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
      "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
      "status.nominatedNodeName");

  @Override
  public void prepareForCreate(ObjectNode obj, ResourceType type) {
    ObjectNode status = obj.putObject("status");
    status.put("phase", "Pending");
    status.put("qosClass", qosClass(obj.path("spec")));
  }

  @Override
  public Set<String> fieldLabels() {
    return FIELDS;
  }

  @Override
  public Map<String, String> selectableFields(JsonNode obj) {
    Map<String, String> f = new HashMap<>(Fields.of(obj, FIELDS));
    f.put("spec.hostNetwork", Boolean.toString(obj.path("spec").path("hostNetwork").asBoolean(false)));
    JsonNode ips = obj.path("status").path("podIPs");
    if (ips.isArray() && !ips.isEmpty()) {
      StringBuilder b = new StringBuilder();
      ips.forEach(ip -> b.append(b.length() == 0 ? "" : ",").append(ip.path("ip").asText()));
      f.put("status.podIPs", b.toString());
    }
    return f;
  }

  /**
   * Upstream's rules: pods not bound to a node and pods that have finished go at once; others
   * get the requested grace period, else their {@code terminationGracePeriodSeconds}.
   */
  @Override
  public long gracePeriodSeconds(JsonNode obj, Long requested) {
    String phase = obj.path("status").path("phase").asText("");
    if (obj.path("spec").path("nodeName").asText("").isEmpty() || phase.equals("Succeeded")
        || phase.equals("Failed")) {
      return 0;
    }
    if (requested != null) {
      return requested;
    }
    return obj.path("spec").path("terminationGracePeriodSeconds").asLong(30);
  }

  @Override
  public boolean returnDeletedObject() {
    return true;
  }

  /** The pod's QoS class as upstream's GetPodQOS computes it. */
  static String qosClass(JsonNode spec) {
    boolean anyRequestOrLimit = false;
    boolean guaranteed = true;
    for (String list : new String[] {"initContainers", "containers"}) {
      for (JsonNode c : spec.path(list)) {
        JsonNode requests = c.path("resources").path("requests");
        JsonNode limits = c.path("resources").path("limits");
        for (String r : new String[] {"cpu", "memory"}) {
          JsonNode req = requests.get(r);
          JsonNode lim = limits.get(r);
          if (req != null && !isZero(req) || lim != null && !isZero(lim)) {
            anyRequestOrLimit = true;
          }
          if (lim == null || isZero(lim)) {
            guaranteed = false;
          } else if (req != null && !req.asText().equals(lim.asText())) {
            guaranteed = false;
          }
        }
      }
    }
    if (!anyRequestOrLimit) {
      return "BestEffort";
    }
    return guaranteed ? "Guaranteed" : "Burstable";
  }

  private static boolean isZero(JsonNode quantity) {
    return quantity.asText().equals("0");
  }
}
