package io.bosun.itests.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The host side of node processes running the oci runtime: what the machine must offer (checked as
 * JUnit assumptions, so a machine without it reports the tests skipped with the reason), a unique
 * runc root, cgroup root, bridge and pod subnet per node, and the removal of everything left on the
 * host at the end: runc containers, shim processes, mounts, network namespaces, bridges, cgroups,
 * the iptables rules and chains of these subnets and bridges, and {@code ip_forward} as it was.
 */
final class OciHost {

  static final List<String> CNI_PLUGINS = List.of("bridge", "host-local", "loopback", "portmap");

  /** One node's share of the host. */
  record NodeNet(String node, String runcRoot, String cgroupRoot, String bridge, String subnet, String prefix) {

    /** etc/ files of the node instance: the oci runtime and its bridge network on this node's share. */
    String ociConfig() {
      return "runcRoot = " + runcRoot + "\ncgroupRoot = " + cgroupRoot + "\n";
    }

    String bridgeConfig() {
      return "bridge = " + bridge + "\nsubnet = " + subnet + "\n";
    }
  }

  final String tag;
  final Path work;
  private final String subnetBase;
  private final List<NodeNet> nodes = new ArrayList<>();
  private final Set<String> iptablesBefore = new HashSet<>();
  private final Set<String> netnsBefore;
  private final String ipForwardBefore;

