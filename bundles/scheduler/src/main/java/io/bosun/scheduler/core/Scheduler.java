package io.bosun.scheduler.core;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.scheduler.cache.SchedulerCache;
import io.bosun.scheduler.cache.Snapshot;
import io.bosun.scheduler.framework.ClusterPort;
import io.bosun.scheduler.framework.Framework;
import io.bosun.scheduler.framework.FrameworkServices;
import io.bosun.scheduler.framework.ParallelizerImpl;
import io.bosun.scheduler.framework.ProfileManager;
import io.bosun.scheduler.framework.ProfileSet;
import io.bosun.scheduler.framework.WaitingPods;
import io.bosun.scheduler.queue.Nominator;
import io.bosun.scheduler.queue.PodChanges;
import io.bosun.scheduler.queue.QueuedPod;
import io.bosun.scheduler.queue.SchedulingQueue;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.Parallelizer;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.PostFilterResult;
import io.bosun.scheduler.spi.SharedLister;
import io.bosun.scheduler.spi.Status;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduling engine, as upstream's {@code Scheduler}: fed with pod and node events, it runs
 * <b>one scheduling cycle at a time</b> (pop a pod, PreFilter, Filter in parallel over nodes, PostFilter
 * if none fits, PreScore, Score in parallel, NormalizeScore, pick the best, assume it, Reserve,
 * Permit) and hands each assumed pod to its own <b>binding cycle</b> on a virtual thread (wait on
 * Permit, PreBind, Bind, PostBind), so bindings overlap with later scheduling cycles.
 *
 * <p>Each cycle retains the {@link ProfileSet} current when it starts and releases it when the
 * pod's binding cycle ends: profile swaps take effect at the next cycle, and a cycle in progress
 * finishes with the plugin instances it started with. Pods of a profile that cannot schedule (a
 * plugin missing) get a {@code FailedScheduling} event and a {@code PodScheduled=False} condition with
 * reason {@code SchedulerError} and wait until the profiles change.
 *
 * <p>An engine runs only while this scheduler instance leads; its state (queue, cache) is rebuilt
 * from the informers when it starts. Thread-safe: event methods may be called from any thread.
 */
public final class Scheduler implements FrameworkServices {

  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

  /** Upstream's smallest number of feasible nodes to look for. */
  static final int MIN_FEASIBLE_NODES_TO_FIND = 100;
  /** Upstream's smallest adaptive percentage. */
  static final int MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

  private final SchedulerOptions options;
  private final Clock clock;
  private final ClusterPort cluster;
  private final ProfileManager profiles;
  private final ParallelizerImpl parallelizer;
  private final SchedulerMetrics metrics;
  private final SchedulerCache cache;
  private final SchedulingQueue queue;
  private final Nominator nominator = new Nominator();
  private final WaitingPods waitingPods = new WaitingPods();
  private final Map<String, Pod> unassigned = new ConcurrentHashMap<>();
  /**
   * Pod events and the profile change's re-adding of unassigned pods run one at a time: otherwise a
   * pod checked as absent from queue and cache could be added after it was queued, scheduled and
   * bound meanwhile, and stay queued as a bound pod.
   */
  private final Object podEvents = new Object();
  private final Random random;
  private final ExecutorService bindings;
  private final ExecutorService[] statusWriters;
  private final Map<String, Runnable> pendingStatus = new ConcurrentHashMap<>();
  private final AtomicInteger bindingsInFlight = new AtomicInteger();
  private final Object bindingsDone = new Object();
  private final Consumer<ProfileSet> profileListener = this::profilesChanged;
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  private volatile boolean running;
  private Thread loop;
  private ScheduledExecutorService housekeeping;
  private int nextStartNodeIndex;

