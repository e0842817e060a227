package io.bosun.scheduler.framework;

import io.bosun.scheduler.config.ConfigException;
import io.bosun.scheduler.config.Configuration;
import io.bosun.scheduler.config.ResolvedProfile;
import io.bosun.scheduler.spi.PluginFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the current {@link ProfileSet} and rebuilds it whenever an input changes: the ConfigAdmin
 * texts, the REST ConfigMap texts, or the plugin factories present. A rebuild resolves the
 * configuration (keeping the last good one if the new one is invalid), builds a framework per
 * profile (reusing an unchanged framework and its plugin instances), swaps the new set in
 * atomically and tells the listeners. The replaced set is released; its plugins are closed once
 * the cycles still using it end.
 *
 * <p>Thread-safe. Rebuilds run one at a time on the given executor; requests arriving while one is
 * pending are coalesced.
 */
public final class ProfileManager implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProfileManager.class);

  /** A registered plugin factory. */
  public record FactoryEntry(String name, PluginFactory factory, long serviceId, int ranking) {
  }

  private final FrameworkServices services;
  private final Executor executor;
  private final Map<Long, FactoryEntry> factories = new ConcurrentHashMap<>();
  private final List<Consumer<ProfileSet>> listeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> factoriesListeners = new CopyOnWriteArrayList<>();
  private final AtomicReference<ProfileSet> current = new AtomicReference<>();
  private final AtomicBoolean pending = new AtomicBoolean();
  private final Object rebuildLock = new Object();
  private volatile Configuration.Sources sources = new Configuration.Sources(null, null, null, null);
  private Configuration.Effective lastGood;
  private long generation;
  private volatile boolean closed;

  /**
   * @param executor runs rebuilds; {@code Runnable::run} rebuilds on the calling thread
   */
  public ProfileManager(FrameworkServices services, Executor executor) {
    this.services = Objects.requireNonNull(services, "services");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /** Sets the ConfigAdmin texts and rebuilds. */
  public void setConfigAdmin(String profiles, String policies) {
    Configuration.Sources s = sources;
    sources = new Configuration.Sources(profiles, policies, s.configMapProfiles(), s.configMapPolicies());
    requestRebuild();
  }

  /** Sets the ConfigMap texts (both null when the ConfigMap is absent) and rebuilds if they changed. */
  public void setConfigMap(String profiles, String policies) {
    Configuration.Sources s = sources;
    if (Objects.equals(s.configMapProfiles(), profiles) && Objects.equals(s.configMapPolicies(), policies)) {
      return;
    }
    sources = new Configuration.Sources(s.configAdminProfiles(), s.configAdminPolicies(), profiles, policies);
    requestRebuild();
  }

  /** The current configuration sources. */
  public Configuration.Sources sources() {
    return sources;
  }

  /** A plugin factory service arrived (or its properties changed). */
  public void addFactory(FactoryEntry entry) {
    factories.put(entry.serviceId(), entry);
    requestRebuild();
    factoriesChanged();
  }

  /** A plugin factory service left. */
  public void removeFactory(long serviceId) {
    if (factories.remove(serviceId) != null) {
      requestRebuild();
      factoriesChanged();
    }
  }

  /**
   * Called whenever a plugin factory arrives or leaves, even when no profile uses it (so no new set
   * is built): the installed plugins are part of what the scheduler reports.
   */
  public void addFactoriesListener(Runnable listener) {
    factoriesListeners.add(listener);
  }

  public void removeFactoriesListener(Runnable listener) {
    factoriesListeners.remove(listener);
  }

  private void factoriesChanged() {
    for (Runnable l : factoriesListeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        LOG.warn("Plugin factories listener failed: {}", e.toString(), e);
      }
    }
  }

  /** The factory for {@code name}: the highest ranking, then the lowest service id, as OSGi orders services. */
  public PluginFactory factory(String name) {
    FactoryEntry best = null;
    for (FactoryEntry e : factories.values()) {
      if (!e.name().equals(name)) {
        continue;
      }
      if (best == null || e.ranking() > best.ranking()
          || (e.ranking() == best.ranking() && e.serviceId() < best.serviceId())) {
        best = e;
      }
    }
    return best == null ? null : best.factory();
  }

  /** Names of the installed plugins (sorted), with the number of factories registering each. */
  public Map<String, Integer> installedPlugins() {
    Map<String, Integer> out = new TreeMap<>();
    factories.values().forEach(e -> out.merge(e.name(), 1, Integer::sum));
    return out;
  }

  /** Called with every new current set (on the rebuild thread). */
  public void addListener(Consumer<ProfileSet> listener) {
    listeners.add(listener);
  }

  public void removeListener(Consumer<ProfileSet> listener) {
    listeners.remove(listener);
  }

  /** The current set (not retained: use {@link #acquire()} to use its plugins). Null before the first build. */
  public ProfileSet current() {
    return current.get();
  }

  /** The current set, retained; the caller releases it. Null before the first build or after close. */
  public ProfileSet acquire() {
    while (true) {
      ProfileSet s = current.get();
      if (s == null) {
        return null;
      }
      if (s.retain()) {
        return s;
      }
      if (closed) {
        return null;
      }
    }
  }

  /** Asks for a rebuild on the executor; coalesced with one already pending. */
  public void requestRebuild() {
    if (closed) {
      return;
    }
    if (pending.compareAndSet(false, true)) {
      executor.execute(() -> {
        pending.set(false);
        rebuildNow();
      });
    }
  }

  /** Rebuilds on the calling thread. */
  public void rebuildNow() {
    ProfileSet next;
    synchronized (rebuildLock) {
      if (closed) {
        return;
      }
      List<String> errors = new ArrayList<>();
      Configuration.Effective eff;
      try {
        eff = Configuration.resolve(sources);
        lastGood = eff;
      } catch (ConfigException e) {
        LOG.warn("Invalid scheduler configuration, keeping the last good one: {}", e.getMessage());
        errors.add(e.getMessage());
        eff = lastGood;
        if (eff == null) {
          try {
            eff = Configuration.resolve(new Configuration.Sources(null, null, null, null));
          } catch (ConfigException impossible) {
            throw new IllegalStateException(impossible);
          }
        }
      }
      ProfileSet old = current.get();
      List<Framework> frameworks = new ArrayList<>();
      boolean changed = old == null || !old.configErrors().equals(errors)
          || old.frameworks().size() != eff.profiles().size();
      int i = 0;
      for (ResolvedProfile p : eff.profiles()) {
        Framework prev = old == null ? null : old.get(p.schedulerName());
        if (prev != null && FrameworkBuilder.reusable(prev, p, this::factory)) {
          frameworks.add(prev);
        } else {
          frameworks.add(FrameworkBuilder.build(p, this::factory, services));
          changed = true;
        }
        if (!changed && !List.copyOf(old.frameworks().keySet()).get(i).equals(p.schedulerName())) {
          changed = true;
        }
        i++;
      }
      if (!changed && old.config().equals(eff)) {
        return;
      }
      next = new ProfileSet(++generation, frameworks, eff, errors);
      current.set(next);
      if (old != null) {
        old.release();
      }
      for (Framework f : frameworks) {
        List<String> problems = next.problems(f.profileName());
        boolean known = old != null && old.problems(f.profileName()).equals(problems);
        if (!problems.isEmpty() && !known) {
          LOG.warn("Scheduler profile {} cannot schedule: {}", f.profileName(), String.join("; ", problems));
        }
      }
      LOG.info("Scheduler profiles generation {}: {}", next.generation(),
          next.frameworks().values().stream().map(f -> f.profileName() + (next.isReady(f.profileName()) ? "" : " (waiting)"))
              .sorted(Comparator.naturalOrder()).toList());
    }
    for (Consumer<ProfileSet> l : listeners) {
      try {
        l.accept(next);
      } catch (RuntimeException e) {
        LOG.warn("Profile listener failed: {}", e.toString(), e);
      }
    }
  }

  /** Releases the current set (its plugins close once no cycle uses them); no more rebuilds. */
  @Override
  public void close() {
    synchronized (rebuildLock) {
      closed = true;
      ProfileSet s = current.getAndSet(null);
      if (s != null) {
        s.release();
      }
    }
  }
}
