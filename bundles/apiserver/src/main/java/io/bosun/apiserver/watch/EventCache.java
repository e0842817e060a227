package io.bosun.apiserver.watch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.storage.ObjectStorage;
import io.bosun.store.spi.WatchEvent;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Decodes and encodes each store change once for all watchers, as upstream's watch cache
 * serializes an event once: with a hundred watchers on pods, each change is otherwise decoded
 * and written a hundred times. Entries are shared and read-only; only recent revisions are kept.
 */
final class EventCache {

  /** How many changes to keep; watchers more than this far behind just decode again. */
  private static final int CAPACITY = 4096;

  private final ObjectStorage storage;
  private final ObjectMapper mapper;
  private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();
  private volatile long newest;

  EventCache(ObjectStorage storage, ObjectMapper mapper) {
    this.storage = storage;
    this.mapper = mapper;
  }

  /** The decoded forms and encoded event lines of one change; computed on first use. */
  final class Entry {
    private final WatchEvent event;
    private ObjectNode current;
    private ObjectNode previous;
    private ObjectNode previousAtRevision;
    private final ConcurrentMap<String, byte[]> lines = new ConcurrentHashMap<>();

    Entry(WatchEvent event) {
      this.event = event;
    }

    /** The object as written (PUT only), with its resourceVersion. Read-only. */
    synchronized ObjectNode current() {
      if (current == null) {
        current = storage.decode(event.kv());
      }
      return current;
    }

    /** The object before the change, with its old resourceVersion. Read-only. */
    synchronized ObjectNode previous() {
      if (previous == null) {
        previous = storage.decode(event.prevKv());
      }
      return previous;
    }

    /** The previous content at this change's revision: what a DELETED event carries. Read-only. */
    synchronized ObjectNode previousAtRevision() {
      if (previousAtRevision == null) {
        previousAtRevision = ObjectStorage.withRevision(storage.decodeBytes(event.prevKv().value()), event.revision());
      }
      return previousAtRevision;
    }

    /** The JSON line {@code {"type":..,"object":..}\n} of this change as {@code type} with {@code obj}. */
    byte[] line(String type, ObjectNode obj) {
      return lines.computeIfAbsent(type, t -> encode(t, obj));
    }
  }

  Entry entry(WatchEvent event) {
    long revision = event.revision();
    if (revision > newest) {
      newest = revision;
      if (entries.size() > CAPACITY) {
        long oldest = revision - CAPACITY / 2;
        entries.values().removeIf(e -> e.event.revision() < oldest);
      }
    }
    return entries.computeIfAbsent(revision + "\0" + event.key(), k -> new Entry(event));
  }

  byte[] encode(String type, ObjectNode obj) {
    ObjectNode event = mapper.createObjectNode();
    event.put("type", type);
    event.set("object", obj);
    try {
      byte[] json = mapper.writeValueAsBytes(event);
      byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
      line[json.length] = '\n';
      return line;
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
