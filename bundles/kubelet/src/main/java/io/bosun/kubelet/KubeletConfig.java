package io.bosun.kubelet;

import io.bosun.api.core.v1.Taint;
import io.bosun.api.values.Quantity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a {@link Kubelet} is told. Immutable; build with {@link #builder}. Defaults are
 * upstream's where upstream has one.
 *
 * @param nodeName                    the Node's name
 * @param runtime                     the default runtime, by its {@code bosun.runtime} name
 * @param runtimeHandlers             extra RuntimeClass handler names, each mapped to a runtime name (besides
 *                                    the handlers runtimes advertise)
 * @param address                     where the kubelet's HTTP server listens (127.0.0.1: plain HTTP without
 *                                    authentication must not face a network)
 * @param port                        its port (10250; 0 for any free one)
 * @param nodeIP                      the node's InternalIP; "" to detect (the local address that routes to the
 *                                    API server)
 * @param rootDir                     pod folders (volumes) live under it
 * @param podLogsDir                  container logs live under it ({@code <ns>_<pod>_<uid>/<container>/<n>.log})
 * @param nodeLabels                  labels added to the Node
 * @param registerWithTaints          taints the Node is registered with
 * @param controlPlaneRole            label the Node {@code node-role.kubernetes.io/control-plane} (all-in-one)
 * @param maxPods                     the {@code pods} capacity (110)
 * @param staticPodPath               a folder of pod manifests run as static pods; null for none
 * @param nodeStatusUpdateFrequency   how often the Node's status is posted (10 s)
 * @param nodeLeaseDuration           the Lease's duration (40 s); it is renewed every quarter of it
 * @param syncFrequency               how often every pod is synced even without events (upstream: 1 min)
 * @param relistPeriod                how often runtimes are relisted for container changes (1 s)
 * @param crashLoopBackOffInitial     the first restart delay (10 s), doubled per restart
 * @param crashLoopBackOffMax         the largest restart delay (5 min); a container that ran twice this long
 *                                    starts over at the initial delay
 * @param containerLogMaxSize         a log file is rotated past this size (10 MiB)
 * @param containerLogMaxFiles        log files kept per container, current included (5)
 * @param logRotationPeriod           how often log sizes are checked (10 s)
 * @param evictionHard                thresholds below which pods are evicted ({@code memory.available<100Mi},
 *                                    {@code nodefs.available<10%})
 * @param evictionMonitoringPeriod    how often they are checked (10 s)
 * @param evictionPressureTransitionPeriod how long a pressure condition stays after the signal recovered (5 min)
 * @param staticPodCheckPeriod        how often the static pod folder is read (20 s)
 * @param runtimeDownGracePeriod      how long the default runtime may be missing or not ready, after it was
 *                                    fine, before the node reports NotReady (upstream's
 *                                    {@code maxWaitForContainerRuntime}, 30 s): a runtime bundle stopping
 *                                    before the kubelet in a node process shutdown, or updated in place, must
 *                                    not make the control plane taint the node and evict its pods
 */
