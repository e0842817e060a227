package io.bosun.client;

import java.util.List;

/**
 * One list answer: the items and the list metadata.
 *
 * @param items              the objects, in the server's order (by namespace and name); immutable
 * @param resourceVersion    the revision the list was read at; watch from it to follow changes
 * @param continueToken      the token of the next page, or null when the list is complete
 * @param remainingItemCount the server's estimate of items after this page, or null
 */
public record ListResult<T>(List<T> items, String resourceVersion, String continueToken, Long remainingItemCount) {

  public ListResult {
    items = List.copyOf(items);
  }
}