  /** Skips the calling test unless the oci runtime can run real containers here. */
  static void assumeUsable() {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) || uid() == 0,
        "the oci runtime needs root (runc, network namespaces, cgroups, mounts)");
    Assumptions.assumeTrue(onPath("runc"), "needs runc (Debian: apt-get install runc)");
    Assumptions.assumeTrue(Files.isExecutable(LoopbackRegistry.BUSYBOX),
        "needs " + LoopbackRegistry.BUSYBOX + " for the test image (Debian: apt-get install busybox-static)");
    Assumptions.assumeTrue(Files.isExecutable(LoopbackRegistry.BINARY),
        "needs " + LoopbackRegistry.BINARY + " (Debian: apt-get install docker-registry)");
    for (String p : CNI_PLUGINS) {
      Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/lib/cni", p)) || Files.isExecutable(Path.of("/opt/cni/bin", p)),
          "needs the CNI plugin " + p + " (Debian: apt-get install containernetworking-plugins)");
    }
    for (String tool : List.of("ip", "iptables", "unshare", "tar")) {
      Assumptions.assumeTrue(onPath(tool), "needs " + tool + " (Debian: iproute2, iptables, util-linux, tar)");
    }
    Assumptions.assumeTrue(Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))
        || Files.isDirectory(Path.of("/sys/fs/cgroup/memory")), "no cgroup v2 or v1 memory hierarchy under /sys/fs/cgroup");
    String netns = sh("ip", "netns", "list");
    Assumptions.assumeTrue(netns != null, "network namespaces do not work here (ip netns list failed)");
    String runc = sh("runc", "--version");
    Assumptions.assumeTrue(runc != null, "runc --version failed");
  }

  private static long uid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static boolean onPath(String name) {
    for (String d : (System.getenv("PATH") + ":/usr/sbin:/sbin").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
        return true;
      }
    }
    return false;
  }

  /** Snapshot of the host state this test may change. */
  OciHost(Path work) throws IOException {
    this.work = work.toAbsolutePath().normalize();
    Random random = new Random();
    tag = Integer.toHexString(0x100000 + random.nextInt(0xefffff));
    subnetBase = "10." + (150 + random.nextInt(50)) + ".";
    for (String table : List.of("nat", "filter")) {
      for (String line : check("iptables", "-t", table, "-S").split("\n")) {
        iptablesBefore.add(table + " " + line);
      }
    }
    netnsBefore = Set.copyOf(netns());
    ipForwardBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
  }

  /** The share of the host for the {@code index}th node (0-based): its own bridge, /24 subnet, runc and cgroup roots. */
  NodeNet node(String name, int index) {
    String prefix = subnetBase + (10 + index) + ".";
    NodeNet n = new NodeNet(name, "/run/bosun-e2e-" + tag + "/" + name, "bosun-e2e-" + tag + "-" + name,
        "be" + tag + (char) ('a' + index), prefix + "0/24", prefix);
    nodes.add(n);
    return n;
  }

  /** The runc containers of a node: {@code id state} per line. */
  static List<String> runcList(NodeNet n) {
    String out = sh("runc", "--root", n.runcRoot(), "list", "-q");
    return out == null ? List.of() : out.lines().filter(l -> !l.isBlank()).toList();
  }

  /** Network namespaces made since the snapshot by the runtimes under {@code work}. */
  List<String> newNetns() throws IOException {
    Set<String> ours = new HashSet<>();
    try (Stream<Path> s = Files.walk(work, 6)) {
      s.filter(p -> p.getParent() != null && p.getParent().getFileName() != null
              && p.getParent().getFileName().toString().equals("sandboxes")
              && p.getParent().getParent() != null && p.getParent().getParent().getFileName().toString().equals("oci"))
          .forEach(p -> ours.add("bosun-" + p.getFileName().toString().substring(0, Math.min(16,
              p.getFileName().toString().length()))));
    } catch (IOException | RuntimeException e) {
      // nothing there
    }
    return netns().stream().filter(n -> !netnsBefore.contains(n) && ours.contains(n)).toList();
  }

  /** Mount points under the work folder (overlay root filesystems, namespace files). */
  List<String> mounts() throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      String point = unescape(f[4]);
      if (point.startsWith(work + "/")) {
        out.add(point);
      }
    }
    return out;
  }

  /** Removes what the nodes left on the host; best effort, never throws. */
  void cleanUp() {
    for (NodeNet n : nodes) {
      for (String id : runcList(n)) {
        sh("runc", "--root", n.runcRoot(), "delete", "--force", id);
      }
    }
    // shims and their log loops (started with setsid, outliving the node process) name their folders under work
    ProcessHandle.allProcesses().filter(p -> p.pid() != ProcessHandle.current().pid()).forEach(p -> {
      try {
        String cmd = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"), StandardCharsets.UTF_8);
        if (cmd.contains(work.toString()) && !cmd.contains("bosun-launcher")) {
          p.destroyForcibly();
        }
      } catch (IOException | RuntimeException gone) {
        // exited meanwhile, or not ours to read
      }
    });
    try {
      for (String m : mounts().stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
        if (sh("umount", m) == null) {
          sh("umount", "-l", m);
        }
      }
      for (String ns : newNetns()) {
        sh("ip", "netns", "delete", ns);
      }
    } catch (IOException | RuntimeException e) {
      // best effort
    }
    for (NodeNet n : nodes) {
      sh("ip", "link", "delete", n.bridge());
      removeCgroups(n.cgroupRoot());
      sh("rm", "-rf", Path.of(n.runcRoot()).getParent().toString());
    }
    try {
      restoreIptables();
    } catch (IOException | RuntimeException e) {
      // best effort
    }
    if (ipForwardBefore.equals("0")) {
      try {
        Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "0\n", StandardCharsets.US_ASCII);
      } catch (IOException e) {
        // best effort
      }
    }
  }

  private static void removeCgroups(String cgroupRoot) {
    try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
      List<Path> roots = new ArrayList<>(hierarchies.map(h -> h.resolve(cgroupRoot)).toList());
      roots.add(Path.of("/sys/fs/cgroup", cgroupRoot));
      for (Path root : roots) {
        if (Files.isDirectory(root)) {
          try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isDirectory).sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                .toList()) {
              Files.deleteIfExists(p);
            }
          } catch (IOException e) {
            // busy: best effort
          }
        }
      }
    } catch (IOException e) {
      // best effort
    }
  }

  /** New rules that mention our subnets or bridges, then the new chains they jumped to (CNI masquerading). */
  private void restoreIptables() throws IOException {
    for (String table : List.of("nat", "filter")) {
      Set<String> chains = new HashSet<>();
      for (String line : check("iptables", "-t", table, "-S").split("\n")) {
        if (!line.startsWith("-A ") || iptablesBefore.contains(table + " " + line)) {
          continue;
        }
        boolean ours = nodes.stream().anyMatch(n -> line.contains(" " + n.prefix()) || line.contains(n.bridge()));
        if (ours) {
          List<String> cmd = new ArrayList<>(List.of("iptables", "-t", table, "-D"));
          List<String> words = splitRule(line.substring(3));
          cmd.addAll(words);
          sh(cmd.toArray(String[]::new));
          int j = words.indexOf("-j");
          if (j >= 0 && j + 1 < words.size() && words.get(j + 1).startsWith("CNI-")) {
            chains.add(words.get(j + 1));
          }
        }
      }
      for (String chain : chains) {
        if (!iptablesBefore.contains(table + " -N " + chain)) {
          sh("iptables", "-t", table, "-F", chain);
          sh("iptables", "-t", table, "-X", chain);
        }
      }
    }
  }

  static List<String> netns() throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : check("ip", "netns", "list").split("\n")) {
      if (!line.isBlank()) {
        out.add(line.trim().split("\\s+")[0]);
      }
    }
    return out;
  }

  /** iptables -S words, with double-quoted comments kept together. */
  static List<String> splitRule(String rule) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (char c : rule.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ' ' && !quoted) {
        if (!cur.isEmpty()) {
          out.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(c);
      }
    }
    if (!cur.isEmpty()) {
      out.add(cur.toString());
    }
    return out;
  }

  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  static String check(String... cmd) throws IOException {
    String out = sh(cmd);
    if (out == null) {
      throw new IOException(String.join(" ", cmd) + " failed");
    }
    return out;
  }

  /** Runs a command (sbin on the PATH); its output, or null if it failed. */
  static String sh(String... cmd) {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("PATH", System.getenv("PATH") + ":/usr/sbin:/sbin");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return p.exitValue() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
