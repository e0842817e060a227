package io.bosun.apiserver.watch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.http.MediaTypes;
import io.bosun.apiserver.metrics.ApiMetrics;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.rest.Call;
import io.bosun.apiserver.rest.Renderer;
import io.bosun.apiserver.rest.Resources;
import io.bosun.apiserver.status.ApiException;
import io.bosun.apiserver.storage.ObjectStorage;
import io.bosun.store.spi.CompactedException;
import io.bosun.store.spi.StoreException;
import io.bosun.store.spi.Watch;
import io.bosun.store.spi.WatchEvent;
import io.bosun.store.spi.WatchListener;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Serves {@code ?watch=true}: an HTTP response of newline-delimited
 * {@code {"type":...,"object":...}} events, as upstream streams them.
 *
 * <p>Starting points follow upstream: {@code resourceVersion} unset or "0" first sends the
 * current state as ADDED events; "N" sends every change after N (410 Expired as an ERROR event
 * when N was compacted); {@code sendInitialEvents=true} sends the state and then a bookmark
 * marking its end. Selectors are applied to both old and new state, so an object leaving the
 * selection is seen as DELETED and one entering as ADDED. The watch ends at
 * {@code timeoutSeconds}, when the client goes away, when the store drops it, or when this
 * server stops; clients then resume from the last resourceVersion they saw.
 */
public final class WatchHandler {

  /** How many store callbacks may wait for a slow client before the watch is dropped. */
  private static final int QUEUE_CAPACITY = 4096;

  private final ObjectStorage storage;
  private final Resources resources;
  private final Renderer renderer;
  private final ApiMetrics metrics;
  private final Duration bookmarkInterval;
  private final Duration minRequestTimeout;
  private final java.util.Set<Runnable> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final EventCache events;

  public WatchHandler(ObjectStorage storage, Resources resources, Renderer renderer, ApiMetrics metrics,
      Duration bookmarkInterval, Duration minRequestTimeout) {
    this.storage = storage;
    this.resources = resources;
    this.renderer = renderer;
    this.metrics = metrics;
    this.bookmarkInterval = bookmarkInterval;
    this.minRequestTimeout = minRequestTimeout;
    this.events = new EventCache(storage, renderer.mapper());
  }

  private volatile boolean closing;

  /**
   * Ends every open watch, and every watch started from now on, so that a stopping server does
   * not wait for long timeouts. Jetty keeps serving requests on open connections while it shuts
   * down, so a client resuming its watch at once would otherwise start one that nothing ends.
   */
  public void closeAll() {
    closing = true;
    open.forEach(Runnable::run);
  }

