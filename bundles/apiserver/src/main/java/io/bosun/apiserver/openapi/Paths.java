package io.bosun.apiserver.openapi;

import static io.bosun.apiserver.openapi.Json.NF;
import static io.bosun.apiserver.openapi.Json.obj;
import static io.bosun.apiserver.openapi.Json.ref;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.KindInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The {@code paths} upstream's API server installs for a resource: collection and item
 * operations, subresources and the deprecated watch paths, with upstream's operation ids,
 * descriptions, parameters, request bodies and responses.
 */
final class Paths {

  /** Kinds whose DELETE answers with the deleted object rather than a Status, as upstream. */
  private static final Set<String> RETURNS_DELETED_OBJECT = Set.of("/Pod", "/Service", "/PersistentVolume",
      "/PersistentVolumeClaim");

  private static final List<String> JSON_PB_YAML = List.of("application/json", "application/vnd.kubernetes.protobuf",
      "application/yaml");
  private static final List<String> WITH_WATCH = List.of("application/json", "application/json;stream=watch",
      "application/vnd.kubernetes.protobuf", "application/vnd.kubernetes.protobuf;stream=watch",
      "application/yaml");

  private final Schemas schemas;

  Paths(Schemas schemas) {
    this.schemas = schemas;
  }

  // ------------------------------------------------------------------ naming

  /** {@code apps} → {@code Apps}, {@code rbac.authorization.k8s.io} → {@code RbacAuthorization}, core → {@code Core}. */
  static String groupCamel(String group) {
    if (group.isEmpty()) {
      return "Core";
    }
    String g = group.endsWith(".k8s.io") ? group.substring(0, group.length() - ".k8s.io".length()) : group;
    StringBuilder b = new StringBuilder();
    for (String part : g.split("\\.")) {
      b.append(capitalize(part));
    }
    return b.toString();
  }

  /** The operation tag: {@code core_v1}, {@code apps_v1}, {@code rbacAuthorization_v1}. */
  static String tag(String group, String version) {
    String camel = groupCamel(group);
    return Character.toLowerCase(camel.charAt(0)) + camel.substring(1) + "_" + version;
  }

  static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** Upstream's {@code GetArticleForNoun}: no article for plurals such as Endpoints. */
  static String article(String noun) {
    if (!noun.endsWith("ss") && noun.endsWith("s")) {
      return " ";
    }
    return "aeiou".indexOf(Character.toLowerCase(noun.charAt(0))) >= 0 ? " an " : " a ";
  }

  static String prefix(String group, String version) {
    return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }

  // ------------------------------------------------------------------ per resource

