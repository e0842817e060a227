package io.bosun.controllers.core.endpoints;

import static io.bosun.controllers.core.testing.Harness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerPort;
import io.bosun.api.core.v1.EndpointAddress;
import io.bosun.api.core.v1.EndpointSubset;
import io.bosun.api.core.v1.Endpoints;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.Service;
import io.bosun.api.core.v1.ServicePort;
import io.bosun.api.core.v1.ServiceSpec;
import io.bosun.api.discovery.v1.Endpoint;
import io.bosun.api.discovery.v1.EndpointSlice;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.values.IntOrString;
import io.bosun.client.ListOptions;
import io.bosun.controller.Pods;
import io.bosun.controller.testing.FakeNodes;
import io.bosun.controllers.core.gc.GarbageCollector;
import io.bosun.controllers.core.testing.Harness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Endpoints and EndpointSlices from Services and pods run by fake nodes. */
class EndpointsControllerTest {

  @TempDir
  static Path dir;
  static Harness h;
  static FakeNodes nodes;

  @BeforeAll
  static void start() throws Exception {
    // Three endpoints per slice, so that splitting shows with few pods.
    h = new Harness(dir, List.of(new EndpointsController(), new EndpointSliceController(3), new GarbageCollector()));
    nodes = h.nodes(2);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static Pod pod(String ns, String name, Map<String, String> labels, int httpPort) {
    return h.client.pods().create(new Pod().withMetadata(new ObjectMeta().withNamespace(ns).withName(name).withLabels(labels))
        .withSpec(new PodSpec().withContainers(List.of(new Container().withName("web").withImage("nginx")
            .withPorts(List.of(new ContainerPort().withName("http").withContainerPort(httpPort).withProtocol("TCP")))))));
  }

  static Service service(String ns, String name, boolean publishNotReady, String clusterIp) {
    ServiceSpec spec = new ServiceSpec().withSelector(Map.of("app", name)).withPublishNotReadyAddresses(publishNotReady)
        .withPorts(List.of(
            new ServicePort().withName("http").withPort(80).withTargetPort(IntOrString.of("http")).withProtocol("TCP"),
            new ServicePort().withName("metrics").withPort(9090).withTargetPort(IntOrString.of(9091)).withProtocol("TCP")));
    if (clusterIp != null) {
      spec.setClusterIP(clusterIp);
    }
    return h.client.resources(Service.class).create(new Service()
        .withMetadata(new ObjectMeta().withNamespace(ns).withName(name).withLabels(Map.of("team", "blue"))).withSpec(spec));
  }

  static Optional<Endpoints> endpoints(String ns, String name) {
    return h.client.resources(Endpoints.class).get(ns, name);
  }

  static List<EndpointSlice> slices(String ns, String svc) {
    return h.client.resources(EndpointSlice.class).list(ns, ListOptions.none().withLabelSelector("kubernetes.io/service-name=" + svc))
        .items();
  }

  static List<String> ips(List<EndpointAddress> a) {
    return a == null ? List.of() : a.stream().map(EndpointAddress::getIp).sorted().toList();
  }

  /** Distinct ready addresses over all subsets (an address is in one subset per distinct port set). */
  static List<String> readyIps(String ns, String name) {
    return endpoints(ns, name).map(e -> e.getSubsets() == null ? List.<String>of()
        : e.getSubsets().stream().flatMap(s -> ips(s.getAddresses()).stream()).distinct().sorted().toList()).orElse(List.of());
  }

  static List<String> notReadyIps(String ns, String name) {
    return endpoints(ns, name).map(e -> e.getSubsets() == null ? List.<String>of()
        : e.getSubsets().stream().flatMap(s -> ips(s.getNotReadyAddresses()).stream()).distinct().sorted().toList())
        .orElse(List.of());
  }

  static List<Pod> runningPods(String ns) {
    return h.client.pods().list(ns, ListOptions.none()).items().stream()
        .filter(p -> "Running".equals(Pods.phase(p)) && Pods.isReady(p)).toList();
  }

  static List<Endpoint> sliceEndpoints(String ns, String svc) {
    return slices(ns, svc).stream().flatMap(s -> s.getEndpoints() == null ? java.util.stream.Stream.<Endpoint>empty()
        : s.getEndpoints().stream()).toList();
  }

  @Test
  void readyAndUnreadyPodsWithNamedPorts() {
    String ns = h.namespace("ep-basic");
    Service svc = service(ns, "web", false, null);
    List<Pod> created = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      created.add(pod(ns, "web-" + i, Map.of("app", "web"), 8080));
    }
    pod(ns, "other", Map.of("app", "other"), 8080);
    await(() -> runningPods(ns).size() == 3, () -> "pods running");
    List<String> webIps = runningPods(ns).stream().filter(p -> p.getMetadata().getName().startsWith("web-"))
        .map(p -> p.getStatus().getPodIP()).sorted().toList();
    await(() -> readyIps(ns, "web").equals(webIps), () -> "ready addresses: " + endpoints(ns, "web"));
    Endpoints ep = endpoints(ns, "web").orElseThrow();
    assertThat(ep.getMetadata().getLabels()).containsEntry("team", "blue").doesNotContainKey("service.kubernetes.io/headless");
    assertThat(ep.getSubsets()).singleElement().satisfies(s -> {
      assertThat(s.getPorts()).extracting(p -> p.getName() + ":" + p.getPort()).containsExactlyInAnyOrder("http:8080", "metrics:9091");
      assertThat(s.getAddresses()).allSatisfy(a -> {
        assertThat(a.getTargetRef().getKind()).isEqualTo("Pod");
        assertThat(a.getNodeName()).startsWith("node-");
      });
    });
    // The slices say the same.
    await(() -> sliceEndpoints(ns, "web").size() == 2, () -> "slice endpoints: " + slices(ns, "web"));
    EndpointSlice slice = slices(ns, "web").get(0);
    assertThat(slice.getAddressType()).isEqualTo("IPv4");
    assertThat(slice.getMetadata().getLabels()).containsEntry("endpointslice.kubernetes.io/managed-by",
        "endpointslice-controller.k8s.io").containsEntry("team", "blue");
    assertThat(slice.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(r -> assertThat(r.getUid()).isEqualTo(svc.getMetadata().getUid()));
    assertThat(slice.getPorts()).extracting(p -> p.getName() + ":" + p.getPort()).containsExactlyInAnyOrder("http:8080", "metrics:9091");
    assertThat(slice.getEndpoints()).allSatisfy(e -> {
      assertThat(e.getConditions().getReady()).isTrue();
      assertThat(e.getConditions().getServing()).isTrue();
      assertThat(e.getConditions().getTerminating()).isFalse();
    });

    // One pod stops being ready: it moves to notReadyAddresses and its slice endpoint is not ready.
    Pod first = created.get(0);
    String firstIp = h.client.pods().get(ns, first.getMetadata().getName()).orElseThrow().getStatus().getPodIP();
    nodes.setReady(first, false);
    await(() -> notReadyIps(ns, "web").equals(List.of(firstIp)) && readyIps(ns, "web").size() == 1,
        () -> "not ready: " + endpoints(ns, "web"));
    await(() -> sliceEndpoints(ns, "web").stream().anyMatch(e -> e.getAddresses().contains(firstIp)
        && !e.getConditions().getReady() && !e.getConditions().getServing()), () -> "slice: " + slices(ns, "web"));
    nodes.setReady(first, true);
    await(() -> readyIps(ns, "web").size() == 2, () -> "ready again");
  }

  @Test
  void publishNotReadyAddressesAndTerminatingPods() {
    String ns = h.namespace("ep-publish");
    service(ns, "db", true, "None");
    Pod p = pod(ns, "db-0", Map.of("app", "db"), 5432);
    nodes.setReady(p, false);
    await(() -> h.client.pods().get(ns, "db-0").map(x -> "Running".equals(Pods.phase(x))).orElse(false), () -> "running");
    String ip = h.client.pods().get(ns, "db-0").orElseThrow().getStatus().getPodIP();
    await(() -> readyIps(ns, "db").equals(List.of(ip)), () -> "published although not ready: " + endpoints(ns, "db"));
    assertThat(endpoints(ns, "db").orElseThrow().getMetadata().getLabels()).containsKey("service.kubernetes.io/headless");
    await(() -> sliceEndpoints(ns, "db").size() == 1 && sliceEndpoints(ns, "db").get(0).getConditions().getReady(),
        () -> "slice endpoint ready: " + slices(ns, "db"));
    assertThat(sliceEndpoints(ns, "db").get(0).getConditions().getServing()).isFalse();
    // A terminating pod stays (publishNotReadyAddresses), marked terminating in its slice.
    nodes.setFinalizingDeletes(false);
    try {
      h.client.pods().delete(ns, "db-0", null);
      await(() -> sliceEndpoints(ns, "db").size() == 1 && sliceEndpoints(ns, "db").get(0).getConditions().getTerminating(),
          () -> "terminating: " + slices(ns, "db"));
      assertThat(readyIps(ns, "db")).containsExactly(ip);
    } finally {
      nodes.setFinalizingDeletes(true);
    }
    await(() -> readyIps(ns, "db").isEmpty() && sliceEndpoints(ns, "db").isEmpty(), () -> "gone: " + endpoints(ns, "db"));
  }

  @Test
  void podsWithDifferentPortsAreRepackedAndSlicesHoldAtMostTheirMaximum() {
    String ns = h.namespace("ep-split");
    service(ns, "api", false, null);
    for (int i = 0; i < 5; i++) {
      pod(ns, "api-a" + i, Map.of("app", "api"), 8080);
    }
    pod(ns, "api-b", Map.of("app", "api"), 8081);
    await(() -> runningPods(ns).size() == 6, () -> "pods running");
    await(() -> readyIps(ns, "api").size() == 6, () -> "six addresses: " + endpoints(ns, "api"));
    // As upstream's RepackSubsets: one subset per set of addresses offering the same ports.
    List<EndpointSubset> subsets = endpoints(ns, "api").orElseThrow().getSubsets();
    Map<String, Integer> sizeByPorts = subsets.stream().collect(Collectors.toMap(
        s -> s.getPorts().stream().map(p -> p.getName() + ":" + p.getPort()).sorted().collect(Collectors.joining(",")),
        s -> s.getAddresses().size()));
    assertThat(sizeByPorts).containsExactlyInAnyOrderEntriesOf(Map.of("http:8080", 5, "http:8081", 1, "metrics:9091", 6));
    await(() -> sliceEndpoints(ns, "api").size() == 6, () -> "slices: " + slices(ns, "api"));
    List<EndpointSlice> slices = slices(ns, "api");
    // 5 pods with port 8080 need two slices of at most 3; the pod with 8081 has its own.
    assertThat(slices).hasSize(3);
    assertThat(slices).allSatisfy(s -> assertThat(s.getEndpoints().size()).isLessThanOrEqualTo(3));
    Map<Integer, Integer> byPort = slices.stream().collect(Collectors.groupingBy(
        s -> s.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst().orElseThrow().getPort(),
        Collectors.summingInt(s -> s.getEndpoints().size())));
    assertThat(byPort).containsEntry(8080, 5).containsEntry(8081, 1);
  }

  @Test
  void deletingTheServiceRemovesItsEndpointsAndSlices() {
    String ns = h.namespace("ep-delete");
    service(ns, "tmp", false, null);
    pod(ns, "tmp-0", Map.of("app", "tmp"), 8080);
    await(() -> readyIps(ns, "tmp").size() == 1 && sliceEndpoints(ns, "tmp").size() == 1, () -> "endpoints");
    h.client.resources(Service.class).delete(ns, "tmp", null);
    await(() -> endpoints(ns, "tmp").isEmpty() && slices(ns, "tmp").isEmpty(), () -> "removed: " + slices(ns, "tmp"));
  }

  @Test
  void serviceWithoutPodsHasAnEmptyEndpointsAndAPlaceholderSlice() {
    String ns = h.namespace("ep-empty");
    service(ns, "lonely", false, null);
    await(() -> endpoints(ns, "lonely").isPresent() && slices(ns, "lonely").size() == 1, () -> "placeholder");
    assertThat(endpoints(ns, "lonely").orElseThrow().getSubsets()).isNullOrEmpty();
    assertThat(slices(ns, "lonely").get(0).getEndpoints()).isNullOrEmpty();
  }
}
