package io.bosun.client;

import io.bosun.api.autoscaling.v1.Scale;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.schema.KindInfo;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * REST access to one kind, as client-go's typed clients. Thread-safe; every method except
 * {@link #watch} blocks for one round trip (plus pages and {@code Retry-After} retries).
 *
 * <p>Namespaces: for namespaced kinds {@code namespace} names the namespace, and null or
 * {@code ""} means all namespaces where that makes sense ({@link #list}, {@link #watch}) and is
 * an error elsewhere. For cluster-scoped kinds the namespace is ignored; pass null. Writes take
 * the namespace from the object's {@code metadata.namespace}.
 *
 * <p>Objects passed in are not modified; objects returned are new and belong to the caller.
 *
 * <p>Errors: {@link ClientStatusException} when the server answered with an error Status
 * (404, 409, 410, 422 ...), {@link ClientTransportException} when it could not be reached or the
 * response could not be read, {@link IllegalArgumentException} for calls that cannot be sent
 * (a namespaced write without a namespace, an object without a name).
 *
 * @param <T> the model class of the kind, such as {@code Pod}
 */
@ProviderType
public interface ResourceClient<T extends KubernetesObject> {

  /** The served kind: group, version, plural, scope and subresources. */
  KindInfo kind();

  /** The model class of this kind. */
  Class<T> type();

  /** Reads one object; empty if it does not exist (404). */
  Optional<T> get(String namespace, String name);

  /**
   * Lists objects, following {@code continue} tokens until the list is complete (client-go's
   * pager). With {@code options.limit() > 0} the list is fetched in pages of that size; if a
   * continue token expires midway (410), the list is read again in one piece, as the pager does.
   * With a {@code continueToken} the list goes on from there to the end. The result's
   * resourceVersion is that of the first page: watch from it to follow later changes.
   *
   * @param options selectors, page size and resourceVersion semantics; null for none
   */
  ListResult<T> list(String namespace, ListOptions options);

  /**
   * Reads exactly one page (one request, client-go's typed {@code List}): at most
   * {@code options.limit()} items, starting at {@code options.continueToken()}, with the token of
   * the next page in the result.
   *
   * @param options as for {@link #list}; null for none
   * @throws ClientStatusException 410 when the continue token has expired
   */
  ListResult<T> listPage(String namespace, ListOptions options);

  /** Creates {@code obj}; returns what the server stored (uid, resourceVersion, defaults...). */
  T create(T obj);

  /**
   * Replaces {@code obj} (PUT). Its {@code metadata.resourceVersion}, when set, makes the write
   * conditional: a stale one fails with 409 Conflict ({@link ClientStatusException#isConflict()});
   * re-read and retry.
   */
  T update(T obj);

  /**
   * Replaces the status of {@code obj} ({@code PUT .../status}); the rest of the object is
   * ignored by the server.
   *
   * @throws UnsupportedOperationException if this kind has no status subresource
   */
  T updateStatus(T obj);

  /**
   * Patches an object.
   *
   * @param body a JSON document in the form {@code type} names; for {@link PatchType#APPLY} use
   *             {@link #apply} instead, which sets the field manager
   */
  T patch(String namespace, String name, PatchType type, String body);

  /**
   * Server-side apply ({@code PATCH application/apply-patch+yaml}): creates the object or merges
   * the fields set in {@code obj} into it, taking ownership of them for {@code fieldManager}.
   * Send only the fields you have an opinion about (build a fresh object rather than editing a
   * read one). {@code metadata.managedFields} is never sent; a set {@code resourceVersion} is a
   * precondition.
   *
   * @param fieldManager who owns the applied fields; null for this client's
   *                     {@link ClientConfig#fieldManager()}
   * @param force        take fields owned by other managers instead of failing with 409
   */
  T apply(T obj, String fieldManager, boolean force);

  /**
   * Deletes an object. Objects with finalizers or a grace period stay visible, with a
   * {@code deletionTimestamp}, until those are done.
   *
   * @param options propagation policy, grace period and uid/resourceVersion preconditions;
   *                null for the server's defaults
   * @throws ClientStatusException 404 if absent, 409 if a precondition fails
   */
  void delete(String namespace, String name, DeleteOptions options);

  /**
   * Reads the scale subresource ({@code autoscaling/v1 Scale}).
   *
   * @throws UnsupportedOperationException if this kind has no scale subresource
   */
  Scale getScale(String namespace, String name);

  /**
   * Writes the scale subresource; {@code scale.metadata.resourceVersion}, when set, is a
   * precondition as in {@link #update}.
   *
   * @throws UnsupportedOperationException if this kind has no scale subresource
   */
  Scale updateScale(String namespace, String name, Scale scale);

  /**
   * Opens an HTTP watch and returns once the server accepted it; events then arrive on a thread
   * of this client, in order, one at a time. Bookmarks are requested when
   * {@link ListOptions#allowWatchBookmarks()} is set. The watch ends when the server ends the
   * stream (its timeout, a restart), on an ERROR event (such as 410 Expired: relist and watch
   * from the new resourceVersion), on a transport failure, or on {@link Watch#close()}; the
   * handler's {@link WatchHandler#onClose} is then called once. A watch is not resumed
   * automatically: informers do that.
   *
   * @param options where to start ({@code resourceVersion}), selectors, bookmarks, timeout;
   *                {@code limit} and {@code continue} must not be set
   * @throws ClientStatusException if the server refused the watch (a bad selector, say)
   */
  Watch watch(String namespace, ListOptions options, WatchHandler<? super T> handler);
}
