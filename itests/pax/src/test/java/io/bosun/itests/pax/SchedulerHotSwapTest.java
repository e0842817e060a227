package io.bosun.itests.pax;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.Version;
import org.osgi.framework.dto.ServiceReferenceDTO;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.SatisfiedReferenceDTO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The scheduler's hot-swap promise (issue 3), in the assembled runtime's bundles: while a pod
 * stream runs at a steady rate against four Node objects (4 cpu / 8Gi, two zones; no kubelet: the
 * scheduler only binds),
 * <ol>
 * <li>the default profile's policy goes default → {@code spread} through ConfigAdmin (PID
 * {@code io.bosun.scheduler}) → {@code binpack} through the ConfigMap
 * {@code kube-system/bosun-scheduler-profiles} → {@code spread} through the same ConfigMap;</li>
 * <li>under binpack, the NodeResourcesFit bundle is updated in place ({@link Bundle#update} from a
 * copy of its jar with another version);</li>
 * <li>under the second spread, the ImageLocality system bundle is uninstalled (its pods then wait
 * with the documented {@code FailedScheduling} event and {@code PodScheduled=False} condition,
 * reason {@code SchedulerError}, and the status ConfigMap and metrics say the profile is not ready)
 * and reinstalled the operator's way, by copying its jar into the instance's {@code plugins/}
 * folder (FileInstall); then updated there in place by copying a new version over that jar.</li>
 * </ol>
 * Each change is known to have taken effect from the status ConfigMap ({@code status.json}: a new
 * generation with the expected policy, source, weights and plugins); pods carry the phase they were
 * created in and a phase ends only once all its pods are bound, so each pod's placement is judged
 * against the one policy that placed it. Checks: every pod is bound exactly once (the watch sees
 * one node name per pod, set once; one {@code Scheduled} event each; the scheduled-attempts metric
 * grew by the number of pods; no binding conflict); no pod is left pending; placements follow the
 * policy (binpack: all of a phase's pods on the most allocated node; spread: every node that got a
 * pod was, up to the in-flight pods, the least loaded — a water-filling); and nothing restarted: no
 * other bundle changed or got a lifecycle event, the scheduler kept its Lease identity, component
 * and scheduling-loop thread, the store service and the API server's binding to it stayed.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SchedulerHotSwapTest {

    private static final String NS = "sched-hotswap";
    private static final String POOL_LABEL = "bosun.itest/pool";
    private static final String POOL = "sched-hotswap";
    private static final int NODES = 4;
    /** ~12 pods/s. */
    private static final Duration PERIOD = Duration.ofMillis(80);
    /**
     * 50m / 100Mi of 4 cpu / 8Gi: 80 pods fill a node (the test places about 250 in all, the
     * binpacked node gets about 55), and one pod more or less always moves a node's
     * LeastAllocated/MostAllocated score by at least one point, so the policies never tie nodes with
     * different loads.
     */
    private static final String REQUESTS = "\"cpu\":\"50m\",\"memory\":\"100Mi\"";

    private static final String SCHEDULER_BUNDLE = "io.bosun.scheduler";
    private static final String SCHEDULER_COMPONENT = "io.bosun.scheduler.runtime.SchedulerComponent";
    private static final String SCHEDULER_PID = "io.bosun.scheduler";
    private static final String PROFILE = "default-scheduler";
    private static final String FIT_BUNDLE = "io.bosun.scheduler.plugins.noderesourcesfit";
    private static final String LOCALITY_BUNDLE = "io.bosun.scheduler.plugins.imagelocality";
    private static final String PLUGIN_FACTORY = "io.bosun.scheduler.spi.PluginFactory";
    private static final String PROFILES_CM = "/api/v1/namespaces/kube-system/configmaps/bosun-scheduler-profiles";
    private static final String STATUS_CM = "/api/v1/namespaces/kube-system/configmaps/bosun-scheduler";
    private static final String LEASE = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/bosun-scheduler";
    private static final String MISSING = "plugin ImageLocality of profile default-scheduler is not installed";
    /** The plugins of the built-in policies: all must be back, once each, at the end. */
    private static final List<String> PLUGINS = List.of("SchedulingGates", "PrioritySort", "NodeUnschedulable",
            "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit", "PodTopologySpread",
            "InterPodAffinity", "DefaultPreemption", "NodeResourcesBalancedAllocation", "ImageLocality",
            "DefaultBinder");

    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(30);
    /** A configuration or plugin change showing in the status ConfigMap. */
    private static final Duration SWAP_TIMEOUT = Duration.ofSeconds(10);
    /** Pods bound after their phase, or after a missing plugin is back. */
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
    /** FileInstall polls plugins/ every second and waits for a file to settle. */
    private static final Duration FILEINSTALL_TIMEOUT = Duration.ofSeconds(20);

    private BundleContext context;
    private ApiClient api;
    private PodStream stream;
    private PodWatcher watcher;
    private NodeLeases leases;
    private final long started = System.nanoTime();
    private final List<String> timeline = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    @Before
    public void probeContext() {
        context = FrameworkUtil.getBundle(SchedulerHotSwapTest.class).getBundleContext();
    }

    @org.ops4j.pax.exam.Configuration // fully qualified: ConfigAdmin's Configuration is imported
    public Option[] config() {
        return options(composite(RuntimeOptions.fromSystemProperties()), junitBundles());
    }

    @Test
    public void policySwapsAndPluginChurnUnderAPodStreamBindEveryPodOnceAndRestartNothing() throws Exception {
        api = new ApiClient(context);
        try {
            run();
        } finally {
            try {
                if (stream != null) {
                    stream.stop();
                }
            } finally {
                if (watcher != null) {
                    watcher.stop();
                }
                if (leases != null) {
                    leases.close();
                }
                System.err.println("SchedulerHotSwapTest timeline:\n" + timeline()
                        + (problems.isEmpty() ? "" : "\nproblems:\n  " + String.join("\n  ", problems)));
                api.close();
            }
        }
        assertNoProblems();
    }

    private void run() throws Exception {
        Await.until(BOOT_TIMEOUT, api::notReady);
        JsonNode initial = awaitStatus("the scheduler's first status", BOOT_TIMEOUT,
                s -> s != null && s.path("installedPlugins").size() >= PLUGINS.size()
                        && profile(s).path("ready").asBoolean() ? null : "status " + s);
        long generation = initial.path("generation").asLong();
        note("scheduler status: generation " + generation + ", policy " + profile(initial).path("policy").asText()
                + ", source " + initial.path("profilesSource").asText() + ", leader " + initial.path("leader").asText());

        createOrFail("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\""
                + NS + "\"}}");
        List<String> nodes = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            nodes.add(createNode("shs-node-" + i, i <= NODES / 2 ? "zone-a" : "zone-b"));
        }
        leases = new NodeLeases(api, nodes);
        note("created " + nodes + " (4 cpu, 8Gi, 110 pods each, Ready, Leases renewed every 5 s)");

        // What must not change.
        Bundle scheduler = Swaps.bundle(context, SCHEDULER_BUNDLE);
        Bundle fit = Swaps.bundle(context, FIT_BUNDLE);
        Bundle locality = Swaps.bundle(context, LOCALITY_BUNDLE);
        Map<Long, String> bundlesBefore = bundlesExcept(fit.getBundleId(), locality.getBundleId());
        // The leader writes its status as soon as it leads; its loop starts once its caches synced.
        Await.until(Duration.ofSeconds(30), () -> ThreadDump.named("bosun-scheduler-loop").isEmpty()
                ? "the scheduling loop thread has not started" : null);
        String leaseBefore = lease();
        Set<Long> loopBefore = ThreadDump.named("bosun-scheduler-loop").keySet();
        ComponentState componentBefore = schedulerComponent();
        long store = Swaps.serviceId(context, Swaps.STORE_SERVICE);
        long apiserverStore = Swaps.apiServerStoreBinding(context);
        assertEquals("one scheduling loop thread", 1, loopBefore.size());
        assertTrue("no store service", store >= 0);
        assertEquals("the API server's store", store, apiserverStore);
        note("baseline: scheduler bundle " + scheduler.getBundleId() + " modified " + scheduler.getLastModified()
                + ", component " + componentBefore + ", loop thread " + loopBefore + ", lease " + leaseBefore);
        double scheduledBefore = metric(metrics(), "scheduler_schedule_attempts_total",
                Map.of("result", "scheduled", "profile", PROFILE), 0);

        long listRv = ApiClient.resourceVersion(api.getJson("/api/v1/namespaces/" + NS + "/pods"));
        watcher = new PodWatcher(api, NS, listRv);
        watcher.start();
        Await.until(SWAP_TIMEOUT, () -> watcher.streams() > 0 ? null : "the pod watch did not open");
        stream = new PodStream(api, NS, new String[] {POOL_LABEL, POOL}, REQUESTS, PERIOD, "default");

        try (BundleEvents events = new BundleEvents(context)) {
            stream.start();
            note("pod stream started (one pod every " + PERIOD.toMillis() + " ms), phase default");
            awaitBound("default", 8);

            // 1. default -> spread, through ConfigAdmin.
            endPhase("to-spread", "default");
            updateConfigAdminProfiles("[{\"schedulerName\": \"" + PROFILE + "\", \"policy\": \"spread\"}]");
            generation = awaitPolicy("spread", "configadmin", generation);
            stream.phase("spread-1");
            awaitBound("spread-1", 40);
            Snapshot afterSpread1 = endPhase("to-binpack", "spread-1");
            checkSpread("spread-1 (ConfigAdmin)", afterSpread1, names("spread-1"));

            // 2. spread -> binpack, through the ConfigMap; NodeResourcesFit updated in place meanwhile.
            createOrFail("/api/v1/namespaces/kube-system/configmaps", configMap("binpack"));
            generation = awaitPolicy("binpack", "configmap", generation);
            stream.phase("binpack");
            awaitBound("binpack", 15);
            generation = updateFitInPlace(fit, generation);
            stream.phase("binpack-updated");
            awaitBound("binpack-updated", 15);
            Snapshot afterBinpack = endPhase("to-spread-2", "binpack", "binpack-updating", "binpack-updated");
            checkBinpack("binpack (ConfigMap; NodeResourcesFit updated in place)", afterBinpack,
                    names("binpack", "binpack-updating", "binpack-updated"));

            // 3. binpack -> spread, through the ConfigMap; ImageLocality uninstalled, then back from plugins/.
            replaceOrFail(PROFILES_CM, configMap("spread"));
            generation = awaitPolicy("spread", "configmap", generation);
            stream.phase("spread-2");
            awaitBound("spread-2", 20);
            generation = uninstallAndReinstallLocality(locality, generation);
            stream.phase("spread-2-resumed");
            awaitBound("spread-2-resumed", 15);
            generation = updateLocalityInPlugins(generation);
            stream.phase("spread-2-updated");
            awaitBound("spread-2-updated", 15);

            stream.stop();
            note("pod stream stopped: " + stream.count() + " pods created");
            Await.until(BIND_TIMEOUT.multipliedBy(2), () -> {
                int bound = watcher.boundCount();
                return bound >= stream.count() ? null
                        : "pending pods after the stream ended: " + (stream.count() - bound) + " of " + stream.count()
                                + " not bound: " + unboundNames(stream.created());
            });
            note("every pod is bound");
            Snapshot last = snapshot();
            checkSpread("spread-2 (ConfigMap; ImageLocality uninstalled and reinstalled)", last,
                    names("spread-2", "il-removing", "il-missing", "il-reinstalling", "spread-2-resumed",
                            "il-updating", "spread-2-updated"));

            // Every pod bound exactly once.
            checkBoundOnce(last, nodes, scheduledBefore);

            // All plugins back, once each; the profile as last configured.
            JsonNode end = status();
            Map<String, Integer> installed = new TreeMap<>();
            end.path("installedPlugins").fields().forEachRemaining(e -> installed.put(e.getKey(), e.getValue().asInt()));
            for (String plugin : PLUGINS) {
                check(Integer.valueOf(1).equals(installed.get(plugin)),
                        "at the end, plugin " + plugin + " is registered " + installed.get(plugin) + " times: " + installed);
            }
            check(profile(end).path("ready").asBoolean() && "spread".equals(profile(end).path("policy").asText()),
                    "at the end, the profile is " + profile(end));

            // Nothing restarted.
            events.close();
            List<String> otherEvents = events.events().stream().filter(e -> !e.contains(" " + FIT_BUNDLE + " ")
                    && !e.contains(" " + LOCALITY_BUNDLE + " ")).toList();
            check(otherEvents.isEmpty(), "lifecycle events of bundles other than the swapped plugins: " + otherEvents);
            note("bundle events: " + events.events());
            Bundle newLocality = Swaps.bundle(context, LOCALITY_BUNDLE);
            String changed = Swaps.difference(bundlesBefore, bundlesExcept(fit.getBundleId(),
                    newLocality.getBundleId()));
            check(changed == null, "bundles other than the swapped plugins changed: " + changed);
            check(scheduler.getState() == Bundle.ACTIVE, "the scheduler bundle is in state " + scheduler.getState());
            String leaseAfter = lease();
            check(leaseBefore.equals(leaseAfter), "the scheduler's Lease changed hands or was re-acquired: "
                    + leaseBefore + " -> " + leaseAfter);
            check(initial.path("leader").asText().equals(end.path("leader").asText()),
                    "the status was written by another scheduler identity: " + initial.path("leader") + " -> "
                            + end.path("leader"));
            Set<Long> loopAfter = ThreadDump.named("bosun-scheduler-loop").keySet();
            check(loopBefore.equals(loopAfter), "the scheduling loop thread changed (engine restarted): "
                    + loopBefore + " -> " + loopAfter);
            ComponentState componentAfter = schedulerComponent();
            check(componentBefore.id() == componentAfter.id() && componentBefore.apiClient() == componentAfter.apiClient(),
                    "the scheduler component changed: " + componentBefore + " -> " + componentAfter);
            check(Swaps.serviceId(context, Swaps.STORE_SERVICE) == store, "the store service changed");
            check(Swaps.apiServerStoreBinding(context) == store, "the API server component is no longer on store "
                    + store + " (now " + Swaps.apiServerStoreBinding(context) + ")");
            check(api.notReady() == null, "the API server is not ready at the end: " + api.notReady());
            note("nothing else restarted: bundles, Lease " + leaseAfter + ", loop thread " + loopAfter + ", component "
                    + componentAfter + ", store service " + store);
        }
        check(stream.unexpected().isEmpty(), "pod creates failed: " + stream.unexpected());
        check(leases.problems().isEmpty(), "node Lease renewals: " + leases.problems());
        for (String node : nodes) {
            JsonNode taints = api.getJson("/api/v1/nodes/" + node).path("spec").path("taints");
            check(taints.isMissingNode() || taints.isEmpty(), "node " + node + " has taints " + taints);
        }
        check(watcher.problems().isEmpty(), "pod watch: " + watcher.problems());
    }

    // ---- phases ---------------------------------------------------------------------------------

    /**
     * Starts phase {@code next} for new pods, waits until every pod of {@code ended} is bound and
     * returns the placements then: the pods that the ended phase's policy placed are all in it.
     */
    private Snapshot endPhase(String next, String... ended) {
        stream.phase(next);
        Await.until(BIND_TIMEOUT, () -> {
            List<String> unbound = unboundNames(stream.in(ended));
            return unbound.isEmpty() ? null : "pods of " + Arrays.toString(ended) + " not bound: " + unbound;
        });
        Snapshot s = snapshot();
        note("phase " + Arrays.toString(ended) + " ended with " + stream.in(ended).size() + " pods; loads " + s.counts()
                + (s.unbound() > 0 ? ", " + s.unbound() + " newer pod(s) not bound yet" : ""));
        return s;
    }

    private void awaitBound(String phase, int count) {
        Await.until(BIND_TIMEOUT.multipliedBy(2), () -> {
            long bound = stream.in(phase).stream().filter(c -> watcher.nodeOf(c.name()) != null).count();
            return bound >= count ? null : "phase " + phase + ": " + bound + " of " + count + " pods bound so far ("
                    + stream.in(phase).size() + " created)";
        });
    }

    /** Every node that got one of {@code pods} was the least loaded, up to the pods not bound yet. */
    private void checkSpread(String what, Snapshot s, Set<String> pods) {
        Map<String, Integer> got = recipients(s, pods, what);
        int min = s.counts().values().stream().mapToInt(Integer::intValue).min().orElse(0);
        int slack = 1 + s.unbound();
        List<String> wrong = new ArrayList<>();
        got.keySet().forEach(node -> {
            if (s.counts().get(node) > min + slack) {
                wrong.add(node + " (" + s.counts().get(node) + " pods)");
            }
        });
        check(wrong.isEmpty(), what + ": under spread, pods went to " + wrong + " while another node has only " + min
                + " pods (a node that gets a pod must be the least loaded, +" + slack + "): phase pods per node " + got
                + ", loads " + s.counts());
        check(pods.size() < 8 || got.size() >= 2, what + ": " + pods.size() + " pods under spread all on " + got);
        note(what + ": " + pods.size() + " pods per node " + got + ", loads " + s.counts() + " -> spread "
                + (wrong.isEmpty() ? "ok" : "WRONG"));
    }

    /** All of {@code pods} on one node, the most loaded. */
    private void checkBinpack(String what, Snapshot s, Set<String> pods) {
        Map<String, Integer> got = recipients(s, pods, what);
        int max = s.counts().values().stream().mapToInt(Integer::intValue).max().orElse(0);
        boolean ok = got.size() == 1 && s.counts().get(got.keySet().iterator().next()) == max;
        check(ok, what + ": under binpack, " + pods.size() + " pods went to " + got + " (all on the most allocated node"
                + " expected), loads " + s.counts());
        note(what + ": " + pods.size() + " pods per node " + got + ", loads " + s.counts() + " -> binpack "
                + (ok ? "ok" : "WRONG"));
    }

    private Map<String, Integer> recipients(Snapshot s, Set<String> pods, String what) {
        Map<String, Integer> got = new TreeMap<>();
        for (String pod : pods) {
            String node = s.nodeOf().get(pod);
            if (node == null || node.isEmpty()) {
                problem(what + ": pod " + pod + " not bound in the snapshot");
            } else {
                got.merge(node, 1, Integer::sum);
            }
        }
        return got;
    }

    private Set<String> names(String... phases) {
        return stream.in(phases).stream().map(PodStream.Created::name).collect(Collectors.toSet());
    }

    private List<String> unboundNames(List<PodStream.Created> pods) {
        return pods.stream().map(PodStream.Created::name).filter(n -> watcher.nodeOf(n) == null).limit(20).toList();
    }

    /** The placement of every pod of the namespace, and the load of each test node. */
    record Snapshot(Map<String, String> nodeOf, Map<String, Integer> counts, int unbound) {
    }

    private Snapshot snapshot() {
        JsonNode list = api.getJson("/api/v1/namespaces/" + NS + "/pods");
        Map<String, String> nodeOf = new LinkedHashMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 1; i <= NODES; i++) {
            counts.put("shs-node-" + i, 0);
        }
        int unbound = 0;
        for (JsonNode pod : list.path("items")) {
            String node = pod.path("spec").path("nodeName").asText("");
            nodeOf.put(pod.path("metadata").path("name").asText(), node);
            if (node.isEmpty()) {
                unbound++;
            } else if (counts.containsKey(node)) {
                counts.merge(node, 1, Integer::sum);
            } else {
                problem("pod " + pod.path("metadata").path("name").asText() + " bound to " + node
                        + ", not a test node (its node selector asks for " + POOL_LABEL + "=" + POOL + ")");
            }
        }
        return new Snapshot(nodeOf, counts, unbound);
    }

    // ---- the swaps ------------------------------------------------------------------------------

    private void updateConfigAdminProfiles(String profiles) throws IOException, InvalidSyntaxException {
        ConfigurationAdmin configAdmin = service(ConfigurationAdmin.class);
        Configuration[] found = configAdmin.listConfigurations("(" + Constants.SERVICE_PID + "=" + SCHEDULER_PID + ")");
        assertNotNull("no configuration " + SCHEDULER_PID + " (the runtime's etc/ has one)", found);
        Dictionary<String, Object> properties = found[0].getProperties();
        properties.put("profiles", profiles);
        found[0].update(properties);
        note("ConfigAdmin " + SCHEDULER_PID + " profiles = " + profiles);
    }

    private static String configMap(String policy) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bosun-scheduler-profiles\","
                + "\"namespace\":\"kube-system\"},\"data\":{\"profiles\":\"- schedulerName: " + PROFILE
                + "\\n  policy: " + policy + "\\n\"}}";
    }

    /** Waits for a new generation of the profile on {@code policy} from {@code source}; returns it. */
    private long awaitPolicy(String policy, String source, long after) {
        int fitWeight = policy.equals("binpack") ? 5 : 3;
        String strategy = policy.equals("binpack") ? "MostAllocated" : "LeastAllocated";
        JsonNode s = awaitStatus("policy " + policy + " from " + source, SWAP_TIMEOUT, status -> {
            String problem = newGeneration(status, after);
            if (problem != null) {
                return problem;
            }
            JsonNode p = profile(status);
            if (!source.equals(status.path("profilesSource").asText()) || !policy.equals(p.path("policy").asText())) {
                return "profiles from " + status.path("profilesSource") + ", policy " + p.path("policy");
            }
            if (!p.path("ready").asBoolean()) {
                return "profile not ready: " + p.path("problems");
            }
            int weight = scoreWeight(p, "NodeResourcesFit");
            String type = p.path("pluginConfig").path("NodeResourcesFit").path("scoringStrategy").path("type").asText();
            int balanced = scoreWeight(p, "NodeResourcesBalancedAllocation");
            if (weight != fitWeight || !strategy.equals(type) || (policy.equals("binpack") != (balanced < 0))) {
                return "NodeResourcesFit weight " + weight + " " + type + ", balanced allocation weight " + balanced;
            }
            return null;
        });
        long g = s.path("generation").asLong();
        note("policy " + policy + " in effect (status generation " + g + ", source " + source + ", NodeResourcesFit "
                + strategy + " weight " + fitWeight + ")");
        return g;
    }

    /**
     * Updates NodeResourcesFit in place from a copy of its jar with another version; waits until its
     * new factory is the one the scheduler component holds and a new ready generation is out.
     */
    private long updateFitInPlace(Bundle fit, long after) throws Exception {
        long oldFactory = factoryService("NodeResourcesFit");
        Version next = Swaps.nextVersion(fit.getVersion(), "hotswap");
        byte[] jar = Swaps.withVersionSuffix(fit, "hotswap");
        stream.phase("binpack-updating");
        long start = System.nanoTime();
        fit.update(new ByteArrayInputStream(jar));
        note("updated " + FIT_BUNDLE + " in place to " + next + " in " + millis(start) + " ms");
        check(fit.getState() == Bundle.ACTIVE && next.equals(fit.getVersion()),
                FIT_BUNDLE + " after the update: state " + fit.getState() + ", version " + fit.getVersion());
        long[] newFactory = {-1};
        Await.until(SWAP_TIMEOUT, () -> {
            long id = factoryService("NodeResourcesFit");
            if (id < 0 || id == oldFactory) {
                return "no new NodeResourcesFit factory service (old " + oldFactory + ", now " + id + ")";
            }
            newFactory[0] = id;
            Set<Long> bound = schedulerComponent().factories();
            return bound.contains(id) && !bound.contains(oldFactory) ? null
                    : "the scheduler component holds factories " + bound + ", not the new " + id + " alone";
        });
        JsonNode s = awaitStatus("NodeResourcesFit back after its update", SWAP_TIMEOUT, status -> {
            String problem = newGeneration(status, after);
            if (problem != null) {
                return problem;
            }
            JsonNode p = profile(status);
            return p.path("ready").asBoolean() && "binpack".equals(p.path("policy").asText())
                    && scoreWeight(p, "NodeResourcesFit") == 5 ? null : "profile " + p;
        });
        long g = s.path("generation").asLong();
        note("the scheduler holds the new NodeResourcesFit factory (service " + newFactory[0] + ", was " + oldFactory
                + "); generation " + g + ", ready, binpack, " + millis(start) + " ms after the update began");
        return g;
    }

    /**
     * Uninstalls the ImageLocality system bundle; checks that the profile's new pods wait with the
     * documented event and condition and that status and metrics say why; copies the jar into
     * plugins/ and waits for the waiting pods to be bound.
     */
    private long uninstallAndReinstallLocality(Bundle locality, long after) throws Exception {
        byte[] jar;
        try (InputStream in = URI.create(locality.getLocation()).toURL().openStream()) {
            jar = in.readAllBytes();
        }
        stream.phase("il-removing");
        long start = System.nanoTime();
        locality.uninstall();
        note("uninstalled " + LOCALITY_BUNDLE + " (bundle " + locality.getBundleId() + ")");
        JsonNode waiting = awaitStatus("the profile waiting for ImageLocality", SWAP_TIMEOUT, status -> {
            String problem = newGeneration(status, after);
            if (problem != null) {
                return problem;
            }
            JsonNode p = profile(status);
            List<String> ps = new ArrayList<>();
            p.path("problems").forEach(x -> ps.add(x.asText()));
            return !p.path("ready").asBoolean() && ps.contains(MISSING) && !status.path("installedPlugins")
                    .has("ImageLocality") ? null : "profile " + p.path("ready") + " " + ps + ", installed "
                            + status.path("installedPlugins");
        });
        long gWaiting = waiting.path("generation").asLong();
        stream.phase("il-missing");
        note("status generation " + gWaiting + ": profile not ready, problems " + profile(waiting).path("problems")
                + " (" + millis(start) + " ms after the uninstall)");

        // The pods created from now on wait, each with the documented condition and event.
        Await.until(BIND_TIMEOUT, () -> {
            int created = stream.in("il-missing").size();
            return created >= 6 ? null : created + " pods created while ImageLocality is missing, waiting for 6";
        });
        Set<String> sample = names("il-missing");
        Await.until(BIND_TIMEOUT, () -> {
            for (String name : sample) {
                JsonNode pod = api.getJson("/api/v1/namespaces/" + NS + "/pods/" + name);
                String condition = condition(pod, "PodScheduled");
                if (condition == null) {
                    return name + " has no PodScheduled condition yet";
                }
                if (!condition.equals("False SchedulerError " + MISSING)) {
                    return name + ": PodScheduled " + condition;
                }
            }
            return null;
        });
        double ready = metric(metrics(), "bosun_scheduler_profile_ready", Map.of("profile", PROFILE), Double.NaN);
        check(ready == 0, "bosun_scheduler_profile_ready{profile=" + PROFILE + "} is " + ready
                + " while ImageLocality is missing");
        Await.until(BIND_TIMEOUT, () -> {
            Map<String, Integer> e = events("FailedScheduling", MISSING);
            return e.keySet().containsAll(sample) ? null : "FailedScheduling events \"" + MISSING + "\" for "
                    + e.keySet().stream().filter(sample::contains).count() + " of " + sample.size() + " waiting pods";
        });
        note(sample.size() + " pods created while the plugin is missing wait with PodScheduled=False SchedulerError \""
                + MISSING + "\" and a FailedScheduling event each; profile_ready metric " + ready);

        // The operator's way back: the jar into plugins/.
        stream.phase("il-reinstalling");
        Set<String> waitingPods = names("il-missing");
        List<String> boundMeanwhile = waitingPods.stream().filter(p -> watcher.nodeOf(p) != null).toList();
        check(boundMeanwhile.isEmpty(), "pods were bound while their profile missed ImageLocality: " + boundMeanwhile);
        Path target = Path.of(context.getProperty("bosun.instance"), "plugins",
                "bosun-scheduler-plugin-image-locality.jar");
        long copied = System.nanoTime();
        TestBundles.writeAtomically(target, jar);
        note("copied the ImageLocality jar to " + target);
        Await.until(FILEINSTALL_TIMEOUT, () -> {
            Bundle b = Arrays.stream(context.getBundles()).filter(x -> LOCALITY_BUNDLE.equals(x.getSymbolicName()))
                    .findFirst().orElse(null);
            return b != null && b.getState() == Bundle.ACTIVE && b.getLocation().contains("/plugins/") ? null
                    : "ImageLocality from plugins/: " + (b == null ? "not installed" : b.getLocation() + " state "
                            + b.getState());
        });
        JsonNode back = awaitStatus("ImageLocality back", SWAP_TIMEOUT, status -> {
            String problem = newGeneration(status, gWaiting);
            if (problem != null) {
                return problem;
            }
            JsonNode p = profile(status);
            return p.path("ready").asBoolean() && scoreWeight(p, "ImageLocality") == 1
                    && "spread".equals(p.path("policy").asText()) ? null : "profile " + p;
        });
        long g = back.path("generation").asLong();
        note("ImageLocality installed from plugins/ and active again: generation " + g + " " + millis(copied)
                + " ms after the copy");
        long resumed = System.nanoTime();
        Await.until(BIND_TIMEOUT, () -> {
            List<String> unbound = waitingPods.stream().filter(p -> watcher.nodeOf(p) == null).toList();
            return unbound.isEmpty() ? null : unbound.size() + " waiting pods not bound yet: " + unbound;
        });
        note("all " + waitingPods.size() + " waiting pods bound " + millis(resumed) + " ms after the plugin was back"
                + "; outage " + millis(start) + " ms in all");
        double readyAgain = metric(metrics(), "bosun_scheduler_profile_ready", Map.of("profile", PROFILE), Double.NaN);
        check(readyAgain == 1, "bosun_scheduler_profile_ready{profile=" + PROFILE + "} is " + readyAgain
                + " with ImageLocality back");
        return g;
    }

    /**
     * The operator's update: a new version of ImageLocality copied over its jar in plugins/;
     * FileInstall updates the bundle in place (same bundle id) and the scheduler takes its new
     * factory into a new ready generation.
     */
    private long updateLocalityInPlugins(long after) throws Exception {
        Bundle locality = Swaps.bundle(context, LOCALITY_BUNDLE);
        long oldFactory = factoryService("ImageLocality");
        Version next = Swaps.nextVersion(locality.getVersion(), "hotswap");
        byte[] jar = Swaps.withVersionSuffix(locality, "hotswap");
        Path target = Path.of(URI.create(locality.getLocation()));
        stream.phase("il-updating");
        long start = System.nanoTime();
        TestBundles.writeAtomically(target, jar);
        note("copied ImageLocality " + next + " over " + target);
        Await.until(FILEINSTALL_TIMEOUT, () -> {
            if (locality.getState() != Bundle.ACTIVE || !next.equals(locality.getVersion())) {
                return "ImageLocality bundle " + locality.getBundleId() + " is " + locality.getVersion() + " in state "
                        + locality.getState();
            }
            long id = factoryService("ImageLocality");
            Set<Long> held = schedulerComponent().factories();
            return id >= 0 && id != oldFactory && held.contains(id) && !held.contains(oldFactory) ? null
                    : "ImageLocality factory " + id + " (was " + oldFactory + "), the scheduler holds " + held;
        });
        JsonNode s = awaitStatus("ImageLocality back after its update", SWAP_TIMEOUT, status -> {
            String problem = newGeneration(status, after);
            if (problem != null) {
                return problem;
            }
            JsonNode p = profile(status);
            return p.path("ready").asBoolean() && "spread".equals(p.path("policy").asText())
                    && scoreWeight(p, "ImageLocality") == 1 ? null : "profile " + p;
        });
        long g = s.path("generation").asLong();
        note("FileInstall updated ImageLocality in place (bundle " + locality.getBundleId() + ") to " + next
                + "; the scheduler holds its new factory; generation " + g + ", " + millis(start) + " ms after the copy");
        return g;
    }

    // ---- exactly once ---------------------------------------------------------------------------

    private void checkBoundOnce(Snapshot last, List<String> nodes, double scheduledBefore) {
        List<PodStream.Created> created = stream.created();
        check(last.unbound() == 0, last.unbound() + " pods not bound in the final list");
        check(last.nodeOf().size() == created.size(), "the namespace holds " + last.nodeOf().size() + " pods, "
                + created.size() + " were created");
        Map<String, List<String>> rebound = watcher.rebound();
        check(rebound.isEmpty(), "pods whose spec.nodeName changed after it was set: " + rebound);
        List<String> differ = new ArrayList<>();
        for (PodStream.Created c : created) {
            String watched = watcher.nodeOf(c.name());
            if (watched == null || !watched.equals(last.nodeOf().get(c.name()))) {
                differ.add(c.name() + " watched on " + watched + ", listed on " + last.nodeOf().get(c.name()));
            }
        }
        check(differ.isEmpty(), "watch and list disagree: " + differ.stream().limit(20).toList());

        // One Scheduled event per pod (the recorder writes them asynchronously: wait for all).
        Set<String> all = created.stream().map(PodStream.Created::name).collect(Collectors.toSet());
        Map<String, Integer> scheduled = new TreeMap<>();
        Await.until(BIND_TIMEOUT, () -> {
            scheduled.clear();
            scheduled.putAll(events("Scheduled", null));
            return scheduled.keySet().containsAll(all) ? null
                    : "Scheduled events for " + scheduled.size() + " of " + all.size() + " pods";
        });
        Map<String, Integer> twice = new TreeMap<>();
        scheduled.forEach((pod, n) -> {
            if (n != 1) {
                twice.put(pod, n);
            }
        });
        check(twice.isEmpty(), "pods with more than one Scheduled event: " + twice);

        // No binding conflict: a second bind of a bound pod answers 409 "already assigned".
        Map<String, Integer> conflicts = events("FailedScheduling", "already assigned");
        conflicts.putAll(events("FailedScheduling", "Binding rejected"));
        check(conflicts.isEmpty(), "binding failures: " + conflicts);
        Map<String, Integer> failed = events("FailedScheduling", null);
        Map<String, Long> byMessage = new TreeMap<>();
        eventList("FailedScheduling").forEach(e -> byMessage.merge(e.path("message").asText(), e.path("count").asLong(1),
                Long::sum));

        double scheduledAfter = metric(metrics(), "scheduler_schedule_attempts_total",
                Map.of("result", "scheduled", "profile", PROFILE), 0);
        check(scheduledAfter - scheduledBefore == created.size(), "scheduler_schedule_attempts_total{result=scheduled}"
                + " grew by " + (scheduledAfter - scheduledBefore) + " for " + created.size() + " pods");
        note("bound exactly once: " + created.size() + " pods, one node name each on the watch, " + scheduled.size()
                + " Scheduled events (count 1 each), scheduled attempts +" + (long) (scheduledAfter - scheduledBefore)
                + ", no binding conflict; FailedScheduling events for " + failed.size() + " pods: " + byMessage
                + "; loads " + last.counts() + " over " + nodes);
    }

    /** Pod name to the summed count of its events with {@code reason} whose message contains {@code text}. */
    private Map<String, Integer> events(String reason, String text) {
        Map<String, Integer> out = new TreeMap<>();
        for (JsonNode e : eventList(reason)) {
            if (text == null || e.path("message").asText().contains(text)) {
                out.merge(e.path("involvedObject").path("name").asText(), e.path("count").asInt(1), Integer::sum);
            }
        }
        return out;
    }

    private List<JsonNode> eventList(String reason) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : api.getJson("/api/v1/namespaces/" + NS + "/events").path("items")) {
            if (reason.equals(e.path("reason").asText()) && "Pod".equals(e.path("involvedObject").path("kind").asText())) {
                out.add(e);
            }
        }
        return out;
    }

    private static String condition(JsonNode pod, String type) {
        for (JsonNode c : pod.path("status").path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                return c.path("status").asText() + " " + c.path("reason").asText() + " " + c.path("message").asText();
            }
        }
        return null;
    }

    // ---- the scheduler's status, Lease, component, metrics ---------------------------------------

    private JsonNode status() {
        try {
            HttpResponse<String> response = api.get(STATUS_CM);
            if (response.statusCode() == 404) {
                return null;
            }
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + STATUS_CM + ": " + response.statusCode() + " " + response.body());
            }
            String text = ApiClient.parse(response.body()).path("data").path("status.json").asText(null);
            return text == null ? null : ApiClient.parse(text);
        } catch (IOException e) {
            throw new AssertionError("GET " + STATUS_CM + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private JsonNode awaitStatus(String what, Duration timeout, Function<JsonNode, String> problem) {
        JsonNode[] found = {null};
        Await.until(timeout, () -> {
            JsonNode s = status();
            String p = problem.apply(s);
            if (p == null) {
                found[0] = s;
                return null;
            }
            return "waiting for " + what + ": " + p;
        });
        return found[0];
    }

    private static String newGeneration(JsonNode status, long after) {
        if (status == null) {
            return "no status ConfigMap";
        }
        long g = status.path("generation").asLong();
        return g > after ? null : "status generation " + g + ", waiting for one after " + after;
    }

    private static JsonNode profile(JsonNode status) {
        if (status != null) {
            for (JsonNode p : status.path("profiles")) {
                if (PROFILE.equals(p.path("schedulerName").asText())) {
                    return p;
                }
            }
        }
        return ApiClient.JSON.createObjectNode();
    }

    /** The weight of an active score plugin, -1 if it does not score. */
    private static int scoreWeight(JsonNode profile, String plugin) {
        for (JsonNode s : profile.path("plugins").path("score")) {
            if (plugin.equals(s.path("name").asText())) {
                return s.path("weight").asInt();
            }
        }
        return -1;
    }

    /** Holder, acquire time and transitions of the scheduler's Lease. */
    private String lease() {
        JsonNode spec = api.getJson(LEASE).path("spec");
        return spec.path("holderIdentity").asText() + " acquired " + spec.path("acquireTime").asText()
                + " transitions " + spec.path("leaseTransitions").asInt(0);
    }

    /** The scheduler component's configuration: its id, the ApiClient it uses, the plugin factories it holds. */
    record ComponentState(long id, long apiClient, Set<Long> factories) {
        @Override
        public String toString() {
            return "{id " + id + ", ApiClient service " + apiClient + ", " + factories.size() + " plugin factories}";
        }
    }

    private ComponentState schedulerComponent() {
        ServiceComponentRuntime scr = service(ServiceComponentRuntime.class);
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (!SCHEDULER_COMPONENT.equals(description.name)) {
                continue;
            }
            Collection<ComponentConfigurationDTO> configurations = scr.getComponentConfigurationDTOs(description);
            if (configurations.size() != 1) {
                throw new AssertionError(configurations.size() + " configurations of " + SCHEDULER_COMPONENT);
            }
            ComponentConfigurationDTO c = configurations.iterator().next();
            if (c.state != ComponentConfigurationDTO.ACTIVE) {
                throw new AssertionError(SCHEDULER_COMPONENT + " is in state " + c.state);
            }
            long apiClient = -1;
            Set<Long> factories = new java.util.TreeSet<>();
            for (SatisfiedReferenceDTO reference : c.satisfiedReferences) {
                for (ServiceReferenceDTO bound : reference.boundServices) {
                    Object classes = bound.properties.get(Constants.OBJECTCLASS);
                    List<String> names = classes instanceof String[] a ? Arrays.asList(a) : List.of();
                    if (names.contains(PLUGIN_FACTORY)) {
                        factories.add(bound.id);
                    } else if (names.contains("io.bosun.client.ApiClient")) {
                        apiClient = bound.id;
                    }
                }
            }
            return new ComponentState(c.id, apiClient, factories);
        }
        throw new AssertionError("no component " + SCHEDULER_COMPONENT);
    }

    /** The service.id of the PluginFactory registered for {@code plugin}, -1 if none; fails if several. */
    private long factoryService(String plugin) {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(PLUGIN_FACTORY,
                    "(bosun.scheduler.plugin=" + plugin + ")");
            if (refs == null) {
                return -1;
            }
            if (refs.length > 1) {
                throw new AssertionError(refs.length + " " + plugin + " factories: " + Arrays.toString(refs));
            }
            return (Long) refs[0].getProperty(Constants.SERVICE_ID);
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private String metrics() {
        HttpClient http = ApiClient.newHttpClient();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(api.uri("/metrics"))
                    .timeout(ApiClient.REQUEST_TIMEOUT).header("Accept", "text/plain").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET /metrics: " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new AssertionError("GET /metrics: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            http.shutdownNow();
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The sum of the samples of {@code name} with (at least) these labels; {@code absent} when there is none. */
    static double metric(String text, String name, Map<String, String> labels, double absent) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.find() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> has = new java.util.HashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    has.put(l.group(1), l.group(2));
                }
            }
            if (has.entrySet().containsAll(labels.entrySet())) {
                sum += Double.parseDouble(m.group(4));
                found = true;
            }
        }
        return found ? sum : absent;
    }

    // ---- objects --------------------------------------------------------------------------------

    private String createNode(String name, String zone) {
        ObjectNode node = ApiClient.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Node");
        node.putObject("metadata").put("name", name).putObject("labels").put("kubernetes.io/hostname", name)
                .put("kubernetes.io/os", "linux").put("topology.kubernetes.io/zone", zone).put(POOL_LABEL, POOL);
        ObjectNode status = node.putObject("status");
        for (String field : List.of("capacity", "allocatable")) {
            status.putObject(field).put("cpu", "4").put("memory", "8Gi").put("pods", "110");
        }
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        status.putArray("conditions").addObject().put("type", "Ready").put("status", "True")
                .put("reason", "KubeletReady").put("message", "a test node: no kubelet behind it")
                .put("lastHeartbeatTime", now).put("lastTransitionTime", now);
        createOrFail("/api/v1/nodes", node.toString());
        return name;
    }

    private void createOrFail(String path, String json) {
        try {
            HttpResponse<String> response = api.post(path, json);
            if (response.statusCode() != 201) {
                throw new AssertionError("POST " + path + ": " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new AssertionError("POST " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private void replaceOrFail(String path, String json) {
        try {
            HttpResponse<String> response = api.send("PUT", path, "application/json", json);
            if (response.statusCode() != 200) {
                throw new AssertionError("PUT " + path + ": " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new AssertionError("PUT " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    // ---- bundles --------------------------------------------------------------------------------

    private Map<Long, String> bundlesExcept(long... except) {
        Map<Long, String> all = new LinkedHashMap<>();
        for (Bundle b : context.getBundles()) {
            if (Arrays.stream(except).noneMatch(id -> id == b.getBundleId())) {
                all.put(b.getBundleId(), b.getSymbolicName() + " " + b.getVersion() + " state " + b.getState()
                        + " modified " + b.getLastModified());
            }
        }
        return all;
    }

    /** Every bundle lifecycle event, as "TYPE symbolic-name version id". */
    static final class BundleEvents implements SynchronousBundleListener, AutoCloseable {
        private final BundleContext context;
        private final List<String> events = new ArrayList<>();

        BundleEvents(BundleContext context) {
            this.context = context;
            context.addBundleListener(this);
        }

        @Override
        public synchronized void bundleChanged(BundleEvent event) {
            Bundle b = event.getBundle();
            events.add(type(event.getType()) + " " + b.getSymbolicName() + " " + b.getVersion() + " " + b.getBundleId());
        }

        synchronized List<String> events() {
            return List.copyOf(events);
        }

        @Override
        public void close() {
            context.removeBundleListener(this);
        }

        private static String type(int type) {
            return switch (type) {
                case BundleEvent.INSTALLED -> "INSTALLED";
                case BundleEvent.RESOLVED -> "RESOLVED";
                case BundleEvent.STARTING -> "STARTING";
                case BundleEvent.STARTED -> "STARTED";
                case BundleEvent.STOPPING -> "STOPPING";
                case BundleEvent.STOPPED -> "STOPPED";
                case BundleEvent.UPDATED -> "UPDATED";
                case BundleEvent.UNRESOLVED -> "UNRESOLVED";
                case BundleEvent.UNINSTALLED -> "UNINSTALLED";
                default -> "EVENT-" + type;
            };
        }
    }

    private <T> T service(Class<T> type) {
        ServiceReference<T> reference = context.getServiceReference(type);
        assertNotNull("no " + type.getName() + " service", reference);
        return context.getService(reference);
    }

    // ---- report ---------------------------------------------------------------------------------

    private synchronized void note(String what) {
        timeline.add(String.format("%7d ms  %s", millis(started), what));
    }

    private static long millis(long since) {
        return (System.nanoTime() - since) / 1_000_000;
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

    private synchronized String timeline() {
        return "  " + String.join("\n  ", timeline);
    }

    private synchronized void assertNoProblems() {
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " problem(s):\n  " + String.join("\n  ", problems)
                    + "\ntimeline:\n" + timeline());
        }
    }
}
