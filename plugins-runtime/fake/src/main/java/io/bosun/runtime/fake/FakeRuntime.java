package io.bosun.runtime.fake;

import io.bosun.runtime.spi.ContainerConfig;
import io.bosun.runtime.spi.ContainerEvent;
import io.bosun.runtime.spi.ContainerEventListener;
import io.bosun.runtime.spi.ContainerFilter;
import io.bosun.runtime.spi.ContainerRuntime;
import io.bosun.runtime.spi.ContainerService;
import io.bosun.runtime.spi.ContainerState;
import io.bosun.runtime.spi.ContainerStatus;
import io.bosun.runtime.spi.CriLog;
import io.bosun.runtime.spi.ExecResult;
import io.bosun.runtime.spi.ExecService;
import io.bosun.runtime.spi.ImageInfo;
import io.bosun.runtime.spi.ImagePullException;
import io.bosun.runtime.spi.ImageService;
import io.bosun.runtime.spi.ImageSpec;
import io.bosun.runtime.spi.Labels;
import io.bosun.runtime.spi.NotFoundException;
import io.bosun.runtime.spi.RuntimeCapabilities;
import io.bosun.runtime.spi.RuntimeStatus;
import io.bosun.runtime.spi.RuntimeVersion;
import io.bosun.runtime.spi.SandboxConfig;
import io.bosun.runtime.spi.SandboxFilter;
import io.bosun.runtime.spi.SandboxService;
import io.bosun.runtime.spi.SandboxState;
import io.bosun.runtime.spi.SandboxStatus;
import io.bosun.runtime.spi.StartContainerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * A runtime whose containers are only state. Starting a container takes {@link Behavior#startDelay()}
 * (start blocks that long, as a real runtime's start would), then it is {@link ContainerState#RUNNING};
 * if {@link Behavior#exitAfter()} is set, it exits with {@link Behavior#exitCode()} that long after it
 * started. Stopping makes it exit at once with
 * {@link Behavior#stopExitCode()} (137 when stopped without grace). Images are "pulled" after
 * {@link Behavior#pullDelay()}; an image whose name starts with {@value #MISSING_IMAGE_PREFIX} does
 * not exist. Exec runs nothing and returns {@link Behavior#execExitCode()} unless a test installs an
 * exec handler. Sandboxes get IPs from {@code 10.88.0.0/16} in order.
 *
 * <p>Per pod, the pod's annotations (which reach the runtime through the sandbox) override the
 * defaults: {@code fake.bosun.io/exit-after} (a duration such as {@code 3s} or {@code 500ms};
 * {@code never}), {@code fake.bosun.io/exit-code}, {@code fake.bosun.io/start-delay},
 * {@code fake.bosun.io/start-error} (a message: starting fails with it),
 * {@code fake.bosun.io/exec-exit-code} and {@code fake.bosun.io/stop-exit-code}; add
 * {@code .<container name>} to the key for one container only ({@code fake.bosun.io/exit-code.app}).
 *
 * <p>Writes one CRI log line when a container starts and one when it exits, if given a log path.
 * Thread-safe. Owns one timer thread ({@code bosun-runtime-fake-timer}); {@link #close()} ends it.
 * State lives in memory only ({@link RuntimeCapabilities#survivesRestart()} is false).
 */
public final class FakeRuntime implements ContainerRuntime, AutoCloseable {

  /** The runtime's name and default RuntimeClass handler. */
  public static final String NAME = "fake";
  /** Annotation prefix of per-pod behaviour overrides. */
  public static final String ANNOTATION_PREFIX = "fake.bosun.io/";
  /** Images whose name starts with this fail to pull, as if they did not exist. */
  public static final String MISSING_IMAGE_PREFIX = "missing.invalid/";

  /**
   * How containers behave unless a pod's annotations say otherwise.
   *
   * @param startDelay   how long starting a container takes (it stays CREATED meanwhile)
   * @param exitAfter    how long a running container runs before exiting on its own; null: forever
   * @param exitCode     the code it then exits with
   * @param pullDelay    how long a pull takes
   * @param stopExitCode the code a container stopped with a grace period exits with
   * @param execExitCode what exec commands return
   */
  public record Behavior(Duration startDelay, Duration exitAfter, int exitCode, Duration pullDelay, int stopExitCode,
      int execExitCode) {

    /** Start at once, run forever, exit 143 when stopped, exec succeeds. */
    public static final Behavior DEFAULT = new Behavior(Duration.ZERO, null, 0, Duration.ZERO, 143, 0);

    public Behavior {
      startDelay = startDelay == null ? Duration.ZERO : startDelay;
      pullDelay = pullDelay == null ? Duration.ZERO : pullDelay;
    }

    public Behavior withExitAfter(Duration exitAfter, int exitCode) {
      return new Behavior(startDelay, exitAfter, exitCode, pullDelay, stopExitCode, execExitCode);
    }

    public Behavior withStartDelay(Duration startDelay) {
      return new Behavior(startDelay, exitAfter, exitCode, pullDelay, stopExitCode, execExitCode);
    }

    public Behavior withPullDelay(Duration pullDelay) {
      return new Behavior(startDelay, exitAfter, exitCode, pullDelay, stopExitCode, execExitCode);
    }
  }

  private static final RuntimeCapabilities CAPABILITIES = new RuntimeCapabilities(false, false, false, false, true,
      false, RuntimeCapabilities.Networking.POD, true, true, false);

  private final Behavior defaults;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final Object lock = new Object();
  private final Map<String, Sandbox> sandboxes = new LinkedHashMap<>();
  private final Map<String, Container> containers = new LinkedHashMap<>();
  private final Map<String, ImageInfo> images = new HashMap<>();
  private final List<ContainerEventListener> listeners = new CopyOnWriteArrayList<>();
  private volatile BiFunction<ContainerStatus, List<String>, ExecResult> execHandler;
  private volatile RuntimeStatus status = RuntimeStatus.ready();
  private int nextIp = 2;
  private long starts;

  private final SandboxService sandboxService = new Sandboxes();
  private final ContainerService containerService = new Containers();
  private final ImageService imageService = new Images();
  private final ExecService execService = this::execSync;

  private static final class Sandbox {
    final String id;
    final SandboxConfig config;
    final Instant createdAt;
    final String ip;
    SandboxState state = SandboxState.READY;

    Sandbox(String id, SandboxConfig config, Instant createdAt, String ip) {
      this.id = id;
      this.config = config;
      this.createdAt = createdAt;
      this.ip = ip;
    }
  }

  private static final class Container {
    final String id;
    final String sandboxId;
    final ContainerConfig config;
    final Instant createdAt;
    final Behavior behavior;
    final String startError;
    ContainerState state = ContainerState.CREATED;
    boolean starting;
    Instant startedAt;
    Instant finishedAt;
    int exitCode;
    String reason = "";
    ScheduledFuture<?> pending;

    Container(String id, String sandboxId, ContainerConfig config, Instant createdAt, Behavior behavior,
        String startError) {
      this.id = id;
      this.sandboxId = sandboxId;
      this.config = config;
      this.createdAt = createdAt;
      this.behavior = behavior;
      this.startError = startError;
    }
  }

  /** A runtime with the default behaviour and the system clock. */
  public FakeRuntime() {
    this(Behavior.DEFAULT, Clock.systemUTC());
  }

  public FakeRuntime(Behavior defaults, Clock clock) {
    this.defaults = Objects.requireNonNull(defaults, "defaults");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bosun-runtime-fake-timer");
      t.setDaemon(true);
      return t;
    });
  }

  // ------------------------------------------------------------------ test controls

  /** Makes exec commands answer with {@code handler}; null restores the behaviour's exit code. */
  public void setExecHandler(BiFunction<ContainerStatus, List<String>, ExecResult> handler) {
    this.execHandler = handler;
  }

  /** Sets what {@link #status()} reports (to simulate a broken runtime). */
  public void setStatus(RuntimeStatus status) {
    this.status = Objects.requireNonNull(status, "status");
  }

  /** Makes a running container exit now with {@code exitCode}, as if its process crashed. */
  public void exit(String containerId, int exitCode) {
    ContainerEvent event;
    synchronized (lock) {
      Container c = containers.get(containerId);
      if (c == null) {
        throw new NotFoundException("container " + containerId + " not found");
      }
      event = finish(c, exitCode, ContainerStatus.exitReason(exitCode));
    }
    publish(event);
  }

  /** Marks a sandbox NOT_READY, as if its network died: the kubelet must make a new one. */
  public void breakSandbox(String sandboxId) {
    synchronized (lock) {
      Sandbox s = sandboxes.get(sandboxId);
      if (s != null) {
        s.state = SandboxState.NOT_READY;
      }
    }
  }

  /** The config a container was created with (resolved environment, mounts ...), for assertions in tests. */
  public Optional<ContainerConfig> config(String containerId) {
    synchronized (lock) {
      return Optional.ofNullable(containers.get(containerId)).map(c -> c.config);
    }
  }

  /** How many containers have been started since this runtime was made. */
  public long startCount() {
    synchronized (lock) {
      return starts;
    }
  }

  // ------------------------------------------------------------------ ContainerRuntime

  @Override
  public RuntimeVersion version() {
    return new RuntimeVersion(NAME, "0.1.0", API_VERSION);
  }

  @Override
  public RuntimeCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public RuntimeStatus status() {
    return status;
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

  /** Stops the timer thread; containers freeze in their current state. Idempotent. */
  @Override
  public void close() {
    timer.shutdownNow();
  }

  // ------------------------------------------------------------------ sandboxes

  private final class Sandboxes implements SandboxService {
    @Override
    public String run(SandboxConfig config) {
      synchronized (lock) {
        String id = newId();
        int n = nextIp++;
        String ip = config.hostNetwork() ? "" : "10.88." + ((n >> 8) & 0xff) + "." + (n & 0xff);
        sandboxes.put(id, new Sandbox(id, config, clock.instant(), ip));
        return id;
      }
    }

    @Override
    public void stop(String sandboxId) {
      List<ContainerEvent> events = new ArrayList<>();
      synchronized (lock) {
        Sandbox s = sandboxes.get(sandboxId);
        if (s == null) {
          return;
        }
        s.state = SandboxState.NOT_READY;
        for (Container c : containers.values()) {
          if (c.sandboxId.equals(sandboxId) && c.state == ContainerState.RUNNING) {
            events.add(finish(c, 137, "Error"));
          }
        }
      }
      events.forEach(FakeRuntime.this::publish);
    }

    @Override
    public void remove(String sandboxId) {
      List<ContainerEvent> events = new ArrayList<>();
      synchronized (lock) {
        for (Container c : List.copyOf(containers.values())) {
          if (c.sandboxId.equals(sandboxId)) {
            events.add(removeLocked(c));
          }
        }
        sandboxes.remove(sandboxId);
      }
      events.forEach(FakeRuntime.this::publish);
    }

    @Override
    public Optional<SandboxStatus> status(String sandboxId) {
      synchronized (lock) {
        return Optional.ofNullable(sandboxes.get(sandboxId)).map(FakeRuntime::statusOf);
      }
    }

    @Override
    public List<SandboxStatus> list(SandboxFilter filter) {
      synchronized (lock) {
        return sandboxes.values().stream().map(FakeRuntime::statusOf).filter(filter::matches).toList();
      }
    }
  }

  private static SandboxStatus statusOf(Sandbox s) {
    SandboxConfig c = s.config;
    return new SandboxStatus(s.id, c.name(), c.namespace(), c.uid(), c.attempt(), s.state, s.createdAt, s.ip,
        List.of(), c.labels(), c.annotations(), c.runtimeHandler());
  }

  // ------------------------------------------------------------------ containers

  private final class Containers implements ContainerService {
    @Override
    public String create(String sandboxId, ContainerConfig config, SandboxConfig sandboxConfig) {
      synchronized (lock) {
        Sandbox s = sandboxes.get(sandboxId);
        if (s == null) {
          throw new NotFoundException("pod sandbox " + sandboxId + " not found");
        }
        Map<String, String> a = s.config.annotations();
        String name = config.name();
        Behavior b = defaults;
        String exitAfter = override(a, "exit-after", name);
        Duration after = exitAfter == null ? b.exitAfter()
            : exitAfter.equals("never") ? null : parseDuration(exitAfter);
        String code = override(a, "exit-code", name);
        String startDelay = override(a, "start-delay", name);
        String stopCode = override(a, "stop-exit-code", name);
        String execCode = override(a, "exec-exit-code", name);
        b = new Behavior(startDelay == null ? b.startDelay() : parseDuration(startDelay), after,
            code == null ? b.exitCode() : Integer.parseInt(code.trim()), b.pullDelay(),
            stopCode == null ? b.stopExitCode() : Integer.parseInt(stopCode.trim()),
            execCode == null ? b.execExitCode() : Integer.parseInt(execCode.trim()));
        String id = newId();
        containers.put(id, new Container(id, sandboxId, config, clock.instant(), b,
            override(a, "start-error", name)));
        return id;
      }
    }

    @Override
    public void start(String containerId) {
      Duration delay;
      synchronized (lock) {
        Container c = get(containerId);
        if (c.state != ContainerState.CREATED || c.starting) {
          throw new StartContainerException("container " + containerId + " is " + c.state + ", not CREATED");
        }
        if (c.startError != null) {
          c.state = ContainerState.EXITED;
          c.exitCode = 128;
          c.reason = "StartError";
          c.finishedAt = clock.instant();
          throw new StartContainerException(c.startError);
        }
        starts++;
        c.starting = true;
        delay = c.behavior.startDelay();
      }
      if (delay.isPositive()) {
        // A simulated slow start: as with a real runtime, start returns once the container runs.
        try {
          Thread.sleep(delay);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StartContainerException("start of " + containerId + " interrupted");
        }
      }
      ContainerEvent event = null;
      synchronized (lock) {
        Container c = containers.get(containerId);
        if (c != null && c.state == ContainerState.CREATED) {
          event = run(c);
        }
      }
      publish(event);
    }

    @Override
    public void stop(String containerId, Duration timeout) {
      ContainerEvent event = null;
      synchronized (lock) {
        Container c = get(containerId);
        if (c.state == ContainerState.RUNNING) {
          int code = timeout == null || timeout.isZero() || timeout.isNegative() ? 137 : c.behavior.stopExitCode();
          event = finish(c, code, ContainerStatus.exitReason(code));
        } else if (c.state == ContainerState.CREATED && c.starting) {
          // started but not yet running: it never runs
          event = finish(c, 137, "Error");
        }
      }
      publish(event);
    }

    @Override
    public void remove(String containerId) {
      ContainerEvent event = null;
      synchronized (lock) {
        Container c = containers.get(containerId);
        if (c != null) {
          event = removeLocked(c);
        }
      }
      publish(event);
    }

    @Override
    public Optional<ContainerStatus> status(String containerId) {
      synchronized (lock) {
        return Optional.ofNullable(containers.get(containerId)).map(FakeRuntime::statusOf);
      }
    }

    @Override
    public List<ContainerStatus> list(ContainerFilter filter) {
      synchronized (lock) {
        List<ContainerStatus> out = new ArrayList<>();
        for (Container c : containers.values()) {
          ContainerStatus s = statusOf(c);
          if (filter.matches(s)) {
            out.add(s);
          }
        }
        return out;
      }
    }

    @Override
    public void reopenLog(String containerId) {
      // Each write opens the file anew: nothing to reopen.
    }

    @Override
    public Registration subscribe(ContainerEventListener listener) {
      listeners.add(listener);
      return () -> listeners.remove(listener);
    }
  }

  private Container get(String containerId) {
    Container c = containers.get(containerId);
    if (c == null) {
      throw new NotFoundException("container " + containerId + " not found");
    }
    return c;
  }

  /** CREATED -> RUNNING, scheduling the exit if the behaviour has one. Holding the lock. */
  private ContainerEvent run(Container c) {
    c.state = ContainerState.RUNNING;
    c.startedAt = clock.instant();
    c.pending = null;
    log(c, CriLog.Stream.STDOUT, "fake container " + c.config.name() + " started");
    Duration after = c.behavior.exitAfter();
    if (after != null) {
      c.pending = schedule(() -> exitLater(c), after);
    }
    return event(ContainerEvent.Type.STARTED, c);
  }

  private void exitLater(Container c) {
    ContainerEvent event = null;
    synchronized (lock) {
      if (c.state == ContainerState.RUNNING && containers.containsKey(c.id)) {
        event = finish(c, c.behavior.exitCode(), ContainerStatus.exitReason(c.behavior.exitCode()));
      }
    }
    publish(event);
  }

  /** RUNNING (or started CREATED) -> EXITED. Holding the lock. */
  private ContainerEvent finish(Container c, int exitCode, String reason) {
    if (c.pending != null) {
      c.pending.cancel(false);
      c.pending = null;
    }
    if (c.state == ContainerState.EXITED) {
      return null;
    }
    c.state = ContainerState.EXITED;
    c.exitCode = exitCode;
    c.reason = reason;
    c.finishedAt = clock.instant();
    if (c.startedAt == null) {
      c.startedAt = c.finishedAt;
    }
    log(c, exitCode == 0 ? CriLog.Stream.STDOUT : CriLog.Stream.STDERR,
        "fake container " + c.config.name() + " exited with code " + exitCode);
    return event(ContainerEvent.Type.STOPPED, c);
  }

  private ContainerEvent removeLocked(Container c) {
    if (c.pending != null) {
      c.pending.cancel(false);
    }
    containers.remove(c.id);
    return event(ContainerEvent.Type.DELETED, c);
  }

  private ContainerEvent event(ContainerEvent.Type type, Container c) {
    Sandbox s = sandboxes.get(c.sandboxId);
    return new ContainerEvent(type, c.id, c.sandboxId, s == null ? "" : s.config.uid());
  }

  private void publish(ContainerEvent event) {
    if (event == null) {
      return;
    }
    for (ContainerEventListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        // a listener's failure is its own business
      }
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    try {
      return timer.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null; // closed: the container stays where it is
    }
  }

  private static ContainerStatus statusOf(Container c) {
    ContainerConfig cfg = c.config;
    return new ContainerStatus(c.id, c.sandboxId, cfg.name(), cfg.attempt(), c.state, c.createdAt, c.startedAt,
        c.finishedAt, c.state == ContainerState.EXITED ? c.exitCode : 0, c.state == ContainerState.EXITED ? c.reason : "",
        "", cfg.image(), "fake://" + cfg.image().image(), cfg.labels(), cfg.annotations(), cfg.logPath());
  }

  private void log(Container c, CriLog.Stream stream, String text) {
    Path path = c.config.logPath();
    if (path == null) {
      return;
    }
    try {
      Files.createDirectories(path.toAbsolutePath().getParent());
      Files.writeString(path, CriLog.format(clock.instant(), stream, false, text), StandardCharsets.ISO_8859_1,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // a fake container's log is best effort
    }
  }

  // ------------------------------------------------------------------ images and exec

  private final class Images implements ImageService {
    @Override
    public String pull(ImageSpec image, io.bosun.runtime.spi.AuthConfig auth, SandboxConfig sandbox) {
      Duration delay = defaults.pullDelay();
      if (!delay.isZero() && !delay.isNegative()) {
        // A pull is slow I/O in a real runtime; the caller's thread waits, as it would there.
        try {
          Thread.sleep(delay);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ImagePullException("pull of " + image.image() + " interrupted");
        }
      }
      if (image.image().startsWith(MISSING_IMAGE_PREFIX)) {
        throw new ImagePullException("rpc error: failed to pull and unpack image \"" + image.image()
            + "\": not found");
      }
      ImageInfo info = new ImageInfo("sha256:" + Integer.toHexString(image.image().hashCode()), List.of(image.image()),
          List.of(), 1024);
      synchronized (lock) {
        images.put(image.image(), info);
      }
      return info.id();
    }

    @Override
    public Optional<ImageInfo> status(ImageSpec image) {
      synchronized (lock) {
        return Optional.ofNullable(images.get(image.image()));
      }
    }

    @Override
    public List<ImageInfo> list() {
      synchronized (lock) {
        return List.copyOf(images.values());
      }
    }

    @Override
    public void remove(ImageSpec image) {
      synchronized (lock) {
        images.remove(image.image());
      }
    }
  }

  private ExecResult execSync(String containerId, List<String> command, Duration timeout) {
    ContainerStatus status;
    int code;
    synchronized (lock) {
      Container c = get(containerId);
      if (c.state != ContainerState.RUNNING) {
        throw new io.bosun.runtime.spi.ContainerRuntimeException(null, "container " + containerId + " is not running");
      }
      status = statusOf(c);
      code = c.behavior.execExitCode();
    }
    BiFunction<ContainerStatus, List<String>, ExecResult> handler = execHandler;
    if (handler != null) {
      return handler.apply(status, List.copyOf(command));
    }
    return new ExecResult(code, new byte[0], new byte[0], false);
  }

  // ------------------------------------------------------------------ helpers

  private static String override(Map<String, String> annotations, String key, String container) {
    String specific = annotations.get(ANNOTATION_PREFIX + key + "." + container);
    return specific != null ? specific : annotations.get(ANNOTATION_PREFIX + key);
  }

  private static String newId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /**
   * Parses {@code 500ms}, {@code 3s}, {@code 2m}, {@code 1h} or a plain number of seconds.
   *
   * @throws IllegalArgumentException if it is none of these
   */
  public static Duration parseDuration(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      long n = Long.parseLong(s.replaceAll("[smh]$", ""));
      return switch (s.charAt(s.length() - 1)) {
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("not a duration: " + text);
    }
  }

  /** The label selecting a pod's sandboxes and containers; a convenience for tests. */
  public static Map<String, String> podLabel(String podUid) {
    return Map.of(Labels.POD_UID, podUid);
  }
}
