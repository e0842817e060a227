package io.bosun.apiserver.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.codec.DecodeException;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.status.ApiException;

/**
 * A delete's options, from a {@code DeleteOptions} body or from query parameters (the body wins,
 * as upstream): grace period, propagation policy, preconditions and dry run.
 */
record DeleteOptions(Long gracePeriodSeconds, String propagationPolicy, String uid, String resourceVersion,
    boolean dryRun) {

  static DeleteOptions read(Call call, ObjectPipeline pipeline) {
    var ex = call.exchange();
    Long grace = parseGrace(ex.param("gracePeriodSeconds"));
    String policy = ex.param("propagationPolicy");
    if (policy == null && ex.param("orphanDependents") != null) {
      policy = ex.flag("orphanDependents") ? "Orphan" : "Background";
    }
    String uid = null;
    String rv = null;
    boolean dryRun = false;
    byte[] body = ex.body();
    if (body.length > 0 && !new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      JsonNode opts;
      try {
        opts = pipeline.parseOptions(body, ex.contentType());
      } catch (DecodeException e) {
        throw ApiException.badRequest(e.getMessage());
      }
      if (!(opts instanceof ObjectNode o)) {
        throw ApiException.badRequest("DeleteOptions must be a JSON object");
      }
      String kind = o.path("kind").asText("DeleteOptions");
      if (!kind.isEmpty() && !kind.equals("DeleteOptions")) {
        throw ApiException.badRequest("the object provided is unrecognized (must be of type DeleteOptions): kind "
            + kind);
      }
      if (o.hasNonNull("gracePeriodSeconds")) {
        if (!o.get("gracePeriodSeconds").canConvertToLong()) {
          throw ApiException.badRequest("gracePeriodSeconds must be an integer");
        }
        grace = o.get("gracePeriodSeconds").asLong();
      }
      if (o.hasNonNull("propagationPolicy")) {
        policy = o.get("propagationPolicy").asText();
      } else if (o.hasNonNull("orphanDependents")) {
        policy = o.get("orphanDependents").asBoolean() ? "Orphan" : "Background";
      }
      uid = o.path("preconditions").path("uid").asText(null);
      rv = o.path("preconditions").path("resourceVersion").asText(null);
      for (JsonNode d : o.path("dryRun")) {
        if (!d.asText().equals("All")) {
          throw ApiException.badRequest("Invalid dry run value: " + d.asText() + ". Valid value is All.");
        }
        dryRun = true;
      }
    }
    if (policy != null && !policy.isEmpty() && !policy.equals("Orphan") && !policy.equals("Background")
        && !policy.equals("Foreground")) {
      throw ApiException.invalid("DeleteOptions", "", "", java.util.List.of(
          io.bosun.api.validation.FieldError.notSupported("propagationPolicy", policy,
              java.util.List.of("Foreground", "Background", "Orphan"))));
    }
    if (grace != null && grace < 0) {
      grace = 0L;
    }
    return new DeleteOptions(grace, policy == null || policy.isEmpty() ? null : policy, uid, rv, dryRun);
  }

  private static Long parseGrace(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("gracePeriodSeconds: Invalid value: \"" + value + "\": must be an integer");
    }
  }

  /** Fails with 409 when a precondition does not hold, with upstream's message. */
  void checkPreconditions(ResourceType type, String name, ObjectNode obj) {
    String actualUid = obj.path("metadata").path("uid").asText("");
    if (uid != null && !uid.isEmpty() && !uid.equals(actualUid)) {
      throw ApiException.conflict(type.resourceName(), name,
          "Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + actualUid);
    }
    String actualRv = obj.path("metadata").path("resourceVersion").asText("");
    if (resourceVersion != null && !resourceVersion.isEmpty() && !resourceVersion.equals(actualRv)) {
      throw ApiException.conflict(type.resourceName(), name, "Precondition failed: ResourceVersion in precondition: "
          + resourceVersion + ", ResourceVersion in object meta: " + actualRv);
    }
  }
}
