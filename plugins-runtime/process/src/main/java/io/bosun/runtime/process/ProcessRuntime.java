package io.bosun.runtime.process;

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
import io.bosun.runtime.spi.ImageService;
import io.bosun.runtime.spi.ImageSpec;
import io.bosun.runtime.spi.KeyValue;
import io.bosun.runtime.spi.Mount;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each container's command as a host process, without isolation (Linux, bash).
 *
 * <h2>What a container is here</h2>
 * A command run by a small bash wrapper ({@code container-wrapper.sh}) in a session of its own,
 * with the container's environment and working directory and stdin from /dev/null. The wrapper
 * writes the command's stdout and stderr to the container's log path in the CRI format, records
 * the command's pid, and records its exit code when it ends. Stop signals go to the command's
 * process group, so they reach its children. Everything the runtime knows is in files under
 * {@code stateDir}: a restarted runtime (bundle update, node process restart) reads them back and
 * re-adopts running containers; it never stops one on its own.
 *
 * <h2>Images</h2>
 * Nothing is pulled: an image name is only recorded. What runs is {@code command} + {@code args}
 * when the container has a command; else its {@code args} (as an image without ENTRYPOINT would
 * run them); else, for a few well-known images, a host command from {@link Settings#imageCommands()}
 * ({@code busybox} runs {@code sh}, {@code pause} runs {@code sleep infinity}); any other image
 * without a command cannot be created ({@code CreateContainerError}). Executables are looked up in
 * the container's {@code PATH} (default: the node's).
 *
 * <h2>Filesystem and network</h2>
 * Each container has a folder, {@code <stateDir>/containers/<id>/rootfs}, exported as
 * {@code BOSUN_ROOTFS}: its default working directory (also used for a {@code workingDir} that does
 * not exist on the host, as {@code rootfs/<workingDir>}) and its {@code HOME} unless set. Volumes
 * cannot appear at their mount paths without a mount namespace; each is linked instead at
 * {@code rootfs/<mountPath>} (so {@code cat etc/config/key} works from the default working
 * directory). Read-only mounts, users, resource limits and security settings are not enforced.
 * Pods share the node's network ({@link RuntimeCapabilities.Networking#HOST}).
 */
