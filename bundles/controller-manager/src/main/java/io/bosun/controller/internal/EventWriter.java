package io.bosun.controller.internal;

import io.bosun.api.core.v1.Event;
import io.bosun.api.core.v1.EventSource;
import io.bosun.api.core.v1.ObjectReference;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientException;
import io.bosun.client.ClientStatusException;
import io.bosun.client.PatchType;
import io.bosun.client.ResourceClient;
import io.bosun.controller.EventRecorder;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Events for every controller of a manager on one background thread, as client-go's event
 * broadcaster with its correlator's counting: a repeat of an event (same source, object, type,
 * reason and message) bumps the first one's count and lastTimestamp by a merge patch.
 * Upstream's spam filter and similar-message aggregation are left out.
 */
final class EventWriter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventWriter.class);
  /** client-go's broadcaster queue length: events beyond it are dropped. */
  static final int QUEUE = 1000;
  /** client-go's correlator cache size. */
  static final int CACHE = 4096;

  private record Pending(String component, KubernetesObject regarding, ObjectReference ref, String type,
      String reason, String message, Instant at) {}

  private record Seen(String namespace, String name, int count) {}

  private final ResourceClient<Event> events;
  private final Clock clock;
  private final String instance;
  private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE);
  private final Map<String, Seen> seen = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
      return size() > CACHE;
    }
  };
  private final AtomicLong dropped = new AtomicLong();
  /** The last timestamp used in an event name: names stay unique when two events share a clock tick. */
  private long lastNameNanos;
  private final Thread thread;
  private volatile boolean closed;

  EventWriter(ApiClient client, Clock clock, String instance) {
    this.events = client.resources(Event.class);
    this.clock = clock;
    this.instance = instance;
    this.thread = Thread.ofVirtual().name("bosun-controller-manager-events").unstarted(this::loop);
    thread.start();
  }

  /** The recorder of one controller: events with source component {@code component}. */
  EventRecorder recorder(String component) {
    return (regarding, type, reason, message) -> enqueue(component, regarding, type, reason, message);
  }

  private void enqueue(String component, KubernetesObject regarding, String type, String reason, String message) {
    if (closed || regarding == null || regarding.getMetadata() == null) {
      return;
    }
    ObjectMeta m = regarding.getMetadata();
    ObjectReference ref = new ObjectReference().withApiVersion(regarding.getApiVersion())
        .withKind(regarding.getKind()).withNamespace(m.getNamespace()).withName(m.getName()).withUid(m.getUid())
        .withResourceVersion(m.getResourceVersion());
    if (!queue.offer(new Pending(component, regarding, ref, type, reason, message, clock.instant()))) {
      if (dropped.getAndIncrement() % 100 == 0) {
        LOG.warn("Event queue full: dropping events ({} so far); latest {} {} on {}/{}", dropped.get(), reason,
            message, m.getNamespace(), m.getName());
      }
    }
  }

  private void loop() {
    while (!closed) {
      Pending p;
      try {
        p = queue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (p != null) {
        try {
          write(p);
        } catch (ClientException e) {
          LOG.info("Could not write event {} on {}/{}: {}", p.reason(), p.ref().getNamespace(), p.ref().getName(),
              e.getMessage());
        } catch (RuntimeException e) {
          LOG.warn("Could not write event {}", p.reason(), e);
        }
      }
    }
  }

  private void write(Pending p) {
    ObjectReference ref = p.ref();
    String key = String.join("\u0000", p.component(), nz(ref.getApiVersion()), nz(ref.getKind()),
        nz(ref.getNamespace()), nz(ref.getName()), nz(ref.getUid()), nz(p.type()), nz(p.reason()), nz(p.message()));
    Instant at = p.at().truncatedTo(ChronoUnit.SECONDS);
    Seen before = seen.get(key);
    if (before != null) {
      int count = before.count() + 1;
      String patch = "{\"count\":" + count + ",\"lastTimestamp\":\"" + at + "\"}";
      try {
        events.patch(before.namespace(), before.name(), PatchType.MERGE, patch);
        seen.put(key, new Seen(before.namespace(), before.name(), count));
        return;
      } catch (ClientStatusException e) {
        if (!e.isNotFound()) {
          throw e;
        }
        // Expired or deleted: start a new event.
      }
    }
    String namespace = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? "default" : ref.getNamespace();
    long nanos = Math.max(TimeUnit.SECONDS.toNanos(p.at().getEpochSecond()) + p.at().getNano(), lastNameNanos + 1);
    lastNameNanos = nanos;
    String name = ref.getName() + "." + Long.toHexString(nanos);
    Event e = new Event()
        .withMetadata(new ObjectMeta().withNamespace(namespace).withName(name))
        .withInvolvedObject(ref)
        .withReason(p.reason())
        .withMessage(p.message())
        .withType(p.type() == null ? EventRecorder.NORMAL : p.type())
        .withSource(new EventSource().withComponent(p.component()))
        .withFirstTimestamp(at)
        .withLastTimestamp(at)
        .withCount(1)
        .withReportingComponent(p.component())
        .withReportingInstance(instance);
    Event created = events.create(e);
    seen.put(key, new Seen(namespace, created.getMetadata().getName(), 1));
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /** Stops the writer; events still queued are dropped. Returns once its thread ended. */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
