package io.bosun.scheduler.plugins.testkit;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.EventType;
import io.bosun.scheduler.spi.FilterPlugin;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.ObjectLister;
import io.bosun.scheduler.spi.Parallelizer;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.PreFilterExtensions;
import io.bosun.scheduler.spi.PreFilterPlugin;
import io.bosun.scheduler.spi.SharedLister;
import io.bosun.scheduler.spi.Status;
import io.bosun.scheduler.spi.WaitingPod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;

/**
 * A {@link Handle} for plugin tests: a fixed snapshot, a sequential parallelizer, listers from
 * given objects, the profile's filter plugins for "what if" runs, and recorded cluster actions
 * (binds, deletions, nominations, events) instead of API calls. Thread-safe for the recording
 * lists; configure it before use.
 */
public final class TestHandle implements Handle {

  /** A recorded deletion. */
  public record Deletion(Pod victim, String message) {
  }

  /** A recorded nomination change ({@code nodeName} null: cleared). */
  public record Nomination(Pod pod, String nodeName) {
  }

  /** A recorded binding. */
  public record Binding(Pod pod, String nodeName) {
  }

  /** A recorded event. */
  public record Event(KubernetesObject regarding, EventType type, String reason, String message) {
  }

  private SharedLister snapshot = TestSnapshot.of(List.of());
  private final Map<Class<?>, List<? extends KubernetesObject>> objects = new HashMap<>();
  private final Map<String, List<PodInfo>> nominated = new HashMap<>();
  private final List<PreFilterPlugin> preFilters = new ArrayList<>();
  private final List<FilterPlugin> filters = new ArrayList<>();
  private Status bindResult;
  private Status deleteResult;

  public final List<Binding> binds = new CopyOnWriteArrayList<>();
  public final List<Deletion> deletions = new CopyOnWriteArrayList<>();
  public final List<Nomination> nominations = new CopyOnWriteArrayList<>();
  public final List<Event> events = new CopyOnWriteArrayList<>();

  /** Uses {@code snapshot} as the cycle's snapshot. */
  public TestHandle snapshot(SharedLister snapshot) {
    this.snapshot = snapshot;
    return this;
  }

  /** Serves {@code items} from {@link #lister(Class)}. */
  @SafeVarargs
  public final <T extends KubernetesObject> TestHandle objects(Class<T> type, T... items) {
    objects.put(type, List.of(items));
    return this;
  }

  /** Nominates {@code pods} to {@code nodeName} (as preemption would have). */
  public TestHandle nominated(String nodeName, Pod... pods) {
    List<PodInfo> l = new ArrayList<>();
    for (Pod p : pods) {
      l.add(PodInfo.of(p));
    }
    l.sort(Comparator.comparingInt(PodInfo::priority).reversed());
    nominated.put(nodeName, l);
    return this;
  }

  /** The profile's PreFilter plugins whose extensions run in "what if" evaluations. */
  public TestHandle preFilters(PreFilterPlugin... plugins) {
    preFilters.addAll(List.of(plugins));
    return this;
  }

  /** The profile's Filter plugins, run by {@link #runFilterPluginsWithNominatedPods}. */
  public TestHandle filters(FilterPlugin... plugins) {
    filters.addAll(List.of(plugins));
    return this;
  }

  /** What {@link #bind} returns (default success). */
  public TestHandle bindResult(Status status) {
    this.bindResult = status;
    return this;
  }

  /** What {@link #deletePod} returns (default success). */
  public TestHandle deleteResult(Status status) {
    this.deleteResult = status;
    return this;
  }

  @Override
  public String profileName() {
    return "default-scheduler";
  }

  @Override
  public SharedLister snapshotLister() {
    return snapshot;
  }

