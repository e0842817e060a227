package io.bosun.itests.pax;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * Creates pods {@code p-00001, p-00002, ...} in one namespace at a steady rate from its own
 * thread, as a workload would: each with small cpu/memory requests, a node selector that keeps it
 * on the test's nodes, and the label {@value #PHASE_LABEL} set to the phase the test was in when
 * the create was sent. The test changes the phase only after it has seen a change take effect, so
 * a pod's label says which configuration was in force for its whole life. Every answer but 201 is
 * recorded as unexpected (nothing in the API path is swapped by the tests using this).
 */
final class PodStream {

    static final String PHASE_LABEL = "bosun.itest/phase";

    /** One acknowledged create. */
    record Created(int number, String name, String phase, long resourceVersion) {
    }

    private static final int MAX_UNEXPECTED = 50;

    private final ApiClient api;
    private final String namespace;
    private final String template;
    private final long periodNanos;
    private final Thread thread;
    private final List<Created> created = new ArrayList<>();
    private final List<String> unexpected = new ArrayList<>();
    /** Held while a create is sent: once {@link #phase(String)} returns, no create with the old phase is in flight. */
    private final Object sending = new Object();
    private volatile String phase;
    private volatile boolean stopping;

    /**
     * @param nodeSelector label key and value every pod requires of its node
     * @param requests     e.g. {@code "cpu":"50m","memory":"100Mi"} (a JSON object's inside)
     */
    PodStream(ApiClient api, String namespace, String[] nodeSelector, String requests, Duration period,
            String firstPhase) {
        this.api = api;
        this.namespace = namespace;
        this.periodNanos = period.toNanos();
        this.phase = firstPhase;
        this.template = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\",\"labels\":{\""
                + PHASE_LABEL + "\":\"%s\"}},\"spec\":{\"nodeSelector\":{\"" + nodeSelector[0] + "\":\""
                + nodeSelector[1] + "\"},\"terminationGracePeriodSeconds\":0,\"containers\":[{\"name\":\"c\","
                + "\"image\":\"registry.k8s.io/pause:3.10\",\"resources\":{\"requests\":{" + requests + "}}}]}}";
        this.thread = new Thread(this::createUntilStopped, "itest-pod-stream");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Pods created from now on carry {@code next}; when this returns, every pod created with an
     * earlier phase is in {@link #created()} (or among the {@link #unexpected()} failures).
     */
    void phase(String next) {
        synchronized (sending) {
            phase = next;
        }
    }

    String phase() {
        return phase;
    }

    /** Lets the create in progress finish, then stops. */
    void stop() throws InterruptedException {
        stopping = true;
        thread.join(ApiClient.REQUEST_TIMEOUT.plusSeconds(5).toMillis());
        if (thread.isAlive()) {
            thread.interrupt();
            throw new AssertionError("the pod stream did not stop: " + ConfigMapWriter.where(thread));
        }
    }

    synchronized List<Created> created() {
        return List.copyOf(created);
    }

    synchronized int count() {
        return created.size();
    }

    /** The pods created in any of {@code phases}. */
    synchronized List<Created> in(String... phases) {
        Set<String> wanted = Set.copyOf(Arrays.asList(phases));
        return created.stream().filter(c -> wanted.contains(c.phase())).toList();
    }

    synchronized List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    private void createUntilStopped() {
        long next = System.nanoTime();
        for (int n = 1; !stopping && !Thread.currentThread().isInterrupted(); n++) {
            String name = String.format("p-%05d", n);
            synchronized (sending) {
                String p = phase;
                try {
                    HttpResponse<String> response = api.post("/api/v1/namespaces/" + namespace + "/pods",
                            String.format(template, name, p));
                    if (response.statusCode() == 201) {
                        long rv = ApiClient.resourceVersion(ApiClient.parse(response.body()));
                        synchronized (this) {
                            created.add(new Created(n, name, p, rv));
                        }
                    } else {
                        unexpected("POST " + name + ": " + response.statusCode() + " " + response.body().strip());
                    }
                } catch (IOException e) {
                    unexpected("POST " + name + ": " + e);
                } catch (InterruptedException e) {
                    return;
                }
            }
            // Pacing, not synchronisation: a steady rate, without bursts to catch up after a slow create.
            next = Math.max(next + periodNanos, System.nanoTime());
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    private synchronized void unexpected(String problem) {
        if (unexpected.size() < MAX_UNEXPECTED) {
            unexpected.add(problem);
        }
    }
}
