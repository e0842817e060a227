package io.bosun.scheduler.runtime;

import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.scheduling.v1.PriorityClass;
import io.bosun.client.ApiClient;
import io.bosun.client.informer.EventHandlerRegistration;
import io.bosun.client.informer.InformerScope;
import io.bosun.client.informer.ResourceEventHandler;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.informer.SharedInformerFactory;
import io.bosun.client.leaderelection.LeaderCallbacks;
import io.bosun.client.leaderelection.LeaderElectionConfig;
import io.bosun.client.leaderelection.LeaderElector;
import io.bosun.scheduler.core.Scheduler;
import io.bosun.scheduler.core.SchedulerMetrics;
import io.bosun.scheduler.framework.DelegatingServices;
import io.bosun.scheduler.framework.ParallelizerImpl;
import io.bosun.scheduler.framework.ProfileManager;
import io.bosun.scheduler.framework.ProfileSet;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership, informer wiring, the profiles ConfigMap and the status ConfigMap around one
 * {@link Scheduler} engine: the engine runs only while this instance leads (or always, without
 * leader election) and is fed by the pod and node informers, whose cached state it replays when it
 * starts. Created and closed by the component; a settings change replaces it.
 */
final class SchedulerRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SchedulerRuntime.class);

  private final RuntimeSettings settings;
  private final ApiClient client;
  private final SharedInformerFactory informers;
  private final ClientClusterPort port;
  private final ProfileManager profiles;
  private final DelegatingServices services;
  private final ParallelizerImpl parallelizer;
  private final SchedulerMetrics metrics;
  private final Clock clock;
  private final ExecutorService control;
  private final ExecutorService statusWriter;
  private final AtomicBoolean statusPending = new AtomicBoolean();
  private final Consumer<ProfileSet> profileListener = s -> requestStatus();
  private final Runnable factoriesListener = this::requestStatus;
  private final SharedIndexInformer<Pod> pods;
  private final SharedIndexInformer<Node> nodes;
  private final SharedIndexInformer<PriorityClass> priorityClasses;
  private EventHandlerRegistration profilesRegistration;
  private LeaderElector elector;
  private volatile boolean leading;
  private volatile Scheduler engine;
  private EventHandlerRegistration podRegistration;
  private EventHandlerRegistration nodeRegistration;
  private volatile boolean closed;

  SchedulerRuntime(RuntimeSettings settings, ApiClient client, SharedInformerFactory informers, ClientClusterPort port,
      ProfileManager profiles, DelegatingServices services, ParallelizerImpl parallelizer, SchedulerMetrics metrics,
      Clock clock) {
    this.settings = settings;
    this.client = client;
    this.informers = informers;
    this.port = port;
    this.profiles = profiles;
    this.services = services;
    this.parallelizer = parallelizer;
    this.metrics = metrics;
    this.clock = clock;
    this.control = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("bosun-scheduler-control").factory());
    this.statusWriter = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("bosun-scheduler-status").factory());
    this.pods = informers.informerFor(Pod.class);
    this.nodes = informers.informerFor(Node.class);
    this.priorityClasses = informers.informerFor(PriorityClass.class);
  }

  void start() {
    if (!settings.profilesConfigMap().isEmpty()) {
      String[] cm = RuntimeSettings.split(settings.profilesConfigMap(), "profilesConfigMap");
      SharedIndexInformer<ConfigMap> maps = informers.informerFor(ConfigMap.class, InformerScope.namespace(cm[0]));
      profilesRegistration = maps.addEventHandler(new ResourceEventHandler<>() {
        @Override
        public void onAdd(ConfigMap obj, boolean initial) {
          apply(obj);
        }

        @Override
        public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
          apply(newObj);
        }

        @Override
        public void onDelete(ConfigMap obj) {
          if (cm[1].equals(obj.getMetadata().getName())) {
            profiles.setConfigMap(null, null);
          }
        }

        private void apply(ConfigMap obj) {
          if (!cm[1].equals(obj.getMetadata().getName())) {
            return;
          }
          Map<String, String> data = obj.getData() == null ? Map.of() : obj.getData();
          profiles.setConfigMap(data.get("profiles"), data.get("policies"));
        }
      });
    }
    profiles.addListener(profileListener);
    profiles.addFactoriesListener(factoriesListener);
    informers.start();
    if (settings.leaderElect()) {
      elector = new LeaderElector(client, new LeaderElectionConfig(settings.leaseNamespace(), settings.leaseName(),
          settings.identity(), settings.leaseDuration(), settings.renewDeadline(), settings.retryPeriod(), true),
          new LeaderCallbacks() {
            @Override
            public void onStartedLeading() {
              LOG.info("Scheduler {} is the leader", settings.identity());
              control.execute(SchedulerRuntime.this::startEngine);
            }

            @Override
            public void onStoppedLeading() {
              LOG.info("Scheduler {} stopped leading", settings.identity());
              leading = false;
              control.execute(SchedulerRuntime.this::stopEngine);
            }
          });
      elector.start();
    } else {
      control.execute(this::startEngine);
    }
  }

  boolean isLeading() {
    return leading;
  }

  Scheduler engine() {
    return engine;
  }

  private void startEngine() {
    if (closed || engine != null) {
      return;
    }
    leading = true;
    Scheduler s = new Scheduler(settings.options(), clock, port, profiles, parallelizer, metrics);
    engine = s;
    services.setDelegate(s);
    podRegistration = pods.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod obj, boolean initial) {
        s.onPodAdd(withPriority(obj));
      }

      @Override
      public void onUpdate(Pod oldObj, Pod newObj) {
        s.onPodUpdate(withPriority(oldObj), withPriority(newObj));
      }

      @Override
      public void onDelete(Pod obj) {
        s.onPodDelete(obj);
      }
    });
    nodeRegistration = nodes.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node obj, boolean initial) {
        s.onNodeAdd(obj);
      }

      @Override
      public void onUpdate(Node oldObj, Node newObj) {
        s.onNodeUpdate(oldObj, newObj);
      }

      @Override
      public void onDelete(Node obj) {
        s.onNodeDelete(obj);
      }
    });
    // Schedule only once the cache holds every node and bound pod: a half-filled cache would
    // make full nodes look empty.
    while (!closed && engine == s && !(podRegistration.hasSynced() && nodeRegistration.hasSynced())) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (closed || engine != s) {
      return;
    }
    s.start();
    LOG.info("Scheduler engine started: {} nodes, {} bound pods", s.cache().nodeCount(), s.cache().podCount());
    requestStatus();
  }

  private void stopEngine() {
    Scheduler s = engine;
    if (s == null) {
      return;
    }
    engine = null;
    if (podRegistration != null) {
      podRegistration.remove();
      podRegistration = null;
    }
    if (nodeRegistration != null) {
      nodeRegistration.remove();
      nodeRegistration = null;
    }
    s.stop();
    services.setDelegate(null);
    leading = false;
  }

  /**
   * Fills {@code spec.priority} from the pod's PriorityClass when the API server left it unset
   * (its Priority admission normally sets it), so plugins see upstream's priority.
   */
  private Pod withPriority(Pod pod) {
    if (pod.getSpec() == null || pod.getSpec().getPriority() != null) {
      return pod;
    }
    String name = pod.getSpec().getPriorityClassName();
    Integer value = null;
    if (name != null && !name.isEmpty()) {
      value = priorityClasses.indexer().get(null, name).map(PriorityClass::getValue).orElse(null);
    } else {
      for (PriorityClass pc : priorityClasses.indexer().list()) {
        if (Boolean.TRUE.equals(pc.getGlobalDefault())) {
          value = pc.getValue();
        }
      }
    }
    if (value == null) {
      return pod;
    }
    Pod copy = pod.deepCopy();
    copy.getSpec().setPriority(value);
    return copy;
  }

  /** Writes the status ConfigMap soon (coalesced); only the leader writes. */
  void requestStatus() {
    if (closed || !leading || settings.statusConfigMap().isEmpty()) {
      return;
    }
    if (statusPending.compareAndSet(false, true)) {
      try {
        statusWriter.execute(() -> {
          statusPending.set(false);
          writeStatus();
        });
      } catch (RuntimeException stopped) {
        statusPending.set(false);
      }
    }
  }

  private void writeStatus() {
    if (closed || !leading) {
      return;
    }
    String[] cm = RuntimeSettings.split(settings.statusConfigMap(), "statusConfigMap");
    var status = StatusView.of(profiles.current(), profiles.installedPlugins(), settings.identity(), clock.instant());
    ConfigMap map = new ConfigMap().withMetadata(new ObjectMeta().withName(cm[1]).withNamespace(cm[0])
        .withAnnotations(Map.of("scheduler.bosun.io/leader", settings.identity(),
            "scheduler.bosun.io/generation", status.path("generation").asText())))
        .withData(Map.of(StatusView.DATA_KEY, StatusView.text(status)));
    try {
      client.resources(ConfigMap.class).apply(map, "bosun-scheduler", true);
    } catch (RuntimeException e) {
      LOG.warn("Could not write the scheduler status to {}: {}", settings.statusConfigMap(), e.toString());
    }
  }

  @Override
  public void close() {
    closed = true;
    profiles.removeListener(profileListener);
    profiles.removeFactoriesListener(factoriesListener);
    if (elector != null) {
      elector.close();
    }
    control.execute(this::stopEngine);
    control.shutdown();
    try {
      if (!control.awaitTermination(60, TimeUnit.SECONDS)) {
        LOG.warn("The scheduler engine did not stop within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    statusWriter.shutdownNow();
    if (profilesRegistration != null) {
      profilesRegistration.remove();
    }
  }

  /** Waits for the engine to run (for tests). */
  boolean awaitEngine(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Scheduler s = engine;
      if (s != null && s.isRunning()) {
        return true;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }
}
