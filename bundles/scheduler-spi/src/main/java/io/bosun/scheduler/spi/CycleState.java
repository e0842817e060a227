package io.bosun.scheduler.spi;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Data of one scheduling attempt of one pod, shared by the plugins of that attempt, as upstream's
 * {@code framework.CycleState}: created empty at the start of the scheduling cycle, carried into
 * the binding cycle, dropped afterwards. Plugins write under a {@link Key} derived from their name
 * and never keep per-pod data in their own fields.
 *
 * <p>Thread-safe: Filter and Score run in parallel across nodes and may read concurrently; writes
 * usually happen in PreFilter / PreScore, which run alone. {@link #copy()} gives an independent
 * copy for parallel "what if" evaluations (preemption).
 *
 * <p>Plugin tests may create one with {@code new CycleState()}.
 */
public final class CycleState {

  /**
   * A typed key. Two keys are equal when their names are; use one constant per plugin and datum,
   * named after the plugin ({@code "PreFilterNodeResourcesFit"}), as upstream does.
   *
   * @param <T> the type of the value stored under this key
   */
  public static final class Key<T extends StateData> {
    private final String name;
    private final Class<T> type;

    private Key(String name, Class<T> type) {
      this.name = Objects.requireNonNull(name, "name");
      this.type = Objects.requireNonNull(type, "type");
    }

    /** The key {@code name} for values of {@code type}. */
    public static <T extends StateData> Key<T> of(String name, Class<T> type) {
      return new Key<>(name, type);
    }

    public String name() {
      return name;
    }

    public Class<T> type() {
      return type;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key<?> k && k.name.equals(name);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private final ConcurrentHashMap<String, StateData> data;
  private final Set<String> skipFilterPlugins;
  private final Set<String> skipScorePlugins;

  /** An empty state. */
  public CycleState() {
    this(new ConcurrentHashMap<>(), ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet());
  }

  private CycleState(ConcurrentHashMap<String, StateData> data, Set<String> skipFilter, Set<String> skipScore) {
    this.data = data;
    this.skipFilterPlugins = skipFilter;
    this.skipScorePlugins = skipScore;
  }

  /**
   * The value under {@code key}, or null if none was written (e.g. PreFilter returned Skip or was
   * not enabled). Upstream returns {@code ErrNotFound}; a plugin that requires its PreFilter data
   * should return {@link Status#error(String)} when this is null.
   *
   * @throws ClassCastException if a value of another type was stored under the same name
   */
  public <T extends StateData> T read(Key<T> key) {
    StateData d = data.get(key.name());
    return d == null ? null : key.type().cast(d);
  }

  /** Stores {@code value} under {@code key}, replacing any previous value. */
  public <T extends StateData> void write(Key<T> key, T value) {
    data.put(key.name(), Objects.requireNonNull(value, "value"));
  }

  /** Removes the value under {@code key}, if any. */
  public void delete(Key<?> key) {
    data.remove(key.name());
  }

  /**
   * An independent copy: every value is {@link StateData#copy() copied}; the skip sets are copied
   * too. Safe to call while others read this state.
   */
  public CycleState copy() {
    ConcurrentHashMap<String, StateData> d = new ConcurrentHashMap<>(Math.max(16, data.size() * 2));
    data.forEach((k, v) -> d.put(k, v.copy()));
    Set<String> sf = ConcurrentHashMap.newKeySet();
    sf.addAll(skipFilterPlugins);
    Set<String> ss = ConcurrentHashMap.newKeySet();
    ss.addAll(skipScorePlugins);
    return new CycleState(d, sf, ss);
  }

  /**
   * Names of plugins whose Filter is skipped in this cycle because their PreFilter returned
   * {@link Status.Code#SKIP}. Maintained by the framework; plugins only read it. Unmodifiable view.
   */
  public Set<String> skipFilterPlugins() {
    return Collections.unmodifiableSet(skipFilterPlugins);
  }

  /** As {@link #skipFilterPlugins()}, for Score after PreScore returned Skip. */
  public Set<String> skipScorePlugins() {
    return Collections.unmodifiableSet(skipScorePlugins);
  }

  /** For the framework: marks {@code plugin}'s Filter as skipped in this cycle. */
  public void skipFilter(String plugin) {
    skipFilterPlugins.add(plugin);
  }

  /** For the framework: marks {@code plugin}'s Score as skipped in this cycle. */
  public void skipScore(String plugin) {
    skipScorePlugins.add(plugin);
  }

  /** The keys currently written (for diagnostics). */
  public Map<String, StateData> snapshotForDebugging() {
    return Map.copyOf(data);
  }
}
