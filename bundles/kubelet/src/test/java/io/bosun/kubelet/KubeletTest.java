package io.bosun.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.coordination.v1.Lease;
import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.ConfigMapKeySelector;
import io.bosun.api.core.v1.ConfigMapVolumeSource;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerStatus;
import io.bosun.api.core.v1.EnvFromSource;
import io.bosun.api.core.v1.EnvVar;
import io.bosun.api.core.v1.EnvVarSource;
import io.bosun.api.core.v1.ExecAction;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeCondition;
import io.bosun.api.core.v1.ObjectFieldSelector;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.core.v1.Probe;
import io.bosun.api.core.v1.ResourceFieldSelector;
import io.bosun.api.core.v1.ResourceRequirements;
import io.bosun.api.core.v1.Secret;
import io.bosun.api.core.v1.SecretEnvSource;
import io.bosun.api.core.v1.SecretKeySelector;
import io.bosun.api.core.v1.Volume;
import io.bosun.api.core.v1.VolumeMount;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.node.v1.RuntimeClass;
import io.bosun.api.values.Quantity;
import io.bosun.runtime.fake.FakeRuntime;
import io.bosun.runtime.spi.ContainerConfig;
import io.bosun.runtime.spi.ContainerFilter;
import io.bosun.runtime.spi.ContainerState;
import io.bosun.runtime.spi.ExecResult;
import io.bosun.runtime.spi.KeyValue;
import io.bosun.runtime.spi.Mount;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubelet's sync loop against a real API server, with the fake runtime. */
class KubeletTest {

  static final String NODE = "node-a";

  @TempDir
  Path dir;

