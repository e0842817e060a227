package io.bosun.apiserver.openapi;

import static io.bosun.apiserver.openapi.Json.obj;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Upstream's request parameters; every call returns fresh trees. */
final class Params {

  private Params() {
  }

  static ObjectNode query(String name, String type, String description) {
    ObjectNode p = obj();
    p.put("description", description);
    p.put("in", "query");
    p.put("name", name);
    p.set("schema", obj().put("type", type).put("uniqueItems", true));
    return p;
  }

  static ObjectNode path(String name, String description) {
    ObjectNode p = obj();
    p.put("description", description);
    p.put("in", "path");
    p.put("name", name);
    p.put("required", true);
    p.set("schema", obj().put("type", "string").put("uniqueItems", true));
    return p;
  }

  static ObjectNode pretty() {
    return query("pretty", "string", Docs.PRETTY);
  }

  /** The parameters of list and watch. */
  static List<ObjectNode> listParams() {
    return List.of(
        query("allowWatchBookmarks", "boolean", Docs.ALLOW_WATCH_BOOKMARKS),
        query("continue", "string", Docs.CONTINUE),
        query("fieldSelector", "string", Docs.FIELD_SELECTOR),
        query("labelSelector", "string", Docs.LABEL_SELECTOR),
        query("limit", "integer", Docs.LIMIT),
        query("resourceVersion", "string", Docs.RESOURCE_VERSION),
        query("resourceVersionMatch", "string", Docs.RESOURCE_VERSION_MATCH),
        query("sendInitialEvents", "boolean", Docs.SEND_INITIAL_EVENTS),
        query("timeoutSeconds", "integer", Docs.TIMEOUT_SECONDS),
        query("watch", "boolean", Docs.WATCH));
  }

  /** create and replace. */
  static List<ObjectNode> writeParams(boolean patch) {
    return List.of(
        query("dryRun", "string", Docs.DRY_RUN),
        query("fieldManager", "string", patch ? Docs.FIELD_MANAGER_PATCH : Docs.FIELD_MANAGER),
        query("fieldValidation", "string", Docs.FIELD_VALIDATION));
  }

  static List<ObjectNode> patchParams() {
    List<ObjectNode> out = new ArrayList<>(writeParams(true));
    out.add(query("force", "boolean", Docs.FORCE));
    return out;
  }

  static List<ObjectNode> deleteParams() {
    return List.of(
        query("dryRun", "string", Docs.DRY_RUN),
        query("gracePeriodSeconds", "integer", Docs.GRACE_PERIOD_SECONDS),
        query("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean", Docs.IGNORE_STORE_READ_ERROR),
        query("orphanDependents", "boolean", Docs.ORPHAN_DEPENDENTS),
        query("propagationPolicy", "string", Docs.PROPAGATION_POLICY));
  }

  static List<ObjectNode> deleteCollectionParams() {
    List<ObjectNode> out = new ArrayList<>(deleteParams());
    for (ObjectNode p : listParams()) {
      String n = p.get("name").asText();
      // deletecollection takes the list options except the watch ones
      if (!n.equals("allowWatchBookmarks") && !n.equals("watch")) {
        out.add(p);
      }
    }
    return out;
  }
}
