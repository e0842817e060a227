package io.bosun.kubelet;

import io.bosun.api.coordination.v1.Lease;
import io.bosun.api.coordination.v1.LeaseSpec;
import io.bosun.api.core.v1.DaemonEndpoint;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeAddress;
import io.bosun.api.core.v1.NodeCondition;
import io.bosun.api.core.v1.NodeDaemonEndpoints;
import io.bosun.api.core.v1.NodeRuntimeHandler;
import io.bosun.api.core.v1.NodeSpec;
import io.bosun.api.core.v1.NodeStatus;
import io.bosun.api.core.v1.NodeSystemInfo;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.api.values.Quantity;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientException;
import io.bosun.client.ClientStatusException;
import io.bosun.client.PatchType;
import io.bosun.runtime.spi.RuntimeStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Node side of the kubelet: registers the Node (labels, taints, annotations), renews its Lease
 * in {@code kube-node-lease} every quarter of the lease duration, and posts the Node's status
 * (capacity and allocatable from the machine, addresses, conditions, node info, the kubelet's
 * endpoint, runtime handlers) every {@code nodeStatusUpdateFrequency} and at once when something
 * it reports changes. A deleted Node is registered again. One thread, {@code bosun-kubelet-node}.
 */
final class NodeManager implements NodeFacts, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeManager.class);
  static final String LEASE_NAMESPACE = "kube-node-lease";
  /** Node annotation: where the kubelet's HTTP server listens, read by the API server's pods/log proxy. */
  static final String KUBELET_ADDRESS = "kubelet.bosun.io/address";

  /** Pressure conditions, from the eviction manager. */
  interface Pressure {
    boolean memory();

    boolean disk();
  }

  private final KubeletConfig config;
  private final ApiClient client;
  private final Runtimes runtimes;
  private final MachineInfo machine;
  private final Clock clock;
  private final IntSupplier kubeletPort;
  private final Pressure pressure;
  private final String nodeIP;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Thread thread;
  private boolean signalled;
  private volatile boolean closed;
  private volatile String nodeUid = "";
  private volatile Map<String, Quantity> allocatable = Map.of();
  /** When the default runtime was last found fine; null before it ever was. */
  private volatile Instant runtimeLastOk;
  /** While a runtime problem is within its grace period: when to look again (and report it). */
  private volatile Instant runtimeRecheck;
  private Lease lease;
  private NodeStatus lastPosted;
  private Instant lastPostedAt = Instant.EPOCH;

  NodeManager(KubeletConfig config, ApiClient client, Runtimes runtimes, MachineInfo machine, Clock clock,
      IntSupplier kubeletPort, Pressure pressure) {
    this.config = config;
    this.client = client;
    this.runtimes = runtimes;
    this.machine = machine;
    this.clock = clock;
    this.kubeletPort = kubeletPort;
    this.pressure = pressure;
    this.nodeIP = config.nodeIP().isEmpty() ? MachineInfo.detectNodeIP(client.config().server()) : config.nodeIP();
    this.allocatable = allocatable(capacity());
    this.thread = Thread.ofPlatform().name("bosun-kubelet-node").daemon().unstarted(this::loop);
  }

  void start() {
    thread.start();
  }

  @Override
  public String nodeIP() {
    return nodeIP;
  }

  @Override
  public Map<String, Quantity> allocatable() {
    return allocatable;
  }

  @Override
  public String nodeUid() {
    return nodeUid;
  }

  /** Asks for a status post now (a runtime or a pressure changed). */
  void signal() {
    lock.lock();
    try {
      signalled = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Stops the loop; the Lease is left to expire, as when a kubelet stops. */
  @Override
  public void close() {
    closed = true;
    signal();
    try {
      thread.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    Duration renew = config.nodeLeaseDuration().dividedBy(4);
    Instant nextLease = Instant.EPOCH;
    Instant nextStatus = Instant.EPOCH;
    int failures = 0;
    while (!closed) {
      Instant now = clock.instant();
      Instant wakeAt;
      boolean asked;
      lock.lock();
      try {
        asked = signalled;
        signalled = false;
      } finally {
        lock.unlock();
      }
      try {
        if (nodeUid.isEmpty()) {
          register();
          nextStatus = Instant.EPOCH;
        }
        if (!now.isBefore(nextLease)) {
          renewLease();
          nextLease = now.plus(renew);
        }
        if (asked || !now.isBefore(nextStatus)) {
          postStatus();
          nextStatus = now.plus(config.nodeStatusUpdateFrequency());
          Instant recheck = runtimeRecheck;
          if (recheck != null && recheck.isBefore(nextStatus)) {
            nextStatus = recheck;
          }
        }
        failures = 0;
        wakeAt = nextLease.isBefore(nextStatus) ? nextLease : nextStatus;
      } catch (ClientException e) {
        failures++;
        if (failures == 1 || failures % 10 == 0) {
          LOG.warn("Node {}: cannot reach the API server ({}); retrying", config.nodeName(), e.getMessage());
        }
        wakeAt = now.plusMillis(Math.min(10_000, 200L << Math.min(failures, 6)));
      } catch (RuntimeException e) {
        failures++;
        LOG.warn("Node {}: status loop failed; retrying", config.nodeName(), e);
        wakeAt = now.plusSeconds(5);
      }
      lock.lock();
      try {
        while (!closed && !signalled) {
          long nanos = Duration.between(clock.instant(), wakeAt).toNanos();
          if (nanos <= 0) {
            break;
          }
          wake.awaitNanos(nanos);
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  // ------------------------------------------------------------------ registration

  private void register() {
    Node node = new Node().withMetadata(new ObjectMeta().withName(config.nodeName()).withLabels(labels())
        .withAnnotations(annotations())).withSpec(new NodeSpec().withTaints(config.registerWithTaints().isEmpty()
        ? null : config.registerWithTaints()));
    Node stored;
    try {
      stored = client.resources(Node.class).create(node);
      LOG.info("Registered node {} (InternalIP {})", config.nodeName(), nodeIP);
    } catch (ClientStatusException e) {
      if (!e.isAlreadyExists()) {
        throw e;
      }
      // Known already (a restart): make sure our labels and annotations are there.
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("labels", labels());
      meta.put("annotations", annotations());
      String patch = new io.bosun.api.codec.ApiCodec().mapper().valueToTree(Map.of("metadata", meta)).toString();
      stored = client.resources(Node.class).patch(null, config.nodeName(), PatchType.MERGE, patch);
      LOG.info("Node {} was registered already; carrying on with it", config.nodeName());
    }
    nodeUid = stored.getMetadata().getUid();
    lease = null;
  }

  private Map<String, String> labels() {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("kubernetes.io/hostname", config.nodeName());
    l.put("kubernetes.io/os", "linux");
    l.put("kubernetes.io/arch", MachineInfo.arch());
    l.put("beta.kubernetes.io/os", "linux");
    l.put("beta.kubernetes.io/arch", MachineInfo.arch());
    if (config.controlPlaneRole()) {
      l.put("node-role.kubernetes.io/control-plane", "");
    }
    l.putAll(config.nodeLabels());
    return l;
  }

  private Map<String, String> annotations() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("node.alpha.kubernetes.io/ttl", "0");
    a.put("volumes.kubernetes.io/controller-managed-attach-detach", "true");
    String address = config.address();
    if (!address.isEmpty() && !address.equals("0.0.0.0") && !address.equals("::") && !address.equals(nodeIP)) {
      a.put(KUBELET_ADDRESS, address);
    }
    return a;
  }

  // ------------------------------------------------------------------ lease

  private void renewLease() {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    for (int attempt = 0; attempt < 3; attempt++) {
      if (lease == null) {
        Optional<Lease> existing = client.resources(Lease.class).get(LEASE_NAMESPACE, config.nodeName());
        if (existing.isEmpty()) {
          Lease l = new Lease().withMetadata(new ObjectMeta().withName(config.nodeName()).withNamespace(LEASE_NAMESPACE)
              .withOwnerReferences(List.of(new OwnerReference().withApiVersion("v1").withKind("Node")
                  .withName(config.nodeName()).withUid(nodeUid))))
              .withSpec(spec(now));
          try {
            lease = client.resources(Lease.class).create(l);
            return;
          } catch (ClientStatusException e) {
            if (e.isAlreadyExists()) {
              continue;
            }
            throw e;
          }
        }
        lease = existing.get();
      }
      Lease next = lease.deepCopy();
      next.setSpec(spec(now));
      try {
        lease = client.resources(Lease.class).update(next);
        return;
      } catch (ClientStatusException e) {
        lease = null;
        if (!e.isConflict() && !e.isNotFound()) {
          throw e;
        }
      }
    }
  }

  private LeaseSpec spec(Instant now) {
    return new LeaseSpec().withHolderIdentity(config.nodeName())
        .withLeaseDurationSeconds((int) config.nodeLeaseDuration().toSeconds()).withRenewTime(now);
  }

  // ------------------------------------------------------------------ status

  private Map<String, Quantity> capacity() {
    Map<String, Quantity> c = new LinkedHashMap<>();
    c.put("cpu", Quantity.parse(Integer.toString(machine.cpus())));
    c.put("memory", Quantity.parse((machine.memoryBytes() / 1024) + "Ki"));
    c.put("ephemeral-storage", Quantity.parse((machine.diskBytes(config.rootDir()) / 1024) + "Ki"));
    c.put("pods", Quantity.parse(Integer.toString(config.maxPods())));
    return c;
  }

  /** Capacity minus the hard eviction thresholds, as upstream (no system or kube reservations here). */
  private Map<String, Quantity> allocatable(Map<String, Quantity> capacity) {
    Map<String, Quantity> a = new LinkedHashMap<>(capacity);
    for (KubeletConfig.EvictionThreshold t : config.evictionHard()) {
      String resource = t.signal().equals("memory.available") ? "memory" : "ephemeral-storage";
      long cap = capacity.get(resource).longValue();
      long left = Math.max(0, cap - t.bytes(cap));
      a.put(resource, Quantity.parse((left / 1024) + "Ki"));
    }
    return a;
  }

  private void postStatus() {
    Map<String, Quantity> capacity = capacity();
    allocatable = allocatable(capacity);
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<Node> current = client.resources(Node.class).get(null, config.nodeName());
      if (current.isEmpty()) {
        LOG.warn("Node {} was deleted; registering it again", config.nodeName());
        nodeUid = "";
        register();
        continue;
      }
      Node node = current.get();
      nodeUid = node.getMetadata().getUid();
      NodeStatus status = status(node.getStatus(), capacity);
      Node next = node.deepCopy();
      next.setStatus(status);
      try {
        client.resources(Node.class).updateStatus(next);
        if (lastPosted == null || !ready(lastPosted).equals(ready(status))) {
          NodeCondition r = readyCondition(status);
          LOG.info("Node {} is {}{}", config.nodeName(), "True".equals(r.getStatus()) ? "Ready" : "NotReady",
              "True".equals(r.getStatus()) ? "" : ": " + r.getMessage());
        }
        lastPosted = status;
        lastPostedAt = clock.instant();
        return;
      } catch (ClientStatusException e) {
        if (!e.isConflict()) {
          throw e;
        }
      }
    }
  }

  private static String ready(NodeStatus s) {
    NodeCondition c = readyCondition(s);
    return c == null ? "" : c.getStatus();
  }

  private static NodeCondition readyCondition(NodeStatus s) {
    return s.getConditions() == null ? null
        : s.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElse(null);
  }

  private NodeStatus status(NodeStatus previous, Map<String, Quantity> capacity) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    List<NodeCondition> old = previous == null || previous.getConditions() == null ? List.of() : previous.getConditions();
    List<NodeCondition> conditions = new ArrayList<>();
    boolean mem = pressure.memory();
    boolean disk = pressure.disk();
    conditions.add(condition(old, "MemoryPressure", mem, mem ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory",
        mem ? "kubelet has insufficient memory available" : "kubelet has sufficient memory available", now));
    conditions.add(condition(old, "DiskPressure", disk, disk ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure",
        disk ? "kubelet has disk pressure" : "kubelet has no disk pressure", now));
    conditions.add(condition(old, "PIDPressure", false, "KubeletHasSufficientPID", "kubelet has sufficient PID available",
        now));
    String notReady = runtimeProblemBeyondGrace();
    conditions.add(condition(old, "Ready", notReady == null, notReady == null ? "KubeletReady" : "KubeletNotReady",
        notReady == null ? "kubelet is posting ready status" : notReady, now));
    List<NodeAddress> addresses = List.of(new NodeAddress().withType("InternalIP").withAddress(nodeIP),
        new NodeAddress().withType("Hostname").withAddress(machine.hostname()));
    String runtimeVersion = runtimes.byName(config.runtime()).map(e -> e.runtime().version().nodeInfo())
        .orElse(config.runtime() + "://unknown");
    NodeSystemInfo info = new NodeSystemInfo().withMachineID(machine.machineId()).withSystemUUID(machine.systemUuid())
        .withBootID(machine.bootId()).withKernelVersion(machine.kernelVersion()).withOsImage(machine.osImage())
        .withContainerRuntimeVersion(runtimeVersion).withKubeletVersion(KubeletConfig.KUBELET_VERSION)
        .withKubeProxyVersion("").withOperatingSystem("linux").withArchitecture(MachineInfo.arch());
    TreeSet<String> handlers = new TreeSet<>();
    runtimes.all().forEach(e -> handlers.addAll(e.handlers()));
    NodeStatus s = new NodeStatus().withCapacity(capacity).withAllocatable(allocatable).withConditions(conditions)
        .withAddresses(addresses)
        .withDaemonEndpoints(new NodeDaemonEndpoints().withKubeletEndpoint(new DaemonEndpoint()
            .withPort(kubeletPort.getAsInt())))
        .withNodeInfo(info)
        .withRuntimeHandlers(handlers.stream().map(h -> new NodeRuntimeHandler().withName(h)).toList());
    if (previous != null) {
      s.setImages(previous.getImages());
      s.setVolumesAttached(previous.getVolumesAttached());
      s.setVolumesInUse(previous.getVolumesInUse());
    }
    return s;
  }

  /**
   * {@link #runtimeProblem()}, but only once it has lasted {@code runtimeDownGracePeriod} since the
   * runtime was last fine (as upstream's runtime state, which reports the runtime down only when no
   * check succeeded for {@code maxWaitForContainerRuntime}). Before the runtime was ever fine, at once.
   */
  private String runtimeProblemBeyondGrace() {
    String problem = runtimeProblem();
    Instant now = clock.instant();
    Instant lastOk = runtimeLastOk;
    if (problem == null) {
      runtimeLastOk = now;
      runtimeRecheck = null;
      return null;
    }
    if (lastOk != null && now.isBefore(lastOk.plus(config.runtimeDownGracePeriod()))) {
      if (runtimeRecheck == null) {
        LOG.info("Node {}: {}; still Ready for up to {} s", config.nodeName(), problem,
            config.runtimeDownGracePeriod().toSeconds());
      }
      runtimeRecheck = lastOk.plus(config.runtimeDownGracePeriod());
      return null;
    }
    runtimeRecheck = null;
    return problem;
  }

  /** Why the node is not ready (its default runtime is missing or unhealthy); null when it is. */
  private String runtimeProblem() {
    Optional<Runtimes.Entry> def = runtimes.byName(config.runtime());
    if (def.isEmpty()) {
      return "container runtime is down: no runtime named " + config.runtime() + " is installed";
    }
    RuntimeStatus rs;
    try {
      rs = def.get().runtime().status();
    } catch (RuntimeException e) {
      return "container runtime status check may not have completed yet: " + e.getMessage();
    }
    if (!rs.runtimeReady()) {
      return "container runtime is down: " + rs.message();
    }
    if (!rs.networkReady()) {
      return "container runtime network not ready: " + rs.message();
    }
    return null;
  }

  private static NodeCondition condition(List<NodeCondition> old, String type, boolean status, String reason,
      String message, Instant now) {
    String value = status ? "True" : "False";
    Instant transition = now;
    for (NodeCondition c : old) {
      if (c.getType().equals(type) && value.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
        transition = c.getLastTransitionTime();
      }
    }
    return new NodeCondition().withType(type).withStatus(value).withReason(reason).withMessage(message)
        .withLastHeartbeatTime(now).withLastTransitionTime(transition);
  }

  /** When the status was last posted; for tests. */
  Instant lastPostedAt() {
    return lastPostedAt;
  }
}