  public void serve(Call call, ApiMetrics.RequestLabels labels) {
    var ex = call.exchange();
    ResourceType type = call.type();
    String fieldSelector = ex.param("fieldSelector");
    if (!call.name().isEmpty()) {
      // The legacy /watch/.../{name} form watches one object.
      String byName = "metadata.name=" + call.name();
      fieldSelector = fieldSelector == null || fieldSelector.isEmpty() ? byName : fieldSelector + "," + byName;
    }
    Predicate<ObjectNode> filter = resources.filter(type, ex.param("labelSelector"), fieldSelector);
    boolean bookmarks = ex.flag("allowWatchBookmarks");
    String rv = ex.param("resourceVersion");
    String sendInitial = ex.param("sendInitialEvents");
    boolean initialEvents = "true".equals(sendInitial);
    if (sendInitial != null && !sendInitial.isEmpty()) {
      if (!"NotOlderThan".equals(ex.param("resourceVersionMatch"))) {
        throw ApiException.invalid("ListOptions", "meta.k8s.io", "", List.of(
            io.bosun.api.validation.FieldError.forbidden("sendInitialEvents",
                "sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan")));
      }
      if (initialEvents && !bookmarks) {
        throw ApiException.invalid("ListOptions", "meta.k8s.io", "", List.of(
            io.bosun.api.validation.FieldError.forbidden("allowWatchBookmarks",
                "allowWatchBookmarks must be set to true when sendInitialEvents is true")));
      }
    } else if (ex.param("resourceVersionMatch") != null && !ex.param("resourceVersionMatch").isEmpty()) {
      throw ApiException.badRequest("resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided");
    }
    long timeoutNanos = timeout(ex.param("timeoutSeconds"));
    boolean listFirst = initialEvents || (sendInitial == null && (rv == null || rv.isEmpty() || rv.equals("0")));
    long requested = rv == null || rv.isEmpty() ? 0 : Resources.parseResourceVersion(rv);

    BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    OutputStream out = ex.stream(200, call.accept().form() == MediaTypes.Form.TABLE ? MediaTypes.TABLE
        : call.accept().form() == MediaTypes.Form.PARTIAL_METADATA ? call.accept().contentType() : MediaTypes.JSON);
    metrics.watch(labels, type.kind(), 1);
    Watch watch = null;
    Runnable closer = () -> queue.offer(End.SERVER_STOPPING);
    open.add(closer);
    if (closing) {
      closer.run(); // closeAll() already ran (or is running): end this one as well
    }
    try {
      // Commit the headers now: clients wait for them before they consider the watch started.
      out.flush();
      long from;
      if (listFirst) {
        ObjectStorage.Page page = storage.list(type, call.namespace(), filter, 0, null, 0, false);
        for (ObjectNode obj : page.items()) {
          write(out, call, "ADDED", obj);
        }
        from = page.revision() + 1;
        if (initialEvents) {
          ObjectNode bookmark = bookmark(type, page.revision());
          bookmark.withObjectProperty("metadata").withObjectProperty("annotations")
              .put("k8s.io/initial-events-end", "true");
          writeRaw(out, "BOOKMARK", bookmark);
        }
        out.flush();
      } else if (requested == 0) {
        // sendInitialEvents=false without a resourceVersion: only changes from now on.
        from = storage.revision() + 1;
      } else {
        from = requested + 1;
      }
      watch = storage.watch(type, call.namespace(), from, new Listener(queue));
      stream(out, call, labels, filter, queue, watch, bookmarks, timeoutNanos, requested);
    } catch (IOException e) {
      // The client went away; nothing to tell it.
    } catch (ApiException e) {
      tryWrite(out, "ERROR", renderer.mapper().valueToTree(e.status()));
    } finally {
      open.remove(closer);
      if (watch != null) {
        watch.close();
      }
      metrics.watch(labels, type.kind(), -1);
      try {
        out.close();
      } catch (IOException e) {
        // Already broken.
      }
    }
  }

