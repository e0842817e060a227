package io.bosun.itests.pax;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Watches this run's ConfigMaps as real clients (client-go's reflector, fabric8) do: one
 * {@code ?watch=true&resourceVersion=<last seen>} stream after another, each resumed from the last
 * resourceVersion seen when the previous one ends or breaks. A 410 ERROR event would make such a
 * client relist, losing the guarantee this test checks; here it is recorded as a problem.
 */
final class ConfigMapWatcher {

    /** One watch event as the client saw it. */
    record Event(String type, String name, long resourceVersion) {
    }

    /** One stream: when it opened and ended (nanoTime), from which resourceVersion, what it carried, how it ended. */
    record WatchStream(int number, long opened, long ended, long from, int events, String end) {
    }

    /** A watch that keeps failing (a 410 on every resume) must not fill the memory with reports. */
    private static final int MAX_PROBLEMS = 100;
    /** The client's back-off before reconnecting after a failed attempt: pacing, not synchronisation. */
    private static final long RETRY_PAUSE_MILLIS = 20;

    private final ApiClient api;
    private final String selector;
    /** Its own client, so that stopping it aborts the open stream and nothing else. */
    private final HttpClient http = ApiClient.newHttpClient();
    private final Thread thread;
    private final List<Event> events = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final List<WatchStream> history = new ArrayList<>();
    private volatile long lastResourceVersion;
    private volatile boolean stopping;

    /** Streams opened (200 and headers received). */
    final AtomicInteger streams = new AtomicInteger();
    /** Streams that ended: cleanly (the server closed the response) or broken (connection lost). */
    final AtomicInteger streamsEnded = new AtomicInteger();
    /** Attempts to open a stream that failed: connection refused, 503. */
    final AtomicInteger failedAttempts = new AtomicInteger();
    /** 410 Expired answers: a real client would relist here. */
    final AtomicInteger relists = new AtomicInteger();

    ConfigMapWatcher(ApiClient api, String run, long fromResourceVersion) {
        this.api = api;
        this.selector = URLEncoder.encode(ConfigMapWriter.RUN_LABEL + "=" + run, StandardCharsets.UTF_8);
        this.lastResourceVersion = fromResourceVersion;
        this.thread = new Thread(this::watchUntilStopped, "itest-configmap-watcher");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() throws InterruptedException {
        stopping = true;
        http.shutdownNow(); // aborts the open stream
        thread.join(10_000);
        if (thread.isAlive()) {
            thread.interrupt();
            throw new AssertionError("the watcher did not stop within 10 s");
        }
    }

    /** Where the watcher's thread is now: for failure messages. */
    String where() {
        return ConfigMapWriter.where(thread);
    }

    long lastResourceVersion() {
        return lastResourceVersion;
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    synchronized int eventCount() {
        return events.size();
    }

    synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /** The streams that ended so far. */
    synchronized List<WatchStream> history() {
        return List.copyOf(history);
    }

    private void watchUntilStopped() {
        while (!stopping) {
            long from = lastResourceVersion;
            long opened = 0;
            int before = 0;
            String query = "?watch=true&resourceVersion=" + from + "&labelSelector=" + selector;
            try {
                // The timeout bounds the wait for the response headers only (the API server sends
                // them at once); the stream itself lasts until the server ends it.
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(
                        api.uri(ConfigMapWriter.PATH + query)).timeout(ApiClient.REQUEST_TIMEOUT).GET()
                        .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = response.body()) {
                    if (response.statusCode() != 200) {
                        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        failedAttempts.incrementAndGet();
                        if (response.statusCode() == 410) {
                            relists.incrementAndGet();
                        }
                        if (response.statusCode() != 503) {
                            problem("watch from " + from + " answered " + response.statusCode() + " " + body.strip());
                        }
                    } else {
                        opened = System.nanoTime();
                        before = eventCount();
                        streams.incrementAndGet();
                        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                            if (!line.isBlank()) {
                                accept(from, line);
                            }
                        }
                        ended(opened, from, before, "ended by the server");
                        continue; // resume at once, as clients do after a clean end
                    }
                }
            } catch (HttpConnectTimeoutException e) {
                failedAttempts.incrementAndGet();
            } catch (HttpTimeoutException e) {
                // Connected, request sent, no answer: a client without a response timeout would
                // wait here forever.
                failedAttempts.incrementAndGet();
                problem("watch from " + from + ": connected, but no response within "
                        + ApiClient.REQUEST_TIMEOUT.toSeconds() + " s (" + e + ")");
            } catch (IOException e) {
                if (stopping) {
                    return;
                }
                if (opened != 0) {
                    ended(opened, from, before, "broken: " + e);
                    continue;
                }
                failedAttempts.incrementAndGet();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                problem("watch from " + from + ": " + e);
            }
            try {
                Thread.sleep(RETRY_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void ended(long opened, long from, int before, String how) {
        synchronized (this) {
            history.add(new WatchStream(streams.get(), opened, System.nanoTime(), from, events.size() - before, how));
        }
        streamsEnded.incrementAndGet();
    }

    private void accept(long from, String line) throws IOException {
        JsonNode event = ApiClient.parse(line);
        String type = event.path("type").asText();
        JsonNode object = event.path("object");
        switch (type) {
            case "ADDED", "MODIFIED", "DELETED" -> {
                long rv = ApiClient.resourceVersion(object);
                synchronized (this) {
                    events.add(new Event(type, object.path("metadata").path("name").asText(), rv));
                }
                lastResourceVersion = rv;
            }
            case "BOOKMARK" -> lastResourceVersion = ApiClient.resourceVersion(object);
            case "ERROR" -> {
                if (object.path("code").asInt() == 410) {
                    relists.incrementAndGet();
                }
                problem("ERROR event on the watch from " + from + ": " + object);
            }
            default -> problem("unknown event on the watch from " + from + ": " + line);
        }
    }

    private synchronized void problem(String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        } else if (problems.size() == MAX_PROBLEMS) {
            problems.add("... more problems left out");
        }
    }
}
