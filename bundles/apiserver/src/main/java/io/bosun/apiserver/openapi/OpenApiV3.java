package io.bosun.apiserver.openapi;

import static io.bosun.apiserver.openapi.Json.obj;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.KindInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The OpenAPI v3 documents of upstream's {@code /openapi/v3} endpoint for the kinds this server
 * serves.
 *
 * <p>{@link #index()} is the discovery document ({@code {"paths":{"api/v1":{"serverRelativeURL":
 * "/openapi/v3/api/v1?hash=..."}}}}); each listed path names a document served by
 * {@link #document(String)}: {@code api}, {@code apis}, {@code apis/<group>}, {@code api/v1} and
 * {@code apis/<group>/<version>}. A group-version document holds the paths of its resources and
 * every schema they reference. The hash is upstream's: upper-case hex SHA-512 of the document's
 * bytes, so it changes exactly when the document does; clients cache documents by it.
 *
 * <p>All documents are built once, in the constructor, and never change: instances are immutable
 * and thread-safe.
 */
public final class OpenApiV3 {

  private final ObjectMapper mapper = new ObjectMapper();

  /** Document path (such as {@code apis/apps/v1}) → serialized document, in path order. */
  private final Map<String, byte[]> documents = new TreeMap<>();
  private final Map<String, String> hashes = new TreeMap<>();
  private final byte[] index;

  /** Documents for every kind of {@code schema}. */
  public OpenApiV3(ApiSchema schema) {
    this(schema, schema.kinds());
  }

  /**
   * Documents for the {@code served} kinds only: group versions without a served kind are not
   * published, and shared types appear only where a served kind refers to them.
   */
  public OpenApiV3(ApiSchema schema, Collection<KindInfo> served) {
    Schemas schemas = new Schemas(schema);
    Paths builder = new Paths(schemas);
    Map<String, List<KindInfo>> byGroupVersion = new TreeMap<>();
    for (KindInfo k : served) {
      byGroupVersion.computeIfAbsent(k.group() + "/" + k.version(), x -> new ArrayList<>()).add(k);
    }
    Set<String> groups = new TreeSet<>();
    for (List<KindInfo> kinds : byGroupVersion.values()) {
      KindInfo first = kinds.get(0);
      ObjectNode paths = obj();
      builder.addResourceList(paths, first.group(), first.version());
      for (KindInfo k : kinds) {
        builder.addResource(paths, k);
      }
      String path = first.group().isEmpty() ? "api/" + first.version()
          : "apis/" + first.group() + "/" + first.version();
      put(path, document(paths, schemas));
      if (!first.group().isEmpty()) {
        groups.add(first.group());
      }
    }
    if (byGroupVersion.keySet().stream().anyMatch(gv -> gv.startsWith("/"))) {
      ObjectNode paths = obj();
      builder.addRoot(paths, "/api/", "get available API versions", "getCoreAPIVersions", "APIVersions", "core");
      put("api", document(paths, schemas));
    }
    if (!groups.isEmpty()) {
      ObjectNode paths = obj();
      builder.addRoot(paths, "/apis/", "get available API versions", "getAPIVersions", "APIGroupList", "apis");
      put("apis", document(paths, schemas));
    }
    for (String group : groups) {
      ObjectNode paths = obj();
      String camel = Paths.groupCamel(group);
      builder.addRoot(paths, "/apis/" + group + "/", "get information of a group", "get" + camel + "APIGroup",
          "APIGroup", Character.toLowerCase(camel.charAt(0)) + camel.substring(1));
      put("apis/" + group, document(paths, schemas));
    }
    ObjectNode idx = obj();
    ObjectNode paths = idx.putObject("paths");
    for (String path : documents.keySet()) {
      paths.putObject(path).put("serverRelativeURL", "/openapi/v3/" + path + "?hash=" + hashes.get(path));
    }
    this.index = serialize(idx);
  }

  /** The {@code /openapi/v3} discovery document, as a new tree. */
  public ObjectNode index() {
    return (ObjectNode) parse(index);
  }

  /** The {@code /openapi/v3} discovery document as served (compact JSON). */
  public byte[] indexJson() {
    return index.clone();
  }

  /** The document paths {@link #index()} lists, such as {@code api/v1} and {@code apis/apps/v1}. */
  public Set<String> documentPaths() {
    return Collections.unmodifiableSet(documents.keySet());
  }

  /**
   * The document at {@code path} (without the {@code /openapi/v3/} prefix and without a query),
   * as a new tree; empty for a path the index does not list.
   */
  public Optional<ObjectNode> document(String path) {
    byte[] doc = documents.get(path);
    return doc == null ? Optional.empty() : Optional.of((ObjectNode) parse(doc));
  }

  /** The document at {@code path} as served (compact JSON, keys sorted); empty if not listed. */
  public Optional<byte[]> documentJson(String path) {
    byte[] doc = documents.get(path);
    return doc == null ? Optional.empty() : Optional.of(doc.clone());
  }

  /**
   * The content hash of the document at {@code path}, as in its {@code serverRelativeURL}; also
   * usable as its ETag. Empty if not listed.
   */
  public Optional<String> hash(String path) {
    return Optional.ofNullable(hashes.get(path));
  }

  private void put(String path, JsonNode document) {
    byte[] bytes = serialize(document);
    documents.put(path, bytes);
    hashes.put(path, sha512(bytes));
  }

  /** A document with its paths and the closure of the schemas they reference. */
  private static JsonNode document(ObjectNode paths, Schemas schemas) {
    Map<String, JsonNode> components = new LinkedHashMap<>();
    Set<String> refs = new TreeSet<>();
    Json.refs(paths, refs);
    Deque<String> todo = new ArrayDeque<>(refs);
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (components.containsKey(name)) {
        continue;
      }
      ObjectNode def = schemas.definition(name);
      if (def == null) {
        throw new IllegalStateException("no definition for " + name);
      }
      components.put(name, def);
      Set<String> more = new TreeSet<>();
      Json.refs(def, more);
      more.stream().filter(r -> !components.containsKey(r)).forEach(todo::push);
    }
    ObjectNode doc = obj();
    doc.put("openapi", "3.0.0");
    doc.set("info", obj().put("title", "Kubernetes").put("version", "unversioned"));
    doc.set("paths", paths);
    ObjectNode c = doc.putObject("components");
    ObjectNode s = c.putObject("schemas");
    components.forEach(s::set);
    ObjectNode bearer = c.putObject("securitySchemes").putObject("BearerToken");
    bearer.put("description", "Bearer Token authentication");
    bearer.put("in", "header");
    bearer.put("name", "authorization");
    bearer.put("type", "apiKey");
    return Json.sorted(doc);
  }

  private byte[] serialize(JsonNode node) {
    try {
      return mapper.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode parse(byte[] bytes) {
    try {
      return mapper.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha512(byte[] bytes) {
    try {
      return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-512 is part of every JRE", e);
    }
  }
}
