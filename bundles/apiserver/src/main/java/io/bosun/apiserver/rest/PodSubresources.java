package io.bosun.apiserver.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.labels.SelectorException;
import io.bosun.api.values.Times;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.status.ApiException;
import io.bosun.apiserver.status.Statuses;
import io.bosun.apiserver.storage.JsonNodes;
import io.bosun.apiserver.storage.ObjectStorage;
import io.bosun.apiserver.storage.StoredObject;
import java.time.Clock;
import java.util.function.BiConsumer;

/**
 * {@code pods/binding} (the scheduler's decision) and {@code pods/eviction} (a delete that
 * honours PodDisruptionBudgets), as upstream serves them.
 */
final class PodSubresources {

  private final ObjectStorage storage;
  private final ObjectPipeline pipeline;
  private final Renderer renderer;
  private final Clock clock;

  private final io.bosun.apiserver.registry.ResourceRegistry registry;

  PodSubresources(ObjectStorage storage, io.bosun.apiserver.registry.ResourceRegistry registry,
      ObjectPipeline pipeline, Renderer renderer, Clock clock) {
    this.storage = storage;
    this.registry = registry;
    this.pipeline = pipeline;
    this.renderer = renderer;
    this.clock = clock;
  }

  /** Binds a pod to a node: sets {@code spec.nodeName} once, and the PodScheduled condition. */
  void bind(Call call) {
    requireCreate(call);
    ObjectNode binding = pipeline.readBody(call);
    pipeline.checkTypeMeta(binding, "v1", "Binding");
    String name = binding.path("metadata").path("name").asText("");
    if (!name.isEmpty() && !name.equals(call.name())) {
      throw ApiException.badRequest("the name of the object (" + name + ") does not match the name on the URL ("
          + call.name() + ")");
    }
    JsonNode target = binding.path("target");
    String kind = target.path("kind").asText("");
    String node = target.path("name").asText("");
    if (!kind.isEmpty() && !kind.equals("Node")) {
      throw ApiException.badRequest("Binding target kind " + kind + " is not supported: only Node");
    }
    if (node.isEmpty()) {
      throw ApiException.invalid("Binding", "", call.name(), java.util.List.of(
          io.bosun.api.validation.FieldError.required("target.name", "")));
    }
    JsonNode annotations = binding.path("metadata").path("annotations");
    String uid = binding.path("metadata").path("uid").asText("");
    ResourceType pods = call.type();
    StoredObject result = storage.update(pods, call.namespace(), call.name(), pod -> {
      ObjectNode meta = JsonNodes.metadata(pod);
      // A binding may name the pod it was computed for; a recreated pod of the same name is not it.
      if (!uid.isEmpty() && !uid.equals(meta.path("uid").asText())) {
        throw ApiException.conflict(pods.resourceName(), call.name(), "Precondition failed: UID in precondition: "
            + uid + ", UID in object meta: " + meta.path("uid").asText());
      }
      if (meta.hasNonNull("deletionTimestamp")) {
        throw ApiException.conflict(pods.resourceName(), call.name(),
            "pod " + call.name() + " is being deleted, cannot be assigned to a host");
      }
      String assigned = pod.path("spec").path("nodeName").asText("");
      if (!assigned.isEmpty()) {
        throw ApiException.conflict(pods.resourceName(), call.name(),
            "pod " + call.name() + " is already assigned to node \"" + assigned + "\"");
      }
      pod.withObjectProperty("spec").put("nodeName", node);
      if (annotations.isObject()) {
        ObjectNode podAnnotations = meta.withObjectProperty("annotations");
        annotations.fields().forEachRemaining(e -> podAnnotations.set(e.getKey(), e.getValue().deepCopy()));
      }
      setScheduledCondition(pod.withObjectProperty("status"));
      return pod;
    });
    if (result == null) {
      throw ApiException.notFound(pods.resourceName(), call.name());
    }
    call.exchange().send(201, io.bosun.apiserver.http.MediaTypes.JSON,
        renderer.bytes(Statuses.success(), false));
  }

  private void setScheduledCondition(ObjectNode status) {
    ArrayNode conditions = status.withArrayProperty("conditions");
    String now = Times.formatSeconds(clock.instant());
    for (JsonNode c : conditions) {
      if (c.path("type").asText().equals("PodScheduled")) {
        ObjectNode o = (ObjectNode) c;
        if (!o.path("status").asText().equals("True")) {
          o.put("lastTransitionTime", now);
        }
        o.put("status", "True");
        o.remove("reason");
        o.remove("message");
        return;
      }
    }
    ObjectNode c = conditions.addObject();
    c.put("type", "PodScheduled");
    c.put("status", "True");
    c.putNull("lastProbeTime");
    c.put("lastTransitionTime", now);
  }

  /**
   * Evicts a pod: refused with 429 while a PodDisruptionBudget covering it allows no disruption,
   * else deleted with the eviction's options.
   */
  void evict(Call call, BiConsumer<Call, DeleteOptions> delete) {
    // delete performs the deletion without answering; the eviction answers with a Status.
    requireCreate(call);
    ObjectNode eviction = pipeline.readBody(call);
    pipeline.checkTypeMeta(eviction, "policy/v1", "Eviction");
    StoredObject pod = storage.get(call.type(), call.namespace(), call.name());
    if (pod == null) {
      throw ApiException.notFound(call.type().resourceName(), call.name());
    }
    String phase = pod.object().path("status").path("phase").asText("");
    boolean terminal = phase.equals("Succeeded") || phase.equals("Failed");
    if (!terminal && !pod.object().path("metadata").hasNonNull("deletionTimestamp")) {
      checkDisruptionBudgets(call, pod.object());
    }
    JsonNode opts = eviction.path("deleteOptions");
    Long grace = opts.hasNonNull("gracePeriodSeconds") ? opts.get("gracePeriodSeconds").asLong() : null;
    DeleteOptions options = new DeleteOptions(grace, opts.path("propagationPolicy").asText(null),
        opts.path("preconditions").path("uid").asText(null),
        opts.path("preconditions").path("resourceVersion").asText(null), false);
    delete.accept(call, options);
    call.exchange().send(201, io.bosun.apiserver.http.MediaTypes.JSON, renderer.bytes(Statuses.success(), false));
  }

  private void checkDisruptionBudgets(Call call, ObjectNode pod) {
    ResourceType pdbs = registry.find("policy", "v1", "poddisruptionbudgets");
    if (pdbs == null) {
      return;
    }
    for (ObjectNode pdb : storage.list(pdbs, call.namespace(), null, 0, null, 0, false).items()) {
      LabelSelector selector;
      try {
        selector = LabelSelector.fromSpec(renderer.mapper().treeToValue(pdb.path("spec").path("selector"),
            io.bosun.api.meta.v1.LabelSelector.class));
      } catch (SelectorException | com.fasterxml.jackson.core.JsonProcessingException e) {
        continue;
      }
      if (!selector.matches(JsonNodes.labels(pod))) {
        continue;
      }
      JsonNode status = pdb.path("status");
      boolean current = status.path("observedGeneration").asLong(-1) >= pdb.path("metadata").path("generation")
          .asLong(0);
      if (!current || status.path("disruptionsAllowed").asInt(0) <= 0) {
        throw ApiException.tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 10);
      }
    }
  }

  private static void requireCreate(Call call) {
    if (!call.info().verb().equals("create")) {
      throw ApiException.methodNotSupported(call.type().resourceName(), call.info().verb());
    }
  }
}
