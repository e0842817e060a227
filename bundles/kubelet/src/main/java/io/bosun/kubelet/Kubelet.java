package io.bosun.kubelet;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientConfig;
import io.bosun.client.informer.EventHandlerRegistration;
import io.bosun.client.informer.InformerScope;
import io.bosun.client.informer.ResourceEventHandler;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.informer.SharedInformerFactory;
import io.bosun.runtime.spi.ContainerFilter;
import io.bosun.runtime.spi.ContainerRuntimeException;
import io.bosun.runtime.spi.ContainerService;
import io.bosun.runtime.spi.ContainerStatus;
import io.bosun.runtime.spi.Labels;
import io.bosun.runtime.spi.SandboxFilter;
import io.bosun.runtime.spi.SandboxStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet: one node's agent. Plain Java, so tests run it against an in-process API server;
 * {@link KubeletComponent} runs it in OSGi.
 *
 * <p>What runs where: pods come from an informer on pods bound to this node
 * ({@code spec.nodeName=<node>}) and from the static pod folder ({@link PodManager}); each pod has a
 * worker ({@link PodWorkers}) running {@link PodSyncer}; workers are woken by pod changes, by
 * container changes (runtime events, and a relist every {@code relistPeriod}, upstream's PLEG), by
 * probe results ({@link ProbeManager}) and by changes of the ConfigMaps and Secrets their pods use
 * ({@link ObjectLookup}). {@link NodeManager} registers the Node, renews its Lease and posts its
 * status; {@link KubeletServer} serves container logs; a housekeeping thread relists, reads static
 * pods, rotates logs ({@link LogRotator}), checks eviction thresholds ({@link EvictionManager}) and
 * cleans up pods that no source knows any more.
 *
 * <p>Restarts: the kubelet keeps no state of its own. A new kubelet (bundle update, node process
 * restart) lists the runtimes' sandboxes and containers and carries on with them: running
 * containers are not restarted, restart counts come from the containers' attempts. {@link #close()}
 * stops the kubelet's threads only, never containers.
 */
public final class Kubelet implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Kubelet.class);
  /** The user agent (and so the field manager) of the kubelet's writes, as upstream's. */
  public static final String USER_AGENT = "kubelet/" + KubeletConfig.KUBELET_VERSION;

  private final KubeletConfig config;
  private final ClientConfig clientConfig;
  private final Runtimes runtimes;
  private final Clock clock;
  private final MachineInfo machine;
  private final EvictionManager.Observer evictionObserver;
  private ApiClient client;
  private SharedInformerFactory informers;
  private PodManager pods;
  private PodWorkers workers;
  private ProbeManager probes;
  private Prober prober;
  private NodeManager node;
  private KubeletServer server;
  private EvictionManager eviction;
  private ScheduledExecutorService housekeeping;
  private SharedIndexInformer<Pod> podInformer;
  /** The handler feeding {@link #pods}: synced once it was given every pod of the first list. */
  private volatile EventHandlerRegistration podHandler;
  private StaticPods staticPods;
  private final Map<String, ContainerService.Registration> subscriptions = new ConcurrentHashMap<>();
  /** The last relist: container id → state, and container id → pod uid. */
  private final Map<String, String> relisted = new HashMap<>();
  private final Map<String, String> relistedPod = new HashMap<>();
  private volatile boolean staticPodsRead;
  private volatile boolean closed;

  /**
   * @param clientConfig how to reach the API server; the kubelet makes its own client from it, named
   *                     {@value #USER_AGENT}
   * @param runtimes     the runtimes; more may be added and removed while the kubelet runs
   */
  public Kubelet(KubeletConfig config, ClientConfig clientConfig, Runtimes runtimes, Clock clock) {
    this(config, clientConfig, runtimes, clock, new MachineInfo(), null);
  }

  Kubelet(KubeletConfig config, ClientConfig clientConfig, Runtimes runtimes, Clock clock, MachineInfo machine,
      EvictionManager.Observer evictionObserver) {
    this.config = config;
    this.clientConfig = clientConfig;
    this.runtimes = runtimes;
    this.clock = clock;
    this.machine = machine;
    this.evictionObserver = evictionObserver != null ? evictionObserver
        : EvictionManager.machine(machine, config.rootDir());
  }

  /**
   * Starts everything; returns once the HTTP port is bound and the informers run (the Node registers
   * in the background, and keeps trying while the API server is unreachable).
   *
   * @throws UncheckedIOException if the kubelet's folders cannot be made
   * @throws IllegalStateException if the HTTP server cannot start
   */
  public void start() {
    try {
      Files.createDirectories(config.rootDir());
      Files.createDirectories(config.podLogsDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the kubelet's folders", e);
    }
    client = ApiClient.create(clientConfig.withUserAgent(USER_AGENT));
    informers = new SharedInformerFactory(client);
    Backoff backoff = new Backoff(clock, config.crashLoopBackOffInitial(), config.crashLoopBackOffMax());
    pods = new PodManager(uid -> dispatch(uid));
    ObjectLookup lookup = new ObjectLookup(client, informers, this::referencedChanged);
    prober = new Prober();
    probes = new ProbeManager(prober, clock, this::probeTarget, this::dispatch);
    Volumes volumes = new Volumes(config.rootDir(), lookup);
    LogPaths logPaths = new LogPaths(config.podLogsDir());
    // The node's facts are needed by the syncer; the node manager needs the server's port: a holder breaks the cycle.
    NodeFacts facts = new NodeFacts() {
      public String nodeIP() {
        return node.nodeIP();
      }

      public Map<String, io.bosun.api.values.Quantity> allocatable() {
        return node.allocatable();
      }

      public String nodeUid() {
        return node.nodeUid();
      }
    };
    PodSyncer syncer = new PodSyncer(config, client, runtimes, pods, lookup, volumes, probes, prober, backoff, logPaths,
        facts, this::sourcesReady, clock);
    workers = new PodWorkers(syncer, clock);
    eviction = new EvictionManager(config, evictionObserver, clock, () -> workers.states(), pods,
        s -> workers.dispatch(s.uid), () -> {
          if (node != null) {
            node.signal();
          }
        });
    server = startServer(new ContainerLogs(pods, workers, runtimes, clock));
    node = new NodeManager(config, client, runtimes, machine, clock, server::port, eviction);

    runtimes.onChange(this::runtimesChanged);
    runtimesChanged();

    podInformer = informers.informerFor(Pod.class, InformerScope.ALL.withFieldSelector("spec.nodeName="
        + config.nodeName()));
    podHandler = podInformer.addEventHandler(new ResourceEventHandler<Pod>() {
      @Override
      public void onAdd(Pod pod, boolean initial) {
        pods.apiUpsert(pod);
      }

      @Override
      public void onUpdate(Pod oldPod, Pod pod) {
        pods.apiUpsert(pod);
      }

      @Override
      public void onDelete(Pod pod) {
        pods.apiDelete(pod);
      }
    });
    informers.start();
    node.start();
    if (config.staticPodPath() != null) {
      staticPods = new StaticPods(config.staticPodPath(), config.nodeName(), pods, clock);
    }
    housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bosun-kubelet-housekeeping");
      t.setDaemon(true);
      return t;
    });
    schedule(this::readStaticPods, Duration.ZERO, config.staticPodCheckPeriod());
    schedule(this::relist, config.relistPeriod(), config.relistPeriod());
    schedule(this::cleanupOrphans, Duration.ofSeconds(2), Duration.ofSeconds(10));
    schedule(new LogRotator(runtimes, config.containerLogMaxSize(), config.containerLogMaxFiles(), clock)::rotateAll,
        config.logRotationPeriod(), config.logRotationPeriod());
    schedule(eviction::check, config.evictionMonitoringPeriod(), config.evictionMonitoringPeriod());
    schedule(backoff::gc, Duration.ofMinutes(1), Duration.ofMinutes(1));
    schedule(workers::dispatchAll, config.syncFrequency(), config.syncFrequency());
    LOG.info("Kubelet {} started: node {}, runtime {}, logs on port {}", KubeletConfig.KUBELET_VERSION,
        config.nodeName(), config.runtime(), server.port());
  }

  private KubeletServer startServer(ContainerLogs logs) {
    try {
      return new KubeletServer(config.address(), config.port(), logs).start();
    } catch (Exception e) {
      if (config.port() != 0 && (e instanceof BindException || e.getCause() instanceof BindException
          || String.valueOf(e.getMessage()).contains("Failed to bind"))) {
        // Another kubelet on this machine has the port (several nodes on one host): take any free one;
        // the Node's status says which.
        LOG.warn("Kubelet port {}:{} is in use; serving on a free port instead", config.address(), config.port());
        try {
          return new KubeletServer(config.address(), 0, logs).start();
        } catch (Exception e2) {
          throw new IllegalStateException("cannot start the kubelet's HTTP server", e2);
        }
      }
      throw new IllegalStateException("cannot start the kubelet's HTTP server on " + config.address() + ":"
          + config.port(), e);
    }
  }

  private void schedule(Runnable task, Duration initial, Duration period) {
    housekeeping.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("Kubelet housekeeping task failed", e);
      }
    }, initial.toMillis(), Math.max(1, period.toMillis()), TimeUnit.MILLISECONDS);
  }

  /** The port the kubelet's HTTP server listens on. */
  public int port() {
    return server.port();
  }

  /** The node's name. */
  public String nodeName() {
    return config.nodeName();
  }

  /** The runtimes this kubelet uses. */
  public Runtimes runtimes() {
    return runtimes;
  }

  /** How many pods have a worker (running, or being torn down). */
  public int podCount() {
    return workers.states().size();
  }

  private void dispatch(String uid) {
    if (!closed && workers != null) {
      workers.dispatch(uid);
    }
  }

  private ProbeManager.Target probeTarget(String uid) {
    return workers.state(uid).flatMap(s -> runtimes.byName(s.runtime).map(e -> new ProbeManager.Target(e.runtime(),
        s.podIP.isEmpty() ? node.nodeIP() : s.podIP))).orElse(null);
  }

  /** A ConfigMap or Secret changed: pods of its namespace sync (their volumes and environment may use it). */
  private void referencedChanged(KubernetesObject obj) {
    String ns = obj.getMetadata().getNamespace();
    for (Pod p : pods.all()) {
      if (ns != null && ns.equals(p.getMetadata().getNamespace())) {
        dispatch(p.getMetadata().getUid());
      }
    }
  }

  private void runtimesChanged() {
    Set<String> present = new HashSet<>();
    for (Runtimes.Entry e : runtimes.all()) {
      present.add(e.name());
      subscriptions.computeIfAbsent(e.name(), n -> e.runtime().containers().subscribe(ev -> {
        if (!ev.podUid().isEmpty()) {
          dispatch(ev.podUid());
        }
      }));
    }
    subscriptions.keySet().removeIf(n -> {
      if (!present.contains(n)) {
        subscriptions.get(n).close();
        return true;
      }
      return false;
    });
    if (workers != null) {
      workers.dispatchAll();
    }
    if (node != null) {
      node.signal();
    }
  }

  /**
   * Whether every pod source has delivered its pods once: only then may an unknown pod be torn down.
   * The pod handler's sync, not the informer's: the informer's cache is full before its handler
   * thread has put every pod into the pod manager, and a pod worker in between took a running pod
   * for one no longer bound here (a kubelet update restarted pods).
   */
  private boolean sourcesReady() {
    EventHandlerRegistration handler = podHandler;
    return handler != null && handler.hasSynced() && staticPodsRead;
  }

  /** How many relists ran; for tests. */
  long relistCount() {
    return relists;
  }

  private volatile long relists;

  private void readStaticPods() {
    if (staticPods != null) {
      staticPods.scan();
    }
    staticPodsRead = true;
  }

  /** Upstream's PLEG: a relist of every runtime's containers; a pod whose containers changed syncs. */
  private void relist() {
    relists++;
    Map<String, String> now = new HashMap<>();
    Map<String, String> podOf = new HashMap<>();
    for (Runtimes.Entry e : runtimes.all()) {
      List<ContainerStatus> all;
      try {
        all = e.runtime().containers().list(ContainerFilter.ALL);
      } catch (ContainerRuntimeException ex) {
        continue;
      }
      for (ContainerStatus c : all) {
        now.put(c.id(), c.state().name());
        podOf.put(c.id(), c.labels().getOrDefault(Labels.POD_UID, ""));
      }
    }
    Set<String> changed = new HashSet<>();
    now.forEach((id, state) -> {
      if (!state.equals(relisted.get(id))) {
        changed.add(podOf.get(id));
      }
    });
    relisted.forEach((id, state) -> {
      if (!now.containsKey(id)) {
        changed.add(relistedPod.getOrDefault(id, ""));
      }
    });
    relisted.clear();
    relisted.putAll(now);
    relistedPod.clear();
    relistedPod.putAll(podOf);
    changed.remove("");
    changed.forEach(this::dispatch);
  }

  /**
   * Sandboxes of pods no source knows (deleted while the kubelet was down): their pods get a worker,
   * which finds the pod gone and tears it down. Only once the pod informer has synced and the static
   * folder was read, so a kubelet that cannot reach the API server kills nothing.
   */
  private void cleanupOrphans() {
    if (!sourcesReady()) {
      return;
    }
    Set<String> known = pods.uids();
    for (Runtimes.Entry e : runtimes.all()) {
      List<SandboxStatus> sandboxes;
      try {
        sandboxes = e.runtime().sandboxes().list(SandboxFilter.ALL);
      } catch (ContainerRuntimeException ex) {
        continue;
      }
      for (SandboxStatus sb : sandboxes) {
        String uid = sb.labels().getOrDefault(Labels.POD_UID, sb.uid());
        if (!known.contains(uid) && workers.state(uid).isEmpty()) {
          LOG.info("Cleaning up pod {}/{} ({}): no longer bound to this node", sb.namespace(), sb.name(), uid);
          dispatch(uid);
        }
      }
    }
  }

  /**
   * Stops the kubelet: housekeeping, informers, pod and probe workers, the HTTP server, the node
   * loop and its client. Containers keep running. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (housekeeping != null) {
      housekeeping.shutdownNow();
      try {
        housekeeping.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    subscriptions.values().forEach(ContainerService.Registration::close);
    subscriptions.clear();
    if (informers != null) {
      informers.close();
    }
    if (workers != null) {
      workers.close();
    }
    if (probes != null) {
      probes.close();
    }
    if (prober != null) {
      prober.close(); // after the pod workers: their preStop httpGet hooks use it
    }
    if (server != null) {
      server.close();
    }
    if (node != null) {
      node.close();
    }
    if (client != null) {
      client.close();
    }
    LOG.info("Kubelet for node {} stopped (containers left running)", config.nodeName());
  }
}
