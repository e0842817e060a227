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
import io.bosun.api.schema.TypeSchema;
import io.bosun.apiserver.patch.ConflictException;
import io.bosun.apiserver.patch.FieldScope;
import io.bosun.apiserver.patch.FieldSet;
import io.bosun.apiserver.patch.JsonMergePatch;
import io.bosun.apiserver.patch.ManagedFields;
import io.bosun.apiserver.patch.ServerSideApply;
import io.bosun.apiserver.patch.JsonPatch;
import io.bosun.apiserver.patch.PatchException;
import io.bosun.apiserver.patch.PatchType;
import io.bosun.apiserver.patch.StrategicMergePatch;
import io.bosun.apiserver.table.IncludeObject;
import io.bosun.apiserver.table.ListInfo;
import io.bosun.apiserver.table.TableConverter;
import io.bosun.apiserver.table.TableOptions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

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
        PatchType t = PatchType.fromContentType(contentType);
        if (t == null || !t.supported()) {
          return null;
        }
        return switch (t) {
          case JSON_PATCH -> Format.JSON_PATCH;
          case MERGE_PATCH -> Format.MERGE_PATCH;
          case STRATEGIC_MERGE_PATCH -> Format.STRATEGIC_MERGE_PATCH;
          case APPLY_YAML -> Format.APPLY;
          case APPLY_CBOR -> null;
        };
      }

      @Override
      public String unsupportedMessage() {
        return PatchType.unsupportedMediaTypeMessage(true);
      }

      @Override
      public ObjectNode patch(Format format, ObjectNode current, JsonNode patch, ResourceType type) {
        JsonNode result;
        try {
          result = switch (format) {
            case JSON_PATCH -> JsonPatch.apply(current, patch);
            case MERGE_PATCH -> JsonMergePatch.apply(current, patch);
            case STRATEGIC_MERGE_PATCH -> StrategicMergePatch.apply(current, patch,
                schema.type(type.info().typeName()), schema);
            case APPLY -> throw new IllegalArgumentException("apply is not a patch");
          };
        } catch (PatchException e) {
          throw toApi(e);
        }
        if (!(result instanceof ObjectNode obj)) {
          throw ApiException.badRequest("the patched document is not an object");
        }
        return obj;
      }

      @Override
      public ObjectNode apply(ObjectNode live, ObjectNode applied, String manager, boolean force, ResourceType type,
          String subresource, Instant now) {
        try {
          return (ObjectNode) ServerSideApply.apply(live, applied, manager, force, scope(type, subresource), now);
        } catch (ConflictException e) {
          List<io.bosun.api.meta.v1.StatusCause> causes = e.conflicts().stream()
              .map(c -> new io.bosun.api.meta.v1.StatusCause().withReason(ConflictException.CAUSE_TYPE)
                  .withMessage(c.message()).withField(c.field()))
              .toList();
          throw new ApiException(ApiException.failure(409, "Conflict", e.getMessage(),
              new io.bosun.api.meta.v1.StatusDetails().withName(live == null ? null
                  : live.path("metadata").path("name").asText(null))
                  .withGroup(type.group().isEmpty() ? null : type.group()).withKind(type.plural())
                  .withCauses(causes)));
        } catch (PatchException e) {
          throw toApi(e);
        }
      }

      @Override
      public ObjectNode trackUpdate(ObjectNode old, ObjectNode updated, String manager, ResourceType type,
          String subresource, Instant now) {
        return (ObjectNode) ManagedFields.update(old, updated, manager, scope(type, subresource), now);
      }

      /**
       * What a write through {@code subresource} may own: the main resource never owns status
       * (when status has its own endpoint), the status endpoint never owns the spec.
       */
      private FieldScope scope(ResourceType type, String subresource) {
        TypeSchema typeSchema = type == null ? null : schema.type(type.info().typeName());
        FieldSet reset = switch (subresource == null ? "" : subresource) {
          case "" -> type != null && type.hasSubresource("status") ? FieldSet.ofPaths("status") : FieldSet.empty();
          case "status" -> FieldSet.ofPaths("spec");
          default -> FieldSet.ofPaths("status");
        };
        return FieldScope.of(schema, typeSchema, subresource, reset);
      }
    };
  }

  /** A patch failure as a Status; never a 500: a patch that cannot apply is the client's error. */
  private static ApiException toApi(PatchException e) {
    return switch (e.code()) {
      case 413 -> ApiException.tooLarge(JsonPatch.MAX_OPERATIONS);
      case 422 -> new ApiException(ApiException.failure(422, "Invalid", e.statusMessage(),
          new io.bosun.api.meta.v1.StatusDetails().withCauses(List.of(
              new io.bosun.api.meta.v1.StatusCause().withMessage(e.getMessage())))));
      default -> ApiException.badRequest(e.statusMessage());
    };
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
