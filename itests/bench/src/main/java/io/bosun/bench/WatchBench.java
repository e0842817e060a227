package io.bosun.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Watch delivery latency: W watchers stream the pods collection from a known resourceVersion while
 * one pacer creates E pods at a fixed rate. Each event's latency runs from the stamp in its
 * annotation (taken just before the create was sent) to the moment its watcher has read the line,
 * so it includes the create itself, the fsync, the store fan-out, encoding per watcher and HTTP.
 */
final class WatchBench {

  record Result(int watchers, int events, long delivered, double sentPerSecond, Histogram delivery,
      Histogram create, int createFailures, String firstError, double otherCores) {}

  private WatchBench() {}

  /** @param kind 'w' for a warm-up round, 'm' for the measured one (it goes into the pod names) */
  static Result run(Api api, Pods pods, char kind, int watchers, int events, int perSecond) throws Exception {
    String rv = api.currentResourceVersion();
    // Watchers get their own client: the creators' client must not queue behind 100 streams.
    HttpClient client = Api.client();
    try {
      URI uri = URI.create(api.base() + api.podsPath() + "?watch=true&resourceVersion=" + rv);
      List<CompletableFuture<HttpResponse<Stream<String>>>> opening = new ArrayList<>();
      for (int i = 0; i < watchers; i++) {
        opening.add(client.sendAsync(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofLines()));
      }
      // Headers in means the server has started the watch; it replays from rv anyway, so nothing is missed.
      List<HttpResponse<Stream<String>>> streams = new ArrayList<>();
      for (var f : opening) {
        HttpResponse<Stream<String>> r = f.get(30, TimeUnit.SECONDS);
        if (r.statusCode() != 200) {
          throw new IOException("watch: HTTP " + r.statusCode());
        }
        streams.add(r);
      }

      Histogram delivery = Load.histogram();
      AtomicLong delivered = new AtomicLong();
      CountDownLatch done = new CountDownLatch(watchers);
      for (var r : streams) {
        Histogram mine = Load.histogram();
        Thread.ofVirtual().name("watcher").start(() -> {
          int seen = 0;
          try {
            Iterator<String> lines = r.body().iterator();
            while (seen < events && lines.hasNext()) {
              String line = lines.next();
              long now = System.nanoTime();
              long sent = Pods.stamp(line);
              if (sent > 0) {
                mine.recordValue(Math.min(now - sent, mine.getHighestTrackableValue()));
                seen++;
              }
            }
          } catch (UncheckedIOException e) {
            // The stream broke or was closed on timeout: count what arrived.
          } finally {
            delivered.addAndGet(seen);
            synchronized (delivery) {
              delivery.add(mine);
            }
            done.countDown();
          }
        });
      }

      // Open loop at a fixed rate: a slow create does not delay the next one.
      Histogram create = new SynchronizedHistogram(1_000, TimeUnit.MINUTES.toNanos(1), 3);
      AtomicInteger failures = new AtomicInteger();
      AtomicReference<String> firstError = new AtomicReference<>();
      List<CompletableFuture<?>> creates = new ArrayList<>();
      SystemInfo.CpuUse cpu = SystemInfo.CpuUse.now();
      long began = System.nanoTime();
      long period = 1_000_000_000L / perSecond;
      long start = System.nanoTime() + 10_000_000;
      long lastSent = start;
      for (int i = 0; i < events; i++) {
        long at = start + i * period;
        for (long wait; (wait = at - System.nanoTime()) > 0; ) {
          LockSupport.parkNanos(wait);
        }
        long t0 = System.nanoTime();
        lastSent = t0;
        String name = pods.name('x', kind, watchers, i);
        creates.add(api.createAsync(name).whenComplete((r, e) -> {
          if (e == null && r.statusCode() == 201) {
            create.recordValue(Math.min(System.nanoTime() - t0, create.getHighestTrackableValue()));
          } else {
            failures.incrementAndGet();
            firstError.compareAndSet(null, e != null ? e.toString() : "HTTP " + r.statusCode());
          }
        }));
      }
      double sentPerSecond = events > 1 ? (events - 1) * 1e9 / (lastSent - start) : perSecond;
      CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).exceptionally(e -> null)
          .get(2, TimeUnit.MINUTES);
      if (!done.await(30, TimeUnit.SECONDS)) {
        streams.forEach(r -> r.body().close());
        done.await(5, TimeUnit.SECONDS);
      }
      double other = SystemInfo.CpuUse.now().otherSeconds(cpu) * 1e9 / (System.nanoTime() - began);
      synchronized (delivery) {
        return new Result(watchers, events, delivered.get(), sentPerSecond, delivery.copy(), create.copy(),
            failures.get(), firstError.get(), other);
      }
    } finally {
      client.shutdownNow();
      client.awaitTermination(Duration.ofSeconds(5));
    }
  }
}
