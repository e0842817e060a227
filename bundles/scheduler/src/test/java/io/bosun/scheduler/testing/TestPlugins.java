package io.bosun.scheduler.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.Taint;
import io.bosun.api.core.v1.Toleration;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.BindPlugin;
import io.bosun.scheduler.spi.ClusterEvent;
import io.bosun.scheduler.spi.ClusterEventWithHint;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.EnqueueExtensions;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.spi.FilterPlugin;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.NodeScores;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.PreEnqueuePlugin;
import io.bosun.scheduler.spi.QueueSortPlugin;
import io.bosun.scheduler.spi.QueuedPodInfo;
import io.bosun.scheduler.spi.ScoreExtensions;
import io.bosun.scheduler.spi.ScorePlugin;
import io.bosun.scheduler.spi.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/** Small plugins for framework tests, named like upstream's so profiles read naturally. */
public final class TestPlugins {

  private TestPlugins() {
  }

  /** A base with a close flag. */
  public abstract static class Base implements Plugin {
    private final String name;
    public volatile boolean closed;

    protected Base(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** A factory that remembers its instances. */
  public static final class TestFactory implements PluginFactory {
    public final String name;
    private final BiFunction<JsonNode, Handle, Plugin> make;
    public final List<Plugin> created = new CopyOnWriteArrayList<>();

    public TestFactory(String name, BiFunction<JsonNode, Handle, Plugin> make) {
      this.name = name;
      this.make = make;
    }

    @Override
    public Plugin create(JsonNode args, Handle handle) {
      Plugin p = make.apply(args, handle);
      created.add(p);
      return p;
    }

    public Plugin last() {
      return created.isEmpty() ? null : created.get(created.size() - 1);
    }
  }

  /** Higher priority first, then FIFO. */
  public static final class PrioritySort extends Base implements QueueSortPlugin {
    public PrioritySort() {
      super("PrioritySort");
    }

    @Override
    public boolean less(QueuedPodInfo a, QueuedPodInfo b) {
      int pa = a.podInfo().priority();
      int pb = b.podInfo().priority();
      return pa > pb || (pa == pb && a.timestamp().isBefore(b.timestamp()));
    }
  }

  /** CPU fit and a LeastAllocated / MostAllocated CPU score. */
  public static final class NodeResourcesFit extends Base implements FilterPlugin, ScorePlugin, EnqueueExtensions {
    final boolean most;
    public final AtomicInteger filterCalls = new AtomicInteger();

    public NodeResourcesFit(JsonNode args) {
      super("NodeResourcesFit");
      String strategy = args.path("scoringStrategy").path("type").asText("LeastAllocated");
      if (!strategy.equals("LeastAllocated") && !strategy.equals("MostAllocated")) {
        throw new IllegalArgumentException("unknown scoring strategy " + strategy);
      }
      this.most = strategy.equals("MostAllocated");
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
      filterCalls.incrementAndGet();
      long want = cpu(pod);
      if (nodeInfo.requested().milliCpu() + want > nodeInfo.allocatable().milliCpu()) {
        return Status.unschedulable("Insufficient cpu");
      }
      return null;
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
      long alloc = nodeInfo.allocatable().milliCpu();
      long used = nodeInfo.requested().milliCpu() + cpu(pod);
      if (alloc == 0) {
        return 0;
      }
      long pct = Math.min(100, used * 100 / alloc);
      return most ? pct : 100 - pct;
    }

    private static long cpu(Pod pod) {
      long m = 0;
      for (var c : pod.getSpec().getContainers()) {
        var q = c.getResources() == null || c.getResources().getRequests() == null ? null
            : c.getResources().getRequests().get("cpu");
        m += q == null ? 0 : q.milliValue();
      }
      return m;
    }

    @Override
    public List<ClusterEventWithHint> eventsToRegister() {
      return List.of(
          ClusterEventWithHint.of(ClusterEvent.of(EventResource.NODE, ActionType.ADD, ActionType.UPDATE_NODE_ALLOCATABLE)),
          ClusterEventWithHint.of(ClusterEvent.of(EventResource.ASSIGNED_POD, ActionType.DELETE)));
    }
  }

  /** NoSchedule taints without a matching toleration reject the node. */
  public static final class TaintToleration extends Base implements FilterPlugin, EnqueueExtensions {
    public TaintToleration() {
      super("TaintToleration");
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
      List<Taint> taints = nodeInfo.node().getSpec() == null ? null : nodeInfo.node().getSpec().getTaints();
      if (taints == null) {
        return null;
      }
      List<Toleration> tols = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
      for (Taint t : taints) {
        if (!"NoSchedule".equals(t.getEffect())) {
          continue;
        }
        boolean tolerated = tols.stream().anyMatch(x -> t.getKey().equals(x.getKey()));
        if (!tolerated) {
          return Status.unresolvable("node(s) had untolerated taint {" + t.getKey() + ": " + t.getValue() + "}");
        }
      }
      return null;
    }

    @Override
    public List<ClusterEventWithHint> eventsToRegister() {
      return List.of(ClusterEventWithHint.of(ClusterEvent.of(EventResource.NODE, ActionType.ADD, ActionType.UPDATE_NODE_TAINT)),
          ClusterEventWithHint.of(ClusterEvent.of(EventResource.UNSCHEDULED_POD, ActionType.UPDATE_POD_TOLERATIONS)));
    }
  }

  /** Rejects pods with scheduling gates. */
  public static final class SchedulingGates extends Base implements PreEnqueuePlugin, EnqueueExtensions {
    public SchedulingGates() {
      super("SchedulingGates");
    }

    @Override
    public Status preEnqueue(Pod pod) {
      if (pod.getSpec().getSchedulingGates() == null || pod.getSpec().getSchedulingGates().isEmpty()) {
        return null;
      }
      return Status.unresolvable("waiting for scheduling gates");
    }

    @Override
    public List<ClusterEventWithHint> eventsToRegister() {
      return List.of(ClusterEventWithHint.of(
          ClusterEvent.of(EventResource.UNSCHEDULED_POD, ActionType.UPDATE_POD_SCHEDULING_GATES_ELIMINATED)));
    }
  }

  /** Binds through the handle. */
  public static final class DefaultBinder extends Base implements BindPlugin {
    private final Handle handle;

    public DefaultBinder(Handle handle) {
      super("DefaultBinder");
      this.handle = handle;
    }

    @Override
    public Status bind(CycleState state, Pod pod, String nodeName) {
      return handle.bind(pod, nodeName);
    }
  }

  /** Scores every node the same (for tie tests), and normalizes by doing nothing. */
  public static final class Flat extends Base implements ScorePlugin, ScoreExtensions {
    public Flat() {
      super("Flat");
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
      return 7;
    }

    @Override
    public ScoreExtensions scoreExtensions() {
      return this;
    }

    @Override
    public Status normalizeScore(CycleState state, Pod pod, NodeScores scores) {
      return null;
    }
  }

  /** Scores by the number in the node's name, normalized to 0..100 (highest number wins). */
  public static final class NameNumber extends Base implements ScorePlugin, ScoreExtensions {
    public NameNumber() {
      super("NameNumber");
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
      return Long.parseLong(nodeInfo.name().replaceAll("\\D", ""));
    }

    @Override
    public ScoreExtensions scoreExtensions() {
      return this;
    }

    @Override
    public Status normalizeScore(CycleState state, Pod pod, NodeScores scores) {
      long max = 0;
      for (int i = 0; i < scores.size(); i++) {
        max = Math.max(max, scores.score(i));
      }
      for (int i = 0; i < scores.size(); i++) {
        scores.setScore(i, max == 0 ? 0 : scores.score(i) * 100 / max);
      }
      return null;
    }
  }

  /** A filter that blocks its first call until released (to swap profiles mid-cycle). */
  public static final class Latch extends Base implements FilterPlugin {
    public final CountDownLatch entered = new CountDownLatch(1);
    public final CountDownLatch release = new CountDownLatch(1);

    public Latch() {
      super("Latch");
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
      entered.countDown();
      try {
        if (!release.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("latch never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (closed) {
        throw new IllegalStateException("used after close");
      }
      return null;
    }
  }

  /** The standard test factories by name. */
  public static Map<String, TestFactory> standard() {
    Map<String, TestFactory> m = new LinkedHashMap<>();
    add(m, new TestFactory("PrioritySort", (a, h) -> new PrioritySort()));
    add(m, new TestFactory("NodeResourcesFit", (a, h) -> new NodeResourcesFit(a)));
    add(m, new TestFactory("TaintToleration", (a, h) -> new TaintToleration()));
    add(m, new TestFactory("SchedulingGates", (a, h) -> new SchedulingGates()));
    add(m, new TestFactory("DefaultBinder", (a, h) -> new DefaultBinder(h)));
    add(m, new TestFactory("Flat", (a, h) -> new Flat()));
    add(m, new TestFactory("NameNumber", (a, h) -> new NameNumber()));
    add(m, new TestFactory("Latch", (a, h) -> new Latch()));
    return m;
  }

  private static void add(Map<String, TestFactory> m, TestFactory f) {
    m.put(f.name, f);
  }

  /** Policies for tests: {@code test} (fit, taints, least allocated) and {@code pack} (most allocated). */
  public static final String POLICIES = """
      test:
        plugins:
          multiPoint:
            enabled:
            - SchedulingGates
            - PrioritySort
            - TaintToleration
            - {name: NodeResourcesFit, weight: 1}
            - DefaultBinder
        pluginConfig:
        - name: NodeResourcesFit
          args: {scoringStrategy: {type: LeastAllocated}}
      pack:
        policy: test
        pluginConfig:
        - name: NodeResourcesFit
          args: {scoringStrategy: {type: MostAllocated}}
      """;

  /** One profile, default-scheduler on policy {@code test}. */
  public static final String PROFILES = """
      - schedulerName: default-scheduler
        policy: test
      """;

  public static List<String> names(List<? extends Plugin> plugins) {
    List<String> out = new ArrayList<>();
    plugins.forEach(p -> out.add(p.name()));
    return out;
  }
}
