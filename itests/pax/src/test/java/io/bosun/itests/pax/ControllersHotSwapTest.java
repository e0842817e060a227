package io.bosun.itests.pax;

import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;

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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The controllers' hot-swap promise (issue 4), in the assembled runtime's bundles: the
 * {@code io.bosun.controllers.apps} bundle is updated in place ({@link Bundle#update} from a copy of
 * its jar with another version) again and again in the middle of the rolling updates of a
 * Deployment (6 replicas, maxSurge 2, maxUnavailable 1) and a StatefulSet (3 replicas, ordered),
 * and {@code io.bosun.controllers.core} once while a Job (4 completions, parallelism 2) runs. The
 * pods run on three Node objects with no kubelet: the test binds them, makes them Running, and
 * during the rollouts readies the new pods one at a time per workload and finishes one Job pod at a
 * time, updating a bundle before each, so every update lands while the controllers have work in
 * flight. One update comes right after the template changes (new ReplicaSet and
 * ControllerRevision being made), one right after another (back to back).
 *
 * <p>Checks: both rollouts complete (updated, ready and available replicas as specified,
 * observedGeneration current; the old ReplicaSet at 0, one new one; the StatefulSet's current
 * revision is the update revision, two ControllerRevisions; the Job Complete with 4 succeeded, 4
 * pods ever, their tracking finalizers removed); on every pod event at most 8 web pods are active
 * and at least 5 available, at most 3 db pods active and at least 2 available, at most 2 Job pods
 * active; exactly 6 new web pods were ever created and none of the 6 old ones was replaced, and
 * each StatefulSet ordinal was created exactly once at the old revision and once at the new one:
 * no duplicates from a controller that forgot what its predecessor did; after each update no thread of the stopped
 * controllers is left (their run, worker and queue threads end, no thread from before runs the
 * bundle's code, and the informers' handler threads are as many as before: the old handlers were
 * removed) and at the end the controller and informer threads are as before; no other bundle
 * changed, and the controller manager kept its leader Lease.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ControllersHotSwapTest {

    private static final String APPS_BUNDLE = "io.bosun.controllers.apps";
    private static final String CORE_BUNDLE = "io.bosun.controllers.core";
    /** The controllers of the apps bundle, as their threads and queues are named. */
    private static final List<String> APPS_CONTROLLERS = List.of("replicaset", "deployment", "daemonset", "statefulset");
    private static final List<String> CORE_CONTROLLERS = List.of("job", "ttl-after-finished", "cronjob",
            "garbagecollector", "namespace", "serviceaccount", "endpoint", "endpointslice", "nodelifecycle",
            "taint-eviction-controller", "podgc", "disruption");
    /** Their work queues, as the queues' delay threads are named. */
    private static final List<String> APPS_QUEUES = APPS_CONTROLLERS;
    private static final List<String> CORE_QUEUES = List.of("job", "job_orphan_pod", "ttl_jobs_to_delete", "cronjob",
            "garbage_collector_attempt_to_delete", "garbage_collector_attempt_to_orphan", "namespace", "serviceaccount",
            "endpoint", "endpoint_slice", "node_lifecycle_controller", "node_lifecycle_controller_pods", "disruption");
    private static final String LEASE = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/"
            + "bosun-controller-manager";
    private static final String NS = "controllers-hotswap";
    private static final String SCHEDULER = "itest-controllers-hotswap";
    private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/" + NS + "/deployments";
    private static final String STATEFULSETS = "/apis/apps/v1/namespaces/" + NS + "/statefulsets";
    private static final String JOBS = "/apis/batch/v1/namespaces/" + NS + "/jobs";
    private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";
    private static final int REPLICAS = 6;
    private static final int MAX_SURGE = 2;
    private static final int MAX_UNAVAILABLE = 1;
    private static final int SET_REPLICAS = 3;
    private static final int COMPLETIONS = 4;
    private static final int PARALLELISM = 2;
    private static final int NODES = 3;
    private static final int MAX_SWAPS = 30;

    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(60);
    /** A rollout step: the controllers react to a readied pod, or restart after an update. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    /** Old threads ending, new handlers registered, after an update. */
    private static final Duration THREADS_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern HANDLER_THREAD = Pattern.compile("bosun-informer-.*-handler-\\d+");

    private BundleContext context;
    private ApiClient api;
    private FakeKubelet kubelet;
    private RolloutWatcher watcher;
    private NodeLeases leases;
    private final long started = System.nanoTime();
    private final List<String> timeline = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    @Configuration
    public Option[] config() {
        return options(composite(RuntimeOptions.fromSystemProperties()), junitBundles());
    }

    @Before
    public void probeContext() {
        context = FrameworkUtil.getBundle(ControllersHotSwapTest.class).getBundleContext();
    }

    @Test
    public void updatingTheControllerBundlesMidRolloutCompletesItWithTheRightCountsAndNoDuplicates()
            throws Exception {
        api = new ApiClient(context);
        try {
            run();
        } finally {
            try {
                if (watcher != null) {
                    watcher.stop();
                }
            } finally {
                if (kubelet != null) {
                    kubelet.close();
                }
                if (leases != null) {
                    leases.close();
                }
                System.err.println("ControllersHotSwapTest timeline:\n  " + String.join("\n  ", timeline)
                        + (problems.isEmpty() ? "" : "\nproblems:\n  " + String.join("\n  ", problems)));
                api.close();
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " problem(s):\n  " + String.join("\n  ", problems)
                    + "\ntimeline:\n  " + String.join("\n  ", timeline));
        }
    }

    private void run() throws Exception {
        Await.until(BOOT_TIMEOUT, api::notReady);
        Await.until(BOOT_TIMEOUT, () -> leaseHolder().isEmpty() ? "the controller manager holds no lease yet" : null);
        String leaseBefore = lease();
        note("API ready; controller manager lease " + leaseBefore);

        create("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + NS
                + "\"}}");
        List<String> nodes = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            nodes.add(createNode("chs-node-" + i));
        }
        leases = new NodeLeases(api, nodes);
        kubelet = new FakeKubelet(api, nodes);
        kubelet.start();

        create(DEPLOYMENTS, deployment("nginx:1"));
        create(STATEFULSETS, statefulSet("nginx:1"));
        Await.until(STEP_TIMEOUT.multipliedBy(2), () -> rolledOut("nginx:1"));
        note("first rollout done: " + status());

        // What the rollouts must look like from outside, from now on.
        JsonNode list = api.getJson(PODS);
        watcher = new RolloutWatcher(api, list, Map.of("web", new int[] {REPLICAS + MAX_SURGE, REPLICAS - MAX_UNAVAILABLE},
                "db", new int[] {SET_REPLICAS, SET_REPLICAS - 1}, "batch", new int[] {PARALLELISM, 0}));
        watcher.start();
        Await.until(STEP_TIMEOUT, () -> watcher.streams() > 0 ? null : "the pod watch did not open");
        String oldHash = onlyHash(list, "web", "pod-template-hash");
        String oldRevision = onlyHash(list, "db", "controller-revision-hash");

        Bundle apps = Swaps.bundle(context, APPS_BUNDLE);
        Bundle core = Swaps.bundle(context, CORE_BUNDLE);
        Map<Long, String> otherBundles = bundlesExcept(apps.getBundleId(), core.getBundleId());
        checkRunning(APPS_CONTROLLERS);
        checkRunning(CORE_CONTROLLERS);
        Map<String, Integer> threadsBefore = controllerThreadCounts();
        note("baseline threads " + threadsBefore);

        kubelet.autoReady(false);
        create(JOBS, job());
        note("Job batch created: " + COMPLETIONS + " completions, parallelism " + PARALLELISM
                + "; its pods run until the test finishes them");
        String image = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"nginx:2\"}]}}}}";
        patch(DEPLOYMENTS + "/web", image);
        patch(STATEFULSETS + "/db", image);
        note("image set to nginx:2 in Deployment web and StatefulSet db; new pods stay unready until the test readies"
                + " them");
        // The first update at once: the new ReplicaSet and ControllerRevision are being made.
        int swaps = 1;
        int coreSwaps = 0;
        update(apps, "hs" + swaps, APPS_CONTROLLERS, APPS_QUEUES, "io.bosun.controllers.apps.");
        while (true) {
            String[] waiting = {null};
            Await.until(STEP_TIMEOUT, () -> {
                waiting[0] = allDone();
                return waiting[0] == null || !kubelet.unready("web", "nginx:2").isEmpty()
                        || !kubelet.unready("db", "nginx:2").isEmpty() || kubelet.running("batch") > 0 ? null
                        : "no unready new pod, and not rolled out: " + waiting[0] + "; pods " + kubelet.summary();
            });
            if (waiting[0] == null) {
                break;
            }
            if (++swaps > MAX_SWAPS) {
                throw new AssertionError("not rolled out after " + MAX_SWAPS + " updates: " + waiting[0]);
            }
            update(apps, "hs" + swaps, APPS_CONTROLLERS, APPS_QUEUES, "io.bosun.controllers.apps.");
            if (swaps == 3) {
                update(core, "hs" + (++coreSwaps), CORE_CONTROLLERS, CORE_QUEUES, "io.bosun.controllers.core.");
            }
            if (swaps == 4) {
                // Back to back: the next revision stops while the one before may still be starting up.
                update(apps, "hs" + swaps + "b", APPS_CONTROLLERS, APPS_QUEUES, "io.bosun.controllers.apps.");
            }
            for (String app : List.of("web", "db")) {
                List<String> unready = kubelet.unready(app, "nginx:2");
                if (!unready.isEmpty()) {
                    kubelet.makeReady(unready.get(0));
                    note("readied " + unready.get(0) + "; pods " + kubelet.summary());
                }
            }
            String finished = kubelet.finishOne();
            if (finished != null) {
                note("finished " + finished + "; pods " + kubelet.summary());
            }
        }
        kubelet.autoReady(true);
        Await.until(STEP_TIMEOUT, () -> {
            String r = allDone();
            if (r != null) {
                return r;
            }
            return kubelet.summary().equals(Map.of("batch busybox:1 succeeded", COMPLETIONS, "db nginx:2 ready", SET_REPLICAS,
                    "web nginx:2 ready", REPLICAS)) ? null : "pods left over: " + kubelet.summary();
        });
        note("rollouts and Job done after " + swaps + " updates of " + APPS_BUNDLE + " (and one more back to back) and "
                + coreSwaps + " of " + CORE_BUNDLE + ": " + status());
        watcher.awaitCaughtUp(STEP_TIMEOUT);

        check(swaps >= 4, "only " + swaps + " updates happened during the rollout");
        check(coreSwaps == 1, CORE_BUNDLE + " was not updated during the rollout");
        // The replica sets: the new one at 6, the old one scaled to 0.
        String newHash = null;
        for (JsonNode rs : api.getJson("/apis/apps/v1/namespaces/" + NS + "/replicasets").path("items")) {
            String hash = rs.path("metadata").path("labels").path("pod-template-hash").asText();
            String img = rs.path("spec").path("template").path("spec").path("containers").path(0).path("image").asText();
            int spec = rs.path("spec").path("replicas").asInt(-1);
            int replicas = rs.path("status").path("replicas").asInt(0);
            if (img.equals("nginx:2")) {
                check(newHash == null, "a second replica set for nginx:2: " + rs.path("metadata").path("name").asText());
                newHash = hash;
                check(spec == REPLICAS && replicas == REPLICAS && rs.path("status").path("availableReplicas").asInt() == REPLICAS,
                        "new replica set " + rs.path("metadata").path("name").asText() + ": spec " + spec + ", status "
                                + rs.path("status"));
            } else {
                check(hash.equals(oldHash) && spec == 0 && replicas == 0, "old replica set "
                        + rs.path("metadata").path("name").asText() + " (hash " + hash + "): spec " + spec + ", status "
                        + rs.path("status"));
            }
        }
        check(newHash != null, "no replica set for nginx:2");
        JsonNode set = api.getJson(STATEFULSETS + "/db").path("status");
        String newRevision = set.path("updateRevision").asText();
        check(!newRevision.isEmpty() && !newRevision.equals(oldRevision) && newRevision.equals(set.path("currentRevision").asText()), "StatefulSet revisions: " + set);
        int revisions = api.getJson("/apis/apps/v1/namespaces/" + NS + "/controllerrevisions").path("items").size();
        check(revisions == 2, revisions + " controller revisions for StatefulSet db, want 2");

        // The Job: every completion counted once, by pods created once, their tracking finalizers gone.
        JsonNode job = api.getJson(JOBS + "/batch").path("status");
        check(job.path("succeeded").asInt() == COMPLETIONS && job.path("failed").asInt(0) == 0
                && job.path("active").asInt(0) == 0, "Job status " + job);
        int jobPods = 0;
        for (JsonNode pod : api.getJson(PODS).path("items")) {
            if (app(pod).equals("batch")) {
                jobPods++;
                check(!pod.path("metadata").path("finalizers").toString().contains("batch.kubernetes.io/job-tracking"),
                        "Job pod " + pod.path("metadata").path("name").asText() + " still has its tracking finalizer");
            }
        }
        check(jobPods == COMPLETIONS && watcher.namesSeen("batch").size() == COMPLETIONS,
                "Job pods: " + jobPods + " now, ever " + watcher.namesSeen("batch").keySet() + "; want " + COMPLETIONS);

        // Bounds on every event; exactly 6 old and 6 new Deployment pods ever; each StatefulSet
        // ordinal replaced exactly once.
        watcher.problems().forEach(p -> problem("pod watch: " + p));
        note("pods during the rollouts: at most " + watcher.peakActive() + " active, at least "
                + watcher.lowAvailable() + " available; web pods ever seen by template hash " + watcher.seenBy("web")
                + "; db pods ever seen by name " + watcher.namesSeen("db"));
        check(watcher.seenBy("web").equals(Map.of(oldHash, REPLICAS, String.valueOf(newHash), REPLICAS)),
                "Deployment pods ever created by template hash (old " + oldHash + ", new " + newHash + "): "
                        + watcher.seenBy("web") + ", want " + REPLICAS + " each: a controller created duplicates");
        Map<String, List<String>> ordinals = new TreeMap<>();
        for (int i = 0; i < SET_REPLICAS; i++) {
            ordinals.put("db-" + i, List.of(oldRevision, newRevision));
        }
        check(watcher.namesSeen("db").equals(ordinals), "StatefulSet pods ever created, revisions by name: "
                + watcher.namesSeen("db") + ", want each ordinal once at " + oldRevision + " and once at "
                + newRevision);

        // Nothing else restarted; the handler and controller threads are as many as before.
        check(Swaps.difference(otherBundles, bundlesExcept(apps.getBundleId(), core.getBundleId())) == null,
                "other bundles changed: " + Swaps.difference(otherBundles,
                        bundlesExcept(apps.getBundleId(), core.getBundleId())));
        check(lease().equals(leaseBefore), "the controller manager's lease changed: " + leaseBefore + " -> " + lease());
        Map<String, Integer> threadsAfter = controllerThreadCounts();
        check(threadsAfter.equals(threadsBefore), "controller and informer threads before the updates "
                + threadsBefore + ", after " + threadsAfter);
        check(leases.problems().isEmpty(), "node leases: " + leases.problems());
        check(kubelet.problems().isEmpty(), "fake kubelet: " + kubelet.problems());
    }

    // ---- the updates ----------------------------------------------------------------------------

    /**
     * Updates {@code bundle} in place; then waits until none of the threads its controllers had is
     * alive, no thread from before runs its code, and the informers have as many handler threads
     * as before (the new controllers registered theirs, the old ones are gone).
     */
    private void update(Bundle bundle, String suffix, List<String> controllers, List<String> queues,
            String packagePrefix) throws Exception {
        Version next = Swaps.nextVersion(bundle.getVersion(), suffix);
        byte[] jar = Swaps.withVersionSuffix(bundle, suffix);
        Map<Long, ThreadDump.Info> before = ThreadDump.threads(n -> true);
        Map<Long, ThreadDump.Info> theirs = ThreadDump.threads(n -> ownedBy(n, controllers, queues));
        long handlers = before.values().stream().filter(t -> HANDLER_THREAD.matcher(t.name()).matches()).count();
        check(theirs.size() > controllers.size(), "before updating " + bundle.getSymbolicName() + " its controllers had"
                + " only these threads: " + theirs.values());
        long start = System.nanoTime();
        bundle.update(new ByteArrayInputStream(jar));
        long took = (System.nanoTime() - start) / 1_000_000;
        check(bundle.getState() == Bundle.ACTIVE && next.equals(bundle.getVersion()),
                bundle.getSymbolicName() + " after the update: state " + bundle.getState() + ", version "
                        + bundle.getVersion());
        note("updated " + bundle.getSymbolicName() + " to " + next + " in " + took + " ms; pods " + kubelet.summary());
        Await.until(THREADS_TIMEOUT, () -> ThreadDump.stillAlive("the old " + controllers, theirs.values()));
        Await.until(THREADS_TIMEOUT, () -> {
            Map<Long, ThreadDump.Info> now = ThreadDump.threads(n -> true);
            List<String> old = now.values().stream().filter(t -> before.containsKey(t.tid()))
                    .filter(t -> t.stack().stream().anyMatch(f -> f.startsWith(packagePrefix)))
                    .map(ThreadDump.Info::toString).toList();
            if (!old.isEmpty()) {
                return "threads from before the update still run " + packagePrefix + " code:\n    "
                        + String.join("\n    ", old);
            }
            long h = now.values().stream().filter(t -> HANDLER_THREAD.matcher(t.name()).matches()).count();
            return h == handlers ? null : h + " informer handler threads, " + handlers + " before the update";
        });
        checkRunning(controllers);
        note("the " + theirs.size() + " threads of the stopped controllers ended; " + handlers
                + " informer handler threads again");
    }

    /** Threads of these controllers: their run and worker threads, their queues' delay threads. */
    private static boolean ownedBy(String thread, List<String> controllers, List<String> queues) {
        for (String c : controllers) {
            if (thread.equals("bosun-controller-" + c) || thread.startsWith("bosun-controller-" + c + "-")
                    && thread.substring(("bosun-controller-" + c + "-").length()).matches("\\d+")) {
                return true;
            }
        }
        return queues.stream().anyMatch(q -> thread.equals("bosun-workqueue-" + q));
    }

    /** Every controller has its run thread (a new one after an update). */
    private void checkRunning(List<String> controllers) {
        Await.until(THREADS_TIMEOUT, () -> {
            Map<Long, ThreadDump.Info> now = ThreadDump.threads(n -> n.startsWith("bosun-controller-"));
            List<String> missing = controllers.stream()
                    .filter(c -> now.values().stream().noneMatch(t -> t.name().equals("bosun-controller-" + c)))
                    .toList();
            return missing.isEmpty() ? null : "controllers not running: " + missing;
        });
    }

    /**
     * Controller run and worker threads, and informer threads, by name with numbers folded; queue
     * delay threads are left out (a queue starts one on its first delayed add).
     */
    private static Map<String, Integer> controllerThreadCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (ThreadDump.Info t : ThreadDump.threads(n -> n.startsWith("bosun-controller-")
                || n.startsWith("bosun-informer-")).values()) {
            if (t.name().startsWith("bosun-controller-stop-")) {
                continue;
            }
            counts.merge(t.name().replaceAll("-\\d+$", "-#"), 1, Integer::sum);
        }
        return counts;
    }

    private Map<Long, String> bundlesExcept(long... except) {
        Map<Long, String> all = new LinkedHashMap<>();
        for (Bundle b : context.getBundles()) {
            boolean skip = false;
            for (long id : except) {
                skip |= id == b.getBundleId();
            }
            if (!skip) {
                all.put(b.getBundleId(), b.getSymbolicName() + " " + b.getVersion() + " state " + b.getState()
                        + " modified " + b.getLastModified());
            }
        }
        return all;
    }

    // ---- the Deployment -------------------------------------------------------------------------

    private static String deployment(String image) {
        return """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
                 "spec":{"replicas":%d,"selector":{"matchLabels":{"app":"web"}},
                  "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":%d,"maxUnavailable":%d}},
                  "template":{"metadata":{"labels":{"app":"web"}},
                   "spec":{"schedulerName":"%s","terminationGracePeriodSeconds":1,
                    "tolerations":[{"operator":"Exists"}],
                    "containers":[{"name":"main","image":"%s"}]}}}}
                """.formatted(REPLICAS, MAX_SURGE, MAX_UNAVAILABLE, SCHEDULER, image);
    }

    private static String job() {
        return """
                {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"batch"},
                 "spec":{"completions":%d,"parallelism":%d,"backoffLimit":0,
                  "template":{"metadata":{"labels":{"app":"batch"}},
                   "spec":{"restartPolicy":"Never","schedulerName":"%s","terminationGracePeriodSeconds":1,
                    "tolerations":[{"operator":"Exists"}],
                    "containers":[{"name":"main","image":"busybox:1"}]}}}}
                """.formatted(COMPLETIONS, PARALLELISM, SCHEDULER);
    }

    /** Null once both rollouts are done and the Job is complete, else why not. */
    private String allDone() {
        String rollouts = rolledOut("nginx:2");
        if (rollouts != null) {
            return rollouts;
        }
        JsonNode s = api.getJson(JOBS + "/batch").path("status");
        boolean complete = false;
        for (JsonNode c : s.path("conditions")) {
            complete |= c.path("type").asText().equals("Complete") && c.path("status").asText().equals("True");
        }
        return complete && s.path("succeeded").asInt() == COMPLETIONS ? null : "Job status " + s;
    }

    private static String statefulSet(String image) {
        return """
                {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db"},
                 "spec":{"replicas":%d,"serviceName":"db","selector":{"matchLabels":{"app":"db"}},
                  "template":{"metadata":{"labels":{"app":"db"}},
                   "spec":{"schedulerName":"%s","terminationGracePeriodSeconds":1,
                    "tolerations":[{"operator":"Exists"}],
                    "containers":[{"name":"main","image":"%s"}]}}}}
                """.formatted(SET_REPLICAS, SCHEDULER, image);
    }

    /**
     * Null once both workloads are rolled out on {@code image}, as kubectl rollout status sees
     * them, else why not.
     */
    private String rolledOut(String image) {
        JsonNode d = api.getJson(DEPLOYMENTS + "/web");
        JsonNode s = d.path("status");
        String got = d.path("spec").path("template").path("spec").path("containers").path(0).path("image").asText();
        if (!got.equals(image)) {
            return "Deployment image " + got;
        }
        long generation = d.path("metadata").path("generation").asLong();
        boolean done = s.path("observedGeneration").asLong() >= generation
                && s.path("replicas").asInt() == REPLICAS && s.path("updatedReplicas").asInt() == REPLICAS
                && s.path("readyReplicas").asInt() == REPLICAS && s.path("availableReplicas").asInt() == REPLICAS
                && s.path("unavailableReplicas").asInt(0) == 0;
        if (!done) {
            return "Deployment generation " + generation + ", status " + s;
        }
        JsonNode set = api.getJson(STATEFULSETS + "/db");
        JsonNode t = set.path("status");
        long setGeneration = set.path("metadata").path("generation").asLong();
        done = t.path("observedGeneration").asLong() >= setGeneration && t.path("replicas").asInt() == SET_REPLICAS
                && t.path("updatedReplicas").asInt() == SET_REPLICAS && t.path("readyReplicas").asInt() == SET_REPLICAS
                && t.path("availableReplicas").asInt() == SET_REPLICAS
                && t.path("currentRevision").asText().equals(t.path("updateRevision").asText());
        return done ? null : "StatefulSet generation " + setGeneration + ", status " + t;
    }

    private String status() {
        StringBuilder out = new StringBuilder();
        for (String path : List.of(DEPLOYMENTS + "/web", STATEFULSETS + "/db")) {
            JsonNode s = api.getJson(path).path("status");
            out.append(out.isEmpty() ? "Deployment web: " : "; StatefulSet db: ").append("replicas ")
                    .append(s.path("replicas").asInt()).append(", updated ").append(s.path("updatedReplicas").asInt())
                    .append(", ready ").append(s.path("readyReplicas").asInt()).append(", available ")
                    .append(s.path("availableReplicas").asInt());
        }
        return out.toString();
    }

    /** The one value of label {@code key} on the pods of {@code app}. */
    private static String onlyHash(JsonNode list, String app, String key) {
        List<String> hashes = new ArrayList<>();
        list.path("items").forEach(p -> {
            if (app.equals(p.path("metadata").path("labels").path("app").asText())) {
                String h = p.path("metadata").path("labels").path(key).asText();
                if (!hashes.contains(h)) {
                    hashes.add(h);
                }
            }
        });
        if (hashes.size() != 1) {
            throw new AssertionError("pods of " + app + " of other than one " + key + " after the first rollout: " + hashes);
        }
        return hashes.get(0);
    }

    // ---- API helpers ----------------------------------------------------------------------------

    private String lease() {
        JsonNode spec = api.getJson(LEASE).path("spec");
        return spec.path("holderIdentity").asText() + " acquired " + spec.path("acquireTime").asText()
                + " transitions " + spec.path("leaseTransitions").asInt(0);
    }

    private String leaseHolder() {
        try {
            HttpResponse<String> r = api.get(LEASE);
            return r.statusCode() == 200 ? ApiClient.parse(r.body()).path("spec").path("holderIdentity").asText("") : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private String createNode(String name) {
        ObjectNode node = ApiClient.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Node");
        node.putObject("metadata").put("name", name).putObject("labels").put("kubernetes.io/hostname", name);
        ObjectNode status = node.putObject("status");
        for (String field : List.of("capacity", "allocatable")) {
            status.putObject(field).put("cpu", "4").put("memory", "8Gi").put("pods", "110");
        }
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        status.putArray("conditions").addObject().put("type", "Ready").put("status", "True")
                .put("reason", "KubeletReady").put("message", "a test node: the test plays its kubelet")
                .put("lastHeartbeatTime", now).put("lastTransitionTime", now);
        create("/api/v1/nodes", node.toString());
        return name;
    }

    private void create(String path, String json) {
        try {
            HttpResponse<String> r = api.post(path, json);
            if (r.statusCode() != 201) {
                throw new AssertionError("POST " + path + ": " + r.statusCode() + " " + r.body());
            }
        } catch (IOException e) {
            throw new AssertionError("POST " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private void patch(String path, String mergePatch) {
        try {
            HttpResponse<String> r = api.send("PATCH", path, "application/merge-patch+json", mergePatch);
            if (r.statusCode() != 200) {
                throw new AssertionError("PATCH " + path + ": " + r.statusCode() + " " + r.body());
            }
        } catch (IOException e) {
            throw new AssertionError("PATCH " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---- report ---------------------------------------------------------------------------------

    private synchronized void note(String what) {
        timeline.add(String.format("%7d ms  %s", (System.nanoTime() - started) / 1_000_000, what));
    }

    private void check(boolean ok, String problem) {
        if (!ok) {
            problem(problem);
        }
    }

    private synchronized void problem(String problem) {
        problems.add(problem);
        note("PROBLEM: " + problem);
    }

    private static boolean active(JsonNode pod) {
        String phase = pod.path("status").path("phase").asText("");
        return !pod.path("metadata").hasNonNull("deletionTimestamp") && !phase.equals("Succeeded")
                && !phase.equals("Failed");
    }

    private static boolean ready(JsonNode pod) {
        for (JsonNode c : pod.path("status").path("conditions")) {
            if (c.path("type").asText().equals("Ready")) {
                return c.path("status").asText().equals("True");
            }
        }
        return false;
    }

    private static String app(JsonNode pod) {
        return pod.path("metadata").path("labels").path("app").asText();
    }

    private static String image(JsonNode pod) {
        return pod.path("spec").path("containers").path(0).path("image").asText();
    }

    /**
     * The kubelet of the test's nodes, by polling: binds the pods of the test's scheduler round
     * robin, makes them Running (and Ready while auto-ready is on), and completes graceful
     * deletions at once.
     */
    static final class FakeKubelet implements AutoCloseable {
        private final ApiClient api;
        private final List<String> nodes;
        private final AtomicInteger next = new AtomicInteger();
        private final List<String> problems = new ArrayList<>();
        private final Thread thread;
        private volatile boolean autoReady = true;
        private volatile boolean closed;
        private volatile JsonNode last = ApiClient.JSON.createObjectNode();

        FakeKubelet(ApiClient api, List<String> nodes) {
            this.api = api;
            this.nodes = List.copyOf(nodes);
            this.thread = Thread.ofVirtual().name("itest-fake-kubelet").unstarted(this::loop);
        }

        void start() {
            thread.start();
        }

        void autoReady(boolean on) {
            autoReady = on;
        }

        private void loop() {
            while (!closed) {
                try {
                    HttpResponse<String> r = api.get(PODS);
                    if (r.statusCode() == 200) {
                        JsonNode list = ApiClient.parse(r.body());
                        last = list;
                        for (JsonNode pod : list.path("items")) {
                            step(pod);
                        }
                    }
                } catch (IOException e) {
                    // Retried at the next round.
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Thread.sleep(50); // the kubelet's poll period: pacing, not synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void step(JsonNode pod) throws IOException, InterruptedException {
            if (!SCHEDULER.equals(pod.path("spec").path("schedulerName").asText())) {
                return;
            }
            JsonNode meta = pod.path("metadata");
            String name = meta.path("name").asText();
            String path = PODS + "/" + name;
            if (meta.hasNonNull("deletionTimestamp")) {
                expect(api.send("DELETE", path, "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\","
                        + "\"gracePeriodSeconds\":0,\"preconditions\":{\"uid\":\"" + meta.path("uid").asText() + "\"}}"),
                        "delete " + name, 200, 404, 409);
                return;
            }
            String nodeName = pod.path("spec").path("nodeName").asText("");
            if (nodeName.isEmpty()) {
                String node = nodes.get(Math.floorMod(next.getAndIncrement(), nodes.size()));
                expect(api.post(path + "/binding", "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\""
                        + name + "\",\"uid\":\"" + meta.path("uid").asText() + "\"},\"target\":{\"apiVersion\":\"v1\","
                        + "\"kind\":\"Node\",\"name\":\"" + node + "\"}}"), "bind " + name, 201, 200, 404, 409);
                return;
            }
            String phase = pod.path("status").path("phase").asText("");
            if (phase.equals("Succeeded") || phase.equals("Failed")) {
                return;
            }
            boolean running = phase.equals("Running");
            if (app(pod).equals("batch")) {
                // Job pods run until the test finishes them (or, with auto-ready, at once).
                if (!running) {
                    putStatus(pod, false);
                } else if (autoReady) {
                    finish(pod);
                }
                return;
            }
            if (!running || (autoReady && !ready(pod))) {
                putStatus(pod, autoReady || (running && ready(pod)));
            }
        }

        /** Succeeded: its container exited 0. */
        private void finish(JsonNode pod) throws IOException, InterruptedException {
            ObjectNode next = pod.deepCopy();
            String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            String name = pod.path("metadata").path("name").asText();
            ObjectNode status = next.withObjectProperty("status");
            status.put("phase", "Succeeded");
            for (JsonNode c : status.withArray("conditions")) {
                if (c.path("type").asText().equals("Ready") || c.path("type").asText().equals("ContainersReady")) {
                    ((ObjectNode) c).put("status", "False").put("reason", "PodCompleted").put("lastTransitionTime", now);
                }
            }
            for (JsonNode c : status.withArray("containerStatuses")) {
                ObjectNode state = ((ObjectNode) c).put("ready", false).put("started", false).putObject("state");
                state.putObject("terminated").put("exitCode", 0).put("reason", "Completed").put("startedAt", now)
                        .put("finishedAt", now);
            }
            expect(api.send("PUT", PODS + "/" + name + "/status", "application/json", next.toString()),
                    "finish " + name, 200, 404, 409);
        }

        /** Finishes one running Job pod (by the test, during the rollout); returns its name, or null if none runs. */
        String finishOne() {
            for (JsonNode pod : fresh().path("items")) {
                if (app(pod).equals("batch") && active(pod) && pod.path("status").path("phase").asText().equals("Running")) {
                    try {
                        finish(pod);
                    } catch (IOException e) {
                        return null;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError(e);
                    }
                    return pod.path("metadata").path("name").asText();
                }
            }
            return null;
        }

        /** Running Job pods. */
        int running(String app) {
            int n = 0;
            for (JsonNode pod : fresh().path("items")) {
                n += app(pod).equals(app) && active(pod) && pod.path("status").path("phase").asText().equals("Running")
                        ? 1 : 0;
            }
            return n;
        }

        /** Running, with Ready as given. */
        private void putStatus(JsonNode pod, boolean readyNow) throws IOException, InterruptedException {
            ObjectNode next = pod.deepCopy();
            String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            ObjectNode status = next.putObject("status");
            String name = pod.path("metadata").path("name").asText();
            status.put("phase", "Running").put("hostIP", "10.0.0.1").put("podIP", "10.244.0." + (name.hashCode() & 0x7f))
                    .put("startTime", pod.path("status").path("startTime").asText(now));
            ArrayNode conditions = status.putArray("conditions");
            for (String type : new String[] {"PodScheduled", "Initialized", "ContainersReady", "Ready"}) {
                boolean up = readyNow || type.equals("PodScheduled") || type.equals("Initialized");
                conditions.addObject().put("type", type).put("status", up ? "True" : "False").put("lastTransitionTime", now);
            }
            ObjectNode c = status.putArray("containerStatuses").addObject().put("name", "main").put("image", image(pod))
                    .put("imageID", "fake://" + image(pod)).put("ready", readyNow).put("started", true)
                    .put("restartCount", 0);
            c.putObject("state").putObject("running").put("startedAt", now);
            expect(api.send("PUT", PODS + "/" + name + "/status", "application/json", next.toString()),
                    "status of " + name, 200, 404, 409);
        }

        /** Readies one pod (by the test, during the rollout); retried on conflict. */
        void makeReady(String name) {
            Await.until(STEP_TIMEOUT, () -> {
                try {
                    HttpResponse<String> r = api.get(PODS + "/" + name);
                    if (r.statusCode() != 200) {
                        return "GET pod " + name + ": " + r.statusCode();
                    }
                    JsonNode pod = ApiClient.parse(r.body());
                    ObjectNode next = pod.deepCopy();
                    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
                    for (JsonNode c : next.withArray("/status/conditions")) {
                        if (c.path("type").asText().equals("Ready") || c.path("type").asText().equals("ContainersReady")) {
                            ((ObjectNode) c).put("status", "True").put("lastTransitionTime", now);
                        }
                    }
                    for (JsonNode c : next.withArray("/status/containerStatuses")) {
                        ((ObjectNode) c).put("ready", true);
                    }
                    HttpResponse<String> put = api.send("PUT", PODS + "/" + name + "/status", "application/json",
                            next.toString());
                    return put.statusCode() == 200 ? null : "ready " + name + ": " + put.statusCode() + " " + put.body();
                } catch (IOException e) {
                    return "ready " + name + ": " + e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            });
        }

        /** Running, unready, active pods of {@code app} with this image. */
        List<String> unready(String app, String image) {
            List<String> out = new ArrayList<>();
            for (JsonNode pod : fresh().path("items")) {
                if (active(pod) && app(pod).equals(app) && image(pod).equals(image) && !ready(pod)
                        && pod.path("status").path("phase").asText().equals("Running")) {
                    out.add(pod.path("metadata").path("name").asText());
                }
            }
            return out;
        }

        /** Pods now by "app image ready|unready|terminating". */
        Map<String, Integer> summary() {
            Map<String, Integer> out = new TreeMap<>();
            for (JsonNode pod : fresh().path("items")) {
                String state = pod.path("status").path("phase").asText().equals("Succeeded") ? "succeeded"
                        : !active(pod) ? "terminating" : app(pod).equals("batch") ? "running"
                        : ready(pod) ? "ready" : "unready";
                out.merge(app(pod) + " " + image(pod) + " " + state, 1, Integer::sum);
            }
            return out;
        }

        private JsonNode fresh() {
            return api.getJson(PODS);
        }

        private void expect(HttpResponse<String> r, String what, int... ok) {
            for (int code : ok) {
                if (r.statusCode() == code) {
                    return;
                }
            }
            synchronized (this) {
                if (problems.size() < 20) {
                    problems.add(what + ": " + r.statusCode() + " " + r.body().strip());
                }
            }
        }

        synchronized List<String> problems() {
            return List.copyOf(problems);
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.interrupt();
            thread.join(Duration.ofSeconds(10));
        }
    }

    /**
     * Watches the namespace's pods from a list and, after every event, counts each app's active
     * pods and available ones (Ready: minReadySeconds is 0) against its rollout's bounds; records
     * every pod ever seen (by uid) with its app, name and template hash or revision.
     */
    static final class RolloutWatcher {
        /** One pod ever seen. */
        record Seen(String app, String name, String hash) {}

        private final ApiClient api;
        private final HttpClient http = ApiClient.newHttpClient();
        /** App to {max active, min available}. */
        private final Map<String, int[]> bounds;
        private final Map<String, JsonNode> pods = new LinkedHashMap<>();
        private final Map<String, Seen> seen = new LinkedHashMap<>();
        private final Map<String, Integer> peakActive = new TreeMap<>();
        private final Map<String, Integer> lowAvailable = new TreeMap<>();
        private final List<String> problems = new ArrayList<>();
        private final Thread thread;
        private volatile long lastResourceVersion;
        private volatile boolean stopping;
        private int streams;

        RolloutWatcher(ApiClient api, JsonNode list, Map<String, int[]> bounds) {
            this.api = api;
            this.bounds = Map.copyOf(bounds);
            list.path("items").forEach(this::put);
            lastResourceVersion = ApiClient.resourceVersion(list);
            thread = new Thread(this::watch, "itest-rollout-watcher");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            stopping = true;
            http.shutdownNow();
            thread.join(10_000);
        }

        /** Waits until the watch has seen the namespace's pods as a list shows them now (same pods, same versions). */
        void awaitCaughtUp(Duration timeout) {
            Await.until(timeout, () -> {
                Map<String, Long> listed = new TreeMap<>();
                api.getJson(PODS).path("items").forEach(p -> listed.put(p.path("metadata").path("uid").asText(),
                        ApiClient.resourceVersion(p)));
                Map<String, Long> watched = new TreeMap<>();
                synchronized (this) {
                    pods.forEach((uid, p) -> watched.put(uid, ApiClient.resourceVersion(p)));
                }
                return listed.equals(watched) ? null : "the pod watch shows " + watched + ", the list " + listed;
            });
        }

        private void watch() {
            while (!stopping) {
                long from = lastResourceVersion;
                try {
                    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(api.uri(PODS
                            + "?watch=true&allowWatchBookmarks=true&resourceVersion=" + from))
                            .timeout(ApiClient.REQUEST_TIMEOUT).GET().header("Accept", "application/json").build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream in = r.body()) {
                        if (r.statusCode() != 200) {
                            problem("watch from " + from + ": " + r.statusCode() + " "
                                    + new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
                        } else {
                            synchronized (this) {
                                streams++;
                            }
                            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                                if (!line.isBlank()) {
                                    accept(ApiClient.parse(line));
                                }
                            }
                            continue;
                        }
                    }
                } catch (IOException e) {
                    if (stopping) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    problem("watch from " + from + ": " + e);
                }
                try {
                    Thread.sleep(50); // back-off before reconnecting: pacing
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private synchronized void accept(JsonNode event) {
            String type = event.path("type").asText();
            JsonNode object = event.path("object");
            switch (type) {
                case "ADDED", "MODIFIED" -> put(object);
                case "DELETED" -> pods.remove(object.path("metadata").path("uid").asText());
                case "BOOKMARK" -> { }
                default -> {
                    problem("watch event " + type + ": " + object);
                    return;
                }
            }
            lastResourceVersion = ApiClient.resourceVersion(object);
            if (!type.equals("BOOKMARK")) {
                check(type + " " + object.path("metadata").path("name").asText());
            }
        }

        private synchronized void put(JsonNode pod) {
            String uid = pod.path("metadata").path("uid").asText();
            pods.put(uid, pod);
            JsonNode labels = pod.path("metadata").path("labels");
            String hash = labels.has("pod-template-hash") ? labels.path("pod-template-hash").asText()
                    : labels.path("controller-revision-hash").asText();
            seen.putIfAbsent(uid, new Seen(app(pod), pod.path("metadata").path("name").asText(), hash));
        }

        private void check(String after) {
            bounds.forEach((app, bound) -> {
                Predicate<JsonNode> mine = p -> app.equals(app(p)) && active(p);
                int active = (int) pods.values().stream().filter(mine).count();
                int available = (int) pods.values().stream().filter(mine.and(ControllersHotSwapTest::ready)).count();
                peakActive.merge(app, active, Math::max);
                lowAvailable.merge(app, available, Math::min);
                if (active > bound[0]) {
                    problem("after " + after + ": " + active + " active " + app + " pods > " + bound[0]);
                }
                if (available < bound[1]) {
                    problem("after " + after + ": " + available + " available " + app + " pods < " + bound[1]);
                }
            });
        }

        /** The pods of {@code app} ever seen, counted by template hash or revision. */
        synchronized Map<String, Integer> seenBy(String app) {
            Map<String, Integer> out = new TreeMap<>();
            seen.values().stream().filter(s -> s.app().equals(app)).forEach(s -> out.merge(s.hash(), 1, Integer::sum));
            return out;
        }

        /** The pods of {@code app} ever seen: by name, the revision of each pod of that name in order. */
        synchronized Map<String, List<String>> namesSeen(String app) {
            Map<String, List<String>> out = new TreeMap<>();
            seen.values().stream().filter(s -> s.app().equals(app))
                    .forEach(s -> out.computeIfAbsent(s.name(), n -> new ArrayList<>()).add(s.hash()));
            return out;
        }

        synchronized Map<String, Integer> peakActive() {
            return Map.copyOf(peakActive);
        }

        synchronized Map<String, Integer> lowAvailable() {
            return Map.copyOf(lowAvailable);
        }

        synchronized int streams() {
            return streams;
        }

        synchronized List<String> problems() {
            return List.copyOf(problems);
        }

        private synchronized void problem(String p) {
            if (problems.size() < 50) {
                problems.add(p);
            }
        }
    }
}
