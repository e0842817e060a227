package io.bosun.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.autoscaling.v1.Scale;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.KubernetesList;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.ListMeta;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.schema.KindInfo;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ListOptions;
import io.bosun.client.ListResult;
import io.bosun.client.PatchType;
import io.bosun.client.ResourceClient;
import io.bosun.client.Watch;
import io.bosun.client.WatchHandler;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** REST calls for one kind; paths are derived from the kind's group, version, plural and scope. */
class HttpResourceClient<T extends KubernetesObject> implements ResourceClient<T> {

  final HttpApiClient client;
  final Transport transport;
  final ApiCodec codec;
  private final KindInfo kind;
  private final Class<T> type;
  private final String prefix;

  HttpResourceClient(HttpApiClient client, KindInfo kind, Class<T> type) {
    this.client = client;
    this.transport = client.transport();
    this.codec = transport.codec();
    this.kind = kind;
    this.type = type;
    this.prefix = kind.group().isEmpty() ? "/api/" + kind.version() : "/apis/" + kind.group() + "/" + kind.version();
  }

  @Override
  public KindInfo kind() {
    return kind;
  }

  @Override
  public Class<T> type() {
    return type;
  }

  // ------------------------------------------------------------------ paths

  /** The collection path: all namespaces when {@code namespace} is empty. */
  String collection(String namespace) {
    if (kind.namespaced() && namespace != null && !namespace.isEmpty()) {
      return prefix + "/namespaces/" + segment(namespace) + "/" + kind.plural();
    }
    return prefix + "/" + kind.plural();
  }

