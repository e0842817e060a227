package io.bosun.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.validation.FieldError;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.rest.Resources;
import io.bosun.apiserver.status.ApiException;
import io.bosun.apiserver.storage.JsonNodes;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.KeyValueStore;
import io.bosun.store.spi.WriteResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Allocates Service cluster IPs and node ports, as upstream's service registry does. Each
 * allocation is a key of its own in the store, claimed with create-if-absent, so two services
 * can never get the same IP or port. A claim records its owner and time; a claim whose owner
 * never got stored (its create failed after admission) is reclaimed once it is a minute old.
 */
public final class ServiceAllocation implements AdmissionPlugin, Resources.DeletionAware {

  private static final String IP_PREFIX = "/registry/allocations/serviceips/";
  private static final String PORT_PREFIX = "/registry/allocations/servicenodeports/";
  private static final long STALE_CLAIM_MILLIS = 60_000;

  private final KeyValueStore store;
  private final com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
  private final long ipBase;
  private final long ipCount;
  private final int portFirst;
  private final int portLast;

  public ServiceAllocation(KeyValueStore store, String cidr, String nodePortRange) {
    this.store = store;
    String[] parts = cidr.split("/");
    int bits = Integer.parseInt(parts[1]);
    long base = ipToLong(parts[0]);
    this.ipCount = 1L << (32 - bits);
    this.ipBase = base & ~(ipCount - 1);
    String[] range = nodePortRange.split("-");
    this.portFirst = Integer.parseInt(range[0].trim());
    this.portLast = Integer.parseInt(range[1].trim());
  }

  private static boolean isService(ResourceType type) {
    return type.group().isEmpty() && type.plural().equals("services");
  }

  @Override
  public void admit(Operation operation, ResourceType type, String subresource, ObjectNode obj, ObjectNode old,
      AdmissionContext context) {
    if (!isService(type) || operation == Operation.DELETE || !subresource.isEmpty() || context.dryRun()) {
      return;
    }
    String owner = JsonNodes.namespace(obj) + "/" + JsonNodes.name(obj);
    ObjectNode spec = obj.withObjectProperty("spec");
    String serviceType = spec.path("type").asText("ClusterIP");
    if (!serviceType.equals("ExternalName")) {
      String ip = spec.path("clusterIP").asText("");
      String oldIp = old == null ? "" : old.path("spec").path("clusterIP").asText("");
      if (ip.isEmpty()) {
        ip = allocateIp(owner);
      } else if (!ip.equals("None") && !ip.equals(oldIp)) {
        claimIp(owner, ip, obj);
      }
      spec.put("clusterIP", ip);
      spec.putArray("clusterIPs").add(ip);
      if (!ip.equals("None")) {
        spec.putArray("ipFamilies").add("IPv4");
        spec.put("ipFamilyPolicy", "SingleStack");
      }
    }
    boolean wantsNodePorts = serviceType.equals("NodePort") || serviceType.equals("LoadBalancer");
    int index = 0;
    for (JsonNode port : spec.path("ports")) {
      if (port instanceof ObjectNode p) {
        int requested = p.path("nodePort").asInt(0);
        if (!wantsNodePorts) {
          if (requested != 0) {
            release(PORT_PREFIX + requested, owner);
          }
          p.remove("nodePort");
        } else if (requested == 0) {
          p.put("nodePort", allocatePort(owner));
        } else if (!ownedPort(old, requested)) {
          claimPort(owner, requested, index, obj);
        }
      }
      index++;
    }
  }

