package io.bosun.cni.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a CNI ADD result the runtime needs: the pod's addresses. Understands result
 * versions 0.3.x, 0.4.0 and 1.x ({@code ips} with interface indexes) and 0.1/0.2 ({@code ip4}, {@code ip6}).
 *
 * @param ips     addresses without prefix length, those on interfaces inside the sandbox first
 * @param gateway the first address's gateway; "" if none
 */
public record CniResult(List<String> ips, String gateway) {

  public CniResult {
    ips = List.copyOf(ips);
    gateway = gateway == null ? "" : gateway;
  }

  /** Parses a result document; an error document ({@code code}, {@code msg}) gives an exception. */
  public static CniResult parse(JsonNode n) {
    if (n.has("code") && n.has("msg")) {
      throw new IllegalArgumentException(error(n));
    }
    List<String> inside = new ArrayList<>();
    List<String> other = new ArrayList<>();
    String gwInside = "";
    String gwOther = "";
    JsonNode interfaces = n.path("interfaces");
    for (JsonNode ip : n.path("ips")) {
      String address = strip(ip.path("address").asText(""));
      if (address.isEmpty()) {
        continue;
      }
      boolean sandbox = true;
      if (ip.has("interface") && interfaces.isArray()) {
        JsonNode itf = interfaces.path(ip.path("interface").asInt());
        sandbox = !itf.path("sandbox").asText("").isEmpty();
      }
      if (sandbox) {
        inside.add(address);
        gwInside = gwInside.isEmpty() ? ip.path("gateway").asText("") : gwInside;
      } else {
        other.add(address);
        gwOther = gwOther.isEmpty() ? ip.path("gateway").asText("") : gwOther;
      }
    }
    for (String key : List.of("ip4", "ip6")) { // CNI 0.1 / 0.2
      JsonNode old = n.path(key);
      if (old.has("ip")) {
        inside.add(strip(old.path("ip").asText()));
        gwInside = gwInside.isEmpty() ? old.path("gateway").asText("") : gwInside;
      }
    }
    // IPv4 first: the pod's primary IP, as upstream picks it for single-stack clusters.
    List<String> all = new ArrayList<>();
    inside.stream().filter(a -> !a.contains(":")).forEach(all::add);
    inside.stream().filter(a -> a.contains(":")).forEach(all::add);
    all.addAll(other);
    return new CniResult(all, !gwInside.isEmpty() ? gwInside : gwOther);
  }

  /** "msg (details)" of an error document. */
  static String error(JsonNode n) {
    String msg = n.path("msg").asText("");
    String details = n.path("details").asText("");
    return "CNI error " + n.path("code").asInt() + ": " + msg + (details.isEmpty() ? "" : " (" + details + ")");
  }

  private static String strip(String cidr) {
    int slash = cidr.indexOf('/');
    return slash < 0 ? cidr : cidr.substring(0, slash);
  }
}