  /** Adds every path of {@code kind} to {@code paths}. */
  void addResource(ObjectNode paths, KindInfo kind) {
    String g = groupCamel(kind.group());
    String v = capitalize(kind.version());
    String gv = g + v;
    String tag = tag(kind.group(), kind.version());
    String p = prefix(kind.group(), kind.version());
    String type = schemas.openapiName(kind.typeName());
    String listType = schemas.openapiName(kind.listTypeName());
    ObjectNode gvk = Json.gvk(kind.group(), kind.version(), kind.kind());
    String scoped = kind.namespaced() ? "Namespaced" + kind.kind() : kind.kind();
    String collection = kind.namespaced() ? p + "/namespaces/{namespace}/" + kind.plural() : p + "/" + kind.plural();
    String item = collection + "/{name}";
    Op ops = new Op(tag, gvk);

    boolean list = has(kind, "list");
    boolean watch = has(kind, "watch");
    if (kind.namespaced() && list) {
      ObjectNode all = obj();
      all.set("get", ops.op("list or watch objects of kind " + kind.kind(),
          "list" + gv + kind.kind() + "ForAllNamespaces", "list", null, null, responses(WITH_WATCH, listType, "200")));
      all.set("parameters", params(Params.listParams(), Params.pretty()));
      paths.set(p + "/" + kind.plural(), all);
    }

    ObjectNode coll = obj();
    if (has(kind, "deletecollection")) {
      coll.set("delete", ops.op("delete collection of " + kind.kind(), "delete" + gv + "Collection" + scoped,
          "deletecollection", params(Params.deleteCollectionParams()), deleteBody(),
          responses(JSON_PB_YAML, Schemas.META + "Status", "200")));
    }
    if (list) {
      coll.set("get", ops.op("list or watch objects of kind " + kind.kind(), "list" + gv + scoped, "list",
          params(Params.listParams()), null, responses(WITH_WATCH, listType, "200")));
    }
    if (has(kind, "create")) {
      coll.set("post", ops.op("create" + article(kind.kind()) + kind.kind(), "create" + gv + scoped, "post",
          params(Params.writeParams(false)), body(type), responses(JSON_PB_YAML, type, "200", "201", "202")));
    }
    if (!coll.isEmpty()) {
      coll.set("parameters", params(scopeParams(kind, null)));
      paths.set(collection, coll);
    }

    ObjectNode it = obj();
    if (has(kind, "delete")) {
      String deleted = RETURNS_DELETED_OBJECT.contains(kind.group() + "/" + kind.kind()) ? type
          : Schemas.META + "Status";
      it.set("delete", ops.op("delete" + article(kind.kind()) + kind.kind(), "delete" + gv + scoped, "delete",
          params(Params.deleteParams()), deleteBody(), responses(JSON_PB_YAML, deleted, "200", "202")));
    }
    if (has(kind, "get")) {
      it.set("get", ops.op("read the specified " + kind.kind(), "read" + gv + scoped, "get", null, null,
          responses(JSON_PB_YAML, type, "200")));
    }
    if (has(kind, "patch")) {
      it.set("patch", ops.op("partially update the specified " + kind.kind(), "patch" + gv + scoped, "patch",
          params(Params.patchParams()), patchBody(), responses(JSON_PB_YAML, type, "200", "201")));
    }
    if (has(kind, "update")) {
      it.set("put", ops.op("replace the specified " + kind.kind(), "replace" + gv + scoped, "put",
          params(Params.writeParams(false)), body(type), responses(JSON_PB_YAML, type, "200", "201")));
    }
    if (!it.isEmpty()) {
      it.set("parameters", params(scopeParams(kind, kind.kind())));
      paths.set(item, it);
    }

    for (String sub : kind.subresources()) {
      addSubresource(paths, kind, sub, item, gv, scoped, tag, type, gvk);
    }

    if (watch) {
      String watchPrefix = p + "/watch";
      String watchCollection = kind.namespaced() ? watchPrefix + "/namespaces/{namespace}/" + kind.plural()
          : watchPrefix + "/" + kind.plural();
      String event = Schemas.META + "WatchEvent";
      if (kind.namespaced()) {
        ObjectNode all = obj();
        all.set("get", ops.op("watch individual changes to a list of " + kind.kind()
                + ". deprecated: use the 'watch' parameter with a list operation instead.",
            "watch" + gv + kind.kind() + "ListForAllNamespaces", "watchlist", null, null,
            responses(WITH_WATCH, event, "200")));
        all.set("parameters", params(Params.listParams(), Params.pretty()));
        paths.set(watchPrefix + "/" + kind.plural(), all);
      }
      ObjectNode wl = obj();
      wl.set("get", ops.op("watch individual changes to a list of " + kind.kind()
              + ". deprecated: use the 'watch' parameter with a list operation instead.",
          "watch" + gv + scoped + "List", "watchlist", null, null, responses(WITH_WATCH, event, "200")));
      wl.set("parameters", params(Params.listParams(), scopeParams(kind, null)));
      paths.set(watchCollection, wl);
      ObjectNode w = obj();
      w.set("get", ops.op("watch changes to an object of kind " + kind.kind()
              + ". deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item "
              + "with the 'fieldSelector' parameter.",
          "watch" + gv + scoped, "watch", null, null, responses(WITH_WATCH, event, "200")));
      w.set("parameters", params(Params.listParams(), scopeParams(kind, kind.kind())));
      paths.set(watchCollection + "/{name}", w);
    }
  }

