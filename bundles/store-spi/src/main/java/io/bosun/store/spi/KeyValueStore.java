package io.bosun.store.spi;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A durable, ordered, multi-version key-value store, registered as an OSGi service by a store
 * backend bundle. Exactly one store is active in a runtime; consumers pick it by the
 * {@value #BACKEND} service property when they care.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Every successful write gets a new revision, one higher than the previous one; revision 0
 *       means "no revision" and the first write is revision 1.</li>
 *   <li>A write whose method returned is durable: it survives the process being killed.</li>
 *   <li>All methods are thread-safe. Writes are linearizable; a read sees every write that
 *       returned before it started.</li>
 *   <li>Methods throw {@link StoreException} only for failures of the store itself; failed
 *       preconditions are reported through {@link WriteResult#succeeded()}.</li>
 * </ul>
 */
@ProviderType
public interface KeyValueStore {

  /** Service property naming the backend, such as {@code embedded} or {@code etcd}. */
  String BACKEND = "bosun.store.backend";

  /** The revision of the last committed write. */
  long revision();

  /** The oldest revision that reads and watches may still ask for; older ones are compacted. */
  long compactRevision();

  /** The key at the latest revision, or {@code null} if it does not exist. */
  KeyValue get(String key);

  /**
   * Reads keys of {@code range} in key order.
   *
   * @param limit    the most keys to return; 0 for no limit
   * @param revision the revision to read at; 0 for the latest
   * @throws CompactedException      if {@code revision} has been compacted
   * @throws FutureRevisionException if {@code revision} is newer than {@link #revision()}
   */
  RangeResult range(KeyRange range, long limit, long revision);

  /** Counts the keys of {@code range} at the latest revision. */
  long count(KeyRange range);

  /** Creates {@code key}; fails if it exists. */
  WriteResult create(String key, byte[] value, long lease);

  /**
   * Replaces {@code key} if its mod revision is {@code expectedModRevision}; fails if the key is
   * absent or was changed since.
   */
  WriteResult update(String key, byte[] value, long expectedModRevision, long lease);

  /**
   * Deletes {@code key} if its mod revision is {@code expectedModRevision}, or unconditionally
   * when that is 0; fails if the key is absent or was changed since.
   */
  WriteResult delete(String key, long expectedModRevision);

  /**
   * Grants a lease that expires {@code ttlSeconds} after it is granted; keys attached to it are
   * deleted (with ordinary delete events) when it expires.
   *
   * @return the lease id, never 0
   */
  long grantLease(long ttlSeconds);

  /**
   * Watches {@code range} from {@code fromRevision} (inclusive): first every change already made
   * at or after that revision, then new changes as they commit. {@code fromRevision} 0 means
   * "changes after the current revision".
   *
   * <p>If {@code fromRevision} has been compacted the listener's
   * {@link WatchListener#onClose(StoreException)} is called with a {@link CompactedException}.
   */
  Watch watch(KeyRange range, long fromRevision, WatchListener listener);

  /** Discards history before {@code revision}; reads and watches at older revisions then fail. */
  void compact(long revision);

  /** Figures about the store for health checks and metrics (sizes, counts, backend details). */
  Map<String, Object> status();
}