  @Override
  public Parallelizer parallelizer() {
    return new Parallelizer() {
      @Override
      public int parallelism() {
        return 1;
      }

      @Override
      public void until(int pieces, IntConsumer work) {
        for (int i = 0; i < pieces; i++) {
          work.accept(i);
        }
      }
    };
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends KubernetesObject> ObjectLister<T> lister(Class<T> type) {
    List<T> items = (List<T>) objects.getOrDefault(type, List.of());
    return new ObjectLister<>() {
      @Override
      public List<T> list() {
        return items;
      }

      @Override
      public List<T> list(String namespace) {
        return items.stream().filter(o -> namespace.equals(o.getMetadata().getNamespace())).toList();
      }

      @Override
      public T get(String namespace, String name) {
        for (T o : items) {
          String ns = o.getMetadata().getNamespace();
          boolean nsMatch = namespace == null || namespace.isEmpty() ? ns == null || ns.isEmpty() : namespace.equals(ns);
          if (nsMatch && name.equals(o.getMetadata().getName())) {
            return o;
          }
        }
        return null;
      }

      @Override
      public boolean hasSynced() {
        return true;
      }
    };
  }

  @Override
  public List<PodInfo> nominatedPodsForNode(String nodeName) {
    return nominated.getOrDefault(nodeName, List.of());
  }

  /** As upstream's {@code RunFilterPluginsWithNominatedPods}: first with nominated pods of equal or higher priority added. */
  @Override
  public Status runFilterPluginsWithNominatedPods(CycleState state, Pod pod, NodeInfo nodeInfo) {
    int priority = PodInfo.of(pod).priority();
    CycleState withNominated = state;
    NodeInfo infoWithNominated = nodeInfo;
    boolean added = false;
    for (PodInfo np : nominatedPodsForNode(nodeInfo.name())) {
      if (np.priority() >= priority && !np.uid().equals(PodInfo.of(pod).uid())) {
        if (!added) {
          withNominated = state.copy();
          added = true;
        }
        infoWithNominated = infoWithNominated.withPod(np);
        Status s = runPreFilterExtensionAddPod(withNominated, pod, np, infoWithNominated);
        if (!Status.isSuccess(s)) {
          return s;
        }
      }
    }
    Status s = runFilters(withNominated, pod, infoWithNominated);
    if (!added || !Status.isSuccess(s)) {
      return s;
    }
    return runFilters(state, pod, nodeInfo);
  }

  private Status runFilters(CycleState state, Pod pod, NodeInfo nodeInfo) {
    for (FilterPlugin f : filters) {
      if (state.skipFilterPlugins().contains(f.name())) {
        continue;
      }
      Status s = f.filter(state, pod, nodeInfo);
      if (!Status.isSuccess(s)) {
        return s.withPlugin(f.name());
      }
    }
    return null;
  }

  @Override
  public Status runPreFilterExtensionAddPod(CycleState state, Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo) {
    for (PreFilterPlugin p : preFilters) {
      PreFilterExtensions ext = p.preFilterExtensions();
      if (ext != null && !state.skipFilterPlugins().contains(p.name())) {
        Status s = ext.addPod(state, podToSchedule, podToAdd, nodeInfo);
        if (!Status.isSuccess(s)) {
          return s.withPlugin(p.name());
        }
      }
    }
    return null;
  }

  @Override
  public Status runPreFilterExtensionRemovePod(CycleState state, Pod podToSchedule, PodInfo podToRemove, NodeInfo nodeInfo) {
    for (PreFilterPlugin p : preFilters) {
      PreFilterExtensions ext = p.preFilterExtensions();
      if (ext != null && !state.skipFilterPlugins().contains(p.name())) {
        Status s = ext.removePod(state, podToSchedule, podToRemove, nodeInfo);
        if (!Status.isSuccess(s)) {
          return s.withPlugin(p.name());
        }
      }
    }
    return null;
  }

  @Override
  public List<WaitingPod> waitingPods() {
    return List.of();
  }

  @Override
  public WaitingPod waitingPod(String uid) {
    return null;
  }

  @Override
  public Status bind(Pod pod, String nodeName) {
    binds.add(new Binding(pod, nodeName));
    return bindResult == null ? Status.success() : bindResult;
  }

  @Override
  public Status deletePod(Pod victim, String message) {
    deletions.add(new Deletion(victim, message));
    return deleteResult == null ? Status.success() : deleteResult;
  }

  @Override
  public Status setNominatedNodeName(Pod pod, String nodeName) {
    nominations.add(new Nomination(pod, nodeName));
    return Status.success();
  }

  @Override
  public void recordEvent(KubernetesObject regarding, EventType type, String reason, String message) {
    events.add(new Event(regarding, type, reason, message));
  }

  @Override
  public void activate(Collection<Pod> pods) {
  }
}
