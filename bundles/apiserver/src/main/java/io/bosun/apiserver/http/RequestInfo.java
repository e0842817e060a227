package io.bosun.apiserver.http;

import java.util.List;
import java.util.Set;

/**
 * What a resource request addresses, parsed from its path as upstream's RequestInfoFactory does:
 * {@code /api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]} and the same under
 * {@code /apis/{group}/{version}}, plus the legacy {@code /watch/} prefix.
 *
 * @param verb one of get, list, watch, create, update, patch, delete, deletecollection
 */
public record RequestInfo(String group, String version, String namespace, String resource, String name,
    String subresource, String verb) {

  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

  /** Parses a resource path; null when the path is not a resource path. */
  public static RequestInfo parse(String method, String path, boolean watchParam) {
    List<String> parts = List.of(path.replaceAll("^/+|/+$", "").split("/+"));
    String group;
    String version;
    int i;
    if (parts.size() >= 3 && parts.get(0).equals("api")) {
      group = "";
      version = parts.get(1);
      i = 2;
    } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      version = parts.get(2);
      i = 3;
    } else {
      return null;
    }
    List<String> rest = parts.subList(i, parts.size());
    boolean legacyWatch = false;
    if (!rest.isEmpty() && rest.get(0).equals("watch")) {
      legacyWatch = true;
      rest = rest.subList(1, rest.size());
    }
    if (rest.isEmpty()) {
      return null;
    }
    String namespace = "";
    if (rest.get(0).equals("namespaces") && rest.size() > 1) {
      namespace = rest.get(1);
      if (rest.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
        rest = rest.subList(2, rest.size());
      }
    }
    String resource = rest.get(0);
    String name = rest.size() > 1 ? rest.get(1) : "";
    String subresource = rest.size() > 2 ? rest.get(2) : "";
    if (rest.size() > 3 || resource.isEmpty()) {
      return null;
    }
    if (resource.equals("namespaces")) {
      // /api/v1/namespaces/{name}[/status|/finalize] address the (cluster-scoped) namespace itself.
      namespace = "";
    }
    String verb = switch (method) {
      case "GET", "HEAD" -> name.isEmpty() ? (legacyWatch || watchParam ? "watch" : "list")
          : (legacyWatch || watchParam ? "watch" : "get");
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name.isEmpty() ? "deletecollection" : "delete";
      default -> method.toLowerCase(java.util.Locale.ROOT);
    };
    return new RequestInfo(group, version, namespace, resource, name, subresource, verb);
  }

  /** {@code v1} or {@code group/version}. */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }
}