  TestApi api;
  FakeRuntime fake;
  Runtimes runtimes;
  final List<Kubelet> kubelets = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    api = new TestApi(dir.resolve("store"));
    fake = new FakeRuntime();
    runtimes = new Runtimes(Map.of());
    runtimes.add("fake", fake, List.of("fake"));
  }

  @AfterEach
  void tearDown() {
    kubelets.forEach(Kubelet::close);
    fake.close();
    api.close();
  }

  Kubelet kubelet(Consumer<KubeletConfig.Builder> tweak, EvictionManager.Observer observer) {
    KubeletConfig.Builder b = KubeletConfig.builder(NODE, dir.resolve("kubelet")).runtime("fake").port(0)
        .nodeIP("127.0.0.1").relistPeriod(Duration.ofMillis(200)).nodeStatusUpdateFrequency(Duration.ofSeconds(1))
        .syncFrequency(Duration.ofSeconds(5)).crashLoopBackOff(Duration.ofSeconds(1), Duration.ofSeconds(4))
        .evictionHard(List.of()).evictionMonitoringPeriod(Duration.ofMillis(200))
        .staticPodCheckPeriod(Duration.ofMillis(500)).logRotationPeriod(Duration.ofMillis(500));
    tweak.accept(b);
    Kubelet k = new Kubelet(b.build(), api.config(), runtimes, Clock.systemUTC(), new MachineInfo(), observer);
    k.start();
    kubelets.add(k);
    return k;
  }

  Kubelet kubelet() {
    return kubelet(b -> { }, null);
  }

  static ContainerStatus status(Pod p, String container) {
    return p.getStatus().getContainerStatuses().stream().filter(c -> c.getName().equals(container)).findFirst()
        .orElseThrow();
  }

  static String condition(Pod p, String type) {
    return p.getStatus().getConditions() == null ? null : p.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type)).map(PodCondition::getStatus).findFirst().orElse(null);
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  static boolean running(Pod p) {
    return "Running".equals(p.getStatus().getPhase()) && "True".equals(condition(p, "Ready"));
  }

  @Test
  void registersTheNodeAndRenewsItsLease() {
    Kubelet k = kubelet(b -> b.runtimeDownGracePeriod(Duration.ofSeconds(3)), null);
    Node[] node = {null};
    TestApi.await(Duration.ofSeconds(30), () -> {
      node[0] = api.client.resources(Node.class).get(null, NODE).orElse(null);
      return node[0] != null && node[0].getStatus() != null && node[0].getStatus().getConditions() != null;
    }, "node status");
    Node n = node[0];
    assertThat(n.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", NODE)
        .containsEntry("kubernetes.io/os", "linux").containsKey("kubernetes.io/arch");
    assertThat(n.getStatus().getCapacity()).containsKeys("cpu", "memory", "ephemeral-storage", "pods");
    assertThat(n.getStatus().getCapacity().get("pods")).isEqualTo(Quantity.parse("110"));
    assertThat(n.getStatus().getCapacity().get("cpu").longValue()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(n.getStatus().getAllocatable().get("memory")).isEqualTo(n.getStatus().getCapacity().get("memory"));
    assertThat(n.getStatus().getConditions()).extracting(NodeCondition::getType)
        .containsExactly("MemoryPressure", "DiskPressure", "PIDPressure", "Ready");
    assertThat(n.getStatus().getConditions().get(3).getStatus()).isEqualTo("True");
    assertThat(n.getStatus().getAddresses()).anyMatch(a -> a.getType().equals("InternalIP")
        && a.getAddress().equals("127.0.0.1"));
    assertThat(n.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort()).isEqualTo(k.port());
    assertThat(n.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.32.0-bosun");
    assertThat(n.getStatus().getNodeInfo().getContainerRuntimeVersion()).isEqualTo("fake://0.1.0");
    assertThat(n.getStatus().getRuntimeHandlers()).extracting(h -> h.getName()).contains("fake");
    Lease lease = api.client.resources(Lease.class).get("kube-node-lease", NODE).orElseThrow();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(NODE);
    assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
    assertThat(lease.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo(n.getMetadata().getUid());

    // the default runtime disappears: the node turns NotReady once that lasted the grace period (3 s
    // after the last status that found it fine, posted at most 1 s before the removal), and back
    long removed = System.nanoTime();
    runtimes.remove("fake", fake);
    TestApi.await(Duration.ofSeconds(20), () -> "False".equals(readyOf(api.client.resources(Node.class)
        .get(null, NODE).orElseThrow())), "node NotReady without its runtime");
    assertThat(Duration.ofNanos(System.nanoTime() - removed)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(api.client.resources(Node.class).get(null, NODE).orElseThrow().getStatus().getConditions().get(3)
        .getMessage()).startsWith("container runtime is down");
    runtimes.add("fake", fake, List.of("fake"));
    TestApi.await(Duration.ofSeconds(20), () -> "True".equals(readyOf(api.client.resources(Node.class)
        .get(null, NODE).orElseThrow())), "node Ready again");
  }

  private static String readyOf(Node n) {
    return n.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow()
        .getStatus();
  }

  @Test
  void runsAPodAndReportsItsStatus() {
    kubelet();
    api.run(TestApi.pod("web", Map.of(), TestApi.container("app", "serve")), NODE);
    Pod p = api.awaitPod("web", KubeletTest::running, "Running and Ready");
    assertThat(p.getStatus().getPodIP()).startsWith("10.88.");
    assertThat(p.getStatus().getHostIP()).isEqualTo("127.0.0.1");
    assertThat(p.getStatus().getStartTime()).isNotNull();
    assertThat(p.getStatus().getQosClass()).isEqualTo("BestEffort");
    assertThat(p.getStatus().getConditions()).extracting(PodCondition::getType).containsExactly(
        "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled");
    ContainerStatus c = status(p, "app");
    assertThat(c.getState().getRunning()).isNotNull();
    assertThat(c.getRestartCount()).isZero();
    assertThat(c.getReady()).isTrue();
    assertThat(c.getStarted()).isTrue();
    assertThat(c.getContainerID()).startsWith("fake://");
    assertThat(c.getImage()).isEqualTo("busybox:1.36");
  }

  @Test
  void crashLoopBackOffWithGrowingRestartCount() {
    kubelet();
    api.run(TestApi.pod("crash", Map.of("fake.bosun.io/exit-after", "100ms", "fake.bosun.io/exit-code", "3"),
        TestApi.container("app", "crash")), NODE);
    Pod p = api.awaitPod("crash", x -> x.getStatus().getContainerStatuses() != null
        && status(x, "app").getRestartCount() >= 2 && status(x, "app").getState().getWaiting() != null
        && "CrashLoopBackOff".equals(status(x, "app").getState().getWaiting().getReason()), "CrashLoopBackOff");
    ContainerStatus c = status(p, "app");
    assertThat(c.getState().getWaiting().getMessage()).startsWith("back-off ").contains("container=app");
    assertThat(c.getLastState().getTerminated().getExitCode()).isEqualTo(3);
    assertThat(c.getLastState().getTerminated().getReason()).isEqualTo("Error");
    assertThat(p.getStatus().getPhase()).isEqualTo("Running"); // restartPolicy Always: restarting
    assertThat(condition(p, "Ready")).isEqualTo("False");
    api.awaitPod("crash", x -> status(x, "app").getRestartCount() >= 4, "restarts go on");
    // the runtime keeps only the newest container and the one before it
    assertThat(fake.containers().list(ContainerFilter.ALL)).hasSizeLessThanOrEqualTo(2);
  }

  @Test
  void restartPoliciesNeverAndOnFailure() {
    kubelet();
    Pod never = TestApi.pod("done", Map.of("fake.bosun.io/exit-after", "100ms"), TestApi.container("app", "x"));
    never.getSpec().setRestartPolicy("Never");
    api.run(never, NODE);
    Pod failing = TestApi.pod("fails", Map.of("fake.bosun.io/exit-after", "100ms", "fake.bosun.io/exit-code", "1"),
        TestApi.container("app", "x"));
    failing.getSpec().setRestartPolicy("Never");
    api.run(failing, NODE);
    Pod onFailure = TestApi.pod("retry", Map.of("fake.bosun.io/exit-after", "100ms", "fake.bosun.io/exit-code", "1"),
        TestApi.container("app", "x"));
    onFailure.getSpec().setRestartPolicy("OnFailure");
    api.run(onFailure, NODE);
    Pod d = api.awaitPod("done", x -> "Succeeded".equals(x.getStatus().getPhase()), "Succeeded");
    assertThat(status(d, "app").getState().getTerminated().getReason()).isEqualTo("Completed");
    assertThat(condition(d, "Ready")).isEqualTo("False");
    Pod f = api.awaitPod("fails", x -> "Failed".equals(x.getStatus().getPhase()), "Failed");
    assertThat(status(f, "app").getState().getTerminated().getExitCode()).isEqualTo(1);
    Pod r = api.awaitPod("retry", x -> status(x, "app").getRestartCount() >= 1, "OnFailure restarts");
    assertThat(r.getStatus().getPhase()).isEqualTo("Running");
    assertThat(status(api.get("done"), "app").getRestartCount()).isZero();
  }

  @Test
  void initContainersRunInOrderFirst() {
    kubelet();
    Pod pod = TestApi.pod("init", Map.of("fake.bosun.io/exit-after.one", "300ms", "fake.bosun.io/exit-after.two",
        "300ms"), TestApi.container("main", "serve"));
    pod.getSpec().setInitContainers(List.of(TestApi.container("one", "x"), TestApi.container("two", "y")));
    api.run(pod, NODE);
    Pod pending = api.awaitPod("init", x -> x.getStatus().getInitContainerStatuses() != null
        && x.getStatus().getInitContainerStatuses().get(0).getState().getRunning() != null, "first init running");
    assertThat(pending.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(pending.getStatus().getInitContainerStatuses().get(1).getState().getWaiting().getReason())
        .isEqualTo("ContainerCreating");
    assertThat(status(pending, "main").getState().getWaiting().getReason()).isEqualTo("PodInitializing");
    assertThat(condition(pending, "Initialized")).isEqualTo("False");
    Pod p = api.awaitPod("init", KubeletTest::running, "Running after init");
    assertThat(p.getStatus().getInitContainerStatuses()).allSatisfy(s -> {
      assertThat(s.getState().getTerminated().getReason()).isEqualTo("Completed");
    });
    assertThat(p.getStatus().getInitContainerStatuses().get(0).getState().getTerminated().getFinishedAt())
        .isBeforeOrEqualTo(p.getStatus().getInitContainerStatuses().get(1).getState().getTerminated().getStartedAt());
    assertThat(condition(p, "Initialized")).isEqualTo("True");
  }

  @Test
  void livenessFailureRestartsAndReadinessGatesReady() {
    AtomicInteger liveExit = new AtomicInteger(0);
    AtomicInteger readyExit = new AtomicInteger(1);
    fake.setExecHandler((c, cmd) -> new ExecResult(cmd.get(0).equals("live") ? liveExit.get() : readyExit.get(), null,
        null, false));
    kubelet();
    Container app = TestApi.container("app", "serve")
        .withLivenessProbe(new Probe().withExec(new ExecAction().withCommand(List.of("live"))).withPeriodSeconds(1)
            .withFailureThreshold(2))
        .withReadinessProbe(new Probe().withExec(new ExecAction().withCommand(List.of("ready"))).withPeriodSeconds(1));
    api.run(TestApi.pod("probed", Map.of(), app), NODE);
    Pod p = api.awaitPod("probed", x -> "Running".equals(x.getStatus().getPhase()), "Running");
    assertThat(condition(p, "Ready")).isEqualTo("False");
    readyExit.set(0);
    api.awaitPod("probed", KubeletTest::running, "Ready once the readiness probe passes");
    readyExit.set(1);
    api.awaitPod("probed", x -> "False".equals(condition(x, "Ready")) && status(x, "app").getRestartCount() == 0,
        "unready again, not restarted");
    readyExit.set(0);
    liveExit.set(1);
    Pod restarted = api.awaitPod("probed", x -> status(x, "app").getRestartCount() >= 1
        && status(x, "app").getState().getRunning() != null, "restarted after liveness failures");
    assertThat(status(restarted, "app").getLastState().getTerminated()).isNotNull();
    liveExit.set(0);
    api.awaitPod("probed", KubeletTest::running, "Ready again after the restart");
  }

  @Test
  void gracefulDeletionEndsWithTheFinalDelete() {
    kubelet();
    api.run(TestApi.pod("gone", Map.of(), TestApi.container("app", "serve")), NODE);
    Pod p = api.awaitPod("gone", KubeletTest::running, "Running");
    String uid = p.getMetadata().getUid();
    api.client.pods().delete("default", "gone", null);
    TestApi.await(Duration.ofSeconds(30), () -> api.get("gone") == null, "the pod removed by the kubelet");
    TestApi.await(Duration.ofSeconds(10), () -> fake.sandboxes().list(io.bosun.runtime.spi.SandboxFilter.ofPod(uid))
        .isEmpty(), "its sandbox removed");
    TestApi.await(Duration.ofSeconds(10), () -> !Files.exists(dir.resolve("kubelet/pods/" + uid))
        && !Files.exists(dir.resolve("kubelet/logs/default_gone_" + uid)), "its folders removed");
  }

  @Test
  void environmentFromFieldsConfigMapsAndSecrets() {
    kubelet();
    api.client.resources(ConfigMap.class).create(new ConfigMap().withMetadata(new ObjectMeta().withName("cfg")
        .withNamespace("default")).withData(Map.of("color", "blue", "size", "L")));
    api.client.resources(Secret.class).create(new Secret().withMetadata(new ObjectMeta().withName("sec")
        .withNamespace("default")).withData(Map.of("token", Base64.getEncoder().encodeToString("s3cr3t"
        .getBytes(StandardCharsets.UTF_8)))));
    Container app = TestApi.container("app", "echo", "$(COLOR)-$(MY_NAME)", "$$(literal)")
        .withResources(new ResourceRequirements().withLimits(Map.of("memory", Quantity.parse("64Mi"))))
        .withEnvFrom(List.of(new EnvFromSource().withPrefix("CFG_").withConfigMapRef(
            new io.bosun.api.core.v1.ConfigMapEnvSource().withName("cfg")), new EnvFromSource().withSecretRef(
            new SecretEnvSource().withName("sec"))))
        .withEnv(List.of(
            new EnvVar().withName("MY_NAME").withValueFrom(new EnvVarSource().withFieldRef(
                new ObjectFieldSelector().withFieldPath("metadata.name"))),
            new EnvVar().withName("MY_NODE").withValueFrom(new EnvVarSource().withFieldRef(
                new ObjectFieldSelector().withFieldPath("spec.nodeName"))),
            new EnvVar().withName("MY_IP").withValueFrom(new EnvVarSource().withFieldRef(
                new ObjectFieldSelector().withFieldPath("status.podIP"))),
            new EnvVar().withName("COLOR").withValueFrom(new EnvVarSource().withConfigMapKeyRef(
                new ConfigMapKeySelector().withName("cfg").withKey("color"))),
            new EnvVar().withName("MISSING").withValueFrom(new EnvVarSource().withConfigMapKeyRef(
                new ConfigMapKeySelector().withName("cfg").withKey("nope").withOptional(true))),
            new EnvVar().withName("TOKEN").withValueFrom(new EnvVarSource().withSecretKeyRef(
                new SecretKeySelector().withName("sec").withKey("token"))),
            new EnvVar().withName("MEM_MI").withValueFrom(new EnvVarSource().withResourceFieldRef(
                new ResourceFieldSelector().withResource("limits.memory").withDivisor(Quantity.parse("1")))),
            new EnvVar().withName("GREETING").withValue("hello $(MY_NAME) on $(MY_NODE) $(UNDEFINED)")));
    api.run(TestApi.pod("envy", Map.of(), app), NODE);
    api.awaitPod("envy", KubeletTest::running, "Running");
    ContainerConfig cfg = fake.config(fake.containers().list(ContainerFilter.ALL).get(0).id()).orElseThrow();
    Map<String, String> env = new HashMap<>();
    for (KeyValue kv : cfg.env()) {
      env.put(kv.key(), kv.value());
    }
    assertThat(env).containsEntry("CFG_color", "blue").containsEntry("CFG_size", "L").containsEntry("token", "s3cr3t")
        .containsEntry("MY_NAME", "envy").containsEntry("MY_NODE", NODE).containsEntry("COLOR", "blue")
        .containsEntry("TOKEN", "s3cr3t").containsEntry("MEM_MI", "67108864")
        .containsEntry("GREETING", "hello envy on node-a $(UNDEFINED)").doesNotContainKey("MISSING");
    assertThat(env.get("MY_IP")).startsWith("10.88.");
    assertThat(cfg.command()).containsExactly("echo", "blue-envy", "$(literal)");

    // a missing required key keeps a new container waiting with CreateContainerConfigError
    Container bad = TestApi.container("bad", "x").withEnv(List.of(new EnvVar().withName("X").withValueFrom(
        new EnvVarSource().withConfigMapKeyRef(new ConfigMapKeySelector().withName("cfg").withKey("nope")))));
    api.run(TestApi.pod("bad", Map.of(), bad), NODE);
    Pod b = api.awaitPod("bad", x -> x.getStatus().getContainerStatuses() != null
        && status(x, "bad").getState().getWaiting() != null
        && "CreateContainerConfigError".equals(status(x, "bad").getState().getWaiting().getReason()), "config error");
    assertThat(status(b, "bad").getState().getWaiting().getMessage()).isEqualTo(
        "couldn't find key nope in ConfigMap default/cfg");
    // ... and runs once the key exists
    ConfigMap cm = api.client.resources(ConfigMap.class).get("default", "cfg").orElseThrow();
    cm.setData(Map.of("color", "red", "size", "L", "nope", "here"));
    api.client.resources(ConfigMap.class).update(cm);
    api.awaitPod("bad", KubeletTest::running, "Running once the key exists");
  }

  @Test
  void configMapVolumeFollowsChanges() throws Exception {
    kubelet();
    api.client.resources(ConfigMap.class).create(new ConfigMap().withMetadata(new ObjectMeta().withName("files")
        .withNamespace("default")).withData(Map.of("app.conf", "v1")));
    Pod pod = TestApi.pod("vol", Map.of(), TestApi.container("app", "serve").withVolumeMounts(List.of(
        new VolumeMount().withName("conf").withMountPath("/etc/app"), new VolumeMount().withName("scratch")
            .withMountPath("/tmp/scratch"))));
    pod.getSpec().setVolumes(List.of(new Volume().withName("conf").withConfigMap(new ConfigMapVolumeSource()
        .withName("files")), new Volume().withName("scratch").withEmptyDir(new io.bosun.api.core.v1.EmptyDirVolumeSource())));
    Pod created = api.run(pod, NODE);
    api.awaitPod("vol", KubeletTest::running, "Running");
    ContainerConfig cfg = fake.config(fake.containers().list(ContainerFilter.ALL).get(0).id()).orElseThrow();
    Mount conf = cfg.mounts().stream().filter(m -> m.containerPath().equals("/etc/app")).findFirst().orElseThrow();
    assertThat(Files.readString(conf.hostPath().resolve("app.conf"))).isEqualTo("v1");
    assertThat(cfg.mounts()).anyMatch(m -> m.containerPath().equals("/tmp/scratch")
        && m.hostPath().toString().contains("kubernetes.io~empty-dir"));
    assertThat(cfg.mounts()).anyMatch(m -> m.containerPath().equals("/dev/termination-log"));
    assertThat(conf.hostPath()).startsWith(dir.resolve("kubelet/pods/" + created.getMetadata().getUid()));
    ConfigMap cm = api.client.resources(ConfigMap.class).get("default", "files").orElseThrow();
    cm.setData(Map.of("app.conf", "v2", "extra", "x"));
    api.client.resources(ConfigMap.class).update(cm);
    TestApi.await(Duration.ofSeconds(20), () -> read(conf.hostPath().resolve("app.conf")).equals("v2")
        && Files.exists(conf.hostPath().resolve("extra")), "the projected file updated");
  }

  @Test
  void aRestartedKubeletAdoptsRunningContainers() {
    Kubelet first = kubelet();
    api.run(TestApi.pod("stay", Map.of(), TestApi.container("app", "serve")), NODE);
    Pod before = api.awaitPod("stay", KubeletTest::running, "Running");
    long starts = fake.startCount();
    first.close();
    kubelets.remove(first);
    kubelet();
    // the new kubelet has synced the pod (its worker exists) and restarted nothing
    TestApi.await(Duration.ofSeconds(10), () -> kubelets.get(0).podCount() == 1, "pod adopted");
    Pod after = api.awaitPod("stay", KubeletTest::running, "still Running");
    assertThat(fake.startCount()).isEqualTo(starts);
    assertThat(status(after, "app").getContainerID()).isEqualTo(status(before, "app").getContainerID());
    assertThat(status(after, "app").getRestartCount()).isZero();
    // and it still manages it: deleting works
    api.client.pods().delete("default", "stay", null);
    TestApi.await(Duration.ofSeconds(30), () -> api.get("stay") == null, "deleted by the new kubelet");
  }

  @Test
  void aKubeletThatCannotReachTheApiServerKillsNothing() throws Exception {
    Kubelet first = kubelet();
    api.run(TestApi.pod("patient", Map.of(), TestApi.container("app", "serve")), NODE);
    api.awaitPod("patient", KubeletTest::running, "Running");
    long starts = fake.startCount();
    first.close();
    kubelets.remove(first);
    int dead;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    // the node restarts while its API server is down: pods are unknown, not deleted
    Kubelet blind = new Kubelet(KubeletConfig.builder(NODE, dir.resolve("kubelet")).runtime("fake").port(0)
        .nodeIP("127.0.0.1").relistPeriod(Duration.ofMillis(100)).evictionHard(List.of()).build(),
        io.bosun.client.ClientConfig.forServer("http://127.0.0.1:" + dead), runtimes, Clock.systemUTC());
    blind.start();
    try {
      TestApi.await(Duration.ofSeconds(20), () -> blind.relistCount() >= 10 && blind.podCount() == 1,
          "ten relists with the pod's containers seen");
      assertThat(fake.containers().list(ContainerFilter.ALL)).singleElement()
          .extracting(io.bosun.runtime.spi.ContainerStatus::state).isEqualTo(ContainerState.RUNNING);
      assertThat(fake.sandboxes().list(io.bosun.runtime.spi.SandboxFilter.ALL)).singleElement()
          .extracting(io.bosun.runtime.spi.SandboxStatus::state).isEqualTo(io.bosun.runtime.spi.SandboxState.READY);
    } finally {
      blind.close();
    }
    kubelet();
    api.awaitPod("patient", KubeletTest::running, "still Running");
    assertThat(fake.startCount()).isEqualTo(starts);
  }

  @Test
  void orphansOfPodsDeletedMeanwhileAreCleanedUp() {
    Kubelet first = kubelet();
    api.run(TestApi.pod("orphan", Map.of(), TestApi.container("app", "serve")), NODE);
    Pod p = api.awaitPod("orphan", KubeletTest::running, "Running");
    first.close();
    kubelets.remove(first);
    // deleted for good while no kubelet runs
    api.client.pods().delete("default", "orphan", new io.bosun.api.meta.v1.DeleteOptions().withGracePeriodSeconds(0L));
    kubelet();
    String uid = p.getMetadata().getUid();
    TestApi.await(Duration.ofSeconds(30), () -> fake.sandboxes().list(io.bosun.runtime.spi.SandboxFilter.ofPod(uid))
        .isEmpty(), "the orphan's sandbox removed");
  }

  @Test
  void staticPodsRunWithMirrorPods() throws Exception {
    Path manifests = Files.createDirectories(dir.resolve("manifests"));
    Files.writeString(manifests.resolve("etcd.yaml"), """
        apiVersion: v1
        kind: Pod
        metadata:
          name: static-web
          namespace: kube-system
          labels: {tier: control-plane}
        spec:
          containers:
          - name: web
            image: busybox
            command: [serve]
        """);
    kubelet(b -> b.staticPodPath(manifests), null);
    String name = "static-web-" + NODE;
    Pod[] mirror = {null};
    TestApi.await(Duration.ofSeconds(30), () -> {
      mirror[0] = api.client.pods().get("kube-system", name).orElse(null);
      return mirror[0] != null && running(mirror[0]);
    }, "mirror pod Running");
    assertThat(mirror[0].getMetadata().getAnnotations()).containsKey("kubernetes.io/config.mirror");
    assertThat(mirror[0].getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("Node");
    assertThat(mirror[0].getSpec().getNodeName()).isEqualTo(NODE);
    // deleting the mirror does not stop the static pod: the mirror comes back
    long starts = fake.startCount();
    api.client.pods().delete("kube-system", name, new io.bosun.api.meta.v1.DeleteOptions().withGracePeriodSeconds(0L));
    String oldUid = mirror[0].getMetadata().getUid();
    TestApi.await(Duration.ofSeconds(30), () -> api.client.pods().get("kube-system", name)
        .filter(m -> !m.getMetadata().getUid().equals(oldUid)).isPresent(), "mirror recreated");
    assertThat(fake.startCount()).isEqualTo(starts);
    // removing the manifest stops it and removes the mirror
    Files.delete(manifests.resolve("etcd.yaml"));
    TestApi.await(Duration.ofSeconds(30), () -> api.client.pods().get("kube-system", name).isEmpty()
        && fake.containers().list(ContainerFilter.ALL).isEmpty(), "static pod gone");
  }

  @Test
  void memoryPressureEvictsBestEffortBeforeBurstable() {
    AtomicLong available = new AtomicLong(8L << 30);
    EvictionManager.Observer observer = new EvictionManager.Observer() {
      public long memoryAvailable() {
        return available.get();
      }

      public long memoryCapacity() {
        return 16L << 30;
      }

      public long diskAvailable() {
        return 100L << 30;
      }

      public long diskCapacity() {
        return 200L << 30;
      }
    };
    // one eviction per monitoring pass: 3 s between passes leave the test time to see the first
    // eviction and relieve the pressure before a second pass would take the burstable pod as well
    kubelet(b -> b.evictionHard(KubeletConfig.EvictionThreshold.parseList("memory.available<1Gi"))
        .evictionPressureTransitionPeriod(Duration.ofSeconds(1)).evictionMonitoringPeriod(Duration.ofSeconds(3)),
        observer);
    Container burstable = TestApi.container("app", "serve").withResources(new ResourceRequirements()
        .withRequests(Map.of("memory", Quantity.parse("10Mi"))));
    api.run(TestApi.pod("burstable", Map.of(), burstable), NODE);
    api.run(TestApi.pod("besteffort", Map.of(), TestApi.container("app", "serve")), NODE);
    api.awaitPod("burstable", KubeletTest::running, "Running");
    api.awaitPod("besteffort", KubeletTest::running, "Running");
    available.set(512L << 20);
    Pod evicted = api.awaitPod("besteffort", x -> "Failed".equals(x.getStatus().getPhase()), "evicted");
    assertThat(evicted.getStatus().getReason()).isEqualTo("Evicted");
    assertThat(evicted.getStatus().getMessage()).startsWith("The node was low on resource: memory.");
    assertThat(condition(evicted, "DisruptionTarget")).isEqualTo("True");
    TestApi.await(Duration.ofSeconds(10), () -> api.client.resources(Node.class).get(null, NODE).orElseThrow()
        .getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("MemoryPressure")
            && c.getStatus().equals("True")), "MemoryPressure on the node");
    available.set(8L << 30); // relief before the next victim
    TestApi.await(Duration.ofSeconds(10), () -> api.client.resources(Node.class).get(null, NODE).orElseThrow()
        .getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("MemoryPressure")
            && c.getStatus().equals("False")), "pressure over");
    assertThat(running(api.get("burstable"))).isTrue();
  }

  @Test
  void runtimeClassPicksTheRuntimeByHandler() {
    FakeRuntime other = new FakeRuntime();
    try {
      runtimes.add("fake2", other, List.of("special"));
      kubelet();
      api.client.resources(RuntimeClass.class).create(new RuntimeClass().withMetadata(new ObjectMeta()
          .withName("gold")).withHandler("special"));
      Pod pod = TestApi.pod("gold", Map.of(), TestApi.container("app", "serve"));
      pod.getSpec().setRuntimeClassName("gold");
      api.run(pod, NODE);
      Pod p = api.awaitPod("gold", KubeletTest::running, "Running");
      assertThat(status(p, "app").getContainerID()).startsWith("fake2://");
      assertThat(other.containers().list(ContainerFilter.ALL)).hasSize(1);
      assertThat(fake.containers().list(ContainerFilter.ALL)).isEmpty();
      assertThat(other.sandboxes().list(io.bosun.runtime.spi.SandboxFilter.ALL).get(0).runtimeHandler())
          .isEqualTo("special");

      Pod unknown = TestApi.pod("unknown", Map.of(), TestApi.container("app", "serve"));
      unknown.getSpec().setRuntimeClassName("nope");
      api.run(unknown, NODE);
      Pod u = api.awaitPod("unknown", x -> x.getStatus().getContainerStatuses() != null
          && status(x, "app").getState().getWaiting() != null
          && status(x, "app").getState().getWaiting().getMessage() != null, "waiting");
      assertThat(status(u, "app").getState().getWaiting().getMessage()).contains("RuntimeClass \"nope\" not found");
    } finally {
      other.close();
    }
  }

  @Test
  void containerStatesUseUpstreamReasons() {
    kubelet();
    Container c = TestApi.container("app", "x").withImage(FakeRuntime.MISSING_IMAGE_PREFIX + "nothing:1");
    api.run(TestApi.pod("pull", Map.of(), c), NODE);
    api.awaitPod("pull", x -> x.getStatus().getContainerStatuses() != null
        && status(x, "app").getState().getWaiting() != null
        && "ImagePullBackOff".equals(status(x, "app").getState().getWaiting().getReason()), "ImagePullBackOff");
    api.run(TestApi.pod("cannot", Map.of("fake.bosun.io/start-error", "exec: \"x\": executable file not found"),
        TestApi.container("app", "x")), NODE);
    Pod p = api.awaitPod("cannot", x -> x.getStatus().getContainerStatuses() != null
        && status(x, "app").getLastState().getTerminated() != null, "start error recorded");
    assertThat(status(p, "app").getLastState().getTerminated().getExitCode()).isEqualTo(128);
    assertThat(status(p, "app").getLastState().getTerminated().getReason()).isEqualTo("StartError");
    assertThat(ContainerState.EXITED).isNotNull();
  }
}
