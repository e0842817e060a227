package io.bosun.itests.pax;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
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
 * The node issue's restart-survival promise in the assembled runtime's bundles: with 20 pods
 * running real host processes (the process runtime) on the runtime's own node, the
 * {@code io.bosun.kubelet} bundle is updated in place ({@link Bundle#update} from a copy of its jar
 * with another version). Then:
 * <ul>
 * <li>none of the 20 containers restarted: the same host process (pid and start time, found by a
 * marker in its command line) runs each, and the API shows the same container ID, startedAt,
 * restartCount 0, and Ready without a transition (same lastTransitionTime);</li>
 * <li>the node stayed Ready (same Ready lastTransitionTime) and the new kubelet heartbeats;</li>
 * <li>the new kubelet carries on: a new pod runs, a deleted adopted pod terminates (its process
 * ends, the pod object goes), and {@code pods/log} of an adopted pod is served through it;</li>
 * <li>no thread of the old kubelet is left (its own threads, by id) and its informers, watches
 * and HTTP client threads are gone (no more such long-lived threads of any name than there were
 * before);</li>
 * <li>nothing else restarted: no other bundle changed or got a lifecycle event.</li>
 * </ul>
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KubeletHotSwapTest {

    private static final String KUBELET = "io.bosun.kubelet";
    private static final String NS = "kubelet-hotswap";
    private static final int PODS = 20;
    /** 20 processes to start on a shared 2-core machine; the API server and kubelet booting. */
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** The new kubelet taking over: heartbeat, a pod started or torn down. */
    private static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(30);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final long started = System.nanoTime();
    private final List<String> timeline = new ArrayList<>();
    private BundleContext context;
    private String base;
    private String node;
    /** Unique to this run: marks the test's container processes on the host. */
    private String marker;

    @Configuration
    public Option[] config() {
        return options(composite(RuntimeOptions.fromSystemProperties()), junitBundles());
    }

    @Before
    public void probeContext() {
        context = FrameworkUtil.getBundle(KubeletHotSwapTest.class).getBundleContext();
        base = "http://127.0.0.1:" + context.getProperty("bosun.apiserver.port");
        node = context.getProperty("bosun.name");
        marker = "bosun-itest-kubelet-hotswap-" + Long.toString(System.nanoTime(), 36);
    }

    @Test
    public void updatingTheKubeletBundleUnder20RunningPodsRestartsNoneOfThem() throws Exception {
        Await.until(TIMEOUT, () -> "True".equals(ready(get("/api/v1/nodes/" + node)).path("status").asText()) ? null
                : "node " + node + " Ready");
        send("POST", "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\""
                + NS + "\"}}", 201, 409);
        try {
            for (int i = 0; i < PODS; i++) {
                send("POST", "/api/v1/namespaces/" + NS + "/pods", pod("p" + i), 201);
            }
            Await.until(TIMEOUT, () -> {
                long ready = pods().values().stream().filter(s -> s.contains("/ready=true/restarts=0/")).count();
                return ready == PODS ? null : ready + " of " + PODS + " pods Ready";
            });
            note(PODS + " pods Ready");
            Map<String, String> before = pods();
            Map<String, String> processesBefore = processes();
            assertEquals("one host process per pod, found by its marker: " + processesBefore, PODS,
                    processesBefore.size());
            assertTrue("the pods run on the process runtime: " + before,
                    before.values().stream().allMatch(s -> s.startsWith("process://")));
            JsonNode nodeReady = ready(get("/api/v1/nodes/" + node));
            String heartbeat = nodeReady.path("lastHeartbeatTime").asText();

            Bundle kubelet = Swaps.bundle(context, KUBELET);
            Version next = Swaps.nextVersion(kubelet.getVersion(), "hotswap");
            byte[] jar = Swaps.withVersionSuffix(kubelet, "hotswap");
            Map<Long, String> othersBefore = Swaps.bundlesExcept(context, kubelet);
            Map<Long, ThreadDump.Info> old = ThreadDump.named("bosun-kubelet-");
            assertFalse("no kubelet threads before the update", old.isEmpty());
            // The baseline counts every component's client threads, so the rest of the runtime must have
            // settled first: the controller manager and the scheduler lead (their controllers' informers
            // start once they do, which under load can fall inside the update's window).
            for (String lease : List.of("bosun-controller-manager", "bosun-scheduler")) {
                Await.until(TIMEOUT, () -> get("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/" + lease)
                        .path("spec").path("holderIdentity").asText("").isEmpty() ? "no holder of the Lease " + lease : null);
            }
            java.util.concurrent.atomic.AtomicReference<Map<String, Long>> previous =
                    new java.util.concurrent.atomic.AtomicReference<>(Map.of());
            java.util.concurrent.atomic.AtomicLong sampledAt = new java.util.concurrent.atomic.AtomicLong();
            Await.until(TIMEOUT, () -> {
                if (System.nanoTime() - sampledAt.get() < 2_000_000_000L) {
                    return "sampling the threads every 2 s until two samples agree";
                }
                Map<String, Long> now = longLivedThreads();
                boolean same = now.equals(previous.getAndSet(now));
                sampledAt.set(System.nanoTime());
                return same ? null : "long-lived threads still changing: " + now;
            });
            note("control plane settled: leases held, long-lived threads unchanged over 2 s");
            Map<String, Long> longLivedBefore = longLivedThreadsAtMost();

            try (Swaps.BundleEvents events = new Swaps.BundleEvents(context, kubelet)) {
                long t0 = System.nanoTime();
                kubelet.update(new ByteArrayInputStream(jar));
                note("update of " + KUBELET + " to " + next + " took " + millis(t0) + " ms");
                assertEquals(Bundle.ACTIVE, kubelet.getState());
                assertEquals(next, kubelet.getVersion());

                // the new kubelet posts status again; no thread of the old one is left
                Await.until(TAKEOVER_TIMEOUT, () -> ready(get("/api/v1/nodes/" + node)).path("lastHeartbeatTime")
                        .asText().equals(heartbeat) ? "a heartbeat of the new kubelet" : null);
                note("first heartbeat of the new kubelet " + millis(t0) + " ms after the update began");
                Await.until(TAKEOVER_TIMEOUT, () -> ThreadDump.stillAlive("the old kubelet", old.values()));
                note("the old kubelet's " + old.size() + " bosun-kubelet-* threads are gone");
                Await.until(TAKEOVER_TIMEOUT, () -> {
                    Map<String, Long> now = longLivedThreads();
                    Map<String, String> more = new TreeMap<>();
                    now.forEach((name, n) -> {
                        if (n > longLivedBefore.getOrDefault(name, 0L)) {
                            more.put(name, longLivedBefore.getOrDefault(name, 0L) + " -> " + n);
                        }
                    });
                    return more.isEmpty() ? null : "more long-lived client threads (informers, watches, HTTP"
                            + " selectors) than before the update: " + more;
                });
                note("informer, watch and HTTP client threads no more than before the update ("
                        + longLivedBefore.values().stream().mapToLong(Long::longValue).sum() + ")");

                // the node stayed Ready throughout
                JsonNode readyAfter = ready(get("/api/v1/nodes/" + node));
                assertEquals("node Ready after the update", "True", readyAfter.path("status").asText());
                assertEquals("the node's Ready condition did not change across the update (lastTransitionTime)",
                        nodeReady.path("lastTransitionTime").asText(), readyAfter.path("lastTransitionTime").asText());

                // none of the 20 restarted: same container statuses, same host processes
                assertSame("containers (containerID/startedAt/ready/restarts/Ready transition)", before, pods());
                assertSame("host processes (pod=pid@start)", processesBefore, processes());

                // the new kubelet runs a new pod ...
                long t1 = System.nanoTime();
                send("POST", "/api/v1/namespaces/" + NS + "/pods", pod("after"), 201);
                Await.until(TAKEOVER_TIMEOUT, () -> pods().getOrDefault("after", "").contains("/ready=true/restarts=0/")
                        ? null : "new pod Ready: " + pods().get("after"));
                note("a pod created after the update Ready in " + millis(t1) + " ms");
                // ... tears down an adopted pod that is deleted ...
                String p0 = processesBefore.get("p0");
                long t2 = System.nanoTime();
                send("DELETE", "/api/v1/namespaces/" + NS + "/pods/p0", null, 200);
                Await.until(TAKEOVER_TIMEOUT, () -> pods().containsKey("p0") ? "pod p0 still in the API" : null);
                Await.until(TAKEOVER_TIMEOUT, () -> processes().containsKey("p0")
                        ? "the process of deleted pod p0 still runs: " + processes().get("p0") : null);
                note("adopted pod p0 (process " + p0 + ") deleted: process ended and pod gone in " + millis(t2) + " ms");
                // ... and serves an adopted pod's logs through the API server's proxy
                HttpResponse<String> log = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/" + NS
                        + "/pods/p1/log")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals("pods/p1/log through the new kubelet: " + log.body(), 200, log.statusCode());
                assertEquals("started p1\n", log.body());

                // and the 19 others still never restarted
                Map<String, String> after = pods();
                after.remove("after");
                before.remove("p0");
                assertSame("containers (containerID/startedAt/ready/restarts/Ready transition)", before, after);
                Map<String, String> processesAfter = processes();
                processesAfter.remove("after");
                processesBefore.remove("p0");
                assertSame("host processes (pod=pid@start)", processesBefore, processesAfter);

                // nothing but the kubelet bundle changed
                assertEquals("other bundles' lifecycle events", List.of(), events.others());
                assertEquals("other bundles changed", null, Swaps.difference(othersBefore,
                        Swaps.bundlesExcept(context, kubelet)));
                note("kubelet bundle events " + events.swapped() + ", none for other bundles");
            }
        } finally {
            // Containers outlive kubelets by design: delete them through the kubelet before the framework stops.
            for (int i = 0; i < PODS; i++) {
                send("DELETE", "/api/v1/namespaces/" + NS + "/pods/p" + i, null);
            }
            send("DELETE", "/api/v1/namespaces/" + NS + "/pods/after", null);
            try {
                Await.until(TIMEOUT, () -> {
                    int left = get("/api/v1/namespaces/" + NS + "/pods").path("items").size();
                    return left == 0 ? null : left + " pods left";
                });
                Await.until(TAKEOVER_TIMEOUT, () -> processes().isEmpty() ? null : "processes left: " + processes());
            } finally {
                // whatever happened, leave no sleeping process of this run behind on the machine
                markedProcesses().forEach(p -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                });
                System.err.println("KubeletHotSwapTest timeline:\n" + String.join("\n", timeline));
            }
        }
    }

    /**
     * The marker is the shell's last (never reached) command, so {@code sh} stays the container's
     * main process with it in its command line, {@code sleep} its child.
     */
    private String pod(String name) {
        return """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},"spec":{"nodeName":"%s",
                 "terminationGracePeriodSeconds":1,
                 "containers":[{"name":"main","image":"busybox",
                   "command":["sh","-c","echo started %s; sleep 3600; : %s %s"]}]}}
                """.formatted(name, node, name, marker, name);
    }

    /** name → containerID/startedAt/ready/restartCount/Ready lastTransitionTime of each pod's container. */
    private Map<String, String> pods() {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode p : get("/api/v1/namespaces/" + NS + "/pods").path("items")) {
            JsonNode c = p.path("status").path("containerStatuses").path(0);
            out.put(p.path("metadata").path("name").asText(), c.path("containerID").asText() + "/"
                    + c.path("state").path("running").path("startedAt").asText() + "/ready=" + c.path("ready").asBoolean()
                    + "/restarts=" + c.path("restartCount").asInt(-1) + "/"
                    + ready(p).path("lastTransitionTime").asText());
        }
        return out;
    }

    /** Fails, naming only the pods that differ and with their statuses, unless {@code after} equals {@code before}. */
    private void assertSame(String what, Map<String, String> before, Map<String, String> after) {
        if (before.equals(after)) {
            return;
        }
        StringBuilder b = new StringBuilder(what + " changed across the update:");
        new java.util.TreeSet<>(java.util.stream.Stream.concat(before.keySet().stream(), after.keySet().stream())
                .toList()).stream().filter(k -> !java.util.Objects.equals(before.get(k), after.get(k))).forEach(k -> b
                        .append("\n  ").append(k).append(": ").append(before.get(k)).append(" -> ").append(after.get(k))
                        .append("\n    status now: ").append(get("/api/v1/namespaces/" + NS + "/pods/" + k)
                                .path("status").path("containerStatuses")));
        throw new AssertionError(b.toString());
    }

    /** Pod name → pid@start of the live host processes of this run's containers. */
    private Map<String, String> processes() {
        Map<String, String> out = new TreeMap<>();
        for (ProcessHandle p : markedProcesses()) {
            List<String> args = p.info().arguments().map(List::of).orElse(List.of());
            String command = args.isEmpty() ? "" : args.get(args.size() - 1);
            String pod = command.substring(command.lastIndexOf(' ') + 1);
            String start = p.info().startInstant().map(Instant::toString).orElse("?");
            String previous = out.put(pod, p.pid() + "@" + start);
            if (previous != null) {
                out.put(pod, previous + "," + p.pid() + "@" + start);
            }
        }
        return out;
    }

    /** The shells whose command line carries this run's marker (their sleep children do not). */
    private List<ProcessHandle> markedProcesses() {
        return ProcessHandle.allProcesses().filter(p -> p.isAlive() && p.info().arguments()
                .map(a -> a.length == 2 && a[0].equals("-c") && a[1].contains(": " + marker + " ")).orElse(false))
                .collect(Collectors.toList());
    }

    /**
     * The long-lived threads a kubelet's API client owns, by name with numbers folded: informers
     * and their handlers, watch readers, the JDK HTTP client's selector. Other components have
     * such threads too; a kubelet that left any behind shows as one more after the swap.
     */
    private static Map<String, Long> longLivedThreads() {
        return ThreadDump.threads(n -> n.startsWith("bosun-informer-") || n.startsWith("bosun-workqueue-")
                || n.matches("bosun-client-[0-9a-f]+-watch-.*") || n.matches("HttpClient-\\d+-SelectorManager"))
                .values().stream().collect(Collectors.groupingBy(t -> t.name()
                        .replaceAll("^bosun-client-[0-9a-f]+-", "bosun-client-#-").replaceAll("\\d+", "#"),
                        TreeMap::new, Collectors.counting()));
    }

    /**
     * {@link #longLivedThreads()}, the most of each name over a few samples: a watch of another
     * component that is reconnecting just then is not missing from the count.
     */
    private static Map<String, Long> longLivedThreadsAtMost() {
        Map<String, Long> most = new TreeMap<>();
        for (int i = 0; i < 5; i++) {
            longLivedThreads().forEach((name, n) -> most.merge(name, n, Math::max));
        }
        return most;
    }

    private static JsonNode ready(JsonNode object) {
        for (JsonNode c : object.path("status").path("conditions")) {
            if (c.path("type").asText().equals("Ready")) {
                return c;
            }
        }
        return ApiClient.JSON.createObjectNode();
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? json.readTree(r.body()) : json.createObjectNode();
        } catch (IOException e) {
            return json.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Sends a request; with {@code expected} codes given, fails on any other answer. */
    private void send(String method, String path, String body, int... expected) throws IOException,
            InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").method(method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (expected.length > 0 && java.util.Arrays.stream(expected).noneMatch(c -> c == r.statusCode())) {
            throw new AssertionError(method + " " + path + ": " + r.statusCode() + " " + r.body());
        }
    }

    private void note(String event) {
        timeline.add(String.format("%6d ms  %s", millis(started), event));
    }

    private static long millis(long since) {
        return Duration.ofNanos(System.nanoTime() - since).toMillis();
    }
}
