package io.bosun.scheduler.framework;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.config.ResolvedProfile;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.BindPlugin;
import io.bosun.scheduler.spi.ClusterEventWithHint;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.spi.ExtensionPoint;
import io.bosun.scheduler.spi.FilterPlugin;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.NodeToStatus;
import io.bosun.scheduler.spi.PermitPlugin;
import io.bosun.scheduler.spi.PermitResult;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.PostBindPlugin;
import io.bosun.scheduler.spi.PostFilterPlugin;
import io.bosun.scheduler.spi.PostFilterResult;
import io.bosun.scheduler.spi.PreBindPlugin;
import io.bosun.scheduler.spi.PreEnqueuePlugin;
import io.bosun.scheduler.spi.PreFilterExtensions;
import io.bosun.scheduler.spi.PreFilterPlugin;
import io.bosun.scheduler.spi.PreFilterResult;
import io.bosun.scheduler.spi.PreScorePlugin;
import io.bosun.scheduler.spi.QueueSortPlugin;
import io.bosun.scheduler.spi.QueueingHint;
import io.bosun.scheduler.spi.QueuedPodInfo;
import io.bosun.scheduler.spi.ReservePlugin;
import io.bosun.scheduler.spi.ScoreExtensions;
import io.bosun.scheduler.spi.ScorePlugin;
import io.bosun.scheduler.spi.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One profile's plugins wired per extension point, and the runners of each point, as upstream's
 * {@code frameworkImpl}. Built by {@link FrameworkBuilder}; immutable afterwards and thread-safe
 * (the plugins must be too). Every plugin call is guarded: an exception becomes an
 * {@link Status.Code#ERROR} status of that plugin.
 *
 * <p>A framework whose profile could not be built completely (a plugin not installed, bad
 * arguments) is {@linkplain #isReady() not ready}: it has {@link #problems()} and no plugins; pods
 * of its profile wait.
 */
public final class Framework {

  private static final Logger LOG = LoggerFactory.getLogger(Framework.class);

  /** The pseudo plugin name under which pods of a not-ready profile wait. */
  public static final String PROFILE_NOT_READY = "bosun.io/ProfileNotReady";

  /** A scored plugin and its weight. */
  record Weighted(ScorePlugin plugin, int weight) {
  }

  private final String profileName;
  private final ResolvedProfile profile;
  private final HandleImpl handle;
  private final FrameworkServices services;
  private final List<String> problems;
  private final Map<String, Plugin> plugins;
  private final Map<ExtensionPoint, List<String>> pointNames;
  final List<PreEnqueuePlugin> preEnqueue;
  final QueueSortPlugin queueSort;
  final List<PreFilterPlugin> preFilter;
  final List<FilterPlugin> filter;
  final List<PostFilterPlugin> postFilter;
  final List<PreScorePlugin> preScore;
  final List<Weighted> score;
  final List<ReservePlugin> reserve;
  final List<PermitPlugin> permit;
  final List<PreBindPlugin> preBind;
  final List<BindPlugin> bind;
  final List<PostBindPlugin> postBind;
  private final Map<String, List<ClusterEventWithHint>> events;
  private final Map<String, Object> factories;
  private final java.util.concurrent.atomic.AtomicInteger sets = new java.util.concurrent.atomic.AtomicInteger();

  Framework(String profileName, ResolvedProfile profile, HandleImpl handle, FrameworkServices services,
      List<String> problems, Map<String, Plugin> plugins, Map<ExtensionPoint, List<Plugin>> points,
      Map<String, Integer> weights, Map<String, List<ClusterEventWithHint>> events, Map<String, Object> factories) {
    this.profileName = profileName;
    this.factories = Collections.unmodifiableMap(new LinkedHashMap<>(factories));
    this.profile = profile;
    this.handle = handle;
    this.services = services;
    this.problems = List.copyOf(problems);
    this.plugins = Collections.unmodifiableMap(new LinkedHashMap<>(plugins));
    Map<ExtensionPoint, List<String>> names = new LinkedHashMap<>();
    points.forEach((k, v) -> names.put(k, v.stream().map(Plugin::name).toList()));
    this.pointNames = Collections.unmodifiableMap(names);
    this.preEnqueue = cast(points, ExtensionPoint.PRE_ENQUEUE);
    List<QueueSortPlugin> qs = cast(points, ExtensionPoint.QUEUE_SORT);
    this.queueSort = qs.isEmpty() ? null : qs.get(0);
    this.preFilter = cast(points, ExtensionPoint.PRE_FILTER);
    this.filter = cast(points, ExtensionPoint.FILTER);
    this.postFilter = cast(points, ExtensionPoint.POST_FILTER);
    this.preScore = cast(points, ExtensionPoint.PRE_SCORE);
    List<ScorePlugin> sp = cast(points, ExtensionPoint.SCORE);
    this.score = sp.stream().map(p -> new Weighted(p, weights.getOrDefault(p.name(), 1))).toList();
    this.reserve = cast(points, ExtensionPoint.RESERVE);
    this.permit = cast(points, ExtensionPoint.PERMIT);
    this.preBind = cast(points, ExtensionPoint.PRE_BIND);
    this.bind = cast(points, ExtensionPoint.BIND);
    this.postBind = cast(points, ExtensionPoint.POST_BIND);
    this.events = Map.copyOf(events);
    if (handle != null) {
      handle.setFramework(this);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> List<T> cast(Map<ExtensionPoint, List<Plugin>> points, ExtensionPoint p) {
    return (List<T>) List.copyOf(points.getOrDefault(p, List.of()));
  }

  /** The profile's scheduler name. */
  public String profileName() {
    return profileName;
  }

  /** The configuration this framework was built from. */
  public ResolvedProfile profile() {
    return profile;
  }

  /** Whether the profile is complete; if not, its pods wait. */
  public boolean isReady() {
    return problems.isEmpty();
  }

  /** Why the profile is not ready (e.g. {@code plugin X of profile Y is not installed}). */
  public List<String> problems() {
    return problems;
  }

  /** The message a waiting pod of a not-ready profile gets. */
  public String problemMessage() {
    return String.join("; ", problems);
  }

  /** The plugin instances by name. */
  public Map<String, Plugin> plugins() {
    return plugins;
  }

  /** The plugin names per extension point, in run order. */
  public Map<ExtensionPoint, List<String>> pluginNames() {
    return pointNames;
  }

  /** The weight of score plugin {@code name}, or 0 if it does not score. */
  public int scoreWeight(String name) {
    for (Weighted w : score) {
      if (w.plugin.name().equals(name)) {
        return w.weight;
      }
    }
    return 0;
  }

  /** The queue-sort plugin's name, or null. */
  public String queueSortName() {
    return queueSort == null ? null : queueSort.name();
  }

  /** The percentageOfNodesToScore of the profile, or null for the scheduler-wide one. */
  public Integer percentageOfNodesToScore() {
    return profile.percentageOfNodesToScore();
  }

  /**
   * The factory used for each needed plugin (a placeholder for missing ones), to tell whether a
   * rebuild may reuse this framework.
   */
  Map<String, Object> factories() {
    return factories;
  }

  /** One more profile set holds this framework. */
  void retainBySet() {
    sets.incrementAndGet();
  }

  /** A profile set holding this framework was closed; the last one closes the plugins. */
  void releaseBySet() {
    if (sets.decrementAndGet() == 0) {
      close();
    }
  }

  /** Closes every plugin instance (once no cycle uses them). */
  void close() {
    for (Plugin p : plugins.values()) {
      try {
        p.close();
      } catch (RuntimeException e) {
        LOG.warn("Plugin {} of profile {} failed to close: {}", p.name(), profileName, e.toString());
      }
    }
  }

  // ---- guarded calls -------------------------------------------------------------------------

  private static <T> T call(Plugin plugin, Supplier<T> call, AtomicReference<Status> error) {
    try {
      return call.get();
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("Plugin {} failed: {}", plugin.name(), e.toString(), e);
      error.set(Status.error(e).withPlugin(plugin.name()));
      return null;
    }
  }

  private static Status status(Plugin plugin, Supplier<Status> call) {
    try {
      Status s = call.get();
      return s == null || s.isSuccess() ? null : s.withPlugin(plugin.name());
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("Plugin {} failed: {}", plugin.name(), e.toString(), e);
      return Status.error(e).withPlugin(plugin.name());
    }
  }

  // ---- queue ---------------------------------------------------------------------------------

  /** Runs PreEnqueue; null if the pod may enter the active queue. */
  public Status runPreEnqueue(Pod pod) {
    for (PreEnqueuePlugin p : preEnqueue) {
      Status s = status(p, () -> p.preEnqueue(pod));
      if (s != null) {
        return s;
      }
    }
    return null;
  }

  /** The queue-sort order; falls back to FIFO when there is no queue-sort plugin. */
  public boolean less(QueuedPodInfo a, QueuedPodInfo b) {
    QueueSortPlugin q = queueSort;
    if (q == null) {
      return a.timestamp().isBefore(b.timestamp());
    }
    try {
      return q.less(a, b);
    } catch (RuntimeException e) {
      LOG.warn("Queue sort plugin {} failed: {}", q.name(), e.toString());
      return a.timestamp().isBefore(b.timestamp());
    }
  }

  /**
   * Whether an event may make a pod rejected by {@code plugin} schedulable, from the plugin's
   * registered events and hint; a plugin that registers none (does not implement
   * EnqueueExtensions) is interested in everything. A plugin this profile does not know is
   * interested in everything too (the profile changed since).
   */
  public boolean isInterested(String plugin, EventResource resource, ActionType action, Pod pod, Object oldObj,
      Object newObj) {
    if (PROFILE_NOT_READY.equals(plugin)) {
      return false;
    }
    List<ClusterEventWithHint> registered = events.get(plugin);
    if (registered == null) {
      return true;
    }
    for (ClusterEventWithHint e : registered) {
      if (!e.event().matches(resource, action)) {
        continue;
      }
      if (e.hint() == null) {
        return true;
      }
      try {
        if (e.hint().hint(pod, oldObj, newObj) == QueueingHint.QUEUE) {
          return true;
        }
      } catch (RuntimeException ex) {
        LOG.debug("Queueing hint of {} failed: {}", plugin, ex.toString());
        return true;
      }
    }
    return false;
  }

  // ---- filtering -----------------------------------------------------------------------------

  /** The outcome of PreFilter: a status and the candidate node names (null: all). */
  public record PreFilterOutcome(Status status, Set<String> nodeNames, Set<String> narrowingPlugins) {
  }

  /** Runs PreFilter; marks skipped plugins in {@code state}. */
  public PreFilterOutcome runPreFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
    Set<String> names = null;
    List<String> narrowing = new ArrayList<>();
    for (PreFilterPlugin p : preFilter) {
      AtomicReference<Status> error = new AtomicReference<>();
      PreFilterResult r = call(p, () -> p.preFilter(state, pod, nodes), error);
      if (error.get() != null) {
        return new PreFilterOutcome(error.get(), null, Set.of());
      }
      Status s = r == null ? null : r.status();
      if (s != null && s.isSkip()) {
        state.skipFilter(p.name());
        continue;
      }
      if (!Status.isSuccess(s)) {
        s = s.withPlugin(p.name());
        if (!s.isRejected()) {
          s = Status.error("running PreFilter plugin " + p.name() + ": " + s.message()).withPlugin(p.name());
        }
        return new PreFilterOutcome(s, null, Set.of());
      }
      if (r != null && r.nodeNames() != null) {
        narrowing.add(p.name());
        if (names == null) {
          names = new HashSet<>(r.nodeNames());
        } else {
          names.retainAll(r.nodeNames());
        }
        if (names.isEmpty()) {
          String msg = narrowing.size() == 1 ? "node(s) didn't satisfy plugin " + p.name()
              : "node(s) didn't satisfy plugin(s) " + narrowing + " simultaneously";
          return new PreFilterOutcome(Status.unresolvable(msg).withPlugin(p.name()), Set.of(), Set.copyOf(narrowing));
        }
      }
    }
    return new PreFilterOutcome(null, names, Set.copyOf(narrowing));
  }

  /** Runs Filter on one node; the first failing status, or null. */
  public Status runFilterPlugins(CycleState state, Pod pod, NodeInfo nodeInfo) {
    Set<String> skip = state.skipFilterPlugins();
    for (FilterPlugin p : filter) {
      if (!skip.isEmpty() && skip.contains(p.name())) {
        continue;
      }
      Status s = status(p, () -> p.filter(state, pod, nodeInfo));
      if (s != null) {
        if (!s.isRejected() && s.code() != Status.Code.ERROR) {
          return Status.error("Filter plugin " + p.name() + " returned " + s.code()).withPlugin(p.name());
        }
        return s;
      }
    }
    return null;
  }

  /** As upstream's {@code RunFilterPluginsWithNominatedPods}. */
  public Status runFilterPluginsWithNominatedPods(CycleState state, Pod pod, NodeInfo info) {
    Status status = null;
    boolean podsAdded = false;
    for (int i = 0; i < 2; i++) {
      CycleState stateToUse = state;
      NodeInfo infoToUse = info;
      if (i == 0) {
        List<PodInfo> nominated = services.nominatedPodsForNode(info.name());
        int priority = pod.getSpec() == null || pod.getSpec().getPriority() == null ? 0 : pod.getSpec().getPriority();
        String uid = pod.getMetadata() == null ? null : pod.getMetadata().getUid();
        for (PodInfo np : nominated) {
          if (np.priority() >= priority && !np.uid().equals(uid)) {
            if (!podsAdded) {
              stateToUse = state.copy();
              podsAdded = true;
            }
            infoToUse = infoToUse.withPod(np);
            Status s = runPreFilterExtensionAddPod(stateToUse, pod, np, infoToUse);
            if (s != null) {
              return s;
            }
          }
        }
      } else if (!podsAdded || !Status.isSuccess(status)) {
        break;
      }
      status = runFilterPlugins(stateToUse, pod, infoToUse);
      if (!Status.isSuccess(status) && !status.isRejected()) {
        return status;
      }
    }
    return status;
  }

  public Status runPreFilterExtensionAddPod(CycleState state, Pod pod, PodInfo toAdd, NodeInfo nodeInfo) {
    for (PreFilterPlugin p : preFilter) {
      if (state.skipFilterPlugins().contains(p.name())) {
        continue;
      }
      PreFilterExtensions ext = p.preFilterExtensions();
      if (ext == null) {
        continue;
      }
      Status s = status(p, () -> ext.addPod(state, pod, toAdd, nodeInfo));
      if (s != null) {
        return Status.error("running AddPod on PreFilter plugin " + p.name() + ": " + s.message()).withPlugin(p.name());
      }
    }
    return null;
  }

  public Status runPreFilterExtensionRemovePod(CycleState state, Pod pod, PodInfo toRemove, NodeInfo nodeInfo) {
    for (PreFilterPlugin p : preFilter) {
      if (state.skipFilterPlugins().contains(p.name())) {
        continue;
      }
      PreFilterExtensions ext = p.preFilterExtensions();
      if (ext == null) {
        continue;
      }
      Status s = status(p, () -> ext.removePod(state, pod, toRemove, nodeInfo));
      if (s != null) {
        return Status.error("running RemovePod on PreFilter plugin " + p.name() + ": " + s.message()).withPlugin(p.name());
      }
    }
    return null;
  }

  public boolean hasPostFilterPlugins() {
    return !postFilter.isEmpty();
  }

  /** As upstream's {@code RunPostFilterPlugins}. */
  public PostFilterResult runPostFilter(CycleState state, Pod pod, NodeToStatus statuses) {
    PostFilterResult last = null;
    List<String> reasons = new ArrayList<>();
    String rejector = null;
    for (PostFilterPlugin p : postFilter) {
      AtomicReference<Status> error = new AtomicReference<>();
      PostFilterResult r = call(p, () -> p.postFilter(state, pod, statuses), error);
      if (error.get() != null) {
        return new PostFilterResult(error.get(), null);
      }
      Status s = r == null ? Status.unschedulable() : r.status();
      if (Status.isSuccess(s)) {
        return r;
      }
      if (s.code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
        return new PostFilterResult(s.withPlugin(p.name()), r.nominatedNodeName());
      }
      if (!s.isRejected()) {
        return new PostFilterResult(Status.error(s.message()).withPlugin(p.name()), null);
      }
      if (r != null && r.nominatedNodeName() != null) {
        last = r;
      }
      reasons.addAll(s.reasons());
      if (rejector == null) {
        rejector = p.name();
      }
    }
    return new PostFilterResult(Status.unschedulable(reasons.toArray(String[]::new)).withPlugin(rejector),
        last == null ? null : last.nominatedNodeName());
  }

  // ---- scoring -------------------------------------------------------------------------------

  /** Runs PreScore; marks skipped plugins. */
  public Status runPreScore(CycleState state, Pod pod, List<NodeInfo> nodes) {
    for (PreScorePlugin p : preScore) {
      Status s = status(p, () -> p.preScore(state, pod, nodes));
      if (s == null) {
        continue;
      }
      if (s.isSkip()) {
        state.skipScore(p.name());
        continue;
      }
      return Status.error("running PreScore plugin " + p.name() + ": " + s.message()).withPlugin(p.name());
    }
    return null;
  }

  public boolean hasScorePlugins() {
    return !score.isEmpty();
  }

  /** The result of scoring: per-node totals, or an error. */
  public record ScoreOutcome(long[] totals, Status status) {
  }

  /**
   * Runs Score over {@code nodes} (in parallel), NormalizeScore, validates the range and applies
   * the weights, as upstream's {@code RunScorePlugins}.
   */
  public ScoreOutcome runScore(CycleState state, Pod pod, List<NodeInfo> nodes, ParallelizerImpl parallelizer) {
    int n = nodes.size();
    long[] totals = new long[n];
    List<Weighted> active = new ArrayList<>(score.size());
    for (Weighted w : score) {
      if (!state.skipScorePlugins().contains(w.plugin.name())) {
        active.add(w);
      }
    }
    if (active.isEmpty()) {
      return new ScoreOutcome(totals, null);
    }
    long[][] scores = new long[active.size()][n];
    AtomicReference<Status> error = new AtomicReference<>();
    parallelizer.untilStopped(n, i -> {
      NodeInfo node = nodes.get(i);
      for (int j = 0; j < active.size(); j++) {
        ScorePlugin p = active.get(j).plugin;
        try {
          scores[j][i] = p.score(state, pod, node);
        } catch (RuntimeException | LinkageError e) {
          error.compareAndSet(null, Status.error("running Score plugin " + p.name() + ": " + e).withPlugin(p.name()));
          return false;
        }
      }
      return true;
    });
    if (error.get() != null) {
      return new ScoreOutcome(totals, error.get());
    }
    for (int j = 0; j < active.size(); j++) {
      ScorePlugin p = active.get(j).plugin;
      ScoreExtensions ext;
      try {
        ext = p.scoreExtensions();
      } catch (RuntimeException e) {
        return new ScoreOutcome(totals, Status.error(e).withPlugin(p.name()));
      }
      if (ext != null) {
        long[] s = scores[j];
        Status st = status(p, () -> ext.normalizeScore(state, pod, new NodeScoresImpl(nodes, s)));
        if (st != null) {
          return new ScoreOutcome(totals, Status.error("running Normalize on Score plugin " + p.name() + ": "
              + st.message()).withPlugin(p.name()));
        }
      }
      int weight = active.get(j).weight;
      for (int i = 0; i < n; i++) {
        long v = scores[j][i];
        if (v < ScorePlugin.MIN_NODE_SCORE || v > ScorePlugin.MAX_NODE_SCORE) {
          return new ScoreOutcome(totals, Status.error("plugin " + p.name() + " returns an invalid score " + v
              + ", it should in the range of [" + ScorePlugin.MIN_NODE_SCORE + ", " + ScorePlugin.MAX_NODE_SCORE
              + "] after normalizing").withPlugin(p.name()));
        }
        totals[i] += v * weight;
      }
    }
    return new ScoreOutcome(totals, null);
  }

  // ---- reserve, permit, bind -----------------------------------------------------------------

  public Status runReserve(CycleState state, Pod pod, String node) {
    for (ReservePlugin p : reserve) {
      Status s = status(p, () -> p.reserve(state, pod, node));
      if (s != null) {
        return s;
      }
    }
    return null;
  }

  /** Runs Unreserve of every Reserve plugin in reverse order; never fails. */
  public void runUnreserve(CycleState state, Pod pod, String node) {
    for (int i = reserve.size() - 1; i >= 0; i--) {
      ReservePlugin p = reserve.get(i);
      try {
        p.unreserve(state, pod, node);
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("Unreserve of plugin {} failed: {}", p.name(), e.toString());
      }
    }
  }

  /**
   * Runs Permit. Success: go on. Wait: the pod was added to the waiting pods. Otherwise the
   * rejection or error.
   */
  public Status runPermit(CycleState state, Pod pod, String node) {
    Map<String, Duration> waits = new LinkedHashMap<>();
    for (PermitPlugin p : permit) {
      AtomicReference<Status> error = new AtomicReference<>();
      PermitResult r = call(p, () -> p.permit(state, pod, node), error);
      if (error.get() != null) {
        return error.get();
      }
      Status s = r == null ? null : r.status();
      if (Status.isSuccess(s)) {
        continue;
      }
      if (s.isWait()) {
        waits.put(p.name(), r.timeout());
        continue;
      }
      s = s.withPlugin(p.name());
      if (!s.isRejected()) {
        return Status.error("running Permit plugin " + p.name() + ": " + s.message()).withPlugin(p.name());
      }
      return s;
    }
    if (!waits.isEmpty()) {
      services.waitingPods().add(pod, node, waits);
      return Status.waiting("one or more plugins asked to wait");
    }
    return null;
  }

  /** Blocks until the pod's Permit wait ends (success if it was not waiting). */
  public Status waitOnPermit(Pod pod) {
    String uid = WaitingPods.uid(pod);
    WaitingPods.Waiting w = services.waitingPods().get(uid);
    if (w == null) {
      return null;
    }
    try {
      Status s = w.await();
      return Status.isSuccess(s) ? null : s;
    } finally {
      services.waitingPods().remove(uid);
    }
  }

  public Status runPreBind(CycleState state, Pod pod, String node) {
    for (PreBindPlugin p : preBind) {
      Status s = status(p, () -> p.preBind(state, pod, node));
      if (s != null) {
        return Status.error("running PreBind plugin " + p.name() + ": " + s.message()).withPlugin(p.name());
      }
    }
    return null;
  }

  /** Runs Bind plugins until one does not skip; {@link Status#skip()} if all skipped. */
  public Status runBind(CycleState state, Pod pod, String node) {
    if (bind.isEmpty()) {
      return Status.skip();
    }
    for (BindPlugin p : bind) {
      Status s = status(p, () -> p.bind(state, pod, node));
      if (s != null && s.isSkip()) {
        continue;
      }
      if (s != null) {
        return Status.error("running Bind plugin " + p.name() + ": " + s.message()).withPlugin(p.name());
      }
      return null;
    }
    return Status.skip();
  }

  public void runPostBind(CycleState state, Pod pod, String node) {
    for (PostBindPlugin p : postBind) {
      try {
        p.postBind(state, pod, node);
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("PostBind of plugin {} failed: {}", p.name(), e.toString());
      }
    }
  }

  @Override
  public String toString() {
    return "Framework{" + profileName + (isReady() ? "" : ", not ready: " + problems) + "}";
  }
}
