package io.bosun.scheduler.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bosun.api.coordination.v1.Lease;
import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.Event;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.apiserver.ApiServer;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientConfig;
import io.bosun.client.informer.SharedInformerFactory;
import io.bosun.scheduler.core.SchedulerOptions;
import io.bosun.scheduler.framework.DelegatingServices;
import io.bosun.scheduler.framework.ParallelizerImpl;
import io.bosun.scheduler.framework.ProfileManager;
import io.bosun.scheduler.testing.Env;
import io.bosun.scheduler.testing.Objects;
import io.bosun.scheduler.testing.TestPlugins;
import io.bosun.store.embedded.EmbeddedStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler runtime against a real API server over an embedded store: informers, leader
 * election on a Lease, bindings through pods/binding, events, the PodScheduled condition, the status
 * ConfigMap and profiles written over the REST API.
 */
class SchedulerRuntimeTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private EmbeddedStore store;
  private ApiServer server;
  private ApiClient client;
  private ApiClient schedulerClient;
  private SharedInformerFactory informers;
  private ClientClusterPort port;
  private ParallelizerImpl parallelizer;
  private ProfileManager profiles;
  private ExecutorService rebuilds;
  private SchedulerRuntime runtime;
  private final Map<String, TestPlugins.TestFactory> factories = TestPlugins.standard();

  @BeforeEach
  void start() throws Exception {
    store = new EmbeddedStore(EmbeddedStore.Options.defaults(dir).withFsync(false));
    ApiServer.Settings d = ApiServer.Settings.defaults(0);
    server = new ApiServer(store, new PrometheusRegistry(), new ApiServer.Settings(d.host(), 0, d.maxRequestBodyBytes(),
        d.minRequestTimeout(), Duration.ofSeconds(1), d.serviceClusterIpRange(), d.serviceNodePortRange(), "test")).start();
    Env.await(WAIT, server::ready, "API server ready");
    String url = "http://127.0.0.1:" + server.port();
    client = ApiClient.create(ClientConfig.forServer(url).withUserAgent("test"));
    schedulerClient = ApiClient.create(ClientConfig.forServer(url).withUserAgent(SchedulerComponent.USER_AGENT));
    informers = new SharedInformerFactory(schedulerClient);
    port = new ClientClusterPort(schedulerClient, informers, "test-scheduler", Clock.systemUTC());
    parallelizer = new ParallelizerImpl(2);
    DelegatingServices services = new DelegatingServices(port, parallelizer);
    rebuilds = Executors.newSingleThreadExecutor();
    profiles = new ProfileManager(services, rebuilds);
    long id = 0;
    for (TestPlugins.TestFactory f : factories.values()) {
      profiles.addFactory(new ProfileManager.FactoryEntry(f.name, f, ++id, 0));
    }
    profiles.setConfigAdmin(TestPlugins.PROFILES, TestPlugins.POLICIES);
    RuntimeSettings settings = new RuntimeSettings(SchedulerOptions.defaults(), true, "kube-system", "bosun-scheduler",
        Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(300), "test-scheduler",
        "kube-system/bosun-scheduler-profiles", "kube-system/bosun-scheduler");
    runtime = new SchedulerRuntime(settings, schedulerClient, informers, port, profiles, services, parallelizer,
        io.bosun.scheduler.core.SchedulerMetrics.NOOP, Clock.systemUTC());
    runtime.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (runtime != null) {
      runtime.close();
    }
    profiles.close();
    rebuilds.shutdown();
    informers.close();
    port.close();
    parallelizer.close();
    schedulerClient.close();
    client.close();
    server.close();
    store.close();
  }

  private void node(String name, String cpu) {
    Node n = Objects.node(name, cpu, "16Gi");
    n.getMetadata().setUid(null);
    Node created = client.resources(Node.class).create(n);
    if (created.getStatus() == null || created.getStatus().getAllocatable() == null) {
      created.setStatus(n.getStatus());
      client.resources(Node.class).updateStatus(created);
    }
  }

  private Pod pod(String name, String cpu) {
    Pod p = Objects.pod(name, cpu);
    p.getMetadata().setUid(null);
    p.getMetadata().setResourceVersion(null);
    p.getSpec().setPriority(null);
    return client.pods().create(p);
  }

  private Optional<Pod> get(String name) {
    return client.pods().get("default", name);
  }

  private String nodeOf(String name) {
    return get(name).map(p -> p.getSpec().getNodeName()).orElse(null);
  }

  private PodCondition scheduledCondition(String name) {
    Pod p = get(name).orElseThrow();
    if (p.getStatus() == null || p.getStatus().getConditions() == null) {
      return null;
    }
    return p.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst().orElse(null);
  }

  private boolean hasEvent(String pod, String reason, String messagePart) {
    return client.resources(Event.class).list("default", null).items().stream()
        .anyMatch(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())
            && e.getMessage() != null && e.getMessage().contains(messagePart));
  }

  private JsonNode status() {
    Optional<ConfigMap> cm = client.resources(ConfigMap.class).get("kube-system", "bosun-scheduler");
    if (cm.isEmpty() || cm.get().getData() == null) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(cm.get().getData().get("status.json"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private void profilesConfigMap(String profilesText) {
    ConfigMap cm = new ConfigMap().withMetadata(new ObjectMeta().withName("bosun-scheduler-profiles")
        .withNamespace("kube-system")).withData(Map.of("profiles", profilesText));
    client.resources(ConfigMap.class).apply(cm, "operator", true);
  }

  @Test
  void schedulesThroughTheApiServer() {
    node("n1", "4");
    node("n2", "4");
    pod("a", "1");
    pod("b", "1");
    Env.await(WAIT, () -> nodeOf("a") != null && nodeOf("b") != null, "pods bound");
    assertThat(nodeOf("a")).isNotEqualTo(nodeOf("b")); // LeastAllocated spreads
    assertThat(scheduledCondition("a").getStatus()).isEqualTo("True");
    Env.await(WAIT, () -> hasEvent("a", "Scheduled", "Successfully assigned default/a to"), "Scheduled event");

    Lease lease = client.resources(Lease.class).get("kube-system", "bosun-scheduler").orElseThrow();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("test-scheduler");

    pod("huge", "64");
    Env.await(WAIT, () -> scheduledCondition("huge") != null, "PodScheduled=False");
    PodCondition c = scheduledCondition("huge");
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).isEqualTo("Unschedulable");
    assertThat(c.getMessage()).isEqualTo("0/2 nodes are available: 2 Insufficient cpu.");
    Env.await(WAIT, () -> hasEvent("huge", "FailedScheduling", "0/2 nodes are available: 2 Insufficient cpu."),
        "FailedScheduling event");

    // a bigger node arrives: the pod is retried and bound
    node("big", "128");
    Env.await(WAIT, () -> "big".equals(nodeOf("huge")), "huge bound to big");
  }

  @Test
  void statusAndProfilesOverTheRestApi() {
    node("n1", "8");
    Env.await(WAIT, () -> status().path("generation").asLong() > 0, "status written");
    JsonNode s = status();
    assertThat(s.path("leader").asText()).isEqualTo("test-scheduler");
    assertThat(s.path("profilesSource").asText()).isEqualTo("configadmin");
    JsonNode profile = s.path("profiles").get(0);
    assertThat(profile.path("schedulerName").asText()).isEqualTo("default-scheduler");
    assertThat(profile.path("ready").asBoolean()).isTrue();
    assertThat(profile.path("plugins").path("filter").toString()).isEqualTo("[\"TaintToleration\",\"NodeResourcesFit\"]");
    assertThat(profile.path("plugins").path("score").get(0).path("name").asText()).isEqualTo("NodeResourcesFit");
    assertThat(s.path("installedPlugins").has("Latch")).isTrue();

    // a plugin no profile uses is reported as installed all the same, and gone once removed
    TestPlugins.TestFactory unused = new TestPlugins.TestFactory("Unused", (a, h) -> new AbsentFilter());
    profiles.addFactory(new ProfileManager.FactoryEntry("Unused", unused, 1001, 0));
    Env.await(WAIT, () -> status().path("installedPlugins").has("Unused"), "the unused plugin reported");
    profiles.removeFactory(1001);
    Env.await(WAIT, () -> !status().path("installedPlugins").has("Unused"), "the removed plugin no longer reported");

    // a profile written over the REST API wins, and may name a plugin that is not installed
    profilesConfigMap("""
        - schedulerName: default-scheduler
          policy: test
          plugins:
            filter:
              enabled: [Absent]
        """);
    Env.await(WAIT, () -> status().path("profilesSource").asText().equals("configmap")
        && !status().path("profiles").get(0).path("ready").asBoolean(), "the ConfigMap profile is in use");
    assertThat(status().path("profiles").get(0).path("problems").get(0).asText())
        .isEqualTo("plugin Absent of profile default-scheduler is not installed");
    pod("waiting", "1");
    Env.await(WAIT, () -> scheduledCondition("waiting") != null, "SchedulerError condition");
    assertThat(scheduledCondition("waiting").getReason()).isEqualTo("SchedulerError");
    assertThat(scheduledCondition("waiting").getMessage())
        .isEqualTo("plugin Absent of profile default-scheduler is not installed");
    Env.await(WAIT, () -> hasEvent("waiting", "FailedScheduling", "plugin Absent of profile default-scheduler is not installed"),
        "FailedScheduling event");
    assertThat(nodeOf("waiting")).isNull();

    // the plugin arrives: the pod resumes
    TestPlugins.TestFactory absent = new TestPlugins.TestFactory("Absent", (a, h) -> new AbsentFilter());
    profiles.addFactory(new ProfileManager.FactoryEntry("Absent", absent, 1000, 0));
    Env.await(WAIT, () -> "n1".equals(nodeOf("waiting")), "the waiting pod bound");

    // an invalid ConfigMap is reported and the last good configuration stays
    profilesConfigMap("- {schedulerName: default-scheduler, policy: nonexistent}");
    Env.await(WAIT, () -> status().path("configErrors").size() == 1, "config error reported");
    assertThat(status().path("configErrors").get(0).asText()).contains("policy nonexistent is not defined");
    pod("still", "1");
    Env.await(WAIT, () -> "n1".equals(nodeOf("still")), "scheduling goes on");

    // deleting the ConfigMap falls back to ConfigAdmin's profiles
    client.resources(ConfigMap.class).delete("kube-system", "bosun-scheduler-profiles", null);
    Env.await(WAIT, () -> status().path("profilesSource").asText().equals("configadmin")
        && status().path("configErrors").isEmpty(), "back to ConfigAdmin");
  }

  @Test
  void onlyTheLeaderSchedulesAndAnotherTakesOver() {
    node("n1", "8");
    pod("before", "1");
    Env.await(WAIT, () -> nodeOf("before") != null, "the first instance schedules");
    ApiClient secondClient = ApiClient.create(schedulerClient.config().withUserAgent(SchedulerComponent.USER_AGENT));
    SharedInformerFactory secondInformers = new SharedInformerFactory(secondClient);
    ClientClusterPort secondPort = new ClientClusterPort(secondClient, secondInformers, "second", Clock.systemUTC());
    DelegatingServices secondServices = new DelegatingServices(secondPort, parallelizer);
    ProfileManager secondProfiles = new ProfileManager(secondServices, Runnable::run);
    long id = 0;
    for (TestPlugins.TestFactory f : TestPlugins.standard().values()) {
      secondProfiles.addFactory(new ProfileManager.FactoryEntry(f.name, f, ++id, 0));
    }
    secondProfiles.setConfigAdmin(TestPlugins.PROFILES, TestPlugins.POLICIES);
    SchedulerRuntime second = new SchedulerRuntime(new RuntimeSettings(SchedulerOptions.defaults(), true, "kube-system",
        "bosun-scheduler", Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(300), "second",
        "kube-system/bosun-scheduler-profiles", "kube-system/bosun-scheduler"), secondClient, secondInformers,
        secondPort, secondProfiles, secondServices, parallelizer, io.bosun.scheduler.core.SchedulerMetrics.NOOP,
        Clock.systemUTC());
    try {
      second.start();
      assertThat(runtime.isLeading()).isTrue();
      // the second instance stands by: it never runs an engine while the first holds the lease
      for (int i = 0; i < 3; i++) {
        pod("while-first-" + i, "1");
      }
      Env.await(WAIT, () -> nodeOf("while-first-2") != null, "scheduled by the leader");
      assertThat(second.isLeading()).isFalse();
      assertThat(second.engine()).isNull();

      runtime.close(); // releases the lease
      runtime = null;
      Env.await(WAIT, second::isLeading, "the second instance leads");
      pod("after", "1");
      Env.await(WAIT, () -> nodeOf("after") != null, "the new leader schedules");
      assertThat(client.resources(Lease.class).get("kube-system", "bosun-scheduler").orElseThrow().getSpec()
          .getHolderIdentity()).isEqualTo("second");
      Env.await(WAIT, () -> status().path("leader").asText().equals("second"), "the new leader writes the status");
    } finally {
      second.close();
      secondProfiles.close();
      secondInformers.close();
      secondPort.close();
      secondClient.close();
    }
  }

  /** A filter that lets everything pass. */
  static final class AbsentFilter extends TestPlugins.Base implements io.bosun.scheduler.spi.FilterPlugin {
    AbsentFilter() {
      super("Absent");
    }

    @Override
    public io.bosun.scheduler.spi.Status filter(io.bosun.scheduler.spi.CycleState state, Pod pod,
        io.bosun.scheduler.spi.NodeInfo nodeInfo) {
      return null;
    }
  }
}
