package io.bosun.apiserver.http;

import io.bosun.apiserver.status.ApiException;
import java.util.List;
import java.util.Locale;

/** Content negotiation for responses, following upstream's media types and {@code as=} forms. */
public final class MediaTypes {

  public static final String JSON = "application/json";
  public static final String YAML = "application/yaml";
  public static final String PROTOBUF = "application/vnd.kubernetes.protobuf";
  public static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";

  /** What to render. */
  public enum Form { OBJECT, TABLE, PARTIAL_METADATA }

  /** The chosen rendering: a form and whether it is YAML. */
  public record Negotiated(Form form, boolean yaml, String contentType) {}

  private MediaTypes() {
  }

  /**
   * Picks the first acceptable rendering from an Accept header (JSON when absent).
   *
   * @throws ApiException 406 when nothing acceptable can be produced
   */
  public static Negotiated negotiate(String accept) {
    if (accept == null || accept.isBlank()) {
      return new Negotiated(Form.OBJECT, false, JSON);
    }
    for (String entry : accept.split(",")) {
      String[] parts = entry.trim().split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      String as = null;
      String group = null;
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].trim().split("=", 2);
        if (kv.length == 2) {
          switch (kv[0].trim()) {
            case "as" -> as = kv[1].trim();
            case "g" -> group = kv[1].trim();
            default -> { }
          }
        }
      }
      boolean json = type.equals(JSON) || type.equals("*/*") || type.equals("application/*");
      boolean yaml = type.equals(YAML);
      if (!json && !yaml) {
        continue;
      }
      if (as == null) {
        return new Negotiated(Form.OBJECT, yaml, yaml ? YAML : JSON);
      }
      if (!"meta.k8s.io".equals(group)) {
        continue;
      }
      if (as.equals("Table")) {
        return new Negotiated(Form.TABLE, yaml, yaml ? YAML : TABLE);
      }
      if (as.equals("PartialObjectMetadata") || as.equals("PartialObjectMetadataList")) {
        return new Negotiated(Form.PARTIAL_METADATA, yaml,
            (yaml ? YAML : JSON) + ";as=" + as + ";v=v1;g=meta.k8s.io");
      }
    }
    throw ApiException.notAcceptable(List.of(JSON, YAML, "application/vnd.kubernetes.protobuf"));
  }

  /** Whether a request body of this Content-Type is YAML. */
  public static boolean isYaml(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(YAML);
  }

  /** Whether a request body of this Content-Type is Kubernetes protobuf. */
  public static boolean isProtobuf(String contentType) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(PROTOBUF);
  }

  /** Whether this server can read a request body of this Content-Type for create/update. */
  public static boolean isReadable(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return true;
    }
    String type = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    return type.equals(JSON) || type.equals(YAML) || type.equals(PROTOBUF) || type.equals("*/*");
  }
}
