package io.bosun.client;

import static io.bosun.client.Fixtures.configMap;
import static io.bosun.client.Fixtures.deployment;
import static io.bosun.client.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.autoscaling.v1.Scale;
import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodStatus;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.Preconditions;
import io.bosun.api.policy.v1.PodDisruptionBudget;
import io.bosun.api.policy.v1.PodDisruptionBudgetSpec;
import io.bosun.api.values.IntOrString;
import io.bosun.client.internal.HttpApiClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiClientTest {

  @TempDir
  static Path dir;
  static TestCluster cluster;
  static ApiClient client;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(dir);
    client = cluster.client("bosun-test/1.0");
    client.resources(io.bosun.api.core.v1.Namespace.class).create(Fixtures.namespace("crud"));
  }

  @AfterAll
  static void stop() {
    client.close();
    cluster.close();
  }

  @Test
  void createGetUpdateDelete() {
    ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
    assertThat(cms.kind().plural()).isEqualTo("configmaps");

    ConfigMap created = cms.create(configMap("crud", "one", Map.of("k", "v")));
    assertThat(created.getMetadata().getUid()).isNotEmpty();
    assertThat(created.getMetadata().getResourceVersion()).isNotEmpty();
    assertThat(created.getMetadata().getManagedFields()).extracting(e -> e.getManager()).containsExactly("bosun-test");

    ConfigMap read = cms.get("crud", "one").orElseThrow();
    assertThat(read).isEqualTo(created);

    ConfigMap changed = read.deepCopy().withData(Map.of("k", "w"));
    ConfigMap updated = cms.update(changed);
    assertThat(updated.getData()).containsEntry("k", "w");
    assertThat(updated.getMetadata().getResourceVersion()).isNotEqualTo(read.getMetadata().getResourceVersion());

    cms.delete("crud", "one", null);
    assertThat(cms.get("crud", "one")).isEmpty();
  }

  @Test
  void errorsCarryTheServersStatus() {
    ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
    ConfigMap created = cms.create(configMap("crud", "errors", Map.of()));

    assertThatThrownBy(() -> cms.create(configMap("crud", "errors", Map.of())))
        .isInstanceOfSatisfying(ClientStatusException.class, e -> {
          assertThat(e.isAlreadyExists()).isTrue();
          assertThat(e.isConflict()).isFalse();
          assertThat(e.code()).isEqualTo(409);
          assertThat(e.details().getName()).isEqualTo("errors");
        });

    cms.update(created.deepCopy().withData(Map.of("a", "1")));
    // created still has the old resourceVersion: optimistic concurrency says no.
    assertThatThrownBy(() -> cms.update(created.deepCopy().withData(Map.of("a", "2"))))
        .isInstanceOfSatisfying(ClientStatusException.class, e -> {
          assertThat(e.isConflict()).isTrue();
          assertThat(e.status().getMessage()).contains("the object has been modified");
        });

    assertThatThrownBy(() -> cms.delete("crud", "missing", null))
        .isInstanceOfSatisfying(ClientStatusException.class, e -> assertThat(e.isNotFound()).isTrue());
    assertThatThrownBy(() -> cms.update(configMap("crud", "missing", Map.of())))
        .isInstanceOfSatisfying(ClientStatusException.class, e -> assertThat(e.isNotFound()).isTrue());

    // Delete preconditions: a wrong uid is a conflict and the object stays.
    assertThatThrownBy(() -> cms.delete("crud", "errors",
        new DeleteOptions().withPreconditions(new Preconditions().withUid("not-the-uid"))))
        .isInstanceOfSatisfying(ClientStatusException.class, e -> assertThat(e.isConflict()).isTrue());
    cms.delete("crud", "errors", new DeleteOptions()
        .withPreconditions(new Preconditions().withUid(created.getMetadata().getUid()))
        .withPropagationPolicy("Background"));
    assertThat(cms.get("crud", "errors")).isEmpty();

    // 422 Invalid with causes.
    assertThatThrownBy(() -> cms.create(configMap("crud", "Not_Valid", Map.of())))
        .isInstanceOfSatisfying(ClientStatusException.class, e -> {
          assertThat(e.isInvalid()).isTrue();
          assertThat(e.details().getCauses()).extracting(c -> c.getField()).contains("metadata.name");
        });

    // Calls that cannot be sent fail before sending.
    assertThatThrownBy(() -> cms.create(configMap(null, "x", Map.of()))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cms.get(null, "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cms.getScale("crud", "x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> client.resources(NotServed.class)).isInstanceOf(IllegalArgumentException.class);
  }

  /** A model subclass is not a served kind. */
  static final class NotServed extends ConfigMap {
  }

  @Test
  void clusterScopedKindsIgnoreTheNamespace() {
    ResourceClient<Node> nodes = client.resources(Node.class);
    Node node = nodes.create(new Node().withMetadata(new ObjectMeta().withName("node-a")));
    assertThat(node.getMetadata().getNamespace()).isNull();
    assertThat(nodes.get(null, "node-a")).isPresent();
    assertThat(nodes.get("", "node-a")).isPresent();
    assertThat(nodes.list(null, null).items()).extracting(n -> n.getMetadata().getName()).contains("node-a");
    nodes.delete(null, "node-a", null);
    assertThat(nodes.get(null, "node-a")).isEmpty();
  }

  @Test
  void listFollowsContinueTokensAndSelectors() {
    ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
    client.resources(io.bosun.api.core.v1.Namespace.class).create(Fixtures.namespace("paging"));
    for (int i = 0; i < 25; i++) {
      ConfigMap cm = configMap("paging", String.format("cm-%02d", i), Map.of());
      cm.getMetadata().setLabels(Map.of("parity", i % 2 == 0 ? "even" : "odd"));
      cms.create(cm);
    }
    ListResult<ConfigMap> all = cms.list("paging", ListOptions.none().withLimit(10));
    assertThat(all.items()).extracting(c -> c.getMetadata().getName())
        .containsExactlyElementsOf(IntStream.range(0, 25).mapToObj(i -> String.format("cm-%02d", i)).toList());
    assertThat(all.continueToken()).isNull();
    assertThat(Long.parseLong(all.resourceVersion())).isPositive();

    // One page at a time by hand, as client-go's List.
    ListResult<ConfigMap> first = cms.listPage("paging", ListOptions.none().withLimit(10));
    assertThat(first.items()).hasSize(10);
    assertThat(first.continueToken()).isNotNull();
    assertThat(first.remainingItemCount()).isEqualTo(15);
    ListResult<ConfigMap> second = cms.listPage("paging", ListOptions.none().withLimit(10)
        .withContinueToken(first.continueToken()));
    assertThat(second.items()).hasSize(10);
    assertThat(second.items().get(0).getMetadata().getName()).isEqualTo("cm-10");
    assertThat(second.remainingItemCount()).isEqualTo(5);
    // list() from a token goes on to the end.
    assertThat(cms.list("paging", ListOptions.none().withLimit(10).withContinueToken(first.continueToken())).items())
        .hasSize(15);

    assertThat(cms.list("paging", ListOptions.none().withLabelSelector("parity=even").withLimit(4)).items())
        .hasSize(13).allSatisfy(c -> assertThat(c.getMetadata().getLabels()).containsEntry("parity", "even"));
    assertThat(cms.list("paging", ListOptions.none().withFieldSelector("metadata.name=cm-07")).items())
        .extracting(c -> c.getMetadata().getName()).containsExactly("cm-07");
    assertThat(cms.list(null, ListOptions.none().withLabelSelector("parity")).items()).hasSize(25);

    assertThatThrownBy(() -> cms.list("paging", ListOptions.none().withLabelSelector("a in (")))
        .isInstanceOfSatisfying(ClientStatusException.class, e -> assertThat(e.code()).isEqualTo(400));
  }

  @Test
  void patches() {
    ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
    cms.create(configMap("crud", "patched", Map.of("a", "1")));
    assertThat(cms.patch("crud", "patched", PatchType.MERGE, "{\"data\":{\"b\":\"2\"}}").getData())
        .containsEntry("a", "1").containsEntry("b", "2");
    assertThat(cms.patch("crud", "patched", PatchType.STRATEGIC_MERGE, "{\"data\":{\"a\":null}}").getData())
        .doesNotContainKey("a").containsEntry("b", "2");
    assertThat(cms.patch("crud", "patched", PatchType.JSON,
        "[{\"op\":\"replace\",\"path\":\"/data/b\",\"value\":\"3\"}]").getData()).containsEntry("b", "3");
    assertThatThrownBy(() -> cms.patch("crud", "patched", PatchType.JSON,
        "[{\"op\":\"test\",\"path\":\"/data/b\",\"value\":\"4\"}]"))
        .isInstanceOf(ClientStatusException.class);
    assertThatThrownBy(() -> cms.patch("crud", "nope", PatchType.MERGE, "{}"))
        .isInstanceOfSatisfying(ClientStatusException.class, e -> assertThat(e.isNotFound()).isTrue());
  }

  @Test
  void serverSideApply() {
    ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
    ConfigMap applied = cms.apply(configMap("crud", "applied", Map.of("owned", "by-a")), "manager-a", false);
    assertThat(applied.getData()).containsEntry("owned", "by-a");
    assertThat(applied.getMetadata().getManagedFields()).extracting(m -> m.getManager()).contains("manager-a");

    // Another manager changing the same field conflicts unless it forces.
    assertThatThrownBy(() -> cms.apply(configMap("crud", "applied", Map.of("owned", "by-b")), "manager-b", false))
        .isInstanceOfSatisfying(ClientStatusException.class, e -> {
          assertThat(e.isConflict()).isTrue();
          assertThat(e.getMessage()).contains("manager-a");
        });
    ConfigMap forced = cms.apply(configMap("crud", "applied", Map.of("owned", "by-b")), "manager-b", true);
    assertThat(forced.getData()).containsEntry("owned", "by-b");

    // A read object (with managedFields) can be applied back; a null manager means this client's.
    ConfigMap read = cms.get("crud", "applied").orElseThrow();
    ConfigMap again = cms.apply(read.withData(Map.of("owned", "by-b", "mine", "x")), null, true);
    assertThat(again.getMetadata().getManagedFields()).extracting(m -> m.getManager()).contains("bosun-test");
  }

  @Test
  void podsBindEvictAndStatus() {
    PodClient pods = client.pods();
    assertThat(client.resources(Pod.class)).isSameAs(pods);
    Pod pod = pods.create(pod("crud", "web"));
    pods.bind(pod, "node-1");
    Pod bound = pods.get("crud", "web").orElseThrow();
    assertThat(bound.getSpec().getNodeName()).isEqualTo("node-1");
    assertThat(bound.getStatus().getConditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("PodScheduled");
      assertThat(c.getStatus()).isEqualTo("True");
    });
    assertThatThrownBy(() -> pods.bind(bound, "node-2"))
        .isInstanceOfSatisfying(ClientStatusException.class, e -> assertThat(e.isConflict()).isTrue());

    Pod running = bound.deepCopy();
    running.setStatus(running.getStatus() == null ? new PodStatus() : running.getStatus());
    running.getStatus().setPhase("Running");
    running.getStatus().setPodIP("10.0.0.7");
    assertThat(pods.updateStatus(running).getStatus().getPodIP()).isEqualTo("10.0.0.7");

    // Eviction: refused while a budget allows no disruption, done otherwise.
    Pod guarded = pod("crud", "guarded");
    guarded.getMetadata().setLabels(Map.of("app", "guarded"));
    pods.create(guarded);
    client.resources(PodDisruptionBudget.class).create(new PodDisruptionBudget()
        .withMetadata(Fixtures.meta("crud", "guard"))
        .withSpec(new PodDisruptionBudgetSpec().withMinAvailable(IntOrString.of(1))
            .withSelector(new io.bosun.api.meta.v1.LabelSelector().withMatchLabels(Map.of("app", "guarded")))));
    assertThatThrownBy(() -> pods.evict("crud", "guarded", null))
        .isInstanceOfSatisfying(ClientStatusException.class, e -> assertThat(e.isTooManyRequests()).isTrue());
    Pod unscheduled = pods.create(pod("crud", "free"));
    pods.evict("crud", "free", new DeleteOptions().withGracePeriodSeconds(0L));
    TestCluster.await(Duration.ofSeconds(5), () -> pods.get("crud", "free").isEmpty(), "evicted pod gone");
    assertThat(unscheduled.getMetadata().getUid()).isNotEmpty();
  }

  @Test
  void scaleSubresource() {
    ResourceClient<Deployment> deployments = client.resources(Deployment.class);
    deployments.create(deployment("crud", "web", 1));
    Scale scale = deployments.getScale("crud", "web");
    assertThat(scale.getSpec().getReplicas()).isEqualTo(1);
    scale.getSpec().setReplicas(3);
    assertThat(deployments.updateScale("crud", "web", scale).getSpec().getReplicas()).isEqualTo(3);
    assertThat(deployments.get("crud", "web").orElseThrow().getSpec().getReplicas()).isEqualTo(3);
    // The scale's resourceVersion is a precondition.
    assertThatThrownBy(() -> deployments.updateScale("crud", "web", scale))
        .isInstanceOfSatisfying(ClientStatusException.class, e -> assertThat(e.isConflict()).isTrue());
  }

  @Test
  void watchDeliversChangesInOrderAndEndsOnClose() {
    ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
    client.resources(io.bosun.api.core.v1.Namespace.class).create(Fixtures.namespace("watched"));
    String rv = cms.list("watched", null).resourceVersion();
    Recorder<ConfigMap> events = new Recorder<>();
    Watch watch = cms.watch("watched", ListOptions.none().withResourceVersion(rv), events);

    ConfigMap a = cms.create(configMap("watched", "a", Map.of()));
    cms.update(a.deepCopy().withData(Map.of("x", "1")));
    cms.delete("watched", "a", null);
    TestCluster.await(Duration.ofSeconds(10), () -> events.events.size() >= 3, "three events");
    assertThat(events.events).containsExactly("ADDED a", "MODIFIED a", "DELETED a");

    watch.close();
    assertThat(watch.isClosed()).isTrue();
    assertThat(events.closes).containsExactly("normal");
    watch.close();
    assertThat(events.closes).hasSize(1);
  }

  @Test
  void watchWithSelectorBookmarksAndInitialState() {
    ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
    client.resources(io.bosun.api.core.v1.Namespace.class).create(Fixtures.namespace("bookmarks"));
    ConfigMap existing = configMap("bookmarks", "existing", Map.of());
    existing.getMetadata().setLabels(Map.of("watch", "yes"));
    cms.create(existing);
    Recorder<ConfigMap> events = new Recorder<>();
    // No resourceVersion: the current state first, as ADDED events; bookmarks every second (test server).
    try (Watch w = cms.watch("bookmarks", ListOptions.none().withLabelSelector("watch=yes")
        .withAllowWatchBookmarks(true), events)) {
      ConfigMap other = cms.create(configMap("bookmarks", "unlabelled", Map.of()));
      TestCluster.await(Duration.ofSeconds(10), () -> events.events.contains("BOOKMARK"), "a bookmark");
      assertThat(events.events.get(0)).isEqualTo("ADDED existing");
      assertThat(events.events).doesNotContain("ADDED unlabelled");
      assertThat(Long.parseLong(events.bookmarkVersions.get(0)))
          .isGreaterThanOrEqualTo(Long.parseLong(other.getMetadata().getResourceVersion()));
    }
  }

  @Test
  void watchFromACompactedVersionEndsWithGone() {
    ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
    String old = cms.create(configMap("crud", "compacted", Map.of())).getMetadata().getResourceVersion();
    cms.update(cms.get("crud", "compacted").orElseThrow().withData(Map.of("v", "2")));
    cms.update(cms.get("crud", "compacted").orElseThrow().withData(Map.of("v", "3")));
    // History before the latest revision is gone, so a watch from "old" (changes after it) is too old.
    cluster.store.compact(cluster.store.revision());
    Recorder<ConfigMap> events = new Recorder<>();
    cms.watch("crud", ListOptions.none().withResourceVersion(old), events);
    TestCluster.await(Duration.ofSeconds(10), () -> !events.closes.isEmpty(), "the watch to end");
    assertThat(events.closes).containsExactly("gone");
    assertThat(events.events).isEmpty();
  }

  @Test
  void watchTimeoutEndsNormally() {
    Recorder<ConfigMap> events = new Recorder<>();
    client.resources(ConfigMap.class).watch("crud",
        ListOptions.none().withResourceVersion(Long.toString(cluster.store.revision())).withTimeoutSeconds(1), events);
    TestCluster.await(Duration.ofSeconds(10), () -> !events.closes.isEmpty(), "the watch to time out");
    assertThat(events.closes).containsExactly("normal");
  }

  @Test
  void unreachableServerIsATransportFailure() {
    try (ApiClient offline = ApiClient.create(ClientConfig.forServer("http://127.0.0.1:1")
        .withConnectTimeout(Duration.ofSeconds(2)))) {
      assertThatThrownBy(() -> offline.resources(ConfigMap.class).get("default", "x"))
          .isInstanceOf(ClientTransportException.class)
          .hasMessageContaining("127.0.0.1:1");
    }
  }

  @Test
  void closeEndsWatchesAndThreads() {
    java.util.Set<String> before = TestCluster.clientThreads();
    ApiClient own = cluster.client("closer");
    Recorder<ConfigMap> events = new Recorder<>();
    List<Watch> watches = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      watches.add(own.resources(ConfigMap.class).watch("crud",
          ListOptions.none().withResourceVersion(Long.toString(cluster.store.revision())), events));
    }
    assertThat(TestCluster.clientThreads()).filteredOn(n -> n.contains("-watch-configmaps-")).hasSizeGreaterThan(2);
    own.close();
    assertThat(events.closes).containsExactly("normal", "normal", "normal");
    assertThat(watches).allMatch(Watch::isClosed);
    assertThatThrownBy(() -> own.resources(ConfigMap.class).get("crud", "x")).isInstanceOf(ClientTransportException.class);
    own.close();
    TestCluster.await(Duration.ofSeconds(10), () -> before.containsAll(TestCluster.clientThreads()),
        "the closed client's threads to end");
  }

  @Test
  void concurrentUseOfOneClient() throws Exception {
    ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
    AtomicInteger failures = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int id = t;
      threads.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 10; i++) {
          try {
            String name = "c-" + id + "-" + i;
            cms.create(configMap("crud", name, Map.of()));
            cms.patch("crud", name, PatchType.MERGE, "{\"data\":{\"n\":\"" + i + "\"}}");
          } catch (RuntimeException e) {
            failures.incrementAndGet();
          }
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(failures).hasValue(0);
    assertThat(cms.list("crud", ListOptions.none().withLimit(7)).items())
        .filteredOn(c -> c.getMetadata().getName().startsWith("c-")).hasSize(80);
  }

  @Test
  void configDefaultsAndFieldManager() {
    ClientConfig c = ClientConfig.forServer("http://127.0.0.1:6443/");
    assertThat(c.server().toString()).isEqualTo("http://127.0.0.1:6443");
    assertThat(c.userAgent()).isEqualTo("bosun-client");
    assertThat(c.withUserAgent("bosun-scheduler/0.1").fieldManager()).isEqualTo("bosun-scheduler");
    assertThatThrownBy(() -> ClientConfig.forServer("ftp://x")).isInstanceOf(IllegalArgumentException.class);
    assertThat(HttpApiClient.class).isNotNull();
  }

  /** Records watch events as "TYPE name" and ends as "normal", "gone" or the exception's class. */
  static final class Recorder<T extends io.bosun.api.meta.v1.KubernetesObject> implements WatchHandler<T> {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<String> bookmarkVersions = new CopyOnWriteArrayList<>();
    final List<String> closes = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(WatchEventType type, T object) {
      if (type == WatchEventType.BOOKMARK) {
        events.add("BOOKMARK");
        bookmarkVersions.add(object.getMetadata().getResourceVersion());
      } else {
        events.add(type + " " + object.getMetadata().getName());
      }
    }

    @Override
    public void onClose(ClientException cause) {
      closes.add(cause == null ? "normal"
          : cause instanceof ClientStatusException s && s.isGone() ? "gone" : cause.getClass().getSimpleName());
    }
  }

  static Map<String, String> map(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }
}
