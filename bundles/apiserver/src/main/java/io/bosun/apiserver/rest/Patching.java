package io.bosun.apiserver.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.registry.ResourceType;
import java.time.Instant;

/** Patch application and field ownership, as the REST handlers need them. */
public interface Patching {

  /** The patch formats upstream accepts, by Content-Type. */
  enum Format { JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY }

  /** The format of a PATCH Content-Type, or null when it is not one (415). */
  Format format(String contentType);

  /** The message of the 415 answer for an unknown patch Content-Type. */
  String unsupportedMessage();

  /**
   * Applies a JSON, merge or strategic merge patch to {@code current}.
   *
   * @throws io.bosun.apiserver.status.ApiException 400/422 for a malformed or inapplicable patch
   */
  ObjectNode patch(Format format, ObjectNode current, JsonNode patch, ResourceType type);

  /**
   * Server-side apply of {@code applied} onto {@code live} (null when the object does not exist).
   *
   * @throws io.bosun.apiserver.status.ApiException 409 with the conflicting fields unless {@code force}
   */
  ObjectNode apply(ObjectNode live, ObjectNode applied, String manager, boolean force, ResourceType type,
      String subresource, Instant now);

  /** Records {@code manager}'s ownership of what an Update changed from {@code old} (null on create). */
  ObjectNode trackUpdate(ObjectNode old, ObjectNode updated, String manager, ResourceType type, String subresource,
      Instant now);
}
