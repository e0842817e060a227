package io.bosun.store.spi;

/**
 * The outcome of a conditional write. A failed precondition is an ordinary outcome, not an
 * exception: callers turn it into 409 AlreadyExists / Conflict or 404 NotFound.
 *
 * @param succeeded whether the write was applied (and is durable)
 * @param revision  the store revision after the operation: the write's own revision when it
 *                  succeeded, the current revision when it did not
 * @param kv        on success, the key as written (for a delete: the key as it was before the
 *                  delete); on failure, the key's current state, or {@code null} if it is absent
 */
public record WriteResult(boolean succeeded, long revision, KeyValue kv) {

  public static WriteResult applied(long revision, KeyValue kv) {
    return new WriteResult(true, revision, kv);
  }

  public static WriteResult rejected(long revision, KeyValue current) {
    return new WriteResult(false, revision, current);
  }
}
