package io.bosun.apiserver.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.metrics.ApiMetrics;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.status.ApiException;
import io.bosun.store.spi.CompactedException;
import io.bosun.store.spi.FutureRevisionException;
import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.KeyValueStore;
import io.bosun.store.spi.RangeResult;
import io.bosun.store.spi.StoreException;
import io.bosun.store.spi.Watch;
import io.bosun.store.spi.WatchListener;
import io.bosun.store.spi.WriteResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * API objects in the key-value store: the key layout, JSON encoding, resourceVersion handling
 * and the optimistic-concurrency update loop (upstream's {@code GuaranteedUpdate}). Objects are
 * stored without {@code resourceVersion}; it is the key's mod revision and is filled in on read.
 * Store failures become 5xx {@link ApiException}s here, so handlers only see API errors.
 */
public final class ObjectStorage {

  /** Computes the next state of an object from its current one. */
  @FunctionalInterface
  public interface Mutation {
    /**
     * @param current a private copy of the stored object (with resourceVersion)
     * @return the new object, or {@code current} itself (unchanged) to write nothing
     */
    ObjectNode apply(ObjectNode current) throws ApiException;
  }

  /** A page of a list. */
  public record Page(List<ObjectNode> items, long revision, ContinueToken next, Long remaining) {}

  private static final int MAX_ATTEMPTS = 64;
  private final KeyValueStore store;
  private final ObjectMapper mapper;
  private final ApiMetrics metrics;

  public ObjectStorage(KeyValueStore store, ObjectMapper mapper, ApiMetrics metrics) {
    this.store = store;
    this.mapper = mapper;
    this.metrics = metrics;
  }

  public long revision() {
    return store.revision();
  }

  public StoredObject get(ResourceType type, String namespace, String name) {
    long start = System.nanoTime();
    try {
      KeyValue kv = store.get(type.key(namespace, name));
      return kv == null ? null : new StoredObject(decode(kv), kv.modRevision());
    } catch (StoreException e) {
      throw unavailable(e);
    } finally {
      metrics.storeRequest("get", type.plural(), start);
    }
  }

  /**
   * Reads a page of objects that pass {@code filter}, in key order.
   *
   * @param limit    most items to return, 0 for all
   * @param from     where to resume, or null for the first page
   * @param revision revision to read at (0 = latest); ignored when resuming
   */
  public Page list(ResourceType type, String namespace, Predicate<ObjectNode> filter, long limit, ContinueToken from,
      long revision, boolean countRemaining) {
    long start = System.nanoTime();
    String prefix = type.keyPrefix(namespace);
    KeyRange range = KeyRange.prefix(prefix);
    long atRevision = from != null ? from.revision() : revision;
    if (from != null) {
      range = range.startingAt(prefix + from.start());
    }
    List<ObjectNode> items = new ArrayList<>();
    try {
      while (true) {
        // Without a filter a page is exactly what we need; with one, read in batches until full.
        long batch = limit <= 0 ? 0 : Math.max(limit - items.size(), filter == null ? 0 : 500);
        RangeResult result = store.range(range, batch, atRevision);
        atRevision = result.revision();
        List<KeyValue> kvs = result.kvs();
        for (int i = 0; i < kvs.size(); i++) {
          KeyValue kv = kvs.get(i);
          ObjectNode obj = decode(kv);
          if (filter != null && !filter.test(obj)) {
            continue;
          }
          items.add(obj);
          if (limit > 0 && items.size() >= limit) {
            boolean more = i < kvs.size() - 1 || result.more();
            if (!more) {
              return new Page(items, atRevision, null, null);
            }
            String nextKey = kv.key() + "\0";
            Long remaining = countRemaining ? result.count() - (i + 1) : null;
            return new Page(items, atRevision, new ContinueToken(atRevision, nextKey.substring(prefix.length())),
                remaining);
          }
        }
        if (!result.more() || kvs.isEmpty()) {
          return new Page(items, atRevision, null, null);
        }
        range = range.startingAt(kvs.get(kvs.size() - 1).key() + "\0");
      }
    } catch (CompactedException e) {
      if (from != null) {
        throw ApiException.expired("The provided continue parameter is too old to display a consistent list result. "
            + "You can start a new list without the continue parameter, or use the continue token in this response "
            + "to retrieve the remainder of the results. Continuing with the provided token results in an "
            + "inconsistent list - objects that were created, modified, or deleted between the time the first chunk "
            + "was returned and now may show up in the list.");
      }
      throw ApiException.expired("The resourceVersion for the provided list is too old.");
    } catch (FutureRevisionException e) {
      throw ApiException.timeout("Too large resource version: " + revision + ", current: " + store.revision(), 1);
    } catch (StoreException e) {
      throw unavailable(e);
    } finally {
      metrics.storeRequest("list", type.plural(), start);
    }
  }

  /**
   * Stores a new object.
   *
   * @throws ApiException 409 AlreadyExists if the key exists
   */
  public StoredObject create(ResourceType type, ObjectNode obj, long lease) {
    long start = System.nanoTime();
    String ns = obj.path("metadata").path("namespace").asText("");
    String name = obj.path("metadata").path("name").asText();
    try {
      WriteResult r = store.create(type.key(ns, name), encode(obj), lease);
      if (!r.succeeded()) {
        throw ApiException.alreadyExists(type.resourceName(), name);
      }
      return new StoredObject(withRevision(obj.deepCopy(), r.revision()), r.revision());
    } catch (StoreException e) {
      throw unavailable(e);
    } finally {
      metrics.storeRequest("create", type.plural(), start);
    }
  }

  /**
   * Applies {@code mutation} to the current object until the compare-and-swap succeeds. When the
   * mutated object has a deletion timestamp, no finalizers and a zero grace period, it is deleted
   * instead, as upstream's store does.
   *
   * @return the stored result, or null if the object was deleted as a result
   * @throws ApiException 404 if the object does not exist; whatever {@code mutation} throws
   */
  public StoredObject update(ResourceType type, String namespace, String name, Mutation mutation) {
    long start = System.nanoTime();
    String key = type.key(namespace, name);
    try {
      for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        KeyValue kv = store.get(key);
        if (kv == null) {
          throw ApiException.notFound(type.resourceName(), name);
        }
        ObjectNode current = decode(kv);
        ObjectNode next = mutation.apply(current.deepCopy());
        if (next == null || JsonNodes.same(next, current)) {
          return new StoredObject(current, kv.modRevision());
        }
        if (shouldDeleteDuringUpdate(type, next)) {
          WriteResult r = store.delete(key, kv.modRevision());
          if (r.succeeded()) {
            return null;
          }
          continue;
        }
        WriteResult r = store.update(key, encode(next), kv.modRevision(), kv.lease());
        if (r.succeeded()) {
          return new StoredObject(withRevision(next, r.revision()), r.revision());
        }
      }
      throw ApiException.staleResourceVersion(type.resourceName(), name);
    } catch (StoreException e) {
      throw unavailable(e);
    } finally {
      metrics.storeRequest("update", type.plural(), start);
    }
  }

  /** The outcome of {@link #replaceAt}: not applied (the object changed), stored, or deleted (stored null). */
  public record Replaced(boolean applied, StoredObject stored) {}

  /**
   * Replaces the object if it is still at {@code revision}; deletes it instead when the new state
   * has a deletion timestamp, no finalizers and no grace period left.
   */
  public Replaced replaceAt(ResourceType type, String namespace, String name, long revision, ObjectNode obj) {
    long start = System.nanoTime();
    String key = type.key(namespace, name);
    try {
      if (shouldDeleteDuringUpdate(type, obj)) {
        boolean deleted = store.delete(key, revision).succeeded();
        return new Replaced(deleted, null);
      }
      KeyValue kv = store.get(key);
      if (kv == null || kv.modRevision() != revision) {
        return new Replaced(false, null);
      }
      WriteResult r = store.update(key, encode(obj), revision, kv.lease());
      return r.succeeded() ? new Replaced(true, new StoredObject(withRevision(obj.deepCopy(), r.revision()),
          r.revision())) : new Replaced(false, null);
    } catch (StoreException e) {
      throw unavailable(e);
    } finally {
      metrics.storeRequest("update", type.plural(), start);
    }
  }

  /**
   * Deletes the object if it is still at {@code revision}.
   *
   * @return true if deleted, false if it changed or vanished meanwhile
   */
  public boolean delete(ResourceType type, String namespace, String name, long revision) {
    long start = System.nanoTime();
    try {
      return store.delete(type.key(namespace, name), revision).succeeded();
    } catch (StoreException e) {
      throw unavailable(e);
    } finally {
      metrics.storeRequest("delete", type.plural(), start);
    }
  }

  /** Grants a store lease, for objects that expire (events). */
  public long grantLease(long ttlSeconds) {
    return store.grantLease(ttlSeconds);
  }

  /** Watches a resource's keys from {@code fromRevision} (inclusive). */
  public Watch watch(ResourceType type, String namespace, long fromRevision, WatchListener listener) {
    return store.watch(KeyRange.prefix(type.keyPrefix(namespace)), fromRevision, listener);
  }

  /** Decodes a stored value and fills in its resourceVersion. */
  public ObjectNode decode(KeyValue kv) {
    return withRevision(decodeBytes(kv.value()), kv.modRevision());
  }

  /** Decodes a stored value as is, e.g. the previous state carried by a watch event. */
  public ObjectNode decodeBytes(byte[] value) {
    try {
      return (ObjectNode) mapper.readTree(value);
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt object in store", e);
    }
  }

  /** Sets {@code metadata.resourceVersion}. */
  public static ObjectNode withRevision(ObjectNode obj, long revision) {
    JsonNodes.metadata(obj).put("resourceVersion", Long.toString(revision));
    return obj;
  }

  private byte[] encode(ObjectNode obj) {
    ObjectNode copy = obj.deepCopy();
    JsonNodes.metadata(copy).remove("resourceVersion");
    try {
      return mapper.writeValueAsBytes(copy);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean shouldDeleteDuringUpdate(ResourceType type, ObjectNode obj) {
    ObjectNode meta = JsonNodes.metadata(obj);
    if (!meta.hasNonNull("deletionTimestamp") || type.strategy().deletionHeld(obj)) {
      return false;
    }
    boolean noFinalizers = !meta.has("finalizers") || meta.get("finalizers").isEmpty();
    return noFinalizers && meta.path("deletionGracePeriodSeconds").asLong(0) == 0;
  }

  private static ApiException unavailable(StoreException e) {
    return ApiException.unavailable("storage is unavailable: " + e.getMessage());
  }
}
