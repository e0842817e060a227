package io.bosun.apiserver.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.codec.ApiCodec;
import io.bosun.apiserver.http.MediaTypes;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.status.ApiException;
import java.util.List;

/** Renders objects and lists in the negotiated form: the object itself, a Table, or metadata only. */
public final class Renderer {

  private final ApiCodec codec;
  private final TableRendering tables;

  public Renderer(ApiCodec codec, TableRendering tables) {
    this.codec = codec;
    this.tables = tables;
  }

  public ObjectMapper mapper() {
    return codec.mapper();
  }

  /** Sends one object (or a Status) with {@code code}. */
  public void sendObject(Call call, int code, ObjectNode obj) {
    MediaTypes.Negotiated n = call.accept();
    ObjectNode body = switch (n.form()) {
      case OBJECT -> obj;
      case TABLE -> isStatus(obj) ? obj : tables.table(call.type(), List.of(obj),
          listMeta(obj.path("metadata").path("resourceVersion").asText(null), null, null), includeObject(call));
      case PARTIAL_METADATA -> isStatus(obj) ? obj : partial(obj);
    };
    send(call, code, body, isStatus(obj) && n.form() != MediaTypes.Form.OBJECT ? MediaTypes.JSON : n.contentType());
  }

  /** Sends a list of objects with its list metadata. */
  public void sendList(Call call, ResourceType type, List<ObjectNode> items, String resourceVersion, String cont,
      Long remaining) {
    MediaTypes.Negotiated n = call.accept();
    ObjectNode meta = listMeta(resourceVersion, cont, remaining);
    ObjectNode body = switch (n.form()) {
      case OBJECT -> list(type, items, meta);
      case TABLE -> tables.table(type, items, meta, includeObject(call));
      case PARTIAL_METADATA -> {
        ObjectNode l = codec.mapper().createObjectNode();
        l.put("kind", "PartialObjectMetadataList");
        l.put("apiVersion", "meta.k8s.io/v1");
        l.set("metadata", meta);
        ArrayNode arr = l.putArray("items");
        items.forEach(i -> arr.add(partial(i)));
        yield l;
      }
    };
    send(call, 200, body, n.contentType());
  }

  /** Builds a {@code <Kind>List} as upstream serializes it. */
  public ObjectNode list(ResourceType type, List<ObjectNode> items, ObjectNode meta) {
    ObjectNode l = codec.mapper().createObjectNode();
    l.put("kind", type.kind() + "List");
    l.put("apiVersion", type.apiVersion());
    l.set("metadata", meta);
    ArrayNode arr = l.putArray("items");
    items.forEach(arr::add);
    return l;
  }

  public ObjectNode listMeta(String resourceVersion, String cont, Long remaining) {
    ObjectNode meta = codec.mapper().createObjectNode();
    if (resourceVersion != null) {
      meta.put("resourceVersion", resourceVersion);
    }
    if (cont != null) {
      meta.put("continue", cont);
    }
    if (remaining != null) {
      meta.put("remainingItemCount", remaining);
    }
    return meta;
  }

  /** The Table (or partial metadata) form of one watch event's object. */
  public ObjectNode eventObject(Call call, ObjectNode obj) {
    return switch (call.accept().form()) {
      case OBJECT -> obj;
      case TABLE -> tables.table(call.type(), List.of(obj),
          listMeta(obj.path("metadata").path("resourceVersion").asText(null), null, null), includeObject(call));
      case PARTIAL_METADATA -> partial(obj);
    };
  }

  public ObjectNode partial(ObjectNode obj) {
    ObjectNode p = codec.mapper().createObjectNode();
    p.put("kind", "PartialObjectMetadata");
    p.put("apiVersion", "meta.k8s.io/v1");
    p.set("metadata", obj.path("metadata").deepCopy());
    return p;
  }

  public byte[] bytes(Object body, boolean yaml) {
    return yaml ? codec.writeYaml(body) : codec.writeJson(body);
  }

  private void send(Call call, int code, ObjectNode body, String contentType) {
    call.exchange().send(code, contentType, bytes(body, call.accept().yaml()));
  }

  private static String includeObject(Call call) {
    String v = call.exchange().param("includeObject");
    if (v == null || v.isEmpty()) {
      return "Metadata";
    }
    return v;
  }

  private static boolean isStatus(ObjectNode obj) {
    return "Status".equals(obj.path("kind").asText()) && obj.has("status") && obj.get("status").isTextual();
  }
}
