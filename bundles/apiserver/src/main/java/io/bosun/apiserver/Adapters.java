package io.bosun.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.ApiSchema;
import io.bosun.apiserver.http.ApiHandler;
import io.bosun.apiserver.registry.ResourceRegistry;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.rest.Patching;
import io.bosun.apiserver.rest.TableRendering;
import io.bosun.apiserver.status.ApiException;
import io.bosun.apiserver.openapi.OpenApiV3;
import io.bosun.apiserver.table.IncludeObject;
import io.bosun.apiserver.table.ListInfo;
import io.bosun.apiserver.table.TableConverter;
import io.bosun.apiserver.table.TableOptions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Connects the REST handlers to the table printers, patch engines and OpenAPI documents.
 */
final class Adapters {

  private Adapters() {
  }

  static TableRendering tables(ApiSchema schema, Clock clock) {
    TableConverter converter = new TableConverter();
    return (type, objects, listMeta, includeObject) -> {
      IncludeObject include;
      try {
        include = IncludeObject.parse(includeObject);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(e.getMessage());
      }
      return converter.convert(type.info(), objects, new TableOptions(include, false), ListInfo.of(listMeta),
          clock.instant());
    };
  }

  static Patching patching(ApiSchema schema) {
    return new Patching() {
      @Override
      public Format format(String contentType) {
        if (contentType == null) {
          return null;
        }
        return switch (contentType.split(";")[0].trim().toLowerCase(Locale.ROOT)) {
          case "application/json-patch+json" -> Format.JSON_PATCH;
          case "application/merge-patch+json" -> Format.MERGE_PATCH;
          case "application/strategic-merge-patch+json" -> Format.STRATEGIC_MERGE_PATCH;
          case "application/apply-patch+yaml" -> Format.APPLY;
          default -> null;
        };
      }

      @Override
      public String unsupportedMessage() {
        return "the body of the request was in an unknown format - accepted media types include: "
            + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";
      }

      @Override
      public ObjectNode patch(Format format, ObjectNode current, JsonNode patch, ResourceType type) {
        if (format != Format.MERGE_PATCH) {
          throw ApiException.unsupportedMediaType(unsupportedMessage());
        }
        return (ObjectNode) merge(current, patch);
      }

      @Override
      public ObjectNode apply(ObjectNode live, ObjectNode applied, String manager, boolean force, ResourceType type,
          String subresource, Instant now) {
        return live == null ? applied.deepCopy() : (ObjectNode) merge(live, applied);
      }

      @Override
      public ObjectNode trackUpdate(ObjectNode old, ObjectNode updated, String manager, ResourceType type,
          String subresource, Instant now) {
        return updated;
      }
    };
  }

  private static JsonNode merge(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
        : JsonNodeFactory.instance.objectNode();
    patch.fields().forEachRemaining(e -> {
      if (e.getValue().isNull()) {
        result.remove(e.getKey());
      } else {
        result.set(e.getKey(), merge(result.get(e.getKey()), e.getValue()));
      }
    });
    return result;
  }

  static ApiHandler.OpenApi openApi(ApiSchema schema, ResourceRegistry registry) {
    OpenApiV3 documents = new OpenApiV3(schema, registry.all().stream().map(ResourceType::info).toList());
    return new ApiHandler.OpenApi() {
      @Override
      public byte[] index() {
        return documents.indexJson();
      }

      @Override
      public byte[] document(String path) {
        return documents.documentJson(path).orElse(null);
      }
    };
  }
}
