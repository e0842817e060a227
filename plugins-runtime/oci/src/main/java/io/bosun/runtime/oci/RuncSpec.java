package io.bosun.runtime.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.runtime.spi.ContainerResources;
import io.bosun.runtime.spi.Mount;
import io.bosun.runtime.spi.SecurityOptions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes an OCI runtime spec ({@code config.json}) for runc from what the kubelet asked for,
 * with containerd's defaults where a pod says nothing: its default capability set, masked and
 * read-only /proc and /sys paths, the standard /proc, /dev, /sys mounts. Pure: no I/O.
 */
final class RuncSpec {

  /** containerd's default capabilities (what a non-privileged container gets). */
  static final List<String> DEFAULT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID",
      "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

  /** Every capability runc 1.1 knows, for privileged containers and "ALL". */
  static final List<String> ALL_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
      "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
      "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
      "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
      "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
      "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
      "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
      "CAP_CHECKPOINT_RESTORE");

  static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
      "/sys/firmware", "/sys/devices/virtual/powercap");
  static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
      "/proc/sysrq-trigger");

  /** The CFS period Kubernetes uses: quota = limit × period. */
  static final long CPU_PERIOD = 100_000;

  /**
   * Everything the spec is made of.
   *
   * @param args           the process's argv
   * @param env            KEY=value
   * @param cwd            working directory inside the container
   * @param user           uid, gid, additional gids
   * @param hostname       the pod's hostname; null when the container shares the host's UTS namespace
   * @param rootfs         the root filesystem (host path)
   * @param netns          the pod's network namespace path; null for the host's network
   * @param ipcns          the pod's IPC namespace path; null for a new one
   * @param utsns          the pod's UTS namespace path; null for a new one (unless hostname is null)
   * @param cgroupsPath    the container's cgroup, such as {@code /bosun/SANDBOX/CONTAINER}
   * @param resources      CPU and memory
   * @param security       user and privileges
   * @param mounts         volumes
   * @param podFiles       files the runtime provides per pod, by container path (/etc/hosts ...)
   */
  record Input(List<String> args, List<String> env, String cwd, Users user, String hostname, String rootfs,
      String netns, String ipcns, String utsns, String cgroupsPath, ContainerResources resources,
      SecurityOptions security, List<Mount> mounts, Map<String, String> podFiles) {
  }

  private RuncSpec() {
  }

  static ObjectNode build(ObjectMapper json, Input in) {
    SecurityOptions sec = in.security();
    ObjectNode spec = json.createObjectNode();
    spec.put("ociVersion", "1.0.2-dev");

    ObjectNode process = spec.putObject("process");
    process.put("terminal", false);
    ObjectNode user = process.putObject("user");
    user.put("uid", in.user().uid());
    user.put("gid", in.user().gid());
    if (!in.user().additionalGids().isEmpty()) {
      ArrayNode gids = user.putArray("additionalGids");
      in.user().additionalGids().forEach(gids::add);
    }
    in.args().forEach(process.putArray("args")::add);
    in.env().forEach(process.putArray("env")::add);
    process.put("cwd", in.cwd());
    List<String> caps = capabilities(sec);
    ObjectNode capNode = process.putObject("capabilities");
    for (String set : List.of("bounding", "effective", "permitted")) {
      caps.forEach(capNode.putArray(set)::add);
    }
    // No rlimits: the container inherits the node's (as under containerd); raising them can be refused.
    process.put("noNewPrivileges", !sec.allowPrivilegeEscalation() && !sec.privileged());

    ObjectNode root = spec.putObject("root");
    root.put("path", in.rootfs());
    root.put("readonly", sec.readOnlyRootFilesystem());
    if (in.hostname() != null) {
      spec.put("hostname", in.hostname());
    }

    ArrayNode mounts = spec.putArray("mounts");
    Set<String> destinations = new LinkedHashSet<>();
    for (Mount m : in.mounts()) {
      destinations.add(normalize(m.containerPath()));
    }
    mount(mounts, destinations, "/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
    mount(mounts, destinations, "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
    mount(mounts, destinations, "/dev/pts", "devpts", "devpts",
        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
    mount(mounts, destinations, "/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777",
        "size=65536k"));
    mount(mounts, destinations, "/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
    mount(mounts, destinations, "/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev",
        sec.privileged() ? "rw" : "ro"));
    mount(mounts, destinations, "/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev",
        "relatime", sec.privileged() ? "rw" : "ro"));
    for (Map.Entry<String, String> f : in.podFiles().entrySet()) {
      if (!destinations.contains(f.getKey())) {
        ObjectNode m = mounts.addObject();
        m.put("destination", f.getKey());
        m.put("type", "bind");
        m.put("source", f.getValue());
        List<String> opts = new ArrayList<>(List.of("rbind", "rprivate"));
        if (sec.readOnlyRootFilesystem()) {
          opts.add("ro");
        }
        opts.forEach(m.putArray("options")::add);
      }
    }
    for (Mount v : in.mounts()) {
      ObjectNode m = mounts.addObject();
      m.put("destination", normalize(v.containerPath()));
      m.put("type", "bind");
      m.put("source", v.hostPath().toAbsolutePath().toString());
      ArrayNode opts = m.putArray("options");
      opts.add("rbind");
      opts.add(switch (v.propagation()) {
        case PRIVATE -> "rprivate";
        case HOST_TO_CONTAINER -> "rslave";
        case BIDIRECTIONAL -> "rshared";
      });
      if (v.readOnly()) {
        opts.add("ro");
      }
    }

    ObjectNode linux = spec.putObject("linux");
    ObjectNode resources = linux.putObject("resources");
    ObjectNode device = resources.putArray("devices").addObject();
    device.put("allow", sec.privileged());
    device.put("access", "rwm");
    ContainerResources r = in.resources();
    ObjectNode cpu = resources.putObject("cpu");
    cpu.put("shares", cpuShares(r.cpuRequestMillis()));
    if (r.cpuLimitMillis() > 0) {
      cpu.put("quota", cpuQuota(r.cpuLimitMillis()));
      cpu.put("period", CPU_PERIOD);
    }
    if (r.memoryLimitBytes() > 0) {
      resources.putObject("memory").put("limit", r.memoryLimitBytes());
    }
    linux.put("cgroupsPath", in.cgroupsPath());
    ArrayNode ns = linux.putArray("namespaces");
    ns.addObject().put("type", "pid");
    namespace(ns, "ipc", in.ipcns());
    if (in.hostname() != null) {
      namespace(ns, "uts", in.utsns());
    }
    ns.addObject().put("type", "mount");
    if (in.netns() != null) {
      namespace(ns, "network", in.netns());
    }
    if (!sec.privileged()) {
      MASKED_PATHS.forEach(linux.putArray("maskedPaths")::add);
      READONLY_PATHS.forEach(linux.putArray("readonlyPaths")::add);
    }
    return spec;
  }

  /** containerd's rules: privileged gets all; else the defaults, "ALL" in drop empties, "ALL" in add fills. */
  static List<String> capabilities(SecurityOptions sec) {
    if (sec.privileged()) {
      return ALL_CAPABILITIES;
    }
    Set<String> caps = new LinkedHashSet<>(DEFAULT_CAPABILITIES);
    List<String> add = sec.addCapabilities().stream().map(RuncSpec::capName).toList();
    List<String> drop = sec.dropCapabilities().stream().map(RuncSpec::capName).toList();
    if (drop.contains("CAP_ALL")) {
      caps.clear();
    } else {
      drop.forEach(caps::remove);
    }
    if (add.contains("CAP_ALL")) {
      caps.addAll(ALL_CAPABILITIES);
    } else {
      caps.addAll(add);
    }
    return List.copyOf(caps);
  }

  /** {@code NET_ADMIN} → {@code CAP_NET_ADMIN}. */
  static String capName(String c) {
    String u = c.trim().toUpperCase(Locale.ROOT);
    return u.startsWith("CAP_") ? u : "CAP_" + u;
  }

  /** Kubernetes' MilliCPUToShares: request × 1024 / 1000, at least 2 (also for no request). */
  static long cpuShares(long milli) {
    return milli <= 0 ? 2 : Math.max(2, milli * 1024 / 1000);
  }

  /** Kubernetes' MilliCPUToQuota: limit × period / 1000, at least 1 ms. */
  static long cpuQuota(long milli) {
    return Math.max(1000, milli * CPU_PERIOD / 1000);
  }

  private static void namespace(ArrayNode ns, String type, String path) {
    ObjectNode n = ns.addObject().put("type", type);
    if (path != null) {
      n.put("path", path);
    }
  }

  private static void mount(ArrayNode mounts, Set<String> taken, String dest, String type, String source,
      List<String> options) {
    if (taken.contains(dest)) {
      return; // a volume there wins, as in upstream
    }
    ObjectNode m = mounts.addObject();
    m.put("destination", dest);
    m.put("type", type);
    m.put("source", source);
    options.forEach(m.putArray("options")::add);
  }

  private static String normalize(String p) {
    String s = p.replaceAll("/+", "/");
    return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