  public Scheduler(SchedulerOptions options, Clock clock, ClusterPort cluster, ProfileManager profiles,
      ParallelizerImpl parallelizer, SchedulerMetrics metrics) {
    this.options = options;
    this.clock = clock;
    this.cluster = cluster;
    this.profiles = profiles;
    this.parallelizer = parallelizer;
    this.metrics = metrics == null ? SchedulerMetrics.NOOP : metrics;
    this.cache = new SchedulerCache(clock, options.assumedPodTtl());
    this.queue = new SchedulingQueue(clock, options.queue(), profiles::acquire);
    this.random = options.randomSeed() == null ? new Random() : new Random(options.randomSeed());
    this.bindings = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("bosun-scheduler-binding-", 0).factory());
    this.statusWriters = new ExecutorService[4];
    for (int i = 0; i < statusWriters.length; i++) {
      statusWriters[i] = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("bosun-scheduler-status-" + i).factory());
    }
    profiles.addListener(profileListener);
    ProfileSet current = profiles.current();
    if (current != null) {
      queue.profilesChanged(current, this::isResponsible);
    }
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Starts the scheduling loop and the periodic flushes. */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    loop = Thread.ofPlatform().name("bosun-scheduler-loop").daemon().start(this::runLoop);
    housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bosun-scheduler-housekeeping");
      t.setDaemon(true);
      return t;
    });
    housekeeping.scheduleWithFixedDelay(this::flushEverySecond, 1, 1, TimeUnit.SECONDS);
    housekeeping.scheduleWithFixedDelay(queue::flushUnschedulableLeftover, 30, 30, TimeUnit.SECONDS);
  }

  /**
   * Stops scheduling: the loop ends after its current cycle, waiting Permit plugins are rejected,
   * binding cycles get {@link SchedulerOptions#bindingDrainTimeout()} to finish. Idempotent.
   */
  public void stop() {
    Thread l;
    synchronized (this) {
      running = false;
      l = loop;
      loop = null;
      if (housekeeping != null) {
        housekeeping.shutdownNow();
        housekeeping = null;
      }
    }
    profiles.removeListener(profileListener);
    queue.close();
    if (l != null) {
      try {
        l.join(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (var w : waitingPods.list()) {
      w.reject("", "the scheduler is stopping");
    }
    awaitBindings(options.bindingDrainTimeout());
    bindings.shutdown();
    for (ExecutorService s : statusWriters) {
      s.shutdown();
    }
    for (ExecutorService s : statusWriters) {
      try {
        s.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void flushEverySecond() {
    try {
      queue.flushBackoffCompleted();
      cache.cleanupExpiredAssumedPods();
    } catch (RuntimeException e) {
      LOG.warn("Scheduler housekeeping failed: {}", e.toString(), e);
    }
  }

  private void runLoop() {
    while (running) {
      try {
        scheduleOne(Duration.ofMillis(500));
      } catch (InterruptedException e) {
        if (!running) {
          return;
        }
      } catch (RuntimeException | Error e) {
        LOG.error("Scheduling loop failure: {}", e.toString(), e);
      }
    }
  }

  /** Whether the scheduling loop runs. */
  public boolean isRunning() {
    return running;
  }

  /** Blocks until no binding cycle runs, or the timeout; returns whether none runs. */
  public boolean awaitBindings(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (bindingsDone) {
      while (bindingsInFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(bindingsDone, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  // ---- informer events -----------------------------------------------------------------------

  /** Whether this scheduler has a profile for the pod's {@code spec.schedulerName}. */
  public boolean isResponsible(Pod pod) {
    ProfileSet s = profiles.current();
    return s != null && s.isResponsibleFor(schedulerName(pod));
  }

  public void onPodAdd(Pod pod) {
    synchronized (podEvents) {
      if (isTerminal(pod)) {
        onPodDelete(pod);
        return;
      }
      String uid = uid(pod);
      if (isAssigned(pod)) {
        unassigned.remove(uid);
        queue.delete(uid);
        nominator.remove(uid);
        cache.addPod(pod);
        queue.onEvent(EventResource.ASSIGNED_POD, ActionType.ADD, null, pod);
      } else {
        unassigned.put(uid, pod);
        if (isResponsible(pod)) {
          nominator.updateFromPod(pod);
          queue.add(pod);
        }
      }
    }
  }

  public void onPodUpdate(Pod oldPod, Pod pod) {
    synchronized (podEvents) {
      if (isTerminal(pod)) {
        onPodDelete(pod);
        return;
      }
      String uid = uid(pod);
      if (isAssigned(pod)) {
        if (!isAssigned(oldPod) || !cache.contains(uid)) {
          onPodAdd(pod);
          return;
        }
        cache.updatePod(oldPod, pod);
        for (ActionType a : PodChanges.of(oldPod, pod)) {
          queue.onEvent(EventResource.ASSIGNED_POD, a, oldPod, pod);
        }
      } else {
        unassigned.put(uid, pod);
        if (isResponsible(pod)) {
          nominator.updateFromPod(pod);
          queue.update(oldPod, pod);
        }
      }
    }
  }

  public void onPodDelete(Pod pod) {
    synchronized (podEvents) {
      String uid = uid(pod);
      unassigned.remove(uid);
      nominator.remove(uid);
      waitingPods.reject(uid, "", "pod " + PodInfo.of(pod).key() + " was deleted");
      queue.delete(uid);
      if (cache.contains(uid)) {
        cache.removePod(pod);
        queue.onEvent(EventResource.ASSIGNED_POD, ActionType.DELETE, pod, null);
      }
    }
  }

  public void onNodeAdd(Node node) {
    cache.addNode(node);
    queue.onEvent(EventResource.NODE, ActionType.ADD, null, node);
  }

  public void onNodeUpdate(Node oldNode, Node node) {
    cache.updateNode(oldNode, node);
    for (ActionType a : NodeChanges.of(oldNode, node)) {
      queue.onEvent(EventResource.NODE, a, oldNode, node);
    }
  }

  public void onNodeDelete(Node node) {
    cache.removeNode(node);
  }

  private void profilesChanged(ProfileSet set) {
    synchronized (podEvents) {
      queue.profilesChanged(set, this::isResponsible);
      for (Pod p : unassigned.values()) {
        if (isResponsible(p) && queue.stateOf(uid(p)) == null && !cache.contains(uid(p))) {
          nominator.updateFromPod(p);
          queue.add(p);
        }
      }
    }
  }

  // ---- the scheduling cycle ------------------------------------------------------------------

  /**
   * Pops one pod (waiting up to {@code timeout}) and runs its scheduling cycle; its binding cycle
   * continues in the background.
   *
   * @return false if no pod arrived in time
   */
  public boolean scheduleOne(Duration timeout) throws InterruptedException {
    QueuedPod e = queue.pop(timeout);
    if (e == null) {
      return false;
    }
    try {
      scheduleOne(e);
    } catch (RuntimeException | Error t) {
      LOG.error("Scheduling {} failed: {}", e.podInfo().key(), t.toString(), t);
      queue.requeue(e, Set.of(), SchedulingQueue.Outcome.ERROR, false);
    }
    return true;
  }

  private void scheduleOne(QueuedPod e) {
    long start = System.nanoTime();
    Pod pod = e.podInfo().pod();
    ProfileSet set = profiles.acquire();
    if (set == null) {
      queue.requeue(e, Set.of(), SchedulingQueue.Outcome.ERROR, false);
      return;
    }
    boolean handedOff = false;
    try {
      String profileName = schedulerName(pod);
      Framework fw = set.get(profileName);
      if (fw == null) {
        queue.delete(e.uid());
        return;
      }
      if (pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null) {
        queue.delete(e.uid());
        return;
      }
      if (!set.isReady(profileName)) {
        String msg = String.join("; ", set.problems(profileName));
        failure(e, pod, Set.of(Framework.PROFILE_NOT_READY), SchedulingQueue.Outcome.PROFILE_WAIT, false,
            "SchedulerError", msg, null);
        metrics.attempt("error", profileName, seconds(start));
        return;
      }
      CycleState state = new CycleState();
      ScheduleResult result;
      try {
        result = schedulePod(fw, state, pod);
      } catch (FitError fit) {
        String nominated = null;
        if (fw.hasPostFilterPlugins()) {
          PostFilterResult pr = fw.runPostFilter(state, pod, fit.diagnosis.toNodeToStatus());
          if (Status.code(pr.status()) == Status.Code.ERROR) {
            LOG.warn("PostFilter for {} failed: {}", e.podInfo().key(), pr.status());
          } else {
            fit.diagnosis.postFilterMsg = pr.status() == null ? "" : pr.status().message();
          }
          nominated = pr.nominatedNodeName();
        }
        failure(e, pod, fit.diagnosis.unschedulablePlugins, SchedulingQueue.Outcome.UNSCHEDULABLE, false,
            "Unschedulable", fit.getMessage(), nominated);
        metrics.attempt("unschedulable", profileName, seconds(start));
        return;
      } catch (ScheduleError err) {
        boolean rejected = err.status.isRejected();
        failure(e, pod, err.status.plugin() == null ? Set.of() : Set.of(err.status.plugin()),
            rejected ? SchedulingQueue.Outcome.UNSCHEDULABLE : SchedulingQueue.Outcome.ERROR, false,
            rejected ? "Unschedulable" : "SchedulerError", err.status.message(), null);
        metrics.attempt(rejected ? "unschedulable" : "error", profileName, seconds(start));
        return;
      }
      String host = result.suggestedHost();
      Pod assumed = pod.deepCopy();
      assumed.getSpec().setNodeName(host);
      try {
        cache.assumePod(PodInfo.of(assumed));
      } catch (IllegalStateException ex) {
        failure(e, pod, Set.of(), SchedulingQueue.Outcome.ERROR, false, "SchedulerError", ex.getMessage(), null);
        metrics.attempt("error", profileName, seconds(start));
        return;
      }
      Status rs = fw.runReserve(state, assumed, host);
      if (rs != null) {
        fw.runUnreserve(state, assumed, host);
        cache.forgetPod(e.uid());
        rejectedOrError(e, pod, rs, false, profileName, start);
        return;
      }
      Status ps = fw.runPermit(state, assumed, host);
      if (ps != null && !ps.isWait()) {
        fw.runUnreserve(state, assumed, host);
        cache.forgetPod(e.uid());
        rejectedOrError(e, pod, ps, false, profileName, start);
        return;
      }
      nominator.remove(e.uid());
      queue.assumed(e);
      bindingsInFlight.incrementAndGet();
      handedOff = true;
      try {
        bindings.execute(() -> bindingCycle(e, set, fw, state, pod, assumed, host, start));
      } catch (RuntimeException rejected) {
        handedOff = false;
        bindingEnded();
        fw.runUnreserve(state, assumed, host);
        cache.forgetPod(e.uid());
        failure(e, pod, Set.of(), SchedulingQueue.Outcome.ERROR, true, "SchedulerError", "the scheduler is stopping",
            null);
      }
    } finally {
      if (!handedOff) {
        set.release();
      }
    }
  }

  private void rejectedOrError(QueuedPod e, Pod pod, Status s, boolean fromBinding, String profile, long start) {
    boolean rejected = s.isRejected();
    failure(e, pod, s.plugin() == null ? Set.of() : Set.of(s.plugin()),
        rejected ? SchedulingQueue.Outcome.UNSCHEDULABLE : SchedulingQueue.Outcome.ERROR, fromBinding,
        rejected ? "Unschedulable" : "SchedulerError", s.message(), null);
    metrics.attempt(rejected ? "unschedulable" : "error", profile, seconds(start));
  }

  private void bindingCycle(QueuedPod e, ProfileSet set, Framework fw, CycleState state, Pod pod, Pod assumed,
      String host, long start) {
    String profileName = fw.profileName();
    try {
      Status s = fw.waitOnPermit(assumed);
      if (s == null) {
        s = fw.runPreBind(state, assumed, host);
      }
      if (s == null) {
        s = fw.runBind(state, assumed, host);
        if (s != null && s.isSkip()) {
          s = Status.error("no Bind plugin bound the pod");
        }
      }
      if (s != null) {
        fw.runUnreserve(state, assumed, host);
        cache.forgetPod(e.uid());
        if (!s.isRejected()) {
          s = Status.error("Binding rejected: " + s.message()).withPlugin(s.plugin());
        }
        rejectedOrError(e, pod, s, true, profileName, start);
        return;
      }
      cache.finishBinding(e.uid());
      metrics.attempt("scheduled", profileName, seconds(start));
      PodInfo pi = e.podInfo();
      cluster.recordEvent(pod, "Normal", "Scheduled", "Binding", "Successfully assigned " + pi.key() + " to " + host);
      fw.runPostBind(state, assumed, host);
    } catch (RuntimeException | Error t) {
      LOG.error("Binding cycle of {} failed: {}", e.podInfo().key(), t.toString(), t);
      try {
        fw.runUnreserve(state, assumed, host);
      } finally {
        cache.forgetPod(e.uid());
        queue.requeue(e, Set.of(), SchedulingQueue.Outcome.ERROR, true);
      }
    } finally {
      set.release();
      bindingEnded();
    }
  }

  private void bindingEnded() {
    if (bindingsInFlight.decrementAndGet() == 0) {
      synchronized (bindingsDone) {
        bindingsDone.notifyAll();
      }
    }
  }

  /**
   * Handles a failed attempt, as upstream's {@code handleSchedulingFailure}: requeues the pod,
   * records the nomination, a {@code FailedScheduling} event and the {@code PodScheduled=False}
   * condition (written asynchronously, in order per pod).
   */
  private void failure(QueuedPod e, Pod pod, Set<String> rejectors, SchedulingQueue.Outcome outcome, boolean fromBinding,
      String reason, String message, String nominatedNode) {
    queue.requeue(e, rejectors, outcome, fromBinding);
    if (nominatedNode != null && !nominatedNode.isEmpty()) {
      nominator.nominate(e.podInfo(), nominatedNode);
    }
    LOG.debug("Unable to schedule {}: {}: {}", e.podInfo().key(), reason, message);
    cluster.recordEvent(pod, "Warning", "FailedScheduling", "Scheduling", message);
    PodCondition condition = new PodCondition().withType("PodScheduled").withStatus("False").withReason(reason)
        .withMessage(message).withLastTransitionTime(clock.instant());
    boolean setNominated = nominatedNode != null && !nominatedNode.isEmpty();
    writeStatus(e.uid(), () -> cluster.updatePodStatus(pod, condition, setNominated, nominatedNode));
  }

  private void writeStatus(String uid, Runnable write) {
    if (pendingStatus.put(uid, write) != null) {
      return; // a write for this pod is queued already; it will take the newest
    }
    ExecutorService stripe = statusWriters[Math.floorMod(uid.hashCode(), statusWriters.length)];
    try {
      stripe.execute(() -> {
        Runnable w = pendingStatus.remove(uid);
        if (w != null) {
          try {
            w.run();
          } catch (RuntimeException ex) {
            LOG.debug("Could not write the status of pod {}: {}", uid, ex.toString());
          }
        }
      });
    } catch (RuntimeException stopped) {
      pendingStatus.remove(uid);
    }
  }

  /** A failure that is not a FitError: an error status (or a rejection outside Filter). */
  static final class ScheduleError extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Status status;

    ScheduleError(Status status) {
      super(status.message(), null, false, false);
      this.status = status;
    }
  }

  /** Finds the best node for {@code pod}, as upstream's {@code schedulePod}. */
  ScheduleResult schedulePod(Framework fw, CycleState state, Pod pod) throws FitError, ScheduleError {
    Snapshot snap = cache.updateSnapshot();
    this.snapshot = snap;
    if (snap.size() == 0) {
      throw new ScheduleError(Status.unresolvable("no nodes available to schedule pods"));
    }
    Diagnosis diagnosis = new Diagnosis();
    List<NodeInfo> feasible = findNodesThatFitPod(fw, state, pod, snap, diagnosis);
    if (feasible.isEmpty()) {
      throw new FitError(snap.size(), diagnosis);
    }
    int evaluated = feasible.size() + diagnosis.nodeToStatus.size();
    if (feasible.size() == 1) {
      return new ScheduleResult(feasible.get(0).name(), evaluated, 1);
    }
    Status ps = fw.runPreScore(state, pod, feasible);
    if (ps != null) {
      throw new ScheduleError(ps);
    }
    Framework.ScoreOutcome so = fw.runScore(state, pod, feasible, parallelizer);
    if (so.status() != null) {
      throw new ScheduleError(so.status());
    }
    return new ScheduleResult(selectHost(feasible, so.totals()), evaluated, feasible.size());
  }

  private List<NodeInfo> findNodesThatFitPod(Framework fw, CycleState state, Pod pod, Snapshot snap, Diagnosis d)
      throws ScheduleError {
    List<NodeInfo> all = snap.list();
    Framework.PreFilterOutcome pre = fw.runPreFilter(state, pod, all);
    if (pre.status() != null) {
      if (!pre.status().isRejected()) {
        throw new ScheduleError(pre.status());
      }
      d.preFilterMsg = pre.status().message();
      d.absentNodesStatus = pre.status();
      if (pre.status().plugin() != null) {
        d.unschedulablePlugins.add(pre.status().plugin());
      }
      return List.of();
    }
    String nominated = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
    if (nominated != null && !nominated.isEmpty() && (pre.nodeNames() == null || pre.nodeNames().contains(nominated))) {
      NodeInfo ni = snap.get(nominated);
      if (ni != null) {
        Status s = fw.runFilterPluginsWithNominatedPods(state, pod, ni);
        if (s == null) {
          return List.of(ni);
        }
        if (!s.isRejected()) {
          throw new ScheduleError(s);
        }
      }
    }
    List<NodeInfo> nodes = all;
    if (pre.nodeNames() != null) {
      nodes = new ArrayList<>(pre.nodeNames().size());
      for (NodeInfo n : all) {
        if (pre.nodeNames().contains(n.name())) {
          nodes.add(n);
        }
      }
      d.absentNodesStatus = Status.unresolvable("node(s) didn't satisfy plugin(s) ["
          + String.join(" ", new java.util.TreeSet<>(pre.narrowingPlugins())) + "]");
    }
    return findNodesThatPassFilters(fw, state, pod, d, nodes);
  }

  private List<NodeInfo> findNodesThatPassFilters(Framework fw, CycleState state, Pod pod, Diagnosis d,
      List<NodeInfo> nodes) throws ScheduleError {
    int n = nodes.size();
    if (n == 0) {
      return List.of();
    }
    int numToFind = numFeasibleNodesToFind(fw.percentageOfNodesToScore(), n);
    int start = nextStartNodeIndex % n;
    boolean[] fits = new boolean[n];
    Status[] statuses = new Status[n];
    AtomicInteger found = new AtomicInteger();
    AtomicReference<Status> error = new AtomicReference<>();
    int claimed = parallelizer.untilStopped(n, i -> {
      NodeInfo ni = nodes.get((start + i) % n);
      Status s = fw.runFilterPluginsWithNominatedPods(state, pod, ni);
      if (s == null) {
        fits[i] = true;
        return found.incrementAndGet() < numToFind;
      }
      if (!s.isRejected()) {
        error.compareAndSet(null, s);
        return false;
      }
      statuses[i] = s;
      return true;
    });
    if (error.get() != null) {
      throw new ScheduleError(error.get());
    }
    List<NodeInfo> feasible = new ArrayList<>(Math.min(numToFind, n));
    int processed = 0;
    for (int i = 0; i < claimed && feasible.size() < numToFind; i++) {
      processed++;
      NodeInfo ni = nodes.get((start + i) % n);
      if (fits[i]) {
        feasible.add(ni);
      } else if (statuses[i] != null) {
        d.put(ni.name(), statuses[i]);
      }
    }
    nextStartNodeIndex = (nextStartNodeIndex + processed) % n;
    return feasible;
  }

  /**
   * How many feasible nodes to look for before scoring, as upstream's {@code numFeasibleNodesToFind}:
   * every node below 100 nodes; else {@code percentage} of them (the profile's, else the
   * scheduler's; 0 means adaptive: 50 - nodes/125, at least 5), at least 100.
   */
  int numFeasibleNodesToFind(Integer profilePercentage, int numAllNodes) {
    if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) {
      return numAllNodes;
    }
    int percentage = profilePercentage != null ? profilePercentage : options.percentageOfNodesToScore();
    if (percentage == 0) {
      percentage = 50 - numAllNodes / 125;
      if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) {
        percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
      }
    }
    int numNodes = (int) ((long) numAllNodes * percentage / 100);
    return Math.max(numNodes, MIN_FEASIBLE_NODES_TO_FIND);
  }

  /** The node with the highest total; ties broken uniformly at random (reservoir sampling), as upstream. */
  String selectHost(List<NodeInfo> nodes, long[] totals) {
    int best = 0;
    long max = totals[0];
    int count = 1;
    for (int i = 1; i < totals.length; i++) {
      if (totals[i] > max) {
        max = totals[i];
        best = i;
        count = 1;
      } else if (totals[i] == max) {
        count++;
        if (random.nextInt(count) == 0) {
          best = i;
        }
      }
    }
    return nodes.get(best).name();
  }

  // ---- FrameworkServices ---------------------------------------------------------------------

  @Override
  public SharedLister snapshot() {
    return snapshot;
  }

  @Override
  public Parallelizer parallelizer() {
    return parallelizer;
  }

  @Override
  public List<PodInfo> nominatedPodsForNode(String nodeName) {
    return nominator.forNode(nodeName);
  }

  @Override
  public void nominate(Pod pod, String nodeName) {
    nominator.nominate(PodInfo.of(pod), nodeName);
  }

  @Override
  public WaitingPods waitingPods() {
    return waitingPods;
  }

  @Override
  public void activate(Collection<Pod> pods) {
    queue.activate(pods);
  }

  @Override
  public ClusterPort cluster() {
    return cluster;
  }

  // ---- views for the component and tests -----------------------------------------------------

  public SchedulingQueue queue() {
    return queue;
  }

  public SchedulerCache cache() {
    return cache;
  }

  public Nominator nominator() {
    return nominator;
  }

  /** The next node index the filters start from (round robin). */
  int nextStartNodeIndex() {
    return nextStartNodeIndex;
  }

  // ---- helpers -------------------------------------------------------------------------------

  static String schedulerName(Pod pod) {
    String n = pod.getSpec() == null ? null : pod.getSpec().getSchedulerName();
    return n == null || n.isEmpty() ? "default-scheduler" : n;
  }

  static boolean isAssigned(Pod pod) {
    return pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty();
  }

  static boolean isTerminal(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  static String uid(Pod pod) {
    return pod.getMetadata() == null || pod.getMetadata().getUid() == null ? "" : pod.getMetadata().getUid();
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
