package io.bosun.client;

/**
 * Query options of a list or watch, as upstream's {@code metav1.ListOptions}. Immutable; start
 * from {@link #none()} and use the {@code with...} methods. Null or empty strings and zero
 * numbers are not sent.
 *
 * @param labelSelector        such as {@code app=web,tier!=db}
 * @param fieldSelector        such as {@code spec.nodeName=node-1}; the kind must support the field
 * @param limit                page size of a list; 0 for no paging
 * @param continueToken        the {@code continue} token of the previous page
 * @param resourceVersion      list: "" for the latest, "0" for any, "N" for not older than N;
 *                             watch: the version after which changes are sent ("" or "0": the
 *                             current state first, as ADDED events)
 * @param resourceVersionMatch {@code Exact} or {@code NotOlderThan}, with a resourceVersion
 * @param timeoutSeconds       watch: the server ends the stream after this long; 0 for its default
 * @param allowWatchBookmarks  watch: ask for BOOKMARK events carrying the latest resourceVersion
 */
public record ListOptions(String labelSelector, String fieldSelector, long limit, String continueToken,
    String resourceVersion, String resourceVersionMatch, long timeoutSeconds, boolean allowWatchBookmarks) {

  private static final ListOptions NONE = new ListOptions(null, null, 0, null, null, null, 0, false);

  public ListOptions {
    if (limit < 0 || timeoutSeconds < 0) {
      throw new IllegalArgumentException("limit and timeoutSeconds must not be negative");
    }
  }

  /** No selectors, no paging, the latest state. */
  public static ListOptions none() {
    return NONE;
  }

  /** A copy with {@code labelSelector} changed. */
  public ListOptions withLabelSelector(String labelSelector) {
    return new ListOptions(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch,
        timeoutSeconds, allowWatchBookmarks);
  }

  /** A copy with {@code fieldSelector} changed. */
  public ListOptions withFieldSelector(String fieldSelector) {
    return new ListOptions(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch,
        timeoutSeconds, allowWatchBookmarks);
  }

  /** A copy with {@code limit} changed. */
  public ListOptions withLimit(long limit) {
    return new ListOptions(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch,
        timeoutSeconds, allowWatchBookmarks);
  }

  /** A copy with {@code continueToken} changed. */
  public ListOptions withContinueToken(String continueToken) {
    return new ListOptions(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch,
        timeoutSeconds, allowWatchBookmarks);
  }

  /** A copy with {@code resourceVersion} changed. */
  public ListOptions withResourceVersion(String resourceVersion) {
    return new ListOptions(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch,
        timeoutSeconds, allowWatchBookmarks);
  }

  /** A copy with {@code resourceVersionMatch} changed. */
  public ListOptions withResourceVersionMatch(String resourceVersionMatch) {
    return new ListOptions(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch,
        timeoutSeconds, allowWatchBookmarks);
  }

  /** A copy with {@code timeoutSeconds} changed. */
  public ListOptions withTimeoutSeconds(long timeoutSeconds) {
    return new ListOptions(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch,
        timeoutSeconds, allowWatchBookmarks);
  }

  /** A copy with {@code allowWatchBookmarks} changed. */
  public ListOptions withAllowWatchBookmarks(boolean allowWatchBookmarks) {
    return new ListOptions(labelSelector, fieldSelector, limit, continueToken, resourceVersion, resourceVersionMatch,
        timeoutSeconds, allowWatchBookmarks);
  }
}
