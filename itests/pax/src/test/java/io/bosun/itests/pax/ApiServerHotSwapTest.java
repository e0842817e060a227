package io.bosun.itests.pax;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.ByteArrayInputStream;
import java.time.Duration;
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
import org.osgi.framework.Version;

/**
 * The foundation's hot-swap promise for the API server: while a client creates objects without
 * pause and another watches them, the {@code io.bosun.apiserver} bundle is updated in place (from
 * a copy of its jar with another version, so the new code is visibly the one serving) and later
 * stopped and started. Clients see only connection errors or 503s, which they retry, and watches
 * that end and resume from their last resourceVersion without missing or repeating an event; the
 * API is ready again within seconds; nothing else in the framework restarts (same bundles, same
 * store and metrics services); the old server leaves no thread behind.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ApiServerHotSwapTest {

    private BundleContext context;

    @Before
    public void probeContext() {
        context = FrameworkUtil.getBundle(ApiServerHotSwapTest.class).getBundleContext();
    }

    @Configuration
    public Option[] config() {
        return options(composite(RuntimeOptions.fromSystemProperties()), junitBundles());
    }

    @Test
    public void updateAndRestartOfTheApiServerLoseNoWriteAndNoWatchEvent() throws Exception {
        Bundle apiserver = Swaps.bundle(context, Swaps.APISERVER_BUNDLE);
        try (HotSwapScenario run = HotSwapScenario.begin(context, "ApiServerHotSwapTest")) {
            run.awaitFlow("the start");
            Map<Long, String> othersBefore = Swaps.bundlesExcept(context, apiserver);
            long store = Swaps.serviceId(context, Swaps.STORE_SERVICE);
            long metrics = Swaps.serviceId(context, Swaps.METRICS_SERVICE);
            assertTrue("no store service", store >= 0);
            assertTrue("no metrics registry service", metrics >= 0);

            try (Swaps.BundleEvents events = new Swaps.BundleEvents(context, apiserver)) {
                // 1. Update in place, from a copy of its jar that only differs in its version.
                Version next = Swaps.nextVersion(apiserver.getVersion(), "hotswap");
                byte[] jar = Swaps.withVersionSuffix(apiserver, "hotswap");
                Map<Long, ThreadDump.Info> beforeUpdate = ThreadDump.named("apiserver-");
                assertFalse("no apiserver-* threads before the update", beforeUpdate.isEmpty());
                int streams = run.watcher.streams.get();
                run.swap("update of " + Swaps.APISERVER_BUNDLE + " to " + next,
                        () -> apiserver.update(new ByteArrayInputStream(jar)));
                assertEquals("state after update", Bundle.ACTIVE, apiserver.getState());
                assertEquals(next, apiserver.getVersion());
                Duration ready = run.awaitReady("the update");
                run.note("/readyz 200 " + ready.toMillis() + " ms after the update");
                Await.until(HotSwapScenario.READY_TIMEOUT, () -> {
                    String git = run.api.getJson("/version").path("gitVersion").asText();
                    return git.endsWith("." + next) ? null : "/version says " + git + ", not the new bundle " + next;
                });
                run.awaitFlow("the update");
                run.check(run.watcher.streams.get() > streams,
                        "the watch did not end and resume across the update " + run.stats());
                Await.until(HotSwapScenario.TRAFFIC_TIMEOUT, () -> ThreadDump.stillAlive("the old API server",
                        beforeUpdate.values()));
                run.note("no thread of the old API server left (" + beforeUpdate.size() + " before the update)");
                run.check(Swaps.serviceId(context, Swaps.STORE_SERVICE) == store,
                        "the store service was replaced by an API server update");
                run.check(Swaps.serviceId(context, Swaps.METRICS_SERVICE) == metrics,
                        "the metrics registry was replaced by an API server update");

                // 2. Stop: the clients see the API gone; start: it comes back and they resume.
                Map<Long, ThreadDump.Info> beforeStop = ThreadDump.named("apiserver-");
                int writerFailures = run.writerFailures();
                int watcherFailures = run.watcher.failedAttempts.get();
                run.swap("stop of " + Swaps.APISERVER_BUNDLE, apiserver::stop);
                Await.until(HotSwapScenario.TRAFFIC_TIMEOUT, () -> ThreadDump.stillAlive("the stopped API server",
                        beforeStop.values()));
                run.note("no apiserver-* thread left (" + beforeStop.size() + " before the stop)");
                run.awaitOutage("while stopped", writerFailures, watcherFailures);
                streams = run.watcher.streams.get();
                run.swap("start of " + Swaps.APISERVER_BUNDLE, apiserver::start);
                ready = run.awaitReady("the start");
                run.note("/readyz 200 " + ready.toMillis() + " ms after the start");
                run.awaitFlow("the restart");
                run.check(run.watcher.streams.get() > streams,
                        "the watch did not resume after the restart " + run.stats());

                run.finish();

                List<String> own = events.swapped();
                run.check(List.of(1, 2, 2).equals(List.of(count(own, "UPDATED"), count(own, "STOPPED"),
                        count(own, "STARTED"))), "the API server bundle's events: " + own);
                run.check(events.others().isEmpty(), "lifecycle events of other bundles: " + events.others());
            }
            String changed = Swaps.difference(othersBefore, Swaps.bundlesExcept(context, apiserver));
            run.check(changed == null, "other bundles changed: " + changed);
            run.check(Swaps.serviceId(context, Swaps.STORE_SERVICE) == store, "the store service.id changed");
            run.check(Swaps.serviceId(context, Swaps.METRICS_SERVICE) == metrics,
                    "the metrics registry service.id changed");
            run.assertNoProblems();
        }
    }

    private static int count(List<String> events, String type) {
        return (int) events.stream().filter(e -> e.startsWith(type + " ")).count();
    }
}
