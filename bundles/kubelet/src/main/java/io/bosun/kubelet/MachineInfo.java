package io.bosun.kubelet;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Facts about the machine, read from /proc, /sys and /etc the way upstream's cadvisor and
 * kubelet read them. Each read is cheap; nothing is cached.
 */
class MachineInfo {

  /** Logical CPUs this process may use. */
  int cpus() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** MemTotal in bytes. */
  long memoryBytes() {
    return meminfo("MemTotal:");
  }

  /** MemAvailable in bytes: the memory.available eviction signal. */
  long memoryAvailableBytes() {
    return meminfo("MemAvailable:");
  }

  /** Total bytes of the filesystem holding {@code dir}. */
  long diskBytes(Path dir) {
    try {
      return store(dir).getTotalSpace();
    } catch (IOException e) {
      return 0;
    }
  }

  /** Bytes available to unprivileged users on the filesystem holding {@code dir}: nodefs.available. */
  long diskAvailableBytes(Path dir) {
    try {
      return store(dir).getUsableSpace();
    } catch (IOException e) {
      return 0;
    }
  }

  private static FileStore store(Path dir) throws IOException {
    Path p = dir.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    return Files.getFileStore(p == null ? Path.of("/") : p);
  }

  private static long meminfo(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith(key)) {
          String[] f = line.substring(key.length()).trim().split("\\s+");
          return Long.parseLong(f[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // unknown
    }
    return 0;
  }

  String kernelVersion() {
    return read("/proc/sys/kernel/osrelease", System.getProperty("os.version"));
  }

  String bootId() {
    return read("/proc/sys/kernel/random/boot_id", "");
  }

  String machineId() {
    return read("/etc/machine-id", read("/var/lib/dbus/machine-id", ""));
  }

  String systemUuid() {
    return read("/sys/class/dmi/id/product_uuid", machineId());
  }

  /** PRETTY_NAME of /etc/os-release, as upstream's osImage. */
  String osImage() {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (line.startsWith("PRETTY_NAME=")) {
          return line.substring("PRETTY_NAME=".length()).replace("\"", "");
        }
      }
    } catch (IOException e) {
      // unknown
    }
    return System.getProperty("os.name");
  }

  String hostname() {
    String h = read("/proc/sys/kernel/hostname", "");
    return h.isEmpty() ? "localhost" : h.toLowerCase(Locale.ROOT);
  }

  /** GOARCH for this machine: amd64, arm64 ... */
  static String arch() {
    String a = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    return switch (a) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i686" -> "386";
      default -> a;
    };
  }

  /**
   * The node's IP: the local address the kernel would use to reach the API server (no packet is
   * sent), else the first non-loopback IPv4 address, else 127.0.0.1.
   */
  static String detectNodeIP(URI apiServer) {
    try (DatagramSocket s = new DatagramSocket()) {
      InetAddress server = InetAddress.getByName(apiServer.getHost());
      s.connect(new InetSocketAddress(server, apiServer.getPort() > 0 ? apiServer.getPort() : 443));
      InetAddress local = s.getLocalAddress();
      if (local != null && !local.isAnyLocalAddress()) {
        return local.getHostAddress();
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    try {
      List<NetworkInterface> nics = Collections.list(NetworkInterface.getNetworkInterfaces());
      for (NetworkInterface nic : nics) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            return a.getHostAddress();
          }
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return "127.0.0.1";
  }

  private static String read(String file, String otherwise) {
    try {
      String s = Files.readString(Path.of(file)).trim();
      return s.isEmpty() ? otherwise : s;
    } catch (IOException | RuntimeException e) {
      return otherwise;
    }
  }
}
