package io.bosun.scheduler.spi;

import io.bosun.api.values.Quantity;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An amount of node resources, as upstream's {@code framework.Resource}: CPU in millicores, memory
 * and ephemeral storage in bytes, a number of pods, and every other resource ("scalar": extended
 * resources such as {@code nvidia.com/gpu}, {@code hugepages-2Mi}) in whole units. Immutable and
 * thread-safe; arithmetic returns new instances.
 */
public final class Resource {

  /** Resource names with dedicated fields. */
  public static final String CPU = "cpu";
  public static final String MEMORY = "memory";
  public static final String EPHEMERAL_STORAGE = "ephemeral-storage";
  public static final String PODS = "pods";

  /** Nothing. */
  public static final Resource ZERO = new Resource(0, 0, 0, 0, Map.of());

  private final long milliCpu;
  private final long memory;
  private final long ephemeralStorage;
  private final long allowedPodNumber;
  private final Map<String, Long> scalar;

  /**
   * @param scalar other resources by name, whole units; copied
   */
  public Resource(long milliCpu, long memory, long ephemeralStorage, long allowedPodNumber, Map<String, Long> scalar) {
    this.milliCpu = milliCpu;
    this.memory = memory;
    this.ephemeralStorage = ephemeralStorage;
    this.allowedPodNumber = allowedPodNumber;
    this.scalar = scalar.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(scalar));
  }

  /**
   * Converts a resource list ({@code requests}, {@code allocatable}): {@code cpu} in milli-units,
   * {@code pods} and everything else rounded up to whole units. A null map is {@link #ZERO}.
   */
  public static Resource of(Map<String, Quantity> list) {
    if (list == null || list.isEmpty()) {
      return ZERO;
    }
    long cpu = 0;
    long mem = 0;
    long eph = 0;
    long pods = 0;
    Map<String, Long> other = new TreeMap<>();
    for (Map.Entry<String, Quantity> e : list.entrySet()) {
      if (e.getValue() == null) {
        continue;
      }
      switch (e.getKey()) {
        case CPU -> cpu = e.getValue().milliValue();
        case MEMORY -> mem = e.getValue().longValue();
        case EPHEMERAL_STORAGE -> eph = e.getValue().longValue();
        case PODS -> pods = e.getValue().longValue();
        default -> other.put(e.getKey(), e.getValue().longValue());
      }
    }
    return new Resource(cpu, mem, eph, pods, other);
  }

  public long milliCpu() {
    return milliCpu;
  }

  public long memory() {
    return memory;
  }

  public long ephemeralStorage() {
    return ephemeralStorage;
  }

  /** For allocatable: how many pods the node takes. For requests: unused (0). */
  public long allowedPodNumber() {
    return allowedPodNumber;
  }

  /** Other resources by name; unmodifiable. */
  public Map<String, Long> scalar() {
    return scalar;
  }

  /** The amount of resource {@code name} (cpu in millicores); 0 if absent. */
  public long get(String name) {
    return switch (name) {
      case CPU -> milliCpu;
      case MEMORY -> memory;
      case EPHEMERAL_STORAGE -> ephemeralStorage;
      case PODS -> allowedPodNumber;
      default -> scalar.getOrDefault(name, 0L);
    };
  }

  /** Whether every amount is zero. */
  public boolean isZero() {
    return milliCpu == 0 && memory == 0 && ephemeralStorage == 0 && allowedPodNumber == 0
        && scalar.values().stream().allMatch(v -> v == 0);
  }

  /** The sum of this and {@code o}. */
  public Resource plus(Resource o) {
    return new Resource(milliCpu + o.milliCpu, memory + o.memory, ephemeralStorage + o.ephemeralStorage,
        allowedPodNumber + o.allowedPodNumber, merge(o, 1));
  }

  /** This minus {@code o} (amounts may become negative). */
  public Resource minus(Resource o) {
    return new Resource(milliCpu - o.milliCpu, memory - o.memory, ephemeralStorage - o.ephemeralStorage,
        allowedPodNumber - o.allowedPodNumber, merge(o, -1));
  }

  /** The per-resource maximum of this and {@code o}. */
  public Resource max(Resource o) {
    Map<String, Long> m = new TreeMap<>(scalar);
    o.scalar.forEach((k, v) -> m.merge(k, v, Math::max));
    return new Resource(Math.max(milliCpu, o.milliCpu), Math.max(memory, o.memory),
        Math.max(ephemeralStorage, o.ephemeralStorage), Math.max(allowedPodNumber, o.allowedPodNumber), m);
  }

  private Map<String, Long> merge(Resource o, int sign) {
    if (o.scalar.isEmpty()) {
      return scalar;
    }
    Map<String, Long> m = new TreeMap<>(scalar);
    o.scalar.forEach((k, v) -> m.merge(k, sign * v, Long::sum));
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Resource r && milliCpu == r.milliCpu && memory == r.memory
        && ephemeralStorage == r.ephemeralStorage && allowedPodNumber == r.allowedPodNumber && scalar.equals(r.scalar);
  }

  @Override
  public int hashCode() {
    return Objects.hash(milliCpu, memory, ephemeralStorage, allowedPodNumber, scalar);
  }

  @Override
  public String toString() {
    return "Resource{cpu=" + milliCpu + "m, memory=" + memory + ", ephemeral-storage=" + ephemeralStorage
        + ", pods=" + allowedPodNumber + (scalar.isEmpty() ? "" : ", " + scalar) + "}";
  }
}
