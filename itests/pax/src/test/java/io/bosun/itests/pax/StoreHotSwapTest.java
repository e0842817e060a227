package io.bosun.itests.pax;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The hot-swap promise for the store: while a client creates objects without pause and another
 * watches them, the {@code io.bosun.store.embedded} bundle is updated in place and later stopped
 * and started. The API server's component follows the store service away and back (its bundle is
 * not restarted); data written before is still there at the same resourceVersion; the store's
 * history survives, so the watcher resumes from the last resourceVersion it saw and misses
 * nothing; neither the old store nor the old API server leaves a thread behind.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StoreHotSwapTest {

    /** The old store's threads: its writer and its watch delivery threads. */
    private static final String[] STORE_THREADS = {"bosun-store-writer[", "bosun-store-watch-"};

    private BundleContext context;

    @Before
    public void probeContext() {
        context = FrameworkUtil.getBundle(StoreHotSwapTest.class).getBundleContext();
    }

    @Configuration
    public Option[] config() {
        return options(composite(RuntimeOptions.fromSystemProperties()), junitBundles());
    }

    @Test
    public void updateAndRestartOfTheStoreLoseNoDataAndNoWatchEvent() throws Exception {
        Bundle store = Swaps.bundle(context, Swaps.STORE_BUNDLE);
        try (HotSwapScenario run = HotSwapScenario.begin(context, "StoreHotSwapTest")) {
            run.awaitFlow("the start");
            Map<Long, String> othersBefore = Swaps.bundlesExcept(context, store);
            long metrics = Swaps.serviceId(context, Swaps.METRICS_SERVICE);
            long oldStore = Swaps.serviceId(context, Swaps.STORE_SERVICE);
            assertTrue("no store service", oldStore >= 0);
            assertEquals("the API server's store", oldStore, Swaps.apiServerStoreBinding(context));

            try (Swaps.BundleEvents events = new Swaps.BundleEvents(context, store)) {
                // 1. Update in place, from a copy of its jar that only differs in its version.
                Version next = Swaps.nextVersion(store.getVersion(), "hotswap");
                byte[] jar = Swaps.withVersionSuffix(store, "hotswap");
                Map<Long, ThreadDump.Info> old = oldInstanceThreads();
                List<ConfigMapWriter.Ack> writtenBefore = run.writer.acks();
                int streams = run.watcher.streams.get();
                run.swap("update of " + Swaps.STORE_BUNDLE + " to " + next,
                        () -> store.update(new ByteArrayInputStream(jar)));
                assertEquals("state after update", Bundle.ACTIVE, store.getState());
                assertEquals(next, store.getVersion());
                Duration ready = run.awaitReady("the store update");
                run.note("/readyz 200 " + ready.toMillis() + " ms after the store update");
                long newStore = awaitNewStore(oldStore, next);
                run.awaitFlow("the store update");
                run.check(run.watcher.streams.get() > streams,
                        "the watch did not end and resume across the store update " + run.stats());
                Await.until(HotSwapScenario.TRAFFIC_TIMEOUT, () -> ThreadDump.stillAlive(
                        "the old store and API server", old.values()));
                run.note("no thread of the old store or API server left (" + old.size() + " before the update)");
                checkSameData(run, writtenBefore, "the update");

                // 2. Stop: the API server goes with it; start: both come back and the clients resume.
                Map<Long, ThreadDump.Info> updated = oldInstanceThreads();
                int writerFailures = run.writerFailures();
                int watcherFailures = run.watcher.failedAttempts.get();
                run.swap("stop of " + Swaps.STORE_BUNDLE, store::stop);
                run.check(Swaps.serviceId(context, Swaps.STORE_SERVICE) == -1,
                        "a store service with its bundle stopped");
                run.check(Swaps.apiServerStoreBinding(context) == -1, "an active API server without a store");
                Await.until(HotSwapScenario.TRAFFIC_TIMEOUT, () -> ThreadDump.stillAlive(
                        "the stopped store and its API server", updated.values()));
                run.note("no thread of the stopped store or its API server left (" + updated.size() + " before)");
                run.awaitOutage("while the store is stopped", writerFailures, watcherFailures);
                writtenBefore = run.writer.acks();
                streams = run.watcher.streams.get();
                run.swap("start of " + Swaps.STORE_BUNDLE, store::start);
                ready = run.awaitReady("the store start");
                run.note("/readyz 200 " + ready.toMillis() + " ms after the store start");
                awaitNewStore(newStore, next);
                run.awaitFlow("the store restart");
                run.check(run.watcher.streams.get() > streams,
                        "the watch did not resume after the store restart " + run.stats());
                checkSameData(run, writtenBefore, "the stop");

                run.finish();

                List<String> own = events.swapped();
                run.check(List.of(1, 2, 2).equals(List.of(count(own, "UPDATED"), count(own, "STOPPED"),
                        count(own, "STARTED"))), "the store bundle's events: " + own);
                // The API server's bundle included: only its component follows the store.
                run.check(events.others().isEmpty(), "lifecycle events of other bundles: " + events.others());
            }
            String changed = Swaps.difference(othersBefore, Swaps.bundlesExcept(context, store));
            run.check(changed == null, "other bundles changed: " + changed);
            run.check(Swaps.serviceId(context, Swaps.METRICS_SERVICE) == metrics,
                    "the metrics registry service.id changed");
            run.assertNoProblems();
        }
    }

    /** The store's threads and the API server's (which restarts with it). */
    private static Map<Long, ThreadDump.Info> oldInstanceThreads() {
        Map<Long, ThreadDump.Info> old = ThreadDump.named(STORE_THREADS);
        assertTrue("no store writer thread", old.values().stream().anyMatch(t -> t.name().startsWith(STORE_THREADS[0])));
        Map<Long, ThreadDump.Info> apiserver = ThreadDump.named("apiserver-");
        assertFalse("no apiserver-* threads", apiserver.isEmpty());
        Map<Long, ThreadDump.Info> all = new HashMap<>(old);
        all.putAll(apiserver);
        return all;
    }

    /**
     * Waits for a store service other than {@code previous}, from the bundle at {@code version},
     * and for the API server component to be active on it; returns its service.id.
     */
    private long awaitNewStore(long previous, Version version) {
        long[] found = {-1};
        Await.until(HotSwapScenario.TRAFFIC_TIMEOUT, () -> {
            ServiceReference<?> reference = Swaps.serviceReference(context, Swaps.STORE_SERVICE);
            if (reference == null) {
                return "no store service";
            }
            long id = (Long) reference.getProperty("service.id");
            if (id == previous) {
                return "still the store service " + previous;
            }
            if (!version.equals(reference.getBundle().getVersion())) {
                return "store service " + id + " from " + reference.getBundle().getVersion() + ", not " + version;
            }
            long bound = Swaps.apiServerStoreBinding(context);
            if (bound != id) {
                return "the API server component is " + (bound < 0 ? "not active" : "bound to store " + bound)
                        + ", not to the new store " + id;
            }
            found[0] = id;
            return null;
        });
        assertNotEquals(previous, found[0]);
        return found[0];
    }

    /** Every object written before {@code swap} reads back (GET) with the resourceVersion its create returned. */
    private static void checkSameData(HotSwapScenario run, List<ConfigMapWriter.Ack> written, String swap) {
        assertFalse("nothing written before " + swap, written.isEmpty());
        List<String> wrong = new ArrayList<>();
        for (ConfigMapWriter.Ack ack : written) {
            JsonNode object = run.api.getJson(ConfigMapWriter.PATH + "/" + ack.name());
            long rv = ApiClient.resourceVersion(object);
            if (rv != ack.resourceVersion() || !ack.name().equals(object.path("data").path("name").asText())) {
                wrong.add(ack.name() + ": created at resourceVersion " + ack.resourceVersion() + ", now " + rv
                        + " with data " + object.path("data"));
            }
        }
        run.check(wrong.isEmpty(), "objects written before " + swap + " changed: " + wrong);
        run.note("all " + written.size() + " objects written before " + swap + " read back"
                + (wrong.isEmpty() ? " unchanged" : ", " + wrong.size() + " changed"));
    }

    private static int count(List<String> events, String type) {
        return (int) events.stream().filter(e -> e.startsWith(type + " ")).count();
    }
}
