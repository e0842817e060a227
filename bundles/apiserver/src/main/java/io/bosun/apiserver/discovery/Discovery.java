package io.bosun.apiserver.discovery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.registry.ResourceRegistry;
import io.bosun.apiserver.registry.ResourceType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The discovery documents clients read to learn what is served: {@code /version}, {@code /api},
 * {@code /apis}, and an APIResourceList per group version, in upstream's shapes.
 */
public final class Discovery {

  /** The Kubernetes release whose API this server implements; kubectl picks its version by it. */
  public static final String MAJOR = "1";
  public static final String MINOR = "32";

  private final ResourceRegistry registry;
  private final ObjectMapper mapper;
  private final String bosunVersion;

  public Discovery(ResourceRegistry registry, ObjectMapper mapper, String bosunVersion) {
    this.registry = registry;
    this.mapper = mapper;
    this.bosunVersion = bosunVersion;
  }

  public ObjectNode version() {
    ObjectNode v = mapper.createObjectNode();
    v.put("major", MAJOR);
    v.put("minor", MINOR);
    v.put("emulationMajor", MAJOR);
    v.put("emulationMinor", MINOR);
    v.put("gitVersion", "v" + MAJOR + "." + MINOR + ".0-bosun." + bosunVersion);
    v.put("gitCommit", "");
    v.put("gitTreeState", "clean");
    v.put("buildDate", "");
    v.put("goVersion", "java" + Runtime.version().feature());
    v.put("compiler", "bosun");
    v.put("platform", System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT) + "/"
        + (System.getProperty("os.arch").equals("amd64") ? "amd64" : System.getProperty("os.arch")));
    return v;
  }

  /** {@code /api}: the core group's versions. */
  public ObjectNode coreVersions(String serverAddress) {
    ObjectNode n = mapper.createObjectNode();
    n.put("kind", "APIVersions");
    n.putArray("versions").add("v1");
    ArrayNode addresses = n.putArray("serverAddressByClientCIDRs");
    ObjectNode a = addresses.addObject();
    a.put("clientCIDR", "0.0.0.0/0");
    a.put("serverAddress", serverAddress);
    return n;
  }

  /** {@code /apis}: every named group with its versions. */
  public ObjectNode groups() {
    ObjectNode n = mapper.createObjectNode();
    n.put("kind", "APIGroupList");
    n.put("apiVersion", "v1");
    ArrayNode groups = n.putArray("groups");
    for (Map.Entry<String, List<String>> g : namedGroups().entrySet()) {
      groups.add(group(g.getKey(), g.getValue()));
    }
    return n;
  }

  /** {@code /apis/{group}}, or null when the group is not served. */
  public ObjectNode group(String name) {
    List<String> versions = namedGroups().get(name);
    return versions == null ? null : group(name, versions);
  }

  private ObjectNode group(String name, List<String> versions) {
    ObjectNode g = mapper.createObjectNode();
    g.put("kind", "APIGroup");
    g.put("apiVersion", "v1");
    g.put("name", name);
    ArrayNode vs = g.putArray("versions");
    for (String v : versions) {
      ObjectNode gv = vs.addObject();
      gv.put("groupVersion", name + "/" + v);
      gv.put("version", v);
    }
    ObjectNode preferred = g.putObject("preferredVersion");
    preferred.put("groupVersion", name + "/" + versions.get(0));
    preferred.put("version", versions.get(0));
    return g;
  }

  private Map<String, List<String>> namedGroups() {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (String gv : registry.groupVersions()) {
      int slash = gv.indexOf('/');
      if (slash > 0) {
        groups.computeIfAbsent(gv.substring(0, slash), k -> new ArrayList<>()).add(gv.substring(slash + 1));
      }
    }
    return groups;
  }

  /** The APIResourceList of {@code v1} or {@code group/version}, or null when not served. */
  public ObjectNode resources(String groupVersion) {
    List<ResourceType> types = registry.resources(groupVersion);
    if (types.isEmpty()) {
      return null;
    }
    ObjectNode n = mapper.createObjectNode();
    n.put("kind", "APIResourceList");
    n.put("apiVersion", "v1");
    n.put("groupVersion", groupVersion);
    ArrayNode list = n.putArray("resources");
    for (ResourceType t : types) {
      ObjectNode r = list.addObject();
      r.put("name", t.plural());
      r.put("singularName", t.info().singular());
      r.put("namespaced", t.namespaced());
      r.put("kind", t.kind());
      strings(r.putArray("verbs"), t.verbs());
      if (!t.info().shortNames().isEmpty()) {
        strings(r.putArray("shortNames"), t.info().shortNames());
      }
      if (!t.info().categories().isEmpty()) {
        strings(r.putArray("categories"), t.info().categories());
      }
      for (String sub : t.info().subresources()) {
        Subresource s = Subresource.of(sub, t);
        if (s == null) {
          continue;
        }
        ObjectNode sr = list.addObject();
        sr.put("name", t.plural() + "/" + sub);
        sr.put("singularName", "");
        sr.put("namespaced", t.namespaced());
        if (s.group() != null) {
          sr.put("group", s.group());
          sr.put("version", s.version());
        }
        sr.put("kind", s.kind());
        strings(sr.putArray("verbs"), s.verbs());
      }
    }
    return n;
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }

  /** How a served subresource is described in discovery; null for ones not served yet. */
  private record Subresource(String group, String version, String kind, List<String> verbs) {
    static Subresource of(String name, ResourceType t) {
      return switch (name) {
        case "status" -> new Subresource(null, null, t.kind(), List.of("get", "patch", "update"));
        case "scale" -> new Subresource("autoscaling", "v1", "Scale", List.of("get", "patch", "update"));
        case "binding" -> new Subresource(null, null, "Binding", List.of("create"));
        case "eviction" -> new Subresource("policy", "v1", "Eviction", List.of("create"));
        case "finalize" -> new Subresource(null, null, t.kind(), List.of("update"));
        default -> null;
      };
    }
  }
}
