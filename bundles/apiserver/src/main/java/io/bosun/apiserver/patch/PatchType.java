package io.bosun.apiserver.patch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The patch formats of a PATCH request, by their Content-Type. */
public enum PatchType {
  JSON_PATCH("application/json-patch+json"),
  MERGE_PATCH("application/merge-patch+json"),
  STRATEGIC_MERGE_PATCH("application/strategic-merge-patch+json"),
  APPLY_YAML("application/apply-patch+yaml"),
  /** Recognised but not served: upstream serves it only behind a feature gate. */
  APPLY_CBOR("application/apply-patch+cbor");

  private final String mediaType;

  PatchType(String mediaType) {
    this.mediaType = mediaType;
  }

  public String mediaType() {
    return mediaType;
  }

  /** Whether this server applies patches of this type. */
  public boolean supported() {
    return this != APPLY_CBOR;
  }

  /**
   * The patch type named by a Content-Type header, ignoring parameters such as {@code charset}
   * and letter case; null when absent or unknown (the server then answers 415 with
   * {@link #unsupportedMediaTypeMessage(boolean)}).
   */
  public static PatchType fromContentType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semicolon = contentType.indexOf(';');
    String bare = (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType).trim().toLowerCase(Locale.ROOT);
    for (PatchType t : values()) {
      if (t.mediaType.equals(bare)) {
        return t;
      }
    }
    return null;
  }

  /**
   * The media types served, in upstream's order. Strategic merge patch is left out for resources
   * without a Go schema upstream (custom resources), as upstream does.
   */
  public static List<String> acceptedMediaTypes(boolean strategicMergePatch) {
    List<String> out = new ArrayList<>();
    out.add(JSON_PATCH.mediaType);
    out.add(MERGE_PATCH.mediaType);
    if (strategicMergePatch) {
      out.add(STRATEGIC_MERGE_PATCH.mediaType);
    }
    out.add(APPLY_YAML.mediaType);
    return List.copyOf(out);
  }

  /** Upstream's 415 message for a PATCH whose Content-Type is not served. */
  public static String unsupportedMediaTypeMessage(boolean strategicMergePatch) {
    return "the body of the request was in an unknown format - accepted media types include: "
        + String.join(", ", acceptedMediaTypes(strategicMergePatch));
  }
}
