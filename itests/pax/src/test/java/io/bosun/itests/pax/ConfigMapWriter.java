package io.bosun.itests.pax;

import java.io.IOException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Creates ConfigMaps {@code <run>-000001, <run>-000002, ...} in namespace default, one after the
 * other, from its own thread, the way a careful client does across an API server restart:
 * <ul>
 * <li>201: acknowledged, with the object's resourceVersion;</li>
 * <li>connection error or 503: retried after a short pause; after a connection error the create
 * may have happened, so a later 409 AlreadyExists is resolved by reading the object;</li>
 * <li>anything else (a 409 without a connection error before it, a 500, a request that gets no
 * answer within {@link ApiClient#REQUEST_TIMEOUT}, no definite outcome for {@link #GIVE_UP}):
 * recorded as unexpected, and the test fails.</li>
 * </ul>
 */
final class ConfigMapWriter {

    static final String PATH = "/api/v1/namespaces/default/configmaps";
    /** The label marking this run's objects, so the watcher and the final list see only them. */
    static final String RUN_LABEL = "bosun.itest/run";
    private static final Duration GIVE_UP = Duration.ofSeconds(20);
    /** A server failing every create must not fill the memory with reports. */
    private static final int MAX_UNEXPECTED = 100;
    /** The client's back-off between attempts: pacing, not synchronisation. */
    private static final long RETRY_PAUSE_MILLIS = 20;

    /** A create with a definite outcome: the object exists at this resourceVersion. */
    record Ack(String name, long resourceVersion, int attempts, boolean resolvedAfterConnectionError) {
    }

    private final ApiClient api;
    private final String run;
    private final Thread thread;
    private final List<Ack> acks = new ArrayList<>();
    private final List<String> unexpected = new ArrayList<>();
    /** Connection errors by kind, for the report. */
    private final Map<String, Integer> errorKinds = new TreeMap<>();
    /** Attempts that failed with a connection error (refused, reset, closed before the answer). */
    final AtomicInteger connectionErrors = new AtomicInteger();
    /** Attempts answered 503 (the server is shutting down). */
    final AtomicInteger unavailable = new AtomicInteger();
    /** Creates that got 409 after a connection error: the lost answer was a success. */
    final AtomicInteger resolvedExisting = new AtomicInteger();
    private volatile boolean stopping;

    ConfigMapWriter(ApiClient api, String run) {
        this.api = api;
        this.run = run;
        this.thread = new Thread(this::writeUntilStopped, "itest-configmap-writer");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Lets the create in progress reach a definite outcome, then stops. */
    void stop() throws InterruptedException {
        stopping = true;
        thread.join(GIVE_UP.plusSeconds(5).toMillis());
        if (thread.isAlive()) {
            thread.interrupt();
            throw new AssertionError("the writer did not stop within " + GIVE_UP.plusSeconds(5).toSeconds() + " s");
        }
    }

    /** Where the writer's thread is now: for failure messages. */
    String where() {
        return where(thread);
    }

    static String where(Thread thread) {
        return thread.getName() + " " + thread.getState() + "\n        at " + Arrays.stream(thread.getStackTrace())
                .limit(25).map(Object::toString).collect(Collectors.joining("\n        at "));
    }

    synchronized List<Ack> acks() {
        return List.copyOf(acks);
    }

    synchronized Ack ack(int index) {
        return acks.get(index);
    }

    synchronized int ackCount() {
        return acks.size();
    }

    synchronized long lastResourceVersion() {
        return acks.isEmpty() ? 0 : acks.get(acks.size() - 1).resourceVersion();
    }

    synchronized List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    String name(int n) {
        return String.format("%s-%06d", run, n);
    }

    private void writeUntilStopped() {
        for (int n = 1; !stopping && !Thread.currentThread().isInterrupted(); n++) {
            create(name(n));
        }
    }

    private void create(String name) {
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"" + RUN_LABEL + "\":\"" + run + "\"}},\"data\":{\"name\":\"" + name + "\"}}";
        long giveUp = System.nanoTime() + GIVE_UP.toNanos();
        boolean ambiguous = false; // a connection error: the create may have happened
        boolean exists = false; // a 409 after such an error: read the object
        int attempts = 0;
        String last = "nothing";
        while (System.nanoTime() < giveUp) {
            attempts++;
            try {
                HttpResponse<String> response = exists ? api.get(PATH + "/" + name) : api.post(PATH, body);
                int status = response.statusCode();
                last = status + " " + response.body();
                if (!exists && status == 201 || exists && status == 200) {
                    long rv = ApiClient.resourceVersion(ApiClient.parse(response.body()));
                    if (exists) {
                        resolvedExisting.incrementAndGet();
                    }
                    ack(new Ack(name, rv, attempts, exists));
                    return;
                }
                if (status == 503) {
                    unavailable.incrementAndGet();
                } else if (status == 409 && ambiguous && !exists) {
                    exists = true;
                    continue;
                } else {
                    fail(name + ": " + (exists ? "GET" : "POST") + " answered " + last.strip()
                            + (ambiguous ? " (after a connection error)" : ""));
                    return;
                }
            } catch (HttpConnectTimeoutException e) {
                connectionError(e);
                ambiguous = true;
                last = e.toString();
            } catch (HttpTimeoutException e) {
                // Connected and sent, but no answer: not what a restarting server may do. Reported;
                // the create is retried as a possibly done one, so the rest of the run still counts.
                fail(name + ": connected, but no response within " + ApiClient.REQUEST_TIMEOUT.toSeconds()
                        + " s (attempt " + attempts + "): " + e);
                ambiguous = true;
                last = e.toString();
            } catch (IOException e) {
                connectionError(e);
                ambiguous = true;
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(name + ": interrupted");
                return;
            }
            try {
                Thread.sleep(RETRY_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(name + ": interrupted");
                return;
            }
        }
        fail(name + ": no definite answer within " + GIVE_UP.toSeconds() + " s; last: " + last);
    }

    private synchronized void connectionError(IOException e) {
        connectionErrors.incrementAndGet();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        errorKinds.merge(root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage()),
                1, Integer::sum);
    }

    /** Connection errors so far by kind (root cause class and message). */
    synchronized Map<String, Integer> errorKinds() {
        return new TreeMap<>(errorKinds);
    }

    private synchronized void ack(Ack ack) {
        acks.add(ack);
    }

    private synchronized void fail(String problem) {
        if (unexpected.size() < MAX_UNEXPECTED) {
            unexpected.add(problem);
        } else if (unexpected.size() == MAX_UNEXPECTED) {
            unexpected.add("... more unexpected answers left out");
        }
    }
}
