package io.bosun.itests.pax;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import org.osgi.framework.BundleContext;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The traffic a hot swap must not disturb: a {@link ConfigMapWriter} creating objects without
 * pause and a {@link ConfigMapWatcher} streaming them, both started from the same list
 * resourceVersion; and, at the end, the check that the watcher saw exactly what was written.
 */
final class HotSwapScenario implements AutoCloseable {

    /** Boot of the runtime's API server (the framework has just started). */
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(30);
    /** "Ready again within a few seconds" after a swap. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(5);
    /** Traffic going through again after a swap; old threads gone; the watcher catching up. */
    static final Duration TRAFFIC_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How long stopping the old API server (inside update() or stop() of its bundle, or of the
     * store's) may block: well under its Jetty stop timeout (5 s). A stop that runs into that
     * timeout had a connection it did not end: a request or watch the server did not close.
     */
    static final Duration SWAP_LIMIT = Duration.ofSeconds(4);
    /** Creates, acknowledged and then seen by the watcher, that show traffic flows. */
    private static final int FLOW = 20;

    final ApiClient api;
    private final String test;
    final String run;
    final ConfigMapWriter writer;
    final ConfigMapWatcher watcher;
    final long startResourceVersion;
    private final long started = System.nanoTime();
    private final List<String> timeline = new ArrayList<>();
    /** Findings that do not stop the test at once, so that every other check still runs. */
    private final List<String> problems = new ArrayList<>();

    /** A bundle operation that swaps or stops something. */
    interface SwapAction {
        void run() throws Exception;
    }

    private HotSwapScenario(ApiClient api, String test, String run, long startResourceVersion) {
        this.api = api;
        this.test = test;
        this.run = run;
        this.startResourceVersion = startResourceVersion;
        this.writer = new ConfigMapWriter(api, run);
        this.watcher = new ConfigMapWatcher(api, run, startResourceVersion);
    }

    /** Waits for the API, lists to get a starting resourceVersion, starts the watcher and then the writer. */
    static HotSwapScenario begin(BundleContext context, String test) {
        ApiClient api = new ApiClient(context);
        Await.until(BOOT_TIMEOUT, api::notReady);
        String run = "hs" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        JsonNode list = api.getJson(ConfigMapWriter.PATH + "?labelSelector="
                + URLEncoder.encode(ConfigMapWriter.RUN_LABEL + "=" + run, StandardCharsets.UTF_8));
        long rv = Long.parseLong(list.path("metadata").path("resourceVersion").asText());
        HotSwapScenario scenario = new HotSwapScenario(api, test, run, rv);
        try {
            scenario.watcher.start();
            Await.until(TRAFFIC_TIMEOUT, () -> scenario.watcher.streams.get() > 0 ? null : "the watch did not open");
            scenario.writer.start();
        } catch (RuntimeException | Error e) {
            try {
                scenario.close();
            } catch (InterruptedException | RuntimeException | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        scenario.note("traffic started from resourceVersion " + rv);
        return scenario;
    }

    /**
     * Waits until {@value #FLOW} more creates were acknowledged and the watcher has seen them
     * all: the swap (or start) just done did not stop the traffic.
     */
    void awaitFlow(String after) {
        int target = writer.ackCount() + FLOW;
        Await.until(TRAFFIC_TIMEOUT, () -> {
            int acked = writer.ackCount();
            if (acked < target) {
                return "after " + after + ": " + acked + " creates acknowledged, waiting for " + target + " "
                        + stats() + "\n" + clients();
            }
            return watcher.lastResourceVersion() >= writer.ack(target - 1).resourceVersion() ? null
                    : "after " + after + ": the watcher is at resourceVersion " + watcher.lastResourceVersion() + " "
                            + stats() + "\n" + clients();
        });
        note("traffic flows after " + after + " " + stats());
    }

    /** Waits for /readyz 200; returns how long that took. */
    Duration awaitReady(String after) {
        long start = System.nanoTime();
        Await.until(READY_TIMEOUT, () -> {
            String problem = api.notReady();
            return problem == null ? null : "not ready after " + after + ": " + problem;
        });
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Waits until both clients found the API gone (the writer's creates and the watcher's reconnects fail). */
    void awaitOutage(String during, int writerFailuresBefore, int watcherFailuresBefore) {
        Await.until(TRAFFIC_TIMEOUT, () -> writerFailures() > writerFailuresBefore
                && watcher.failedAttempts.get() > watcherFailuresBefore ? null
                        : during + ": the clients have not noticed the API is down yet " + stats() + "\n" + clients());
        note("both clients saw the API down " + during + " " + stats());
    }

    /**
     * Runs a bundle operation and times it; one that blocks for {@link #SWAP_LIMIT} or more is
     * a problem (see there).
     */
    Duration swap(String what, SwapAction action) throws Exception {
        note(what + " ...");
        long start = System.nanoTime();
        action.run();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        note(what + " took " + took.toMillis() + " ms " + stats());
        check(took.compareTo(SWAP_LIMIT) < 0, what + " blocked for " + took.toMillis() + " ms (limit "
                + SWAP_LIMIT.toMillis() + " ms): the old API server's stop waited out its Jetty stop timeout, so"
                + " something kept a connection open; see the watch streams in the timeline");
        return took;
    }

    int writerFailures() {
        return writer.connectionErrors.get() + writer.unavailable.get();
    }

    void note(String event) {
        String line = String.format("%6d ms  %s", Duration.ofNanos(System.nanoTime() - started).toMillis(), event);
        timeline.add(line);
    }

    String timeline() {
        List<String> lines = new ArrayList<>(timeline);
        for (ConfigMapWatcher.WatchStream stream : watcher.history()) {
            lines.add(String.format("  watch stream %d: opened at %d ms from resourceVersion %d, %d events, %s at %d ms"
                    + " (%d ms later)", stream.number(), millis(stream.opened()), stream.from(), stream.events(),
                    stream.end(), millis(stream.ended()), (stream.ended() - stream.opened()) / 1_000_000));
        }
        writer.errorKinds().forEach((kind, n) -> lines.add("  writer connection errors: " + n + " x " + kind));
        return String.join("\n", lines);
    }

    private long millis(long nanoTime) {
        return (nanoTime - started) / 1_000_000;
    }

    /** The client threads' stacks: for failure messages. */
    String clients() {
        return "    " + writer.where() + "\n    " + watcher.where();
    }

    String stats() {
        return "(writer: " + writer.ackCount() + " acked up to rv " + writer.lastResourceVersion() + ", "
                + writer.connectionErrors.get() + " connection errors, " + writer.unavailable.get() + " 503s, "
                + writer.resolvedExisting.get() + " resolved by GET after 409; watcher: " + watcher.eventCount()
                + " events up to rv " + watcher.lastResourceVersion() + ", " + watcher.streams.get() + " streams, "
                + watcher.streamsEnded.get() + " ended, " + watcher.failedAttempts.get() + " failed attempts)";
    }

    /**
     * Stops the writer, waits for the watcher to see its last create, stops the watcher and checks
     * that every create acknowledged was seen exactly once, in resourceVersion order, and that the
     * objects listed now are exactly those: nothing missed, nothing extra, nothing unacknowledged.
     * What is wrong is recorded (see {@link #assertNoProblems()}), so that the test's other checks
     * still run.
     */
    void finish() throws InterruptedException {
        writer.stop();
        long last = writer.lastResourceVersion();
        try {
            Await.until(TRAFFIC_TIMEOUT, () -> watcher.lastResourceVersion() >= last ? null
                    : "the watcher is stuck at resourceVersion " + watcher.lastResourceVersion()
                            + ", the writer's last create is at " + last + " " + stats() + "\n" + clients());
        } catch (AssertionError e) {
            problem(e.getMessage());
        }
        watcher.stop();
        note("clients stopped " + stats());

        writer.unexpected().forEach(p -> problem("writer: " + p));
        watcher.problems().forEach(p -> problem("watcher: " + p));
        check(watcher.relists.get() == 0, watcher.relists.get() + " 410 answers: the watcher would have relisted");

        List<ConfigMapWriter.Ack> acks = writer.acks();
        check(acks.size() >= 3 * FLOW, "too few creates to show anything: " + stats());
        for (int i = 1; i < acks.size(); i++) {
            check(acks.get(i).resourceVersion() > acks.get(i - 1).resourceVersion(),
                    "the writer's creates out of resourceVersion order: " + acks.get(i - 1) + ", " + acks.get(i));
        }

        List<ConfigMapWatcher.Event> events = watcher.events();
        List<String> wrong = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            ConfigMapWatcher.Event e = events.get(i);
            seen.merge(e.name(), 1, Integer::sum);
            if (!e.type().equals("ADDED")) {
                wrong.add("unexpected " + e);
            }
            if (i > 0 && e.resourceVersion() <= events.get(i - 1).resourceVersion()) {
                wrong.add("out of order: " + events.get(i - 1) + " then " + e);
            }
        }
        seen.forEach((name, times) -> {
            if (times > 1) {
                wrong.add(name + " seen " + times + " times");
            }
        });
        Map<String, Long> acked = acks.stream().collect(Collectors.toMap(ConfigMapWriter.Ack::name,
                ConfigMapWriter.Ack::resourceVersion, (a, b) -> a, LinkedHashMap::new));
        Map<String, Long> watched = events.stream().collect(Collectors.toMap(ConfigMapWatcher.Event::name,
                ConfigMapWatcher.Event::resourceVersion, (a, b) -> a, LinkedHashMap::new));
        acked.forEach((name, rv) -> {
            Long w = watched.get(name);
            if (w == null) {
                wrong.add("MISSED: " + name + " at resourceVersion " + rv + " (acknowledged) was never seen");
            } else if (w.longValue() != rv) {
                wrong.add(name + " acknowledged at " + rv + " but seen at " + w);
            }
        });
        watched.forEach((name, rv) -> {
            if (!acked.containsKey(name)) {
                wrong.add(name + " seen at " + rv + " but never acknowledged to the writer");
            }
        });

        // No gap: what the store holds for this run now is exactly what was written and watched.
        JsonNode list = api.getJson(ConfigMapWriter.PATH + "?labelSelector="
                + URLEncoder.encode(ConfigMapWriter.RUN_LABEL + "=" + run, StandardCharsets.UTF_8));
        Map<String, Long> listed = new LinkedHashMap<>();
        list.path("items").forEach(item -> listed.put(item.path("metadata").path("name").asText(),
                ApiClient.resourceVersion(item)));
        listed.forEach((n, rv) -> {
            if (!rv.equals(acked.get(n))) {
                wrong.add(n + " listed at resourceVersion " + rv + ", acknowledged at " + acked.get(n));
            }
        });
        acked.forEach((n, rv) -> {
            if (!listed.containsKey(n)) {
                wrong.add(n + " acknowledged at resourceVersion " + rv + " but not listed");
            }
        });
        wrong.stream().limit(50).forEach(w -> problem("watch vs writes: " + w));
        if (wrong.size() > 50) {
            problem("watch vs writes: " + (wrong.size() - 50) + " more");
        }
        if (wrong.isEmpty() && !acks.isEmpty()) {
            long lastRv = acks.get(acks.size() - 1).resourceVersion();
            note("verified: " + acks.size() + " creates between resourceVersion " + startResourceVersion + " and "
                    + lastRv + " (" + (lastRv - startResourceVersion - acks.size())
                    + " revisions written by others), each seen once, in order; the list matches");
        }
    }

    /** Records a problem unless {@code ok}. */
    void check(boolean ok, String problem) {
        if (!ok) {
            problem(problem);
        }
    }

    /** Records a problem: reported, with every other, by {@link #assertNoProblems()}. */
    void problem(String problem) {
        problems.add(problem);
    }

    /** Fails with every problem recorded, and the timeline that explains them. */
    void assertNoProblems() {
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " problem(s):\n  " + String.join("\n  ", problems)
                    + "\n" + stats() + "\ntimeline:\n" + timeline());
        }
    }

    /** Stops the clients if still running and prints the timeline, pass or fail, to the test's output. */
    @Override
    public void close() throws InterruptedException {
        note("closing " + stats());
        System.err.println(test + " timeline:\n" + timeline()
                + (problems.isEmpty() ? "" : "\nproblems:\n  " + String.join("\n  ", problems)));
        try {
            writer.stop();
        } finally {
            try {
                watcher.stop();
            } finally {
                api.close();
            }
        }
    }
}