public final class ProcessRuntime implements ContainerRuntime, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessRuntime.class);

  /** The runtime's name and default RuntimeClass handler. */
  public static final String NAME = "process";
  /** The implementation version, reported in the Node's containerRuntimeVersion. */
  public static final String VERSION = "0.1.0";

  private static final RuntimeCapabilities CAPABILITIES = new RuntimeCapabilities(false, false, false, false, true,
      false, RuntimeCapabilities.Networking.HOST, true, true, true);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  /** The wrapper drains the loggers for at most 5 s before it records the exit. */
  private static final Duration EXIT_RECORD_TIMEOUT = Duration.ofSeconds(8);
  private static final int EXEC_OUTPUT_LIMIT = 64 * 1024;

  /**
   * How the runtime is set up.
   *
   * @param stateDir      where sandboxes, containers and images are recorded
   * @param bash          the bash to run the wrapper with
   * @param imageCommands host commands for images run without command or args, by repository name
   * @param pollInterval  how often running containers are checked for an exit
   */
  public record Settings(Path stateDir, String bash, Map<String, List<String>> imageCommands, Duration pollInterval) {

    /** busybox runs sh (its image's CMD), pause sleeps forever. */
    public static final Map<String, List<String>> DEFAULT_IMAGE_COMMANDS = Map.of("busybox", List.of("sh"),
        "pause", List.of("sleep", "infinity"));

    public Settings {
      Objects.requireNonNull(stateDir, "stateDir");
      bash = bash == null || bash.isBlank() ? "/bin/bash" : bash;
      imageCommands = imageCommands == null ? DEFAULT_IMAGE_COMMANDS : Map.copyOf(imageCommands);
      pollInterval = pollInterval == null || pollInterval.isZero() ? Duration.ofMillis(200) : pollInterval;
    }

    public static Settings of(Path stateDir) {
      return new Settings(stateDir, null, null, null);
    }
  }

  private final Settings settings;
  private final Clock clock = Clock.systemUTC();
  private final Path sandboxDir;
  private final Path containerDir;
  private final Path imagesFile;
  private final Path wrapper;
  private final String bootId = Procs.bootId();
  private final Map<String, SandboxRecord> sandboxes = new ConcurrentHashMap<>();
  private final Map<String, ContainerRecord> containers = new ConcurrentHashMap<>();
  private final Map<String, ImageInfo> images = new ConcurrentHashMap<>();
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
   * Opens (or creates) the state under {@link Settings#stateDir()} and adopts what it finds:
   * containers still running are watched again, those that ended meanwhile get their recorded
   * exit code. Starts one monitor thread.
   *
   * @throws UncheckedIOException if the state folder cannot be used
   */
  public ProcessRuntime(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    Path state = settings.stateDir().toAbsolutePath();
    sandboxDir = state.resolve("sandboxes");
    containerDir = state.resolve("containers");
    imagesFile = state.resolve("images.properties");
    try {
      Files.createDirectories(sandboxDir);
      Files.createDirectories(containerDir);
      wrapper = installWrapper(state.resolve("bin"));
      load();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the process runtime's state folder " + state, e);
    }
    monitor = Thread.ofPlatform().name("bosun-runtime-process-monitor").daemon().unstarted(this::monitorLoop);
    monitor.start();
  }

  /** The wrapper script under a name derived from its content, so a running wrapper's file never changes. */
  private static Path installWrapper(Path bin) throws IOException {
    byte[] script;
    try (InputStream in = ProcessRuntime.class.getResourceAsStream("container-wrapper.sh")) {
      if (in == null) {
        throw new IOException("container-wrapper.sh missing from the bundle");
      }
      script = in.readAllBytes();
    }
    String hash;
    try {
      hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(script)).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    Files.createDirectories(bin);
    Path file = bin.resolve("container-wrapper-" + hash + ".sh");
    if (!Files.exists(file)) {
      Path tmp = bin.resolve(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
      Files.write(tmp, script);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    return file;
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
    if (closed) {
      return new RuntimeStatus(false, true, "the process runtime is closed");
    }
    if (!Files.isExecutable(Path.of(settings.bash()))) {
      return new RuntimeStatus(false, true, "bash not found at " + settings.bash());
    }
    return RuntimeStatus.ready();
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

  /**
   * Stops watching: ends the monitor thread. Containers keep running, and a new instance over the
   * same state folder adopts them. Idempotent.
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
  }

  private void checkOpen() {
    if (closed) {
      throw new RuntimeUnavailableException("the process runtime is closed");
    }
  }

  // ------------------------------------------------------------------ records

  private final class SandboxRecord {
    final String id;
    final SandboxConfig config;
    final Instant createdAt;
    final String boot;
    volatile SandboxState state;

    SandboxRecord(String id, SandboxConfig config, Instant createdAt, String boot, SandboxState state) {
      this.id = id;
      this.config = config;
      this.createdAt = createdAt;
      this.boot = boot;
      this.state = state;
    }

    Path dir() {
      return sandboxDir.resolve(id);
    }

    SandboxStatus status() {
      SandboxConfig c = config;
      return new SandboxStatus(id, c.name(), c.namespace(), c.uid(), c.attempt(), state, createdAt, "", List.of(),
          c.labels(), c.annotations(), c.runtimeHandler());
    }

    void save() throws IOException {
      Properties p = new Properties();
      SandboxConfig c = config;
      p.setProperty("name", c.name());
      p.setProperty("namespace", c.namespace());
      p.setProperty("uid", c.uid());
      p.setProperty("attempt", Integer.toString(c.attempt()));
      p.setProperty("hostname", c.hostname());
      p.setProperty("logDirectory", c.logDirectory().toString());
      p.setProperty("runtimeHandler", c.runtimeHandler());
      p.setProperty("hostNetwork", Boolean.toString(c.hostNetwork()));
      StateFiles.putMap(p, "label", c.labels());
      StateFiles.putMap(p, "annotation", c.annotations());
      p.setProperty("createdAt", createdAt.toString());
      p.setProperty("bootId", boot);
      p.setProperty("state", state.name());
      StateFiles.write(dir().resolve("sandbox.properties"), p);
    }
  }

  /** One container; fields change under its monitor. */
  private final class ContainerRecord {
    final String id;
    final String sandboxId;
    final ContainerConfig config;
    final List<String> argv;
    final Path workingDir;
    final List<KeyValue> env;
    final Path logPath;
    final Instant createdAt;
    ContainerState state = ContainerState.CREATED;
    boolean startRequested;
    Instant startedAt;
    Instant finishedAt;
    int exitCode;
    String reason = "";
    String message = "";
    long pid;
    long ticks = -1;
    long wrapperPid;
    long wrapperTicks = -1;
    String boot = "";

    ContainerRecord(String id, String sandboxId, ContainerConfig config, List<String> argv, Path workingDir,
        List<KeyValue> env, Path logPath, Instant createdAt) {
      this.id = id;
      this.sandboxId = sandboxId;
      this.config = config;
      this.argv = argv;
      this.workingDir = workingDir;
      this.env = env;
      this.logPath = logPath;
      this.createdAt = createdAt;
    }

    Path dir() {
      return containerDir.resolve(id);
    }

    Path rootfs() {
      return dir().resolve("rootfs");
    }

    synchronized ContainerStatus status() {
      boolean exited = state == ContainerState.EXITED;
      return new ContainerStatus(id, sandboxId, config.name(), config.attempt(), state, createdAt, startedAt,
          finishedAt, exited ? exitCode : 0, exited ? reason : "", message, config.image(),
          "process://" + config.image().image(), config.labels(), config.annotations(), logPath);
    }

    synchronized boolean running() {
      return state == ContainerState.RUNNING;
    }

    /** Writes the record; holding its monitor. */
    void save() throws IOException {
      Properties p = new Properties();
      p.setProperty("sandboxId", sandboxId);
      p.setProperty("name", config.name());
      p.setProperty("attempt", Integer.toString(config.attempt()));
      p.setProperty("image", config.image().image());
      StateFiles.putList(p, "argv", argv);
      p.setProperty("workingDir", workingDir.toString());
      StateFiles.putList(p, "env.key", env.stream().map(KeyValue::key).toList());
      StateFiles.putList(p, "env.value", env.stream().map(KeyValue::value).toList());
      p.setProperty("logPath", logPath.toString());
      StateFiles.putMap(p, "label", config.labels());
      StateFiles.putMap(p, "annotation", config.annotations());
      p.setProperty("createdAt", createdAt.toString());
      p.setProperty("state", state.name());
      if (startedAt != null) {
        p.setProperty("startedAt", startedAt.toString());
      }
      if (finishedAt != null) {
        p.setProperty("finishedAt", finishedAt.toString());
      }
      p.setProperty("exitCode", Integer.toString(exitCode));
      p.setProperty("reason", reason);
      p.setProperty("message", message);
      p.setProperty("pid", Long.toString(pid));
      p.setProperty("ticks", Long.toString(ticks));
      p.setProperty("wrapperPid", Long.toString(wrapperPid));
      p.setProperty("wrapperTicks", Long.toString(wrapperTicks));
      p.setProperty("bootId", boot);
      StateFiles.write(dir().resolve("container.properties"), p);
    }

    /**
     * Brings a RUNNING record up to date: the wrapper's exit file, else whether anything of the
     * container is still alive. Returns whether it changed to EXITED.
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
      if (sameBoot && (Procs.alive(pid, ticks) || Procs.alive(wrapperPid, wrapperTicks))) {
        return false;
      }
      if (readExitFile()) { // written just before the wrapper ended
        persist();
        return true;
      }
      state = ContainerState.EXITED;
      exitCode = 137;
      reason = "Unknown";
      message = sameBoot ? "the container's wrapper ended without recording an exit code"
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
      try {
        String[] f = Files.readString(exit).trim().split("\\s+");
        exitCode = Integer.parseInt(f[0]);
        finishedAt = f.length > 1 ? epochMicros(f[1]) : clock.instant();
      } catch (IOException | RuntimeException e) {
        exitCode = 137;
        finishedAt = clock.instant();
      }
      state = ContainerState.EXITED;
      reason = ContainerStatus.exitReason(exitCode);
      return true;
    }

    void persist() {
      try {
        save();
      } catch (IOException e) {
        LOG.warn("Cannot record container {}: {}", id, e.toString());
      }
    }
  }

  private static Instant epochMicros(String text) {
    int dot = text.indexOf('.');
    long seconds = Long.parseLong(dot < 0 ? text : text.substring(0, dot));
    long nanos = 0;
    if (dot >= 0) {
      String frac = (text.substring(dot + 1) + "000000000").substring(0, 9);
      nanos = Long.parseLong(frac);
    }
    return Instant.ofEpochSecond(seconds, nanos);
  }

  // ------------------------------------------------------------------ loading

  private void load() throws IOException {
    try (Stream<Path> dirs = Files.list(sandboxDir)) {
      for (Path d : dirs.toList()) {
        Path file = d.resolve("sandbox.properties");
        if (!Files.exists(file)) {
          continue;
        }
        try {
          Properties p = StateFiles.read(file);
          SandboxConfig c = new SandboxConfig(p.getProperty("name"), p.getProperty("namespace"), p.getProperty("uid"),
              Integer.parseInt(p.getProperty("attempt", "0")), p.getProperty("hostname"),
              Path.of(p.getProperty("logDirectory")), StateFiles.getMap(p, "label"), StateFiles.getMap(p, "annotation"),
              p.getProperty("runtimeHandler"), Boolean.parseBoolean(p.getProperty("hostNetwork")), List.of(), null, null);
          String boot = p.getProperty("bootId", "");
          SandboxState state = SandboxState.valueOf(p.getProperty("state", "READY"));
          if (!boot.isEmpty() && !boot.equals(bootId)) {
            state = SandboxState.NOT_READY; // the node rebooted: nothing of it runs any more
          }
          String id = d.getFileName().toString();
          sandboxes.put(id, new SandboxRecord(id, c, Instant.parse(p.getProperty("createdAt")), boot, state));
        } catch (IOException | RuntimeException e) {
          LOG.warn("Ignoring unreadable sandbox record {}: {}", file, e.toString());
        }
      }
    }
    try (Stream<Path> dirs = Files.list(containerDir)) {
      for (Path d : dirs.toList()) {
        Path file = d.resolve("container.properties");
        if (!Files.exists(file)) {
          continue;
        }
        try {
          Properties p = StateFiles.read(file);
          ContainerConfig c = new ContainerConfig(p.getProperty("name"), Integer.parseInt(p.getProperty("attempt", "0")),
              ImageSpec.of(p.getProperty("image")), List.of(), List.of(), null, null, null,
              StateFiles.getMap(p, "label"), StateFiles.getMap(p, "annotation"), Path.of(p.getProperty("logPath")),
              null, null, false, false);
          List<String> keys = StateFiles.getList(p, "env.key");
          List<String> values = StateFiles.getList(p, "env.value");
          List<KeyValue> env = new ArrayList<>();
          for (int i = 0; i < keys.size(); i++) {
            env.add(new KeyValue(keys.get(i), values.get(i)));
          }
          String id = d.getFileName().toString();
          ContainerRecord r = new ContainerRecord(id, p.getProperty("sandboxId"), c, StateFiles.getList(p, "argv"),
              Path.of(p.getProperty("workingDir")), env, Path.of(p.getProperty("logPath")),
              Instant.parse(p.getProperty("createdAt")));
          synchronized (r) {
            r.state = ContainerState.valueOf(p.getProperty("state", "CREATED"));
            r.startedAt = p.containsKey("startedAt") ? Instant.parse(p.getProperty("startedAt")) : null;
            r.finishedAt = p.containsKey("finishedAt") ? Instant.parse(p.getProperty("finishedAt")) : null;
            r.exitCode = Integer.parseInt(p.getProperty("exitCode", "0"));
            r.reason = p.getProperty("reason", "");
            r.message = p.getProperty("message", "");
            r.pid = StateFiles.getLong(p, "pid", 0);
            r.ticks = StateFiles.getLong(p, "ticks", -1);
            r.wrapperPid = StateFiles.getLong(p, "wrapperPid", 0);
            r.wrapperTicks = StateFiles.getLong(p, "wrapperTicks", -1);
            r.boot = p.getProperty("bootId", "");
            r.startRequested = r.state != ContainerState.CREATED;
          }
          containers.put(id, r);
          r.refresh();
        } catch (IOException | RuntimeException e) {
          LOG.warn("Ignoring unreadable container record {}: {}", file, e.toString());
        }
      }
    }
    if (Files.exists(imagesFile)) {
      Properties p = StateFiles.read(imagesFile);
      for (String image : StateFiles.getList(p, "image")) {
        images.put(image, imageInfo(image));
      }
    }
    long running = containers.values().stream().filter(ContainerRecord::running).count();
    if (!containers.isEmpty()) {
      LOG.info("Process runtime adopted {} sandboxes and {} containers ({} running) from {}", sandboxes.size(),
          containers.size(), running, settings.stateDir());
    }
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
      checkOpen();
      String id = newId();
      SandboxRecord r = new SandboxRecord(id, config, clock.instant(), bootId, SandboxState.READY);
      try {
        Files.createDirectories(r.dir());
        Files.createDirectories(config.logDirectory());
        r.save();
      } catch (IOException e) {
        throw new ContainerRuntimeException(ContainerRuntimeException.CREATE_SANDBOX_ERROR,
            "cannot create sandbox for pod " + config.namespace() + "/" + config.name() + ": " + e, e);
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
      r.state = SandboxState.NOT_READY;
      try {
        r.save();
      } catch (IOException e) {
        LOG.warn("Cannot record sandbox {}: {}", sandboxId, e.toString());
      }
    }

    @Override
    public void remove(String sandboxId) {
      for (ContainerRecord c : List.copyOf(containers.values())) {
        if (c.sandboxId.equals(sandboxId)) {
          containerService.remove(c.id);
        }
      }
      SandboxRecord r = sandboxes.remove(sandboxId);
      if (r != null) {
        deleteTree(r.dir());
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

  // ------------------------------------------------------------------ containers

  private final class Containers implements ContainerService {

    @Override
    public String create(String sandboxId, ContainerConfig config, SandboxConfig sandboxConfig) {
      checkOpen();
      SandboxRecord sandbox = sandboxes.get(sandboxId);
      if (sandbox == null) {
        throw new NotFoundException("pod sandbox " + sandboxId + " not found");
      }
      List<String> argv = argv(config);
      String id = newId();
      Path dir = containerDir.resolve(id);
      Path rootfs = dir.resolve("rootfs");
      try {
        Files.createDirectories(rootfs);
        for (Mount m : config.mounts()) {
          link(rootfs, m);
        }
        Path workingDir = workingDir(rootfs, config.workingDir());
        Path logPath = config.logPath() != null ? config.logPath() : dir.resolve("container.log");
        Files.createDirectories(logPath.toAbsolutePath().getParent());
        ContainerRecord r = new ContainerRecord(id, sandboxId, config, argv, workingDir,
            environment(config, sandbox.config, rootfs), logPath, clock.instant());
        synchronized (r) {
          r.save();
        }
        containers.put(id, r);
        publish(ContainerEvent.Type.CREATED, r);
        return id;
      } catch (IOException e) {
        deleteTree(dir);
        throw new CreateContainerException("cannot create container " + config.name() + ": " + e, e);
      }
    }

    @Override
    public void start(String containerId) {
      checkOpen();
      ContainerRecord r = get(containerId);
      synchronized (r) {
        if (r.startRequested) {
          throw new StartContainerException("container " + containerId + " has already been started");
        }
        r.startRequested = true;
      }
      Map<String, String> env = new LinkedHashMap<>();
      r.env.forEach(kv -> env.put(kv.key(), kv.value()));
      String exe = r.argv.get(0);
      if (resolveExecutable(exe, env.get("PATH"), r.workingDir) == null) {
        String msg = "exec: \"" + exe + "\": " + (exe.contains("/") ? "no such file or executable"
            : "executable file not found in $PATH");
        failStart(r, msg);
        throw new StartContainerException(msg);
      }
      List<String> cmd = new ArrayList<>(List.of("setsid", settings.bash(), wrapper.toString(), r.dir().toString(),
          r.logPath.toString(), "--"));
      cmd.addAll(r.argv);
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(r.workingDir.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(r.dir().resolve("wrapper.out").toFile()))
          .redirectErrorStream(true);
      pb.environment().clear();
      pb.environment().putAll(env);
      Process process;
      try {
        Files.deleteIfExists(r.dir().resolve("pid"));
        Files.deleteIfExists(r.dir().resolve("exit"));
        process = pb.start();
      } catch (IOException e) {
        failStart(r, "cannot start the container wrapper: " + e.getMessage());
        throw new StartContainerException("cannot start the container wrapper: " + e.getMessage(), e);
      }
      String[] started = awaitPid(r, process);
      long pid = Long.parseLong(started[0]);
      synchronized (r) {
        r.pid = pid;
        r.ticks = Procs.startTicks(pid);
        r.wrapperPid = process.pid();
        r.wrapperTicks = Procs.startTicks(process.pid());
        r.boot = bootId;
        r.startedAt = started.length > 1 ? epochMicros(started[1]) : clock.instant();
        r.state = ContainerState.RUNNING;
        r.persist();
      }
      publish(ContainerEvent.Type.STARTED, r);
      wakeMonitor();
    }

    /** Waits for the wrapper to record the command's pid and start time; fails the start if the wrapper dies first. */
    private String[] awaitPid(ContainerRecord r, Process process) {
      Path pidFile = r.dir().resolve("pid");
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (true) {
        if (Files.exists(pidFile)) {
          try {
            String[] f = Files.readString(pidFile).trim().split("\\s+");
            Long.parseLong(f[0]);
            return f;
          } catch (IOException | NumberFormatException e) {
            // being renamed into place: read again
          }
        } else if (!process.isAlive() || System.nanoTime() - deadline > 0) {
          String out = "";
          try {
            out = Files.readString(r.dir().resolve("wrapper.out")).trim();
          } catch (IOException e) {
            // nothing to add
          }
          process.destroyForcibly();
          String msg = "the container wrapper " + (process.isAlive() ? "did not start the command in time"
              : "exited with " + process.exitValue()) + (out.isEmpty() ? "" : ": " + out);
          failStart(r, msg);
          throw new StartContainerException(msg);
        }
        try {
          process.waitFor(5, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StartContainerException("interrupted while starting container " + r.id);
        }
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
      long pid;
      long ticks;
      synchronized (r) {
        if (r.state != ContainerState.RUNNING) {
          return;
        }
        pid = r.pid;
        ticks = r.ticks;
      }
      if (timeout != null && !timeout.isNegative() && !timeout.isZero() && Procs.alive(pid, ticks)) {
        Procs.signalGroup(pid, "TERM");
        awaitDeath(pid, ticks, timeout);
      }
      // SIGKILL whatever is left of the group: the leader if it ignored SIGTERM, children that outlived it.
      Procs.signalGroup(pid, "KILL");
      awaitDeath(pid, ticks, Duration.ofSeconds(10));
      long deadline = System.nanoTime() + EXIT_RECORD_TIMEOUT.toNanos();
      while (!update(r) && r.running()) {
        if (System.nanoTime() - deadline > 0) {
          boolean forced = false;
          synchronized (r) {
            if (r.state == ContainerState.RUNNING) {
              r.state = ContainerState.EXITED;
              r.exitCode = 137;
              r.reason = "Error";
              r.message = "stopped; the wrapper recorded no exit code";
              r.finishedAt = clock.instant();
              r.persist();
              forced = true;
            }
          }
          if (forced) {
            publish(ContainerEvent.Type.STOPPED, r);
          }
          break;
        }
        if (Thread.currentThread().isInterrupted()) {
          break;
        }
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
      containers.remove(containerId);
      deleteTree(r.dir());
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
      // The wrapper's loggers notice a renamed log file and reopen it on their own.
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

  /** What runs: command + args; else args; else the image's host command; see the class comment. */
  private List<String> argv(ContainerConfig config) {
    List<String> argv = new ArrayList<>();
    if (!config.command().isEmpty()) {
      argv.addAll(config.command());
      argv.addAll(config.args());
    } else if (!config.args().isEmpty()) {
      argv.addAll(config.args());
    } else {
      List<String> known = settings.imageCommands().get(config.image().repositoryName());
      if (known == null) {
        throw new CreateContainerException("the process runtime cannot run image \"" + config.image().image()
            + "\" without a command: it runs host processes and pulls no images; set the container's command "
            + "(known images: " + String.join(", ", new java.util.TreeSet<>(settings.imageCommands().keySet())) + ")");
      }
      argv.addAll(known);
    }
    if (argv.get(0).isEmpty()) {
      throw new CreateContainerException("the container's command is empty");
    }
    return List.copyOf(argv);
  }

  private List<KeyValue> environment(ContainerConfig config, SandboxConfig sandbox, Path rootfs) {
    Map<String, String> env = new LinkedHashMap<>();
    String path = System.getenv("PATH");
    env.put("PATH", path == null || path.isEmpty() ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        : path);
    env.put("HOSTNAME", sandbox.hostname());
    env.put("HOME", rootfs.toString());
    env.put("BOSUN_ROOTFS", rootfs.toString());
    for (KeyValue kv : config.env()) {
      env.put(kv.key(), kv.value());
    }
    return env.entrySet().stream().map(e -> new KeyValue(e.getKey(), e.getValue())).toList();
  }

  private static Path workingDir(Path rootfs, String requested) throws IOException {
    if (requested.isEmpty()) {
      return rootfs;
    }
    Path host = Path.of(requested);
    if (host.isAbsolute() && Files.isDirectory(host)) {
      return host;
    }
    Path inside = rootfs.resolve(requested.replaceFirst("^/+", "")).normalize();
    if (!inside.startsWith(rootfs)) {
      throw new IOException("workingDir " + requested + " leaves the container's folder");
    }
    Files.createDirectories(inside);
    return inside;
  }

  /** Links a mount at rootfs/<containerPath>; see the class comment. */
  private static void link(Path rootfs, Mount m) throws IOException {
    String rel = m.containerPath().replaceFirst("^/+", "");
    if (rel.isEmpty()) {
      return;
    }
    Path at = rootfs.resolve(rel).normalize();
    if (!at.startsWith(rootfs)) {
      throw new IOException("mount path " + m.containerPath() + " leaves the container's folder");
    }
    Files.createDirectories(at.getParent());
    Files.deleteIfExists(at);
    Files.createSymbolicLink(at, m.hostPath().toAbsolutePath());
  }

  /** An executable for {@code name}: a path (relative to {@code dir}) or a name looked up in {@code path}. */
  static Path resolveExecutable(String name, String path, Path dir) {
    if (name.contains("/")) {
      Path p = dir.resolve(name);
      return Files.isRegularFile(p) && Files.isExecutable(p) ? p : null;
    }
    for (String d : (path == null ? "" : path).split(":")) {
      Path p = (d.isEmpty() ? dir : dir.resolve(d)).resolve(name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Waits for the process to end, up to {@code timeout}; returns early if the caller is interrupted. */
  private static void awaitDeath(long pid, long ticks, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (Procs.alive(pid, ticks) && System.nanoTime() - deadline < 0 && !Thread.currentThread().isInterrupted()) {
      parkMillis(10);
    }
  }

  private static void parkMillis(long millis) {
    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  // ------------------------------------------------------------------ exec

  private ExecResult execSync(String containerId, List<String> command, Duration timeout) {
    checkOpen();
    ContainerRecord r = get(containerId);
    update(r);
    if (!r.running()) {
      throw new ContainerRuntimeException(null, "container " + containerId + " is not running");
    }
    if (command.isEmpty()) {
      throw new ContainerRuntimeException(null, "exec needs a command");
    }
    Map<String, String> env = new LinkedHashMap<>();
    r.env.forEach(kv -> env.put(kv.key(), kv.value()));
    if (resolveExecutable(command.get(0), env.get("PATH"), r.workingDir) == null) {
      // As runc reports it: an ordinary, failed outcome of the command.
      return new ExecResult(127, new byte[0], ("exec: \"" + command.get(0) + "\": executable file not found in $PATH")
          .getBytes(StandardCharsets.UTF_8), false);
    }
    ProcessBuilder pb = new ProcessBuilder(command).directory(r.workingDir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new ExecResult(126, new byte[0], e.getMessage().getBytes(StandardCharsets.UTF_8), false);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread o = Thread.ofVirtual().name("bosun-runtime-process-exec-out").start(() -> drain(p.getInputStream(), out));
    Thread e = Thread.ofVirtual().name("bosun-runtime-process-exec-err").start(() -> drain(p.getErrorStream(), err));
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
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    try {
      o.join(2000);
      e.join(2000);
      if (!done) {
        p.waitFor(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
    synchronized (out) {
      synchronized (err) {
        return new ExecResult(done ? p.exitValue() : -1, out.toByteArray(), err.toByteArray(), !done);
      }
    }
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
      // Nothing to fetch: the name is recorded so that IfNotPresent and Never behave as on other runtimes.
      ImageInfo info = imageInfo(image.image());
      images.put(image.image(), info);
      saveImages();
      return info.id();
    }

    @Override
    public Optional<ImageInfo> status(ImageSpec image) {
      return Optional.ofNullable(images.get(image.image()));
    }

    @Override
    public List<ImageInfo> list() {
      return List.copyOf(images.values());
    }

    @Override
    public void remove(ImageSpec image) {
      if (images.remove(image.image()) != null) {
        saveImages();
      }
    }
  }

  private static ImageInfo imageInfo(String image) {
    return new ImageInfo("process://" + image, List.of(image), List.of(), 0);
  }

  private synchronized void saveImages() {
    Properties p = new Properties();
    StateFiles.putList(p, "image", images.keySet().stream().sorted().toList());
    try {
      StateFiles.write(imagesFile, p);
    } catch (IOException e) {
      LOG.warn("Cannot record images: {}", e.toString());
    }
  }

  // ------------------------------------------------------------------ helpers

  private static String newId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      // Files.walk does not follow links: a mount's link is deleted, never what it points to.
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("Cannot delete {}: {}", dir, e.toString());
    }
  }
}
