package io.bosun.client.informer;

import static io.bosun.client.Fixtures.configMap;
import static io.bosun.client.Fixtures.namespace;
import static io.bosun.client.Fixtures.pod;
import static io.bosun.client.TestCluster.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.Namespace;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.apiserver.ApiServer;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientConfig;
import io.bosun.client.ListOptions;
import io.bosun.client.ResourceClient;
import io.bosun.client.TestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InformerTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  static Path dir;
  static TestCluster cluster;
  static ApiClient client;
  SharedInformerFactory factory;

  @BeforeAll
  static void start() throws Exception {
    cluster = new TestCluster(dir);
    client = cluster.client("informer-test");
  }

  @AfterAll
  static void stop() {
    client.close();
    cluster.close();
  }

  @AfterEach
  void closeFactory() {
    if (factory != null) {
      factory.close();
    }
    // Every informer, handler and watch thread has ended.
    await(Duration.ofSeconds(10), () -> TestCluster.clientThreads().stream()
        .noneMatch(n -> n.startsWith("bosun-informer-") || n.contains("-watch-")), "informer threads to end");
  }

  @Test
  void seesEveryAddUpdateAndDelete() {
    ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
    client.resources(Namespace.class).create(namespace("inf-a"));
    cms.create(configMap("inf-a", "pre", Map.of()));
    factory = new SharedInformerFactory(client);
    SharedIndexInformer<ConfigMap> informer = factory.informerFor(ConfigMap.class, InformerScope.namespace("inf-a"));
    View<ConfigMap> view = new View<>();
    EventHandlerRegistration registration = informer.addEventHandler(view);
    assertThat(informer.hasSynced()).isFalse();
    factory.start();
    assertThat(factory.waitForCacheSync(WAIT)).isTrue();
    await(WAIT, registration::hasSynced, "the handler to sync");
    assertThat(view.log).containsExactly("add pre initial");

    ConfigMap x = cms.create(configMap("inf-a", "x", Map.of()));
    cms.update(x.deepCopy().withData(Map.of("v", "1")));
    cms.delete("inf-a", "pre", null);
    await(WAIT, () -> view.log.size() >= 4, "three more events");
    assertThat(view.log).containsExactly("add pre initial", "add x", "update x", "delete pre");
    assertThat(informer.indexer().get("inf-a", "x").orElseThrow().getData()).containsEntry("v", "1");
    assertThat(informer.indexer().getByKey("inf-a/pre")).isEmpty();
    assertMatchesServer(informer, view, "inf-a");
    assertThat(Long.parseLong(informer.lastSyncResourceVersion())).isPositive();
  }

  @Test
  void relistsAfterAWatchEndAndCompactionWithoutLosingOrDuplicatingState() throws Exception {
    ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
    client.resources(Namespace.class).create(namespace("inf-b"));
    for (String name : List.of("a", "b", "c")) {
      cms.create(configMap("inf-b", name, Map.of("v", "0")));
    }
    factory = new SharedInformerFactory(client);
    SharedIndexInformer<ConfigMap> informer = factory.informerFor(ConfigMap.class, InformerScope.namespace("inf-b"));
    View<ConfigMap> view = new View<>();
    informer.addEventHandler(view);
    factory.start();
    assertThat(factory.waitForCacheSync(WAIT)).isTrue();
    await(WAIT, () -> view.objects.size() == 3, "three objects");

    // The informer's API server goes away: its watch ends and reconnecting fails for a while.
    cluster.stopServer();
    // Meanwhile the state changes through another server on the same store...
    ApiServer other = cluster.startServer(0);
    try (ApiClient otherClient = ApiClient.create(ClientConfig.forServer("http://127.0.0.1:" + other.port()))) {
      ResourceClient<ConfigMap> otherCms = otherClient.resources(ConfigMap.class);
      otherCms.patch("inf-b", "a", io.bosun.client.PatchType.MERGE, "{\"data\":{\"v\":\"1\"}}");
      otherCms.delete("inf-b", "b", null);
      otherCms.create(configMap("inf-b", "d", Map.of("v", "0")));
      otherCms.create(configMap("default", "elsewhere", Map.of()));
    } finally {
      other.close();
    }
    // ...and the history the informer would resume from is compacted away: resuming gets 410.
    long compactedAt = cluster.store.revision();
    cluster.store.compact(compactedAt);
    cluster.restartServer();

    await(WAIT, () -> view.objects.keySet().equals(Set.of("inf-b/a", "inf-b/c", "inf-b/d"))
        && "1".equals(view.objects.get("inf-b/a").getData().get("v")), "the informer to catch up");
    assertMatchesServer(informer, view, "inf-b");
    // b's delete was missed, so it is reported as a tombstone carrying its last known state.
    assertThat(view.log).contains("tombstone b", "add d", "update a");
    assertThat(view.log).doesNotContain("delete b");
    // Nothing was added twice.
    Map<String, Long> adds = view.log.stream().filter(l -> l.startsWith("add "))
        .collect(Collectors.groupingBy(l -> l.split(" ")[1], Collectors.counting()));
    assertThat(adds).containsOnly(Map.entry("a", 1L), Map.entry("b", 1L), Map.entry("c", 1L), Map.entry("d", 1L));
    assertThat(Long.parseLong(informer.lastSyncResourceVersion())).isGreaterThanOrEqualTo(compactedAt);

    // And it keeps following changes after the relist.
    cms.delete("inf-b", "c", null);
    await(WAIT, () -> !view.objects.containsKey("inf-b/c"), "the delete after the relist");
    assertThat(view.log).endsWith("delete c");
  }

  @Test
  void indexersAndListers() throws Exception {
    client.resources(Namespace.class).create(namespace("idx-1"));
    client.resources(Namespace.class).create(namespace("idx-2"));
    for (int i = 0; i < 6; i++) {
      Pod p = pod(i % 2 == 0 ? "idx-1" : "idx-2", "p" + i);
      p.getSpec().setNodeName("node-" + (i % 3));
      p.getMetadata().setLabels(Map.of("app", i < 3 ? "web" : "db"));
      client.pods().create(p);
    }
    factory = new SharedInformerFactory(client);
    SharedIndexInformer<Pod> informer = factory.informerFor(Pod.class);
    Indexer<Pod> pods = informer.indexer();
    pods.addIndexer("byNode", p -> p.getSpec().getNodeName() == null ? List.of() : List.of(p.getSpec().getNodeName()));
    assertThatThrownBy(() -> pods.addIndexer("byNode", p -> List.of())).isInstanceOf(IllegalArgumentException.class);
    factory.start();
    assertThat(informer.waitForCacheSync(WAIT)).isTrue();

    assertThat(names(pods.byIndex("byNode", "node-0"))).containsExactlyInAnyOrder("p0", "p3");
    assertThat(pods.indexKeys("byNode", "node-1")).containsExactlyInAnyOrder("idx-2/p1", "idx-1/p4");
    assertThat(pods.indexValues("byNode")).containsExactlyInAnyOrder("node-0", "node-1", "node-2");
    assertThat(names(pods.list("idx-1"))).containsExactlyInAnyOrder("p0", "p2", "p4");
    assertThat(names(pods.byIndex(Indexer.NAMESPACE_INDEX, "idx-2"))).containsExactlyInAnyOrder("p1", "p3", "p5");
    assertThat(names(pods.list("idx-1", LabelSelector.parse("app=web")))).containsExactlyInAnyOrder("p0", "p2");
    assertThat(names(pods.list(null, LabelSelector.parse("app in (db)")))).containsExactlyInAnyOrder("p3", "p4", "p5");
    assertThat(pods.listKeys()).contains("idx-1/p0", "idx-2/p5");
    assertThatThrownBy(() -> pods.byIndex("nope", "x")).isInstanceOf(IllegalArgumentException.class);

    // An index added after the sync covers what is cached already.
    pods.addIndexer("byApp", p -> List.of(p.getMetadata().getLabels().get("app")));
    assertThat(names(pods.byIndex("byApp", "web"))).containsExactlyInAnyOrder("p0", "p1", "p2");

    // Changes move objects between index values.
    client.pods().patch("idx-1", "p0", io.bosun.client.PatchType.MERGE, "{\"metadata\":{\"labels\":{\"app\":\"db\"}}}");
    client.pods().delete("idx-2", "p3", new io.bosun.api.meta.v1.DeleteOptions().withGracePeriodSeconds(0L));
    await(WAIT, () -> names(pods.byIndex("byApp", "db")).equals(Set.of("p0", "p4", "p5")), "the index to follow");
    assertThat(names(pods.byIndex("byNode", "node-0"))).containsExactly("p0");
  }

  @Test
  void lateHandlersResyncAndRemoval() {
    ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
    client.resources(Namespace.class).create(namespace("inf-c"));
    cms.create(configMap("inf-c", "one", Map.of()));
    cms.create(configMap("inf-c", "two", Map.of()));
    factory = new SharedInformerFactory(client);
    SharedIndexInformer<ConfigMap> informer = factory.informerFor(ConfigMap.class, InformerScope.namespace("inf-c"));
    factory.start();
    assertThat(factory.waitForCacheSync(WAIT)).isTrue();

    // A handler added after the sync first gets what is cached, flagged as the initial list.
    View<ConfigMap> late = new View<>();
    EventHandlerRegistration lateRegistration = informer.addEventHandler(late);
    await(WAIT, lateRegistration::hasSynced, "the late handler to sync");
    assertThat(late.log).containsExactlyInAnyOrder("add one initial", "add two initial");

    // A handler with a resync period hears about every object again, unchanged, each period.
    View<ConfigMap> resynced = new View<>();
    EventHandlerRegistration resyncRegistration = informer.addEventHandler(resynced, Duration.ofMillis(200));
    await(WAIT, () -> resynced.log.stream().filter(l -> l.equals("resync one")).count() >= 2, "two resyncs");
    assertThat(late.log).noneMatch(l -> l.startsWith("resync"));

    resyncRegistration.remove();
    lateRegistration.remove();
    lateRegistration.remove();
    int seen = late.log.size();
    cms.create(configMap("inf-c", "three", Map.of()));
    View<ConfigMap> witness = new View<>();
    informer.addEventHandler(witness);
    await(WAIT, () -> witness.objects.containsKey("inf-c/three"), "the third object");
    assertThat(late.log).hasSize(seen);
    assertThat(TestCluster.clientThreads()).filteredOn(n -> n.contains("-handler-")).hasSize(1);
  }

  @Test
  void selectorsMakeObjectsComeAndGo() {
    ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
    client.resources(Namespace.class).create(namespace("inf-d"));
    factory = new SharedInformerFactory(client);
    SharedIndexInformer<ConfigMap> informer = factory.informerFor(ConfigMap.class,
        InformerScope.namespace("inf-d").withLabelSelector("team=a"));
    View<ConfigMap> view = new View<>();
    informer.addEventHandler(view);
    factory.start();
    assertThat(factory.waitForCacheSync(WAIT)).isTrue();

    ConfigMap cm = configMap("inf-d", "moving", Map.of());
    cm.getMetadata().setLabels(Map.of("team", "b"));
    cms.create(cm);
    cms.patch("inf-d", "moving", io.bosun.client.PatchType.MERGE, "{\"metadata\":{\"labels\":{\"team\":\"a\"}}}");
    await(WAIT, () -> view.objects.containsKey("inf-d/moving"), "the object to enter the selection");
    cms.patch("inf-d", "moving", io.bosun.client.PatchType.MERGE, "{\"metadata\":{\"labels\":{\"team\":\"c\"}}}");
    await(WAIT, () -> !view.objects.containsKey("inf-d/moving"), "the object to leave the selection");
    assertThat(view.log).containsExactly("add moving", "delete moving");
  }

  @Test
  void factorySharesInformersAndCloses() {
    factory = new SharedInformerFactory(client, Duration.ofMinutes(1));
    SharedIndexInformer<ConfigMap> a = factory.informerFor(ConfigMap.class);
    assertThat(factory.informerFor(ConfigMap.class)).isSameAs(a);
    assertThat(factory.informerFor(ConfigMap.class, InformerScope.ALL)).isSameAs(a);
    assertThat(factory.informerFor(ConfigMap.class, InformerScope.namespace("x"))).isNotSameAs(a);
    assertThat(a.type()).isEqualTo(ConfigMap.class);
    factory.start();
    factory.start();
    assertThat(factory.waitForCacheSync(WAIT)).isTrue();
    // Informers asked for after start() wait for the next start(), as in client-go.
    SharedIndexInformer<Pod> later = factory.informerFor(Pod.class);
    assertThat(later.waitForCacheSync(Duration.ofMillis(300))).isFalse();
    factory.start();
    assertThat(later.waitForCacheSync(WAIT)).isTrue();
    factory.close();
    factory.close();
    assertThatThrownBy(() -> factory.informerFor(Pod.class)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> a.addEventHandler(new View<>())).isInstanceOf(IllegalStateException.class);
  }

  private static <T extends KubernetesObject> void assertMatchesServer(SharedIndexInformer<T> informer, View<T> view,
      String namespace) {
    Map<String, String> server = new HashMap<>();
    for (T obj : client.resources(informer.type()).list(namespace, ListOptions.none()).items()) {
      server.put(Keys.of(obj), obj.getMetadata().getResourceVersion());
    }
    Map<String, String> cache = new HashMap<>();
    for (T obj : informer.indexer().list()) {
      cache.put(Keys.of(obj), obj.getMetadata().getResourceVersion());
    }
    Map<String, String> handler = new HashMap<>();
    view.objects.forEach((k, v) -> handler.put(k, v.getMetadata().getResourceVersion()));
    assertThat(cache).isEqualTo(server);
    assertThat(handler).isEqualTo(server);
  }

  private static Set<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
  }

  /** Keeps the state the handler was told about, and a log of what it was told. */
  static final class View<T extends KubernetesObject> implements ResourceEventHandler<T> {
    final Map<String, T> objects = new ConcurrentHashMap<>();
    final List<String> log = new CopyOnWriteArrayList<>();

    @Override
    public void onAdd(T obj, boolean isInInitialList) {
      objects.put(Keys.of(obj), obj);
      log.add("add " + obj.getMetadata().getName() + (isInInitialList ? " initial" : ""));
    }

    @Override
    public void onUpdate(T oldObj, T newObj) {
      objects.put(Keys.of(newObj), newObj);
      boolean same = oldObj.getMetadata().getResourceVersion().equals(newObj.getMetadata().getResourceVersion());
      log.add((same ? "resync " : "update ") + newObj.getMetadata().getName());
    }

    @Override
    public void onDelete(T obj) {
      objects.remove(Keys.of(obj));
      log.add("delete " + obj.getMetadata().getName());
    }

    @Override
    public void onDeleteFinalStateUnknown(DeletedFinalStateUnknown<T> tombstone) {
      objects.remove(tombstone.key());
      log.add("tombstone " + tombstone.object().getMetadata().getName());
    }
  }
}
