package io.bosun.kubelet;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.values.Quantity;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node-pressure eviction, as upstream's eviction manager with hard thresholds only: every
 * {@code evictionMonitoringPeriod} it compares {@code memory.available} and
 * {@code nodefs.available} with their thresholds. A met threshold turns on the node's
 * MemoryPressure or DiskPressure condition (kept for {@code evictionPressureTransitionPeriod} after
 * it recovers) and evicts one pod per period, at once and without grace: the lowest priority first,
 * BestEffort before Burstable before Guaranteed, never static or system-critical pods. An evicted
 * pod ends Failed with reason {@code Evicted}.
 */
final class EvictionManager implements NodeManager.Pressure {

  private static final Logger LOG = LoggerFactory.getLogger(EvictionManager.class);
  /** Pods at or above this priority (system-cluster-critical, system-node-critical) are never evicted. */
  static final int CRITICAL_PRIORITY = 2_000_000_000;

  /** The eviction signals. */
  interface Observer {
    long memoryAvailable();

    long memoryCapacity();

    long diskAvailable();

    long diskCapacity();
  }

  /** Observes the machine: /proc/meminfo and the kubelet root's filesystem. */
  static Observer machine(MachineInfo m, Path rootDir) {
    return new Observer() {
      public long memoryAvailable() {
        return m.memoryAvailableBytes();
      }

      public long memoryCapacity() {
        return m.memoryBytes();
      }

      public long diskAvailable() {
        return m.diskAvailableBytes(rootDir);
      }

      public long diskCapacity() {
        return m.diskBytes(rootDir);
      }
    };
  }

  private final KubeletConfig config;
  private final Observer observer;
  private final Clock clock;
  private final Supplier<Collection<PodState>> pods;
  private final PodManager podManager;
  private final Consumer<PodState> evict;
  private final Runnable onPressureChange;
  private volatile boolean memory;
  private volatile boolean disk;
  private Instant memoryLastMet;
  private Instant diskLastMet;

  EvictionManager(KubeletConfig config, Observer observer, Clock clock, Supplier<Collection<PodState>> pods,
      PodManager podManager, Consumer<PodState> evict, Runnable onPressureChange) {
    this.config = config;
    this.observer = observer;
    this.clock = clock;
    this.pods = pods;
    this.podManager = podManager;
    this.evict = evict;
    this.onPressureChange = onPressureChange;
  }

  @Override
  public boolean memory() {
    return memory;
  }

  @Override
  public boolean disk() {
    return disk;
  }

  /** One monitoring pass. */
  void check() {
    Instant now = clock.instant();
    KubeletConfig.EvictionThreshold metThreshold = null;
    long metAvailable = 0;
    String resource = null;
    boolean memMet = false;
    boolean diskMet = false;
    for (KubeletConfig.EvictionThreshold t : config.evictionHard()) {
      boolean mem = t.signal().equals("memory.available");
      long available = mem ? observer.memoryAvailable() : observer.diskAvailable();
      long capacity = mem ? observer.memoryCapacity() : observer.diskCapacity();
      if (capacity <= 0 || available >= t.bytes(capacity)) {
        continue;
      }
      if (mem) {
        memMet = true;
      } else {
        diskMet = true;
      }
      if (metThreshold == null) {
        metThreshold = t;
        metAvailable = available;
        resource = mem ? "memory" : "ephemeral-storage";
      }
    }
    if (memMet) {
      memoryLastMet = now;
    }
    if (diskMet) {
      diskLastMet = now;
    }
    Duration hold = config.evictionPressureTransitionPeriod();
    boolean mem = memoryLastMet != null && Duration.between(memoryLastMet, now).compareTo(hold) < 0 || memMet;
    boolean dsk = diskLastMet != null && Duration.between(diskLastMet, now).compareTo(hold) < 0 || diskMet;
    if (mem != memory || dsk != disk) {
      memory = mem;
      disk = dsk;
      LOG.info("Node pressure: memory {}, disk {}", mem, dsk);
      onPressureChange.run();
    }
    if (metThreshold == null) {
      return;
    }
    // One eviction at a time: wait for the last one to have taken effect.
    for (PodState s : pods.get()) {
      if (s.eviction != null && !s.killed) {
        return;
      }
    }
    List<PodState> candidates = new ArrayList<>();
    for (PodState s : pods.get()) {
      Pod p = s.pod;
      if (p == null || s.eviction != null || s.terminal || s.killed || podManager.isStatic(s.uid)
          || podManager.get(s.uid).isEmpty() || priority(p) >= CRITICAL_PRIORITY
          || p.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      candidates.add(s);
    }
    candidates.sort(Comparator.comparingInt((PodState s) -> qosRank(s.pod)).thenComparingInt(s -> priority(s.pod)));
    if (candidates.isEmpty()) {
      LOG.warn("Eviction threshold {} met (available {}), but no pod can be evicted", metThreshold,
          Quantity.parse((metAvailable / 1024) + "Ki"));
      return;
    }
    PodState victim = candidates.get(0);
    String message = "The node was low on resource: " + resource + ". Threshold quantity: "
        + (metThreshold.quantity() != null ? metThreshold.quantity() : metThreshold.percent() + "%")
        + ", available: " + (metAvailable / 1024) + "Ki. ";
    LOG.info("Evicting pod {}: {}", PodManager.fullName(victim.pod), message);
    victim.eviction = new String[] {"Evicted", message};
    evict.accept(victim);
  }

  private static int priority(Pod p) {
    return p.getSpec().getPriority() == null ? 0 : p.getSpec().getPriority();
  }

  /** BestEffort 0, Burstable 1, Guaranteed 2: lower goes first; priority decides within a class. */
  static int qosRank(Pod p) {
    String qos = p.getStatus() == null ? null : p.getStatus().getQosClass();
    if (qos == null) {
      qos = "Burstable";
    }
    return switch (qos) {
      case "BestEffort" -> 0;
      case "Guaranteed" -> 2;
      default -> 1;
    };
  }
}