  private boolean ownedPort(ObjectNode old, int port) {
    if (old == null) {
      return false;
    }
    for (JsonNode p : old.path("spec").path("ports")) {
      if (p.path("nodePort").asInt(0) == port) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void deleted(ResourceType type, ObjectNode obj) {
    if (!isService(type)) {
      return;
    }
    String owner = JsonNodes.namespace(obj) + "/" + JsonNodes.name(obj);
    String ip = obj.path("spec").path("clusterIP").asText("");
    if (!ip.isEmpty() && !ip.equals("None")) {
      release(IP_PREFIX + ip, owner);
    }
    for (JsonNode p : obj.path("spec").path("ports")) {
      if (p.has("nodePort")) {
        release(PORT_PREFIX + p.get("nodePort").asInt(), owner);
      }
    }
  }

  private String allocateIp(String owner) {
    // Offset 0 is the network address, 1 is upstream's kubernetes service, the last is broadcast.
    long usable = ipCount - 3;
    long start = ThreadLocalRandom.current().nextLong(usable);
    for (long i = 0; i < usable; i++) {
      String ip = longToIp(ipBase + 2 + (start + i) % usable);
      if (claim(IP_PREFIX + ip, owner)) {
        return ip;
      }
    }
    throw ApiException.internal("failed to allocate a service IP: range is full");
  }

  private void claimIp(String owner, String ip, ObjectNode obj) {
    long value;
    try {
      value = ipToLong(ip);
    } catch (IllegalArgumentException e) {
      return; // validation reports a malformed IP
    }
    if (value < ipBase || value >= ipBase + ipCount) {
      throw invalid(obj, "spec.clusterIPs", List.of(ip), "failed to allocate IP " + ip + ": the provided IP ("
          + ip + ") is not in the valid range. The range of valid IPs is " + longToIp(ipBase) + "/"
          + (32 - Long.numberOfTrailingZeros(ipCount)));
    }
    if (!claim(IP_PREFIX + ip, owner)) {
      throw invalid(obj, "spec.clusterIPs", List.of(ip), "failed to allocate IP " + ip
          + ": provided IP is already allocated");
    }
  }

  private int allocatePort(String owner) {
    int count = portLast - portFirst + 1;
    int start = ThreadLocalRandom.current().nextInt(count);
    for (int i = 0; i < count; i++) {
      int port = portFirst + (start + i) % count;
      if (claim(PORT_PREFIX + port, owner)) {
        return port;
      }
    }
    throw ApiException.internal("failed to allocate a node port: range is full");
  }

  private void claimPort(String owner, int port, int index, ObjectNode obj) {
    String field = "spec.ports[" + index + "].nodePort";
    if (port < portFirst || port > portLast) {
      throw invalid(obj, field, port, "provided port is not in the valid range. The range of valid ports is "
          + portFirst + "-" + portLast);
    }
    if (!claim(PORT_PREFIX + port, owner)) {
      throw invalid(obj, field, port, "provided port is already allocated");
    }
  }

  private static ApiException invalid(ObjectNode obj, String field, Object value, String detail) {
    return ApiException.invalid("Service", "", JsonNodes.name(obj), List.of(FieldError.invalid(field, value, detail)));
  }

  /** Claims a key for {@code owner}; takes over a stale claim. */
  private boolean claim(String key, String owner) {
    byte[] value = (owner + "@" + System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8);
    WriteResult r = store.create(key, value, 0);
    if (r.succeeded()) {
      return true;
    }
    KeyValue current = r.kv();
    if (current == null || !isStale(current)) {
      return false;
    }
    return store.update(key, value, current.modRevision(), 0).succeeded();
  }

  /** A claim is stale when it is old and its owner does not hold it in the store. */
  private boolean isStale(KeyValue claim) {
    String text = new String(claim.value(), StandardCharsets.UTF_8);
    int at = text.lastIndexOf('@');
    long since = at < 0 ? 0 : Long.parseLong(text.substring(at + 1));
    if (System.currentTimeMillis() - since < STALE_CLAIM_MILLIS) {
      return false;
    }
    String owner = at < 0 ? text : text.substring(0, at);
    KeyValue service = store.get("/registry/services/" + owner);
    if (service == null) {
      return true;
    }
    String resource = claim.key().substring(claim.key().lastIndexOf('/') + 1);
    JsonNode spec;
    try {
      spec = mapper.readTree(service.value()).path("spec");
    } catch (java.io.IOException e) {
      return false;
    }
    if (claim.key().startsWith(IP_PREFIX)) {
      return !spec.path("clusterIP").asText("").equals(resource);
    }
    for (JsonNode p : spec.path("ports")) {
      if (p.path("nodePort").asText("").equals(resource)) {
        return false;
      }
    }
    return true;
  }

  private void release(String key, String owner) {
    KeyValue current = store.get(key);
    if (current != null && new String(current.value(), StandardCharsets.UTF_8).startsWith(owner + "@")) {
      store.delete(key, current.modRevision());
    }
  }

  private static long ipToLong(String ip) {
    String[] octets = ip.split("\\.");
    if (octets.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + ip);
    }
    long v = 0;
    for (String o : octets) {
      int n = Integer.parseInt(o);
      if (n < 0 || n > 255) {
        throw new IllegalArgumentException("not an IPv4 address: " + ip);
      }
      v = (v << 8) | n;
    }
    return v;
  }

  private static String longToIp(long v) {
    return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
  }
}