  /** The path of one object, or of one of its subresources. */
  String item(String namespace, String name, String subresource) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a " + kind.kind() + " name is required");
    }
    if (kind.namespaced() && (namespace == null || namespace.isEmpty())) {
      throw new IllegalArgumentException(kind.kind() + " is namespaced: a namespace is required");
    }
    String path = collection(namespace) + "/" + segment(name);
    return subresource == null ? path : path + "/" + subresource;
  }

  private String item(KubernetesObject obj, String subresource) {
    ObjectMeta meta = obj.getMetadata();
    if (meta == null) {
      throw new IllegalArgumentException("the " + kind.kind() + " has no metadata");
    }
    return item(meta.getNamespace(), meta.getName(), subresource);
  }

  /** Percent-encodes one path segment (names are validated by the server; this keeps the URL well formed). */
  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // ------------------------------------------------------------------ reads

  @Override
  public Optional<T> get(String namespace, String name) {
    client.checkOpen();
    try {
      return Optional.of(codec.read(transport.send("GET", item(namespace, name, null), null, null).body(), type));
    } catch (ClientStatusException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public ListResult<T> list(String namespace, ListOptions options) {
    client.checkOpen();
    ListOptions o = options == null ? ListOptions.none() : options;
    List<T> items = new ArrayList<>();
    ListResult<T> page = listPage(namespace, o);
    // As client-go's pager: the first page fixes the resourceVersion of the whole list.
    String resourceVersion = page.resourceVersion();
    items.addAll(page.items());
    while (page.continueToken() != null && !page.continueToken().isEmpty()) {
      try {
        page = listPage(namespace, o.withResourceVersion(null).withResourceVersionMatch(null)
            .withContinueToken(page.continueToken()));
      } catch (ClientStatusException e) {
        if (!e.isGone()) {
          throw e;
        }
        // The token expired (its revision was compacted): read the whole list again at once.
        return listPage(namespace, o.withLimit(0).withContinueToken(null).withResourceVersion(null)
            .withResourceVersionMatch(null));
      }
      items.addAll(page.items());
    }
    return new ListResult<>(items, resourceVersion, null, null);
  }

  @Override
  public ListResult<T> listPage(String namespace, ListOptions options) {
    client.checkOpen();
    ListOptions o = options == null ? ListOptions.none() : options;
    Query q = new Query()
        .add("labelSelector", o.labelSelector())
        .add("fieldSelector", o.fieldSelector())
        .add("limit", o.limit())
        .add("continue", o.continueToken())
        .add("resourceVersion", o.resourceVersion())
        .add("resourceVersionMatch", o.resourceVersionMatch())
        .add("timeoutSeconds", o.timeoutSeconds());
    byte[] body = transport.send("GET", collection(namespace) + q, null, null).body();
    @SuppressWarnings("unchecked")
    KubernetesList<T> list = (KubernetesList<T>) codec.read(body, client.listClass(type));
    ListMeta meta = list.getMetadata() == null ? new ListMeta() : list.getMetadata();
    List<T> items = list.getItems() == null ? List.of() : list.getItems();
    String cont = meta.getContinue() == null || meta.getContinue().isEmpty() ? null : meta.getContinue();
    return new ListResult<>(items, meta.getResourceVersion(), cont, meta.getRemainingItemCount());
  }

  // ------------------------------------------------------------------ writes

  @Override
  public T create(T obj) {
    client.checkOpen();
    ObjectMeta meta = requireMeta(obj);
    if (kind.namespaced() && (meta.getNamespace() == null || meta.getNamespace().isEmpty())) {
      throw new IllegalArgumentException(kind.kind() + " is namespaced: metadata.namespace is required");
    }
    return write("POST", collection(meta.getNamespace()), Transport.JSON, codec.writeJson(obj));
  }

  @Override
  public T update(T obj) {
    client.checkOpen();
    requireMeta(obj);
    return write("PUT", item(obj, null), Transport.JSON, codec.writeJson(obj));
  }

  @Override
  public T updateStatus(T obj) {
    client.checkOpen();
    requireSubresource("status");
    requireMeta(obj);
    return write("PUT", item(obj, "status"), Transport.JSON, codec.writeJson(obj));
  }

  @Override
  public T patch(String namespace, String name, PatchType patchType, String body) {
    client.checkOpen();
    Objects.requireNonNull(patchType, "patchType");
    Objects.requireNonNull(body, "body");
    String path = item(namespace, name, null);
    if (patchType == PatchType.APPLY) {
      // The server requires a field manager for apply; use this client's.
      path += new Query().add("fieldManager", client.config().fieldManager());
    }
    return write("PATCH", path, patchType.contentType(), body.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public T apply(T obj, String fieldManager, boolean force) {
    client.checkOpen();
    requireMeta(obj);
    JsonNode tree = codec.toTree(obj);
    if (tree.get("metadata") instanceof ObjectNode meta) {
      // The server rejects managedFields in an apply; an object read earlier carries them.
      meta.remove("managedFields");
    }
    String manager = fieldManager == null || fieldManager.isEmpty() ? client.config().fieldManager() : fieldManager;
    Query q = new Query().add("fieldManager", manager);
    if (force) {
      q.add("force", "true");
    }
    return write("PATCH", item(obj, null) + q, PatchType.APPLY.contentType(), codec.writeJson(tree));
  }

  @Override
  public void delete(String namespace, String name, DeleteOptions options) {
    client.checkOpen();
    String path = item(namespace, name, null);
    transport.send("DELETE", path, options == null ? null : Transport.JSON,
        options == null ? null : codec.writeJson(options));
  }

  @Override
  public Scale getScale(String namespace, String name) {
    client.checkOpen();
    requireSubresource("scale");
    return codec.read(transport.send("GET", item(namespace, name, "scale"), null, null).body(), Scale.class);
  }

  @Override
  public Scale updateScale(String namespace, String name, Scale scale) {
    client.checkOpen();
    requireSubresource("scale");
    Objects.requireNonNull(scale, "scale");
    byte[] body = transport.send("PUT", item(namespace, name, "scale"), Transport.JSON, codec.writeJson(scale)).body();
    return codec.read(body, Scale.class);
  }

  private T write(String method, String path, String contentType, byte[] body) {
    return codec.read(transport.send(method, path, contentType, body).body(), type);
  }

  private ObjectMeta requireMeta(T obj) {
    Objects.requireNonNull(obj, "object");
    if (obj.getMetadata() == null) {
      throw new IllegalArgumentException("the " + kind.kind() + " has no metadata");
    }
    return obj.getMetadata();
  }

  void requireSubresource(String subresource) {
    if (!kind.hasSubresource(subresource)) {
      throw new UnsupportedOperationException(kind.kind() + " has no " + subresource + " subresource");
    }
  }

  // ------------------------------------------------------------------ watch

  @Override
  public Watch watch(String namespace, ListOptions options, WatchHandler<? super T> handler) {
    client.checkOpen();
    Objects.requireNonNull(handler, "handler");
    ListOptions o = options == null ? ListOptions.none() : options;
    if (o.limit() != 0 || (o.continueToken() != null && !o.continueToken().isEmpty())) {
      throw new IllegalArgumentException("a watch takes neither limit nor continue");
    }
    Query q = new Query()
        .add("watch", "true")
        .add("labelSelector", o.labelSelector())
        .add("fieldSelector", o.fieldSelector())
        .add("resourceVersion", o.resourceVersion())
        .add("resourceVersionMatch", o.resourceVersionMatch())
        .add("timeoutSeconds", o.timeoutSeconds());
    if (o.allowWatchBookmarks()) {
      q.add("allowWatchBookmarks", "true");
    }
    HttpResponse<InputStream> response = transport.stream(collection(namespace) + q);
    String name = client.threadName("watch-" + kind.plural());
    HttpWatch<T> watch = new HttpWatch<>(name, response.body(), codec, type, handler, client::ended);
    client.opened(watch);
    watch.start();
    return watch;
  }

  @Override
  public String toString() {
    return "ResourceClient[" + kind.apiVersion() + " " + kind.plural() + "]";
  }

  /** A query string builder that leaves out empty values. */
  static final class Query {
    private final StringBuilder b = new StringBuilder();

    Query add(String name, String value) {
      if (value != null && !value.isEmpty()) {
        b.append(b.isEmpty() ? '?' : '&').append(name).append('=')
            .append(URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
      }
      return this;
    }

    Query add(String name, long value) {
      return value == 0 ? this : add(name, Long.toString(value));
    }

    @Override
    public String toString() {
      return b.toString();
    }
  }
}
