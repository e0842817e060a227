package io.bosun.scheduler.framework;

import io.bosun.scheduler.config.Configuration;
import io.bosun.scheduler.spi.QueuedPodInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable generation of the scheduler's profiles: one {@link Framework} per scheduler name,
 * the configuration they came from and any configuration errors. The {@link ProfileManager} swaps
 * the current set atomically; a scheduling cycle {@linkplain #retain() retains} the set it starts
 * with and releases it when its binding cycle ends, so a cycle always finishes with the plugin
 * instances it started with. Plugins of frameworks no live set holds are closed when the last set
 * holding them is released.
 */
public final class ProfileSet {

  private final long generation;
  private final Map<String, Framework> frameworks;
  private final Map<String, List<String>> problems;
  private final Configuration.Effective config;
  private final List<String> configErrors;
  private final Framework queueOrder;
  /** 1 for the manager while current, +1 per cycle in progress; 0 = closed. */
  private final AtomicInteger refs = new AtomicInteger(1);

  ProfileSet(long generation, List<Framework> frameworks, Configuration.Effective config, List<String> configErrors) {
    this.generation = generation;
    Map<String, Framework> byName = new LinkedHashMap<>();
    Map<String, List<String>> problems = new LinkedHashMap<>();
    Framework order = null;
    for (Framework f : frameworks) {
      byName.put(f.profileName(), f);
      f.retainBySet();
      List<String> p = new ArrayList<>(f.problems());
      if (f.isReady()) {
        if (order == null) {
          order = f;
        } else if (!java.util.Objects.equals(order.queueSortName(), f.queueSortName())) {
          p.add("all profiles must use the same queue sort plugin: profile " + order.profileName() + " uses "
              + order.queueSortName() + ", profile " + f.profileName() + " uses " + f.queueSortName());
        }
      }
      problems.put(f.profileName(), List.copyOf(p));
    }
    this.frameworks = Collections.unmodifiableMap(byName);
    this.problems = Collections.unmodifiableMap(problems);
    this.config = config;
    this.configErrors = List.copyOf(configErrors);
    this.queueOrder = order;
  }

  /** Increases with every swap. */
  public long generation() {
    return generation;
  }

  /** The frameworks by scheduler name, in configuration order. */
  public Map<String, Framework> frameworks() {
    return frameworks;
  }

  /** The framework of {@code schedulerName}, or null if no profile has that name. */
  public Framework get(String schedulerName) {
    return frameworks.get(schedulerName);
  }

  /** Whether this set has a profile for {@code schedulerName} (the scheduler is responsible for such pods). */
  public boolean isResponsibleFor(String schedulerName) {
    return frameworks.containsKey(schedulerName);
  }

  /** Why the profile {@code schedulerName} cannot schedule; empty if it can. */
  public List<String> problems(String schedulerName) {
    return problems.getOrDefault(schedulerName, List.of());
  }

  /** Whether profile {@code schedulerName} can schedule. */
  public boolean isReady(String schedulerName) {
    return frameworks.containsKey(schedulerName) && problems(schedulerName).isEmpty();
  }

  /** The configuration these profiles came from. */
  public Configuration.Effective config() {
    return config;
  }

  /** Errors of the configuration sources (the last good configuration is then still in use). */
  public List<String> configErrors() {
    return configErrors;
  }

  /** The queue order: the queue-sort plugin of the first ready profile, else first-in first-out. */
  public boolean less(QueuedPodInfo a, QueuedPodInfo b) {
    Framework f = queueOrder;
    return f == null ? a.timestamp().isBefore(b.timestamp()) : f.less(a, b);
  }

  /** Takes a reference for a cycle; false if the set is already closed (use the current one instead). */
  public boolean retain() {
    while (true) {
      int r = refs.get();
      if (r == 0) {
        return false;
      }
      if (refs.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one closes the frameworks no other set holds. */
  public void release() {
    if (refs.decrementAndGet() == 0) {
      frameworks.values().forEach(Framework::releaseBySet);
    }
  }

  /** Whether the set was closed (every reference released). */
  public boolean isClosed() {
    return refs.get() == 0;
  }

  @Override
  public String toString() {
    return "ProfileSet{gen=" + generation + ", " + frameworks.values() + "}";
  }
}
