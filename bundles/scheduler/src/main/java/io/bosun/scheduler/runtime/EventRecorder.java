package io.bosun.scheduler.runtime;

import io.bosun.api.core.v1.Event;
import io.bosun.api.core.v1.EventSource;
import io.bosun.api.core.v1.ObjectReference;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ApiClient;
import io.bosun.client.ResourceClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events asynchronously, as client-go's event recorder: one writer thread, a bounded
 * backlog (events beyond it are dropped), and aggregation of repeats — the same reason and message
 * about the same object within 10 minutes bumps the {@code count} and {@code lastTimestamp} of the
 * existing Event instead of creating another.
 */
final class EventRecorder implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final Duration AGGREGATION_WINDOW = Duration.ofMinutes(10);
  private static final int MAX_REMEMBERED = 4096;

  private record Seen(String namespace, String name, int count, Instant first, Instant last) {
  }

  private final ResourceClient<Event> events;
  private final String instance;
  private final Clock clock;
  private final ExecutorService writer;
  private final Map<String, Seen> seen = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
      return size() > MAX_REMEMBERED;
    }
  };

  EventRecorder(ApiClient client, String instance, Clock clock) {
    this.events = client.resources(Event.class);
    this.instance = instance;
    this.clock = clock;
    this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(10_000),
        Thread.ofVirtual().name("bosun-scheduler-events").factory(), new ThreadPoolExecutor.DiscardPolicy());
  }

  void record(KubernetesObject regarding, String type, String reason, String action, String message) {
    Instant now = clock.instant();
    try {
      writer.execute(() -> write(regarding, type, reason, action, message, now));
    } catch (RuntimeException closed) {
      // shutting down
    }
  }

  private void write(KubernetesObject regarding, String type, String reason, String action, String message, Instant now) {
    ObjectMeta m = regarding.getMetadata();
    if (m == null || m.getName() == null) {
      return;
    }
    String ns = m.getNamespace() == null || m.getNamespace().isEmpty() ? "default" : m.getNamespace();
    String key = m.getUid() + "\u0000" + type + "\u0000" + reason + "\u0000" + message;
    String component = regarding instanceof Pod p && p.getSpec() != null && p.getSpec().getSchedulerName() != null
        ? p.getSpec().getSchedulerName() : "default-scheduler";
    try {
      Seen s = seen.get(key);
      if (s != null && Duration.between(s.last, now).compareTo(AGGREGATION_WINDOW) < 0) {
        var existing = events.get(s.namespace, s.name);
        if (existing.isPresent()) {
          Event e = existing.get();
          e.setCount(s.count + 1);
          e.setLastTimestamp(now);
          events.update(e);
          seen.put(key, new Seen(s.namespace, s.name, s.count + 1, s.first, now));
          return;
        }
      }
      String name = m.getName() + "." + Long.toHexString(now.toEpochMilli() * 1000 + ThreadLocalRandom.current().nextInt(1000));
      Event e = new Event()
          .withMetadata(new ObjectMeta().withName(name).withNamespace(ns))
          .withInvolvedObject(new ObjectReference().withKind(regarding.getKind()).withApiVersion(regarding.getApiVersion())
              .withNamespace(m.getNamespace()).withName(m.getName()).withUid(m.getUid())
              .withResourceVersion(m.getResourceVersion()))
          .withType(type).withReason(reason).withAction(action).withMessage(truncate(message))
          .withSource(new EventSource().withComponent(component))
          .withReportingComponent(component).withReportingInstance(instance)
          .withFirstTimestamp(now).withLastTimestamp(now).withCount(1);
      events.create(e);
      seen.put(key, new Seen(ns, name, 1, now, now));
    } catch (RuntimeException ex) {
      LOG.debug("Could not record event {} about {}: {}", reason, m.getName(), ex.toString());
    }
  }

  private static String truncate(String message) {
    return message != null && message.length() > 1024 ? message.substring(0, 1021) + "..." : message;
  }

  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