public record KubeletConfig(String nodeName, String runtime, Map<String, String> runtimeHandlers, String address,
    int port, String nodeIP, Path rootDir, Path podLogsDir, Map<String, String> nodeLabels,
    List<Taint> registerWithTaints, boolean controlPlaneRole, int maxPods, Path staticPodPath,
    Duration nodeStatusUpdateFrequency, Duration nodeLeaseDuration, Duration syncFrequency, Duration relistPeriod,
    Duration crashLoopBackOffInitial, Duration crashLoopBackOffMax, long containerLogMaxSize, int containerLogMaxFiles,
    Duration logRotationPeriod, List<EvictionThreshold> evictionHard, Duration evictionMonitoringPeriod,
    Duration evictionPressureTransitionPeriod, Duration staticPodCheckPeriod, Duration runtimeDownGracePeriod) {

  /** Reported as the Node's kubeletVersion: upstream's version this kubelet follows. */
  public static final String KUBELET_VERSION = "v1.32.0-bosun";

  public KubeletConfig {
    Objects.requireNonNull(nodeName, "nodeName");
    if (nodeName.isBlank()) {
      throw new IllegalArgumentException("nodeName must not be blank");
    }
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(rootDir, "rootDir");
    Objects.requireNonNull(podLogsDir, "podLogsDir");
    runtimeHandlers = Map.copyOf(runtimeHandlers);
    nodeLabels = Map.copyOf(nodeLabels);
    registerWithTaints = List.copyOf(registerWithTaints);
    evictionHard = List.copyOf(evictionHard);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 to 65535: " + port);
    }
    if (maxPods <= 0 || containerLogMaxFiles < 1 || containerLogMaxSize <= 0) {
      throw new IllegalArgumentException("maxPods, containerLogMaxFiles and containerLogMaxSize must be positive");
    }
  }

  /** A builder with upstream's defaults; pods and logs under {@code rootDir}. */
  public static Builder builder(String nodeName, Path rootDir) {
    return new Builder(nodeName, rootDir);
  }

  /** A copy as a builder. */
  public Builder toBuilder() {
    Builder b = new Builder(nodeName, rootDir);
    b.runtime = runtime;
    b.runtimeHandlers = new LinkedHashMap<>(runtimeHandlers);
    b.address = address;
    b.port = port;
    b.nodeIP = nodeIP;
    b.podLogsDir = podLogsDir;
    b.nodeLabels = new LinkedHashMap<>(nodeLabels);
    b.registerWithTaints = new ArrayList<>(registerWithTaints);
    b.controlPlaneRole = controlPlaneRole;
    b.maxPods = maxPods;
    b.staticPodPath = staticPodPath;
    b.nodeStatusUpdateFrequency = nodeStatusUpdateFrequency;
    b.nodeLeaseDuration = nodeLeaseDuration;
    b.syncFrequency = syncFrequency;
    b.relistPeriod = relistPeriod;
    b.crashLoopBackOffInitial = crashLoopBackOffInitial;
    b.crashLoopBackOffMax = crashLoopBackOffMax;
    b.containerLogMaxSize = containerLogMaxSize;
    b.containerLogMaxFiles = containerLogMaxFiles;
    b.logRotationPeriod = logRotationPeriod;
    b.evictionHard = new ArrayList<>(evictionHard);
    b.evictionMonitoringPeriod = evictionMonitoringPeriod;
    b.evictionPressureTransitionPeriod = evictionPressureTransitionPeriod;
    b.staticPodCheckPeriod = staticPodCheckPeriod;
    b.runtimeDownGracePeriod = runtimeDownGracePeriod;
    return b;
  }

  /**
   * An eviction threshold such as {@code memory.available<100Mi} or {@code nodefs.available<10%}.
   *
   * @param signal   {@code memory.available} or {@code nodefs.available}
   * @param quantity the threshold as a quantity; null when given as a percentage
   * @param percent  the threshold as a percentage of capacity, when {@code quantity} is null
   */
  public record EvictionThreshold(String signal, Quantity quantity, double percent) {

    /** The threshold in bytes for a resource of {@code capacity} bytes. */
    public long bytes(long capacity) {
      return quantity != null ? quantity.longValue() : (long) (capacity * percent / 100.0);
    }

    /** Parses a comma-separated list in upstream's {@code --eviction-hard} form; "" for none. */
    public static List<EvictionThreshold> parseList(String text) {
      List<EvictionThreshold> out = new ArrayList<>();
      if (text == null || text.isBlank()) {
        return out;
      }
      for (String part : text.split(",")) {
        String p = part.trim();
        int lt = p.indexOf('<');
        if (lt <= 0) {
          throw new IllegalArgumentException("eviction threshold must look like signal<quantity: " + p);
        }
        String signal = p.substring(0, lt).trim().toLowerCase(Locale.ROOT);
        if (!signal.equals("memory.available") && !signal.equals("nodefs.available")) {
          throw new IllegalArgumentException("unsupported eviction signal " + signal
              + " (memory.available, nodefs.available)");
        }
        String value = p.substring(lt + 1).trim();
        if (value.endsWith("%")) {
          out.add(new EvictionThreshold(signal, null, Double.parseDouble(value.substring(0, value.length() - 1))));
        } else {
          out.add(new EvictionThreshold(signal, Quantity.parse(value), 0));
        }
      }
      return out;
    }

    @Override
    public String toString() {
      return signal + "<" + (quantity != null ? quantity.toString() : (percent + "%"));
    }
  }

  /** Builds a {@link KubeletConfig}. */
  public static final class Builder {
    private final String nodeName;
    private final Path rootDir;
    private String runtime = "process";
    private Map<String, String> runtimeHandlers = new LinkedHashMap<>();
    private String address = "127.0.0.1";
    private int port = 10250;
    private String nodeIP = "";
    private Path podLogsDir;
    private Map<String, String> nodeLabels = new LinkedHashMap<>();
    private List<Taint> registerWithTaints = new ArrayList<>();
    private boolean controlPlaneRole;
    private int maxPods = 110;
    private Path staticPodPath;
    private Duration nodeStatusUpdateFrequency = Duration.ofSeconds(10);
    private Duration nodeLeaseDuration = Duration.ofSeconds(40);
    private Duration syncFrequency = Duration.ofMinutes(1);
    private Duration relistPeriod = Duration.ofSeconds(1);
    private Duration crashLoopBackOffInitial = Duration.ofSeconds(10);
    private Duration crashLoopBackOffMax = Duration.ofMinutes(5);
    private long containerLogMaxSize = 10L * 1024 * 1024;
    private int containerLogMaxFiles = 5;
    private Duration logRotationPeriod = Duration.ofSeconds(10);
    private List<EvictionThreshold> evictionHard = EvictionThreshold.parseList("memory.available<100Mi,nodefs.available<10%");
    private Duration evictionMonitoringPeriod = Duration.ofSeconds(10);
    private Duration evictionPressureTransitionPeriod = Duration.ofMinutes(5);
    private Duration staticPodCheckPeriod = Duration.ofSeconds(20);
    private Duration runtimeDownGracePeriod = Duration.ofSeconds(30);

    private Builder(String nodeName, Path rootDir) {
      this.nodeName = nodeName;
      this.rootDir = rootDir;
    }

    public Builder runtime(String v) { runtime = v; return this; }
    public Builder runtimeHandlers(Map<String, String> v) { runtimeHandlers = new LinkedHashMap<>(v); return this; }
    public Builder address(String v) { address = v; return this; }
    public Builder port(int v) { port = v; return this; }
    public Builder nodeIP(String v) { nodeIP = v == null ? "" : v; return this; }
    public Builder podLogsDir(Path v) { podLogsDir = v; return this; }
    public Builder nodeLabels(Map<String, String> v) { nodeLabels = new LinkedHashMap<>(v); return this; }
    public Builder registerWithTaints(List<Taint> v) { registerWithTaints = new ArrayList<>(v); return this; }
    public Builder controlPlaneRole(boolean v) { controlPlaneRole = v; return this; }
    public Builder maxPods(int v) { maxPods = v; return this; }
    public Builder staticPodPath(Path v) { staticPodPath = v; return this; }
    public Builder nodeStatusUpdateFrequency(Duration v) { nodeStatusUpdateFrequency = v; return this; }
    public Builder nodeLeaseDuration(Duration v) { nodeLeaseDuration = v; return this; }
    public Builder syncFrequency(Duration v) { syncFrequency = v; return this; }
    public Builder relistPeriod(Duration v) { relistPeriod = v; return this; }
    public Builder crashLoopBackOff(Duration initial, Duration max) {
      crashLoopBackOffInitial = initial;
      crashLoopBackOffMax = max;
      return this;
    }
    public Builder containerLogMaxSize(long v) { containerLogMaxSize = v; return this; }
    public Builder containerLogMaxFiles(int v) { containerLogMaxFiles = v; return this; }
    public Builder logRotationPeriod(Duration v) { logRotationPeriod = v; return this; }
    public Builder evictionHard(List<EvictionThreshold> v) { evictionHard = new ArrayList<>(v); return this; }
    public Builder evictionMonitoringPeriod(Duration v) { evictionMonitoringPeriod = v; return this; }
    public Builder evictionPressureTransitionPeriod(Duration v) { evictionPressureTransitionPeriod = v; return this; }
    public Builder staticPodCheckPeriod(Duration v) { staticPodCheckPeriod = v; return this; }
    public Builder runtimeDownGracePeriod(Duration v) { runtimeDownGracePeriod = v; return this; }

    public KubeletConfig build() {
      return new KubeletConfig(nodeName, runtime, runtimeHandlers, address, port, nodeIP, rootDir,
          podLogsDir != null ? podLogsDir : rootDir.resolve("logs"), nodeLabels, registerWithTaints, controlPlaneRole,
          maxPods, staticPodPath, nodeStatusUpdateFrequency, nodeLeaseDuration, syncFrequency, relistPeriod,
          crashLoopBackOffInitial, crashLoopBackOffMax, containerLogMaxSize, containerLogMaxFiles, logRotationPeriod,
          evictionHard, evictionMonitoringPeriod, evictionPressureTransitionPeriod, staticPodCheckPeriod,
          runtimeDownGracePeriod);
    }
  }
}