  private void addSubresource(ObjectNode paths, KindInfo kind, String sub, String item, String gv, String scoped,
      String tag, String type, ObjectNode gvk) {
    String suffix = capitalize(sub);
    ObjectNode path = obj();
    switch (sub) {
      case "status", "ephemeralcontainers", "resize" -> {
        Op ops = new Op(tag, gvk);
        path.set("get", ops.op("read " + sub + " of the specified " + kind.kind(), "read" + gv + scoped + suffix,
            "get", null, null, responses(JSON_PB_YAML, type, "200")));
        path.set("patch", ops.op("partially update " + sub + " of the specified " + kind.kind(),
            "patch" + gv + scoped + suffix, "patch", params(Params.patchParams()), patchBody(),
            responses(JSON_PB_YAML, type, "200", "201")));
        path.set("put", ops.op("replace " + sub + " of the specified " + kind.kind(),
            "replace" + gv + scoped + suffix, "put", params(Params.writeParams(false)), body(type),
            responses(JSON_PB_YAML, type, "200", "201")));
        path.set("parameters", params(scopeParams(kind, kind.kind())));
      }
      case "scale" -> {
        if (schemas.definition("io.k8s.api.autoscaling.v1.Scale") == null) {
          return;
        }
        String scale = "io.k8s.api.autoscaling.v1.Scale";
        Op ops = new Op(tag, Json.gvk("autoscaling", "v1", "Scale"));
        path.set("get", ops.op("read scale of the specified " + kind.kind(), "read" + gv + scoped + "Scale", "get",
            null, null, responses(JSON_PB_YAML, scale, "200")));
        path.set("patch", ops.op("partially update scale of the specified " + kind.kind(),
            "patch" + gv + scoped + "Scale", "patch", params(Params.patchParams()), patchBody(),
            responses(JSON_PB_YAML, scale, "200", "201")));
        path.set("put", ops.op("replace scale of the specified " + kind.kind(), "replace" + gv + scoped + "Scale",
            "put", params(Params.writeParams(false)), body(scale), responses(JSON_PB_YAML, scale, "200", "201")));
        path.set("parameters", params(scopeParams(kind, "Scale")));
      }
      case "finalize" -> {
        Op ops = new Op(tag, gvk);
        path.set("put", ops.op("replace finalize of the specified " + kind.kind(),
            "replace" + gv + scoped + "Finalize", "put", params(Params.writeParams(false)), body(type),
            responses(JSON_PB_YAML, type, "200", "201")));
        path.set("parameters", params(scopeParams(kind, kind.kind())));
      }
      case "binding", "eviction" -> {
        String bodyKind = sub.equals("binding") ? "Binding" : "Eviction";
        String bodyGroup = sub.equals("binding") ? "" : "policy";
        String bodyType = sub.equals("binding") ? "io.k8s.api.core.v1.Binding" : "io.k8s.api.policy.v1.Eviction";
        if (schemas.definition(bodyType) == null) {
          return;
        }
        Op ops = new Op(tag, Json.gvk(bodyGroup, "v1", bodyKind));
        path.set("post", ops.op("create " + sub + " of" + article(kind.kind()) + kind.kind(),
            "create" + gv + scoped + suffix, "post", params(Params.writeParams(false)), body(bodyType),
            responses(JSON_PB_YAML, bodyType, "200", "201", "202")));
        path.set("parameters", params(scopeParams(kind, bodyKind)));
      }
      default -> {
        // Streaming subresources (log, exec, attach, portforward, proxy, token) are not described.
        return;
      }
    }
    paths.set(item + "/" + sub, path);
  }

  private static boolean has(KindInfo kind, String verb) {
    return kind.verbs().isEmpty() || kind.verbs().contains(verb);
  }

  /** Path-level parameters: {@code name} (when an item path), {@code namespace}, {@code pretty}. */
  private static List<ObjectNode> scopeParams(KindInfo kind, String nameOf) {
    List<ObjectNode> out = new ArrayList<>();
    if (nameOf != null) {
      out.add(Params.path("name", "name of the " + nameOf));
    }
    if (kind.namespaced()) {
      out.add(Params.path("namespace", Docs.NAMESPACE));
    }
    out.add(Params.pretty());
    return out;
  }

