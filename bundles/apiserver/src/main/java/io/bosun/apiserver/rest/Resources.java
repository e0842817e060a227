package io.bosun.apiserver.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.codec.DecodeException;
import io.bosun.api.labels.FieldSelector;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.labels.SelectorException;
import io.bosun.api.values.Times;
import io.bosun.apiserver.admission.AdmissionContext;
import io.bosun.apiserver.admission.AdmissionPlugin;
import io.bosun.apiserver.admission.Operation;
import io.bosun.apiserver.http.MediaTypes;
import io.bosun.apiserver.registry.ResourceRegistry;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.status.ApiException;
import io.bosun.apiserver.status.Statuses;
import io.bosun.apiserver.storage.ContinueToken;
import io.bosun.apiserver.storage.JsonNodes;
import io.bosun.apiserver.storage.ObjectStorage;
import io.bosun.apiserver.storage.StoredObject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The verbs of every resource: get, list, create, update, patch, delete, deletecollection, and
 * the {@code status} and {@code scale} subresources. Kind-specific behaviour comes from the
 * resource's strategy and the admission chain; everything here follows upstream's generic
 * registry store.
 */
public final class Resources {

  private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
  private static final Set<String> SCALABLE = Set.of("deployments", "replicasets", "statefulsets");

  private final ResourceRegistry registry;
  private final ObjectStorage storage;
  private final ObjectPipeline pipeline;
  private final Renderer renderer;
  private final Patching patching;
  private final List<AdmissionPlugin> admission;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final PodSubresources subresources;
  private final PodLogs logs;

  public Resources(ResourceRegistry registry, ObjectStorage storage, io.bosun.api.codec.ApiCodec codec,
      io.bosun.api.schema.ApiSchema schema, io.bosun.api.defaulting.Defaulter defaulter, io.bosun.api.validation.Validator validator, Renderer renderer,
      Patching patching, List<AdmissionPlugin> admission, Clock clock) {
    this.registry = registry;
    this.storage = storage;
    this.pipeline = new ObjectPipeline(codec, schema, defaulter, validator);
    this.renderer = renderer;
    this.patching = patching;
    this.admission = List.copyOf(admission);
    this.clock = clock;
    this.subresources = new PodSubresources(storage, registry, pipeline, renderer, clock);
    this.logs = new PodLogs(storage, registry);
  }

  /** Serves a non-watch resource request. */
  public void handle(Call call) {
    String sub = call.subresource();
    if (!sub.isEmpty() && !call.type().hasSubresource(sub)) {
      throw ApiException.pathNotFound();
    }
    if (call.type().namespaced() && call.namespace().isEmpty()
        && !call.info().verb().equals("list") && !call.info().verb().equals("watch")) {
      throw ApiException.pathNotFound();
    }
    if (!call.type().namespaced() && !call.namespace().isEmpty()) {
      throw ApiException.pathNotFound();
    }
    switch (sub) {
      case "" -> main(call);
      case "status" -> status(call);
      case "scale" -> scale(call);
      case "finalize" -> finalizeNamespace(call);
      case "binding" -> subresources.bind(call);
      case "eviction" -> subresources.evict(call, (c, options) -> deleteObject(c, options));
      case "log" -> logs.serve(call);
      default -> throw ApiException.methodNotSupported(call.type().resourceName(), call.info().verb());
    }
  }

  private void main(Call call) {
    String verb = call.info().verb();
    if (!call.type().supports(verb)) {
      throw ApiException.methodNotSupported(call.type().resourceName(), verb);
    }
    switch (verb) {
      case "get" -> get(call);
      case "list" -> list(call);
      case "create" -> create(call);
      case "update" -> update(call);
      case "patch" -> patch(call, "");
      case "delete" -> delete(call);
      case "deletecollection" -> deleteCollection(call);
      default -> throw ApiException.methodNotSupported(call.type().resourceName(), verb);
    }
  }

  // ---------------------------------------------------------------- reads

  private void get(Call call) {
    renderer.sendObject(call, 200, mustGet(call.type(), call.namespace(), call.name()).object());
  }

  private StoredObject mustGet(ResourceType type, String namespace, String name) {
    StoredObject found = storage.get(type, namespace, name);
    if (found == null) {
      throw ApiException.notFound(type.resourceName(), name);
    }
    return found;
  }

