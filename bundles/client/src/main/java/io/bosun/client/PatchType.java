package io.bosun.client;

/** The patch formats the API server accepts, by their content type. */
public enum PatchType {
  /** RFC 6902 JSON patch: a list of operations. */
  JSON("application/json-patch+json"),
  /** RFC 7386 JSON merge patch: lists are replaced whole. */
  MERGE("application/merge-patch+json"),
  /** Kubernetes strategic merge patch: lists merge by their patch merge keys. */
  STRATEGIC_MERGE("application/strategic-merge-patch+json"),
  /** Server-side apply; see {@link ResourceClient#apply}. */
  APPLY("application/apply-patch+yaml");

  private final String contentType;

  PatchType(String contentType) {
    this.contentType = contentType;
  }

  /** The {@code Content-Type} this patch is sent with. */
  public String contentType() {
    return contentType;
  }
}
