package io.bosun.kubelet;

import io.bosun.runtime.spi.ContainerRuntime;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container runtimes present, by name, and which RuntimeClass handler goes to which. Runtimes
 * come and go while the kubelet runs (bundle updates): a pod whose runtime is absent waits, its
 * containers untouched, until it is back. Thread-safe.
 */
public final class Runtimes {

  private static final Logger LOG = LoggerFactory.getLogger(Runtimes.class);

  /**
   * A registered runtime.
   *
   * @param name     its {@value ContainerRuntime#RUNTIME_NAME} name
   * @param runtime  the service
   * @param handlers the RuntimeClass handlers it serves
   */
  public record Entry(String name, ContainerRuntime runtime, Set<String> handlers) {}

  private final Map<String, Entry> byName = new ConcurrentHashMap<>();
  private volatile Map<String, String> extraHandlers;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /**
   * @param extraHandlers handler → runtime name mappings from the kubelet's configuration
   */
  public Runtimes(Map<String, String> extraHandlers) {
    this.extraHandlers = Map.copyOf(extraHandlers);
  }

  /** Replaces the handler → runtime name mappings from configuration. */
  public void setExtraHandlers(Map<String, String> extraHandlers) {
    this.extraHandlers = Map.copyOf(extraHandlers);
  }

  /**
   * Adds a runtime (replacing one of the same name). Runtimes built for another contract version
   * are refused.
   *
   * @param handlers the handlers it advertises; empty for just its name
   * @return whether it was added
   */
  public boolean add(String name, ContainerRuntime runtime, Collection<String> handlers) {
    int api = runtime.version().apiVersion();
    if (api != ContainerRuntime.API_VERSION) {
      LOG.warn("Ignoring runtime {}: it implements runtime API version {}, this kubelet speaks {}", name, api,
          ContainerRuntime.API_VERSION);
      return false;
    }
    Set<String> h = new LinkedHashSet<>(handlers);
    if (h.isEmpty()) {
      h.add(name);
    }
    byName.put(name, new Entry(name, runtime, Set.copyOf(h)));
    LOG.info("Container runtime {} available ({}, handlers {})", name, runtime.version().nodeInfo(), h);
    listeners.forEach(Runnable::run);
    return true;
  }

  /** Removes a runtime if {@code runtime} is the one registered under {@code name}. */
  public void remove(String name, ContainerRuntime runtime) {
    if (byName.computeIfPresent(name, (k, e) -> e.runtime() == runtime ? null : e) == null) {
      LOG.info("Container runtime {} gone", name);
      listeners.forEach(Runnable::run);
    }
  }

  /** Calls {@code listener} after every change. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  public Optional<Entry> byName(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The runtime serving a RuntimeClass handler: an advertised handler, else the configuration's mapping. */
  public Optional<Entry> byHandler(String handler) {
    for (Entry e : byName.values()) {
      if (e.handlers().contains(handler)) {
        return Optional.of(e);
      }
    }
    String mapped = extraHandlers.get(handler);
    return mapped == null ? Optional.empty() : byName(mapped);
  }

  public List<Entry> all() {
    return List.copyOf(byName.values());
  }
}
