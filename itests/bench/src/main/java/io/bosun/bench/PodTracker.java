package io.bosun.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Watches every pod from a resourceVersion and remembers, per pod ({@code namespace/name}), when
 * this process first saw it bound (a {@link System#nanoTime()}) and to which node, and which pods
 * were deleted. One HTTP watch stream, read on its own thread; each event line is scanned with a
 * streaming parser for the type, the name, the namespace and {@code spec.nodeName} only.
 */
final class PodTracker implements AutoCloseable {

  /** A pod seen bound: when (nanoTime) and where. */
  record Binding(long atNanos, String node) {}

  private static final JsonFactory JSON = new JsonFactory();

  private final Map<String, Binding> bound = new ConcurrentHashMap<>();
  private final Map<String, Long> deleted = new ConcurrentHashMap<>();
  private final AtomicInteger events = new AtomicInteger();
  private final AtomicInteger moved = new AtomicInteger();
  private final Object changed = new Object();
  private final HttpClient http = Api.client();
  private final Thread reader;
  private volatile HttpResponse<Stream<String>> stream;
  private volatile Throwable failure;
  private volatile boolean closed;

  PodTracker(String base, String resourceVersion) throws Exception {
    URI uri = URI.create(base + "/api/v1/pods?watch=true&allowWatchBookmarks=false&resourceVersion=" + resourceVersion
        + "&timeoutSeconds=3600");
    stream = http.sendAsync(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofLines())
        .get(30, TimeUnit.SECONDS);
    if (stream.statusCode() != 200) {
      throw new IOException("watch pods: HTTP " + stream.statusCode());
    }
    reader = Thread.ofPlatform().name("bench-pod-watch").daemon().start(this::read);
  }

  private void read() {
    try {
      Iterator<String> lines = stream.body().iterator();
      while (lines.hasNext()) {
        String line = lines.next();
        long now = System.nanoTime();
        onEvent(line, now);
      }
      if (!closed) {
        failure = new IOException("the pod watch ended");
      }
    } catch (UncheckedIOException | IOException e) {
      if (!closed) {
        failure = e;
      }
    } finally {
      synchronized (changed) {
        changed.notifyAll();
      }
    }
  }

  private void onEvent(String line, long now) throws IOException {
    String type = null;
    String name = null;
    String namespace = null;
    String node = null;
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        if (f.equals("type")) {
          type = p.getText();
        } else if (f.equals("object") && p.currentToken() == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String of = p.currentName();
            p.nextToken();
            if (of.equals("metadata") && p.currentToken() == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String mf = p.currentName();
                p.nextToken();
                if (mf.equals("name")) {
                  name = p.getText();
                } else if (mf.equals("namespace")) {
                  namespace = p.getText();
                } else {
                  p.skipChildren();
                }
              }
            } else if (of.equals("spec") && p.currentToken() == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String sf = p.currentName();
                p.nextToken();
                if (sf.equals("nodeName")) {
                  node = p.getText();
                } else {
                  p.skipChildren();
                }
              }
            } else {
              p.skipChildren(); // status: not needed
            }
          }
        } else {
          p.skipChildren();
        }
      }
    }
    if (name == null || type == null) {
      return;
    }
    String key = namespace + "/" + name;
    events.incrementAndGet();
    if (type.equals("DELETED")) {
      deleted.putIfAbsent(key, now);
    } else if (node != null && !node.isEmpty()) {
      Binding first = bound.putIfAbsent(key, new Binding(now, node));
      if (first == null) {
        synchronized (changed) {
          changed.notifyAll();
        }
      } else if (!first.node().equals(node)) {
        moved.incrementAndGet(); // a pod bound twice, to different nodes: must never happen
      }
    }
  }

  /** When and where {@code key} was first seen bound, or null. */
  Binding binding(String key) {
    return bound.get(key);
  }

  boolean wasDeleted(String key) {
    return deleted.containsKey(key);
  }

  int deletedCount() {
    return deleted.size();
  }

  int boundCount() {
    return bound.size();
  }

  /** Events that showed an already bound pod on another node (0 unless something bound a pod twice). */
  int movedCount() {
    return moved.get();
  }

  /** Every pod seen bound so far, by {@code namespace/name}. */
  Map<String, Binding> bindings() {
    return Map.copyOf(bound);
  }

  /**
   * Waits until {@code done} holds, re-checking on every new binding; gives up when no new binding
   * arrived for {@code stall} nanoseconds (the pods left cannot be placed) or the watch broke.
   *
   * @return whether {@code done} holds
   */
  boolean awaitUntil(java.util.function.BooleanSupplier done, long stallNanos) throws InterruptedException {
    int lastCount = -1;
    long lastProgress = System.nanoTime();
    synchronized (changed) {
      while (!done.getAsBoolean()) {
        if (failure != null) {
          throw new IllegalStateException("pod watch failed: " + failure, failure);
        }
        int c = bound.size() + deleted.size();
        long now = System.nanoTime();
        if (c != lastCount) {
          lastCount = c;
          lastProgress = now;
        } else if (now - lastProgress > stallNanos) {
          return false;
        }
        changed.wait(200);
      }
      return true;
    }
  }

  @Override
  public void close() {
    closed = true;
    HttpResponse<Stream<String>> s = stream;
    if (s != null) {
      s.body().close();
    }
    http.shutdownNow();
  }
}
