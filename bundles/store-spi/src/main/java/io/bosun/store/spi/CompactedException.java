package io.bosun.store.spi;

/**
 * A read or watch asked for a revision older than the oldest the store still holds. The API
 * server answers it with 410 Gone (reason Expired), after which clients list again.
 */
public class CompactedException extends StoreException {

  private static final long serialVersionUID = 1L;
  private final long compactRevision;

  public CompactedException(long requested, long compactRevision) {
    super("required revision " + requested + " has been compacted; oldest available is " + compactRevision);
    this.compactRevision = compactRevision;
  }

  /** The oldest revision the store can still serve. */
  public long compactRevision() {
    return compactRevision;
  }
}