  private void list(Call call) {
    var ex = call.exchange();
    Predicate<ObjectNode> filter = filter(call.type(), ex.param("labelSelector"), ex.param("fieldSelector"));
    long limit = parseLimit(ex.param("limit"));
    String cont = ex.param("continue");
    String rv = ex.param("resourceVersion");
    String match = ex.param("resourceVersionMatch");
    ContinueToken token = null;
    long revision = 0;
    if (cont != null && !cont.isEmpty()) {
      if (rv != null && !rv.isEmpty() && !rv.equals("0")) {
        throw ApiException.badRequest("specifying resource version is not allowed when using continue");
      }
      token = ContinueToken.decode(cont, renderer.mapper());
      if (token == null) {
        throw ApiException.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version "
            + "meta.k8s.io/v1)");
      }
    } else {
      revision = listRevision(rv, match);
    }
    ObjectStorage.Page page = storage.list(call.type(), call.namespace(), filter, limit, token, revision,
        filter == null);
    renderer.sendList(call, call.type(), page.items(), Long.toString(page.revision()),
        page.next() == null ? null : page.next().encode(renderer.mapper()), page.remaining());
  }

  /** The revision a list reads at, from upstream's resourceVersion/resourceVersionMatch rules. */
  private long listRevision(String rv, String match) {
    if (match != null && !match.isEmpty()) {
      if (!match.equals("Exact") && !match.equals("NotOlderThan")) {
        throw ApiException.badRequest("resourceVersionMatch: Unsupported value: \"" + match
            + "\": supported values: \"Exact\", \"NotOlderThan\"");
      }
      if (rv == null || rv.isEmpty()) {
        throw ApiException.badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
      }
    }
    if (rv == null || rv.isEmpty() || rv.equals("0")) {
      if ("Exact".equals(match) && "0".equals(rv)) {
        throw ApiException.badRequest("resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
      }
      return 0;
    }
    long requested = parseResourceVersion(rv);
    if ("Exact".equals(match)) {
      return requested;
    }
    long current = storage.revision();
    if (requested > current) {
      throw ApiException.timeout("Too large resource version: " + requested + ", current: " + current, 1);
    }
    return 0;
  }

  /** Builds the selector filter of a list or watch; null when everything passes. */
  public Predicate<ObjectNode> filter(ResourceType type, String labelSelector, String fieldSelector) {
    LabelSelector labels;
    FieldSelector fields;
    try {
      labels = LabelSelector.parse(labelSelector);
      fields = FieldSelector.parse(fieldSelector);
    } catch (SelectorException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    Set<String> supported = type.strategy().fieldLabels();
    for (FieldSelector.Term t : fields.terms()) {
      if (!t.field().equals("metadata.name") && !t.field().equals("metadata.namespace")
          && !supported.contains(t.field())) {
        throw ApiException.badRequest("field label not supported: " + t.field());
      }
    }
    if (labels.isEverything() && fields.isEverything()) {
      return null;
    }
    return obj -> labels.matches(JsonNodes.labels(obj)) && fields.matches(fieldsOf(type, obj));
  }

  private static Map<String, String> fieldsOf(ResourceType type, ObjectNode obj) {
    Map<String, String> fields = new java.util.HashMap<>(type.strategy().selectableFields(obj));
    fields.put("metadata.name", JsonNodes.name(obj));
    fields.put("metadata.namespace", JsonNodes.namespace(obj));
    return fields;
  }

  private static long parseLimit(String limit) {
    if (limit == null || limit.isEmpty()) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(limit));
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("limit: Invalid value: \"" + limit + "\": must be a non-negative integer");
    }
  }

  /** Parses a resourceVersion parameter; 400 when it is not one. */
  public static long parseResourceVersion(String rv) {
    try {
      long v = Long.parseLong(rv);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("Invalid value: \"" + rv + "\": resourceVersion must be a non-negative integer");
    }
  }

  // ---------------------------------------------------------------- create

  private void create(Call call) {
    ObjectNode body = pipeline.readBody(call);
    pipeline.checkTypeMeta(body, call.type().apiVersion(), call.type().kind());
    ObjectNode obj = prepareCreate(call, body);
    if (call.dryRun()) {
      renderer.sendObject(call, 201, obj);
      return;
    }
    renderer.sendObject(call, 201, store(call.type(), obj).object());
  }

  /** Stores a new object, attaching it to a lease when its kind expires. */
  private StoredObject store(ResourceType type, ObjectNode obj) {
    long ttl = type.strategy().ttlSeconds();
    return storage.create(type, obj, ttl > 0 ? storage.grantLease(ttl) : 0);
  }

  /** Turns a decoded request body into the object to store, or fails with the right Status. */
  private ObjectNode prepareCreate(Call call, ObjectNode body) {
    ResourceType type = call.type();
    ObjectNode meta = JsonNodes.metadata(body);
    String bodyNamespace = meta.path("namespace").asText("");
    if (type.namespaced()) {
      if (!bodyNamespace.isEmpty() && !bodyNamespace.equals(call.namespace())) {
        throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on "
            + "the request");
      }
      meta.put("namespace", call.namespace());
    } else {
      meta.remove("namespace");
    }
    ObjectNode obj = pipeline.decodeAndDefault(call, type, body);
    meta = JsonNodes.metadata(obj);
    String name = meta.path("name").asText("");
    String generateName = meta.path("generateName").asText("");
    if (name.isEmpty() && !generateName.isEmpty()) {
      meta.put("name", generateName + randomSuffix());
    }
    Instant now = clock.instant();
    meta.put("uid", UUID.randomUUID().toString());
    meta.put("creationTimestamp", Times.formatSeconds(now));
    meta.remove("resourceVersion");
    meta.remove("deletionTimestamp");
    meta.remove("deletionGracePeriodSeconds");
    meta.remove("selfLink");
    if (type.strategy().tracksGeneration()) {
      meta.put("generation", 1);
    } else {
      meta.remove("generation");
    }
    obj = pipeline.completeCreate(type, obj);
    type.strategy().prepareForCreate(obj, type);
    admit(call, Operation.CREATE, obj, null);
    pipeline.validateCreate(type, obj);
    return patching.trackUpdate(null, obj, call.fieldManager(), type, "", now);
  }

  private String randomSuffix() {
    StringBuilder b = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      b.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
    }
    return b.toString();
  }

  private void admit(Call call, Operation op, ObjectNode obj, ObjectNode old) {
    AdmissionContext ctx = new AdmissionContext(registry, storage, call.dryRun());
    for (AdmissionPlugin plugin : admission) {
      plugin.admit(op, call.type(), call.subresource(), obj, old, ctx);
    }
  }

  // ---------------------------------------------------------------- update

  private void update(Call call) {
    ObjectNode body = pipeline.readBody(call);
    pipeline.checkTypeMeta(body, call.type().apiVersion(), call.type().kind());
    checkNameAndNamespace(call, body);
    ObjectNode decoded = pipeline.decodeAndDefault(call, call.type(), body);
    String precondition = decoded.path("metadata").path("resourceVersion").asText("");
    if (precondition.isEmpty() && !call.type().strategy().allowUnconditionalUpdate()) {
      throw ApiException.invalid(call.type().kind(), call.type().group(), call.name(),
          List.of(io.bosun.api.validation.FieldError.invalid("metadata.resourceVersion", "0x0",
              "must be specified for an update")));
    }
    if (storage.get(call.type(), call.namespace(), call.name()) == null
        && call.type().strategy().allowCreateOnUpdate()) {
      ObjectNode obj = prepareCreate(call, body);
      if (call.dryRun()) {
        renderer.sendObject(call, 201, obj);
        return;
      }
      renderer.sendObject(call, 201, store(call.type(), obj).object());
      return;
    }
    writeUpdate(call, "", current -> {
      checkPrecondition(call, current, precondition);
      return decoded.deepCopy();
    });
  }

  /**
   * Runs the update loop: {@code change} produces the requested object from the current one,
   * then strategy, admission, validation and field tracking apply; sends the result.
   */
  private void writeUpdate(Call call, String subresource, java.util.function.UnaryOperator<ObjectNode> change) {
    writeUpdate(call, subresource, change, true);
  }

  /**
   * @param trackFields whether the change is an Update for field ownership; false for
   *                    server-side apply, whose result already carries the applier's ownership
   */
  private void writeUpdate(Call call, String subresource, java.util.function.UnaryOperator<ObjectNode> change,
      boolean trackFields) {
    ResourceType type = call.type();
    boolean dryRun = call.dryRun();
    ObjectNode[] dryRunResult = new ObjectNode[1];
    StoredObject result = storage.update(type, call.namespace(), call.name(), current -> {
      ObjectNode requested = change.apply(current.deepCopy());
      ObjectNode next = prepareUpdate(call, subresource, requested, current, trackFields);
      if (dryRun) {
        dryRunResult[0] = next;
        return current;
      }
      return next;
    });
    if (dryRun) {
      renderer.sendObject(call, 200, dryRunResult[0]);
    } else if (result == null) {
      // The update removed the last finalizer of an object being deleted: it is gone now.
      renderer.sendObject(call, 200, renderer.mapper().valueToTree(
          Statuses.deleted(type.resourceName(), call.name(), "")));
    } else {
      renderer.sendObject(call, 200, result.object());
    }
  }

  /** Applies the update rules to a requested object given the stored one. */
  private ObjectNode prepareUpdate(Call call, String subresource, ObjectNode requested, ObjectNode current,
      boolean trackFields) {
    ResourceType type = call.type();
    ObjectNode next;
    if (subresource.equals("status")) {
      next = type.strategy().prepareForStatusUpdate(requested, current);
    } else {
      next = requested;
      copyImmutableMetadata(JsonNodes.metadata(next), JsonNodes.metadata(current));
      type.strategy().prepareForUpdate(next, current, type);
      if (type.strategy().tracksGeneration()) {
        long generation = current.path("metadata").path("generation").asLong(1);
        JsonNodes.metadata(next).put("generation",
            type.strategy().specChanged(next, current) ? generation + 1 : generation);
      }
    }
    JsonNodes.metadata(next).put("resourceVersion", current.path("metadata").path("resourceVersion").asText());
    if (JsonNodes.same(next, current)) {
      return current;
    }
    admit(call, Operation.UPDATE, next, current);
    if (subresource.equals("status")) {
      pipeline.validateStatusUpdate(type, next, current);
    } else {
      pipeline.validateUpdate(type, next, current);
    }
    if (!trackFields) {
      return next;
    }
    ObjectNode tracked = patching.trackUpdate(current, next, call.fieldManager(), type, subresource, clock.instant());
    return JsonNodes.same(tracked, current) ? current : tracked;
  }

  private static void copyImmutableMetadata(ObjectNode meta, ObjectNode old) {
    for (String field : List.of("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
        "generation", "namespace", "name")) {
      JsonNode v = old.get(field);
      if (v == null) {
        meta.remove(field);
      } else {
        meta.set(field, v.deepCopy());
      }
    }
    meta.remove("selfLink");
    if (!meta.has("managedFields") && old.has("managedFields")) {
      meta.set("managedFields", old.get("managedFields").deepCopy());
    }
  }

  private void checkPrecondition(Call call, ObjectNode current, String precondition) {
    if (!precondition.isEmpty()
        && !precondition.equals(current.path("metadata").path("resourceVersion").asText())) {
      parseResourceVersion(precondition);
      throw ApiException.staleResourceVersion(call.type().resourceName(), call.name());
    }
  }

  private void checkNameAndNamespace(Call call, ObjectNode body) {
    ObjectNode meta = JsonNodes.metadata(body);
    String name = meta.path("name").asText("");
    if (name.isEmpty()) {
      meta.put("name", call.name());
    } else if (!name.equals(call.name())) {
      throw ApiException.badRequest("the name of the object (" + name + ") does not match the name on the URL ("
          + call.name() + ")");
    }
    if (call.type().namespaced()) {
      String ns = meta.path("namespace").asText("");
      if (!ns.isEmpty() && !ns.equals(call.namespace())) {
        throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on "
            + "the request");
      }
      meta.put("namespace", call.namespace());
    } else {
      meta.remove("namespace");
    }
  }

  // ---------------------------------------------------------------- patch

  private void patch(Call call, String subresource) {
    Patching.Format format = patching.format(call.exchange().contentType());
    if (format == null) {
      throw ApiException.unsupportedMediaType(patching.unsupportedMessage());
    }
    byte[] raw = call.exchange().body();
    JsonNode patch;
    try {
      patch = pipeline.codec().parse(raw, format == Patching.Format.APPLY, false);
    } catch (DecodeException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (format == Patching.Format.APPLY) {
      apply(call, subresource, patch);
      return;
    }
    if (format == Patching.Format.JSON_PATCH ? !patch.isArray() : !patch.isObject()) {
      throw ApiException.badRequest(format == Patching.Format.JSON_PATCH
          ? "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
          : "error decoding patch: json: cannot unmarshal " + patch.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
              + " into Go value of type map[string]interface {}");
    }
    writeUpdate(call, subresource, current -> {
      ObjectNode patched = patching.patch(format, current, patch, call.type());
      return redecode(call, patched, current);
    });
  }

  /**
   * Decodes a patched tree through the model (unknown fields, defaults) and checks that it still
   * names the same object; a resourceVersion set by the patch is a precondition, as upstream.
   */
  private ObjectNode redecode(Call call, ObjectNode patched, ObjectNode current) {
    String patchedVersion = patched.path("metadata").path("resourceVersion").asText("");
    pipeline.checkTypeMeta(patched, call.type().apiVersion(), call.type().kind());
    ObjectNode decoded = pipeline.decodeAndDefault(call, call.type(), patched);
    String name = decoded.path("metadata").path("name").asText("");
    if (!name.equals(call.name())) {
      throw ApiException.badRequest("the name of the object (" + name + ") does not match the name on the URL ("
          + call.name() + ")");
    }
    checkPrecondition(call, current, patchedVersion);
    return decoded;
  }

  private void apply(Call call, String subresource, JsonNode applied) {
    if (!applied.isObject()) {
      throw ApiException.badRequest("error decoding YAML: the apply configuration must be an object");
    }
    ObjectNode config = (ObjectNode) applied;
    String force = call.exchange().param("force");
    boolean forced = "true".equals(force);
    if (call.exchange().param("fieldManager") == null || call.exchange().param("fieldManager").isEmpty()) {
      throw ApiException.badRequest("PATCH, application/apply-patch+yaml requests require fieldManager to be set");
    }
    String manager = call.fieldManager();
    String kind = config.path("kind").asText("");
    String apiVersion = config.path("apiVersion").asText("");
    if (kind.isEmpty() || apiVersion.isEmpty()) {
      throw ApiException.badRequest("Object 'Kind' is missing in '" + config + "'");
    }
    pipeline.checkTypeMeta(config, call.type().apiVersion(), call.type().kind());
    String name = config.path("metadata").path("name").asText("");
    if (!name.isEmpty() && !name.equals(call.name())) {
      throw ApiException.badRequest("the name of the object (" + name + ") does not match the name on the URL ("
          + call.name() + ")");
    }
    // Validate the applied configuration's fields like a body: unknown fields are rejected or warned.
    pipeline.decode(call, call.type(), config.deepCopy());
    StoredObject existing = storage.get(call.type(), call.namespace(), call.name());
    if (existing == null && subresource.isEmpty()) {
      ObjectNode merged = patching.apply(null, config, manager, forced, call.type(), subresource, clock.instant());
      JsonNodes.metadata(merged).put("name", call.name());
      ObjectNode obj = prepareCreateFromApply(call, merged);
      if (call.dryRun()) {
        renderer.sendObject(call, 201, obj);
        return;
      }
      renderer.sendObject(call, 201, store(call.type(), obj).object());
      return;
    }
    if (existing == null) {
      throw ApiException.notFound(call.type().resourceName(), call.name());
    }
    writeUpdate(call, subresource, current -> {
      ObjectNode merged = patching.apply(current, config, manager, forced, call.type(), subresource, clock.instant());
      return redecode(call, merged, current);
    }, false);
  }

  private ObjectNode prepareCreateFromApply(Call call, ObjectNode merged) {
    JsonNode managed = merged.path("metadata").get("managedFields");
    ObjectNode obj = prepareCreate(call, merged);
    if (managed != null) {
      JsonNodes.metadata(obj).set("managedFields", managed.deepCopy());
    }
    return obj;
  }

  // ---------------------------------------------------------------- delete

  /** What a delete did: the object deleted at once, or the object now pending deletion. */
  private record Deleted(ObjectNode object, boolean pending) {}

  private void delete(Call call) {
    Deleted d = deleteObject(call, DeleteOptions.read(call, pipeline));
    if (d.pending()) {
      renderer.sendObject(call, 200, d.object());
    } else {
      sendDeleted(call, d.object());
    }
  }

  /** Deletes (or starts deleting) the object a call names, with the given options. */
  Deleted deleteObject(Call call, DeleteOptions options) {
    ResourceType type = call.type();
    boolean dryRun = call.dryRun() || options.dryRun();
    while (true) {
      StoredObject current = mustGet(type, call.namespace(), call.name());
      ObjectNode obj = current.object();
      options.checkPreconditions(type, call.name(), obj);
      admit(call, Operation.DELETE, null, obj);
      ObjectNode pending = pendingDeletion(type, obj, options);
      if (dryRun) {
        return pending != null ? new Deleted(pending, true) : new Deleted(obj, false);
      }
      if (pending != null) {
        ObjectStorage.Replaced replaced = storage.replaceAt(type, call.namespace(), call.name(), current.revision(),
            pending);
        if (!replaced.applied()) {
          continue;
        }
        if (replaced.stored() != null) {
          return new Deleted(replaced.stored().object(), true);
        }
        // Nothing held the object back any more: the store deleted it.
        deleted(type, obj);
        return new Deleted(obj, false);
      }
      if (storage.delete(type, call.namespace(), call.name(), current.revision())) {
        deleted(type, obj);
        return new Deleted(obj, false);
      }
      // Changed meanwhile: read again and decide again.
    }
  }

  /**
   * The object with its deletion pending (deletion timestamp, finalizers for the propagation
   * policy), or null when it can be deleted right away.
   */
  private ObjectNode pendingDeletion(ResourceType type, ObjectNode obj, DeleteOptions options) {
    ObjectNode next = obj.deepCopy();
    ObjectNode meta = JsonNodes.metadata(next);
    long grace = type.strategy().gracePeriodSeconds(obj, options.gracePeriodSeconds());
    List<String> finalizers = new ArrayList<>();
    meta.path("finalizers").forEach(f -> finalizers.add(f.asText()));
    String policy = options.propagationPolicy();
    if ("Orphan".equals(policy)) {
      finalizers.remove("foregroundDeletion");
      if (!finalizers.contains("orphan")) {
        finalizers.add("orphan");
      }
    } else if ("Foreground".equals(policy)) {
      finalizers.remove("orphan");
      if (!finalizers.contains("foregroundDeletion")) {
        finalizers.add("foregroundDeletion");
      }
    } else if ("Background".equals(policy)) {
      finalizers.remove("orphan");
      finalizers.remove("foregroundDeletion");
    }
    boolean alreadyDeleting = meta.hasNonNull("deletionTimestamp");
    if (finalizers.isEmpty() && grace == 0 && !type.strategy().deletionHeld(obj)) {
      return null;
    }
    Instant now = clock.instant();
    if (!alreadyDeleting) {
      meta.put("deletionTimestamp", Times.formatSeconds(now.plusSeconds(grace)));
      meta.put("deletionGracePeriodSeconds", grace);
      if (type.strategy().tracksGeneration() && meta.has("generation")) {
        meta.put("generation", meta.get("generation").asLong() + 1);
      }
      type.strategy().prepareForPendingDeletion(next);
    } else if (grace < meta.path("deletionGracePeriodSeconds").asLong(Long.MAX_VALUE)) {
      // A later delete may shorten the grace period, never lengthen it.
      meta.put("deletionTimestamp", Times.formatSeconds(now.plusSeconds(grace)));
      meta.put("deletionGracePeriodSeconds", grace);
    }
    ArrayNode fin = renderer.mapper().createArrayNode();
    finalizers.forEach(fin::add);
    if (finalizers.isEmpty()) {
      meta.remove("finalizers");
    } else {
      meta.set("finalizers", fin);
    }
    return next;
  }

  private void sendDeleted(Call call, ObjectNode obj) {
    if (call.type().strategy().returnDeletedObject()) {
      renderer.sendObject(call, 200, obj);
    } else {
      renderer.sendObject(call, 200, renderer.mapper().valueToTree(Statuses.deleted(call.type().resourceName(),
          call.name(), obj.path("metadata").path("uid").asText())));
    }
  }

  /** Lets admission plugins release what an object held (service IPs, ports). */
  private void deleted(ResourceType type, ObjectNode obj) {
    for (AdmissionPlugin plugin : admission) {
      if (plugin instanceof DeletionAware aware) {
        aware.deleted(type, obj);
      }
    }
  }

  /** An admission plugin that frees resources when an object is finally deleted. */
  public interface DeletionAware {
    void deleted(ResourceType type, ObjectNode obj);
  }

  private void deleteCollection(Call call) {
    DeleteOptions options = DeleteOptions.read(call, pipeline);
    var ex = call.exchange();
    Predicate<ObjectNode> filter = filter(call.type(), ex.param("labelSelector"), ex.param("fieldSelector"));
    ObjectStorage.Page page = storage.list(call.type(), call.namespace(), filter, 0, null, 0, false);
    List<ObjectNode> affected = new ArrayList<>();
    boolean dryRun = call.dryRun() || options.dryRun();
    for (ObjectNode obj : page.items()) {
      String name = JsonNodes.name(obj);
      String ns = JsonNodes.namespace(obj);
      StoredObject current = storage.get(call.type(), ns, name);
      if (current == null) {
        continue;
      }
      ObjectNode pending = pendingDeletion(call.type(), current.object(), options);
      if (dryRun) {
        affected.add(pending != null ? pending : current.object());
      } else if (pending != null) {
        ObjectStorage.Replaced replaced = storage.replaceAt(call.type(), ns, name, current.revision(), pending);
        if (replaced.applied()) {
          affected.add(replaced.stored() != null ? replaced.stored().object() : pending);
        }
      } else if (storage.delete(call.type(), ns, name, current.revision())) {
        deleted(call.type(), current.object());
        affected.add(current.object());
      }
    }
    renderer.sendList(call, call.type(), affected, Long.toString(storage.revision()), null, null);
  }

  // ---------------------------------------------------------------- status

  private void status(Call call) {
    switch (call.info().verb()) {
      case "get" -> get(call);
      case "update" -> {
        ObjectNode body = pipeline.readBody(call);
        pipeline.checkTypeMeta(body, call.type().apiVersion(), call.type().kind());
        checkNameAndNamespace(call, body);
        ObjectNode decoded = pipeline.decodeAndDefault(call, call.type(), body);
        String precondition = decoded.path("metadata").path("resourceVersion").asText("");
        writeUpdate(call, "status", current -> {
          checkPrecondition(call, current, precondition);
          return decoded.deepCopy();
        });
      }
      case "patch" -> patch(call, "status");
      default -> throw ApiException.methodNotSupported(call.type().resourceName(), call.info().verb());
    }
  }

  /** {@code namespaces/{name}/finalize}: replaces {@code spec.finalizers}; the last one removed deletes a terminating namespace. */
  private void finalizeNamespace(Call call) {
    if (!call.info().verb().equals("update")) {
      throw ApiException.methodNotSupported(call.type().resourceName(), call.info().verb());
    }
    ObjectNode body = pipeline.readBody(call);
    pipeline.checkTypeMeta(body, call.type().apiVersion(), call.type().kind());
    checkNameAndNamespace(call, body);
    JsonNode finalizers = body.path("spec").path("finalizers");
    writeUpdate(call, "finalize", current -> {
      ObjectNode next = current.deepCopy();
      if (finalizers.isArray() && !finalizers.isEmpty()) {
        next.withObjectProperty("spec").set("finalizers", finalizers.deepCopy());
      } else {
        next.withObjectProperty("spec").remove("finalizers");
      }
      return next;
    });
  }

  // ---------------------------------------------------------------- scale

  private void scale(Call call) {
    if (!SCALABLE.contains(call.type().plural())) {
      throw ApiException.pathNotFound();
    }
    switch (call.info().verb()) {
      case "get" -> sendScale(call, mustGet(call.type(), call.namespace(), call.name()).object());
      case "update" -> {
        ObjectNode body = pipeline.readBody(call);
        writeScale(call, current -> body);
      }
      case "patch" -> {
        Patching.Format format = patching.format(call.exchange().contentType());
        if (format == null || format == Patching.Format.APPLY) {
          throw ApiException.unsupportedMediaType(patching.unsupportedMessage());
        }
        JsonNode patch;
        try {
          patch = pipeline.codec().parse(call.exchange().body(), false, false);
        } catch (DecodeException e) {
          throw ApiException.badRequest(e.getMessage());
        }
        // A Scale has no lists, so a strategic merge patch means exactly a merge patch.
        writeScale(call, current -> patching.patch(format == Patching.Format.STRATEGIC_MERGE_PATCH
            ? Patching.Format.MERGE_PATCH : format, current, patch, null));
      }
      default -> throw ApiException.methodNotSupported(call.type().resourceName(), call.info().verb());
    }
  }

  private void writeScale(Call call, java.util.function.UnaryOperator<ObjectNode> change) {
    ResourceType type = call.type();
    StoredObject result = storage.update(type, call.namespace(), call.name(), current -> {
      ObjectNode scale = toScale(current);
      ObjectNode requested = change.apply(scale.deepCopy());
      String precondition = requested.path("metadata").path("resourceVersion").asText("");
      checkPrecondition(call, current, precondition);
      JsonNode replicas = requested.path("spec").get("replicas");
      if (replicas == null || !replicas.canConvertToInt()) {
        replicas = renderer.mapper().getNodeFactory().numberNode(0);
      }
      if (replicas.asInt() < 0) {
        throw ApiException.invalid("Scale", "autoscaling", call.name(), List.of(
            io.bosun.api.validation.FieldError.invalid("spec.replicas", replicas.asInt(),
                "must be greater than or equal to 0")));
      }
      ObjectNode next = current.deepCopy();
      next.withObjectProperty("spec").put("replicas", replicas.asInt());
      ObjectNode prepared = prepareUpdate(call, "scale", next, current, true);
      return call.dryRun() ? current : prepared;
    });
    sendScale(call, result.object());
  }

  /** The autoscaling/v1 Scale view of a scalable object. */
  private ObjectNode toScale(ObjectNode obj) {
    ObjectNode scale = renderer.mapper().createObjectNode();
    scale.put("kind", "Scale");
    scale.put("apiVersion", "autoscaling/v1");
    ObjectNode meta = scale.putObject("metadata");
    JsonNode m = obj.path("metadata");
    for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
      if (m.has(f)) {
        meta.set(f, m.get(f).deepCopy());
      }
    }
    scale.putObject("spec").put("replicas", obj.path("spec").path("replicas").asInt(0));
    ObjectNode status = scale.putObject("status");
    status.put("replicas", obj.path("status").path("replicas").asInt(0));
    String selector = selectorString(obj.path("spec").path("selector"));
    if (!selector.isEmpty()) {
      status.put("selector", selector);
    }
    return scale;
  }

  private static String selectorString(JsonNode selector) {
    List<String> parts = new ArrayList<>();
    new java.util.TreeMap<String, String>(toMap(selector.path("matchLabels")))
        .forEach((k, v) -> parts.add(k + "=" + v));
    for (JsonNode e : selector.path("matchExpressions")) {
      String key = e.path("key").asText();
      List<String> values = new ArrayList<>();
      e.path("values").forEach(v -> values.add(v.asText()));
      java.util.Collections.sort(values);
      switch (e.path("operator").asText()) {
        case "In" -> parts.add(key + " in (" + String.join(",", values) + ")");
        case "NotIn" -> parts.add(key + " notin (" + String.join(",", values) + ")");
        case "Exists" -> parts.add(key);
        case "DoesNotExist" -> parts.add("!" + key);
        default -> { }
      }
    }
    return String.join(",", parts);
  }

  private static Map<String, String> toMap(JsonNode node) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  private void sendScale(Call call, ObjectNode obj) {
    ObjectNode scale = toScale(obj);
    call.exchange().send(200, call.accept().yaml() ? MediaTypes.YAML : MediaTypes.JSON,
        renderer.bytes(scale, call.accept().yaml()));
  }
}
