package io.bosun.runtime.oci;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bosun.cni.bridge.BridgeNetwork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the real-runc tests need from the machine, checked as JUnit assumptions (so a machine
 * without it reports the tests skipped, with the reason), and the cleanup of everything they
 * change on the host: unique runc root, cgroup, bridge and subnet per fixture; iptables rules and
 * chains and ip_forward restored to what they were.
 */
final class HostFixture implements AutoCloseable {

  static final List<String> CNI_PLUGINS = List.of("bridge", "host-local", "loopback", "portmap");

  final String tag;
  final Path runcRoot;
  final String cgroupRoot;
  final String bridge;
  final String subnet;
  final String subnetPrefix;
  private final List<String> iptablesBefore = new ArrayList<>();
  private final String ipForwardBefore;
  private final Set<String> netnsBefore;

  /** Skips the calling test unless root, runc, busybox-static, the CNI plugins and iproute2 are there. */
  static void assumeUsable() {
    assumeTrue(Host.root(), "needs root (runc, network namespaces, cgroups)");
    assumeTrue(onPath("runc"), "needs runc (Debian: apt-get install runc)");
    assumeTrue(Files.isExecutable(TestImages.BUSYBOX), "needs " + TestImages.BUSYBOX + " (Debian: apt-get install busybox-static)");
    for (String p : CNI_PLUGINS) {
      assumeTrue(Files.isExecutable(Path.of("/usr/lib/cni", p)) || Files.isExecutable(Path.of("/opt/cni/bin", p)),
          "needs the CNI plugin " + p + " (Debian: apt-get install containernetworking-plugins)");
    }
    assumeTrue(onPath("ip"), "needs ip (Debian: apt-get install iproute2)");
    assumeTrue(onPath("iptables"), "needs iptables (Debian: apt-get install iptables)");
    assumeTrue(onPath("unshare"), "needs unshare (util-linux)");
    try {
      Host.Result r = Host.run(List.of("ip", "netns", "list"), 10);
      assumeTrue(r.ok(), "network namespaces do not work here: " + r.output());
    } catch (IOException e) {
      assumeTrue(false, "ip netns failed: " + e);
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

  HostFixture() throws IOException {
    Random random = new Random();
    tag = Integer.toHexString(0x10000000 + random.nextInt(0x6fffffff));
    runcRoot = Path.of("/run/bosun-test-" + tag + "/runc");
    cgroupRoot = "bosun-test-" + tag;
    bridge = "bt" + tag.substring(0, 8);
    subnetPrefix = "10." + (200 + random.nextInt(50)) + "." + random.nextInt(250);
    subnet = subnetPrefix + ".0/24";
    for (String table : List.of("nat", "filter")) {
      for (String line : Host.check(List.of("iptables", "-t", table, "-S"), 30).split("\n")) {
        iptablesBefore.add(table + " " + line);
      }
    }
    ipForwardBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim();
    netnsBefore = Set.copyOf(netns());
  }

  /** The names of the network namespaces ip knows. */
  static List<String> netns() throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Host.run(List.of("ip", "netns", "list"), 10).output().split("\n")) {
      if (!line.isBlank()) {
        out.add(line.trim().split("\\s+")[0]);
      }
    }
    return out;
  }

  BridgeNetwork network(Path stateDir) {
    return new BridgeNetwork(new BridgeNetwork.Settings(null, stateDir, null, null, bridge, subnet, true, 0));
  }

  OciRuntime.Settings settings(Path stateDir) {
    return new OciRuntime.Settings(stateDir, null, runcRoot, cgroupRoot, null, null, null, null, null, null);
  }

  /** Removes what the tests may have left on the host. Call after the runtime removed its sandboxes. */
  @Override
  public void close() throws IOException {
    // runc containers under our root (a failed test): kill and delete them
    if (Files.isDirectory(runcRoot)) {
      try (Stream<Path> s = Files.list(runcRoot)) {
        for (Path c : s.toList()) {
          Host.run(List.of("runc", "--root", runcRoot.toString(), "delete", "--force", c.getFileName().toString()), 30);
        }
      }
      Host.run(List.of("rm", "-rf", runcRoot.getParent().toString()), 30);
    }
    // network namespaces of sandboxes a failed test left
    for (String ns : netns()) {
      if (ns.startsWith("bosun-") && !netnsBefore.contains(ns)) {
        Host.run(List.of("ip", "netns", "delete", ns), 10);
      }
    }
    Host.run(List.of("ip", "link", "delete", bridge), 10);
    // cgroups, deepest first
    try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
      for (Path h : hierarchies.toList()) {
        Path root = h.resolve(cgroupRoot);
        if (Files.isDirectory(root)) {
          try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isDirectory).sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
              Files.deleteIfExists(p);
            }
          }
        }
      }
      Path v2 = Path.of("/sys/fs/cgroup", cgroupRoot);
      if (Files.isDirectory(v2)) {
        Files.deleteIfExists(v2);
      }
    } catch (IOException e) {
      // best effort
    }
    restoreIptables();
    Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), ipForwardBefore + "\n", StandardCharsets.US_ASCII);
  }

  /** Deletes rules, then chains, that were not there before. */
  private void restoreIptables() throws IOException {
    Set<String> before = Set.copyOf(iptablesBefore);
    for (String table : List.of("nat", "filter")) {
      List<String> now = List.of(Host.check(List.of("iptables", "-t", table, "-S"), 30).split("\n"));
      for (String line : now) {
        if (line.startsWith("-A ") && !before.contains(table + " " + line)) {
          List<String> cmd = new ArrayList<>(List.of("iptables", "-t", table, "-D"));
          cmd.addAll(splitRule(line.substring(3)));
          Host.run(cmd, 30);
        }
      }
      for (String line : now) {
        if (line.startsWith("-N ") && !before.contains(table + " " + line)) {
          String chain = line.substring(3).trim();
          Host.run(List.of("iptables", "-t", table, "-F", chain), 30);
          Host.run(List.of("iptables", "-t", table, "-X", chain), 30);
        }
      }
    }
  }

  /** iptables -S output words, with double-quoted comments kept together. */
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

  static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
