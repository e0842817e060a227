package io.bosun.runtime.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.network.spi.AttachRequest;
import io.bosun.network.spi.Attachment;
import io.bosun.network.spi.NetworkStatus;
import io.bosun.network.spi.PodNetwork;
import io.bosun.runtime.oci.image.ImageStore;
import io.bosun.runtime.oci.image.LayerUnpacker;
import io.bosun.runtime.oci.image.Manifests;
import io.bosun.runtime.oci.image.RegistryClient;
import io.bosun.runtime.spi.AuthConfig;
import io.bosun.runtime.spi.ContainerConfig;
import io.bosun.runtime.spi.ContainerEvent;
import io.bosun.runtime.spi.ContainerEventListener;
import io.bosun.runtime.spi.ContainerFilter;
import io.bosun.runtime.spi.ContainerRuntime;
import io.bosun.runtime.spi.ContainerRuntimeException;
import io.bosun.runtime.spi.ContainerService;
import io.bosun.runtime.spi.ContainerState;
import io.bosun.runtime.spi.ContainerStatus;
import io.bosun.runtime.spi.CreateContainerException;
import io.bosun.runtime.spi.ExecResult;
import io.bosun.runtime.spi.ExecService;
import io.bosun.runtime.spi.ImageInfo;
import io.bosun.runtime.spi.ImagePullException;
import io.bosun.runtime.spi.ImageService;
import io.bosun.runtime.spi.ImageSpec;
import io.bosun.runtime.spi.NotFoundException;
import io.bosun.runtime.spi.RuntimeCapabilities;
import io.bosun.runtime.spi.RuntimeStatus;
import io.bosun.runtime.spi.RuntimeUnavailableException;
import io.bosun.runtime.spi.RuntimeVersion;
import io.bosun.runtime.spi.SandboxConfig;
import io.bosun.runtime.spi.SandboxFilter;
import io.bosun.runtime.spi.SandboxService;
import io.bosun.runtime.spi.SandboxState;
import io.bosun.runtime.spi.SandboxStatus;
import io.bosun.runtime.spi.StartContainerException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real containers under runc (Linux, root).
 *
 * <h2>Sandboxes</h2>
 * A pod sandbox is a network namespace ({@code ip netns add bosun-<id>}, attached to the pod
 * network through the {@link PodNetwork} named in the settings: CNI bridge by default), an IPC
 * and a UTS namespace (kept by bind mounts under the sandbox's folder, made with
 * {@code unshare}; the UTS one carries the pod's hostname), the pod's /etc/hosts,
 * /etc/hostname and /etc/resolv.conf, and a cgroup parent ({@code /<cgroupRoot>/<sandbox id>}).
 * No pause process: bind-mounted namespaces outlive their creators. hostNetwork pods use the
 * node's network and UTS namespaces.
 *
 * <h2>Containers</h2>
 * An OCI runtime bundle per container: {@code config.json} ({@link RuncSpec}: process from image
 * config and pod spec, user, pid/mount namespaces of its own, the sandbox's network, IPC and UTS
 * namespaces, cgroup limits, volume mounts, capabilities) and a root filesystem: an overlay
 * mount over the image's unpacked layers (or a copy of them where overlayfs does not work). A
 * small bash shim per container ({@code oci-shim.sh}, in a session of its own so it outlives the
 * JVM) runs {@code runc run --keep} in the foreground with stdout/stderr on FIFOs, writes them
 * to the log in the CRI format, and records the exit status and the cgroup's OOM-kill count.
 * Stop is {@code runc kill} (the image's StopSignal, default SIGTERM), then SIGKILL after the
 * grace period; exec is {@code runc exec}. Everything is recorded under the state folder, so a
 * new instance (bundle update, node restart) re-adopts running containers; closing the runtime
 * never stops one.
 *
 * <h2>Images</h2>
 * {@link ImageStore}: pulled over the OCI distribution API, or imported from OCI layout archives
 * ({@link #importArchive}; and every {@code *.tar} in {@link Settings#imageArchiveDir()}, whose
 * names are then served from there, never pulled).
 */
public final class OciRuntime implements ContainerRuntime, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OciRuntime.class);

  /** The runtime's name and default RuntimeClass handler. */
  public static final String NAME = "oci";
  /** The implementation version, reported in the Node's containerRuntimeVersion. */
  public static final String VERSION = "0.1.0";

  private static final RuntimeCapabilities CAPABILITIES = new RuntimeCapabilities(true, true, true, true, true,
      true, RuntimeCapabilities.Networking.POD, true, true, true);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration EXIT_RECORD_TIMEOUT = Duration.ofSeconds(10);
  private static final int EXEC_OUTPUT_LIMIT = 64 * 1024;
  private static final long CMD_TIMEOUT = 60;

  /** How the root filesystems of containers are made. */
  public enum RootfsMode {
    /** overlayfs if a probe mount works, else copies. */
    AUTO,
    /** an overlay mount over the image's layers: instant, shared */
    OVERLAY,
    /** a copy of the image's files per container ({@code cp -a}) */
    COPY
  }

  /**
   * How the runtime is set up.
   *
   * @param stateDir           sandboxes, containers, images
   * @param runc               the runc executable
   * @param runcRoot           runc's state folder ({@code --root}); on tmpfs, as runc's state ends with the boot
   * @param cgroupRoot         the cgroup under which sandboxes get theirs
   * @param rootfsMode         overlay or copies
   * @param network            the {@link PodNetwork} pods are attached to, by name
   * @param insecureRegistries registries ({@code host:port}) pulled from over plain HTTP besides loopback ones
   * @param imageArchiveDir    a folder of OCI layout archives to import; null for none
   * @param pollInterval       how often running containers are checked for an exit
   * @param bash               the bash that runs the shims
   */
  public record Settings(Path stateDir, String runc, Path runcRoot, String cgroupRoot, RootfsMode rootfsMode,
      String network, Set<String> insecureRegistries, Path imageArchiveDir, Duration pollInterval, String bash) {

    public Settings {
      Objects.requireNonNull(stateDir, "stateDir");
      runc = runc == null || runc.isBlank() ? "runc" : runc;
      runcRoot = runcRoot == null ? Path.of("/run/bosun/runc") : runcRoot;
      cgroupRoot = cgroupRoot == null || cgroupRoot.isBlank() ? "bosun" : cgroupRoot.replaceAll("^/+|/+$", "");
      rootfsMode = rootfsMode == null ? RootfsMode.AUTO : rootfsMode;
      network = network == null || network.isBlank() ? "bridge" : network;
      insecureRegistries = insecureRegistries == null ? Set.of() : Set.copyOf(insecureRegistries);
      pollInterval = pollInterval == null || pollInterval.isZero() ? Duration.ofMillis(200) : pollInterval;
      bash = bash == null || bash.isBlank() ? "/bin/bash" : bash;
    }

    public static Settings of(Path stateDir) {
      return new Settings(stateDir, null, null, null, null, null, null, null, null, null);
    }
  }

  private final Settings settings;
  private final Supplier<Optional<PodNetwork>> network;
  private final Clock clock = Clock.systemUTC();
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final Path sandboxDir;
  private final Path containerDir;
  private final Path shim;
  private final String runc;
  private final String bootId = Host.bootId();
  private final RootfsMode rootfsMode;
  private final ImageStore images;
  private final RegistryClient registry;
  private final ArchiveImports archives;
  private final Map<String, SandboxRecord> sandboxes = new ConcurrentHashMap<>();
  private final Map<String, ContainerRecord> containers = new ConcurrentHashMap<>();
  private final List<ContainerEventListener> listeners = new CopyOnWriteArrayList<>();
  private final ReentrantLock monitorLock = new ReentrantLock();
  private final Condition monitorWake = monitorLock.newCondition();
  private final Thread monitor;
  private volatile boolean closed;

  private final SandboxService sandboxService = new Sandboxes();
  private final ContainerService containerService = new Containers();
  private final ImageService imageService = new Images();
  private final ExecService execService = this::execSync;

  /**
   * Opens (or creates) the state under {@link Settings#stateDir()} and adopts what it finds.
   * Works without runc or root too: {@link #status()} then says what is missing, and operations
   * fail with {@link RuntimeUnavailableException}.
   *
   * @param network the pod network in use, looked up on every call (it may come and go)
   * @throws UncheckedIOException if the state folder cannot be used
   */
  public OciRuntime(Settings settings, Supplier<Optional<PodNetwork>> network) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.network = Objects.requireNonNull(network, "network");
    Path state = settings.stateDir().toAbsolutePath();
    sandboxDir = state.resolve("sandboxes");
    containerDir = state.resolve("containers");
    runc = which(settings.runc());
    try {
      Files.createDirectories(sandboxDir);
      Files.createDirectories(containerDir);
      shim = installShim(state.resolve("bin"));
      images = new ImageStore(state.resolve("images"), json, Host.root());
      registry = new RegistryClient(json, settings.insecureRegistries(), "linux", Manifests.hostArchitecture());
      archives = new ArchiveImports(images, settings.imageArchiveDir(), json, state.resolve("archives.json"));
      load();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the oci runtime's state folder " + state, e);
    }
    rootfsMode = settings.rootfsMode() == RootfsMode.AUTO ? probeOverlay(state) : settings.rootfsMode();
    monitor = Thread.ofPlatform().name("bosun-runtime-oci-monitor").daemon().unstarted(this::monitorLoop);
    monitor.start();
  }

  /** The runc executable's absolute path, looked up in PATH (and the sbin folders root has). */
  private static String which(String name) {
    if (name.contains("/")) {
      return name;
    }
    String path = Objects.requireNonNullElse(System.getenv("PATH"), "") + ":/usr/local/sbin:/usr/sbin:/sbin";
    for (String d : path.split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
        return Path.of(d, name).toString();
      }
    }
    return name;
  }

  private static Path installShim(Path bin) throws IOException {
    byte[] script;
    try (InputStream in = OciRuntime.class.getResourceAsStream("oci-shim.sh")) {
      if (in == null) {
        throw new IOException("oci-shim.sh missing from the bundle");
      }
      script = in.readAllBytes();
    }
    String hash = HexFormat.of().formatHex(io.bosun.runtime.oci.image.Digests.sha256().digest(script)).substring(0, 16);
    Files.createDirectories(bin);
    // Named by content: a running shim's file never changes under it.
    Path file = bin.resolve("oci-shim-" + hash + ".sh");
    if (!Files.exists(file)) {
      Path tmp = bin.resolve(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
      Files.write(tmp, script);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }
    return file;
  }

  /** Mounts a throw-away overlay to see whether this kernel and filesystem allow it. */
  private static RootfsMode probeOverlay(Path state) {
    Path probe = state.resolve("overlay-probe-" + UUID.randomUUID().toString().substring(0, 8));
    try {
      for (String d : List.of("lower", "upper", "work", "merged")) {
        Files.createDirectories(probe.resolve(d));
      }
      Host.Result r = Host.run(List.of("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + probe.resolve("lower")
          + ",upperdir=" + probe.resolve("upper") + ",workdir=" + probe.resolve("work"),
          probe.resolve("merged").toString()), 30);
      if (r.ok()) {
        Host.unmount(probe.resolve("merged"));
        return RootfsMode.OVERLAY;
      }
      LOG.info("overlayfs unavailable ({}): container root filesystems are copies", r.output());
      return RootfsMode.COPY;
    } catch (IOException e) {
      return RootfsMode.COPY;
    } finally {
      try {
        if (!Host.mounted(probe.resolve("merged"))) {
          LayerUnpacker.deleteTree(probe);
        }
      } catch (IOException ignored) {
        // a leftover probe folder is harmless
      }
    }
  }

  // ------------------------------------------------------------------ ContainerRuntime

  @Override
  public RuntimeVersion version() {
    return new RuntimeVersion(NAME, VERSION, API_VERSION);
  }

  @Override
  public RuntimeCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public RuntimeStatus status() {
    String problem = runtimeProblem();
    Optional<PodNetwork> net = network.get();
    String netProblem;
    if (net.isEmpty()) {
      netProblem = "no pod network named " + settings.network() + " is installed";
    } else {
      NetworkStatus ns = net.get().status();
      netProblem = ns.ready() ? null : ns.message();
    }
    if (problem == null && netProblem == null) {
      return RuntimeStatus.ready();
    }
    String msg = problem != null && netProblem != null ? problem + "; " + netProblem
        : problem != null ? problem : netProblem;
    return new RuntimeStatus(problem == null, netProblem == null, msg);
  }

  /** Why containers cannot run now; null if they can. */
  private String runtimeProblem() {
    if (closed) {
      return "the oci runtime is closed";
    }
    if (!Files.isExecutable(Path.of(runc))) {
      return "runc not found (" + settings.runc() + "; Debian: apt-get install runc)";
    }
    if (!Host.root()) {
      return "the oci runtime needs root";
    }
    if (!Files.isExecutable(Path.of(settings.bash()))) {
      return "bash not found at " + settings.bash();
    }
    return null;
  }

  private void checkUsable() {
    String problem = runtimeProblem();
    if (problem != null) {
      throw new RuntimeUnavailableException(problem);
    }
  }

  @Override
  public SandboxService sandboxes() {
    return sandboxService;
  }

  @Override
  public ContainerService containers() {
    return containerService;
  }

  @Override
  public ImageService images() {
    return imageService;
  }

  @Override
  public Optional<ExecService> exec() {
    return Optional.of(execService);
  }

  /** The image store (for tools and tests). */
  public ImageStore imageStore() {
    return images;
  }

  /** How container root filesystems are made here (after the AUTO probe). */
  public RootfsMode rootfsMode() {
    return rootfsMode;
  }

  /**
   * Imports the images of an OCI image layout archive.
   *
   * @param defaultName the repository for images annotated with a tag only; null for none
   * @return the ids of the images imported
   */
  public List<String> importArchive(Path archive, String defaultName) throws IOException {
    return images.importArchive(archive, defaultName).stream().map(ImageStore.Image::id).toList();
  }

  /**
   * Stops watching: ends the monitor thread and the registry client's threads. Containers keep
   * running; a new instance over the same state folder adopts them. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    wakeMonitor();
    try {
      monitor.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    registry.close();
  }

  // ------------------------------------------------------------------ records

  private final class SandboxRecord {
    final String id;
    final SandboxConfig config;
    final Instant createdAt;
    final String boot;
    final String netnsName; // "" for host network
    final String cgroupParent;
    final boolean ownCgroup;
    volatile SandboxState state;
    volatile String ip = "";
    volatile List<String> additionalIps = List.of();
    volatile String attachedTo = ""; // the network's name while attached

    SandboxRecord(String id, SandboxConfig config, Instant createdAt, String boot, String netnsName,
        String cgroupParent, boolean ownCgroup, SandboxState state) {
      this.id = id;
      this.config = config;
      this.createdAt = createdAt;
      this.boot = boot;
      this.netnsName = netnsName;
      this.cgroupParent = cgroupParent;
      this.ownCgroup = ownCgroup;
      this.state = state;
    }

    Path dir() {
      return sandboxDir.resolve(id);
    }

    Path netns() {
      return netnsName.isEmpty() ? null : Path.of("/run/netns", netnsName);
    }

    Path ipcns() {
      return dir().resolve("ns/ipc");
    }

    Path utsns() {
      return dir().resolve("ns/uts");
    }

    SandboxStatus status() {
      SandboxConfig c = config;
      SandboxState s = state;
      if (s == SandboxState.READY && (!boot.equals(bootId) || (netns() != null && !Files.exists(netns())))) {
        s = SandboxState.NOT_READY; // rebooted, or its namespace was deleted behind our back
      }
      return new SandboxStatus(id, c.name(), c.namespace(), c.uid(), c.attempt(), s, createdAt,
          s == SandboxState.READY ? ip : "", s == SandboxState.READY ? additionalIps : List.of(), c.labels(),
          c.annotations(), c.runtimeHandler());
    }

    AttachRequest attachRequest() {
      List<AttachRequest.PortMapping> ports = config.portMappings().stream()
          .map(p -> new AttachRequest.PortMapping(p.protocol(), p.containerPort(), p.hostPort(), p.hostIp())).toList();
      return new AttachRequest(id, netns(), config.namespace(), config.name(), config.uid(), ports,
          config.annotations());
    }

    synchronized void save() throws IOException {
      ObjectNode n = json.createObjectNode();
      SandboxConfig c = config;
      n.put("name", c.name());
      n.put("namespace", c.namespace());
      n.put("uid", c.uid());
      n.put("attempt", c.attempt());
      n.put("hostname", c.hostname());
      n.put("logDirectory", c.logDirectory().toString());
      n.put("runtimeHandler", c.runtimeHandler());
      n.put("hostNetwork", c.hostNetwork());
      n.set("labels", json.valueToTree(c.labels()));
      n.set("annotations", json.valueToTree(c.annotations()));
      n.set("portMappings", json.valueToTree(c.portMappings()));
      n.put("cgroupParentAsked", c.cgroupParent());
      n.put("createdAt", createdAt.toString());
      n.put("bootId", boot);
      n.put("netns", netnsName);
      n.put("cgroupParent", cgroupParent);
      n.put("ownCgroup", ownCgroup);
      n.put("state", state.name());
      n.put("ip", ip);
      n.set("additionalIps", json.valueToTree(additionalIps));
      n.put("attachedTo", attachedTo);
      writeJson(dir().resolve("sandbox.json"), n);
    }

    void persist() {
      try {
        save();
      } catch (IOException e) {
        LOG.warn("Cannot record sandbox {}: {}", id, e.toString());
      }
    }
  }

  /** One container; mutable fields change under its monitor. */
  private final class ContainerRecord {
    final String id;
    final String sandboxId;
    final ContainerConfig config;
    final String imageId;
    final String imageRef;
    final Path logPath;
    final Instant createdAt;
    final String cgroupsPath;
    final String stopSignal;
    final boolean overlay;
    ContainerState state = ContainerState.CREATED;
    boolean startRequested;
    Instant startedAt;
    Instant finishedAt;
    int exitCode;
    String reason = "";
    String message = "";
    long pid;
    long ticks = -1;
    long shimPid;
    long shimTicks = -1;
    String boot = "";

    ContainerRecord(String id, String sandboxId, ContainerConfig config, String imageId, String imageRef,
        Path logPath, Instant createdAt, String cgroupsPath, String stopSignal, boolean overlay) {
      this.id = id;
      this.sandboxId = sandboxId;
      this.config = config;
      this.imageId = imageId;
      this.imageRef = imageRef;
      this.logPath = logPath;
      this.createdAt = createdAt;
      this.cgroupsPath = cgroupsPath;
      this.stopSignal = stopSignal;
      this.overlay = overlay;
    }

    Path dir() {
      return containerDir.resolve(id);
    }

    Path bundle() {
      return dir().resolve("bundle");
    }

    Path rootfs() {
      return bundle().resolve("rootfs");
    }

    synchronized ContainerStatus status() {
      boolean exited = state == ContainerState.EXITED;
      return new ContainerStatus(id, sandboxId, config.name(), config.attempt(), state, createdAt, startedAt,
          finishedAt, exited ? exitCode : 0, exited ? reason : "", message, config.image(), imageRef,
          config.labels(), config.annotations(), logPath);
    }

    synchronized boolean running() {
      return state == ContainerState.RUNNING;
    }

    /** Writes the record; holding its monitor. */
    void save() throws IOException {
      ObjectNode n = json.createObjectNode();
      n.put("sandboxId", sandboxId);
      n.put("name", config.name());
      n.put("attempt", config.attempt());
      n.put("image", config.image().image());
      n.put("imageId", imageId);
      n.put("imageRef", imageRef);
      n.put("logPath", logPath.toString());
      n.set("labels", json.valueToTree(config.labels()));
      n.set("annotations", json.valueToTree(config.annotations()));
      n.put("createdAt", createdAt.toString());
      n.put("cgroupsPath", cgroupsPath);
      n.put("stopSignal", stopSignal);
      n.put("overlay", overlay);
      n.put("state", state.name());
      if (startedAt != null) {
        n.put("startedAt", startedAt.toString());
      }
      if (finishedAt != null) {
        n.put("finishedAt", finishedAt.toString());
      }
      n.put("exitCode", exitCode);
      n.put("reason", reason);
      n.put("message", message);
      n.put("pid", pid);
      n.put("ticks", ticks);
      n.put("shimPid", shimPid);
      n.put("shimTicks", shimTicks);
      n.put("bootId", boot);
      writeJson(dir().resolve("container.json"), n);
    }

    void persist() {
      try {
        save();
      } catch (IOException e) {
        LOG.warn("Cannot record container {}: {}", id, e.toString());
      }
    }

    /**
     * Brings a RUNNING record up to date from the shim's exit file, else from whether the shim
     * or the container still lives. Returns whether it changed to EXITED.
     */
    synchronized boolean refresh() {
      if (state != ContainerState.RUNNING) {
        return false;
      }
      if (readExitFile()) {
        persist();
        return true;
      }
      boolean sameBoot = boot.isEmpty() || boot.equals(bootId);
      if (sameBoot && (Host.alive(shimPid, shimTicks) || Host.alive(pid, ticks))) {
        return false;
      }
      if (readExitFile()) { // written just before the shim ended
        persist();
        return true;
      }
      state = ContainerState.EXITED;
      exitCode = 137;
      reason = "Unknown";
      message = sameBoot ? "the container's shim ended without recording an exit status"
          : "the node restarted while the container was running";
      finishedAt = clock.instant();
      persist();
      return true;
    }

    private boolean readExitFile() {
      Path exit = dir().resolve("exit");
      if (!Files.exists(exit)) {
        return false;
      }
      long oomKills = 0;
      try {
        String[] f = Files.readString(exit).trim().split("\\s+");
        exitCode = Integer.parseInt(f[0]);
        finishedAt = f.length > 1 ? epochMicros(f[1]) : clock.instant();
        oomKills = f.length > 2 ? Long.parseLong(f[2]) : 0;
      } catch (IOException | RuntimeException e) {
        exitCode = 137;
        finishedAt = clock.instant();
      }
      state = ContainerState.EXITED;
      reason = oomKills > 0 && exitCode != 0 ? "OOMKilled" : ContainerStatus.exitReason(exitCode);
      return true;
    }
  }

  private static Instant epochMicros(String text) {
    int dot = text.indexOf('.');
    long seconds = Long.parseLong(dot < 0 ? text : text.substring(0, dot));
    long nanos = 0;
    if (dot >= 0) {
      nanos = Long.parseLong((text.substring(dot + 1) + "000000000").substring(0, 9));
    }
    return Instant.ofEpochSecond(seconds, nanos);
  }

  private void writeJson(Path file, JsonNode n) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    // Owner-only: records hold containers' environments.
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(tmp, json.writeValueAsBytes(n));
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  // ------------------------------------------------------------------ loading

  private void load() throws IOException {
    try (Stream<Path> dirs = Files.list(sandboxDir)) {
      for (Path d : dirs.toList()) {
        Path file = d.resolve("sandbox.json");
        if (!Files.exists(file)) {
          continue;
        }
        try {
          JsonNode n = json.readTree(file.toFile());
          List<SandboxConfig.PortMapping> ports = new ArrayList<>();
          for (JsonNode p : n.path("portMappings")) {
            ports.add(new SandboxConfig.PortMapping(p.path("protocol").asText(), p.path("containerPort").asInt(),
                p.path("hostPort").asInt(), p.path("hostIp").asText()));
          }
          SandboxConfig c = new SandboxConfig(n.path("name").asText(), n.path("namespace").asText(),
              n.path("uid").asText(), n.path("attempt").asInt(), n.path("hostname").asText(),
              Path.of(n.path("logDirectory").asText()), map(n.path("labels")), map(n.path("annotations")),
              n.path("runtimeHandler").asText(), n.path("hostNetwork").asBoolean(), ports, null,
              n.path("cgroupParentAsked").asText(""));
          String id = d.getFileName().toString();
          SandboxRecord r = new SandboxRecord(id, c, Instant.parse(n.path("createdAt").asText()),
              n.path("bootId").asText(""), n.path("netns").asText(""), n.path("cgroupParent").asText(),
              n.path("ownCgroup").asBoolean(), SandboxState.valueOf(n.path("state").asText("READY")));
          r.ip = n.path("ip").asText("");
          List<String> extra = new ArrayList<>();
          n.path("additionalIps").forEach(x -> extra.add(x.asText()));
          r.additionalIps = List.copyOf(extra);
          r.attachedTo = n.path("attachedTo").asText("");
          sandboxes.put(id, r);
        } catch (IOException | RuntimeException e) {
          LOG.warn("Ignoring unreadable sandbox record {}: {}", file, e.toString());
        }
      }
    }
    try (Stream<Path> dirs = Files.list(containerDir)) {
      for (Path d : dirs.toList()) {
        Path file = d.resolve("container.json");
        if (!Files.exists(file)) {
          // a create that never finished (the process died in it): release its mount and files
          try {
            Host.unmount(d.resolve("bundle/rootfs"));
            LayerUnpacker.deleteTree(d);
          } catch (IOException e) {
            LOG.warn("Cannot clean up the unfinished container {}: {}", d, e.toString());
          }
          continue;
        }
        try {
          JsonNode n = json.readTree(file.toFile());
          Path logPath = Path.of(n.path("logPath").asText());
          ContainerConfig c = new ContainerConfig(n.path("name").asText(), n.path("attempt").asInt(),
              ImageSpec.of(n.path("image").asText()), List.of(), List.of(), null, null, null, map(n.path("labels")),
              map(n.path("annotations")), logPath, null, null, false, false);
          String id = d.getFileName().toString();
          ContainerRecord r = new ContainerRecord(id, n.path("sandboxId").asText(), c, n.path("imageId").asText(),
              n.path("imageRef").asText(), logPath, Instant.parse(n.path("createdAt").asText()),
              n.path("cgroupsPath").asText(), n.path("stopSignal").asText("SIGTERM"), n.path("overlay").asBoolean());
          synchronized (r) {
            r.state = ContainerState.valueOf(n.path("state").asText("CREATED"));
            r.startedAt = n.has("startedAt") ? Instant.parse(n.path("startedAt").asText()) : null;
            r.finishedAt = n.has("finishedAt") ? Instant.parse(n.path("finishedAt").asText()) : null;
            r.exitCode = n.path("exitCode").asInt();
            r.reason = n.path("reason").asText("");
            r.message = n.path("message").asText("");
            r.pid = n.path("pid").asLong();
            r.ticks = n.path("ticks").asLong(-1);
            r.shimPid = n.path("shimPid").asLong();
            r.shimTicks = n.path("shimTicks").asLong(-1);
            r.boot = n.path("bootId").asText("");
            r.startRequested = r.state != ContainerState.CREATED;
          }
          containers.put(id, r);
          r.refresh();
        } catch (IOException | RuntimeException e) {
          LOG.warn("Ignoring unreadable container record {}: {}", file, e.toString());
        }
      }
    }
    if (!containers.isEmpty() || !sandboxes.isEmpty()) {
      long running = containers.values().stream().filter(ContainerRecord::running).count();
      LOG.info("oci runtime adopted {} sandboxes and {} containers ({} running) from {}", sandboxes.size(),
          containers.size(), running, settings.stateDir());
    }
  }

  private static Map<String, String> map(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  // ------------------------------------------------------------------ monitor

  private void monitorLoop() {
    while (!closed) {
      for (ContainerRecord r : containers.values()) {
        if (r.running()) {
          update(r);
        }
      }
      monitorLock.lock();
      try {
        if (!closed) {
          monitorWake.await(settings.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        monitorLock.unlock();
      }
    }
  }

  private void wakeMonitor() {
    monitorLock.lock();
    try {
      monitorWake.signalAll();
    } finally {
      monitorLock.unlock();
    }
  }

  /** Brings a record up to date, announcing an exit it discovers. Returns whether it exited just now. */
  private boolean update(ContainerRecord r) {
    if (r.refresh()) {
      publish(ContainerEvent.Type.STOPPED, r);
      return true;
    }
    return false;
  }

  private void publish(ContainerEvent.Type type, ContainerRecord r) {
    SandboxRecord s = sandboxes.get(r.sandboxId);
    ContainerEvent event = new ContainerEvent(type, r.id, r.sandboxId, s == null ? "" : s.config.uid());
    for (ContainerEventListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        LOG.debug("A container event listener failed", e);
      }
    }
  }

  // ------------------------------------------------------------------ sandboxes

  private final class Sandboxes implements SandboxService {

    @Override
    public String run(SandboxConfig config) {
      checkUsable();
      String id = newId();
      boolean ownCgroup = config.cgroupParent().isEmpty();
      String cgroupParent = ownCgroup ? "/" + settings.cgroupRoot() + "/" + id
          : "/" + config.cgroupParent().replaceAll("^/+|/+$", "");
      String netnsName = config.hostNetwork() ? "" : "bosun-" + id.substring(0, 16);
      // NOT_READY until everything is set up: a crash half-way leaves a record that remove() cleans up.
      SandboxRecord r = new SandboxRecord(id, config, clock.instant(), bootId, netnsName, cgroupParent, ownCgroup,
          SandboxState.NOT_READY);
      try {
        Files.createDirectories(r.dir().resolve("ns"));
        r.save();
        Files.createDirectories(config.logDirectory());
        writePodFiles(r, "");
        // IPC for all of the pod's containers; UTS with the pod's hostname unless on the host's network.
        Files.createFile(r.ipcns());
        List<String> unshare = new ArrayList<>(List.of("unshare", "--ipc=" + r.ipcns()));
        if (!config.hostNetwork()) {
          Files.createFile(r.utsns());
          unshare.add("--uts=" + r.utsns());
          unshare.addAll(List.of("hostname", config.hostname()));
        } else {
          unshare.add("true");
        }
        Host.check(unshare, CMD_TIMEOUT);
        if (!config.hostNetwork()) {
          Host.check(List.of("ip", "netns", "add", netnsName), CMD_TIMEOUT);
          PodNetwork net = network.get().orElseThrow(() -> new IOException("no pod network named "
              + settings.network() + " is installed"));
          r.attachedTo = net.name(); // before attaching: detach is idempotent, a leaked lease is not
          r.save();
          Attachment a = net.attach(r.attachRequest());
          r.ip = a.ip();
          r.additionalIps = a.additionalIps();
          writePodFiles(r, a.ip());
        }
        r.state = SandboxState.READY;
        r.save();
      } catch (IOException | RuntimeException e) {
        sandboxes.put(id, r);
        try {
          remove(id);
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw new ContainerRuntimeException(ContainerRuntimeException.CREATE_SANDBOX_ERROR,
            "cannot create sandbox for pod " + config.namespace() + "/" + config.name() + ": " + e.getMessage(), e);
      }
      sandboxes.put(id, r);
      return id;
    }

    @Override
    public void stop(String sandboxId) {
      SandboxRecord r = sandboxes.get(sandboxId);
      if (r == null) {
        return;
      }
      for (ContainerRecord c : containers.values()) {
        if (c.sandboxId.equals(sandboxId)) {
          containerService.stop(c.id, Duration.ZERO);
        }
      }
      detach(r);
      if (!r.netnsName.isEmpty() && Files.exists(r.netns())) {
        try {
          Host.check(List.of("ip", "netns", "delete", r.netnsName), CMD_TIMEOUT);
        } catch (IOException e) {
          throw new ContainerRuntimeException(null, "cannot delete network namespace of sandbox " + sandboxId
              + ": " + e.getMessage(), e);
        }
      }
      r.state = SandboxState.NOT_READY;
      r.ip = "";
      r.additionalIps = List.of();
      r.persist();
    }

    private void detach(SandboxRecord r) {
      if (r.attachedTo.isEmpty()) {
        return;
      }
      PodNetwork net = network.get().filter(n -> n.name().equals(r.attachedTo)).orElseThrow(() ->
          new ContainerRuntimeException(null, "cannot detach sandbox " + r.id + ": its network " + r.attachedTo
              + " is not installed"));
      try {
        net.detach(r.attachRequest());
      } catch (RuntimeException e) {
        throw new ContainerRuntimeException(null, "cannot detach sandbox " + r.id + " from network "
            + r.attachedTo + ": " + e.getMessage(), e);
      }
      r.attachedTo = "";
      r.persist();
    }

    @Override
    public void remove(String sandboxId) {
      SandboxRecord r = sandboxes.get(sandboxId);
      for (ContainerRecord c : List.copyOf(containers.values())) {
        if (c.sandboxId.equals(sandboxId)) {
          containerService.remove(c.id);
        }
      }
      if (r == null) {
        return;
      }
      stop(sandboxId);
      try {
        Host.unmount(r.ipcns());
        Host.unmount(r.utsns());
      } catch (IOException e) {
        throw new ContainerRuntimeException(null, "cannot release namespaces of sandbox " + sandboxId + ": "
            + e.getMessage(), e);
      }
      if (r.ownCgroup) {
        removeCgroup(r.cgroupParent);
      }
      sandboxes.remove(sandboxId);
      try {
        LayerUnpacker.deleteTree(r.dir());
      } catch (IOException e) {
        LOG.warn("Cannot delete {}: {}", r.dir(), e.toString());
      }
    }

    @Override
    public Optional<SandboxStatus> status(String sandboxId) {
      return Optional.ofNullable(sandboxes.get(sandboxId)).map(SandboxRecord::status);
    }

    @Override
    public List<SandboxStatus> list(SandboxFilter filter) {
      return sandboxes.values().stream().map(SandboxRecord::status).filter(filter::matches).toList();
    }
  }

  /** /etc/hostname, /etc/hosts and /etc/resolv.conf of a pod. */
  private void writePodFiles(SandboxRecord r, String ip) throws IOException {
    SandboxConfig c = r.config;
    Path dir = r.dir();
    String hostname = c.hostNetwork() ? Host.run(List.of("hostname"), 10).output() : c.hostname();
    Files.writeString(dir.resolve("hostname"), hostname + "\n");
    StringBuilder hosts = new StringBuilder("# Kubernetes-managed hosts file (Bosun oci runtime).\n")
        .append("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
        .append("fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
    if (!ip.isEmpty()) {
      hosts.append(ip).append('\t').append(c.hostname()).append('\n');
    }
    Files.writeString(dir.resolve("hosts"), hosts.toString());
    String resolv;
    if (c.dns() != null) {
      StringBuilder b = new StringBuilder();
      c.dns().servers().forEach(s -> b.append("nameserver ").append(s).append('\n'));
      if (!c.dns().searches().isEmpty()) {
        b.append("search ").append(String.join(" ", c.dns().searches())).append('\n');
      }
      if (!c.dns().options().isEmpty()) {
        b.append("options ").append(String.join(" ", c.dns().options())).append('\n');
      }
      resolv = b.toString();
    } else {
      Path host = Path.of("/etc/resolv.conf");
      resolv = Files.isReadable(host) ? Files.readString(host) : "";
    }
    Files.writeString(dir.resolve("resolv.conf"), resolv);
  }

  /** Deletes a cgroup folder in every hierarchy (v1 controllers and v2); only empty ones go. */
  private static void removeCgroup(String path) {
    Path base = Path.of("/sys/fs/cgroup");
    List<Path> candidates = new ArrayList<>();
    candidates.add(base.resolve(path.substring(1)));
    try (Stream<Path> s = Files.list(base)) {
      s.filter(Files::isDirectory).forEach(h -> candidates.add(h.resolve(path.substring(1))));
    } catch (IOException ignored) {
      // no cgroup filesystem
    }
    for (Path p : candidates) {
      try {
        if (Files.isDirectory(p) && Files.exists(p.resolve("cgroup.procs"))) {
          Files.delete(p); // rmdir of a cgroup: its control files are virtual
        }
      } catch (IOException e) {
        LOG.debug("Cannot remove cgroup {}: {}", p, e.toString());
      }
    }
  }

  // ------------------------------------------------------------------ containers

  private final class Containers implements ContainerService {

    @Override
    public String create(String sandboxId, ContainerConfig config, SandboxConfig sandboxConfig) {
      checkUsable();
      SandboxRecord sandbox = sandboxes.get(sandboxId);
      if (sandbox == null) {
        throw new NotFoundException("pod sandbox " + sandboxId + " not found");
      }
      if (sandbox.status().state() != SandboxState.READY) {
        throw new CreateContainerException("pod sandbox " + sandboxId + " is not ready");
      }
      ImageStore.Image image = images.find(config.image().image()).orElseThrow(() -> new CreateContainerException(
          "image " + config.image().image() + " is not present on the node"));
      String id = newId();
      Path dir = containerDir.resolve(id);
      boolean overlay = rootfsMode == RootfsMode.OVERLAY;
      String cgroupsPath = sandbox.cgroupParent + "/" + id;
      ContainerRecord r = new ContainerRecord(id, sandboxId, config, image.id(), imageRef(image),
          config.logPath() != null ? config.logPath() : dir.resolve("container.log"), clock.instant(), cgroupsPath,
          image.config().stopSignal().isEmpty() ? "SIGTERM" : image.config().stopSignal(), overlay);
      try {
        Files.createDirectories(r.rootfs());
        Path lower = images.rootfs(image);
        if (overlay) {
          Files.createDirectories(dir.resolve("upper"));
          Files.createDirectories(dir.resolve("work"));
          Host.check(List.of("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + lower + ",upperdir="
              + dir.resolve("upper") + ",workdir=" + dir.resolve("work"), r.rootfs().toString()), CMD_TIMEOUT);
        } else {
          Host.check(List.of("cp", "-a", "--reflink=auto", lower + "/.", r.rootfs() + "/"), 600);
        }
        List<String> argv = ProcessSpec.argv(image.config(), config);
        Users user = Users.resolve(image.config(), config.security(), lower);
        String hostname = sandbox.config.hostNetwork() ? null : sandbox.config.hostname();
        Map<String, String> podFiles = new LinkedHashMap<>();
        podFiles.put("/etc/hosts", sandbox.dir().resolve("hosts").toString());
        podFiles.put("/etc/hostname", sandbox.dir().resolve("hostname").toString());
        podFiles.put("/etc/resolv.conf", sandbox.dir().resolve("resolv.conf").toString());
        RuncSpec.Input in = new RuncSpec.Input(argv, ProcessSpec.env(image.config(), config,
            hostname != null ? hostname : Host.run(List.of("hostname"), 10).output()),
            ProcessSpec.cwd(image.config(), config), user, hostname, r.rootfs().toString(),
            sandbox.netns() == null ? null : sandbox.netns().toString(), sandbox.ipcns().toString(),
            sandbox.netns() == null ? null : sandbox.utsns().toString(), cgroupsPath, config.resources(),
            config.security(), config.mounts(), podFiles);
        writeJson(r.bundle().resolve("config.json"), RuncSpec.build(json, in));
        Files.createDirectories(r.logPath.toAbsolutePath().getParent());
        synchronized (r) {
          r.save();
        }
      } catch (IOException | RuntimeException e) {
        cleanupContainerFiles(r);
        if (e instanceof ContainerRuntimeException cre) {
          throw cre;
        }
        throw new CreateContainerException("cannot create container " + config.name() + ": " + e.getMessage(), e);
      }
      containers.put(id, r);
      publish(ContainerEvent.Type.CREATED, r);
      return id;
    }

    @Override
    public void start(String containerId) {
      checkUsable();
      ContainerRecord r = get(containerId);
      synchronized (r) {
        if (r.startRequested) {
          throw new StartContainerException("container " + containerId + " has already been started");
        }
        r.startRequested = true;
      }
      List<String> cmd = List.of("setsid", settings.bash(), shim.toString(), r.dir().toString(),
          r.logPath.toAbsolutePath().toString(), runc, settings.runcRoot().toString(), r.id, r.bundle().toString(),
          r.cgroupsPath);
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(r.dir().toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(r.dir().resolve("shim.out").toFile()))
          .redirectErrorStream(true);
      Process process;
      try {
        Files.createDirectories(settings.runcRoot());
        for (String f : List.of("pid", "exit", "runc.log")) {
          Files.deleteIfExists(r.dir().resolve(f));
        }
        process = pb.start();
      } catch (IOException e) {
        failStart(r, "cannot start the container shim: " + e.getMessage());
        throw new StartContainerException("cannot start the container shim: " + e.getMessage(), e);
      }
      synchronized (r) {
        r.shimPid = process.pid();
        r.shimTicks = Host.startTicks(process.pid());
      }
      awaitStart(r, process);
      publish(ContainerEvent.Type.STARTED, r);
      wakeMonitor();
    }

    /** Waits for runc's pid file (started) or the shim's exit file without one (failed to start). */
    private void awaitStart(ContainerRecord r, Process process) {
      Path pidFile = r.dir().resolve("pid");
      Path exitFile = r.dir().resolve("exit");
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (true) {
        if (Files.exists(pidFile)) {
          try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            synchronized (r) {
              r.pid = pid;
              r.ticks = Host.startTicks(pid);
              r.boot = bootId;
              r.startedAt = Files.getLastModifiedTime(pidFile).toInstant();
              r.state = ContainerState.RUNNING;
              r.persist();
            }
            return;
          } catch (IOException | NumberFormatException e) {
            // being written: read again
          }
        } else if (Files.exists(exitFile) || !process.isAlive() || System.nanoTime() - deadline > 0) {
          String why = runcError(r);
          if (why.isEmpty()) {
            why = process.isAlive() ? "runc did not start the container in time" : "the container did not start";
          }
          if (process.isAlive() && !Files.exists(exitFile)) {
            kill(r.id, "KILL");
          }
          failStart(r, why);
          throw new StartContainerException(why);
        }
        parkMillis(5);
      }
    }

    private void failStart(ContainerRecord r, String message) {
      synchronized (r) {
        r.state = ContainerState.EXITED;
        r.exitCode = 128;
        r.reason = "StartError";
        r.message = message;
        r.finishedAt = clock.instant();
        r.startedAt = r.finishedAt;
        r.persist();
      }
      publish(ContainerEvent.Type.STOPPED, r);
    }

    @Override
    public void stop(String containerId, Duration timeout) {
      ContainerRecord r = get(containerId);
      update(r);
      if (!r.running()) {
        return;
      }
      if (timeout != null && !timeout.isNegative() && !timeout.isZero()) {
        kill(r.id, r.stopSignal);
        awaitExit(r, timeout);
      }
      if (r.running()) {
        kill(r.id, "SIGKILL");
        awaitExit(r, EXIT_RECORD_TIMEOUT);
      }
      boolean forced = false;
      synchronized (r) {
        if (r.state == ContainerState.RUNNING && !Host.alive(r.pid, r.ticks)) {
          r.state = ContainerState.EXITED;
          r.exitCode = 137;
          r.reason = "Error";
          r.message = "stopped; the shim recorded no exit status";
          r.finishedAt = clock.instant();
          r.persist();
          forced = true;
        }
      }
      if (forced) {
        publish(ContainerEvent.Type.STOPPED, r);
      }
    }

    private void awaitExit(ContainerRecord r, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!update(r) && r.running() && System.nanoTime() - deadline < 0
          && !Thread.currentThread().isInterrupted()) {
        parkMillis(10);
      }
    }

    @Override
    public void remove(String containerId) {
      ContainerRecord r = containers.get(containerId);
      if (r == null) {
        return;
      }
      if (r.running()) {
        stop(containerId, Duration.ZERO);
      }
      try {
        Host.run(List.of(runc, "--root", settings.runcRoot().toString(), "delete", "--force", r.id), CMD_TIMEOUT);
      } catch (IOException e) {
        LOG.debug("runc delete {}: {}", r.id, e.toString());
      }
      cleanupContainerFiles(r);
      containers.remove(containerId);
      publish(ContainerEvent.Type.DELETED, r);
    }

    @Override
    public Optional<ContainerStatus> status(String containerId) {
      ContainerRecord r = containers.get(containerId);
      if (r == null) {
        return Optional.empty();
      }
      update(r);
      return Optional.of(r.status());
    }

    @Override
    public List<ContainerStatus> list(ContainerFilter filter) {
      List<ContainerStatus> out = new ArrayList<>();
      for (ContainerRecord r : containers.values()) {
        ContainerStatus s = r.status();
        if (filter.matches(s)) {
          out.add(s);
        }
      }
      out.sort(Comparator.comparing(ContainerStatus::createdAt));
      return out;
    }

    @Override
    public void reopenLog(String containerId) {
      // The shim's loggers notice a renamed log file and reopen it on their own.
    }

    @Override
    public Registration subscribe(ContainerEventListener listener) {
      listeners.add(listener);
      return () -> listeners.remove(listener);
    }
  }

  private ContainerRecord get(String containerId) {
    ContainerRecord r = containers.get(containerId);
    if (r == null) {
      throw new NotFoundException("container " + containerId + " not found");
    }
    return r;
  }

  private static String imageRef(ImageStore.Image image) {
    return image.repoDigests().isEmpty() ? image.id() : image.repoDigests().get(0);
  }

  /** Unmounts and deletes what a container has on disk; its log stays (it belongs to the kubelet). */
  private void cleanupContainerFiles(ContainerRecord r) {
    try {
      Host.unmount(r.rootfs());
      LayerUnpacker.deleteTree(r.dir());
    } catch (IOException e) {
      LOG.warn("Cannot clean up container {}: {}", r.id, e.toString());
    }
  }

  /** runc's last error message from the shim's runc.log; "" if none. */
  private String runcError(ContainerRecord r) {
    Path log = r.dir().resolve("runc.log");
    String last = "";
    try {
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log)) {
          try {
            JsonNode n = json.readTree(line);
            if ("error".equals(n.path("level").asText()) || "fatal".equals(n.path("level").asText())) {
              last = n.path("msg").asText(last);
            }
          } catch (IOException notJson) {
            last = line;
          }
        }
      }
    } catch (IOException e) {
      return "";
    }
    return last;
  }

  /** runc kill; a container that has just exited is not an error. */
  private void kill(String id, String signal) {
    try {
      Host.run(List.of(runc, "--root", settings.runcRoot().toString(), "kill", id, signal), CMD_TIMEOUT);
    } catch (IOException e) {
      LOG.debug("runc kill {} {}: {}", id, signal, e.toString());
    }
  }

  private static void parkMillis(long millis) {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  // ------------------------------------------------------------------ exec

  private ExecResult execSync(String containerId, List<String> command, Duration timeout) {
    checkUsable();
    ContainerRecord r = get(containerId);
    update(r);
    if (!r.running()) {
      throw new ContainerRuntimeException(null, "container " + containerId + " is not running");
    }
    if (command.isEmpty()) {
      throw new ContainerRuntimeException(null, "exec needs a command");
    }
    Path pidFile = r.dir().resolve("exec-" + UUID.randomUUID().toString().substring(0, 8) + ".pid");
    List<String> cmd = new ArrayList<>(List.of(runc, "--root", settings.runcRoot().toString(), "exec",
        "--pid-file", pidFile.toString(), r.id));
    cmd.addAll(command);
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    } catch (IOException e) {
      throw new ContainerRuntimeException(null, "cannot run runc exec: " + e.getMessage(), e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread o = Thread.ofVirtual().name("bosun-runtime-oci-exec-out").start(() -> drain(p.getInputStream(), out));
    Thread e = Thread.ofVirtual().name("bosun-runtime-oci-exec-err").start(() -> drain(p.getErrorStream(), err));
    boolean done;
    try {
      if (timeout == null || timeout.isZero() || timeout.isNegative()) {
        p.waitFor();
        done = true;
      } else {
        done = p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      done = false;
    }
    try {
      if (!done) {
        // runc exec forwards signals, but SIGKILL cannot be forwarded: kill the process itself.
        try {
          long pid = Long.parseLong(Files.readString(pidFile).trim());
          Host.run(List.of("kill", "-KILL", Long.toString(pid)), 10);
        } catch (IOException | NumberFormatException ignored) {
          // not started yet, or gone
        }
        p.waitFor(5, TimeUnit.SECONDS);
        p.destroyForcibly();
      }
      o.join(2000);
      e.join(2000);
      Files.deleteIfExists(pidFile);
    } catch (InterruptedException | IOException ie) {
      if (ie instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] stdout;
    byte[] stderr;
    synchronized (out) {
      stdout = out.toByteArray();
    }
    synchronized (err) {
      stderr = err.toByteArray();
    }
    if (!done) {
      return new ExecResult(-1, stdout, stderr, true);
    }
    int code = p.exitValue();
    String errText = new String(stderr, StandardCharsets.UTF_8);
    if (code != 0 && errText.contains("executable file not found")) {
      code = 127; // what a shell reports, rather than runc's 255
    }
    return new ExecResult(code, stdout, stderr, false);
  }

  private static void drain(InputStream in, ByteArrayOutputStream sink) {
    byte[] buf = new byte[8192];
    try (in) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        synchronized (sink) {
          int room = EXEC_OUTPUT_LIMIT - sink.size();
          if (room > 0) {
            sink.write(buf, 0, Math.min(room, n));
          }
        }
      }
    } catch (IOException e) {
      // the process was killed: keep what was read
    }
  }

  // ------------------------------------------------------------------ images

  private final class Images implements ImageService {
    @Override
    public String pull(ImageSpec image, AuthConfig auth, SandboxConfig sandbox) {
      if (closed) {
        throw new RuntimeUnavailableException("the oci runtime is closed");
      }
      try {
        Optional<ImageStore.Image> fromArchive = archives.lookup(image.image());
        if (fromArchive.isPresent()) {
          return imageRef(fromArchive.get());
        }
        return imageRef(images.pull(registry, image.image(), credentials(auth)));
      } catch (IOException | IllegalArgumentException e) {
        throw new ImagePullException("failed to pull image \"" + image.image() + "\": " + e.getMessage(), e);
      }
    }

    @Override
    public Optional<ImageInfo> status(ImageSpec image) {
      return images.find(image.image()).map(OciRuntime::info);
    }

    @Override
    public List<ImageInfo> list() {
      return images.list().stream().map(OciRuntime::info).toList();
    }

    @Override
    public void remove(ImageSpec image) {
      try {
        images.remove(image.image(), id -> containers.values().stream().anyMatch(c -> c.imageId.equals(id)));
      } catch (IllegalStateException e) {
        throw new ContainerRuntimeException("ImageInUse", e.getMessage(), e);
      } catch (IOException e) {
        throw new ContainerRuntimeException(null, "cannot remove image " + image.image() + ": " + e.getMessage(), e);
      }
    }
  }

  private static ImageInfo info(ImageStore.Image i) {
    return new ImageInfo(i.id(), i.repoTags(), i.repoDigests(), i.size());
  }

  static RegistryClient.Credentials credentials(AuthConfig auth) {
    if (auth == null) {
      return RegistryClient.Credentials.ANONYMOUS;
    }
    if (auth.registryToken() != null && !auth.registryToken().isEmpty()) {
      return new RegistryClient.Credentials(null, null, auth.registryToken());
    }
    if (auth.username() != null && !auth.username().isEmpty()) {
      return new RegistryClient.Credentials(auth.username(), auth.password(), null);
    }
    if (auth.auth() != null && !auth.auth().isEmpty()) {
      String up = new String(Base64.getDecoder().decode(auth.auth()), StandardCharsets.UTF_8);
      int colon = up.indexOf(':');
      if (colon > 0) {
        return new RegistryClient.Credentials(up.substring(0, colon), up.substring(colon + 1), null);
      }
    }
    return RegistryClient.Credentials.ANONYMOUS;
  }

  // ------------------------------------------------------------------ helpers

  private static String newId() {
    return UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "")
        .substring(0, 32);
  }
}