  private void stream(OutputStream out, Call call, ApiMetrics.RequestLabels labels, Predicate<ObjectNode> filter,
      BlockingQueue<Object> queue, Watch watch, boolean bookmarks, long timeoutNanos, long requested)
      throws IOException {
    ResourceType type = call.type();
    long deadline = System.nanoTime() + timeoutNanos;
    long nextBookmark = System.nanoTime() + bookmarkInterval.toNanos();
    while (true) {
      long now = System.nanoTime();
      if (now >= deadline) {
        return;
      }
      if (bookmarks && now >= nextBookmark) {
        watch.requestProgress();
        nextBookmark = now + bookmarkInterval.toNanos();
      }
      long wait = Math.min(deadline - now, bookmarks ? Math.max(0, nextBookmark - now) : deadline - now);
      Object item;
      try {
        item = queue.poll(wait, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (item == null) {
        continue;
      }
      int sent = 0;
      boolean flush = false;
      // Drain what is already queued so a burst goes out in one flush.
      while (item != null) {
        switch (item) {
          case List<?> events -> {
            for (Object e : events) {
              sent += send(out, call, filter, (WatchEvent) e);
            }
            flush = true;
          }
          case Long revision -> {
            if (bookmarks) {
              writeRaw(out, "BOOKMARK", bookmark(type, revision));
              flush = true;
            }
          }
          case StoreException closed -> {
            if (closed instanceof CompactedException c) {
              writeRaw(out, "ERROR", renderer.mapper().valueToTree(ApiException.expired(
                  "too old resource version: " + requested + " (" + c.compactRevision() + ")").status()));
            }
            out.flush();
            return;
          }
          case End end -> {
            out.flush();
            return;
          }
          default -> throw new IllegalStateException("unexpected watch item " + item);
        }
        item = queue.poll();
      }
      if (sent > 0) {
        metrics.watchEvents(labels, type.kind(), sent);
      }
      if (flush) {
        out.flush();
      }
    }
  }

  /** Translates one store event through the selectors; returns how many events were written. */
  private int send(OutputStream out, Call call, Predicate<ObjectNode> filter, WatchEvent e) throws IOException {
    EventCache.Entry entry = events.entry(e);
    if (e.type() == WatchEvent.Type.DELETE) {
      if (e.prevKv() == null) {
        return 0;
      }
      ObjectNode prev = entry.previousAtRevision();
      if (filter == null || filter.test(prev)) {
        write(out, call, entry, "DELETED", prev);
        return 1;
      }
      return 0;
    }
    ObjectNode obj = entry.current();
    boolean now = filter == null || filter.test(obj);
    if (e.prevKv() == null) {
      if (now) {
        write(out, call, entry, "ADDED", obj);
        return 1;
      }
      return 0;
    }
    boolean before = filter == null || filter.test(entry.previous());
    if (now) {
      write(out, call, entry, before ? "MODIFIED" : "ADDED", obj);
      return 1;
    }
    if (before) {
      // Left the selection: a delete carrying the previous content at the new revision, as upstream.
      write(out, call, entry, "DELETED", entry.previousAtRevision());
      return 1;
    }
    return 0;
  }

  private void write(OutputStream out, Call call, EventCache.Entry entry, String type, ObjectNode obj)
      throws IOException {
    if (call.accept().form() == MediaTypes.Form.OBJECT) {
      // "DELETED" may carry either previous form; the cached line is keyed by type and only
      // DELETED ever uses previousAtRevision, so one line per type is unambiguous.
      out.write(entry.line(type, obj));
    } else {
      write(out, call, type, obj);
    }
  }

  private void write(OutputStream out, Call call, String type, ObjectNode obj) throws IOException {
    writeRaw(out, type, renderer.eventObject(call, obj));
  }

  private void writeRaw(OutputStream out, String type, ObjectNode obj) throws IOException {
    ObjectMapper mapper = renderer.mapper();
    ObjectNode event = mapper.createObjectNode();
    event.put("type", type);
    event.set("object", obj);
    byte[] bytes = mapper.writeValueAsBytes(event);
    out.write(bytes);
    out.write('\n');
  }

  private void tryWrite(OutputStream out, String type, ObjectNode obj) {
    try {
      writeRaw(out, type, obj);
      out.flush();
    } catch (IOException e) {
      // The client is gone.
    }
  }

  private ObjectNode bookmark(ResourceType type, long revision) {
    ObjectNode b = renderer.mapper().createObjectNode();
    b.put("kind", type.kind());
    b.put("apiVersion", type.apiVersion());
    b.putObject("metadata").put("resourceVersion", Long.toString(revision));
    return b;
  }

  /** The watch duration: the requested timeout, else upstream's random spread over [min, 2*min). */
  private long timeout(String timeoutSeconds) {
    if (timeoutSeconds != null && !timeoutSeconds.isEmpty()) {
      try {
        long s = Long.parseLong(timeoutSeconds);
        if (s > 0) {
          return TimeUnit.SECONDS.toNanos(s);
        }
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("timeoutSeconds: Invalid value: \"" + timeoutSeconds + "\"");
      }
    }
    long min = minRequestTimeout.toNanos();
    return min + ThreadLocalRandom.current().nextLong(Math.max(1, min));
  }

  /** Marks the end of a watch requested from this side. */
  private enum End { SERVER_STOPPING }

  /** Hands store callbacks to the streaming thread; a client too slow to keep up loses its watch. */
  private static final class Listener implements WatchListener {
    private final BlockingQueue<Object> queue;

    Listener(BlockingQueue<Object> queue) {
      this.queue = queue;
    }

    @Override
    public void onEvents(List<WatchEvent> events) {
      if (!queue.offer(List.copyOf(events))) {
        queue.clear();
        queue.offer(new StoreException("watcher is too slow; closing the watch so the client can resume"));
      }
    }

    @Override
    public void onProgress(long revision) {
      queue.offer(revision);
    }

    @Override
    public void onClose(StoreException cause) {
      queue.offer(cause != null ? cause : new StoreException("watch closed"));
    }
  }

}
