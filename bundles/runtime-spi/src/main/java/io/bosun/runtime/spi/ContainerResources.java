package io.bosun.runtime.spi;

/**
 * Resource requests and limits of a container (CRI {@code LinuxContainerResources}, reduced to
 * what pods express). Zero means "not set". Enforced only by runtimes with
 * {@link RuntimeCapabilities#resourceLimitsEnforced()}.
 *
 * @param cpuRequestMillis   CPU request in thousandths of a core (cgroup shares)
 * @param cpuLimitMillis     CPU limit in thousandths of a core (cgroup quota)
 * @param memoryRequestBytes memory request
 * @param memoryLimitBytes   memory limit; exceeding it gets the container OOM-killed
 */
public record ContainerResources(long cpuRequestMillis, long cpuLimitMillis, long memoryRequestBytes,
    long memoryLimitBytes) {

  /** No requests, no limits. */
  public static final ContainerResources NONE = new ContainerResources(0, 0, 0, 0);

  public ContainerResources {
    if (cpuRequestMillis < 0 || cpuLimitMillis < 0 || memoryRequestBytes < 0 || memoryLimitBytes < 0) {
      throw new IllegalArgumentException("resources must not be negative");
    }
  }
}
