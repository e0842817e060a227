package io.bosun.cni.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.network.spi.AttachRequest;
import io.bosun.network.spi.Attachment;
import io.bosun.network.spi.NetworkException;
import io.bosun.network.spi.NetworkStatus;
import io.bosun.network.spi.PodNetwork;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge pod network: Debian's (or any) standard CNI plugins run per the CNI spec.
 *
 * <p>The network configuration is a CNI configuration list: the first {@code *.conflist} in
 * {@link Settings#confDir()} if there is one, else the built-in default
 * ({@link #defaultConfList}): {@code bridge} (a node bridge, {@code bosun0}, as the pods'
 * gateway, masquerading traffic that leaves the subnet) with {@code host-local} IPAM over the pod
 * subnet, then {@code portmap} for host ports. The {@code loopback} plugin brings up {@code lo}
 * in every pod first.
 *
 * <p>Each attach's configuration and result are kept under {@link Settings#stateDir()} by
 * sandbox id; detach replays them (CNI DEL with the cached result), so a configuration changed
 * in between still releases the right addresses and rules. The bridge itself stays on the node
 * (as with every CNI bridge setup) for the next pods.
 */
public final class BridgeNetwork implements PodNetwork {

  private static final Logger LOG = LoggerFactory.getLogger(BridgeNetwork.class);

  public static final String NAME = "bridge";
  public static final String IFNAME = "eth0";

  /**
   * @param name       this network's name ({@value #NAME}) and the CNI network name
   * @param stateDir   cached results and host-local's address leases
   * @param pluginDirs where the CNI plugin executables are
   * @param confDir    a folder with a {@code *.conflist} to use instead of the default; null for none
   * @param bridge     the node bridge's name (at most 15 characters)
   * @param subnet     the pod subnet (the node's podCIDR), such as {@code 10.88.0.0/16}
   * @param ipMasq     masquerade pod traffic leaving the subnet
   * @param mtu        the pod interfaces' MTU; 0 for the default
   */
  public record Settings(String name, Path stateDir, List<Path> pluginDirs, Path confDir, String bridge,
      String subnet, boolean ipMasq, int mtu) {

    public static final List<Path> DEFAULT_PLUGIN_DIRS = List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin"));

    public Settings {
      name = name == null || name.isBlank() ? NAME : name;
      Objects.requireNonNull(stateDir, "stateDir");
      pluginDirs = pluginDirs == null || pluginDirs.isEmpty() ? DEFAULT_PLUGIN_DIRS : List.copyOf(pluginDirs);
      bridge = bridge == null || bridge.isBlank() ? "bosun0" : bridge;
      subnet = subnet == null || subnet.isBlank() ? "10.88.0.0/16" : subnet;
      if (bridge.length() > 15) {
        throw new IllegalArgumentException("bridge name longer than 15 characters: " + bridge);
      }
      validateCidr(subnet);
    }

    public static Settings of(Path stateDir) {
      return new Settings(null, stateDir, null, null, null, null, true, 0);
    }
  }

  private final Settings settings;
  private final ObjectMapper json = new ObjectMapper();
  private final Cni cni;
  private final Path results;

  public BridgeNetwork(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.cni = new Cni(json, new Cni.Env(settings.pluginDirs(), 60));
    this.results = settings.stateDir().toAbsolutePath().resolve("results");
  }

  @Override
  public String name() {
    return settings.name();
  }

  @Override
  public NetworkStatus status() {
    JsonNode conflist;
    try {
      conflist = confList();
    } catch (IOException | RuntimeException e) {
      return NetworkStatus.notReady("network configuration unusable: " + e.getMessage());
    }
    List<String> missing = new ArrayList<>();
    List<String> types = new ArrayList<>(List.of("loopback"));
    for (JsonNode p : conflist.path("plugins")) {
      types.add(p.path("type").asText());
      String ipam = p.path("ipam").path("type").asText("");
      if (!ipam.isEmpty()) {
        types.add(ipam);
      }
    }
    for (String t : types) {
      if (cni.find(t).isEmpty()) {
        missing.add(t);
      }
    }
    if (!missing.isEmpty()) {
      return NetworkStatus.notReady("CNI plugins " + missing + " not found in " + settings.pluginDirs()
          + " (Debian: apt-get install containernetworking-plugins)");
    }
    return NetworkStatus.ok();
  }

  @Override
  public Attachment attach(AttachRequest request) {
    if (Files.exists(resultFile(request.sandboxId()))) {
      detach(request); // CNI ADD twice for one container is an error: start afresh
    }
    JsonNode conflist;
    try {
      conflist = confList();
    } catch (IOException e) {
      throw new NetworkException("network configuration unusable: " + e.getMessage(), e);
    }
    Cni.Call call = new Cni.Call(request.sandboxId(), request.netns(), IFNAME, cniArgs(request));
    try {
      ObjectNode lo = json.createObjectNode().put("cniVersion", "1.0.0").put("name", "lo").put("type", "loopback");
      cni.exec("ADD", lo, new Cni.Call(request.sandboxId(), request.netns(), "lo", call.args()));
      Map<String, JsonNode> rc = runtimeConfig(request);
      JsonNode result = cni.addList(conflist, call, rc);
      CniResult parsed = CniResult.parse(result);
      if (parsed.ips().isEmpty()) {
        cni.delList(conflist, call, rc, result);
        throw new NetworkException("network " + conflist.path("name").asText() + " gave the pod no IP address");
      }
      saveResult(request.sandboxId(), conflist, result, rc);
      return new Attachment(parsed.ips().get(0), parsed.ips().subList(1, parsed.ips().size()), parsed.gateway(),
          IFNAME);
    } catch (IOException | IllegalArgumentException e) {
      throw new NetworkException("cannot attach pod " + request.podNamespace() + "/" + request.podName()
          + " to network " + conflist.path("name").asText() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void detach(AttachRequest request) {
    Path file = resultFile(request.sandboxId());
    JsonNode cached;
    try {
      cached = Files.exists(file) ? json.readTree(file.toFile()) : null;
    } catch (IOException e) {
      LOG.warn("Unreadable CNI result {}: {}", file, e.toString());
      cached = null;
    }
    JsonNode conflist;
    JsonNode result = null;
    Map<String, JsonNode> rc;
    if (cached != null) {
      conflist = cached.path("config");
      result = cached.path("result");
      rc = new java.util.LinkedHashMap<>();
      for (var it = cached.path("runtimeConfig").fields(); it.hasNext(); ) {
        var e = it.next();
        rc.put(e.getKey(), e.getValue());
      }
    } else {
      try {
        conflist = confList();
      } catch (IOException e) {
        throw new NetworkException("network configuration unusable: " + e.getMessage(), e);
      }
      rc = runtimeConfig(request);
    }
    // CNI: DEL with a netns that is gone must still release IPAM and iptables state.
    Path netns = Files.exists(request.netns()) ? request.netns() : Path.of("");
    Cni.Call call = new Cni.Call(request.sandboxId(), netns, IFNAME, cniArgs(request));
    try {
      cni.delList(conflist, call, rc, result);
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new NetworkException("cannot detach pod " + request.podNamespace() + "/" + request.podName() + ": "
          + e.getMessage(), e);
    }
  }

  /** Sandboxes with a cached attachment (for cleanup of leftovers). */
  public List<String> attachedSandboxes() {
    if (!Files.isDirectory(results)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(results)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  // ------------------------------------------------------------------ configuration

  /** The configuration list in use: the first conflist of confDir, else the default. */
  JsonNode confList() throws IOException {
    Optional<Path> file = Optional.empty();
    if (settings.confDir() != null && Files.isDirectory(settings.confDir())) {
      try (Stream<Path> s = Files.list(settings.confDir())) {
        file = s.filter(p -> p.getFileName().toString().endsWith(".conflist")).sorted().findFirst();
      }
    }
    if (file.isPresent()) {
      JsonNode n = json.readTree(file.get().toFile());
      if (!n.path("plugins").isArray() || n.path("plugins").isEmpty()) {
        throw new IOException(file.get() + " has no plugins");
      }
      return n;
    }
    return defaultConfList(json, settings);
  }

  /** The built-in configuration: bridge + host-local over the pod subnet, then portmap. */
  static ObjectNode defaultConfList(ObjectMapper json, Settings s) {
    ObjectNode list = json.createObjectNode();
    list.put("cniVersion", "1.0.0");
    list.put("name", "bosun");
    ArrayNode plugins = list.putArray("plugins");
    ObjectNode bridge = plugins.addObject();
    bridge.put("type", "bridge");
    bridge.put("bridge", s.bridge());
    bridge.put("isGateway", true);
    bridge.put("ipMasq", s.ipMasq());
    bridge.put("hairpinMode", true); // a pod reaches itself through its own Service
    if (s.mtu() > 0) {
      bridge.put("mtu", s.mtu());
    }
    ObjectNode ipam = bridge.putObject("ipam");
    ipam.put("type", "host-local");
    ipam.putArray("ranges").addArray().addObject().put("subnet", s.subnet());
    ipam.putArray("routes").addObject().put("dst", s.subnet().contains(":") ? "::/0" : "0.0.0.0/0");
    ipam.put("dataDir", s.stateDir().toAbsolutePath().resolve("ipam").toString());
    ObjectNode portmap = plugins.addObject();
    portmap.put("type", "portmap");
    portmap.putObject("capabilities").put("portMappings", true);
    return list;
  }

  private Map<String, JsonNode> runtimeConfig(AttachRequest r) {
    ArrayNode maps = json.createArrayNode();
    for (AttachRequest.PortMapping m : r.portMappings()) {
      if (m.hostPort() <= 0) {
        continue;
      }
      ObjectNode o = maps.addObject();
      o.put("hostPort", m.hostPort());
      o.put("containerPort", m.containerPort());
      o.put("protocol", m.protocol().toLowerCase(java.util.Locale.ROOT));
      if (!m.hostIp().isEmpty()) {
        o.put("hostIP", m.hostIp());
      }
    }
    return maps.isEmpty() ? Map.of() : Map.of("portMappings", maps);
  }

  /** CNI_ARGS as upstream's kubelet/containerd pass them. */
  static String cniArgs(AttachRequest r) {
    return "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + r.podNamespace() + ";K8S_POD_NAME=" + r.podName()
        + ";K8S_POD_INFRA_CONTAINER_ID=" + r.sandboxId() + ";K8S_POD_UID=" + r.podUid();
  }

  private Path resultFile(String sandboxId) {
    if (!sandboxId.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("bad sandbox id " + sandboxId);
    }
    return results.resolve(sandboxId + ".json");
  }

  private void saveResult(String sandboxId, JsonNode conflist, JsonNode result, Map<String, JsonNode> rc)
      throws IOException {
    ObjectNode n = json.createObjectNode();
    n.set("config", conflist);
    n.set("result", result);
    ObjectNode rcNode = n.putObject("runtimeConfig");
    rc.forEach(rcNode::set);
    Files.createDirectories(results);
    Path file = resultFile(sandboxId);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    json.writeValue(tmp.toFile(), n);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static void validateCidr(String cidr) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9.]+|[0-9a-fA-F:]+)/(\\d{1,3})").matcher(cidr);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a CIDR: " + cidr);
    }
    try {
      InetAddress a = InetAddress.getByName(m.group(1)); // a literal: no name lookup
      int bits = Integer.parseInt(m.group(2));
      if (bits > a.getAddress().length * 8 - 2) {
        throw new IllegalArgumentException("subnet too small: " + cidr);
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not a CIDR: " + cidr);
    }
  }
}