  // ------------------------------------------------------------------ discovery paths

  /** {@code GET /apis/g/v/}: the group version's APIResourceList. */
  void addResourceList(ObjectNode paths, String group, String version) {
    ObjectNode path = obj();
    ObjectNode op = obj();
    op.put("description", "get available resources");
    op.put("operationId", "get" + groupCamel(group) + capitalize(version) + "APIResources");
    op.set("responses", responses(JSON_PB_YAML, Schemas.META + "APIResourceList", "200"));
    op.set("tags", Json.strings(List.of(tag(group, version))));
    path.set("get", op);
    paths.set(prefix(group, version) + "/", path);
  }

  /** {@code GET /api/}, {@code GET /apis/} or {@code GET /apis/g/}. */
  void addRoot(ObjectNode paths, String path, String description, String operationId, String type, String tag) {
    ObjectNode op = obj();
    op.put("description", description);
    op.put("operationId", operationId);
    op.set("responses", responses(JSON_PB_YAML, Schemas.META + type, "200"));
    op.set("tags", Json.strings(List.of(tag)));
    paths.set(path, obj().set("get", op));
  }

  // ------------------------------------------------------------------ building blocks

  /** Builds operations sharing a tag and a group-version-kind. */
  private record Op(String tag, ObjectNode gvk) {
    ObjectNode op(String description, String operationId, String action, ArrayNode parameters, ObjectNode body,
        ObjectNode responses) {
      ObjectNode n = obj();
      n.put("description", description);
      n.put("operationId", operationId);
      if (parameters != null && !parameters.isEmpty()) {
        n.set("parameters", parameters);
      }
      if (body != null) {
        n.set("requestBody", body);
      }
      n.set("responses", responses);
      n.set("tags", Json.strings(List.of(tag)));
      n.put("x-kubernetes-action", action);
      n.set("x-kubernetes-group-version-kind", gvk.deepCopy());
      return n;
    }
  }

  /** Parameters sorted by name, as upstream lists them. */
  @SafeVarargs
  private static ArrayNode params(List<ObjectNode>... groups) {
    List<ObjectNode> all = new ArrayList<>();
    for (List<ObjectNode> g : groups) {
      all.addAll(g);
    }
    all.sort(Comparator.comparing(n -> n.get("name").asText()));
    ArrayNode a = NF.arrayNode();
    all.forEach(a::add);
    return a;
  }

  private static ArrayNode params(List<ObjectNode> list, ObjectNode extra) {
    List<ObjectNode> all = new ArrayList<>(list);
    all.add(extra);
    return params(all);
  }

  private static ObjectNode responses(List<String> mediaTypes, String definition, String... codes) {
    ObjectNode r = obj();
    for (String code : codes) {
      ObjectNode content = obj();
      for (String mt : mediaTypes) {
        content.set(mt, obj().set("schema", ref(definition)));
      }
      ObjectNode resp = obj();
      resp.set("content", content);
      resp.put("description", switch (code) {
        case "201" -> "Created";
        case "202" -> "Accepted";
        default -> "OK";
      });
      r.set(code, resp);
    }
    r.set("401", obj().put("description", "Unauthorized"));
    return r;
  }

  private static ObjectNode body(String definition) {
    ObjectNode b = obj();
    b.set("content", obj().set("*/*", obj().set("schema", ref(definition))));
    b.put("required", true);
    return b;
  }

  private static ObjectNode deleteBody() {
    ObjectNode b = obj();
    b.set("content", obj().set("*/*", obj().set("schema", ref(Schemas.META + "DeleteOptions"))));
    return b;
  }

  private static ObjectNode patchBody() {
    ObjectNode content = obj();
    for (String mt : List.of("application/apply-patch+yaml", "application/json-patch+json",
        "application/merge-patch+json", "application/strategic-merge-patch+json")) {
      content.set(mt, obj().set("schema", ref(Schemas.PATCH)));
    }
    ObjectNode b = obj();
    b.set("content", content);
    b.put("required", true);
    return b;
  }
}
